//! Keypairs with Substrate semantics (what subkey, polkadot.js and bittensor-wallet do).
//!
//! The mini-secret of a phrase is the first 32 bytes of PBKDF2-HMAC-SHA512 keyed by the
//! phrase's *entropy* with salt "mnemonic" + password, 2048 rounds; sr25519 expands it in
//! Ed25519 mode, ed25519 uses it as the seed. PBKDF2 runs here (not inside sp-core) so the
//! intermediate values stay in zeroizing buffers; sp-core does the curve work and derivation.

use std::fmt;
use std::str::FromStr;

use hmac::Hmac;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha512;
use sp_core::crypto::{DEV_PHRASE, DeriveJunction, Pair as _};
use sp_core::{ed25519, sr25519};
use zeroize::{Zeroize, Zeroizing};

use crate::mnemonic::{Mnemonic, MnemonicError};
use crate::ss58;

const PBKDF2_ROUNDS: u32 = 2048;
const SEED_LEN: usize = 32;

type Seed = SecretBox<[u8; 32]>;

/// Signature scheme; the numbers are btcli's `cryptoType` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoType {
    Ed25519 = 0,
    Sr25519 = 1,
}

impl CryptoType {
    /// btcli's `cryptoType` number.
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

/// A `cryptoType` or scheme name that taotui does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key type; use sr25519 (cryptoType 1) or ed25519 (cryptoType 0)")]
pub struct UnknownCryptoType;

impl TryFrom<u8> for CryptoType {
    type Error = UnknownCryptoType;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            0 => Ok(CryptoType::Ed25519),
            1 => Ok(CryptoType::Sr25519),
            _ => Err(UnknownCryptoType),
        }
    }
}

impl fmt::Display for CryptoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CryptoType::Ed25519 => "ed25519",
            CryptoType::Sr25519 => "sr25519",
        })
    }
}

impl FromStr for CryptoType {
    type Err = UnknownCryptoType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sr25519" => Ok(CryptoType::Sr25519),
            "ed25519" => Ok(CryptoType::Ed25519),
            _ => Err(UnknownCryptoType),
        }
    }
}

/// Why a key could not be made. Messages never contain the secret or the URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeriveError {
    #[error(
        "the secret URI is empty; give a recovery phrase, a 0x hex seed or a path such as //Alice"
    )]
    Empty,
    #[error("the recovery phrase is not valid: {0}")]
    InvalidPhrase(#[from] MnemonicError),
    #[error("a hex seed must be 0x followed by exactly 64 hex digits (32 bytes)")]
    InvalidSeed,
    #[error(
        "the derivation path is malformed: every junction needs a name after / (soft) or // (hard), e.g. //hotkey/0, and a password follows ///"
    )]
    InvalidPath,
    #[error(
        "ed25519 keys only support hard derivation (//name); soft junctions (/name) need sr25519"
    )]
    SoftJunctionForEd25519,
    #[error("the private key is not valid: {reason}")]
    InvalidPrivateKey { reason: &'static str },
}

#[derive(Clone)]
enum Inner {
    // Boxed: both pairs are hundreds of bytes, and moving a box copies no secret material.
    Sr25519(Box<sr25519::Pair>),
    Ed25519(Box<ed25519::Pair>),
}

/// A signing keypair plus, when known, the phrase and mini-secret it came from.
pub struct Keypair {
    inner: Inner,
    phrase: Option<SecretString>,
    seed: Option<SecretBox<[u8; 32]>>,
}

impl Clone for Keypair {
    fn clone(&self) -> Self {
        Keypair {
            inner: self.inner.clone(),
            phrase: self.phrase.clone(),
            seed: self.seed.as_ref().map(copy_seed),
        }
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keypair")
            .field("crypto_type", &self.crypto_type())
            .field("ss58", &self.ss58())
            .finish_non_exhaustive()
    }
}

fn copy_seed(seed: &SecretBox<[u8; 32]>) -> SecretBox<[u8; 32]> {
    SecretBox::new(Box::new(*seed.expose_secret()))
}

