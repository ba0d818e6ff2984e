//! The encrypted blob `MevShield.submit_encrypted` carries (the pallet's "v1" layout):
//!
//! `twox128(NextKey)` (16) | kem_ct length (u16 LE) | kem_ct (1088) | nonce (24) | XChaCha20-Poly1305 ciphertext
//!
//! The block author decapsulates the KEM ciphertext with the key whose hash leads the blob, uses the 32-byte shared
//! secret as the AEAD key (empty AAD) and decodes the plaintext as an extrinsic. All cryptography is RustCrypto's
//! (`ml-kem`, `chacha20poly1305`), the same crates the pallet decrypts with.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{EncodedSizeUser, KemCore, MlKem768};
use rand::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// ML-KEM-768 encapsulation key length (`NextKey`).
pub const KEY_LEN: usize = 1184;
/// ML-KEM-768 ciphertext length.
pub const KEM_CT_LEN: usize = 1088;
pub const KEY_HASH_LEN: usize = 16;
pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;
/// `BoundedVec<u8, ConstU32<8192>>` in the pallet.
pub const MAX_BLOB_LEN: usize = 8192;
/// Everything in a blob but the plaintext.
pub const OVERHEAD: usize = KEY_HASH_LEN + 2 + KEM_CT_LEN + NONCE_LEN + TAG_LEN;
/// The longest signed inner extrinsic that fits.
pub const MAX_INNER_LEN: usize = MAX_BLOB_LEN - OVERHEAD;

type EncapsulationKey = <MlKem768 as KemCore>::EncapsulationKey;
type DecapsulationKey = <MlKem768 as KemCore>::DecapsulationKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("the MEV shield key is {0} bytes, not the {KEY_LEN} of an ML-KEM-768 key")]
    KeyLength(usize),
    #[error(
        "the shielded transaction would be {len} bytes, over the MEV shield limit of {MAX_BLOB_LEN}"
    )]
    TooLarge { len: usize },
    #[error("the ML-KEM encapsulation failed")]
    Encapsulation,
    #[error("the XChaCha20-Poly1305 encryption failed")]
    Encryption,
    #[error("not a MEV shield blob: {0}")]
    Layout(&'static str),
    #[error("the blob does not open with this key: {0}")]
    Open(&'static str),
}

/// The length of the blob for a plaintext of `inner_len` bytes.
pub fn blob_len(inner_len: usize) -> usize {
    OVERHEAD + inner_len
}

/// `twox128(key)`: how the pallet names the key a blob was made for.
pub fn key_hash(key: &[u8]) -> [u8; KEY_HASH_LEN] {
    sp_crypto_hashing::twox_128(key)
}

/// Encrypts `plaintext` (the signed inner extrinsic) to `next_key`.
pub fn seal<R: RngCore + CryptoRng>(
    next_key: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, BlobError> {
    let len = blob_len(plaintext.len());
    if len > MAX_BLOB_LEN {
        return Err(BlobError::TooLarge { len });
    }
    let encoded = ml_kem::Encoded::<EncapsulationKey>::try_from(next_key)
        .map_err(|_| BlobError::KeyLength(next_key.len()))?;
    let ek = EncapsulationKey::from_bytes(&encoded);
    let (kem_ct, mut shared) = ek.encapsulate(rng).map_err(|_| BlobError::Encapsulation)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let aead = XChaCha20Poly1305::new_from_slice(shared.as_slice());
    shared.as_mut_slice().zeroize();
    let sealed = aead
        .map_err(|_| BlobError::Encryption)?
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &[],
            },
        )
        .map_err(|_| BlobError::Encryption)?;
    let kem_len = u16::try_from(kem_ct.len()).map_err(|_| BlobError::Encapsulation)?;
    let mut blob = Vec::with_capacity(len);
    blob.extend_from_slice(&key_hash(next_key));
    blob.extend_from_slice(&kem_len.to_le_bytes());
    blob.extend_from_slice(kem_ct.as_slice());
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&sealed);
    debug_assert_eq!(blob.len(), len);
    Ok(blob)
}

