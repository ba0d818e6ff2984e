//! Every built-in theme and every file in tests/valid_configs loads; every file in
//! tests/invalid_configs fails with exactly the message on its first line (`# error: ...`).
//! The file name prefix says what the file is: settings_, theme_ or keymap_.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use taotui::config::ConfigError;
use taotui::config::keymap::Keymap;
use taotui::config::settings::Settings;
use taotui::config::theme::{BUILTIN_THEMES, Theme};

fn load(path: &Path) -> Result<(), ConfigError> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    if name.starts_with("settings_") {
        Settings::from_toml_str(&text).map(|_| ())
    } else if name.starts_with("theme_") {
        Theme::from_toml_str("user", &text).map(|_| ())
    } else if name.starts_with("keymap_") {
        Keymap::default().overlay(&text, false)
    } else {
        panic!("{name}: fixture names start with settings_, theme_ or keymap_");
    }
}

fn fixtures(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

#[test]
fn built_in_themes_load() {
    let themes = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let mut on_disk: Vec<String> = std::fs::read_dir(themes)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = BUILTIN_THEMES
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "every file in themes/ is embedded");
    for name in embedded {
        Theme::builtin(&name).unwrap();
    }
}

#[test]
fn valid_configs_load() {
    for path in fixtures("valid_configs") {
        if let Err(e) = load(&path) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn invalid_configs_fail_with_the_exact_message() {
    for path in fixtures("invalid_configs") {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# error: "))
            .unwrap_or_else(|| {
                panic!(
                    "{}: first line must be `# error: <message>`",
                    path.display()
                )
            });
        match load(&path) {
            Ok(()) => panic!("{} loaded but must fail", path.display()),
            Err(e) => assert_eq!(e.to_string(), expected, "{}", path.display()),
        }
    }
}

#[test]
fn user_files_in_the_config_folder_are_laid_over_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[global]\nquit = { keys = [\"x\"] }\n",
    )
    .unwrap();
    let map = Keymap::load(Some(dir.path())).unwrap();
    assert_eq!(
        map.lookup(
            taotui::config::keymap::Context::Global,
            taotui::action::KeyPress::char('x')
        ),
        Some(taotui::config::keymap::Command::Quit)
    );
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[global]\nquit = { keys = [\"nope-key\"] }\n",
    )
    .unwrap();
    let err = Keymap::load(Some(dir.path())).unwrap_err().to_string();
    assert!(
        err.contains("keymap.toml") && err.contains("`nope-key` is not a key"),
        "{err}"
    );
}
