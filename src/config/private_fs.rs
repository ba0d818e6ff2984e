//! Files taotui writes outside the keystore (log, history, caches, address book) hold addresses
//! and amounts: each is created 0600 in a 0700 folder, whatever the umask, and a file or
//! folder of ours found wider (a log made by an older version) is narrowed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Mode of every file taotui writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every folder taotui creates for its files.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` (and missing parents, 0700) and narrows `dir` itself to 0700. Parents that
/// already exist (`~/.local/share`) are left as they are.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)?;
        narrow(dir, DIR_MODE)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// Opens `path` for appending, creating it 0600 (and its folder 0700).
pub fn open_private_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    narrow(path, FILE_MODE)?;
    Ok(file)
}

/// Creates (or truncates) `path` as a 0600 file for writing.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// Replaces `path` with `bytes` atomically: a 0600 temporary file in the same folder, fsynced,
/// then renamed over it, so a crash never leaves a half-written file.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = create_private(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename is durable once the folder is synced.
        File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Removes group and other permissions from `path` if it has any.
#[cfg(unix)]
fn narrow(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_private_and_wider_ones_are_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("a/b/taotui.log");
        open_private_append(&log).unwrap();
        assert_eq!(mode(&log), 0o600);
        assert_eq!(mode(log.parent().unwrap()), 0o700);
        assert_eq!(mode(&tmp.path().join("a")), 0o700);

        fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
        open_private_append(&log).unwrap();
        assert_eq!(mode(&log), 0o600, "an old 0644 log is narrowed");

        let book = tmp.path().join("c/addresses.toml");
        write_private_atomic(&book, b"x = 1\n").unwrap();
        write_private_atomic(&book, b"y = 2\n").unwrap();
        assert_eq!(fs::read_to_string(&book).unwrap(), "y = 2\n");
        assert_eq!(mode(&book), 0o600);
        assert_eq!(mode(book.parent().unwrap()), 0o700);
        let leftovers = fs::read_dir(book.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
