//! Proxies on the Wallets screen: the selected wallet's grants as read from the chain, opening the dialog that
//! grants or revokes one (`super::grant`), and the wallet setting "this wallet's staking is signed by proxy wallet
//! X" (`[wallets.NAME] proxy`).

use crossterm::event::KeyCode;
use taotui_keystore::wallet::KeyFormat;

pub use super::grant::{GrantDialog, GrantField, GrantOutcome, GrantStep};
use super::input::TextInput;
use super::{IdGen, Modal, Model, Screen};
use crate::action::{Action, Effect, KeyPress, ProxyList, RequestId};
use crate::config::keymap::{Command, Context};

/// The selected wallet's grants as last read.
#[derive(Debug, Clone, Default)]
pub struct ProxiesState {
    /// Whose grants `list` holds (or `pending` reads).
    pub coldkey: Option<String>,
    pub pending: Option<RequestId>,
    pub list: Option<ProxyList>,
    pub error: Option<String>,
}

impl ProxiesState {
    /// Whether `ss58` holds a grant of this wallet that lets it stake (`Staking`, `NonTransfer` or `Any`, without
    /// an announcement delay, as the stake forms sign at once).
    pub fn is_delegate(&self, ss58: &str) -> bool {
        self.list.as_ref().is_some_and(|l| {
            l.grants.iter().any(|g| {
                taotui_keystore::ss58::encode(&g.delegate, 42) == ss58
                    && g.delay == 0
                    && matches!(g.proxy_type.as_str(), "Staking" | "NonTransfer" | "Any")
            })
        })
    }
}

/// Sets or clears the proxy wallet that signs `wallet`'s staking.
#[derive(Debug)]
pub struct WalletProxyDialog {
    pub wallet: String,
    pub input: TextInput,
    /// The own wallets that can sign (not watch-only, not this one), for Up/Down.
    pub candidates: Vec<(String, Option<String>)>,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
}

impl WalletProxyDialog {
    /// The chosen wallet's coldkey address (when it is one of the candidates).
    pub fn chosen_ss58(&self) -> Option<&str> {
        let name = self.input.trimmed();
        self.candidates
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, a)| a.as_deref())
    }

    fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> Result<Vec<Effect>, ()> {
        if self.pending.is_some() {
            if key.code == KeyCode::Esc {
                return Err(());
            }
            return Ok(Vec::new());
        }
        match key.code {
            KeyCode::Esc => return Err(()),
            KeyCode::Char(c) => self.input.push(c),
            KeyCode::Backspace => self.input.pop(),
            KeyCode::Up | KeyCode::Down => {
                let names: Vec<&str> = self.candidates.iter().map(|(n, _)| n.as_str()).collect();
                if !names.is_empty() {
                    let at = names.iter().position(|n| *n == self.input.trimmed());
                    let next = match (at, key.code == KeyCode::Down) {
                        (None, _) => 0,
                        (Some(i), true) => (i + 1) % names.len(),
                        (Some(i), false) => (i + names.len() - 1) % names.len(),
                    };
                    self.input = TextInput::with_text(names[next]);
                }
            }
            KeyCode::Enter => {
                let name = self.input.trimmed().to_owned();
                if !name.is_empty() && !self.candidates.iter().any(|(n, _)| *n == name) {
                    self.error = Some(format!(
                        "`{name}` is not a wallet here that can sign; pick one with ↑/↓ (or clear the field to sign \
                         with this wallet's own coldkey)"
                    ));
                    return Ok(Vec::new());
                }
                let id = ids.fresh();
                self.pending = Some(id);
                self.error = None;
                return Ok(vec![Effect::SaveWalletProxy {
                    id,
                    wallet: self.wallet.clone(),
                    proxy: (!name.is_empty()).then_some(name),
                }]);
            }
            _ => {}
        }
        self.error = None;
        Ok(Vec::new())
    }
}

/// Reads the selected wallet's grants when they are not shown yet (`force`: read again anyway).
pub fn refresh(model: &mut Model, force: bool) -> Vec<Effect> {
    let coldkey = model.selected_coldkey();
    if model.proxies.coldkey != coldkey {
        model.proxies = ProxiesState {
            coldkey: coldkey.clone(),
            ..ProxiesState::default()
        };
    }
    let Some(coldkey) = coldkey else {
        return Vec::new();
    };
    let shown = model.proxies.list.is_some() || model.proxies.pending.is_some();
    if !model.connected() || model.screen != Screen::Wallets || (!force && shown) {
        return Vec::new();
    }
    let id = model.ids.fresh();
    model.proxies.pending = Some(id);
    vec![Effect::FetchProxies { id, coldkey }]
}

/// The proxy actions: the list answered, a preview came back, the setting was saved.
pub fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::ProxiesLoaded {
            id,
            coldkey,
            result,
        } => {
            let state = &mut model.proxies;
            if state.pending == Some(id) && state.coldkey.as_deref() == Some(coldkey.as_str()) {
                state.pending = None;
                match result {
                    Ok(list) => {
                        state.list = Some(list);
                        state.error = None;
                    }
                    Err(e) => state.error = Some(e),
                }
            }
        }
        Action::GrantPreviewed { id, result } => {
            if let Some(Modal::Grant(d)) = &mut model.modal {
                d.on_previewed(id, result);
            }
        }
        Action::WalletProxySaved {
            id,
            wallet,
            proxy,
            result,
        } => {
            let ours = matches!(&model.modal, Some(Modal::WalletProxy(d)) if d.pending == Some(id));
            match result {
                Ok(()) => {
                    // The stake forms read this when they open: the next one signs through the new setting.
                    let text = match &proxy {
                        Some(p) => {
                            model.prefs.wallet_proxies.insert(wallet.clone(), p.clone());
                            format!("Wallet {wallet}'s staking is now signed by proxy wallet {p}.")
                        }
                        None => {
                            model.prefs.wallet_proxies.remove(&wallet);
                            format!("Wallet {wallet}'s staking is signed by its own coldkey again.")
                        }
                    };
                    if ours {
                        model.modal = None;
                    }
                    model.notify(text, false);
                }
                Err(e) => match &mut model.modal {
                    Some(Modal::WalletProxy(d)) if ours => {
                        d.pending = None;
                        d.error = Some(e);
                    }
                    _ => model.notify(e, true),
                },
            }
        }
        _ => {}
    }
    Vec::new()
}

