//! The btcli wallet folder layout, read and written without disturbing btcli:
//!
//! ```text
//! <root>/<wallet>/coldkey                 encrypted keyfile (or plaintext JSON)
//! <root>/<wallet>/coldkeypub.txt          public data, always plaintext
//! <root>/<wallet>/hotkeys/<name>          keyfile, plaintext by default
//! <root>/<wallet>/hotkeys/<name>pub.txt   public data (newer btcli)
//! <root>/<wallet>/backups/                taotui's backups of replaced files (btcli ignores it)
//! ```

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::atomic::{self, WriteError};
use crate::derive::{CryptoType, Keypair};
use crate::keydata::{self, KeyData, KeyDataError, PubKeyInfo};
use crate::keyfile::{self, KeyfileError, KeyfileFormat, WriteFormat};

pub const WALLET_PATH_ENV: &str = "BT_WALLET_PATH";
const COLDKEY: &str = "coldkey";
const COLDKEYPUB: &str = "coldkeypub.txt";
const HOTKEYS: &str = "hotkeys";
const BACKUPS: &str = "backups";
const PUB_SUFFIX: &str = "pub.txt";

#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("invalid {kind} name {name:?}: {reason}")]
    InvalidName {
        kind: &'static str,
        name: String,
        reason: &'static str,
    },
    #[error(
        "cannot find a home folder for the default wallet path; pass --wallet-path or set {WALLET_PATH_ENV}"
    )]
    NoHome,
    #[error("{what} not found at {path}")]
    NotFound { what: String, path: PathBuf },
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{path}: {source}")]
    Keyfile {
        path: PathBuf,
        #[source]
        source: KeyfileError,
    },
    #[error("{path}: {source}")]
    KeyData {
        path: PathBuf,
        #[source]
        source: KeyDataError,
    },
    #[error("{path} is encrypted; a password is needed to open it")]
    PasswordRequired { path: PathBuf },
    #[error(
        "{path} holds only a public key (a watch-only address); it cannot sign or be re-encrypted"
    )]
    PublicOnly { path: PathBuf },
    #[error(
        "the key in {key} does not match the address in {public}; one of the files was replaced or damaged, nothing was changed"
    )]
    PubMismatch { key: PathBuf, public: PathBuf },
    #[error("{path} already exists; pass the overwrite option to replace it (a backup is kept)")]
    AlreadyExists { path: PathBuf },
    #[error("{path} is not encrypted; there is no password to change (encrypt it with convert)")]
    NotEncrypted { path: PathBuf },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WalletError + '_ {
    move |source| WalletError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Wallet and hotkey names become file names, so anything that could escape the folder or hide
/// the file is refused.
pub fn validate_name(kind: &'static str, name: &str) -> Result<(), WalletError> {
    let bad = |reason| {
        Err(WalletError::InvalidName {
            kind,
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 128 {
        return bad("it is longer than 128 bytes");
    }
    if name.starts_with('.') {
        return bad("it starts with a dot");
    }
    if name.contains(['/', '\\', '\0']) {
        return bad("it contains a path separator");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains a control character");
    }
    if kind == "hotkey" && name.ends_with(PUB_SUFFIX) {
        return bad("hotkey names ending in pub.txt clash with btcli's public key files");
    }
    Ok(())
}

/// How a write treats an existing key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Refuse if any target file exists.
    CreateNew,
    /// Keep a timestamped copy of each existing file under `backups/`, then replace it.
    OverwriteWithBackup,
}

/// What a write did, for the user to see.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub backups: Vec<PathBuf>,
}

/// The storage format of a key as the user sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    Native,
    Nacl,
    Ansible,
    Fernet,
    Plain,
    PubOnly,
}

