//! Encrypted keyfile formats, on bytes only (paths and JSON live elsewhere).
//!
//! Formats are told apart by their prefix:
//! - [`KeyfileFormat::Native`]: taotui's own format (argon2id + AES-256-GCM, see [`native`]),
//!   the default for new keys;
//! - [`KeyfileFormat::Nacl`]: `$NACL`, what btcli / bittensor-wallet write today (read and write);
//! - [`KeyfileFormat::Ansible`]: `$ANSIBLE_VAULT;1.1;AES256`, older bittensor (read only);
//! - [`KeyfileFormat::Fernet`]: `gAAAAA...`, the oldest bittensor format (read only);
//! - [`KeyfileFormat::Plain`]: anything else, i.e. unencrypted keyfile JSON.
//!
//! Every reader first checks the structure of the file ([`inspect`]) and only then runs the
//! expensive key derivation, so damaged or hostile files are rejected without burning seconds
//! of CPU or gigabytes of memory.

mod ansible;
mod error;
mod fernet;
mod kdf;
mod nacl;
pub mod native;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

pub use error::KeyfileError;
pub use native::{CostCap, NativeParams};

/// The on-disk format of a keyfile, recognised by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyfileFormat {
    Native,
    Nacl,
    Ansible,
    Fernet,
    Plain,
}

impl fmt::Display for KeyfileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyfileFormat::Native => "native",
            KeyfileFormat::Nacl => "nacl",
            KeyfileFormat::Ansible => "ansible",
            KeyfileFormat::Fernet => "fernet",
            KeyfileFormat::Plain => "plain",
        })
    }
}

/// The format a new keyfile is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteFormat {
    Native(NativeParams),
    /// btcli-compatible `$NACL` (fixed Argon2i parameters chosen by libsodium/btcli).
    Nacl,
}

/// What can be learnt from a keyfile without the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyfileInfo {
    pub format: KeyfileFormat,
    /// The key-derivation parameters, for native files (lets callers suggest re-encrypting
    /// files written with weak parameters).
    pub native_params: Option<NativeParams>,
}

/// Recognises the format by prefix; anything unknown is [`KeyfileFormat::Plain`].
pub fn detect(bytes: &[u8]) -> KeyfileFormat {
    if native::has_native_prefix(bytes) {
        KeyfileFormat::Native
    } else if bytes.starts_with(nacl::PREFIX) {
        KeyfileFormat::Nacl
    } else if bytes.starts_with(ansible::PREFIX) {
        KeyfileFormat::Ansible
    } else if bytes.starts_with(fernet::PREFIX) {
        KeyfileFormat::Fernet
    } else {
        KeyfileFormat::Plain
    }
}

/// True when the bytes are in one of the encrypted formats.
pub fn is_encrypted(bytes: &[u8]) -> bool {
    detect(bytes) != KeyfileFormat::Plain
}

/// Checks the structure of a keyfile without the password and without any key derivation.
///
/// A file that passes can still fail to decrypt (wrong password, modified ciphertext); a file
/// that fails here fails [`decrypt`] with the same error.
pub fn inspect(bytes: &[u8]) -> Result<KeyfileInfo, KeyfileError> {
    inspect_with_cap(bytes, &CostCap::default())
}

/// [`inspect`] with a caller-chosen cost cap (fuzzing and tests use a tiny one).
#[doc(hidden)]
pub fn inspect_with_cap(bytes: &[u8], cap: &CostCap) -> Result<KeyfileInfo, KeyfileError> {
    let format = detect(bytes);
    let mut native_params = None;
    match format {
        KeyfileFormat::Native => native_params = Some(native::parse(bytes, cap)?.params),
        KeyfileFormat::Nacl => {
            nacl::parse(bytes)?;
        }
        KeyfileFormat::Ansible => {
            ansible::parse(bytes)?;
        }
        KeyfileFormat::Fernet => {
            fernet::parse(bytes)?;
        }
        KeyfileFormat::Plain => {}
    }
    Ok(KeyfileInfo {
        format,
        native_params,
    })
}

/// Decrypts a keyfile in any supported encrypted format.
///
/// Plain input gives [`KeyfileError::NotEncrypted`]. The password is used as its raw UTF-8
/// bytes, as btcli does.
pub fn decrypt(bytes: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    decrypt_with_cap(bytes, password, &CostCap::default())
}

/// [`decrypt`] with a caller-chosen cost cap for native files (fuzzing uses a tiny one).
#[doc(hidden)]
pub fn decrypt_with_cap(
    bytes: &[u8],
    password: &SecretString,
    cap: &CostCap,
) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    let password = password.expose_secret().as_bytes();
    match detect(bytes) {
        KeyfileFormat::Native => native::decrypt(bytes, password, cap),
        KeyfileFormat::Nacl => nacl::decrypt(bytes, password),
        KeyfileFormat::Ansible => ansible::decrypt(bytes, password),
        KeyfileFormat::Fernet => fernet::decrypt(bytes, password),
        KeyfileFormat::Plain => Err(KeyfileError::NotEncrypted),
    }
}

