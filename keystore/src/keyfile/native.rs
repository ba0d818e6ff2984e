//! taotui's native keyfile format: argon2id + AES-256-GCM, modelled on age.
//!
//! Layout (integers little-endian, 112-byte header then the AEAD output):
//!
//! | offset | size | field                                                         |
//! |-------:|-----:|---------------------------------------------------------------|
//! |      0 |   18 | magic `taotui-keyfile/v1\n`                                   |
//! |     18 |    1 | KDF id: 1 = argon2id v1.3                                     |
//! |     19 |    4 | argon2 memory in KiB                                          |
//! |     23 |    4 | argon2 passes                                                 |
//! |     27 |    4 | argon2 lanes                                                  |
//! |     31 |   32 | random per-file salt                                          |
//! |     63 |    1 | cipher id: 1 = AES-256-GCM                                    |
//! |     64 |   12 | random nonce                                                  |
//! |     76 |    4 | plaintext length                                              |
//! |     80 |   16 | key check: BLAKE2b-128 keyed with the derived key             |
//! |     96 |   16 | header checksum: unkeyed BLAKE2b-128 of bytes 0..96           |
//! |    112 |  n+16| AES-256-GCM ciphertext and tag, all 112 header bytes as AAD   |
//!
//! Each failure has its own cause, in this order: a short file is [`KeyfileError::Truncated`]
//! (the header records the plaintext length, so a cut anywhere is seen); a header that does
//! not match its checksum is [`KeyfileError::Tampered`] (accidental damage never looks like a
//! wrong password); parameters above the [`CostCap`] are [`KeyfileError::CostTooHigh`] before
//! any work; a key check mismatch is [`KeyfileError::WrongPassword`]; an AEAD failure with a
//! correct key check is [`KeyfileError::Tampered`].
//!
//! The checksum is unkeyed on purpose: it detects damage, not attacks. Someone able to write
//! the file can rewrite the header consistently, but then every field still feeds AES-GCM's
//! associated data, so a forged header cannot make a modified file decrypt.
//!
//! There is no lower bound on the parameters when reading. Weak parameters in a file only
//! matter to someone who can write that file, and such an attacker can replace it outright;
//! decrypting reveals nothing about the password to the file's author, and taotui re-encrypts
//! with its own defaults, never with a file's parameters. Callers can read the parameters with
//! [`super::inspect`] and suggest re-encrypting.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::Algorithm;
use blake2::digest::consts::U16;
use blake2::digest::{Digest, Mac};
use blake2::{Blake2b, Blake2bMac};
use zeroize::Zeroizing;

use super::{KeyfileError, KeyfileFormat, kdf, random_bytes};

/// Full magic of version 1; the part before `v` identifies the family for [`super::detect`].
pub const MAGIC: &[u8] = b"taotui-keyfile/v1\n";
const FAMILY: &[u8] = b"taotui-keyfile/";
/// Shortest partial magic still recognised as a (truncated) native file.
const MIN_RECOGNISED_PREFIX: usize = 6;

const KDF_ARGON2ID: u8 = 1;
const CIPHER_AES256GCM: u8 = 1;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const CHECK_LEN: usize = 16;
const TAG_LEN: usize = 16;

const OFF_KDF: usize = MAGIC.len();
const OFF_M: usize = OFF_KDF + 1;
const OFF_T: usize = OFF_M + 4;
const OFF_P: usize = OFF_T + 4;
const OFF_SALT: usize = OFF_P + 4;
const OFF_CIPHER: usize = OFF_SALT + SALT_LEN;
const OFF_NONCE: usize = OFF_CIPHER + 1;
const OFF_LEN: usize = OFF_NONCE + NONCE_LEN;
const OFF_CHECK: usize = OFF_LEN + 4;
const OFF_SUM: usize = OFF_CHECK + CHECK_LEN;
/// Length of the authenticated header.
pub const HEADER_LEN: usize = OFF_SUM + 16;

// BLAKE2b personalisation strings (16 bytes each) keep the two derived values independent.
const PERSONAL_ENC: &[u8; 16] = b"taotui-kf-enc-v1";
const PERSONAL_CHECK: &[u8; 16] = b"taotui-kf-chk-v1";

/// Argon2id cost parameters of a native keyfile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NativeParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for NativeParams {
    /// Tuned so that unlocking takes about 0.5-1 s on a 2-core machine in an optimised build
    /// (argon2 0.5 runs the lanes on one thread, so more lanes would only add time).
    fn default() -> Self {
        NativeParams {
            memory_kib: 256 * 1024,
            iterations: 3,
            parallelism: 1,
        }
    }
}

