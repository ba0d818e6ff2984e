//! `config.toml`: network, wallet root, theme, price tolerance and the default key format.

use std::path::{Path, PathBuf};

use crate::action::KeyFileFormat;
use crate::amount::Tolerance;

use super::ConfigError;

pub const SETTINGS_KEYS: [&str; 7] = [
    "network",
    "wallet_path",
    "theme",
    "tolerance",
    "default_format",
    "mev_shield",
    "archive",
];

/// The settings file, every key optional (command-line options win over it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    pub network: Option<String>,
    pub wallet_path: Option<PathBuf>,
    pub theme: Option<String>,
    /// Price tolerance for stake and unstake limits (default 0.5%).
    pub tolerance_bps: Option<u32>,
    pub default_format: Option<KeyFileFormat>,
    /// `false` sends stake-trading calls in the clear where the runtime has MevShield (default: shielded).
    pub mev_shield: Option<bool>,
    /// Archive endpoints for reads at blocks the connected node has pruned (earnings, history), tried in order.
    pub archive: Vec<String>,
}

impl Settings {
    /// Parses the text of a settings file.
    pub fn from_toml_str(text: &str) -> Result<Settings, ConfigError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::Syntax(e.message().to_owned()))?;
        let mut s = Settings::default();
        for (key, value) in &table {
            let text = || {
                value.as_str().map(str::to_owned).ok_or_else(|| {
                    ConfigError::Invalid(format!("setting `{key}` must be a string in quotes"))
                })
            };
            match key.as_str() {
                // A TOML array is a list of endpoints, tried in order (the same as commas on the command line).
                "network" => {
                    s.network = Some(match value.as_array() {
                        Some(items) => items
                            .iter()
                            .map(|v| v.as_str().map(str::to_owned))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                ConfigError::Invalid(
                                "setting `network` must be a string or a list of strings in quotes"
                                    .to_owned(),
                            )
                            })?
                            .join(","),
                        None => text()?,
                    })
                }
                "archive" => {
                    s.archive = match value.as_array() {
                        Some(items) => items
                            .iter()
                            .map(|v| v.as_str().map(str::to_owned))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                ConfigError::Invalid(
                                    "setting `archive` must be a URL or a list of URLs in quotes"
                                        .to_owned(),
                                )
                            })?,
                        None => vec![text()?],
                    }
                }
                "wallet_path" => s.wallet_path = Some(PathBuf::from(text()?)),
                "theme" => s.theme = Some(text()?),
                "tolerance" => {
                    let raw = match value {
                        toml::Value::Float(f) => f.to_string(),
                        toml::Value::Integer(i) => i.to_string(),
                        _ => text()?,
                    };
                    let bad = || {
                        ConfigError::Invalid(format!(
                            "setting `tolerance` has `{raw}`; give a percentage from 0 to 100 such as 0.5 (for 0.5%)"
                        ))
                    };
                    let digits = raw.trim_end_matches('%');
                    Tolerance::parse_percent(digits).map_err(|_| bad())?;
                    s.tolerance_bps = Some(percent_to_bps(digits).ok_or_else(bad)?);
                }
                "default_format" => {
                    s.default_format = Some(match text()?.as_str() {
                        "native" => KeyFileFormat::Native,
                        "btcli" => KeyFileFormat::Btcli,
                        other => {
                            return Err(ConfigError::Invalid(format!(
                                "setting `default_format` has `{other}`; use \"native\" or \"btcli\""
                            )));
                        }
                    })
                }
                "mev_shield" => {
                    s.mev_shield = Some(value.as_bool().ok_or_else(|| {
                        ConfigError::Invalid(
                            "setting `mev_shield` must be true or false (without quotes)"
                                .to_owned(),
                        )
                    })?)
                }
                other => {
                    return Err(ConfigError::UnknownKey {
                        key: other.to_owned(),
                        section: "settings".to_owned(),
                        known: SETTINGS_KEYS.join(", "),
                    });
                }
            }
        }
        Ok(s)
    }

    /// Reads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Settings::from_toml_str(&text).map_err(|e| e.in_file(&path.display().to_string()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(ConfigError::Read(path.display().to_string(), e.to_string())),
        }
    }
}

/// "0.5" -> 50 basis points; at most two decimals (a basis point is 0.01%).
fn percent_to_bps(text: &str) -> Option<u32> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int: u32 = int.parse().ok()?;
    let frac: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    let bps = int.checked_mul(100)?.checked_add(frac)?;
    (bps <= 10_000).then_some(bps)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let s = Settings::from_toml_str(
            "network = \"local\"\nwallet_path = \"/w\"\ntheme = \"light\"\ntolerance = 1.5\ndefault_format = \"btcli\"\n",
        )
        .unwrap();
        assert_eq!(s.network.as_deref(), Some("local"));
        assert_eq!(s.wallet_path, Some(PathBuf::from("/w")));
        assert_eq!(s.tolerance_bps, Some(150));
        assert_eq!(s.default_format, Some(KeyFileFormat::Btcli));
        let list = Settings::from_toml_str("network = [\"ws://a:1\", \"finney\"]\n").unwrap();
        assert_eq!(list.network.as_deref(), Some("ws://a:1,finney"));
        assert!(Settings::from_toml_str("network = [1]\n").is_err());
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Settings::from_toml_str("netwrk = \"x\"").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown key `netwrk` in the settings; the known keys are: network, wallet_path, theme, tolerance, default_format, mev_shield"
        );
        let off = Settings::from_toml_str("mev_shield = false\n").unwrap();
        assert_eq!(off.mev_shield, Some(false));
        let err = Settings::from_toml_str("mev_shield = \"no\"\n").unwrap_err();
        assert!(err.to_string().contains("true or false"), "{err}");
    }

    #[test]
    fn missing_file_is_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Settings::load(&dir.path().join("none.toml")).unwrap(),
            Settings::default()
        );
    }
}
