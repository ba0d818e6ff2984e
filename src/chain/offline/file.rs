//! The files that cross the air gap: versioned JSON, bytes as `0x` hex.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub const UNSIGNED_FORMAT: &str = "taotui-unsigned-transaction";
pub const SIGNED_FORMAT: &str = "taotui-signed-transaction";
/// Bumped when a field changes meaning; readers refuse other versions.
pub const FILE_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not read {path}: {message}")]
    Read { path: String, message: String },
    #[error("could not write {path}: {message}")]
    Write { path: String, message: String },
    #[error(
        "{path} is not a taotui {what} file of version {FILE_VERSION} ({message}); write it again with this taotui version"
    )]
    Format {
        path: String,
        what: &'static str,
        message: String,
    },
}

/// Finney's genesis hash: the one chain whose name the offline side can state without trusting the online side.
pub const FINNEY_GENESIS: [u8; 32] = [
    0x2f, 0x05, 0x55, 0xcc, 0x76, 0xfc, 0x28, 0x40, 0xa2, 0x5a, 0x6e, 0xa3, 0xb9, 0x63, 0x71, 0x46,
    0x80, 0x6f, 0x1f, 0x44, 0xb0, 0x90, 0xc1, 0x75, 0xff, 0xde, 0x2a, 0x7e, 0x5a, 0xb3, 0x6c, 0x03,
];

/// The genesis hash in words: finney, or not (the signature is valid only on the chain of this genesis).
pub fn genesis_words(genesis: &[u8; 32]) -> String {
    let hex = format!("0x{}", hex::encode(genesis));
    if *genesis == FINNEY_GENESIS {
        format!("{hex} (finney, the main network)")
    } else {
        format!("{hex} (not finney: a test or local chain)")
    }
}

/// Where the mortal era starts and how long it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Era {
    pub birth_number: u64,
    #[serde(with = "hex32")]
    pub birth_hash: [u8; 32],
    pub period: u64,
}

impl Era {
    /// The last block the transaction can be included in (as the online preview counts it).
    pub fn valid_until(&self) -> u64 {
        self.birth_number + self.period
    }
}

/// `CheckMetadataHash`: whether the signature commits to a metadata digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataHashMode {
    /// 1: the digest is signed; 0: not (the runtime has no such extension, or it was turned off).
    pub mode: u8,
    #[serde(default, with = "hex32_opt", skip_serializing_if = "Option::is_none")]
    pub digest: Option<[u8; 32]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsignedCall {
    pub pallet: String,
    pub name: String,
    #[serde(with = "hex_bytes")]
    pub bytes: Vec<u8>,
}

/// What the online side wrote: everything the offline side needs to rebuild the exact signer payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsignedTx {
    pub format: String,
    pub version: u32,
    pub network: String,
    #[serde(with = "hex32")]
    pub genesis_hash: [u8; 32],
    pub spec_name: String,
    pub spec_version: u32,
    pub transaction_version: u32,
    /// The signer's SS58 address (prefix 42) and key scheme.
    pub signer: String,
    pub crypto: String,
    pub nonce: u64,
    pub tip: u64,
    pub era: Era,
    /// The online side's proposal, from its own metadata; the offline side decides with its own.
    pub metadata_hash: MetadataHashMode,
    /// The chain answered a mode-1 transaction with `CannotLookup` when the file was made: its runtime was built
    /// without a metadata hash and refuses the check. Only the online side can see this; the offline side says it
    /// and signs without the check only when told to.
    #[serde(default)]
    pub metadata_hash_refused: bool,
    pub call: UnsignedCall,
    /// The online side's description of the call, compared line by line with the offline side's.
    pub description: Vec<super::Line>,
    /// The MEV shield sentence: offline-signed transactions go in the clear.
    pub mev_shield: String,
    /// The online preview (fee, expected amounts, price), for reading only: the offline side trusts none of it.
    #[serde(default)]
    pub preview: serde_json::Value,
}

/// What the offline side wrote: the unsigned transaction as it read it, and the signature it made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedTx {
    pub format: String,
    pub version: u32,
    pub unsigned: UnsignedTx,
    /// What the signature commits to, decided offline.
    pub metadata_hash: MetadataHashMode,
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
    /// The description the offline side showed before signing.
    pub signed_description: Vec<super::Line>,
    /// blake2-256 of the extrinsic as the offline side built it.
    #[serde(with = "hex32")]
    pub extrinsic_hash: [u8; 32],
}

impl UnsignedTx {
    pub fn write(&self, path: &Path) -> Result<(), FileError> {
        write_json(path, self)
    }

    pub fn read(path: &Path) -> Result<UnsignedTx, FileError> {
        let tx: UnsignedTx = read_json(path, "unsigned transaction")?;
        check_header(
            path,
            &tx.format,
            tx.version,
            UNSIGNED_FORMAT,
            "unsigned transaction",
        )?;
        Ok(tx)
    }

    /// The signer's 32-byte account.
    pub fn signer_account(&self) -> Result<[u8; 32], FileError> {
        taotui_keystore::ss58::decode(&self.signer)
            .map(|(a, _)| a)
            .map_err(|e| FileError::Format {
                path: "the unsigned transaction".into(),
                what: "unsigned transaction",
                message: format!("the signer address {:?} is invalid: {e}", self.signer),
            })
    }
}