impl NativeParams {
    /// Cheap parameters for tests only: unlocks in well under a millisecond.
    pub fn for_tests() -> Self {
        NativeParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// The largest key-derivation cost a native file may ask for before any work is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostCap {
    pub max_memory_kib: u32,
    pub max_iterations: u32,
    pub max_parallelism: u32,
}

impl Default for CostCap {
    /// 2 GiB, 32 passes, 16 lanes: far above the defaults, yet still openable on a laptop.
    fn default() -> Self {
        CostCap {
            max_memory_kib: 2 * 1024 * 1024,
            max_iterations: 32,
            max_parallelism: 16,
        }
    }
}

impl CostCap {
    fn check(&self, p: &NativeParams) -> Result<(), KeyfileError> {
        if p.memory_kib > self.max_memory_kib
            || p.iterations > self.max_iterations
            || p.parallelism > self.max_parallelism
        {
            return Err(KeyfileError::CostTooHigh {
                memory_kib: p.memory_kib,
                iterations: p.iterations,
                parallelism: p.parallelism,
                max_memory_kib: self.max_memory_kib,
                max_iterations: self.max_iterations,
                max_parallelism: self.max_parallelism,
            });
        }
        Ok(())
    }
}

/// A parsed and structurally valid native header (nothing in it is secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub params: NativeParams,
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; NONCE_LEN],
    pub plaintext_len: usize,
    pub key_check: [u8; CHECK_LEN],
}

pub(super) fn has_native_prefix(bytes: &[u8]) -> bool {
    bytes.starts_with(FAMILY) || (bytes.len() >= MIN_RECOGNISED_PREFIX && FAMILY.starts_with(bytes))
}

/// Parses and checks everything that can be checked without the password. Pure and cheap:
/// this is what the fuzzer and the property tests hammer.
pub fn parse(bytes: &[u8], cap: &CostCap) -> Result<Header, KeyfileError> {
    check_magic(bytes)?;
    if bytes.len() < HEADER_LEN {
        return Err(KeyfileError::Truncated);
    }
    let expected_sum = header_checksum(&bytes[..OFF_SUM]);
    if bytes[OFF_SUM..HEADER_LEN] != expected_sum[..] {
        return Err(KeyfileError::Tampered);
    }
    if bytes[OFF_KDF] != KDF_ARGON2ID {
        return Err(unsupported(format!("key derivation id {}", bytes[OFF_KDF])));
    }
    if bytes[OFF_CIPHER] != CIPHER_AES256GCM {
        return Err(unsupported(format!("cipher id {}", bytes[OFF_CIPHER])));
    }
    let params = NativeParams {
        memory_kib: read_u32(bytes, OFF_M),
        iterations: read_u32(bytes, OFF_T),
        parallelism: read_u32(bytes, OFF_P),
    };
    cap.check(&params)?;
    kdf::argon2_params(params.memory_kib, params.iterations, params.parallelism).map_err(|_| {
        KeyfileError::Corrupt("its key-derivation parameters are impossible".into())
    })?;
    let plaintext_len = read_u32(bytes, OFF_LEN) as usize;
    let body_len = bytes.len() - HEADER_LEN;
    let expected_body = plaintext_len + TAG_LEN;
    if body_len < expected_body {
        return Err(KeyfileError::Truncated);
    }
    if body_len > expected_body {
        return Err(KeyfileError::Corrupt(format!(
            "{} unexpected bytes follow the encrypted content",
            body_len - expected_body
        )));
    }
    Ok(Header {
        params,
        salt: array_at(bytes, OFF_SALT),
        nonce: array_at(bytes, OFF_NONCE),
        plaintext_len,
        key_check: array_at(bytes, OFF_CHECK),
    })
}

fn check_magic(bytes: &[u8]) -> Result<(), KeyfileError> {
    if bytes.starts_with(MAGIC) {
        return Ok(());
    }
    if MAGIC.starts_with(bytes) {
        return Err(KeyfileError::Truncated);
    }
    if !bytes.starts_with(FAMILY) {
        return Err(KeyfileError::Corrupt("it is not a taotui keyfile".into()));
    }
    // Show the version tag the file claims, limited to a few printable characters.
    let found: String = bytes[FAMILY.len()..]
        .iter()
        .take_while(|b| **b != b'\n')
        .take(16)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect();
    Err(unsupported(format!("version tag \"{found}\"")))
}

fn unsupported(found: String) -> KeyfileError {
    KeyfileError::UnsupportedVersion {
        format: KeyfileFormat::Native,
        found,
    }
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(array_at(bytes, at))
}

