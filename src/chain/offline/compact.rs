//! The QR route across the air gap: the unsigned transaction (`TAOTUI:U1:…`) and the signature (`TAOTUI:S1:…`) as
//! short text, so their QR codes fit a terminal.
//!
//! Only what the signer payload is built from crosses (no description, preview or names: the offline side decodes
//! the call itself), in SCALE, then a 4-byte checksum, as RFC 4648 base32 without padding. Upper-case letters,
//! digits and `:` are all in a QR code's alphanumeric mode (5.5 bits a character, against 8 for bytes), and a
//! phone's scanner returns them as they are.

use subxt::ext::codec::{Compact, Decode, Encode};
use taotui_keystore::derive::CryptoType;

use super::build::{crypto_name, crypto_of};
use super::file::{self, Era, FINNEY_GENESIS, MetadataHashMode, UnsignedCall, UnsignedTx};

pub const UNSIGNED_PREFIX: &str = "TAOTUI:U1:";
pub const SIGNATURE_PREFIX: &str = "TAOTUI:S1:";
const CHECKSUM_LEN: usize = 4;
/// How many bytes of the unsigned transaction's hash the signature text carries to name it.
pub const BINDING_LEN: usize = 8;

const FLAG_ED25519: u8 = 1;
const FLAG_METADATA_HASH: u8 = 2;
const FLAG_METADATA_HASH_REFUSED: u8 = 4;
const UNSIGNED_FLAGS: u8 = FLAG_ED25519 | FLAG_METADATA_HASH | FLAG_METADATA_HASH_REFUSED;
const SIGNATURE_FLAGS: u8 = FLAG_ED25519 | FLAG_METADATA_HASH;

/// The sentence on a transaction read from QR text in place of the online side's (which the text leaves out).
pub const SHIELD_SENTENCE: &str = "not shielded: signed offline, this transaction goes in the clear (the MEV shield \
     needs a second signature online)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    #[error(
        "this is not {what} text from taotui: it must start with {prefix}; scan the QR code again or copy the whole text"
    )]
    Prefix {
        what: &'static str,
        prefix: &'static str,
    },
    #[error("this is {found} text, not {what} text: {hint}")]
    Kind {
        found: &'static str,
        what: &'static str,
        hint: &'static str,
    },
    #[error(
        "this {what} text is of format version {found}, which this taotui does not read (it reads version 1); use the same taotui version on both machines"
    )]
    Version { what: &'static str, found: String },
    #[error(
        "this {what} text is damaged ({reason}); scan the QR code again or copy the whole text"
    )]
    Damaged { what: &'static str, reason: String },
    #[error("the transaction cannot be written as QR text: {0}")]
    Unencodable(String),
}

const UNSIGNED_WHAT: &str = "an unsigned transaction's";
const SIGNATURE_WHAT: &str = "a signature's";

/// Whether `text` is meant as QR text of an unsigned transaction (its prefix, whatever the case or spacing).
pub fn is_unsigned_text(text: &str) -> bool {
    normalize(text).starts_with("TAOTUI:U")
}

/// Whether `text` is meant as QR text of a signature.
pub fn is_signature_text(text: &str) -> bool {
    normalize(text).starts_with("TAOTUI:S")
}

/// Scanners and copy/paste may add spaces, line breaks or lower case; none of them is part of the text.
fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn blake2_256(bytes: &[u8]) -> [u8; 32] {
    sp_crypto_hashing::blake2_256(bytes)
}

fn to_text(prefix: &str, body: &[u8]) -> String {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&blake2_256(body)[..CHECKSUM_LEN]);
    format!(
        "{prefix}{}",
        base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &bytes)
    )
}