/// The parts of a blob, as the pallet's parser splits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed<'a> {
    pub key_hash: [u8; KEY_HASH_LEN],
    pub kem_ct: &'a [u8],
    pub nonce: [u8; NONCE_LEN],
    /// The AEAD ciphertext with its 16-byte tag.
    pub aead_ct: &'a [u8],
}

/// Splits a blob the way the pallet does; also checks the sizes an ML-KEM-768 blob must have.
pub fn parse(blob: &[u8]) -> Result<Parsed<'_>, BlobError> {
    if blob.len() > MAX_BLOB_LEN {
        return Err(BlobError::TooLarge { len: blob.len() });
    }
    let (key_hash, rest) = blob
        .split_first_chunk::<KEY_HASH_LEN>()
        .ok_or(BlobError::Layout("shorter than the key hash"))?;
    let (kem_len, rest) = rest
        .split_first_chunk::<2>()
        .ok_or(BlobError::Layout("no KEM ciphertext length"))?;
    let kem_len = usize::from(u16::from_le_bytes(*kem_len));
    if kem_len != KEM_CT_LEN {
        return Err(BlobError::Layout(
            "the KEM ciphertext is not 1088 bytes (ML-KEM-768)",
        ));
    }
    let (kem_ct, rest) = rest
        .split_at_checked(kem_len)
        .ok_or(BlobError::Layout("shorter than its KEM ciphertext"))?;
    let (nonce, aead_ct) = rest
        .split_first_chunk::<NONCE_LEN>()
        .ok_or(BlobError::Layout("no 24-byte nonce"))?;
    if aead_ct.len() < TAG_LEN {
        return Err(BlobError::Layout(
            "the AEAD ciphertext is shorter than its tag",
        ));
    }
    Ok(Parsed {
        key_hash: *key_hash,
        kem_ct,
        nonce: *nonce,
        aead_ct,
    })
}

/// Decrypts a blob with an ML-KEM-768 decapsulation key (2400 bytes, the FIPS 203 expanded form), as the block
/// author does. For tests and diagnostics: taotui never holds a shield decapsulation key.
pub fn open(blob: &[u8], decapsulation_key: &[u8]) -> Result<Vec<u8>, BlobError> {
    let parsed = parse(blob)?;
    let encoded = ml_kem::Encoded::<DecapsulationKey>::try_from(decapsulation_key)
        .map_err(|_| BlobError::Open("not a 2400-byte ML-KEM-768 decapsulation key"))?;
    let dk = DecapsulationKey::from_bytes(&encoded);
    let ct = ml_kem::Ciphertext::<MlKem768>::try_from(parsed.kem_ct)
        .map_err(|_| BlobError::Layout("the KEM ciphertext is not 1088 bytes (ML-KEM-768)"))?;
    let mut shared = dk
        .decapsulate(&ct)
        .map_err(|_| BlobError::Open("decapsulation failed"))?;
    let aead = XChaCha20Poly1305::new_from_slice(shared.as_slice());
    shared.as_mut_slice().zeroize();
    aead.map_err(|_| BlobError::Open("bad shared secret length"))?
        .decrypt(
            XNonce::from_slice(&parsed.nonce),
            Payload {
                msg: parsed.aead_ct,
                aad: &[],
            },
        )
        .map_err(|_| BlobError::Open("the AEAD tag does not verify"))
}

