//! The btcli keyfile plaintext: one JSON object with `accountId`, `publicKey`, `privateKey`,
//! `secretPhrase`, `secretSeed`, `ss58Address` and `cryptoType`, and the `*pub.txt` files.
//!
//! Secret fields are read into zeroizing buffers and written without going through
//! `serde_json::Value`, so no plain heap copy of a secret outlives the call.

use std::fmt;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::derive::{CryptoType, DeriveError, Keypair};
use crate::mnemonic::{Mnemonic, MnemonicError};
use crate::ss58;

/// Why a keyfile's plaintext or a pub file was refused. Messages never contain secret values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyDataError {
    #[error(
        "the key file is not valid JSON (line {line}, column {column}); it may be truncated or corrupt"
    )]
    InvalidJson { line: usize, column: usize },
    #[error(
        "the key file does not hold a JSON object of key fields; it may be corrupt or not a key file"
    )]
    NotAnObject,
    #[error("the key file's {field} field is not valid: {expected}")]
    BadField {
        field: &'static str,
        expected: &'static str,
    },
    #[error(
        "the key file's cryptoType is neither 1 (sr25519) nor 0 (ed25519); taotui cannot use this key type"
    )]
    UnknownCryptoType,
    #[error("the key file's secretPhrase is not a valid recovery phrase: {0}")]
    InvalidPhrase(#[from] MnemonicError),
    #[error("the key file's {field} cannot be turned into a key: {source}")]
    InvalidSecret {
        field: &'static str,
        source: DeriveError,
    },
    #[error("the key file has neither a public key nor a secret; it is empty or damaged")]
    NoKey,
    #[error(
        "the key file is inconsistent: its {secret_field} belongs to a different account than its {public_field}; the file may be damaged or edited, so restore the key from your recovery phrase"
    )]
    Inconsistent {
        secret_field: &'static str,
        public_field: &'static str,
    },
    #[error(
        "the public key file is not valid: expected a JSON object with publicKey or ss58Address, or a 0x hex public key"
    )]
    InvalidPubFile,
}

/// The public part of a key, as stored in `coldkeypub.txt` and `hotkeys/<name>pub.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubKeyInfo {
    pub public_key: [u8; 32],
    pub ss58: String,
    pub crypto_type: CryptoType,
}

/// The decoded content of a btcli keyfile.
pub struct KeyData {
    public_key: [u8; 32],
    crypto_type: CryptoType,
    private_key: Option<Zeroizing<Vec<u8>>>,
    secret_phrase: Option<SecretString>,
    secret_seed: Option<SecretBox<[u8; 32]>>,
    ss58: String,
}

impl fmt::Debug for KeyData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyData")
            .field("crypto_type", &self.crypto_type)
            .field("ss58", &self.ss58)
            .field("has_private_key", &self.private_key.is_some())
            .field("has_secret_phrase", &self.secret_phrase.is_some())
            .field("has_secret_seed", &self.secret_seed.is_some())
            .finish()
    }
}

impl Clone for KeyData {
    fn clone(&self) -> Self {
        KeyData {
            public_key: self.public_key,
            crypto_type: self.crypto_type,
            private_key: self.private_key.clone(),
            secret_phrase: self.secret_phrase.clone(),
            secret_seed: self
                .secret_seed
                .as_ref()
                .map(|s| SecretBox::new(Box::new(*s.expose_secret()))),
            ss58: self.ss58.clone(),
        }
    }
}

impl KeyData {
    /// Everything btcli stores about `keypair`.
    pub fn from_keypair(keypair: &Keypair) -> KeyData {
        KeyData {
            public_key: keypair.public_key(),
            crypto_type: keypair.crypto_type(),
            private_key: Some(keypair.private_key()),
            secret_phrase: keypair.phrase().cloned(),
            secret_seed: keypair
                .seed()
                .map(|s| SecretBox::new(Box::new(*s.expose_secret()))),
            ss58: keypair.ss58(),
        }
    }