/// The checked body of `text` (prefix, version, base32 and checksum), or the sentence for what is wrong.
fn from_text(
    text: &str,
    prefix: &'static str,
    what: &'static str,
    kind: char,
) -> Result<Vec<u8>, CompactError> {
    let text = normalize(text);
    let Some(rest) = text.strip_prefix("TAOTUI:") else {
        return Err(CompactError::Prefix { what, prefix });
    };
    let mut chars = rest.chars();
    match chars.next() {
        Some(k) if k == kind => {}
        Some('U') => {
            return Err(CompactError::Kind {
                found: UNSIGNED_WHAT,
                what,
                hint: "give it to `taotui sign` on the offline machine",
            });
        }
        Some('S') => {
            return Err(CompactError::Kind {
                found: SIGNATURE_WHAT,
                what,
                hint: "give it to `taotui submit` (or s on the History screen) on the online machine",
            });
        }
        _ => return Err(CompactError::Prefix { what, prefix }),
    }
    let rest = chars.as_str();
    let Some((version, data)) = rest.split_once(':') else {
        return Err(CompactError::Prefix { what, prefix });
    };
    if version != "1" {
        return Err(CompactError::Version {
            what,
            found: version.chars().take(8).collect(),
        });
    }
    let damaged = |reason: &str| CompactError::Damaged {
        what,
        reason: reason.to_owned(),
    };
    let bytes =
        base32::decode(base32::Alphabet::Rfc4648 { padding: false }, data).ok_or_else(|| {
            damaged("it has characters other than A to Z and 2 to 7 after the prefix")
        })?;
    if bytes.len() <= CHECKSUM_LEN {
        return Err(damaged("it is too short"));
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if blake2_256(body)[..CHECKSUM_LEN] != *checksum {
        return Err(damaged(
            "its checksum does not match: part of it is missing or was misread",
        ));
    }
    Ok(body.to_vec())
}

/// What of an unsigned transaction the signer payload is built from, in SCALE: the QR text's body.
pub fn unsigned_body(tx: &UnsignedTx) -> Result<Vec<u8>, CompactError> {
    let mut flags = 0;
    if taotui_keystore::derive::CryptoType::Ed25519 == crypto_of(&tx.crypto) {
        flags |= FLAG_ED25519;
    }
    match tx.metadata_hash.mode {
        0 => {}
        1 => flags |= FLAG_METADATA_HASH,
        other => {
            return Err(CompactError::Unencodable(format!(
                "metadata hash mode {other} is unknown"
            )));
        }
    }
    if tx.metadata_hash_refused {
        flags |= FLAG_METADATA_HASH_REFUSED;
    }
    let signer = tx
        .signer_account()
        .map_err(|e| CompactError::Unencodable(e.to_string()))?;
    let mut out = vec![flags];
    tx.genesis_hash.encode_to(&mut out);
    Compact(tx.spec_version).encode_to(&mut out);
    Compact(tx.transaction_version).encode_to(&mut out);
    signer.encode_to(&mut out);
    Compact(tx.nonce).encode_to(&mut out);
    Compact(tx.tip).encode_to(&mut out);
    Compact(tx.era.period).encode_to(&mut out);
    Compact(tx.era.birth_number).encode_to(&mut out);
    tx.era.birth_hash.encode_to(&mut out);
    // The rest is the call: its length is the text's.
    out.extend_from_slice(&tx.call.bytes);
    Ok(out)
}

/// `TAOTUI:U1:` and the unsigned transaction's body in base32.
pub fn unsigned_text(tx: &UnsignedTx) -> Result<String, CompactError> {
    Ok(to_text(UNSIGNED_PREFIX, &unsigned_body(tx)?))
}

/// The first bytes of the unsigned transaction's hash: the signature text names its transaction with them.
pub fn binding(tx: &UnsignedTx) -> Result<[u8; BINDING_LEN], CompactError> {
    let hash = blake2_256(&unsigned_body(tx)?);
    let mut out = [0; BINDING_LEN];
    out.copy_from_slice(&hash[..BINDING_LEN]);
    Ok(out)
}

/// The unsigned transaction of QR text, as far as the text holds it: the call is named `?` (the offline side
/// decodes it with its own metadata), the runtime's name is empty (the offline side knows it by version), and
/// there is no description or preview to compare with.
pub fn parse_unsigned(text: &str) -> Result<UnsignedTx, CompactError> {
    let body = from_text(text, UNSIGNED_PREFIX, "an unsigned transaction's", 'U')?;
    let damaged = |reason: String| CompactError::Damaged {
        what: "an unsigned transaction's",
        reason,
    };
    let input = &mut &body[..];
    let flags = u8::decode(input).map_err(|e| damaged(e.to_string()))?;
    if flags & !UNSIGNED_FLAGS != 0 {
        return Err(damaged(format!("unknown flags {flags:#04x}")));
    }
    let fields = (|| {
        let genesis_hash = <[u8; 32]>::decode(input)?;
        let spec_version = Compact::<u32>::decode(input)?.0;
        let transaction_version = Compact::<u32>::decode(input)?.0;
        let signer = <[u8; 32]>::decode(input)?;
        let nonce = Compact::<u64>::decode(input)?.0;
        let tip = Compact::<u64>::decode(input)?.0;
        let period = Compact::<u64>::decode(input)?.0;
        let birth_number = Compact::<u64>::decode(input)?.0;
        let birth_hash = <[u8; 32]>::decode(input)?;
        Ok::<_, subxt::ext::codec::Error>((
            genesis_hash,
            spec_version,
            transaction_version,
            signer,
            nonce,
            tip,
            Era {
                birth_number,
                birth_hash,
                period,
            },
        ))
    })();
    let (genesis_hash, spec_version, transaction_version, signer, nonce, tip, era) =
        fields.map_err(|e| damaged(format!("it ends early: {e}")))?;
    if input.is_empty() {
        return Err(damaged("it has no call".to_owned()));
    }
    let crypto = if flags & FLAG_ED25519 != 0 {
        CryptoType::Ed25519
    } else {
        CryptoType::Sr25519
    };
    Ok(UnsignedTx {
        format: file::UNSIGNED_FORMAT.to_owned(),
        version: file::FILE_VERSION,
        network: if genesis_hash == FINNEY_GENESIS {
            "finney".to_owned()
        } else {
            String::new()
        },
        genesis_hash,
        spec_name: String::new(),
        spec_version,
        transaction_version,
        signer: taotui_keystore::ss58::encode(&signer, 42),
        crypto: crypto_name(crypto).to_owned(),
        nonce,
        tip,
        era,
        metadata_hash: MetadataHashMode {
            mode: u8::from(flags & FLAG_METADATA_HASH != 0),
            digest: None,
        },
        metadata_hash_refused: flags & FLAG_METADATA_HASH_REFUSED != 0,
        call: UnsignedCall {
            pallet: "?".to_owned(),
            name: "?".to_owned(),
            bytes: input.to_vec(),
        },
        description: Vec::new(),
        mev_shield: SHIELD_SENTENCE.to_owned(),
        preview: serde_json::Value::Null,
    })
}

/// The signature made offline, as the online side needs it to attach it: its scheme, whether it commits to the
/// metadata digest, and which unsigned transaction it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactSignature {
    pub crypto: CryptoType,
    pub metadata_hash_mode: u8,
    pub signature: [u8; 64],
    pub binding: [u8; BINDING_LEN],
}

