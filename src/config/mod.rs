//! User configuration: settings, colour themes and key bindings, each a TOML file with
//! defaults embedded in the binary and user files laid over them.

pub mod keymap;
pub mod private_fs;
pub mod settings;
pub mod settings_edit;
pub mod theme;

use std::path::PathBuf;

use thiserror::Error;

/// Anything wrong with a configuration file. Messages are exact and tested against the
/// fixtures in `tests/invalid_configs/`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("could not read {0}: {1}")]
    Read(String, String),
    #[error("the file is not valid TOML: {0}")]
    Syntax(String),
    #[error("unknown key `{key}` in the {section}; the known keys are: {known}")]
    UnknownKey {
        key: String,
        section: String,
        known: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{file}: {inner}")]
    InFile {
        file: String,
        inner: Box<ConfigError>,
    },
}

impl ConfigError {
    pub fn in_file(self, file: &str) -> ConfigError {
        ConfigError::InFile {
            file: file.to_owned(),
            inner: Box::new(self),
        }
    }
}

/// `$XDG_CONFIG_HOME/taotui` (or the platform's equivalent).
pub fn config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("taotui"))
}

/// The user's `config.toml` (defaults when there is no config folder or file).
pub fn load_settings() -> Result<settings::Settings, ConfigError> {
    match config_dir() {
        Some(dir) => settings::Settings::load(&dir.join("config.toml")),
        None => Ok(settings::Settings::default()),
    }
}

/// The wallet folder for the CLI and the TUI alike: `--wallet-path`, else `BT_WALLET_PATH`, else
/// the config file's `wallet_path`, else btcli's default.
pub fn wallet_path(
    explicit: Option<&std::path::Path>,
    settings: &settings::Settings,
) -> Option<PathBuf> {
    explicit.map(PathBuf::from).or_else(|| {
        // The config file counts only when neither the option nor btcli's variable names one.
        std::env::var_os(taotui_keystore::wallet::WALLET_PATH_ENV)
            .filter(|v| !v.is_empty())
            .is_none()
            .then(|| settings.wallet_path.clone())
            .flatten()
    })
}

/// `$TAOTUI_DATA_DIR`, else `$XDG_DATA_HOME/taotui`: logs and history (the history finds its
/// folder the same way).
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os(crate::chain::history::DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("taotui")))
}
