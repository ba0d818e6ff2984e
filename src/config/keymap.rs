//! Key bindings: TOML sections per screen, each binding with its keys and a description that
//! feeds the help overlay. Defaults are embedded; a user file rebinds any of them.

use std::path::Path;

use crossterm::event::{KeyCode, KeyModifiers};

use crate::action::KeyPress;

use super::ConfigError;

pub const DEFAULT_KEYMAP: &str = include_str!("default_keymap.toml");

/// Where a binding applies. `Global` bindings apply on every screen, after the screen's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Wallets,
    Portfolio,
    Validators,
    History,
    /// The stake, unstake and swap dialogs (their limit price: tolerance and partial fill).
    StakeForm,
}

impl Context {
    pub const ALL: [Context; 6] = [
        Context::Global,
        Context::Wallets,
        Context::Portfolio,
        Context::Validators,
        Context::History,
        Context::StakeForm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Wallets => "wallets",
            Context::Portfolio => "portfolio",
            Context::Validators => "validators",
            Context::History => "history",
            Context::StakeForm => "stake_form",
        }
    }

    fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    NextTab,
    PrevTab,
    WalletsTab,
    PortfolioTab,
    ValidatorsTab,
    NetworkTab,
    HistoryTab,
    Up,
    Down,
    Select,
    Back,
    Refresh,
    NewWallet,
    Restore,
    NewHotkey,
    WatchOnly,
    AddAddress,
    RemoveAddress,
    ChangePassword,
    Convert,
    Copy,
    Qr,
    Sort,
    StakeMore,
    Unstake,
    MoveStake,
    SwapStake,
    TransferStake,
    Transfer,
    ChartSplit,
    ValueChart,
    NextRange,
    PrevRange,
    Export,
    HideBalances,
    Filter,
    NextSubnet,
    PrevSubnet,
    Stake,
    ToleranceUp,
    ToleranceDown,
    TogglePartial,
    ToggleShield,
    /// In a signing dialog's confirm step: write the unsigned transaction for an offline machine instead.
    SignOffline,
    /// Submit a transaction signed offline (`taotui sign`), from its file.
    SubmitSigned,
    /// Portfolio: mark or unmark the selected position for a rebalance.
    Mark,
    /// Portfolio: change the marked positions in one batch.
    Rebalance,
    /// Grant a proxy of the selected wallet's coldkey.
    AddProxy,
    /// Revoke one of the selected wallet's proxies.
    RemoveProxy,
    /// Set or clear the proxy wallet that signs the selected wallet's staking.
    WalletProxy,
}