impl KeyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyFormat::Native => "native",
            KeyFormat::Nacl => "nacl",
            KeyFormat::Ansible => "ansible",
            KeyFormat::Fernet => "fernet",
            KeyFormat::Plain => "plain",
            KeyFormat::PubOnly => "pub-only",
        }
    }

    pub fn is_encrypted(self) -> bool {
        matches!(
            self,
            KeyFormat::Native | KeyFormat::Nacl | KeyFormat::Ansible | KeyFormat::Fernet
        )
    }
}

impl From<KeyfileFormat> for KeyFormat {
    fn from(f: KeyfileFormat) -> Self {
        match f {
            KeyfileFormat::Native => KeyFormat::Native,
            KeyfileFormat::Nacl => KeyFormat::Nacl,
            KeyfileFormat::Ansible => KeyFormat::Ansible,
            KeyfileFormat::Fernet => KeyFormat::Fernet,
            KeyfileFormat::Plain => KeyFormat::Plain,
        }
    }
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Public facts about one key, readable without a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub name: String,
    pub ss58: Option<String>,
    pub public_key: Option<[u8; 32]>,
    pub crypto_type: Option<CryptoType>,
    pub format: KeyFormat,
    /// Why the address could not be read, if it could not.
    pub problem: Option<String>,
}

impl KeyInfo {
    pub fn encrypted(&self) -> bool {
        self.format.is_encrypted()
    }
}

/// Which key of a wallet an operation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyTarget {
    Coldkey,
    Hotkey(String),
}

impl fmt::Display for KeyTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyTarget::Coldkey => f.write_str("coldkey"),
            KeyTarget::Hotkey(name) => write!(f, "hotkey {name}"),
        }
    }
}

/// The folder that holds wallets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletRoot {
    path: PathBuf,
}

impl WalletRoot {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        WalletRoot { path: path.into() }
    }

    /// `explicit` (the `--wallet-path` option), else `BT_WALLET_PATH`, else
    /// `~/.bittensor/wallets`, exactly as btcli resolves it; a leading `~` is expanded.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self, WalletError> {
        let env = std::env::var_os(WALLET_PATH_ENV).filter(|v| !v.is_empty());
        let home = std::env::var_os("HOME").map(PathBuf::from);
        Self::resolve_with(explicit, env.as_deref().map(Path::new), home.as_deref())
    }

    fn resolve_with(
        explicit: Option<&Path>,
        env: Option<&Path>,
        home: Option<&Path>,
    ) -> Result<Self, WalletError> {
        let chosen = match (explicit, env) {
            (Some(p), _) | (None, Some(p)) => p.to_path_buf(),
            (None, None) => {
                let home = home.ok_or(WalletError::NoHome)?;
                return Ok(WalletRoot::new(home.join(".bittensor").join("wallets")));
            }
        };
        let expanded = match chosen.strip_prefix("~") {
            Ok(rest) => home.ok_or(WalletError::NoHome)?.join(rest),
            Err(_) => chosen,
        };
        Ok(WalletRoot::new(expanded))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Wallet folders under the root, sorted; a missing root simply has no wallets.
    pub fn wallet_names(&self) -> Result<Vec<String>, WalletError> {
        let entries = match fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.path)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error(&self.path))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') || !entry.path().is_dir() {
                continue;
            }
            names.push(name);
        }
        names.sort();
        Ok(names)
    }

    pub fn wallet(&self, name: &str) -> Result<Wallet, WalletError> {
        validate_name("wallet", name)?;
        Ok(Wallet {
            name: name.to_owned(),
            dir: self.path.join(name),
        })
    }
}

/// One wallet folder: a coldkey and its hotkeys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    name: String,
    dir: PathBuf,
}

impl Wallet {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn exists(&self) -> bool {
        self.dir.is_dir()
    }

    pub fn coldkey_path(&self) -> PathBuf {
        self.dir.join(COLDKEY)
    }

    pub fn coldkeypub_path(&self) -> PathBuf {
        self.dir.join(COLDKEYPUB)
    }

    pub fn hotkeys_dir(&self) -> PathBuf {
        self.dir.join(HOTKEYS)
    }

