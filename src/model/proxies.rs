//! Proxies on the Wallets screen: the selected wallet's grants as read from the chain, the dialog that grants or
//! revokes one (delegate, type, delay, the chain's preview with the deposit, password, progress), and the wallet
//! setting "this wallet's staking is signed by proxy wallet X" (`[wallets.NAME] proxy`).

use crossterm::event::KeyCode;
use taotui_keystore::wallet::KeyFormat;

use super::input::TextInput;
use super::recipient::{Recipients, confirm_tail};
use super::{IdGen, Modal, Model, Screen};
use crate::action::{Action, Effect, GrantRequest, KeyPress, ProxyList, RequestId, TxProgress};
use crate::chain::proxy::{DEFAULT_PROXY_TYPE, Grant};
use crate::chain::proxy_grant::GrantPreview;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantStep {
    /// Add: the delegate, type and delay; remove: which grant.
    Edit,
    Previewing,
    Confirm,
    Password,
    /// Writing the unsigned file for the offline machine.
    Writing,
    Sending,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantField {
    Delegate,
    Type,
    Delay,
}

/// Granting (`add`) or revoking a proxy of `wallet`'s coldkey.
#[derive(Debug)]
pub struct GrantDialog {
    pub add: bool,
    pub wallet: String,
    pub coldkey: String,
    /// The coldkey is not on this machine: only `o` (write for offline signing) can carry the grant.
    pub watch_only: bool,
    pub delegate: TextInput,
    pub types: Vec<String>,
    pub type_index: usize,
    pub delay: TextInput,
    pub field: GrantField,
    /// Remove: the grants to pick from.
    pub grants: Vec<Grant>,
    pub selected: usize,
    pub recipients: Recipients,
    pub lookalike_confirm: Option<TextInput>,
    pub lookalike_confirmed: Option<String>,
    pub step: GrantStep,
    pub pending: Option<RequestId>,
    /// The request the preview (and so the signature) is for.
    pub request: Option<GrantRequest>,
    pub preview: Option<GrantPreview>,
    /// The preview the worker keeps for signing.
    pub preview_id: Option<RequestId>,
    pub password: TextInput,
    pub progress: Vec<TxProgress>,
    pub result: Option<Result<String, String>>,
    pub error: Option<String>,
}

pub enum GrantOutcome {
    Stay(Vec<Effect>),
    Close { changed: bool },
    Detach { id: RequestId },
}

impl GrantDialog {
    fn new(add: bool, wallet: String, coldkey: String, watch_only: bool) -> GrantDialog {
        GrantDialog {
            add,
            wallet,
            coldkey,
            watch_only,
            delegate: TextInput::new(),
            types: vec![DEFAULT_PROXY_TYPE.to_owned()],
            type_index: 0,
            delay: TextInput::with_text("0"),
            field: GrantField::Delegate,
            grants: Vec::new(),
            selected: 0,
            recipients: Recipients::default(),
            lookalike_confirm: None,
            lookalike_confirmed: None,
            step: GrantStep::Edit,
            pending: None,
            request: None,
            preview: None,
            preview_id: None,
            password: TextInput::secret(),
            progress: Vec::new(),
            result: None,
            error: None,
        }
    }

    /// Add: the runtime's types (the default `Staking` chosen when it has one).
    pub fn adding(
        wallet: String,
        coldkey: String,
        watch_only: bool,
        types: Vec<String>,
        recipients: Recipients,
    ) -> GrantDialog {
        let mut d = GrantDialog::new(true, wallet, coldkey, watch_only);
        if !types.is_empty() {
            d.type_index = types
                .iter()
                .position(|t| t == DEFAULT_PROXY_TYPE)
                .unwrap_or(0);
            d.types = types;
        }
        d.recipients = recipients;
        d
    }

    pub fn removing(
        wallet: String,
        coldkey: String,
        watch_only: bool,
        grants: Vec<Grant>,
    ) -> GrantDialog {
        let mut d = GrantDialog::new(false, wallet, coldkey, watch_only);
        d.grants = grants;
        d
    }

    pub fn proxy_type(&self) -> &str {
        self.types
            .get(self.type_index)
            .map_or(DEFAULT_PROXY_TYPE, String::as_str)
    }

    pub fn on_paste(&mut self, text: &str) {
        if self.step != GrantStep::Edit {
            if self.step == GrantStep::Password {
                self.password.push_str(text);
            }
            return;
        }
        match (&mut self.lookalike_confirm, self.field) {
            (Some(input), _) => input.push_str(text.trim()),
            (None, GrantField::Delegate) => self.delegate.push_str(text.trim()),
            (None, GrantField::Delay) => self.delay.push_str(text.trim()),
            (None, GrantField::Type) => {}
        }
        self.error = None;
    }

    /// The delegate's address, or the sentence saying why the typed text is none.
    pub fn delegate_ss58(&self) -> Result<String, String> {
        let text = self.delegate.trimmed();
        if text.is_empty() {
            return Err(
                "type the delegate: an own wallet's name, an address-book name or an SS58 address"
                    .into(),
            );
        }
        let r = self.recipients.resolve(text).map_err(|_| {
            format!(
                "`{}` is neither a valid SS58 address nor a wallet or address-book name; copy the address again",
                crate::ui::widgets::fmt::short(text)
            )
        })?;
        if r.ss58 == self.coldkey {
            return Err(
                "that is this wallet's own coldkey: a coldkey cannot be its own proxy; give the delegate key"
                    .into(),
            );
        }
        Ok(r.ss58)
    }

    /// The look-alike and first-time checks of the typed delegate, as sentences.
    pub fn delegate_warnings(&self) -> Vec<String> {
        match self.delegate_ss58() {
            Ok(ss58) => self.recipients.check(&ss58).warnings(&ss58),
            Err(_) => Vec::new(),
        }
    }

    fn request(&self) -> Result<GrantRequest, String> {
        if self.add {
            let delegate = self.delegate_ss58()?;
            let delay = self.delay.trimmed().parse::<u32>().map_err(|_| {
                "the delay is a whole number of blocks (0: the delegate acts at once)".to_owned()
            })?;
            Ok(GrantRequest {
                add: true,
                wallet: self.wallet.clone(),
                delegate,
                proxy_type: self.proxy_type().to_owned(),
                delay,
            })
        } else {
            let g = self
                .grants
                .get(self.selected)
                .ok_or("this wallet has no proxy to revoke")?;
            Ok(GrantRequest {
                add: false,
                wallet: self.wallet.clone(),
                delegate: taotui_keystore::ss58::encode(&g.delegate, 42),
                proxy_type: g.proxy_type.clone(),
                delay: g.delay,
            })
        }
    }

    fn preview(&mut self, ids: &mut IdGen) -> GrantOutcome {
        let request = match self.request() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e);
                return GrantOutcome::Stay(Vec::new());
            }
        };
        if self.add
            && self.recipients.check(&request.delegate).lookalike.is_some()
            && self.lookalike_confirmed.as_deref() != Some(request.delegate.as_str())
        {
            // A look-alike of a known address: its last characters typed before it is granted anything.
            self.lookalike_confirm = Some(TextInput::new());
            return GrantOutcome::Stay(Vec::new());
        }
        let id = ids.fresh();
        self.pending = Some(id);
        self.preview = None;
        self.error = None;
        self.step = GrantStep::Previewing;
        self.request = Some(request.clone());
        GrantOutcome::Stay(vec![Effect::PreviewGrant { id, request }])
    }

    /// `offline`: the key is the sign-offline key (only taken on the confirm step).
    pub fn on_key(&mut self, key: KeyPress, offline: bool, ids: &mut IdGen) -> GrantOutcome {
        let stay = || GrantOutcome::Stay(Vec::new());
        match self.step {
            GrantStep::Edit if self.lookalike_confirm.is_some() => self.on_lookalike_key(key, ids),
            GrantStep::Edit => self.on_edit_key(key, ids),
            GrantStep::Previewing | GrantStep::Writing => {
                if key.code == KeyCode::Esc {
                    // A stalled node never holds the dialog; nothing was signed.
                    self.pending = None;
                    self.step = if self.step == GrantStep::Writing {
                        GrantStep::Confirm
                    } else {
                        GrantStep::Edit
                    };
                }
                stay()
            }
            GrantStep::Confirm => match key.code {
                _ if offline => {
                    let Some(request) = self.request.clone() else {
                        return stay();
                    };
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.step = GrantStep::Writing;
                    self.error = None;
                    GrantOutcome::Stay(vec![Effect::WriteGrantUnsigned { id, request }])
                }
                KeyCode::Esc => {
                    self.step = GrantStep::Edit;
                    self.preview = None;
                    self.error = None;
                    stay()
                }
                KeyCode::Enter => {
                    if self.watch_only {
                        self.error = Some(format!(
                            "Wallet {} is watch-only: its coldkey must sign this. Press o to write it for the \
                             offline machine that holds the key.",
                            self.wallet
                        ));
                    } else if self.preview.as_ref().is_some_and(|p| p.refusals.is_empty()) {
                        self.step = GrantStep::Password;
                        self.error = None;
                    }
                    stay()
                }
                _ => stay(),
            },
            GrantStep::Password => match key.code {
                KeyCode::Esc => {
                    self.password.clear();
                    self.step = GrantStep::Confirm;
                    stay()
                }
                KeyCode::Backspace => {
                    self.password.pop();
                    stay()
                }
                KeyCode::Char(c) => {
                    self.password.push(c);
                    stay()
                }
                KeyCode::Enter => {
                    let (Some(request), Some(preview)) = (self.request.clone(), self.preview_id)
                    else {
                        self.step = GrantStep::Edit;
                        return stay();
                    };
                    let password = self.password.to_secret();
                    self.password.clear();
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.progress = vec![TxProgress::Unlocking];
                    self.step = GrantStep::Sending;
                    GrantOutcome::Stay(vec![Effect::SubmitGrant {
                        id,
                        preview,
                        request,
                        password,
                    }])
                }
                _ => stay(),
            },
            GrantStep::Sending => match (key.code, self.pending) {
                (KeyCode::Esc, Some(id)) => GrantOutcome::Detach { id },
                _ => stay(),
            },
            GrantStep::Done => match key.code {
                KeyCode::Esc | KeyCode::Enter => GrantOutcome::Close {
                    changed: matches!(self.result, Some(Ok(_))),
                },
                _ => stay(),
            },
        }
    }

    fn on_edit_key(&mut self, key: KeyPress, ids: &mut IdGen) -> GrantOutcome {
        let stay = || GrantOutcome::Stay(Vec::new());
        if key.code == KeyCode::Esc {
            return GrantOutcome::Close { changed: false };
        }
        if key.code == KeyCode::Enter {
            return self.preview(ids);
        }
        if !self.add {
            match key.code {
                KeyCode::Up => self.selected = self.selected.saturating_sub(1),
                KeyCode::Down => {
                    self.selected = (self.selected + 1).min(self.grants.len().saturating_sub(1))
                }
                _ => {}
            }
            return stay();
        }
        let order = [GrantField::Delegate, GrantField::Type, GrantField::Delay];
        let at = order.iter().position(|f| *f == self.field).unwrap_or(0);
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.field = order[(at + 1) % order.len()],
            KeyCode::BackTab | KeyCode::Up => {
                self.field = order[(at + order.len() - 1) % order.len()]
            }
            KeyCode::Left | KeyCode::Right if self.field == GrantField::Type => {
                let n = self.types.len().max(1);
                self.type_index = if key.code == KeyCode::Right {
                    (self.type_index + 1) % n
                } else {
                    (self.type_index + n - 1) % n
                };
            }
            KeyCode::Backspace => match self.field {
                GrantField::Delegate => self.delegate.pop(),
                GrantField::Delay => self.delay.pop(),
                GrantField::Type => {}
            },
            KeyCode::Char(c) => match self.field {
                GrantField::Delegate => self.delegate.push(c),
                GrantField::Delay if c.is_ascii_digit() => self.delay.push(c),
                _ => {}
            },
            _ => {}
        }
        self.error = None;
        stay()
    }

    fn on_lookalike_key(&mut self, key: KeyPress, ids: &mut IdGen) -> GrantOutcome {
        let stay = || GrantOutcome::Stay(Vec::new());
        let Some(input) = self.lookalike_confirm.as_mut() else {
            return stay();
        };
        match key.code {
            KeyCode::Char(c) => input.push(c),
            KeyCode::Backspace => input.pop(),
            KeyCode::Esc => {
                self.lookalike_confirm = None;
                self.error = None;
            }
            KeyCode::Enter => {
                let typed = input.trimmed().to_owned();
                let ss58 = self.delegate_ss58().unwrap_or_default();
                if typed == confirm_tail(&ss58) {
                    self.lookalike_confirm = None;
                    self.lookalike_confirmed = Some(ss58);
                    self.error = None;
                    return self.preview(ids);
                }
                self.error = Some(format!(
                    "that is not its last {} characters; check the address, or Esc to change it",
                    crate::address_book::CONFIRM_CHARS
                ));
            }
            _ => {}
        }
        stay()
    }

    pub fn on_previewed(&mut self, id: RequestId, result: Result<GrantPreview, String>) {
        if self.pending != Some(id) || self.step != GrantStep::Previewing {
            return;
        }
        self.pending = None;
        match result {
            Ok(p) => {
                self.preview = Some(p);
                self.preview_id = Some(id);
                self.step = GrantStep::Confirm;
            }
            Err(e) => {
                self.error = Some(e);
                self.step = GrantStep::Edit;
            }
        }
    }

    /// The unsigned file was written (`true`: the dialog gives way to it) or not (the sentence is shown).
    pub fn on_written(
        &mut self,
        id: RequestId,
        result: &Result<crate::action::OfflineFile, String>,
    ) -> bool {
        if self.pending != Some(id) || self.step != GrantStep::Writing {
            return false;
        }
        self.pending = None;
        self.step = GrantStep::Confirm;
        match result {
            Ok(_) => true,
            Err(e) => {
                self.error = Some(e.clone());
                false
            }
        }
    }

    pub fn on_progress(&mut self, id: RequestId, progress: TxProgress) {
        if self.pending == Some(id) {
            super::stake::push_progress(&mut self.progress, progress);
        }
    }

    pub fn on_done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        self.step = GrantStep::Done;
        self.result = Some(result);
        true
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