/// Substrate's mini-secret: PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password, 2048)[..32].
pub fn mini_secret(entropy: &[u8], password: Option<&str>) -> SecretBox<[u8; 32]> {
    let password = password.unwrap_or("");
    let mut salt = Zeroizing::new(Vec::with_capacity(8 + password.len()));
    salt.extend_from_slice(b"mnemonic");
    salt.extend_from_slice(password.as_bytes());
    let mut out = Zeroizing::new([0u8; 64]);
    // Output length 64 is always valid for HMAC-SHA512, so this cannot fail.
    let _ = pbkdf2::pbkdf2::<Hmac<Sha512>>(entropy, &salt, PBKDF2_ROUNDS, &mut out[..]);
    let mut seed = SecretBox::new(Box::new([0u8; SEED_LEN]));
    secrecy::ExposeSecretMut::expose_secret_mut(&mut seed).copy_from_slice(&out[..SEED_LEN]);
    seed
}

fn inner_from_seed(seed: &[u8; 32], scheme: CryptoType) -> Inner {
    match scheme {
        CryptoType::Sr25519 => Inner::Sr25519(Box::new(sr25519::Pair::from_seed(seed))),
        CryptoType::Ed25519 => Inner::Ed25519(Box::new(ed25519::Pair::from_seed(seed))),
    }
}

/// The parts of a secret URI: `phrase//hard/soft///password`.
struct SecretUriParts<'a> {
    phrase: &'a str,
    junctions: Vec<DeriveJunction>,
    password: Option<&'a str>,
}

fn split_suri(suri: &str) -> Result<SecretUriParts<'_>, DeriveError> {
    let (phrase, mut rest) = match suri.find('/') {
        Some(i) => suri.split_at(i),
        None => (suri, ""),
    };
    let mut junctions = Vec::new();
    let mut password = None;
    while !rest.is_empty() {
        if let Some(pw) = rest.strip_prefix("///") {
            password = Some(pw);
            break;
        }
        let (hard, body) = match rest.strip_prefix("//") {
            Some(body) => (true, body),
            None => (
                false,
                rest.strip_prefix('/').ok_or(DeriveError::InvalidPath)?,
            ),
        };
        let end = body.find('/').unwrap_or(body.len());
        let (name, tail) = body.split_at(end);
        if name.is_empty() {
            return Err(DeriveError::InvalidPath);
        }
        let junction = DeriveJunction::from(name);
        junctions.push(if hard { junction.harden() } else { junction });
        rest = tail;
    }
    Ok(SecretUriParts {
        phrase: phrase.trim(),
        junctions,
        password,
    })
}

fn parse_hex_seed(hex_digits: &str) -> Result<SecretBox<[u8; 32]>, DeriveError> {
    let mut seed = SecretBox::new(Box::new([0u8; SEED_LEN]));
    hex::decode_to_slice(
        hex_digits,
        &mut secrecy::ExposeSecretMut::expose_secret_mut(&mut seed)[..],
    )
    .map_err(|_| DeriveError::InvalidSeed)?;
    Ok(seed)
}

impl Keypair {
    /// The root key of a phrase (no derivation path), with an optional BIP39-style password.
    pub fn from_mnemonic(
        mnemonic: &Mnemonic,
        password: Option<&SecretString>,
        scheme: CryptoType,
    ) -> Keypair {
        let password = password
            .map(|p| p.expose_secret())
            .filter(|p| !p.is_empty());
        let seed = mini_secret(&mnemonic.entropy(), password);
        let inner = inner_from_seed(seed.expose_secret(), scheme);
        // With a password the phrase alone no longer recreates the key, so it is not kept.
        let phrase = password
            .is_none()
            .then(|| SecretString::from(mnemonic.phrase()));
        Keypair {
            inner,
            phrase,
            seed: Some(seed),
        }
    }

    /// A key from a secret URI as subkey reads it: `phrase//hard/soft///password`, `0x<seed>`
    /// with optional path, or a bare path such as `//Alice` (applied to the dev phrase).
    pub fn from_suri(suri: &SecretString, scheme: CryptoType) -> Result<Keypair, DeriveError> {
        let suri = suri.expose_secret();
        if suri.trim().is_empty() {
            return Err(DeriveError::Empty);
        }
        let parts = split_suri(suri)?;
        let password = parts.password.filter(|p| !p.is_empty());
        let (root_seed, mnemonic) = if parts.phrase.is_empty() {
            let m = Mnemonic::parse(DEV_PHRASE)?;
            (mini_secret(&m.entropy(), password), Some(m))
        } else if let Some(hex_digits) = parts.phrase.strip_prefix("0x") {
            // As in subkey, a password has no effect on a raw seed.
            (parse_hex_seed(hex_digits)?, None)
        } else {
            let m = Mnemonic::parse(parts.phrase)?;
            (mini_secret(&m.entropy(), password), Some(m))
        };
        let root = inner_from_seed(root_seed.expose_secret(), scheme);
        let no_path = parts.junctions.is_empty();
        let (inner, seed) = if no_path {
            (root, Some(root_seed))
        } else {
            derive_path(&root, &parts.junctions, &root_seed)?
        };
        let phrase = match mnemonic {
            Some(m) if no_path && password.is_none() && !parts.phrase.is_empty() => {
                Some(SecretString::from(m.phrase()))
            }
            _ => None,
        };
        Ok(Keypair {
            inner,
            phrase,
            seed,
        })
    }

