//! Writes one setting into the user's `config.toml` from the app: the `[wallets.NAME] proxy` key. The file is
//! edited in place (its other keys, comments and layout stay as the user wrote them), checked to still load, and
//! replaced atomically.

use std::path::Path;

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::ConfigError;
use super::settings::Settings;

/// Sets (`Some`) or clears (`None`) the proxy wallet that signs `wallet`'s staking, in the file at `path` (created
/// when missing).
pub fn set_wallet_proxy(path: &Path, wallet: &str, proxy: Option<&str>) -> Result<(), ConfigError> {
    let file = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ConfigError::Read(file, e.to_string())),
    };
    let edited = with_wallet_proxy(&text, wallet, proxy).map_err(|e| e.in_file(&file))?;
    super::private_fs::write_private_atomic(path, edited.as_bytes()).map_err(|e| {
        ConfigError::Invalid(format!(
            "could not write {file}: {e}; check that the folder is writable"
        ))
    })
}

/// The file's text with the setting changed; the result is checked to load as settings before it is written.
pub fn with_wallet_proxy(
    text: &str,
    wallet: &str,
    proxy: Option<&str>,
) -> Result<String, ConfigError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| ConfigError::Syntax(e.message().to_owned()))?;
    let not_tables = || {
        ConfigError::Invalid(
            "setting `wallets` must be tables like [wallets.NAME] with proxy = \"WALLET\"; fix it by hand first"
                .to_owned(),
        )
    };
    match proxy {
        Some(proxy) => {
            if !doc.contains_key("wallets") {
                let mut t = Table::new();
                // No empty `[wallets]` header: only `[wallets.NAME]` is written.
                t.set_implicit(true);
                doc.insert("wallets", Item::Table(t));
            }
            let wallets = doc
                .get_mut("wallets")
                .and_then(Item::as_table_like_mut)
                .ok_or_else(not_tables)?;
            if !wallets.contains_key(wallet) {
                let item = if wallets.is_dotted() || is_inline(wallets) {
                    Item::Value(Value::InlineTable(InlineTable::new()))
                } else {
                    Item::Table(Table::new())
                };
                wallets.insert(wallet, item);
            }
            let table = wallets
                .get_mut(wallet)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(not_tables)?;
            table.insert("proxy", toml_edit::value(proxy));
        }
        None => {
            if let Some(wallets) = doc.get_mut("wallets").and_then(Item::as_table_like_mut) {
                let emptied = match wallets.get_mut(wallet).and_then(Item::as_table_like_mut) {
                    Some(table) => {
                        table.remove("proxy");
                        table.is_empty()
                    }
                    None => false,
                };
                if emptied {
                    wallets.remove(wallet);
                }
                if wallets.is_empty() {
                    doc.remove("wallets");
                }
            }
        }
    }
    let out = doc.to_string();
    Settings::from_toml_str(&out)?;
    Ok(out)
}

fn is_inline(t: &dyn TableLike) -> bool {
    // An inline table's entries are values; a standard table's would be tables.
    t.iter().any(|(_, item)| item.is_inline_table())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const FILE: &str = "# my settings\nnetwork = \"local\" # where I test\n\n[wallets.other]\n# kept\nproxy = \"x\"\n";

    #[test]
    fn setting_a_proxy_keeps_every_other_line_and_comment() {
        let out = with_wallet_proxy(FILE, "cold", Some("hot")).unwrap();
        assert!(out.starts_with(FILE), "{out}");
        assert!(out.ends_with("[wallets.cold]\nproxy = \"hot\"\n"), "{out}");
        assert!(!out.contains("[wallets]\n"), "{out}");
        let s = Settings::from_toml_str(&out).unwrap();
        assert_eq!(s.wallet_proxy("cold"), Some("hot"));
        assert_eq!(s.wallet_proxy("other"), Some("x"));
        // Changing it edits the value in place.
        let again = with_wallet_proxy(&out, "cold", Some("hot2")).unwrap();
        assert_eq!(again, out.replace("\"hot\"", "\"hot2\""));
    }

    #[test]
    fn clearing_removes_the_key_and_an_emptied_table_only() {
        let set = with_wallet_proxy(FILE, "cold", Some("hot")).unwrap();
        let cleared = with_wallet_proxy(&set, "cold", None).unwrap();
        assert_eq!(cleared, FILE);
        let other = with_wallet_proxy(FILE, "other", None).unwrap();
        assert_eq!(other, "# my settings\nnetwork = \"local\" # where I test\n");
        assert_eq!(with_wallet_proxy("", "cold", None).unwrap(), "");
    }

    #[test]
    fn an_empty_file_and_inline_tables_work_and_a_bad_setting_is_refused() {
        let out = with_wallet_proxy("", "my.cold", Some("hot")).unwrap();
        assert_eq!(
            Settings::from_toml_str(&out)
                .unwrap()
                .wallet_proxy("my.cold"),
            Some("hot")
        );
        let inline = "wallets = { a = { proxy = \"b\" } }\n";
        let out = with_wallet_proxy(inline, "c", Some("d")).unwrap();
        let s = Settings::from_toml_str(&out).unwrap();
        assert_eq!(
            (s.wallet_proxy("a"), s.wallet_proxy("c")),
            (Some("b"), Some("d"))
        );
        assert!(with_wallet_proxy("wallets = 3\n", "c", Some("d")).is_err());
        // The settings' own rule: a wallet cannot be its own proxy.
        assert!(with_wallet_proxy("", "c", Some("c")).is_err());
        assert!(with_wallet_proxy("network = [", "c", Some("d")).is_err());
    }

    #[test]
    fn the_file_is_written_atomically_and_created_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        set_wallet_proxy(&path, "cold", Some("hot")).unwrap();
        let s = Settings::load(&path).unwrap();
        assert_eq!(s.wallet_proxy("cold"), Some("hot"));
        set_wallet_proxy(&path, "cold", None).unwrap();
        assert_eq!(Settings::load(&path).unwrap().wallet_proxy("cold"), None);
    }
}