/// Copies a fixed-size field; callers have checked `bytes.len() >= HEADER_LEN`.
fn array_at<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

fn header_checksum(header_without_sum: &[u8]) -> [u8; 16] {
    let mut h = Blake2b::<U16>::new();
    h.update(header_without_sum);
    h.finalize().into()
}

struct DerivedKeys {
    encryption: Zeroizing<[u8; 32]>,
    check: [u8; CHECK_LEN],
}

fn derive_keys(
    password: &[u8],
    salt: &[u8],
    params: &NativeParams,
) -> Result<DerivedKeys, KeyfileError> {
    let master = kdf::argon2(
        Algorithm::Argon2id,
        params.memory_kib,
        params.iterations,
        params.parallelism,
        password,
        salt,
    )?;
    let mut encryption = Zeroizing::new([0u8; 32]);
    let enc = personalised_mac::<blake2::digest::consts::U32>(&master, PERSONAL_ENC)?;
    encryption.copy_from_slice(&enc.finalize().into_bytes());
    let check = personalised_mac::<U16>(&master, PERSONAL_CHECK)?
        .finalize()
        .into_bytes()
        .into();
    Ok(DerivedKeys { encryption, check })
}

fn personalised_mac<N>(key: &[u8; 32], personal: &[u8; 16]) -> Result<Blake2bMac<N>, KeyfileError>
where
    N: blake2::digest::generic_array::ArrayLength<u8>
        + blake2::digest::typenum::IsLessOrEqual<blake2::digest::consts::U64>,
    blake2::digest::typenum::LeEq<N, blake2::digest::consts::U64>: blake2::digest::typenum::NonZero,
{
    Blake2bMac::<N>::new_with_salt_and_personal(key, &[], personal)
        .map_err(|_| KeyfileError::InvalidParameters("BLAKE2b rejected the derived key".into()))
}

fn cipher(key: &[u8; 32]) -> Result<Aes256Gcm, KeyfileError> {
    Aes256Gcm::new_from_slice(key)
        .map_err(|_| KeyfileError::InvalidParameters("AES-256-GCM rejected the key".into()))
}

pub(super) fn encrypt(
    plaintext: &[u8],
    password: &[u8],
    params: &NativeParams,
) -> Result<Vec<u8>, KeyfileError> {
    // Refuse to write a file that taotui itself would refuse to open.
    CostCap::default().check(params)?;
    kdf::argon2_params(params.memory_kib, params.iterations, params.parallelism)?;
    let plaintext_len = u32::try_from(plaintext.len()).map_err(|_| {
        KeyfileError::InvalidParameters("the keyfile content is larger than 4 GiB".into())
    })?;
    let salt: [u8; SALT_LEN] = random_bytes()?;
    let nonce: [u8; NONCE_LEN] = random_bytes()?;
    let keys = derive_keys(password, &salt, params)?;

    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.push(KDF_ARGON2ID);
    out.extend_from_slice(&params.memory_kib.to_le_bytes());
    out.extend_from_slice(&params.iterations.to_le_bytes());
    out.extend_from_slice(&params.parallelism.to_le_bytes());
    out.extend_from_slice(&salt);
    out.push(CIPHER_AES256GCM);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&plaintext_len.to_le_bytes());
    out.extend_from_slice(&keys.check);
    let sum = header_checksum(&out);
    out.extend_from_slice(&sum);
    debug_assert_eq!(out.len(), HEADER_LEN);

    // Encrypting in place in a zeroizing buffer keeps the plaintext out of unzeroized copies.
    let mut body = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    body.extend_from_slice(plaintext);
    cipher(&keys.encryption)?
        .encrypt_in_place(Nonce::from_slice(&nonce), &out, &mut *body)
        .map_err(|_| KeyfileError::InvalidParameters("AES-256-GCM refused to encrypt".into()))?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub(super) fn decrypt(
    bytes: &[u8],
    password: &[u8],
    cap: &CostCap,
) -> Result<Zeroizing<Vec<u8>>, KeyfileError> {
    let header = parse(bytes, cap)?;
    let keys = derive_keys(password, &header.salt, &header.params)?;
    if !constant_time_eq(&keys.check, &header.key_check) {
        return Err(KeyfileError::WrongPassword);
    }
    let mut buf = Zeroizing::new(bytes[HEADER_LEN..].to_vec());
    cipher(&keys.encryption)?
        .decrypt_in_place(
            Nonce::from_slice(&header.nonce),
            &bytes[..HEADER_LEN],
            &mut *buf,
        )
        .map_err(|_| KeyfileError::Tampered)?;
    Ok(buf)
}

/// Comparison without an early exit, so timing does not reveal how much of the check matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