    pub fn backups_dir(&self) -> PathBuf {
        self.dir.join(BACKUPS)
    }

    pub fn key_path(&self, target: &KeyTarget) -> PathBuf {
        match target {
            KeyTarget::Coldkey => self.coldkey_path(),
            KeyTarget::Hotkey(name) => self.hotkeys_dir().join(name),
        }
    }

    pub fn pub_path(&self, target: &KeyTarget) -> PathBuf {
        match target {
            KeyTarget::Coldkey => self.coldkeypub_path(),
            KeyTarget::Hotkey(name) => self.hotkeys_dir().join(format!("{name}{PUB_SUFFIX}")),
        }
    }

    fn check_target(target: &KeyTarget) -> Result<(), WalletError> {
        match target {
            KeyTarget::Coldkey => Ok(()),
            KeyTarget::Hotkey(name) => validate_name("hotkey", name),
        }
    }

    /// Hotkey names: every key file in `hotkeys/`, plus names that exist only as a pub file.
    pub fn hotkey_names(&self) -> Result<Vec<String>, WalletError> {
        let dir = self.hotkeys_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&dir)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error(&dir))?;
            let Ok(file) = entry.file_name().into_string() else {
                continue;
            };
            if file.starts_with('.') || !entry.path().is_file() {
                continue;
            }
            let name = file.strip_suffix(PUB_SUFFIX).unwrap_or(&file).to_owned();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Public facts about a key without asking for a password: the pub file when there is one
    /// (it is what btcli reads), else the key file itself when it is plaintext.
    pub fn key_info(&self, target: &KeyTarget) -> Result<Option<KeyInfo>, WalletError> {
        Self::check_target(target)?;
        let name = match target {
            KeyTarget::Coldkey => COLDKEY.to_owned(),
            KeyTarget::Hotkey(n) => n.clone(),
        };
        let key_path = self.key_path(target);
        let pub_path = self.pub_path(target);
        let key_bytes = read_optional(&key_path)?;
        let pub_bytes = read_optional(&pub_path)?;
        if key_bytes.is_none() && pub_bytes.is_none() {
            return Ok(None);
        }
        let format = key_bytes
            .as_deref()
            .map(|b| KeyFormat::from(keyfile::detect(b)))
            .unwrap_or(KeyFormat::PubOnly);
        let mut info = KeyInfo {
            name,
            ss58: None,
            public_key: None,
            crypto_type: None,
            format,
            problem: None,
        };
        let from_pub = pub_bytes.as_deref().map(|b| {
            keydata::parse_pub_file(b).map_err(|e| format!("{}: {e}", pub_path.display()))
        });
        let from_plain_key = match (&key_bytes, format) {
            (Some(bytes), KeyFormat::Plain) => Some(
                KeyData::from_json(bytes)
                    .map(|d| PubKeyInfo {
                        public_key: d.public_key(),
                        ss58: d.ss58().to_owned(),
                        crypto_type: d.crypto_type(),
                    })
                    .map_err(|e| format!("{}: {e}", key_path.display())),
            ),
            _ => None,
        };
        match (from_pub, from_plain_key) {
            (Some(Ok(p)), _) | (None, Some(Ok(p))) | (Some(Err(_)), Some(Ok(p))) => {
                info.ss58 = Some(p.ss58);
                info.public_key = Some(p.public_key);
                info.crypto_type = Some(p.crypto_type);
            }
            (Some(Err(problem)), _) | (None, Some(Err(problem))) => info.problem = Some(problem),
            (None, None) => {
                info.problem = Some(format!(
                    "{} is missing, so the address is unknown until the key is unlocked",
                    pub_path.display()
                ));
            }
        }
        Ok(Some(info))
    }

    /// Reads and decrypts a key, and checks it against its pub file when there is one.
    pub fn unlock(
        &self,
        target: &KeyTarget,
        password: Option<&SecretString>,
    ) -> Result<Keypair, WalletError> {
        Self::check_target(target)?;
        let path = self.key_path(target);
        let data = self.read_key_data(&path, password)?;
        let keypair = data
            .to_keypair()
            .map_err(|source| WalletError::KeyData {
                path: path.clone(),
                source,
            })?
            .ok_or_else(|| WalletError::PublicOnly { path: path.clone() })?;
        self.check_against_pub(target, &path, keypair.public_key())?;
        Ok(keypair)
    }

    /// The key's storage format, or None when there is no key file.
    pub fn key_format(&self, target: &KeyTarget) -> Result<Option<KeyFormat>, WalletError> {
        Self::check_target(target)?;
        Ok(read_optional(&self.key_path(target))?
            .map(|bytes| KeyFormat::from(keyfile::detect(&bytes))))
    }

    fn read_key_data(
        &self,
        path: &Path,
        password: Option<&SecretString>,
    ) -> Result<KeyData, WalletError> {
        let bytes = read_optional(path)?.ok_or_else(|| WalletError::NotFound {
            what: "key file".to_owned(),
            path: path.to_path_buf(),
        })?;
        let plaintext = if keyfile::is_encrypted(&bytes) {
            let password = password.ok_or_else(|| WalletError::PasswordRequired {
                path: path.to_path_buf(),
            })?;
            keyfile::decrypt(&bytes, password).map_err(|source| WalletError::Keyfile {
                path: path.to_path_buf(),
                source,
            })?
        } else {
            zeroize::Zeroizing::new(bytes)
        };
        KeyData::from_json(&plaintext).map_err(|source| WalletError::KeyData {
            path: path.to_path_buf(),
            source,
        })
    }

    fn check_against_pub(
        &self,
        target: &KeyTarget,
        key_path: &Path,
        public: [u8; 32],
    ) -> Result<(), WalletError> {
        let pub_path = self.pub_path(target);
        if let Some(bytes) = read_optional(&pub_path)? {
            let info = keydata::parse_pub_file(&bytes).map_err(|source| WalletError::KeyData {
                path: pub_path.clone(),
                source,
            })?;
            if info.public_key != public {
                return Err(WalletError::PubMismatch {
                    key: key_path.to_path_buf(),
                    public: pub_path,
                });
            }
        }
        Ok(())
    }

    /// Writes a key and its pub file. `encryption` None stores plaintext JSON (btcli's default
    /// for hotkeys); coldkeys should always be encrypted, which the caller decides.
    pub fn write_key(
        &self,
        target: &KeyTarget,
        keypair: &Keypair,
        encryption: Option<(&SecretString, WriteFormat)>,
        mode: WriteMode,
    ) -> Result<WriteReport, WalletError> {
        Self::check_target(target)?;
        let key_path = self.key_path(target);
        let key_bytes = encode_key(&KeyData::from_keypair(keypair), encryption, &key_path)?;
        let pub_bytes = keydata::pub_file_json(&keypair.public_key(), keypair.crypto_type());
        self.write_pair(target, Some(key_bytes), pub_bytes, mode)
    }

    /// Stores only an address: a watch-only coldkey (`coldkeypub.txt` without `coldkey`).
    pub fn write_watch_only(
        &self,
        public: &[u8; 32],
        crypto: CryptoType,
        mode: WriteMode,
    ) -> Result<WriteReport, WalletError> {
        let pub_bytes = keydata::pub_file_json(public, crypto);
        if mode == WriteMode::CreateNew && self.coldkey_path().exists() {
            return Err(WalletError::AlreadyExists {
                path: self.coldkey_path(),
            });
        }
        self.write_pair(&KeyTarget::Coldkey, None, pub_bytes, mode)
    }

    fn write_pair(
        &self,
        target: &KeyTarget,
        key_bytes: Option<Vec<u8>>,
        pub_bytes: Vec<u8>,
        mode: WriteMode,
    ) -> Result<WriteReport, WalletError> {
        let key_path = self.key_path(target);
        let pub_path = self.pub_path(target);
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        if let Some(bytes) = key_bytes {
            files.push((key_path, bytes));
        }
        files.push((pub_path, pub_bytes));

        let mut report = WriteReport::default();
        match mode {
            WriteMode::CreateNew => {
                // Check all first so that a refusal writes nothing at all.
                if let Some((path, _)) = files.iter().find(|(p, _)| p.symlink_metadata().is_ok()) {
                    return Err(WalletError::AlreadyExists { path: path.clone() });
                }
                for (path, bytes) in &files {
                    atomic::write_new(path, bytes).map_err(|e| match e {
                        WriteError::AlreadyExists { path } => WalletError::AlreadyExists { path },
                        other => WalletError::Write(other),
                    })?;
                    report.written.push(path.clone());
                }
            }
            WriteMode::OverwriteWithBackup => {
                for (path, _) in &files {
                    if path.exists() {
                        report.backups.push(self.backup(target, path)?);
                    }
                }
                for (path, bytes) in &files {
                    atomic::replace(path, bytes)?;
                    report.written.push(path.clone());
                }
            }
        }
        Ok(report)
    }

    fn backup(&self, target: &KeyTarget, path: &Path) -> Result<PathBuf, WalletError> {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let label = match target {
            KeyTarget::Coldkey => file,
            KeyTarget::Hotkey(_) => format!("hotkeys-{file}"),
        };
        Ok(atomic::backup(path, &self.backups_dir(), &label)?)
    }

    /// Re-encrypts a key under a new password (and optionally a new format), keeping a backup.
    pub fn change_password(
        &self,
        target: &KeyTarget,
        old: &SecretString,
        new: &SecretString,
        format: Option<WriteFormat>,
    ) -> Result<WriteReport, WalletError> {
        Self::check_target(target)?;
        let path = self.key_path(target);
        let current = self
            .key_format(target)?
            .ok_or_else(|| WalletError::NotFound {
                what: format!("{target} file"),
                path: path.clone(),
            })?;
        if !current.is_encrypted() {
            return Err(WalletError::NotEncrypted { path });
        }
        let keypair = self.unlock(target, Some(old))?;
        let format = format.unwrap_or_else(|| default_rewrite_format(current));
        self.rewrite(target, &keypair, Some((new, format)))
    }

    /// Rewrites a key in another format. `password` opens the current file (if encrypted) and
    /// encrypts the new one; `format` None writes plaintext (only sensible for hotkeys).
    pub fn convert(
        &self,
        target: &KeyTarget,
        password: Option<&SecretString>,
        format: Option<WriteFormat>,
    ) -> Result<WriteReport, WalletError> {
        let keypair = self.unlock(target, password)?;
        match (format, password) {
            (Some(f), Some(pw)) => self.rewrite(target, &keypair, Some((pw, f))),
            (Some(_), None) => Err(WalletError::PasswordRequired {
                path: self.key_path(target),
            }),
            (None, _) => self.rewrite(target, &keypair, None),
        }
    }

    fn rewrite(
        &self,
        target: &KeyTarget,
        keypair: &Keypair,
        encryption: Option<(&SecretString, WriteFormat)>,
    ) -> Result<WriteReport, WalletError> {
        let key_path = self.key_path(target);
        let key_bytes = encode_key(&KeyData::from_keypair(keypair), encryption, &key_path)?;
        // Round-trip before replacing anything: a bug here must never cost the user a key.
        if let Some((password, _)) = encryption {
            let back =
                keyfile::decrypt(&key_bytes, password).map_err(|source| WalletError::Keyfile {
                    path: key_path.clone(),
                    source,
                })?;
            let data = KeyData::from_json(&back).map_err(|source| WalletError::KeyData {
                path: key_path.clone(),
                source,
            })?;
            if data.public_key() != keypair.public_key() {
                return Err(WalletError::PubMismatch {
                    key: key_path,
                    public: self.pub_path(target),
                });
            }
        }
        let mut report = WriteReport::default();
        report.backups.push(self.backup(target, &key_path)?);
        atomic::replace(&key_path, &key_bytes)?;
        report.written.push(key_path);
        Ok(report)
    }

    /// True when `candidate` (derived from the user's backup) is the key stored in this wallet.
    /// Compares public keys only, so no password is needed.
    pub fn matches_backup(
        &self,
        target: &KeyTarget,
        candidate: &Keypair,
    ) -> Result<bool, WalletError> {
        let info = self
            .key_info(target)?
            .ok_or_else(|| WalletError::NotFound {
                what: target.to_string(),
                path: self.key_path(target),
            })?;
        match info.public_key {
            Some(pk) => Ok(pk == candidate.public_key()),
            None => Err(WalletError::NotFound {
                what: format!("public key of the {target}"),
                path: self.pub_path(target),
            }),
        }
    }
}