impl Command {
    fn from_name(context: Context, name: &str) -> Option<Command> {
        use Command::*;
        let c = match (context, name) {
            (Context::Global, "quit") => Quit,
            (Context::Global, "help") => Help,
            (Context::Global, "next_tab") => NextTab,
            (Context::Global, "prev_tab") => PrevTab,
            (Context::Global, "wallets_tab") => WalletsTab,
            (Context::Global, "portfolio_tab") => PortfolioTab,
            (Context::Global, "validators_tab") => ValidatorsTab,
            (Context::Global, "network_tab") => NetworkTab,
            (Context::Global, "history_tab") => HistoryTab,
            (Context::Global, "up") => Up,
            (Context::Global, "down") => Down,
            (Context::Global, "select") => Select,
            (Context::Global, "back") => Back,
            (Context::Global, "refresh") => Refresh,
            (Context::Global, "hide_balances") => HideBalances,
            (Context::Wallets, "new_wallet") => NewWallet,
            (Context::Wallets, "restore") => Restore,
            (Context::Wallets, "new_hotkey") => NewHotkey,
            (Context::Wallets, "watch_only") => WatchOnly,
            (Context::Wallets, "add_address") => AddAddress,
            (Context::Wallets, "remove_address") => RemoveAddress,
            (Context::Wallets, "change_password") => ChangePassword,
            (Context::Wallets, "convert") => Convert,
            (Context::Wallets, "copy") => Copy,
            (Context::Wallets, "qr") => Qr,
            (Context::Wallets, "add_proxy") => AddProxy,
            (Context::Wallets, "remove_proxy") => RemoveProxy,
            (Context::Wallets, "proxy_wallet") => WalletProxy,
            (Context::Portfolio | Context::Validators, "sort") => Sort,
            (Context::Portfolio, "stake_more") => StakeMore,
            (Context::Portfolio, "unstake") => Unstake,
            (Context::Portfolio, "move_stake") => MoveStake,
            (Context::Portfolio, "swap_stake") => SwapStake,
            (Context::Portfolio, "transfer_stake") => TransferStake,
            (Context::Portfolio, "chart_split") => ChartSplit,
            (Context::Portfolio, "mark") => Mark,
            (Context::Portfolio, "rebalance") => Rebalance,
            (Context::Portfolio, "value_chart") => ValueChart,
            (Context::Portfolio | Context::History, "next_range") => NextRange,
            (Context::Portfolio | Context::History, "prev_range") => PrevRange,
            (Context::Portfolio | Context::History, "export") => Export,
            (Context::Portfolio | Context::Wallets, "transfer") => Transfer,
            (Context::Validators, "filter") => Filter,
            (Context::Validators, "next_subnet") => NextSubnet,
            (Context::Validators, "prev_subnet") => PrevSubnet,
            (Context::Validators, "stake") => Stake,
            (Context::StakeForm, "tolerance_up") => ToleranceUp,
            (Context::StakeForm, "tolerance_down") => ToleranceDown,
            (Context::StakeForm, "partial_fill") => TogglePartial,
            (Context::StakeForm, "mev_shield") => ToggleShield,
            (Context::StakeForm, "sign_offline") => SignOffline,
            (Context::History, "submit_signed") => SubmitSigned,
            _ => return None,
        };
        Some(c)
    }
}

/// One binding as the help overlay lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub name: String,
    pub command: Command,
    pub keys: Vec<KeyPress>,
    pub key_names: Vec<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_toml_str(DEFAULT_KEYMAP).unwrap_or(Keymap {
            bindings: Vec::new(),
        })
    }
}

impl Keymap {
    /// Parses a complete keymap (every binding must have a description).
    pub fn from_toml_str(text: &str) -> Result<Keymap, ConfigError> {
        let mut map = Keymap {
            bindings: Vec::new(),
        };
        map.overlay(text, true)?;
        Ok(map)
    }

