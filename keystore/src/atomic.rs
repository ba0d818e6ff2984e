//! Crash-safe file writes for key material.
//!
//! A key file on disk is always either the complete old version or the complete new version: new
//! content goes to a temporary file in the same folder, is fsynced, then renamed (or hard-linked,
//! when the target must not exist) into place, and the folder is fsynced so the rename survives a
//! power cut. Files are created 0600 and folders 0700 because they hold secrets.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rand::RngCore;

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path} already exists; nothing was written")]
    AlreadyExists { path: PathBuf },
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` and its missing parents with mode 0700. Existing folders keep their mode: a
/// user's btcli wallet root must not be touched beyond what is needed.
pub fn ensure_private_dir(dir: &Path) -> Result<(), WriteError> {
    if dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(io_err(dir))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to a fresh 0600 temporary file next to `target` and fsyncs it.
fn write_temp(target: &Path, bytes: &[u8]) -> Result<PathBuf, WriteError> {
    let dir = parent_of(target);
    let stem = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "key".to_owned());
    let mut tag = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut tag);
    let temp = dir.join(format!(".{stem}.tmp-{}", hex::encode(tag)));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&temp)?;
        // The umask may have narrowed the mode further but never widened it; make it exact.
        file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(source) => {
            let _ = fs::remove_file(&temp);
            Err(WriteError::Io {
                path: target.to_path_buf(),
                source,
            })
        }
    }
}

fn sync_dir(dir: &Path) -> Result<(), WriteError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

/// Writes a new file; fails with [`WriteError::AlreadyExists`] if `target` exists, even when
/// another process creates it concurrently (the final step is a hard link, which never replaces).
pub fn write_new(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = parent_of(target);
    ensure_private_dir(dir)?;
    if target.symlink_metadata().is_ok() {
        return Err(WriteError::AlreadyExists {
            path: target.to_path_buf(),
        });
    }
    let temp = write_temp(target, bytes)?;
    let linked = fs::hard_link(&temp, target);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => sync_dir(dir),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(WriteError::AlreadyExists {
            path: target.to_path_buf(),
        }),
        Err(source) => Err(WriteError::Io {
            path: target.to_path_buf(),
            source,
        }),
    }
}

/// Atomically replaces `target` (which may or may not exist) with `bytes`.
///
/// Callers that replace key material must keep a backup first ([`backup`]); this function only
/// guarantees that a crash leaves either the old or the new content.
pub fn replace(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = parent_of(target);
    ensure_private_dir(dir)?;
    let temp = write_temp(target, bytes)?;
    if let Err(source) = fs::rename(&temp, target) {
        let _ = fs::remove_file(&temp);
        return Err(WriteError::Io {
            path: target.to_path_buf(),
            source,
        });
    }
    sync_dir(dir)
}

/// Copies `source` into `backup_dir` under `<label>.<UTC timestamp>` (0600, never overwriting an
/// earlier backup) and returns the backup's path.
pub fn backup(source: &Path, backup_dir: &Path, label: &str) -> Result<PathBuf, WriteError> {
    let bytes = fs::read(source).map_err(io_err(source))?;
    let stamp = timestamp();
    ensure_private_dir(backup_dir)?;
    let mut candidate = backup_dir.join(format!("{label}.{stamp}"));
    let mut n = 1;
    loop {
        match write_new(&candidate, &bytes) {
            Ok(()) => return Ok(candidate),
            Err(WriteError::AlreadyExists { .. }) if n < 1000 => {
                n += 1;
                candidate = backup_dir.join(format!("{label}.{stamp}-{n}"));
            }
            Err(e) => return Err(e),
        }
    }
}

fn timestamp() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "unknown-time".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_new_creates_private_file_and_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("w").join("coldkey");
        write_new(&target, b"secret").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"secret");
        assert_eq!(mode(&target), 0o600);
        assert_eq!(mode(target.parent().unwrap()), 0o700);
        let leftovers: Vec<_> = fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "temporary files left: {leftovers:?}");
    }

    #[test]
    fn write_new_never_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("coldkey");
        write_new(&target, b"old").unwrap();
        let err = write_new(&target, b"new").unwrap_err();
        assert!(matches!(err, WriteError::AlreadyExists { .. }));
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn replace_swaps_content_and_keeps_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("coldkey");
        replace(&target, b"one").unwrap();
        replace(&target, b"two").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        assert_eq!(mode(&target), 0o600);
    }

    #[test]
    fn backups_never_collide() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("coldkey");
        write_new(&target, b"v1").unwrap();
        let b1 = backup(&target, &tmp.path().join("backups"), "coldkey").unwrap();
        let b2 = backup(&target, &tmp.path().join("backups"), "coldkey").unwrap();
        assert_ne!(b1, b2);
        assert_eq!(fs::read(&b1).unwrap(), b"v1");
        assert_eq!(fs::read(&b2).unwrap(), b"v1");
        assert_eq!(mode(&b1), 0o600);
    }
}
