//! bittensor's legacy format: a Fernet token (`gAAAAA...`, URL-safe base64).
//!
//! Token: 0x80 || 8-byte big-endian timestamp || 16-byte IV || AES-128-CBC ciphertext (PKCS#7)
//! || HMAC-SHA256 of everything before it. The 32-byte Fernet key is PBKDF2-HMAC-SHA256 of the
//! password with bittensor's fixed salt and 10 million rounds; bittensor passes it base64
//! encoded and Fernet decodes it again, so the raw PBKDF2 output is the key: its first half
//! signs, its second half encrypts. The timestamp is not checked, as bittensor sets no TTL.

use aes::Aes128;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{KeyfileError, KeyfileFormat, kdf, pkcs7_pad, random_bytes, strip_pkcs7};

pub(super) const PREFIX: &[u8] = b"gAAAAA";
const SALT: &[u8] = b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins";
const ROUNDS: u32 = 10_000_000;
const VERSION: u8 = 0x80;
const HMAC_LEN: usize = 32;
const IV_LEN: usize = 16;
const HEAD_LEN: usize = 1 + 8 + IV_LEN;
/// Version, timestamp, IV, one cipher block and the HMAC.
const MIN_LEN: usize = HEAD_LEN + 16 + HMAC_LEN;

/// URL-safe base64 that accepts tokens with or without their `=` padding.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A decoded, not yet authenticated token.
pub(super) struct Token {
    raw: Vec<u8>,
}

impl Token {
    fn signed(&self) -> &[u8] {
        &self.raw[..self.raw.len() - HMAC_LEN]
    }
    fn hmac(&self) -> &[u8] {
        &self.raw[self.raw.len() - HMAC_LEN..]
    }
    fn iv(&self) -> &[u8] {
        &self.raw[9..HEAD_LEN]
    }
    fn ciphertext(&self) -> &[u8] {
        &self.raw[HEAD_LEN..self.raw.len() - HMAC_LEN]
    }
}

pub(super) fn parse(bytes: &[u8]) -> Result<Token, KeyfileError> {
    let text = bytes.trim_ascii();
    let raw = B64.decode(text).map_err(|_| {
        KeyfileError::Corrupt("its Fernet token is not valid URL-safe base64".into())
    })?;
    if raw.first() != Some(&VERSION) {
        return Err(KeyfileError::UnsupportedVersion {
            format: KeyfileFormat::Fernet,
            found: format!("version byte {:#04x}", raw.first().copied().unwrap_or(0)),
        });
    }
    if raw.len() < MIN_LEN {
        return Err(KeyfileError::Truncated);
    }
    if !(raw.len() - HEAD_LEN - HMAC_LEN).is_multiple_of(16) {
        return Err(KeyfileError::Corrupt(
            "its Fernet ciphertext is not a whole number of blocks".into(),
        ));
    }
    Ok(Token { raw })
}

fn derive_key(password: &[u8], rounds: u32) -> Result<Zeroizing<[u8; 32]>, KeyfileError> {
    kdf::pbkdf2_sha256::<32>(password, SALT, rounds)
}

fn mac(key: &[u8; 32]) -> Result<Hmac<Sha256>, KeyfileError> {
    <Hmac<Sha256> as Mac>::new_from_slice(&key[..16])
        .map_err(|_| KeyfileError::InvalidParameters("HMAC rejected the key".into()))
}

pub(super) fn decrypt(bytes: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    decrypt_with_rounds(bytes, password, ROUNDS)
}

fn decrypt_with_rounds(
    bytes: &[u8],
    password: &[u8],
    rounds: u32,
) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    let token = parse(bytes)?;
    let key = derive_key(password, rounds)?;
    let mut m = mac(&key)?;
    m.update(token.signed());
    m.verify_slice(token.hmac())
        .map_err(|_| KeyfileError::WrongPasswordOrDamaged)?;
    let mut buf = Zeroizing::new(token.ciphertext().to_vec());
    cbc::Decryptor::<Aes128>::new_from_slices(&key[16..], token.iv())
        .map_err(|_| KeyfileError::InvalidParameters("AES-CBC rejected the key".into()))?
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|_| KeyfileError::Corrupt("its Fernet ciphertext is malformed".into()))?;
    strip_pkcs7(&mut buf)?;
    Ok(buf)
}

pub(super) fn encrypt(plaintext: &[u8], password: &[u8]) -> Result<Vec<u8>, KeyfileError> {
    encrypt_with_rounds(plaintext, password, ROUNDS)
}

fn encrypt_with_rounds(
    plaintext: &[u8],
    password: &[u8],
    rounds: u32,
) -> Result<Vec<u8>, KeyfileError> {
    let key = derive_key(password, rounds)?;
    let iv: [u8; IV_LEN] = random_bytes()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut body = pkcs7_pad(plaintext);
    let len = body.len();
    cbc::Encryptor::<Aes128>::new_from_slices(&key[16..], &iv)
        .map_err(|_| KeyfileError::InvalidParameters("AES-CBC rejected the key".into()))?
        .encrypt_padded_mut::<NoPadding>(&mut body, len)
        .map_err(|_| KeyfileError::InvalidParameters("AES-CBC refused to encrypt".into()))?;
    let mut raw = vec![VERSION];
    raw.extend_from_slice(&now.to_be_bytes());
    raw.extend_from_slice(&iv);
    raw.extend_from_slice(&body);
    let mut m = mac(&key)?;
    m.update(&raw);
    raw.extend_from_slice(&m.finalize().into_bytes());
    Ok(B64.encode(raw).into_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    // 10 million rounds take seconds; the token layout is tested with 1 000.
    const CHEAP: u32 = 1_000;

    #[test]
    fn round_trip_and_layout() {
        let t = encrypt_with_rounds(b"{\"a\": 1}", b"pw", CHEAP).unwrap();
        assert!(t.starts_with(PREFIX));
        assert_eq!(
            &decrypt_with_rounds(&t, b"pw", CHEAP).unwrap()[..],
            b"{\"a\": 1}"
        );
        assert_eq!(
            decrypt_with_rounds(&t, b"pX", CHEAP).map(|_| ()),
            Err(KeyfileError::WrongPasswordOrDamaged)
        );
        // Trailing newline (as a text editor leaves it) and missing padding are accepted.
        let mut with_nl = t.clone();
        with_nl.push(b'\n');
        assert!(decrypt_with_rounds(&with_nl, b"pw", CHEAP).is_ok());
        let unpadded: Vec<u8> = t.iter().copied().filter(|b| *b != b'=').collect();
        assert!(decrypt_with_rounds(&unpadded, b"pw", CHEAP).is_ok());
    }

    #[test]
    fn every_flipped_byte_is_rejected() {
        let t = encrypt_with_rounds(b"secret", b"pw", CHEAP).unwrap();
        let raw = B64.decode(&t).unwrap();
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            let enc = B64.encode(&bad);
            assert!(
                decrypt_with_rounds(enc.as_bytes(), b"pw", CHEAP).is_err(),
                "byte {i}"
            );
        }
    }

    #[test]
    fn structure_errors() {
        assert!(matches!(parse(b"gAAAAA"), Err(KeyfileError::Truncated)));
        assert!(matches!(parse(b"gAAAAA!!"), Err(KeyfileError::Corrupt(_))));
        let t = encrypt_with_rounds(b"x", b"pw", CHEAP).unwrap();
        assert!(matches!(
            parse(&t[..t.len() - 8]),
            Err(KeyfileError::Truncated) | Err(KeyfileError::Corrupt(_))
        ));
    }
}