    /// The defaults with `<config_dir>/keymap.toml` laid over them.
    pub fn load(config_dir: Option<&Path>) -> Result<Keymap, ConfigError> {
        let mut map = Keymap::default();
        if let Some(path) = config_dir
            .map(|d| d.join("keymap.toml"))
            .filter(|p| p.is_file())
        {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::Read(path.display().to_string(), e.to_string()))?;
            map.overlay(&text, false)
                .map_err(|e| e.in_file(&path.display().to_string()))?;
        }
        Ok(map)
    }

    /// Rebinds what `text` names; with `complete`, each binding also needs a description.
    pub fn overlay(&mut self, text: &str, complete: bool) -> Result<(), ConfigError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::Syntax(e.message().to_owned()))?;
        for (section, bindings) in &table {
            let context = Context::from_name(section).ok_or_else(|| ConfigError::UnknownKey {
                key: section.clone(),
                section: "keymap".to_owned(),
                known: Context::ALL.map(Context::name).join(", "),
            })?;
            let Some(bindings) = bindings.as_table() else {
                return Err(ConfigError::Invalid(format!(
                    "keymap section [{section}] must be a table of bindings"
                )));
            };
            for (name, spec) in bindings {
                let command =
                    Command::from_name(context, name).ok_or_else(|| ConfigError::UnknownKey {
                        key: name.clone(),
                        section: format!("keymap section [{section}]"),
                        known: self.names_in(context, text),
                    })?;
                let binding = parse_binding(context, name, command, spec, complete)?;
                self.set(binding);
            }
        }
        Ok(())
    }

    fn names_in(&self, context: Context, _text: &str) -> String {
        let source = Keymap::default();
        let names: Vec<&str> = source
            .bindings
            .iter()
            .filter(|b| b.context == context)
            .map(|b| b.name.as_str())
            .collect();
        if names.is_empty() {
            self.bindings
                .iter()
                .filter(|b| b.context == context)
                .map(|b| b.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            names.join(", ")
        }
    }

    fn set(&mut self, mut binding: Binding) {
        if let Some(existing) = self
            .bindings
            .iter_mut()
            .find(|b| b.context == binding.context && b.name == binding.name)
        {
            if binding.description.is_empty() {
                binding.description = std::mem::take(&mut existing.description);
            }
            *existing = binding;
        } else {
            self.bindings.push(binding);
        }
    }

    /// The command `key` triggers on a screen with `context` (the screen's bindings first).
    pub fn lookup(&self, context: Context, key: KeyPress) -> Option<Command> {
        let key = normalize(key);
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(&key))
                .map(|b| b.command)
        };
        if context == Context::Global {
            return find(Context::Global);
        }
        find(context).or_else(|| find(Context::Global))
    }

    /// Bindings of `context`, in file order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// The first key name bound to `command` in `context` (for hints in the UI).
    pub fn key_for(&self, context: Context, command: Command) -> String {
        self.bindings
            .iter()
            .find(|b| {
                (b.context == context || b.context == Context::Global) && b.command == command
            })
            .and_then(|b| b.key_names.first().cloned())
            .unwrap_or_else(|| "?".to_owned())
    }
}

fn parse_binding(
    context: Context,
    name: &str,
    command: Command,
    spec: &toml::Value,
    complete: bool,
) -> Result<Binding, ConfigError> {
    let where_ = format!("binding `{name}` in [{}]", context.name());
    let table = spec.as_table().ok_or_else(|| {
        ConfigError::Invalid(format!(
            "{where_} must look like {{ keys = [\"x\"], description = \"...\" }}"
        ))
    })?;
    let mut keys = Vec::new();
    let mut key_names = Vec::new();
    let mut description = String::new();
    for (k, v) in table {
        match k.as_str() {
            "keys" => {
                let list = v.as_array().ok_or_else(|| {
                    ConfigError::Invalid(format!("{where_}: `keys` must be a list such as [\"q\"]"))
                })?;
                for item in list {
                    let s = item.as_str().ok_or_else(|| {
                        ConfigError::Invalid(format!("{where_}: each key must be a string"))
                    })?;
                    keys.push(parse_key(s).ok_or_else(|| {
                        ConfigError::Invalid(format!(
                            "{where_}: `{s}` is not a key; use a character or a name like \"enter\", \"ctrl-c\", \"f1\""
                        ))
                    })?);
                    key_names.push(s.to_owned());
                }
            }
            "description" => {
                description = v
                    .as_str()
                    .ok_or_else(|| {
                        ConfigError::Invalid(format!("{where_}: `description` must be a string"))
                    })?
                    .to_owned();
            }
            other => {
                return Err(ConfigError::UnknownKey {
                    key: other.to_owned(),
                    section: where_,
                    known: "keys, description".to_owned(),
                });
            }
        }
    }
    if keys.is_empty() {
        return Err(ConfigError::Invalid(format!("{where_} has no keys")));
    }
    if complete && description.is_empty() {
        return Err(ConfigError::Invalid(format!("{where_} has no description")));
    }
    Ok(Binding {
        context,
        name: name.to_owned(),
        command,
        keys,
        key_names,
        description,
    })
}