    /// A root key from a 32-byte mini-secret (btcli's `secretSeed`).
    pub fn from_seed(seed: &[u8; 32], scheme: CryptoType) -> Keypair {
        Keypair {
            inner: inner_from_seed(seed, scheme),
            phrase: None,
            seed: Some(SecretBox::new(Box::new(*seed))),
        }
    }

    /// A key from btcli's `privateKey`: for sr25519 the 64 bytes of `sr25519::Pair::to_raw_vec`
    /// (canonical scalar || nonce); for ed25519 a 32-byte seed or 64-byte seed || public key.
    pub fn from_private_key(bytes: &[u8], scheme: CryptoType) -> Result<Keypair, DeriveError> {
        match scheme {
            CryptoType::Sr25519 => {
                if bytes.len() != 64 {
                    return Err(DeriveError::InvalidPrivateKey {
                        reason: "an sr25519 private key is 64 bytes",
                    });
                }
                let pair = sr25519::Pair::from_seed_slice(bytes).map_err(|_| {
                    DeriveError::InvalidPrivateKey {
                        reason: "its scalar is not canonical; the bytes are corrupt or in another layout",
                    }
                })?;
                Ok(Keypair {
                    inner: Inner::Sr25519(Box::new(pair)),
                    phrase: None,
                    seed: None,
                })
            }
            CryptoType::Ed25519 => {
                if bytes.len() != 32 && bytes.len() != 64 {
                    return Err(DeriveError::InvalidPrivateKey {
                        reason: "an ed25519 private key is a 32-byte seed or 64 bytes of seed and public key",
                    });
                }
                let mut seed = Zeroizing::new([0u8; SEED_LEN]);
                seed.copy_from_slice(&bytes[..SEED_LEN]);
                let keypair = Keypair::from_seed(&seed, CryptoType::Ed25519);
                if bytes.len() == 64 && keypair.public_key()[..] != bytes[SEED_LEN..] {
                    return Err(DeriveError::InvalidPrivateKey {
                        reason: "its second half is not the public key of its seed",
                    });
                }
                Ok(keypair)
            }
        }
    }

    /// An sr25519 key from the 64-byte layout polkadot.js and py-sr25519-bindings export
    /// (schnorrkel `to_ed25519_bytes`: scalar multiplied by the cofactor 8, then the nonce).
    pub fn from_sr25519_ed25519_bytes(bytes: &[u8]) -> Result<Keypair, DeriveError> {
        if bytes.len() != 64 {
            return Err(DeriveError::InvalidPrivateKey {
                reason: "an sr25519 private key is 64 bytes",
            });
        }
        let mut canonical = Zeroizing::new([0u8; 64]);
        canonical.copy_from_slice(bytes);
        // Dividing the little-endian 256-bit scalar by 8 is a right shift by three bits.
        let mut low = 0u8;
        for i in (0..32).rev() {
            let byte = canonical[i];
            canonical[i] = (byte >> 3) | (low << 5);
            low = byte & 0b111;
        }
        low.zeroize();
        Keypair::from_private_key(&canonical[..], CryptoType::Sr25519)
    }

    pub fn crypto_type(&self) -> CryptoType {
        match self.inner {
            Inner::Sr25519(_) => CryptoType::Sr25519,
            Inner::Ed25519(_) => CryptoType::Ed25519,
        }
    }

    pub fn public_key(&self) -> [u8; 32] {
        match &self.inner {
            Inner::Sr25519(p) => p.public().0,
            Inner::Ed25519(p) => p.public().0,
        }
    }

