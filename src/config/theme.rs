//! Colour themes: flat semantic keys in TOML. Built-ins are embedded; a user file in
//! `<config>/themes/NAME.toml` is laid over the built-in of the same name (or over the default
//! theme for a new name), so a user theme may set only the keys it changes.

use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use super::ConfigError;

/// Every key a theme file may set.
pub const THEME_KEYS: [&str; 11] = [
    "background",
    "text",
    "muted",
    "border",
    "accent",
    "title",
    "selection_bg",
    "selection_fg",
    "positive",
    "negative",
    "warning",
];

/// Built-in themes: (name, file contents).
pub const BUILTIN_THEMES: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Resolved colours. `monochrome` is set under `NO_COLOR`: styles then rely on modifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub background: Color,
    pub text: Color,
    pub muted: Color,
    pub border: Color,
    pub accent: Color,
    pub title: Color,
    pub selection_bg: Color,
    pub selection_fg: Color,
    pub positive: Color,
    pub negative: Color,
    pub warning: Color,
    pub monochrome: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("default").unwrap_or_else(|_| Theme::monochrome("default"))
    }
}

impl Theme {
    /// A theme without colours, for `NO_COLOR` and terminals that cannot show any.
    pub fn monochrome(name: &str) -> Theme {
        Theme {
            name: name.to_owned(),
            background: Color::Reset,
            text: Color::Reset,
            muted: Color::Reset,
            border: Color::Reset,
            accent: Color::Reset,
            title: Color::Reset,
            selection_bg: Color::Reset,
            selection_fg: Color::Reset,
            positive: Color::Reset,
            negative: Color::Reset,
            warning: Color::Reset,
            monochrome: true,
        }
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Result<Theme, ConfigError> {
        let text = builtin_text(name).ok_or_else(|| unknown_theme(name))?;
        let mut theme = Theme::monochrome(name);
        theme.monochrome = false;
        theme.apply_toml(text)?;
        Ok(theme)
    }

    /// Parses a complete theme file over the default theme (what a user theme is laid on).
    pub fn from_toml_str(name: &str, text: &str) -> Result<Theme, ConfigError> {
        let mut theme = Theme::builtin("default")?;
        theme.name = name.to_owned();
        theme.apply_toml(text)?;
        Ok(theme)
    }

    /// Loads `name`: the built-in of that name, with `<config_dir>/themes/<name>.toml` laid over it.
    /// `no_color` turns every colour off (the `NO_COLOR` convention).
    pub fn load(
        name: &str,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ConfigError> {
        if no_color {
            return Ok(Theme::monochrome(name));
        }
        let user_file = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
        let user_text = match &user_file {
            Some(path) if path.is_file() => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::Read(path.display().to_string(), e.to_string()))?,
            ),
            _ => None,
        };
        let mut theme = match (builtin_text(name), &user_text) {
            (Some(_), _) => Theme::builtin(name)?,
            (None, Some(_)) => {
                let mut t = Theme::builtin("default")?;
                t.name = name.to_owned();
                t
            }
            (None, None) => return Err(unknown_theme(name)),
        };
        if let (Some(text), Some(path)) = (user_text, user_file) {
            theme
                .apply_toml(&text)
                .map_err(|e| e.in_file(&path.display().to_string()))?;
        }
        Ok(theme)
    }

    /// Sets the keys present in `text`; unknown keys and bad colours are errors.
    fn apply_toml(&mut self, text: &str) -> Result<(), ConfigError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::Syntax(e.message().to_owned()))?;
        for (key, value) in &table {
            let Some(s) = value.as_str() else {
                return Err(ConfigError::Invalid(format!(
                    "theme key `{key}` must be a colour in quotes, like \"#ff8700\" or \"red\""
                )));
            };
            let color = Color::from_str(s).map_err(|_| {
                ConfigError::Invalid(format!(
                    "theme key `{key}` has `{s}`, which is not a colour; use a name like \"red\", \"#rrggbb\" or \"reset\""
                ))
            })?;
            let slot = match key.as_str() {
                "background" => &mut self.background,
                "text" => &mut self.text,
                "muted" => &mut self.muted,
                "border" => &mut self.border,
                "accent" => &mut self.accent,
                "title" => &mut self.title,
                "selection_bg" => &mut self.selection_bg,
                "selection_fg" => &mut self.selection_fg,
                "positive" => &mut self.positive,
                "negative" => &mut self.negative,
                "warning" => &mut self.warning,
                other => {
                    return Err(ConfigError::UnknownKey {
                        key: other.to_owned(),
                        section: "theme".to_owned(),
                        known: THEME_KEYS.join(", "),
                    });
                }
            };
            *slot = color;
        }
        Ok(())
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.text).bg(self.background)
    }

    pub fn muted(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            Style::default().fg(self.muted)
        }
    }

    pub fn border(&self) -> Style {
        Style::default().fg(self.border)
    }

    pub fn accent(&self) -> Style {
        Style::default()
            .fg(self.accent)
            .add_modifier(Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        Style::default().fg(self.title).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().fg(self.selection_fg).bg(self.selection_bg)
        }
    }

    pub fn positive(&self) -> Style {
        Style::default().fg(self.positive)
    }

    /// Losses and failures. Bold so they stand out without colour too.
    pub fn negative(&self) -> Style {
        Style::default()
            .fg(self.negative)
            .add_modifier(Modifier::BOLD)
    }

    /// Errors and warnings: always the theme's warning colour.
    pub fn warning(&self) -> Style {
        Style::default()
            .fg(self.warning)
            .add_modifier(Modifier::BOLD)
    }
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN_THEMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

fn unknown_theme(name: &str) -> ConfigError {
    let names: Vec<&str> = BUILTIN_THEMES.iter().map(|(n, _)| *n).collect();
    ConfigError::Invalid(format!(
        "there is no theme named `{name}`; the built-in themes are {}, or put {name}.toml in the themes folder of the config directory",
        names.join(", ")
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_sets_every_key() {
        for (name, text) in BUILTIN_THEMES {
            let table: toml::Table = toml::from_str(text).unwrap();
            for key in THEME_KEYS {
                assert!(table.contains_key(key), "{name} lacks {key}");
            }
            Theme::builtin(name).unwrap();
        }
    }

    #[test]
    fn user_theme_overrides_only_the_keys_it_sets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/light.toml"),
            "warning = \"#010203\"\n",
        )
        .unwrap();
        let theme = Theme::load("light", Some(dir.path()), false).unwrap();
        let builtin = Theme::builtin("light").unwrap();
        assert_eq!(theme.warning, Color::Rgb(1, 2, 3));
        assert_eq!(theme.accent, builtin.accent);
    }

    #[test]
    fn no_color_gives_a_theme_without_colours() {
        let theme = Theme::load("default", None, true).unwrap();
        assert!(theme.monochrome);
        assert_eq!(theme.warning, Color::Reset);
        assert!(theme.warning().add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn unknown_keys_and_names_are_refused() {
        let err = Theme::from_toml_str("x", "warnnig = \"red\"").unwrap_err();
        assert!(err.to_string().contains("unknown key `warnnig`"), "{err}");
        let err = Theme::load("nope", None, false).unwrap_err();
        assert!(err.to_string().contains("no theme named `nope`"), "{err}");
    }
}
