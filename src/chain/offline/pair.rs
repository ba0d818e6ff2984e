//! The online side's half of the QR route: a signature text names the unsigned transaction it was made for by a
//! binding ([`compact::binding`]); this pairs it with the unsigned file given, or finds that file among those the
//! online side wrote (`<data>/offline/`).

use std::path::{Path, PathBuf};

use super::compact::{self, CompactError, CompactSignature};
use super::file::{self, FileError, MetadataHashMode, UnsignedTx};

#[derive(Debug, thiserror::Error)]
pub enum PairError {
    #[error(
        "the signature was made for another unsigned transaction than {path} (the signature names 0x{signed}, the file is 0x{file}); nothing was submitted: give the unsigned file it was made for"
    )]
    Mismatch {
        path: String,
        signed: String,
        file: String,
    },
    #[error(
        "no unsigned file in {dir} is the one this signature was made for (it names 0x{binding}); nothing was submitted: give the unsigned file with `taotui submit UNSIGNED_FILE --signature TEXT`"
    )]
    NotFound { dir: String, binding: String },
    #[error(
        "the signature commits to the metadata digest, but {path} holds none; nothing was submitted: make a new unsigned file and sign it again"
    )]
    NoDigest { path: String },
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Compact(#[from] CompactError),
}

/// A signature text with the unsigned transaction it was made for.
#[derive(Debug, Clone)]
pub struct Paired {
    pub path: PathBuf,
    pub unsigned: UnsignedTx,
    pub signature: CompactSignature,
}

impl Paired {
    /// What the signature commits to: the digest is the one the online side proposed (the chain's own), so a
    /// signature made over other metadata does not verify and is refused before sending.
    pub fn metadata_hash(&self) -> Result<MetadataHashMode, PairError> {
        if self.signature.metadata_hash_mode == 0 {
            return Ok(MetadataHashMode {
                mode: 0,
                digest: None,
            });
        }
        match self.unsigned.metadata_hash.digest {
            Some(d) => Ok(MetadataHashMode {
                mode: 1,
                digest: Some(d),
            }),
            None => Err(PairError::NoDigest {
                path: self.path.display().to_string(),
            }),
        }
    }
}

/// Pairs `signature` with the unsigned file at `path`, refused when it was made for another transaction.
pub fn with_file(path: &Path, signature: CompactSignature) -> Result<Paired, PairError> {
    let unsigned = UnsignedTx::read(path)?;
    let binding = compact::binding(&unsigned)?;
    if binding != signature.binding {
        return Err(PairError::Mismatch {
            path: path.display().to_string(),
            signed: hex::encode(signature.binding),
            file: hex::encode(binding),
        });
    }
    Ok(Paired {
        path: path.to_owned(),
        unsigned,
        signature,
    })
}

/// Finds the unsigned file in `dir` that `signature` was made for (files that are not unsigned transactions, or
/// are damaged, are passed over).
pub fn find_in(dir: &Path, signature: CompactSignature) -> Result<Paired, PairError> {
    let not_found = || PairError::NotFound {
        dir: dir.display().to_string(),
        binding: hex::encode(signature.binding),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Err(not_found());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") || file::is_signed(&path) {
            continue;
        }
        let Ok(unsigned) = UnsignedTx::read(&path) else {
            continue;
        };
        if compact::binding(&unsigned).is_ok_and(|b| b == signature.binding) {
            return Ok(Paired {
                path,
                unsigned,
                signature,
            });
        }
    }
    Err(not_found())
}

/// The signature text `text` with its unsigned file: `unsigned` when given, else found in `dir`.
pub fn pair(text: &str, unsigned: Option<&Path>, dir: Option<&Path>) -> Result<Paired, PairError> {
    let signature = CompactSignature::parse(text)?;
    match (unsigned, dir) {
        (Some(path), _) => with_file(path, signature),
        (None, Some(dir)) => find_in(dir, signature),
        (None, None) => Err(PairError::NotFound {
            dir: "the data folder (none is set: TAOTUI_DATA_DIR or HOME)".to_owned(),
            binding: hex::encode(signature.binding),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use taotui_keystore::derive::CryptoType;

    fn unsigned(nonce: u64) -> UnsignedTx {
        UnsignedTx {
            nonce,
            ..file::test_unsigned()
        }
    }

    fn signature_for(tx: &UnsignedTx, mode: u8) -> String {
        CompactSignature {
            crypto: CryptoType::Sr25519,
            metadata_hash_mode: mode,
            signature: [3; 64],
            binding: compact::binding(tx).unwrap(),
        }
        .text()
    }

    #[test]
    fn a_signature_finds_its_own_unsigned_file_among_others() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..3 {
            unsigned(n)
                .write(&dir.path().join(format!("{n}.unsigned.json")))
                .unwrap();
        }
        std::fs::write(dir.path().join("junk.json"), b"{").unwrap();
        let p = pair(&signature_for(&unsigned(1), 1), None, Some(dir.path())).unwrap();
        assert_eq!(p.path, dir.path().join("1.unsigned.json"));
        assert_eq!(p.unsigned.nonce, 1);
        // Mode 1 commits to the digest the online side proposed.
        assert_eq!(p.metadata_hash().unwrap().digest, Some([7; 32]));
        let p = pair(&signature_for(&unsigned(2), 0), None, Some(dir.path())).unwrap();
        assert_eq!(p.metadata_hash().unwrap().digest, None);
        let e = pair(&signature_for(&unsigned(9), 0), None, Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no unsigned file in") && e.contains("--signature"),
            "{e}"
        );
    }

    #[test]
    fn a_signature_given_with_another_unsigned_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.unsigned.json");
        unsigned(0).write(&path).unwrap();
        let e = pair(&signature_for(&unsigned(1), 0), Some(&path), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("made for another unsigned transaction")
                && e.contains("nothing was submitted"),
            "{e}"
        );
        assert!(pair(&signature_for(&unsigned(0), 0), Some(&path), None).is_ok());
        let e = pair("TAOTUI:S1:AAAA", Some(&path), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("damaged"), "{e}");
    }
}
