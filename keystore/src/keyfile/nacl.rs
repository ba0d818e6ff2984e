//! btcli's `$NACL` format: `$NACL` || 24-byte nonce || NaCl secretbox (tag first).
//!
//! The key is Argon2i v1.3 with libsodium's "sensitive" limits (8 passes, 512 MiB, one lane)
//! over the raw UTF-8 password and a salt fixed by bittensor-wallet, computed by libsodium as
//! bittensor-wallet does (see `kdf::argon2i_libsodium` for why). The format has a single
//! Poly1305 check, so a wrong password cannot be told apart from a damaged file.

use xsalsa20poly1305::aead::{AeadInPlace, KeyInit};
use xsalsa20poly1305::{Nonce, XSalsa20Poly1305};
use zeroize::Zeroizing;

use super::{KeyfileError, kdf, random_bytes};

pub(super) const PREFIX: &[u8] = b"$NACL";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// bittensor-wallet's fixed salt (not secret; the format has no per-file salt).
pub const SALT: [u8; 16] = [
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
];
/// libsodium `crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE`.
pub const ITERATIONS: u32 = 8;
/// libsodium `crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE` (512 MiB) in KiB.
pub const MEMORY_KIB: u32 = 512 * 1024;

/// The nonce and the sealed box (tag then ciphertext).
pub(super) struct Sealed<'a> {
    nonce: &'a [u8],
    sealed: &'a [u8],
}

pub(super) fn parse(bytes: &[u8]) -> Result<Sealed<'_>, KeyfileError> {
    let rest = bytes
        .strip_prefix(PREFIX)
        .ok_or_else(|| KeyfileError::Corrupt("it is not a $NACL keyfile".into()))?;
    // Even an empty plaintext leaves a nonce and a tag.
    if rest.len() < NONCE_LEN + TAG_LEN {
        return Err(KeyfileError::Truncated);
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    Ok(Sealed { nonce, sealed })
}

fn derive_key(password: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyfileError> {
    kdf::argon2i_libsodium(MEMORY_KIB, ITERATIONS, password, &SALT)
}

fn cipher(key: &[u8; 32]) -> Result<XSalsa20Poly1305, KeyfileError> {
    XSalsa20Poly1305::new_from_slice(key)
        .map_err(|_| KeyfileError::InvalidParameters("XSalsa20-Poly1305 rejected the key".into()))
}

pub(super) fn decrypt(bytes: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    let sealed = parse(bytes)?;
    let key = derive_key(password)?;
    open(&sealed, &key)
}

fn open(sealed: &Sealed<'_>, key: &[u8; 32]) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    let mut buf = Zeroizing::new(sealed.sealed.to_vec());
    cipher(key)?
        .decrypt_in_place(Nonce::from_slice(sealed.nonce), b"", &mut *buf)
        .map_err(|_| KeyfileError::WrongPasswordOrDamaged)?;
    Ok(buf)
}

pub(super) fn encrypt(plaintext: &[u8], password: &[u8]) -> Result<Vec<u8>, KeyfileError> {
    let key = derive_key(password)?;
    seal(plaintext, &key, &random_bytes::<NONCE_LEN>()?)
}

fn seal(
    plaintext: &[u8],
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
) -> Result<Vec<u8>, KeyfileError> {
    let mut body = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    body.extend_from_slice(plaintext);
    cipher(key)?
        .encrypt_in_place(Nonce::from_slice(nonce), b"", &mut *body)
        .map_err(|_| {
            KeyfileError::InvalidParameters("XSalsa20-Poly1305 refused to encrypt".into())
        })?;
    let mut out = Vec::with_capacity(PREFIX.len() + NONCE_LEN + body.len());
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    // The real KDF costs seconds; these tests exercise the envelope with a fixed key.
    const KEY: [u8; 32] = [7u8; 32];

    #[test]
    fn envelope_round_trip_and_layout() {
        let nonce = [9u8; NONCE_LEN];
        let out = seal(b"hello", &KEY, &nonce).unwrap();
        assert!(out.starts_with(PREFIX));
        assert_eq!(&out[5..29], &nonce);
        assert_eq!(out.len(), 5 + 24 + 16 + 5);
        let parsed = parse(&out).unwrap();
        assert_eq!(&open(&parsed, &KEY).unwrap()[..], b"hello");
        assert_eq!(
            open(&parsed, &[8u8; 32]).map(|_| ()),
            Err(KeyfileError::WrongPasswordOrDamaged)
        );
    }

    #[test]
    fn tag_comes_first() {
        // With a zero-length plaintext the sealed part is exactly the tag.
        let out = seal(b"", &KEY, &[1u8; NONCE_LEN]).unwrap();
        assert_eq!(out.len(), 5 + 24 + 16);
        // NaCl XORs the plaintext with the keystream from byte 32 on, so an all-zero plaintext
        // shows the keystream. With the tag first, bytes 45..61 are keystream in both a 16- and
        // a 32-byte message; with the tag last they would be the tag in the shorter one.
        let long = seal(&[0u8; 32], &KEY, &[1u8; NONCE_LEN]).unwrap();
        let short = seal(&[0u8; 16], &KEY, &[1u8; NONCE_LEN]).unwrap();
        assert_eq!(&long[45..61], &short[45..61]);
    }

    #[test]
    fn short_inputs_are_truncated() {
        for len in 0..(5 + NONCE_LEN + TAG_LEN) {
            let mut v = PREFIX.to_vec();
            v.resize(len.max(5), 0);
            assert!(matches!(parse(&v), Err(KeyfileError::Truncated)));
        }
    }
}