fn watch_only(model: &Model, wallet: &str) -> bool {
    model.wallets.entries.iter().any(|w| {
        w.name == wallet
            && w.coldkey
                .as_ref()
                .is_some_and(|c| c.format == KeyFormat::PubOnly)
    })
}

/// `a`, `x` and `P` on the Wallets screen.
pub fn on_command(model: &mut Model, command: Command) -> Vec<Effect> {
    let (Some(wallet), Some(coldkey)) = (
        model.wallets.selected_wallet().map(|w| w.name.clone()),
        model.selected_coldkey(),
    ) else {
        model.notify("Select a wallet with a readable coldkey first.", true);
        return Vec::new();
    };
    let watch = watch_only(model, &wallet);
    match command {
        Command::AddProxy | Command::RemoveProxy => {
            let Some(list) = model
                .proxies
                .list
                .as_ref()
                .filter(|_| model.proxies.coldkey.as_deref() == Some(coldkey.as_str()))
            else {
                model.notify(
                    "The proxies of this wallet are not read yet (connect, then press r).",
                    true,
                );
                return refresh(model, false);
            };
            let dialog = if command == Command::AddProxy {
                GrantDialog::adding(
                    wallet,
                    coldkey,
                    watch,
                    list.types.clone(),
                    super::recipients(model),
                )
            } else {
                if list.grants.is_empty() {
                    model.notify("This wallet has granted no proxies.", true);
                    return Vec::new();
                }
                GrantDialog::removing(wallet, coldkey, watch, list.grants.clone())
            };
            model.modal = Some(Modal::Grant(Box::new(dialog)));
        }
        _ => {
            let candidates = model
                .wallets
                .entries
                .iter()
                .filter(|w| {
                    w.name != wallet
                        && w.coldkey
                            .as_ref()
                            .is_some_and(|c| c.format != KeyFormat::PubOnly)
                })
                .map(|w| {
                    (
                        w.name.clone(),
                        w.coldkey.as_ref().and_then(|c| c.ss58.clone()),
                    )
                })
                .collect();
            let current = model
                .prefs
                .wallet_proxies
                .get(&wallet)
                .cloned()
                .unwrap_or_default();
            model.modal = Some(Modal::WalletProxy(Box::new(WalletProxyDialog {
                wallet,
                input: TextInput::with_text(&current),
                candidates,
                pending: None,
                error: None,
            })));
        }
    }
    Vec::new()
}

/// Keys of the grant dialog.
pub fn on_grant_key(model: &mut Model, mut d: Box<GrantDialog>, key: KeyPress) -> Vec<Effect> {
    let offline = d.step == GrantStep::Confirm
        && model.keymap.lookup(Context::StakeForm, key) == Some(Command::SignOffline);
    match d.on_key(key, offline, &mut model.ids) {
        GrantOutcome::Stay(effects) => {
            model.modal = Some(Modal::Grant(d));
            effects
        }
        GrantOutcome::Close { changed } => {
            if changed {
                let mut effects = refresh(model, true);
                effects.extend(super::fetch_portfolio(model));
                effects
            } else {
                Vec::new()
            }
        }
        GrantOutcome::Detach { id } => {
            model.background_txs.push(id);
            model.notify(
                "Still watching the transaction in the background (it is never sent twice); its outcome will show \
                 here and in History.",
                false,
            );
            Vec::new()
        }
    }
}

/// Keys of the wallet proxy setting dialog.
pub fn on_wallet_proxy_key(
    model: &mut Model,
    mut d: Box<WalletProxyDialog>,
    key: KeyPress,
) -> Vec<Effect> {
    match d.on_key(key, &mut model.ids) {
        Ok(effects) => {
            model.modal = Some(Modal::WalletProxy(d));
            effects
        }
        Err(()) => Vec::new(),
    }
}

/// The name `ss58` is known by here: an own wallet's, else the address book's.
pub fn name_of(model: &Model, ss58: &str) -> Option<String> {
    model
        .wallets
        .entries
        .iter()
        .find(|w| w.coldkey.as_ref().and_then(|c| c.ss58.as_deref()) == Some(ss58))
        .map(|w| format!("wallet {}", w.name))
        .or_else(|| {
            model
                .wallets
                .addresses
                .iter()
                .find(|(_, a)| a == ss58)
                .map(|(n, _)| n.clone())
        })
}

/// The sentence warning that the wallet's proxy setting names a wallet that holds no grant of it on chain.
pub fn setting_warning(model: &Model, wallet: &str) -> Option<String> {
    let proxy = model.prefs.wallet_proxies.get(wallet)?;
    model.proxies.list.as_ref()?;
    let ss58 = model
        .wallets
        .entries
        .iter()
        .find(|w| &w.name == proxy)
        .and_then(|w| w.coldkey.as_ref())
        .and_then(|c| c.ss58.clone());
    let held = ss58
        .as_deref()
        .is_some_and(|a| model.proxies.is_delegate(a));
    (!held).then(|| {
        format!(
            "Proxy wallet {proxy} has no grant of this coldkey that allows staking; its stakes fail until one is \
             granted (a)."
        )
    })
}