    /// SS58 address with the generic prefix 42 that Bittensor uses.
    pub fn ss58(&self) -> String {
        ss58::encode(&self.public_key(), ss58::DEFAULT_PREFIX)
    }

    pub fn ss58_with_prefix(&self, prefix: u16) -> String {
        ss58::encode(&self.public_key(), prefix)
    }

    /// Signs `message` (sr25519 with the "substrate" signing context, as every Substrate chain).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        match &self.inner {
            Inner::Sr25519(p) => p.sign(message).0,
            Inner::Ed25519(p) => p.sign(message).0,
        }
    }

    /// btcli's `privateKey`: sr25519 `to_raw_vec` (scalar || nonce); ed25519 the 32-byte seed.
    pub fn private_key(&self) -> Zeroizing<Vec<u8>> {
        match &self.inner {
            Inner::Sr25519(p) => Zeroizing::new(p.to_raw_vec()),
            // bittensor-wallet writes and accepts only the 32-byte seed for ed25519 keys.
            Inner::Ed25519(p) => {
                let mut seed = p.seed();
                let out = Zeroizing::new(seed.to_vec());
                seed.zeroize();
                out
            }
        }
    }

    /// The recovery phrase, only when it alone recreates this exact key (no path, no password).
    pub fn phrase(&self) -> Option<&SecretString> {
        self.phrase.as_ref()
    }

    /// The 32-byte mini-secret when known (phrase or seed roots, and hard-only paths).
    pub fn seed(&self) -> Option<&SecretBox<[u8; 32]>> {
        self.seed.as_ref()
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        verify(self.crypto_type(), &self.public_key(), message, signature)
    }
}

fn derive_path(
    root: &Inner,
    junctions: &[DeriveJunction],
    root_seed: &SecretBox<[u8; 32]>,
) -> Result<(Inner, Option<Seed>), DeriveError> {
    let seed_in = Some(*root_seed.expose_secret());
    match root {
        Inner::Sr25519(pair) => {
            let (child, seed) = pair
                .derive(junctions.iter().cloned(), seed_in)
                .map_err(|_| DeriveError::InvalidPath)?;
            Ok((
                Inner::Sr25519(Box::new(child)),
                seed.map(|s| SecretBox::new(Box::new(s))),
            ))
        }
        Inner::Ed25519(pair) => {
            if junctions.iter().any(DeriveJunction::is_soft) {
                return Err(DeriveError::SoftJunctionForEd25519);
            }
            let (child, seed) = pair
                .derive(junctions.iter().cloned(), seed_in)
                .map_err(|_| DeriveError::InvalidPath)?;
            Ok((
                Inner::Ed25519(Box::new(child)),
                seed.map(|s| SecretBox::new(Box::new(s))),
            ))
        }
    }
}

/// Whether `signature` over `message` verifies under `public` for `scheme`.
pub fn verify(scheme: CryptoType, public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    match scheme {
        CryptoType::Sr25519 => sr25519::Pair::verify(
            &sr25519::Signature::from_raw(*signature),
            message,
            &sr25519::Public::from_raw(*public),
        ),
        CryptoType::Ed25519 => ed25519::Pair::verify(
            &ed25519::Signature::from_raw(*signature),
            message,
            &ed25519::Public::from_raw(*public),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn suri_splitting() {
        let p = split_suri("word word//hard/soft///pass/with/slashes").unwrap();
        assert_eq!(p.phrase, "word word");
        assert_eq!(p.junctions.len(), 2);
        assert!(p.junctions[0].is_hard());
        assert!(p.junctions[1].is_soft());
        assert_eq!(p.password, Some("pass/with/slashes"));
        assert!(split_suri("x//").is_err());
        assert!(split_suri("x/").is_err());
        assert!(split_suri("x///").unwrap().password == Some(""));
    }

    #[test]
    fn crypto_type_names_and_numbers() {
        assert_eq!(CryptoType::Sr25519.as_u8(), 1);
        assert_eq!(CryptoType::try_from(0u8).unwrap(), CryptoType::Ed25519);
        assert!(CryptoType::try_from(2u8).is_err());
        assert_eq!(
            "SR25519".parse::<CryptoType>().unwrap(),
            CryptoType::Sr25519
        );
        assert_eq!(CryptoType::Ed25519.to_string(), "ed25519");
        assert!("ecdsa".parse::<CryptoType>().is_err());
    }
}
