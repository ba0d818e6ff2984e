//! Metadata the offline machine holds, one file per runtime (`<spec_name>-<spec_version>.scale` under the data
//! folder's `offline-metadata/`), copied there once per runtime with `taotui metadata import`.

use std::path::{Path, PathBuf};

use subxt::Metadata;

use crate::chain::runtime_info::{RuntimeFacts, metadata_file_raw};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no data folder: set TAOTUI_DATA_DIR or HOME")]
    NoDataDir,
    #[error("{0}")]
    File(#[from] crate::chain::runtime_info::MetadataFileError),
    #[error(
        "the metadata does not say which runtime it is (System.Version has no spec name or version); export it again with `taotui metadata export`"
    )]
    NoVersion,
    #[error("could not {what} {path}: {message}")]
    Io {
        what: &'static str,
        path: String,
        message: String,
    },
    #[error(
        "this machine holds no metadata for {spec_name} spec {spec_version}: on the online machine run `taotui metadata export FILE`, copy FILE here and run `taotui metadata import FILE`"
    )]
    Missing {
        spec_name: String,
        spec_version: u32,
    },
}

/// A runtime's metadata as held: its raw SCALE bytes (the digest is computed from them) and the decoded form.
pub struct Held {
    pub raw: Vec<u8>,
    pub metadata: Metadata,
    pub spec_name: String,
    pub spec_version: u32,
    pub path: PathBuf,
}

pub struct MetadataStore {
    dir: PathBuf,
}

impl MetadataStore {
    pub fn at(dir: impl Into<PathBuf>) -> MetadataStore {
        MetadataStore { dir: dir.into() }
    }

    /// `offline-metadata/` in taotui's data folder.
    pub fn default_location() -> Result<MetadataStore, StoreError> {
        crate::config::data_dir()
            .map(|d| MetadataStore::at(d.join("offline-metadata")))
            .ok_or(StoreError::NoDataDir)
    }

    fn path(&self, spec_name: &str, spec_version: u32) -> PathBuf {
        let safe: String = spec_name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{safe}-{spec_version}.scale"))
    }

    /// Reads a metadata file (SCALE bytes or 0x hex) and keeps it under its runtime's name and version.
    pub fn import(&self, file: &Path) -> Result<Held, StoreError> {
        let bytes = std::fs::read(file).map_err(|e| StoreError::Io {
            what: "read",
            path: file.display().to_string(),
            message: e.to_string(),
        })?;
        let held = parse(&bytes, PathBuf::new())?;
        let path = self.path(&held.spec_name, held.spec_version);
        crate::config::private_fs::write_private_atomic(&path, &held.raw).map_err(|e| {
            StoreError::Io {
                what: "write",
                path: path.display().to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(Held { path, ..held })
    }

    pub fn load(&self, spec_name: &str, spec_version: u32) -> Result<Held, StoreError> {
        let path = self.path(spec_name, spec_version);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing {
                    spec_name: spec_name.to_owned(),
                    spec_version,
                });
            }
            Err(e) => {
                return Err(StoreError::Io {
                    what: "read",
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        parse(&bytes, path)
    }

    /// The metadata held for spec `spec_version` of whichever runtime (the QR text names no runtime: only its
    /// version, and one machine signs for one chain's runtime).
    pub fn load_version(&self, spec_version: u32) -> Result<Held, StoreError> {
        let suffix = format!("-{spec_version}.scale");
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(&suffix))
            .collect();
        names.sort();
        match names.first().and_then(|n| n.strip_suffix(&suffix)) {
            Some(spec_name) => self.load(spec_name, spec_version),
            None => Err(StoreError::Missing {
                spec_name: "the runtime".to_owned(),
                spec_version,
            }),
        }
    }
}

/// The runtime a metadata file describes, from its own `System.Version`.
pub fn parse(bytes: &[u8], path: PathBuf) -> Result<Held, StoreError> {
    let raw = metadata_file_raw(bytes)?;
    let metadata = Metadata::decode_from(&raw[..])
        .map_err(|e| crate::chain::runtime_info::MetadataFileError::Decode(e.to_string()))?;
    let facts = RuntimeFacts::of(&metadata);
    let (Some(spec_name), Some(spec_version)) = (facts.spec_name, facts.spec_version) else {
        return Err(StoreError::NoVersion);
    };
    Ok(Held {
        raw,
        metadata,
        spec_name,
        spec_version,
        path,
    })
}
