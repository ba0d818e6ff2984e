//! Runtime metadata cached on disk, keyed by genesis hash and spec version.
//!
//! Metadata is ~300-530 KB and only changes with a runtime upgrade (which bumps spec_version), so the pair
//! (genesis hash, spec_version) identifies it; fetching it on every start is what makes other clients slow.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::ChainError;

/// A directory of `<genesis-hex>-<spec_version>.scale` files, each a SCALE-encoded `RuntimeMetadataPrefixed`.
#[derive(Debug, Clone)]
pub struct MetadataCache {
    dir: PathBuf,
}

impl MetadataCache {
    pub fn new(dir: impl Into<PathBuf>) -> MetadataCache {
        MetadataCache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_for(&self, genesis: &[u8; 32], spec_version: u32) -> PathBuf {
        self.dir
            .join(format!("{}-{spec_version}.scale", hex::encode(genesis)))
    }

    /// The cached bytes, or `None` when absent or unreadable (a bad cache is refetched, never fatal).
    pub fn load(&self, genesis: &[u8; 32], spec_version: u32) -> Option<Vec<u8>> {
        std::fs::read(self.path_for(genesis, spec_version)).ok()
    }

    /// Writes atomically (temporary file in the same directory, then rename), so a crash or a concurrent
    /// taotui never leaves a truncated file behind.
    pub fn store(
        &self,
        genesis: &[u8; 32],
        spec_version: u32,
        bytes: &[u8],
    ) -> Result<(), ChainError> {
        let target = self.path_for(genesis, spec_version);
        let fail = |reason: std::io::Error| ChainError::MetadataCache {
            path: self.dir.display().to_string(),
            reason: reason.to_string(),
        };
        crate::config::private_fs::create_private_dir(&self.dir).map_err(fail)?;
        let tmp = self.dir.join(format!(
            ".{}-{spec_version}.{}.tmp",
            hex::encode(genesis),
            std::process::id()
        ));
        let written = (|| {
            let mut file = crate::config::private_fs::create_private(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &target)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(fail)
    }

    /// Removes a file found to be undecodable so the next start does not trip over it again.
    pub fn discard(&self, genesis: &[u8; 32], spec_version: u32) {
        let _ = std::fs::remove_file(self.path_for(genesis, spec_version));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn store_then_load_round_trips_and_keys_by_genesis_and_spec() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MetadataCache::new(dir.path().join("nested"));
        let g = [7u8; 32];
        assert_eq!(cache.load(&g, 1), None);
        cache.store(&g, 1, b"abc").unwrap();
        assert_eq!(cache.load(&g, 1).as_deref(), Some(&b"abc"[..]));
        assert_eq!(cache.load(&g, 2), None);
        assert_eq!(cache.load(&[8u8; 32], 1), None);
        cache.store(&g, 1, b"xyz").unwrap();
        assert_eq!(cache.load(&g, 1).as_deref(), Some(&b"xyz"[..]));
        let leftovers: Vec<_> = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
        cache.discard(&g, 1);
        assert_eq!(cache.load(&g, 1), None);
    }
}