impl SignedTx {
    pub fn new(
        unsigned: UnsignedTx,
        metadata_hash: MetadataHashMode,
        signature: Vec<u8>,
        signed_description: Vec<super::Line>,
        extrinsic_hash: [u8; 32],
    ) -> SignedTx {
        SignedTx {
            format: SIGNED_FORMAT.to_owned(),
            version: FILE_VERSION,
            unsigned,
            metadata_hash,
            signature,
            signed_description,
            extrinsic_hash,
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), FileError> {
        write_json(path, self)
    }

    pub fn read(path: &Path) -> Result<SignedTx, FileError> {
        let tx: SignedTx = read_json(path, "signed transaction")?;
        check_header(
            path,
            &tx.format,
            tx.version,
            SIGNED_FORMAT,
            "signed transaction",
        )?;
        Ok(tx)
    }
}

/// Whether the JSON at `path` is a signed transaction file (else it is read as an unsigned one).
pub fn is_signed(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v["format"] == SIGNED_FORMAT)
}

fn check_header(
    path: &Path,
    format: &str,
    version: u32,
    want: &str,
    what: &'static str,
) -> Result<(), FileError> {
    if format != want || version != FILE_VERSION {
        return Err(FileError::Format {
            path: path.display().to_string(),
            what,
            message: format!("it says format {format:?} version {version}"),
        });
    }
    Ok(())
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), FileError> {
    let err = |message: String| FileError::Write {
        path: path.display().to_string(),
        message,
    };
    let mut text = serde_json::to_string_pretty(value).map_err(|e| err(e.to_string()))?;
    text.push('\n');
    // The user picks the folder (a USB stick): only the file is made private, the folder is left as it is.
    let mut file =
        crate::config::private_fs::create_private(path).map_err(|e| err(e.to_string()))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| err(e.to_string()))
}

fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<T, FileError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| FileError::Format {
        path: path.display().to_string(),
        what,
        message: e.to_string(),
    })
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(b)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text.trim_start_matches("0x")).map_err(serde::de::Error::custom)
    }
}

mod hex32 {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        super::hex_bytes::serialize(b, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let v = super::hex_bytes::deserialize(d)?;
        <[u8; 32]>::try_from(v.as_slice())
            .map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}

mod hex32_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match b {
            Some(b) => super::hex_bytes::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        let v = hex::decode(text.trim_start_matches("0x")).map_err(serde::de::Error::custom)?;
        <[u8; 32]>::try_from(v.as_slice())
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}

/// A finney transfer's unsigned file, for the offline modules' tests.
#[cfg(test)]
pub(crate) fn test_unsigned() -> UnsignedTx {
    UnsignedTx {
        format: UNSIGNED_FORMAT.to_owned(),
        version: FILE_VERSION,
        network: "finney".into(),
        genesis_hash: FINNEY_GENESIS,
        spec_name: "node-subtensor".into(),
        spec_version: 424,
        transaction_version: 1,
        signer: taotui_keystore::ss58::encode(&[1; 32], 42),
        crypto: "sr25519".into(),
        nonce: 3,
        tip: 0,
        era: Era {
            birth_number: 10,
            birth_hash: [9; 32],
            period: 64,
        },
        metadata_hash: MetadataHashMode {
            mode: 1,
            digest: Some([7; 32]),
        },
        metadata_hash_refused: false,
        call: UnsignedCall {
            pallet: "Balances".into(),
            name: "transfer_keep_alive".into(),
            bytes: vec![5, 3, 0],
        },
        description: vec![],
        mev_shield: "not shielded".into(),
        preview: serde_json::Value::Null,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn sample() -> UnsignedTx {
        test_unsigned()
    }

    #[test]
    fn an_unsigned_file_reads_back_as_written_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tx.json");
        sample().write(&path).unwrap();
        assert_eq!(UnsignedTx::read(&path).unwrap(), sample());
        assert!(!is_signed(&path));
        assert_eq!(sample().signer_account().unwrap(), [1; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let signed = SignedTx::new(
            sample(),
            sample().metadata_hash,
            vec![0; 64],
            vec![],
            [2; 32],
        );
        let spath = dir.path().join("tx.signed.json");
        signed.write(&spath).unwrap();
        assert!(is_signed(&spath));
        assert_eq!(SignedTx::read(&spath).unwrap(), signed);
    }

    #[test]
    fn a_file_of_another_version_or_kind_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tx.json");
        let mut v2 = sample();
        v2.version = 2;
        v2.write(&path).unwrap();
        let e = UnsignedTx::read(&path).unwrap_err().to_string();
        assert!(
            e.contains("version 2") && e.contains("write it again"),
            "{e}"
        );
        sample().write(&path).unwrap();
        let e = SignedTx::read(&path).unwrap_err().to_string();
        assert!(e.contains("signed transaction"), "{e}");
    }

    #[test]
    fn the_chain_is_named_from_its_genesis() {
        assert!(genesis_words(&FINNEY_GENESIS).contains("(finney, the main network)"));
        assert!(genesis_words(&[0x45; 32]).contains("not finney"));
    }
}
