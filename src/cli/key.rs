//! `taotui key inspect`: what `subkey inspect` prints, without ever echoing the secret.

use anyhow::Result;
use serde::Serialize;
use taotui_keystore::derive::CryptoType;
use taotui_keystore::ss58;

use super::output::{print_json, print_text};
use super::prompt::Prompter;
use super::secret_input::{keypair_from_text, read_secret_file};
use super::{GlobalArgs, KeyCommand};
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub public_key: String,
    pub account_id: String,
    pub ss58_address: String,
}

/// `input` is a secret URI, or an SS58 address (then only public facts are re-derived).
pub fn inspect(input: &SecretString, scheme: CryptoType, prefix: u16) -> Result<Inspection> {
    let trimmed = input.expose_secret().trim();
    let public = match ss58::decode(trimmed) {
        Ok((public, _)) => public,
        Err(_) => keypair_from_text(input, scheme)?.public_key(),
    };
    let hex = format!("0x{}", hex::encode(public));
    Ok(Inspection {
        public_key: hex.clone(),
        account_id: hex,
        ss58_address: ss58::encode(&public, prefix),
    })
}

pub fn run(cmd: KeyCommand, global: &GlobalArgs) -> Result<()> {
    match cmd {
        KeyCommand::Inspect {
            uri,
            secret_file,
            scheme,
            ss58_prefix,
        } => {
            let prompter = Prompter::new(None, false);
            let input = match (uri, secret_file) {
                (Some(u), _) if u == "-" => prompter.line("")?,
                // An address is public; anything else here would be a secret on the command line.
                (Some(u), _) if ss58::decode(u.trim()).is_ok() => SecretString::from(u),
                (Some(_), _) => {
                    return Err(anyhow::anyhow!(
                        "key inspect takes only an SS58 address on the command line (a secret there stays in shell history and the process list); pass the secret URI with --secret-file PATH, pipe it with `-`, or leave it out to be asked"
                    ));
                }
                (None, Some(path)) => read_secret_file(&path, &prompter)?,
                (None, None) => prompter.line("Secret URI or SS58 address: ")?,
            };
            let scheme = CryptoType::from(scheme);
            let info = inspect(&input, scheme, ss58_prefix)?;
            if global.json {
                return print_json(&info);
            }
            print_text(&format!(
                "Key type:          {scheme}\n\
                 Network ID:        {ss58_prefix}\n\
                 Public key (hex):  {}\n\
                 Account ID:        {}\n\
                 SS58 address:      {}",
                info.public_key, info.account_id, info.ss58_address
            ))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn alice_matches_subkey() {
        let info = inspect(
            &SecretString::from("//Alice".to_owned()),
            CryptoType::Sr25519,
            42,
        )
        .unwrap();
        assert_eq!(
            info.public_key,
            "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
        assert_eq!(
            info.ss58_address,
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        let again = inspect(
            &SecretString::from(info.ss58_address.clone()),
            CryptoType::Sr25519,
            0,
        )
        .unwrap();
        assert_eq!(again.public_key, info.public_key);
        assert_eq!(
            again.ss58_address,
            "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"
        );
    }
}