impl CompactSignature {
    /// `TAOTUI:S1:` and the signature's body in base32.
    pub fn text(&self) -> String {
        let mut flags = 0;
        if self.crypto == CryptoType::Ed25519 {
            flags |= FLAG_ED25519;
        }
        if self.metadata_hash_mode == 1 {
            flags |= FLAG_METADATA_HASH;
        }
        let mut body = vec![flags];
        body.extend_from_slice(&self.signature);
        body.extend_from_slice(&self.binding);
        to_text(SIGNATURE_PREFIX, &body)
    }

    pub fn parse(text: &str) -> Result<CompactSignature, CompactError> {
        let body = from_text(text, SIGNATURE_PREFIX, SIGNATURE_WHAT, 'S')?;
        let damaged = |reason: String| CompactError::Damaged {
            what: SIGNATURE_WHAT,
            reason,
        };
        let want = 1 + 64 + BINDING_LEN;
        if body.len() != want {
            return Err(damaged(format!(
                "it holds {} bytes, not {want}",
                body.len()
            )));
        }
        let flags = body[0];
        if flags & !SIGNATURE_FLAGS != 0 {
            return Err(damaged(format!("unknown flags {flags:#04x}")));
        }
        let mut signature = [0; 64];
        signature.copy_from_slice(&body[1..65]);
        let mut binding = [0; BINDING_LEN];
        binding.copy_from_slice(&body[65..]);
        Ok(CompactSignature {
            crypto: if flags & FLAG_ED25519 != 0 {
                CryptoType::Ed25519
            } else {
                CryptoType::Sr25519
            },
            metadata_hash_mode: u8::from(flags & FLAG_METADATA_HASH != 0),
            signature,
            binding,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample(call: Vec<u8>) -> UnsignedTx {
        let mut tx = file::test_unsigned();
        tx.call.bytes = call;
        tx.metadata_hash_refused = true;
        tx
    }

    type SigningFields = (
        [u8; 32],
        u32,
        u32,
        String,
        String,
        u64,
        u64,
        Era,
        u8,
        bool,
        Vec<u8>,
    );

    /// What the signer payload is built from: equal for the file and its QR text.
    fn signing_fields(tx: &UnsignedTx) -> SigningFields {
        (
            tx.genesis_hash,
            tx.spec_version,
            tx.transaction_version,
            tx.signer.clone(),
            tx.crypto.clone(),
            tx.nonce,
            tx.tip,
            tx.era,
            tx.metadata_hash.mode,
            tx.metadata_hash_refused,
            tx.call.bytes.clone(),
        )
    }

    fn signature() -> CompactSignature {
        CompactSignature {
            crypto: CryptoType::Sr25519,
            metadata_hash_mode: 0,
            signature: [0xab; 64],
            binding: [1, 2, 3, 4, 5, 6, 7, 8],
        }
    }

    #[test]
    fn the_text_is_all_qr_alphanumeric_and_names_itself() {
        let text = unsigned_text(&sample(vec![5, 3, 0, 1, 2])).unwrap();
        assert!(text.starts_with("TAOTUI:U1:"), "{text}");
        let alnum =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || " $%*+-./:".contains(c);
        assert!(text.chars().all(alnum), "{text}");
        let sig = signature().text();
        assert!(
            sig.starts_with("TAOTUI:S1:") && sig.chars().all(alnum),
            "{sig}"
        );
        // flags + 64-byte signature + binding + checksum = 77 bytes = 124 base32 characters.
        assert_eq!(sig.len(), 10 + 124);
        assert!(is_unsigned_text(&format!("  {}\n", text.to_lowercase())));
        assert!(is_signature_text(&sig) && !is_signature_text(&text));
    }

    #[test]
    fn a_transfer_sized_text_is_packed_in_alphanumeric_mode() {
        let text = unsigned_text(&sample(vec![0x11; 42])).unwrap();
        assert_eq!(text.len(), 252);
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
            .unwrap();
        // As bytes these 252 characters would need version 10 (57 modules); as alphanumerics version 8 (49).
        assert_eq!(code.version(), qrcode::Version::Normal(8));
        let sig = signature().text();
        let code = qrcode::QrCode::with_error_correction_level(sig.as_bytes(), qrcode::EcLevel::L)
            .unwrap();
        assert_eq!(code.version(), qrcode::Version::Normal(5));
    }

    #[test]
    fn a_signature_reads_back_as_written_even_lower_case_or_wrapped() {
        let s = CompactSignature {
            crypto: CryptoType::Ed25519,
            metadata_hash_mode: 1,
            ..signature()
        };
        let text = s.text();
        assert_eq!(CompactSignature::parse(&text).unwrap(), s);
        let (a, b) = text.split_at(40);
        let mangled = format!(" {}\n{} ", a.to_lowercase(), b);
        assert_eq!(CompactSignature::parse(&mangled).unwrap(), s);
    }

    #[test]
    fn each_fault_is_a_sentence_naming_it() {
        let sig = signature().text();
        let unsigned = unsigned_text(&sample(vec![5, 3])).unwrap();
        let e = |r: Result<CompactSignature, CompactError>| r.unwrap_err().to_string();
        assert!(
            e(CompactSignature::parse("hello")).contains("must start with TAOTUI:S1:"),
            "{}",
            e(CompactSignature::parse("hello"))
        );
        let v2 = sig.replacen("TAOTUI:S1:", "TAOTUI:S2:", 1);
        assert!(e(CompactSignature::parse(&v2)).contains("format version 2"));
        let cut = &sig[..sig.len() - 3];
        assert!(e(CompactSignature::parse(cut)).contains("checksum does not match"));
        let mut flipped: Vec<char> = sig.chars().collect();
        flipped[20] = if flipped[20] == 'A' { 'B' } else { 'A' };
        let flipped: String = flipped.into_iter().collect();
        assert!(e(CompactSignature::parse(&flipped)).contains("checksum does not match"));
        assert!(e(CompactSignature::parse("TAOTUI:S1:AB1")).contains("other than A to Z"));
        assert!(e(CompactSignature::parse("TAOTUI:S1:")).contains("too short"));
        let swapped = e(CompactSignature::parse(&unsigned));
        assert!(swapped.contains("give it to `taotui sign`"), "{swapped}");
        let swapped = parse_unsigned(&sig).unwrap_err().to_string();
        assert!(swapped.contains("give it to `taotui submit`"), "{swapped}");
        let cut = parse_unsigned(&unsigned[..unsigned.len() - 8]).unwrap_err();
        assert!(cut.to_string().contains("damaged"), "{cut}");
        // A well-formed text whose body is too short for the fields.
        let short = to_text(UNSIGNED_PREFIX, &[0, 1, 2]);
        let e = parse_unsigned(&short).unwrap_err().to_string();
        assert!(e.contains("it ends early"), "{e}");
    }

    #[test]
    fn the_binding_names_one_transaction() {
        let a = sample(vec![5, 3]);
        let mut b = a.clone();
        b.nonce += 1;
        assert_ne!(binding(&a).unwrap(), binding(&b).unwrap());
        // The same transaction read back from its text has the same binding.
        let back = parse_unsigned(&unsigned_text(&a).unwrap()).unwrap();
        assert_eq!(binding(&back).unwrap(), binding(&a).unwrap());
    }

    proptest! {
        #[test]
        fn a_file_read_back_from_its_text_builds_the_same_signer_payload(
            genesis in any::<[u8; 32]>(),
            spec_version in any::<u32>(),
            transaction_version in any::<u32>(),
            signer in any::<[u8; 32]>(),
            ed in any::<bool>(),
            nonce in any::<u64>(),
            tip in any::<u64>(),
            period in any::<u64>(),
            birth in any::<u64>(),
            birth_hash in any::<[u8; 32]>(),
            mode in 0u8..2,
            refused in any::<bool>(),
            call in proptest::collection::vec(any::<u8>(), 1..300),
        ) {
            let mut tx = sample(call);
            tx.genesis_hash = genesis;
            tx.spec_version = spec_version;
            tx.transaction_version = transaction_version;
            tx.signer = taotui_keystore::ss58::encode(&signer, 42);
            tx.crypto = if ed { "ed25519" } else { "sr25519" }.to_owned();
            tx.nonce = nonce;
            tx.tip = tip;
            tx.era = Era { birth_number: birth, birth_hash, period };
            tx.metadata_hash.mode = mode;
            tx.metadata_hash_refused = refused;
            let back = parse_unsigned(&unsigned_text(&tx).unwrap()).unwrap();
            prop_assert_eq!(signing_fields(&back), signing_fields(&tx));
        }

        #[test]
        fn arbitrary_text_gives_an_answer_never_a_panic(text in ".{0,200}") {
            let _ = parse_unsigned(&text);
            let _ = CompactSignature::parse(&text);
            let _ = parse_unsigned(&format!("TAOTUI:U1:{text}"));
            let _ = CompactSignature::parse(&format!("TAOTUI:S1:{text}"));
        }

        #[test]
        fn arbitrary_bodies_with_a_good_checksum_give_an_answer_never_a_panic(
            body in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let _ = parse_unsigned(&to_text(UNSIGNED_PREFIX, &body));
            let _ = CompactSignature::parse(&to_text(SIGNATURE_PREFIX, &body));
        }
    }
}