    /// Public data only (what a pub file holds).
    pub fn from_public(public_key: &[u8; 32], crypto_type: CryptoType) -> KeyData {
        KeyData {
            public_key: *public_key,
            crypto_type,
            private_key: None,
            secret_phrase: None,
            secret_seed: None,
            ss58: ss58::encode(public_key, ss58::DEFAULT_PREFIX),
        }
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    pub fn ss58(&self) -> &str {
        &self.ss58
    }

    pub fn crypto_type(&self) -> CryptoType {
        self.crypto_type
    }

    /// Whether the file holds anything that can sign.
    pub fn has_secret(&self) -> bool {
        self.private_key.is_some() || self.secret_phrase.is_some() || self.secret_seed.is_some()
    }

    /// The public part, as a pub file would hold it.
    pub fn pub_info(&self) -> PubKeyInfo {
        PubKeyInfo {
            public_key: self.public_key,
            ss58: self.ss58.clone(),
            crypto_type: self.crypto_type,
        }
    }

    /// The keyfile JSON, written into one pre-sized zeroizing buffer so that it never
    /// reallocates and leaves a copy behind.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let phrase_len = self
            .secret_phrase
            .as_ref()
            .map_or(0, |p| p.expose_secret().len());
        let mut out = Zeroizing::new(Vec::with_capacity(768 + 6 * phrase_len + self.ss58.len()));
        out.extend_from_slice(b"{\"accountId\": ");
        push_hex_string(&mut out, &self.public_key);
        out.extend_from_slice(b", \"publicKey\": ");
        push_hex_string(&mut out, &self.public_key);
        out.extend_from_slice(b", \"privateKey\": ");
        match &self.private_key {
            Some(key) => push_hex_string(&mut out, key),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b", \"secretPhrase\": ");
        match &self.secret_phrase {
            Some(phrase) => push_json_string(&mut out, phrase.expose_secret()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b", \"secretSeed\": ");
        match &self.secret_seed {
            Some(seed) => push_hex_string(&mut out, seed.expose_secret()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b", \"ss58Address\": ");
        push_json_string(&mut out, &self.ss58);
        out.extend_from_slice(b", \"cryptoType\": ");
        out.push(b'0' + self.crypto_type.as_u8());
        out.push(b'}');
        out
    }

    /// Reads keyfile JSON: fields may be null or missing, in any order, hex with or without 0x;
    /// a missing cryptoType means sr25519.
    pub fn from_json(bytes: &[u8]) -> Result<KeyData, KeyDataError> {
        let raw = parse_object(bytes)?;
        let crypto_type = parse_crypto_type(raw.crypto_type.as_ref())?;
        let public = public_from_fields(&raw)?;

        let secret_phrase = match secret_text(&raw.secret_phrase, "secretPhrase")? {
            Some(text) => Some(SecretString::from(Mnemonic::parse(text)?.phrase())),
            None => None,
        };
        let secret_seed = match secret_text(&raw.secret_seed, "secretSeed")? {
            Some(text) => Some(decode_seed(text)?),
            None => None,
        };
        let private_key = match secret_text(&raw.private_key, "privateKey")? {
            Some(text) => Some(decode_private_key(text, crypto_type)?),
            None => None,
        };

        let mut data = KeyData {
            public_key: [0u8; 32],
            crypto_type,
            private_key,
            secret_phrase,
            secret_seed,
            ss58: String::new(),
        };
        match public {
            Some((key, ss58_text)) => {
                data.public_key = key;
                data.ss58 = ss58_text.unwrap_or_else(|| ss58::encode(&key, ss58::DEFAULT_PREFIX));
            }
            None => {
                let (keypair, _) = data.secret_keypair(None)?.ok_or(KeyDataError::NoKey)?;
                data.public_key = keypair.public_key();
                data.ss58 = keypair.ss58();
            }
        }
        Ok(data)
    }

    /// The signing key, read with priority phrase > seed > privateKey; `Ok(None)` when the file
    /// only holds public data. A secret that does not match the stored public key is an error.
    pub fn to_keypair(&self) -> Result<Option<Keypair>, KeyDataError> {
        let Some((keypair, field)) = self.secret_keypair(Some(&self.public_key))? else {
            return Ok(None);
        };
        if keypair.public_key() != self.public_key {
            return Err(KeyDataError::Inconsistent {
                secret_field: field,
                public_field: "publicKey",
            });
        }
        Ok(Some(keypair))
    }

    fn secret_keypair(
        &self,
        expected: Option<&[u8; 32]>,
    ) -> Result<Option<(Keypair, &'static str)>, KeyDataError> {
        if let Some(phrase) = &self.secret_phrase {
            let mnemonic = Mnemonic::parse(phrase.expose_secret())?;
            let keypair = Keypair::from_mnemonic(&mnemonic, None, self.crypto_type);
            return Ok(Some((keypair, "secretPhrase")));
        }
        if let Some(seed) = &self.secret_seed {
            let keypair = Keypair::from_seed(seed.expose_secret(), self.crypto_type);
            return Ok(Some((keypair, "secretSeed")));
        }
        if let Some(key) = &self.private_key {
            let keypair = keypair_from_private_key(key, self.crypto_type, expected)?;
            return Ok(Some((keypair, "privateKey")));
        }
        Ok(None)
    }
}

/// Reads a private key; for sr25519 it also accepts the cofactor-multiplied layout that
/// polkadot.js and older Python tools write, chosen only when it matches the expected key.
fn keypair_from_private_key(
    bytes: &[u8],
    crypto_type: CryptoType,
    expected: Option<&[u8; 32]>,
) -> Result<Keypair, KeyDataError> {
    let invalid = |source| KeyDataError::InvalidSecret {
        field: "privateKey",
        source,
    };
    let canonical = Keypair::from_private_key(bytes, crypto_type);
    if crypto_type == CryptoType::Ed25519 {
        return canonical.map_err(invalid);
    }
    let matches = |k: &Keypair| expected.is_none_or(|e| k.public_key() == *e);
    match canonical {
        Ok(k) if matches(&k) => Ok(k),
        first => match Keypair::from_sr25519_ed25519_bytes(bytes) {
            Ok(k) if matches(&k) => Ok(k),
            _ => first.map_err(invalid),
        },
    }
}

/// Parses `coldkeypub.txt` / `hotkeys/<name>pub.txt`: a JSON object, or (old files) a bare
/// JSON string `"0x…"`, or the bare hex or SS58 address without quotes.
pub fn parse_pub_file(bytes: &[u8]) -> Result<PubKeyInfo, KeyDataError> {
    let text = std::str::from_utf8(bytes).map_err(|_| KeyDataError::InvalidPubFile)?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.starts_with('{') {
        let raw = parse_object(text.as_bytes())?;
        let crypto_type = parse_crypto_type(raw.crypto_type.as_ref())?;
        let (public_key, ss58_text) = public_from_fields(&raw)?.ok_or(KeyDataError::NoKey)?;
        return Ok(PubKeyInfo {
            public_key,
            ss58: ss58_text.unwrap_or_else(|| ss58::encode(&public_key, ss58::DEFAULT_PREFIX)),
            crypto_type,
        });
    }
    let bare = if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(|_| KeyDataError::InvalidPubFile)?
    } else {
        text.to_owned()
    };
    let bare = bare.trim();
    let public_key = decode_hex_32(bare)
        .or_else(|| ss58::decode(bare).ok().map(|(k, _)| k))
        .ok_or(KeyDataError::InvalidPubFile)?;
    Ok(PubKeyInfo {
        public_key,
        ss58: ss58::encode(&public_key, ss58::DEFAULT_PREFIX),
        crypto_type: CryptoType::Sr25519,
    })
}

/// The JSON of a pub file: `{"accountId", "publicKey", "ss58Address", "cryptoType"}`.
pub fn pub_file_json(public: &[u8; 32], crypto: CryptoType) -> Vec<u8> {
    let hex_key = format!("0x{}", hex::encode(public));
    format!(
        "{{\"accountId\": \"{hex_key}\", \"publicKey\": \"{hex_key}\", \"ss58Address\": \"{}\", \"cryptoType\": {}}}",
        ss58::encode(public, ss58::DEFAULT_PREFIX),
        crypto.as_u8()
    )
    .into_bytes()
}

/// A JSON string value read straight into a zeroizing buffer; other JSON types are remembered
/// only as "not a string", so an error message can never quote them.
enum SecretField {
    Text(Zeroizing<String>),
    NotText,
}

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SecretFieldVisitor)
    }
}

