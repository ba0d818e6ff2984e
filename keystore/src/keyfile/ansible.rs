//! Ansible Vault 1.1 (`$ANSIBLE_VAULT;1.1;AES256`), written by older bittensor versions.
//!
//! After the header line the file is hex (wrapped at any width) of
//! `hex(salt) "\n" hex(hmac) "\n" hex(ciphertext)`. PBKDF2-HMAC-SHA256 (10 000 rounds) of the
//! password and salt gives 80 bytes: the AES-256 key, the HMAC-SHA256 key and the CTR counter
//! block. The HMAC covers the ciphertext; the plaintext is PKCS#7 padded. Version 1.2 differs
//! only by a vault-id label in the header, so it is read too.

use aes::Aes256;
use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{KeyfileError, KeyfileFormat, kdf, pkcs7_pad, random_bytes, strip_pkcs7};

pub(super) const PREFIX: &[u8] = b"$ANSIBLE_VAULT";
const ROUNDS: u32 = 10_000;
const HMAC_LEN: usize = 32;

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// The decoded, not yet authenticated parts of a vault.
pub(super) struct Vault {
    salt: Vec<u8>,
    hmac: Vec<u8>,
    ciphertext: Vec<u8>,
}

fn corrupt(what: &str) -> KeyfileError {
    KeyfileError::Corrupt(format!("its Ansible Vault {what}"))
}

pub(super) fn parse(bytes: &[u8]) -> Result<Vault, KeyfileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| corrupt("text is not ASCII"))?;
    let (header, body) = text.split_once('\n').unwrap_or((text, ""));
    let fields: Vec<&str> = header.trim_end_matches('\r').split(';').collect();
    if fields.first() != Some(&"$ANSIBLE_VAULT") {
        return Err(corrupt("header is malformed"));
    }
    let version = fields.get(1).copied().unwrap_or("");
    let cipher = fields.get(2).copied().unwrap_or("");
    let version_ok =
        (version == "1.1" && fields.len() == 3) || (version == "1.2" && fields.len() == 4);
    if !version_ok || cipher != "AES256" {
        let shown: String = header
            .chars()
            .take(48)
            .map(|c| if c.is_ascii_graphic() { c } else { '?' })
            .collect();
        return Err(KeyfileError::UnsupportedVersion {
            format: KeyfileFormat::Ansible,
            found: format!("header \"{shown}\""),
        });
    }
    let hex_body: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if hex_body.is_empty() {
        return Err(KeyfileError::Truncated);
    }
    if !hex_body.len().is_multiple_of(2) {
        // Hex only comes in pairs; a missing last digit means a cut file.
        return Err(KeyfileError::Truncated);
    }
    let inner = hex::decode(&hex_body).map_err(|_| corrupt("body is not hexadecimal"))?;
    let inner = std::str::from_utf8(&inner).map_err(|_| corrupt("body is not hexadecimal"))?;
    let mut parts = inner.split('\n');
    let (Some(salt), Some(hmac), Some(ciphertext)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(KeyfileError::Truncated);
    };
    if parts.next().is_some() {
        return Err(corrupt("body has more than three parts"));
    }
    let decode = |s: &str, what: &str| hex::decode(s.trim()).map_err(|_| corrupt(what));
    let vault = Vault {
        salt: decode(salt, "salt is not hexadecimal")?,
        hmac: decode(hmac, "HMAC is not hexadecimal")?,
        ciphertext: decode(ciphertext, "ciphertext is not hexadecimal")?,
    };
    if vault.salt.is_empty() {
        return Err(corrupt("salt is empty"));
    }
    if vault.hmac.len() != HMAC_LEN {
        return Err(corrupt("HMAC has the wrong length"));
    }
    if vault.ciphertext.is_empty() {
        return Err(KeyfileError::Truncated);
    }
    if !vault.ciphertext.len().is_multiple_of(16) {
        return Err(corrupt("ciphertext is not a whole number of blocks"));
    }
    Ok(vault)
}

struct Keys {
    derived: Zeroizing<[u8; 80]>,
}