/// The shared secret a decapsulation key gets from a blob (to compare with another implementation's).
pub fn shared_secret(blob: &[u8], decapsulation_key: &[u8]) -> Result<[u8; 32], BlobError> {
    let parsed = parse(blob)?;
    let encoded = ml_kem::Encoded::<DecapsulationKey>::try_from(decapsulation_key)
        .map_err(|_| BlobError::Open("not a 2400-byte ML-KEM-768 decapsulation key"))?;
    let ct = ml_kem::Ciphertext::<MlKem768>::try_from(parsed.kem_ct)
        .map_err(|_| BlobError::Layout("the KEM ciphertext is not 1088 bytes (ML-KEM-768)"))?;
    let shared = DecapsulationKey::from_bytes(&encoded)
        .decapsulate(&ct)
        .map_err(|_| BlobError::Open("decapsulation failed"))?;
    <[u8; 32]>::try_from(shared.as_slice()).map_err(|_| BlobError::Open("bad shared secret length"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn key_pair() -> (Vec<u8>, Vec<u8>) {
        let (dk, ek) = MlKem768::generate(&mut rand::thread_rng());
        (ek.as_bytes().to_vec(), dk.as_bytes().to_vec())
    }

    #[test]
    fn a_sealed_blob_opens_to_exactly_the_plaintext() {
        let (ek, dk) = key_pair();
        let plaintext: Vec<u8> = (0..300u16).map(|i| (i % 251) as u8).collect();
        let blob = seal(&ek, &plaintext, &mut rand::thread_rng()).unwrap();
        assert_eq!(blob.len(), 16 + 2 + 1088 + 24 + plaintext.len() + 16);
        let parsed = parse(&blob).unwrap();
        assert_eq!(parsed.key_hash, sp_crypto_hashing::twox_128(&ek));
        assert_eq!(&blob[16..18], &1088u16.to_le_bytes());
        assert_eq!(parsed.aead_ct.len(), plaintext.len() + TAG_LEN);
        assert_eq!(open(&blob, &dk).unwrap(), plaintext);
    }

    #[test]
    fn each_blob_uses_a_fresh_encapsulation_and_nonce() {
        let (ek, _) = key_pair();
        let a = seal(&ek, b"same", &mut rand::thread_rng()).unwrap();
        let b = seal(&ek, b"same", &mut rand::thread_rng()).unwrap();
        let (pa, pb) = (parse(&a).unwrap(), parse(&b).unwrap());
        assert_eq!(pa.key_hash, pb.key_hash);
        assert_ne!(pa.kem_ct, pb.kem_ct);
        assert_ne!(pa.nonce, pb.nonce);
    }

    #[test]
    fn another_key_or_a_flipped_bit_does_not_open() {
        let (ek, _) = key_pair();
        let (_, other_dk) = key_pair();
        let (ek2, dk2) = key_pair();
        let blob = seal(&ek, b"inner", &mut rand::thread_rng()).unwrap();
        assert!(matches!(open(&blob, &other_dk), Err(BlobError::Open(_))));
        let mut blob2 = seal(&ek2, b"inner", &mut rand::thread_rng()).unwrap();
        let last = blob2.len() - 1;
        blob2[last] ^= 1;
        assert!(matches!(open(&blob2, &dk2), Err(BlobError::Open(_))));
    }

    #[test]
    fn the_size_limit_is_the_pallets() {
        let (ek, dk) = key_pair();
        let fits = vec![7u8; MAX_INNER_LEN];
        let blob = seal(&ek, &fits, &mut rand::thread_rng()).unwrap();
        assert_eq!(blob.len(), MAX_BLOB_LEN);
        assert_eq!(open(&blob, &dk).unwrap(), fits);
        let over = vec![7u8; MAX_INNER_LEN + 1];
        assert_eq!(
            seal(&ek, &over, &mut rand::thread_rng()),
            Err(BlobError::TooLarge {
                len: MAX_BLOB_LEN + 1
            })
        );
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        assert_eq!(
            seal(&[1u8; 1183], b"x", &mut rand::thread_rng()),
            Err(BlobError::KeyLength(1183))
        );
    }

    #[test]
    fn the_parser_refuses_truncated_and_foreign_layouts() {
        let (ek, _) = key_pair();
        let blob = seal(&ek, b"inner", &mut rand::thread_rng()).unwrap();
        for cut in [0, 10, 17, 500, 16 + 2 + 1088 + 10, blob.len() - 6] {
            assert!(
                matches!(parse(&blob[..cut]), Err(BlobError::Layout(_))),
                "cut at {cut}"
            );
        }
        // bittensor-core's layout without the key hash: the length field is then read from the KEM ciphertext.
        assert!(matches!(parse(&blob[16..]), Err(BlobError::Layout(_))));
    }
}