struct SecretFieldVisitor;

impl<'de> Visitor<'de> for SecretFieldVisitor {
    type Value = SecretField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretField, E> {
        Ok(SecretField::Text(Zeroizing::new(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<SecretField, E> {
        Ok(SecretField::Text(Zeroizing::new(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretField, E> {
        Ok(SecretField::NotText)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretField, E> {
        Ok(SecretField::NotText)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretField, E> {
        Ok(SecretField::NotText)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretField, E> {
        Ok(SecretField::NotText)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SecretField, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(SecretField::NotText)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretField, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(SecretField::NotText)
    }
}

#[derive(Deserialize)]
struct RawKeyData {
    #[serde(rename = "accountId", default)]
    account_id: Option<Value>,
    #[serde(rename = "publicKey", default)]
    public_key: Option<Value>,
    #[serde(rename = "privateKey", default)]
    private_key: Option<SecretField>,
    #[serde(rename = "secretPhrase", default)]
    secret_phrase: Option<SecretField>,
    #[serde(rename = "secretSeed", default)]
    secret_seed: Option<SecretField>,
    #[serde(rename = "ss58Address", default)]
    ss58_address: Option<Value>,
    #[serde(rename = "cryptoType", default)]
    crypto_type: Option<Value>,
}

fn parse_object(bytes: &[u8]) -> Result<RawKeyData, KeyDataError> {
    let first = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .ok_or(KeyDataError::InvalidJson { line: 1, column: 1 })?;
    if *first != b'{' {
        return Err(KeyDataError::NotAnObject);
    }
    serde_json::from_slice::<RawKeyData>(bytes).map_err(|e| {
        if e.is_data() {
            KeyDataError::NotAnObject
        } else {
            KeyDataError::InvalidJson {
                line: e.line(),
                column: e.column(),
            }
        }
    })
}

fn parse_crypto_type(value: Option<&Value>) -> Result<CryptoType, KeyDataError> {
    match value {
        None | Some(Value::Null) => Ok(CryptoType::Sr25519),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .and_then(|n| CryptoType::try_from(n).ok())
            .ok_or(KeyDataError::UnknownCryptoType),
        Some(Value::String(s)) => match s.trim() {
            "0" => Ok(CryptoType::Ed25519),
            "1" => Ok(CryptoType::Sr25519),
            other => other
                .parse::<CryptoType>()
                .map_err(|_| KeyDataError::UnknownCryptoType),
        },
        Some(_) => Err(KeyDataError::UnknownCryptoType),
    }
}

/// A public key and the SS58 text the file wrote for it, if any.
type StatedPublic = ([u8; 32], Option<String>);

/// The public key the file states, checking that accountId, publicKey and ss58Address agree.
/// Returns the key and the file's own SS58 text (kept, since it may use another prefix).
fn public_from_fields(raw: &RawKeyData) -> Result<Option<StatedPublic>, KeyDataError> {
    let mut found: Option<([u8; 32], &'static str)> = None;
    let mut agree = |key: [u8; 32], field: &'static str| -> Result<(), KeyDataError> {
        match found {
            Some((existing, first_field)) if existing != key => Err(KeyDataError::Inconsistent {
                secret_field: field,
                public_field: first_field,
            }),
            Some(_) => Ok(()),
            None => {
                found = Some((key, field));
                Ok(())
            }
        }
    };
    const HEX_KEY: &str = "expected 0x followed by 64 hex digits (a 32-byte public key)";
    for (value, field) in [
        (&raw.public_key, "publicKey"),
        (&raw.account_id, "accountId"),
    ] {
        if let Some(text) = public_text(value, field, HEX_KEY)? {
            let key = decode_hex_32(text).ok_or(KeyDataError::BadField {
                field,
                expected: HEX_KEY,
            })?;
            agree(key, field)?;
        }
    }
    let mut ss58_text = None;
    const SS58: &str = "expected an SS58 address with a correct checksum";
    if let Some(text) = public_text(&raw.ss58_address, "ss58Address", SS58)? {
        let (key, _) = ss58::decode(text).map_err(|_| KeyDataError::BadField {
            field: "ss58Address",
            expected: SS58,
        })?;
        agree(key, "ss58Address")?;
        ss58_text = Some(text.trim().to_owned());
    }
    Ok(found.map(|(key, _)| (key, ss58_text)))
}

fn public_text<'a>(
    value: &'a Option<Value>,
    field: &'static str,
    expected: &'static str,
) -> Result<Option<&'a str>, KeyDataError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(KeyDataError::BadField { field, expected }),
    }
}

fn secret_text<'a>(
    value: &'a Option<SecretField>,
    field: &'static str,
) -> Result<Option<&'a str>, KeyDataError> {
    match value {
        None => Ok(None),
        Some(SecretField::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(SecretField::Text(s)) => Ok(Some(s.as_str())),
        Some(SecretField::NotText) => Err(KeyDataError::BadField {
            field,
            expected: "expected a string or null",
        }),
    }
}

fn strip_0x(text: &str) -> &str {
    let text = text.trim();
    text.strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text)
}

fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(strip_0x(text), &mut out).ok()?;
    Some(out)
}

fn decode_seed(text: &str) -> Result<SecretBox<[u8; 32]>, KeyDataError> {
    let mut seed = SecretBox::new(Box::new([0u8; 32]));
    hex::decode_to_slice(
        strip_0x(text),
        &mut secrecy::ExposeSecretMut::expose_secret_mut(&mut seed)[..],
    )
    .map_err(|_| KeyDataError::BadField {
        field: "secretSeed",
        expected: "expected 0x followed by 64 hex digits (a 32-byte seed)",
    })?;
    Ok(seed)
}

fn decode_private_key(
    text: &str,
    crypto_type: CryptoType,
) -> Result<Zeroizing<Vec<u8>>, KeyDataError> {
    let digits = strip_0x(text);
    let len = digits.len() / 2;
    let allowed = match crypto_type {
        CryptoType::Sr25519 => len == 64,
        CryptoType::Ed25519 => len == 32 || len == 64,
    };
    let bad = KeyDataError::BadField {
        field: "privateKey",
        expected: "expected 0x followed by 128 hex digits (a 64-byte private key)",
    };
    if !allowed || !digits.len().is_multiple_of(2) {
        return Err(bad);
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    hex::decode_to_slice(digits, &mut out[..]).map_err(|_| bad)?;
    Ok(out)
}

fn push_hex_string(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\"0x");
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)]);
        out.push(DIGITS[usize::from(byte & 0x0f)]);
    }
    out.push(b'"');
}

fn push_json_string(out: &mut Vec<u8>, text: &str) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &byte in text.as_bytes() {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f | 0x7f => {
                out.extend_from_slice(b"\\u00");
                out.push(DIGITS[usize::from(byte >> 4)]);
                out.push(DIGITS[usize::from(byte & 0x0f)]);
            }
            _ => out.push(byte),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn json_string_escaping_round_trips() {
        let text = "a\"b\\c\nd\te\u{1}é";
        let mut out = Vec::new();
        push_json_string(&mut out, text);
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn hex_helpers() {
        let mut out = Vec::new();
        push_hex_string(&mut out, &[0xab, 0x01]);
        assert_eq!(out, b"\"0xab01\"");
        assert_eq!(decode_hex_32(&"AB".repeat(32)), Some([0xab; 32]));
        assert_eq!(decode_hex_32("0x12"), None);
    }
}