/// Shift is part of the character itself ('R', '?'), so it is ignored for characters.
fn normalize(key: KeyPress) -> KeyPress {
    match key.code {
        KeyCode::Char(_) | KeyCode::BackTab => {
            KeyPress::new(key.code, key.modifiers.difference(KeyModifiers::SHIFT))
        }
        _ => key,
    }
}

/// Parses "q", "ctrl-c", "enter", "f1", ...
pub fn parse_key(s: &str) -> Option<KeyPress> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
            modifiers |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
            modifiers |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') => {
                let n: u8 = f[1..].parse().ok()?;
                if !(1..=12).contains(&n) {
                    return None;
                }
                KeyCode::F(n)
            }
            _ => return None,
        },
    };
    Some(KeyPress::new(code, modifiers))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_every_binding_has_a_description() {
        let map = Keymap::from_toml_str(DEFAULT_KEYMAP).unwrap();
        for ctx in Context::ALL {
            assert!(map.bindings(ctx).count() > 0);
            assert!(map.bindings(ctx).all(|b| !b.description.is_empty()));
        }
    }

    #[test]
    fn screen_bindings_win_over_global_ones_and_shift_is_ignored() {
        let map = Keymap::default();
        assert_eq!(
            map.lookup(Context::Wallets, KeyPress::char('q')),
            Some(Command::Quit)
        );
        assert_eq!(
            map.lookup(
                Context::Wallets,
                KeyPress::new(KeyCode::Char('R'), KeyModifiers::SHIFT)
            ),
            Some(Command::Restore)
        );
        assert_eq!(
            map.lookup(Context::Validators, KeyPress::plain(KeyCode::Enter)),
            Some(Command::Stake)
        );
        assert_eq!(
            map.lookup(Context::Wallets, KeyPress::plain(KeyCode::Enter)),
            Some(Command::Select)
        );
        assert_eq!(
            map.lookup(Context::Global, KeyPress::ctrl('c')),
            Some(Command::Quit)
        );
    }

    #[test]
    fn user_overlay_rebinds_and_keeps_the_description() {
        let mut map = Keymap::default();
        map.overlay("[global]\nquit = { keys = [\"x\"] }\n", false)
            .unwrap();
        assert_eq!(
            map.lookup(Context::Global, KeyPress::char('x')),
            Some(Command::Quit)
        );
        assert_eq!(map.lookup(Context::Global, KeyPress::char('q')), None);
        let quit = map
            .bindings(Context::Global)
            .find(|b| b.name == "quit")
            .unwrap();
        assert_eq!(quit.description, "Quit taotui");
    }

    #[test]
    fn the_stake_form_keys_are_alt_keys_that_do_not_type_into_the_amount() {
        let map = Keymap::default();
        let alt = |c| KeyPress::new(KeyCode::Char(c), KeyModifiers::ALT);
        let form = |k| map.lookup(Context::StakeForm, k);
        assert_eq!(form(alt('+')), Some(Command::ToleranceUp));
        assert_eq!(form(alt('-')), Some(Command::ToleranceDown));
        assert_eq!(form(alt('p')), Some(Command::TogglePartial));
        assert_eq!(form(alt('m')), Some(Command::ToggleShield));
        for c in ['+', '-', '=', 'p', 'm', '1', '.'] {
            assert!(!matches!(
                form(KeyPress::char(c)),
                Some(
                    Command::ToleranceUp
                        | Command::ToleranceDown
                        | Command::TogglePartial
                        | Command::ToggleShield
                )
            ));
        }
        assert_eq!(
            map.key_for(Context::StakeForm, Command::ToleranceUp),
            "alt-+"
        );
    }

    #[test]
    fn key_names_parse() {
        assert_eq!(parse_key("ctrl-c"), Some(KeyPress::ctrl('c')));
        assert_eq!(parse_key("f12"), Some(KeyPress::plain(KeyCode::F(12))));
        assert_eq!(parse_key("f13"), None);
        assert_eq!(parse_key("enterr"), None);
    }
}