/// Encrypts keyfile plaintext (the keyfile JSON) for writing.
pub fn encrypt(
    plaintext: &[u8],
    password: &SecretString,
    format: WriteFormat,
) -> Result<Vec<u8>, KeyfileError> {
    let password = password.expose_secret().as_bytes();
    match format {
        WriteFormat::Native(params) => native::encrypt(plaintext, password, &params),
        WriteFormat::Nacl => nacl::encrypt(plaintext, password),
    }
}

/// Writes an Ansible Vault 1.1 file. taotui never writes this format; tests use it to check
/// the reader against the writer's layout.
#[doc(hidden)]
pub fn encrypt_ansible_for_tests(
    plaintext: &[u8],
    password: &SecretString,
) -> Result<Vec<u8>, KeyfileError> {
    ansible::encrypt(plaintext, password.expose_secret().as_bytes())
}

/// Writes a bittensor legacy Fernet token (10 million PBKDF2 rounds: seconds). taotui never
/// writes this format; tests use it for round trips.
#[doc(hidden)]
pub fn encrypt_fernet_for_tests(
    plaintext: &[u8],
    password: &SecretString,
) -> Result<Vec<u8>, KeyfileError> {
    fernet::encrypt(plaintext, password.expose_secret().as_bytes())
}

fn random_bytes<const N: usize>() -> Result<[u8; N], KeyfileError> {
    use rand::RngCore;
    let mut out = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut out)
        .map_err(|_| KeyfileError::RandomUnavailable)?;
    Ok(out)
}

/// Removes PKCS#7 padding (block size 16) in place; both CBC (Fernet) and CTR (Ansible) files use it.
fn strip_pkcs7(buf: &mut Zeroizing<Vec<u8>>) -> Result<(), KeyfileError> {
    let bad = || KeyfileError::Corrupt("the decrypted content has invalid padding".into());
    let pad = usize::from(*buf.last().ok_or_else(bad)?);
    if pad == 0 || pad > 16 || pad > buf.len() {
        return Err(bad());
    }
    let start = buf.len() - pad;
    if buf[start..].iter().any(|&b| usize::from(b) != pad) {
        return Err(bad());
    }
    buf.truncate(start);
    Ok(())
}

fn pkcs7_pad(plaintext: &[u8]) -> Zeroizing<Vec<u8>> {
    let pad = 16 - plaintext.len() % 16;
    let mut out = Zeroizing::new(Vec::with_capacity(plaintext.len() + pad));
    out.extend_from_slice(plaintext);
    // pad is 1..=16, so the cast cannot truncate.
    out.resize(plaintext.len() + pad, pad as u8);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn detect_by_prefix() {
        assert_eq!(detect(b"$NACL\x00\x01"), KeyfileFormat::Nacl);
        assert_eq!(
            detect(b"$ANSIBLE_VAULT;1.1;AES256\n61"),
            KeyfileFormat::Ansible
        );
        assert_eq!(detect(b"gAAAAABkxyz"), KeyfileFormat::Fernet);
        assert_eq!(detect(native::MAGIC), KeyfileFormat::Native);
        assert_eq!(detect(b"{\"accountId\": null}"), KeyfileFormat::Plain);
        assert_eq!(detect(b"\"0x1234\""), KeyfileFormat::Plain);
        assert_eq!(detect(b""), KeyfileFormat::Plain);
        assert_eq!(detect(b"$NAC"), KeyfileFormat::Plain);
        assert!(!is_encrypted(b"{}"));
        assert!(is_encrypted(b"$NACL"));
    }

    #[test]
    fn native_magic_collides_with_no_btcli_prefix() {
        for other in [&b"$NACL"[..], b"$ANSIBLE_VAULT", b"gAAAAA", b"{", b"\""] {
            assert!(!native::MAGIC.starts_with(&other[..1]));
        }
    }

    #[test]
    fn display_names() {
        let names: Vec<String> = [
            KeyfileFormat::Native,
            KeyfileFormat::Nacl,
            KeyfileFormat::Ansible,
            KeyfileFormat::Fernet,
            KeyfileFormat::Plain,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(names, ["native", "nacl", "ansible", "fernet", "plain"]);
    }

    #[test]
    fn plain_is_not_encrypted() {
        let pw = SecretString::from("pw");
        assert_eq!(
            decrypt(b"{\"a\":1}", &pw).map(|_| ()),
            Err(KeyfileError::NotEncrypted)
        );
    }

    #[test]
    fn pkcs7_round_trip_and_rejects() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut padded = pkcs7_pad(&data);
            assert_eq!(padded.len() % 16, 0);
            strip_pkcs7(&mut padded).unwrap();
            assert_eq!(&padded[..], &data[..]);
        }
        let mut bad = Zeroizing::new(vec![1u8, 2, 3, 0]);
        assert!(strip_pkcs7(&mut bad).is_err());
        let mut bad = Zeroizing::new(vec![17u8; 32]);
        assert!(strip_pkcs7(&mut bad).is_err());
        let mut bad = Zeroizing::new(vec![3u8, 2, 3, 3]);
        assert!(strip_pkcs7(&mut bad).is_err());
        let mut empty = Zeroizing::new(Vec::new());
        assert!(strip_pkcs7(&mut empty).is_err());
    }
}