impl Keys {
    fn new(password: &[u8], salt: &[u8]) -> Result<Self, KeyfileError> {
        Ok(Keys {
            derived: kdf::pbkdf2_sha256::<80>(password, salt, ROUNDS)?,
        })
    }
    fn aes(&self) -> &[u8] {
        &self.derived[..32]
    }
    fn mac(&self) -> Result<Hmac<Sha256>, KeyfileError> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.derived[32..64])
            .map_err(|_| KeyfileError::InvalidParameters("HMAC rejected the key".into()))
    }
    fn ctr(&self) -> Result<Aes256Ctr, KeyfileError> {
        Aes256Ctr::new_from_slices(self.aes(), &self.derived[64..80])
            .map_err(|_| KeyfileError::InvalidParameters("AES-CTR rejected the key".into()))
    }
}

pub(super) fn decrypt(bytes: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    let vault = parse(bytes)?;
    let keys = Keys::new(password, &vault.salt)?;
    let mut mac = keys.mac()?;
    mac.update(&vault.ciphertext);
    mac.verify_slice(&vault.hmac)
        .map_err(|_| KeyfileError::WrongPasswordOrDamaged)?;
    let mut buf = Zeroizing::new(vault.ciphertext);
    keys.ctr()?.apply_keystream(&mut buf);
    strip_pkcs7(&mut buf)?;
    Ok(buf)
}

/// Writes a vault the way Ansible does (32-byte salt, body hex wrapped at 80 columns).
pub(super) fn encrypt(plaintext: &[u8], password: &[u8]) -> Result<Vec<u8>, KeyfileError> {
    let salt: [u8; 32] = random_bytes()?;
    let keys = Keys::new(password, &salt)?;
    let mut ciphertext = pkcs7_pad(plaintext);
    keys.ctr()?.apply_keystream(&mut ciphertext);
    let mut mac = keys.mac()?;
    mac.update(&ciphertext);
    let tag = mac.finalize().into_bytes();
    let inner = format!(
        "{}\n{}\n{}",
        hex::encode(salt),
        hex::encode(tag),
        hex::encode(&ciphertext[..])
    );
    let outer = hex::encode(inner.as_bytes());
    let mut out = b"$ANSIBLE_VAULT;1.1;AES256".to_vec();
    for line in outer.as_bytes().chunks(80) {
        out.push(b'\n');
        out.extend_from_slice(line);
    }
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_password() {
        let v = encrypt(b"{\"secretPhrase\": \"x\"}", b"pw").unwrap();
        assert!(v.starts_with(b"$ANSIBLE_VAULT;1.1;AES256\n"));
        assert_eq!(
            &decrypt(&v, b"pw").unwrap()[..],
            b"{\"secretPhrase\": \"x\"}"
        );
        assert_eq!(
            decrypt(&v, b"px").map(|_| ()),
            Err(KeyfileError::WrongPasswordOrDamaged)
        );
    }

    #[test]
    fn tolerates_crlf_and_rewrapping() {
        let v = encrypt(b"data", b"pw").unwrap();
        let text = String::from_utf8(v).unwrap();
        let (head, body) = text.split_once('\n').unwrap();
        let joined: String = body.chars().filter(|c| *c != '\n').collect();
        let rewrapped: Vec<String> = joined
            .as_bytes()
            .chunks(33)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let crlf = format!("{head}\r\n{}\r\n", rewrapped.join("\r\n"));
        assert_eq!(&decrypt(crlf.as_bytes(), b"pw").unwrap()[..], b"data");
    }

    #[test]
    fn rejects_other_versions_and_ciphers() {
        for head in [
            "$ANSIBLE_VAULT;2.0;AES256",
            "$ANSIBLE_VAULT;1.1;AES",
            "$ANSIBLE_VAULT;1.2;AES256",
        ] {
            let v = format!("{head}\n6162\n");
            assert!(matches!(
                parse(v.as_bytes()),
                Err(KeyfileError::UnsupportedVersion { .. })
            ));
        }
        assert!(matches!(
            parse(b"$ANSIBLE_VAULT;1.1;AES256\n"),
            Err(KeyfileError::Truncated)
        ));
    }
}