/// btcli-made files stay btcli-readable when their password changes; legacy formats that
/// bittensor-wallet can no longer write move to `$NACL`, native stays native.
fn default_rewrite_format(current: KeyFormat) -> WriteFormat {
    match current {
        KeyFormat::Native => WriteFormat::Native(Default::default()),
        _ => WriteFormat::Nacl,
    }
}

fn encode_key(
    data: &KeyData,
    encryption: Option<(&SecretString, WriteFormat)>,
    path: &Path,
) -> Result<Vec<u8>, WalletError> {
    let json = data.to_json();
    match encryption {
        None => Ok(json.to_vec()),
        Some((password, format)) => {
            keyfile::encrypt(&json, password, format).map_err(|source| WalletError::Keyfile {
                path: path.to_path_buf(),
                source,
            })
        }
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, WalletError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path)(e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_the_folder_are_refused() {
        for bad in ["", ".", "..", "../x", "a/b", ".hidden", "a\0b", "x\n"] {
            assert!(validate_name("wallet", bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_name("hotkey", "defaultpub.txt").is_err());
        for good in ["default", "my wallet", "validator-1", "ключ"] {
            validate_name("wallet", good).unwrap();
        }
    }

    #[test]
    fn root_resolution_follows_btcli_order() {
        let home = Path::new("/home/u");
        let r =
            WalletRoot::resolve_with(Some(Path::new("/x")), Some(Path::new("/env")), Some(home));
        assert_eq!(r.unwrap().path(), Path::new("/x"));
        let r = WalletRoot::resolve_with(None, Some(Path::new("~/w")), Some(home));
        assert_eq!(r.unwrap().path(), Path::new("/home/u/w"));
        let r = WalletRoot::resolve_with(None, None, Some(home));
        assert_eq!(r.unwrap().path(), Path::new("/home/u/.bittensor/wallets"));
        assert!(matches!(
            WalletRoot::resolve_with(None, None, None),
            Err(WalletError::NoHome)
        ));
    }

    #[test]
    fn listing_a_missing_root_is_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let root = WalletRoot::new(tmp.path().join("nope"));
        assert!(root.wallet_names().unwrap().is_empty());
    }

    #[test]
    fn hotkey_names_merge_key_and_pub_files() {
        let tmp = tempfile::tempdir().unwrap();
        let w = WalletRoot::new(tmp.path()).wallet("w").unwrap();
        let hk = w.hotkeys_dir();
        fs::create_dir_all(&hk).unwrap();
        for f in [
            "default",
            "defaultpub.txt",
            "onlypubpub.txt",
            ".default.tmp-1",
            "b",
        ] {
            fs::write(hk.join(f), b"{}").unwrap();
        }
        assert_eq!(w.hotkey_names().unwrap(), vec!["b", "default", "onlypub"]);
    }
}
