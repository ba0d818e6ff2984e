//! SS58 addresses for 32-byte account keys: base58 of prefix || key || checksum, where the
//! checksum is the first two bytes of blake2b-512("SS58PRE" || prefix || key).
//!
//! Written here rather than taken from sp-core so that every failure has its own clear error
//! and a typo can never be turned into a key.

use blake2::{Blake2b512, Digest};

/// The generic Substrate prefix, which Bittensor uses.
pub const DEFAULT_PREFIX: u16 = 42;
/// Largest prefix the two-byte form can carry.
pub const MAX_PREFIX: u16 = 0x3FFF;

const CHECKSUM_CONTEXT: &[u8] = b"SS58PRE";
const CHECKSUM_LEN: usize = 2;
const KEY_LEN: usize = 32;
const BASE58_ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ss58Error {
    #[error("the address is empty; paste an SS58 address such as 5F...")]
    Empty,
    #[error(
        "character {position} ('{character}') cannot appear in an SS58 address (0, O, I and l are never used); check for a typo"
    )]
    InvalidCharacter { position: usize, character: char },
    #[error(
        "this is not a 32-byte account address (it decodes to {bytes} bytes); check that the whole address was copied"
    )]
    BadLength { bytes: usize },
    #[error("this address has a typo: its checksum does not match")]
    BadChecksum,
    #[error("this address uses a reserved network prefix and cannot be an account address")]
    ReservedPrefix,
    #[error(
        "this address encodes its network prefix in a non-standard way; it was not made by a wallet"
    )]
    NonCanonicalPrefix,
    #[error(
        "this address is for network prefix {found}, but prefix {expected} was expected; check that it is an address for this network"
    )]
    WrongPrefix { expected: u16, found: u16 },
}

fn checksum(payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut hasher = Blake2b512::new();
    hasher.update(CHECKSUM_CONTEXT);
    hasher.update(payload);
    let digest = hasher.finalize();
    [digest[0], digest[1]]
}

/// Encodes `public` for network `prefix`. Prefixes above [`MAX_PREFIX`] do not exist; only their
/// low 14 bits are used.
pub fn encode(public: &[u8; 32], prefix: u16) -> String {
    let prefix = prefix & MAX_PREFIX;
    let mut payload = Vec::with_capacity(2 + KEY_LEN + CHECKSUM_LEN);
    if prefix < 64 {
        payload.push(prefix as u8);
    } else {
        // Two-byte form: six low bits of the lower byte first (tagged 0b01), then the rest.
        payload.push((((prefix & 0b1111_1100) >> 2) as u8) | 0b0100_0000);
        payload.push(((prefix >> 8) as u8) | (((prefix & 0b11) as u8) << 6));
    }
    payload.extend_from_slice(public);
    let check = checksum(&payload);
    payload.extend_from_slice(&check);
    bs58::encode(payload).into_string()
}

/// Decodes an address into its public key and network prefix, checking the checksum.
/// Whitespace around the address (from copy and paste) is ignored.
pub fn decode(address: &str) -> Result<([u8; 32], u16), Ss58Error> {
    let leading = address.len() - address.trim_start().len();
    let trimmed = address.trim();
    if trimmed.is_empty() {
        return Err(Ss58Error::Empty);
    }
    let skipped_chars = address[..leading].chars().count();
    if let Some((index, character)) = trimmed
        .chars()
        .enumerate()
        .find(|(_, c)| !BASE58_ALPHABET.contains(*c))
    {
        return Err(Ss58Error::InvalidCharacter {
            position: skipped_chars + index + 1,
            character,
        });
    }
    let data = bs58::decode(trimmed)
        .into_vec()
        .map_err(|_| Ss58Error::BadLength { bytes: 0 })?;
    let (prefix, prefix_len) = match data.first() {
        None => return Err(Ss58Error::BadLength { bytes: 0 }),
        Some(&b0) if b0 < 64 => (u16::from(b0), 1),
        Some(&b0) if b0 < 128 => {
            let b1 = *data
                .get(1)
                .ok_or(Ss58Error::BadLength { bytes: data.len() })?;
            let lower = (b0 << 2) | (b1 >> 6);
            let upper = b1 & 0b0011_1111;
            (u16::from(lower) | (u16::from(upper) << 8), 2)
        }
        Some(_) => return Err(Ss58Error::ReservedPrefix),
    };
    if data.len() != prefix_len + KEY_LEN + CHECKSUM_LEN {
        return Err(Ss58Error::BadLength { bytes: data.len() });
    }
    let (payload, check) = data.split_at(prefix_len + KEY_LEN);
    if checksum(payload) != check {
        return Err(Ss58Error::BadChecksum);
    }
    if prefix_len == 2 && prefix < 64 {
        return Err(Ss58Error::NonCanonicalPrefix);
    }
    if prefix == 46 || prefix == 47 {
        return Err(Ss58Error::ReservedPrefix);
    }
    let mut public = [0u8; KEY_LEN];
    public.copy_from_slice(&payload[prefix_len..]);
    Ok((public, prefix))
}

/// Decodes an address and insists on one network prefix.
pub fn decode_for_prefix(address: &str, expected: u16) -> Result<[u8; 32], Ss58Error> {
    let (public, found) = decode(address)?;
    if found != expected {
        return Err(Ss58Error::WrongPrefix { expected, found });
    }
    Ok(public)
}

/// Whether `address` is a well-formed SS58 account address of any prefix.
pub fn is_valid(address: &str) -> bool {
    decode(address).is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn prefix_forms_have_expected_lengths() {
        let key = [7u8; 32];
        let simple = bs58::decode(encode(&key, 42)).into_vec().unwrap();
        assert_eq!(simple.len(), 35);
        assert_eq!(simple[0], 42);
        let full = bs58::decode(encode(&key, 2000)).into_vec().unwrap();
        assert_eq!(full.len(), 36);
        assert_eq!(decode(&encode(&key, 2000)).unwrap(), (key, 2000));
        assert_eq!(
            decode(&encode(&key, MAX_PREFIX)).unwrap(),
            (key, MAX_PREFIX)
        );
        assert_eq!(decode(&encode(&key, 64)).unwrap(), (key, 64));
    }

    #[test]
    fn reserved_prefixes_are_refused() {
        let key = [1u8; 32];
        assert_eq!(decode(&encode(&key, 46)), Err(Ss58Error::ReservedPrefix));
        assert_eq!(decode(&encode(&key, 47)), Err(Ss58Error::ReservedPrefix));
    }
}
