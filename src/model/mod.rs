//! The whole app state and `update`, the only place it changes. `update` does no I/O: it
//! returns `Effect`s for the worker and the app to run, which answer with more `Action`s.

pub mod chain;
pub mod form;
pub mod grant;
pub mod help;
pub mod history;
pub mod input;
pub mod picker;
pub mod proxies;
pub mod rebalance;
pub mod recipient;
pub mod stake;
pub mod submit;
pub mod value;
pub mod wallets;
pub mod wizard;

use crossterm::event::KeyCode;
use taotui_keystore::wallet::{KeyFormat, KeyTarget};

use crate::action::{Action, Connection, Effect, KeyFileFormat, KeyPress, RequestId, StakeKind};
use crate::config::keymap::{Command, Context, Keymap};
use chain::{HistoryState, NetworkState, PortfolioState, ValidatorsState};
use form::{Form, FormKind, FormOutcome};
use picker::ValidatorPicker;
use stake::{StakeForm, StakeOutcome};
use submit::{SubmitOutcome, SubmitSigned};
use wallets::WalletsState;
use wizard::{CreateWizard, WizardOutcome};

/// Overview is re-read this often while connected (a block is 12 s).
pub const OVERVIEW_REFRESH_SECS: u64 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Wallets,
    Portfolio,
    Validators,
    Network,
    History,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Wallets,
        Screen::Portfolio,
        Screen::Validators,
        Screen::Network,
        Screen::History,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Wallets => "Wallets",
            Screen::Portfolio => "Portfolio",
            Screen::Validators => "Validators",
            Screen::Network => "Network",
            Screen::History => "History",
        }
    }

    pub fn context(self) -> Context {
        match self {
            Screen::Wallets => Context::Wallets,
            Screen::Portfolio => Context::Portfolio,
            Screen::Validators => Context::Validators,
            Screen::History => Context::History,
            Screen::Network => Context::Global,
        }
    }

    fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// A dialog over the current screen; it gets every key first.
#[derive(Debug)]
pub enum Modal {
    /// The key bindings; `scroll` is the first row shown when the terminal is too short for all of them.
    Help {
        scroll: u16,
    },
    Qr {
        title: String,
        ss58: String,
    },
    Wizard(Box<CreateWizard>),
    Form(Box<Form>),
    Stake(Box<StakeForm>),
    Message {
        title: String,
        text: String,
        error: bool,
    },
    /// What one position earned over 24 h, 7 d and 30 d (Enter on a Portfolio position).
    Position(value::PositionKey),
    /// An unsigned transaction written for offline signing: where, what next, and its QR code.
    OfflineWritten(Box<crate::action::OfflineFile>),
    /// Submitting a transaction signed offline (History screen).
    Submit(Box<SubmitSigned>),
    /// Several positions changed in one batch (Portfolio, marked positions).
    Rebalance(Box<rebalance::Rebalance>),
    /// Granting or revoking a proxy of the selected wallet (Wallets screen).
    Grant(Box<proxies::GrantDialog>),
    /// Setting the proxy wallet that signs the selected wallet's staking.
    WalletProxy(Box<proxies::WalletProxyDialog>),
}

/// Hands out request ids; each effect that expects an answer gets a fresh one.
#[derive(Debug, Clone, Default)]
pub struct IdGen(u64);

impl IdGen {
    pub fn fresh(&mut self) -> RequestId {
        self.0 += 1;
        RequestId(self.0)
    }
}

/// Preferences from the settings file and the command line.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub network_name: String,
    pub default_format: KeyFileFormat,
    pub tolerance_bps: u32,
    /// Amounts are masked on every screen (`--hide-balances`, toggled with `*`).
    pub hide_balances: bool,
    /// Wallet name -> the proxy wallet that signs its staking (`[wallets.NAME] proxy = "..."`).
    pub wallet_proxies: std::collections::BTreeMap<String, String>,
    /// Stake trades are MEV-shielded by default (`mev_shield = false` in the settings turns it off).
    pub mev_shield: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            network_name: "finney".to_owned(),
            default_format: KeyFileFormat::Native,
            tolerance_bps: 50,
            hide_balances: false,
            wallet_proxies: std::collections::BTreeMap::new(),
            mev_shield: true,
        }
    }
}

/// A short message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

#[derive(Debug)]
pub struct Model {
    pub screen: Screen,
    pub modal: Option<Modal>,
    pub wallets: WalletsState,
    /// The selected wallet's proxies (Wallets screen).
    pub proxies: proxies::ProxiesState,
    pub portfolio: PortfolioState,
    pub validators: ValidatorsState,
    pub network: NetworkState,
    pub history: HistoryState,
    /// The Portfolio's value over time (the value journal).
    pub value: value::ValueState,
    pub connection: Connection,
    /// Features the connected runtime cannot run, one sentence each (see `taotui doctor`).
    pub features_off: Vec<String>,
    /// Whether balances, positions, prices and the stake/unstake/transfer calls all work on this runtime.
    pub core_works: bool,
    pub keymap: Keymap,
    pub prefs: Prefs,
    pub notice: Option<Notice>,
    /// Seconds since the Unix epoch, from the last tick (fixed in tests).
    pub now: u64,
    /// The terminal's size (columns, rows), for what must fit it (the help overlay's scrolling).
    pub viewport: (u16, u16),
    /// The chain's best block number, as last reported by the worker.
    pub head: Option<u64>,
    /// When (seconds since the Unix epoch) to clear the address this app put on the clipboard.
    pub clipboard_clear_at: Option<u64>,
    /// Ticks seen, for spinners.
    pub ticks: u64,
    pub ids: IdGen,
    /// Transactions the user stopped watching (Esc while sending); their outcome arrives as a notice.
    pub background_txs: Vec<RequestId>,
    pub quit: bool,
    /// Addresses sent to before from this machine, for the recipient checks of the transfer forms.
    pub used_recipients: Vec<String>,
}

impl Model {
    pub fn new(keymap: Keymap, prefs: Prefs) -> Model {
        Model {
            screen: Screen::Wallets,
            modal: None,
            wallets: WalletsState::default(),
            proxies: proxies::ProxiesState::default(),
            portfolio: PortfolioState::default(),
            validators: ValidatorsState::default(),
            network: NetworkState::default(),
            history: HistoryState::default(),
            value: value::ValueState::default(),
            connection: Connection::Connecting,
            features_off: Vec::new(),
            core_works: true,
            keymap,
            prefs,
            notice: None,
            now: 0,
            viewport: (80, 24),
            head: None,
            clipboard_clear_at: None,
            ticks: 0,
            ids: IdGen::default(),
            background_txs: Vec::new(),
            quit: false,
            used_recipients: Vec::new(),
        }
    }

    /// What the app does at start: read the wallets (the chain connects on its own).
    pub fn init(&mut self) -> Vec<Effect> {
        let id = self.ids.fresh();
        self.wallets.scanning = Some(id);
        let book = self.ids.fresh();
        self.wallets.addresses_pending = Some(book);
        vec![
            Effect::ScanWallets { id },
            Effect::LoadAddressBook { id: book },
            Effect::LoadUsedRecipients,
        ]
    }

    pub fn connected(&self) -> bool {
        matches!(self.connection, Connection::Connected { .. })
    }

    /// The coldkey address of the selected wallet.
    pub fn selected_coldkey(&self) -> Option<String> {
        self.wallets
            .selected_wallet()
            .and_then(|w| w.coldkey.as_ref())
            .and_then(|c| c.ss58.clone())
    }

    pub(crate) fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            error,
        });
    }
}

fn s_ok(model: &Model) -> Option<bool> {
    match &model.modal {
        Some(Modal::Stake(s)) => s.result.as_ref().map(Result::is_ok),
        _ => None,
    }
}

/// Passwords built from these words are weaker than they look.
pub fn password_context<'a>(wallet: &'a str, hotkey: Option<&'a str>) -> Vec<&'a str> {
    let mut words = vec!["taotui", "bittensor", "tao", "wallet"];
    if !wallet.is_empty() {
        words.push(wallet);
    }
    if let Some(h) = hotkey {
        words.push(h);
    }
    words
}

/// An address copied to the clipboard is cleared after this long.
pub const CLIPBOARD_CLEAR_SECS: u64 = 60;

/// Quits, first clearing a clipboard this app filled and has not cleared yet.
fn quit(model: &mut Model) -> Vec<Effect> {
    model.quit = true;
    let mut effects = Vec::new();
    if model.clipboard_clear_at.take().is_some() {
        effects.push(Effect::ClearClipboard);
    }
    effects.push(Effect::Quit);
    effects
}

/// The one place the model changes.
pub fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    if rebalance::wants(model, &action) {
        return rebalance::update(model, action);
    }
    match action {
        Action::Quit => quit(model),
        Action::Key(key) => on_key(model, key),
        Action::Paste(text) => {
            match &mut model.modal {
                Some(Modal::Wizard(w)) => w.on_paste(&text),
                Some(Modal::Form(f)) => f.on_paste(&text),
                Some(Modal::Stake(s)) => s.on_paste(&text),
                Some(Modal::Submit(d)) => d.on_paste(&text),
                Some(Modal::Rebalance(r)) => r.on_paste(&text),
                Some(Modal::Grant(d)) => d.on_paste(&text),
                Some(Modal::WalletProxy(d)) => d.input.push_str(text.trim()),
                _ if model.validators.filtering => {
                    model.validators.filter.push_str(&text);
                    model.validators.reorder();
                }
                _ => {}
            }
            Vec::new()
        }
        Action::ScrollUp if matches!(model.modal, Some(Modal::Help { .. })) => {
            scroll_help(model, -1);
            Vec::new()
        }
        Action::ScrollDown if matches!(model.modal, Some(Modal::Help { .. })) => {
            scroll_help(model, 1);
            Vec::new()
        }
        Action::ScrollUp => move_selection(model, -1),
        Action::ScrollDown => move_selection(model, 1),
        Action::Resize { columns, rows } => {
            model.viewport = (columns, rows);
            scroll_help(model, 0);
            Vec::new()
        }
        Action::Click { column, row } => {
            if row == 0
                && model.modal.is_none()
                && let Some(screen) = tab_at(column)
            {
                return switch_screen(model, screen);
            }
            Vec::new()
        }
        Action::Tick(now) => {
            model.now = now;
            model.ticks = model.ticks.wrapping_add(1);
            let mut effects = Vec::new();
            if model.clipboard_clear_at.is_some_and(|at| now >= at) {
                model.clipboard_clear_at = None;
                model.notify("Clipboard cleared.", false);
                effects.push(Effect::ClearClipboard);
            }
            let connected = model.connected();
            if let Some(Modal::Stake(s)) = &mut model.modal {
                s.now = now;
                effects.extend(s.on_tick(&mut model.ids, connected));
            }
            if let Some(Modal::Rebalance(r)) = &mut model.modal {
                r.now = now;
            }
            if model.connected()
                && model.network.overview.pending.is_none()
                && model
                    .network
                    .overview
                    .age(now)
                    .is_none_or(|a| a >= OVERVIEW_REFRESH_SECS)
            {
                effects.extend(fetch_overview(model));
            }
            effects
        }
        Action::WalletsScanned { id, result } => {
            if model.wallets.scanning != Some(id) {
                return Vec::new();
            }
            model.wallets.scanning = None;
            let before = model.selected_coldkey();
            match result {
                Ok(entries) => {
                    let keep = model.wallets.selected_wallet().map(|w| w.name.clone());
                    model.wallets.entries = entries;
                    model.wallets.loaded = true;
                    model.wallets.error = None;
                    model.wallets.move_selection(0);
                    if let Some(name) = keep {
                        model.wallets.select_wallet(&name);
                    }
                    // The portfolio is the home screen once a wallet exists.
                    if model.screen == Screen::Wallets
                        && model.modal.is_none()
                        && !model.wallets.entries.is_empty()
                        && before.is_none()
                        && model.portfolio.coldkey.is_none()
                    {
                        model.screen = Screen::Portfolio;
                    }
                }
                Err(e) => {
                    model.wallets.loaded = true;
                    model.wallets.error = Some(e);
                }
            }
            let mut effects = refresh_portfolio_if_changed(model);
            effects.extend(proxies::refresh(model, false));
            effects
        }
        Action::MnemonicGenerated {
            id,
            mnemonic,
            check_positions,
        } => {
            if let Some(Modal::Wizard(w)) = &mut model.modal {
                w.mnemonic_ready(id, mnemonic, check_positions);
            }
            Vec::new()
        }
        Action::UsedRecipientsLoaded(list) => {
            model.used_recipients = list;
            Vec::new()
        }
        Action::AddressBookLoaded { id, result } => {
            if model.wallets.addresses_pending == Some(id) {
                model.wallets.addresses_pending = None;
                match result {
                    Ok(list) => {
                        model.wallets.addresses = list;
                        model.wallets.addresses_error = None;
                    }
                    Err(e) => model.wallets.addresses_error = Some(e),
                }
            }
            Vec::new()
        }
        Action::KeystoreDone { id, result } => {
            let book = matches!(&model.modal, Some(Modal::Form(f)) if f.kind.edits_address_book());
            let rescan = match &mut model.modal {
                Some(Modal::Wizard(w)) => w.write_done(id, result),
                Some(Modal::Form(f)) => f.done(id, result),
                _ => false,
            };
            if rescan && book {
                reload_book(model)
            } else if rescan {
                rescan_wallets(model)
            } else {
                Vec::new()
            }
        }
        Action::RuntimeFeatures {
            spec_version,
            off,
            core_works,
        } => {
            if !core_works {
                model.notice = Some(Notice {
                    text: format!(
                        "runtime {spec_version}: {}; `taotui doctor` lists what works",
                        off.first().map_or("some features are off", String::as_str)
                    ),
                    error: true,
                });
            }
            model.features_off = off;
            model.core_works = core_works;
            Vec::new()
        }
        Action::ConnectionChanged(conn) => {
            let was = model.connected();
            model.connection = conn;
            if model.connected() && !was {
                // The node may be another one, or the same restarted: its head can be behind the last one seen.
                model.head = None;
                let mut effects = fetch_overview(model);
                effects.extend(fetch_subnets(model));
                effects.extend(fetch_validators(model));
                effects.extend(fetch_portfolio(model));
                effects.extend(proxies::refresh(model, true));
                return effects;
            }
            Vec::new()
        }
        Action::NewBlock { number } => on_new_block(model, number),
        Action::BalancesLoaded { .. } => Vec::new(),
        Action::PositionsLoaded {
            id,
            fetched_at,
            result,
        } => {
            if !model.portfolio.listing.answer(id, fetched_at, result) {
                return Vec::new();
            }
            model.portfolio.prune_marks();
            if let Some(Modal::Stake(s)) = &mut model.modal
                && s.kind == StakeKind::Transfer
                && s.coldkey.is_some()
                && s.coldkey == model.portfolio.coldkey
                && s.step == stake::StakeStep::Edit
                && let Some((balance, _)) = &model.portfolio.listing.data
            {
                // The transfer form opened before the balance was read.
                s.available = balance.free.get();
            }
            if std::mem::take(&mut model.portfolio.again) {
                return fetch_portfolio(model);
            }
            Vec::new()
        }
        Action::SubnetsLoaded {
            id,
            fetched_at,
            result,
        } => {
            if model.validators.subnets.answer(id, fetched_at, result)
                && let Some(Modal::Stake(s)) = &mut model.modal
                && s.kind == StakeKind::Swap
                && s.subnets.is_empty()
                && let Some(list) = &model.validators.subnets.data
            {
                // The swap form opened before the subnets were read.
                s.set_subnets(list.clone());
            }
            Vec::new()
        }
        Action::ValidatorsLoaded {
            id,
            netuid,
            fetched_at,
            result,
        } => {
            if let Some(Modal::Stake(s)) = &mut model.modal
                && s.picker
                    .as_ref()
                    .is_some_and(|p| p.list.pending == Some(id))
            {
                s.on_validators(id, fetched_at, result);
                return Vec::new();
            }
            if netuid == model.validators.netuid
                && model.validators.validators.answer(id, fetched_at, result)
            {
                model.validators.selected = 0;
                model.validators.reorder();
            }
            Vec::new()
        }
        Action::OverviewLoaded {
            id,
            fetched_at,
            result,
        } => {
            model.network.overview.answer(id, fetched_at, result);
            Vec::new()
        }
        Action::StakePreviewed { id, result } => {
            if let Some(Modal::Stake(s)) = &mut model.modal {
                s.on_previewed(id, result);
            }
            Vec::new()
        }
        Action::StakeQuoted { id, result } => {
            if let Some(Modal::Stake(s)) = &mut model.modal {
                s.on_quoted(id, result);
            }
            Vec::new()
        }
        // Only the rebalance dialog asks for these; it is closed.
        Action::BatchPreviewed { .. } => Vec::new(),
        Action::HistoryLoaded { id, result } => {
            if model.history.pending == Some(id) {
                model.history.pending = None;
                match result {
                    Ok(entries) => {
                        model.history.entries = entries;
                        model.history.error = None;
                    }
                    Err(e) => model.history.error = Some(e),
                }
            }
            Vec::new()
        }
        Action::TxProgress { id, progress } => {
            match &mut model.modal {
                Some(Modal::Stake(s)) => s.on_progress(id, progress),
                Some(Modal::Submit(d)) => d.on_progress(id, progress),
                Some(Modal::Grant(d)) => d.on_progress(id, progress),
                _ => {}
            }
            Vec::new()
        }
        Action::UnsignedWritten { id, result } => {
            if let Some(Modal::Grant(d)) = &mut model.modal
                && d.on_written(id, &result)
                && let Ok(file) = result
            {
                model.modal = Some(Modal::OfflineWritten(Box::new(file)));
                return Vec::new();
            }
            if let Some(Modal::Stake(s)) = &mut model.modal
                && s.on_written(id, &result)
                && let Ok(file) = result
            {
                model.modal = Some(Modal::OfflineWritten(Box::new(file)));
            }
            Vec::new()
        }
        Action::SignedOpened { id, result } => {
            if let Some(Modal::Submit(d)) = &mut model.modal {
                d.on_opened(id, result);
            }
            Vec::new()
        }
        Action::JournalLoaded { .. }
        | Action::JournalRecorded { .. }
        | Action::BackfillProgress { .. }
        | Action::BackfillDone { .. }
        | Action::EarningsLoaded { .. }
        | Action::Exported { .. } => value::update(model, action),
        Action::ChainHistoryLoaded { .. } => history::update(model, action),
        Action::ProxiesLoaded { .. }
        | Action::GrantPreviewed { .. }
        | Action::WalletProxySaved { .. } => proxies::update(model, action),
        Action::TxDone { id, result } => {
            if let Some(at) = model.background_txs.iter().position(|t| *t == id) {
                model.background_txs.remove(at);
                match result {
                    Ok(done) => model.notify(done, false),
                    Err(e) => model.notify(format!("The transaction failed: {e}"), true),
                }
                let mut effects = load_history(model);
                effects.extend(fetch_portfolio(model));
                effects.extend(proxies::refresh(model, true));
                return effects;
            }
            if let Some(Modal::Grant(d)) = &mut model.modal
                && d.pending == Some(id)
            {
                d.on_done(id, result);
                // The grants and the reserved balance changed (or not, if it failed: read anyway, it is one read).
                let mut effects = load_history(model);
                effects.extend(fetch_portfolio(model));
                effects.extend(proxies::refresh(model, true));
                return effects;
            }
            if let Some(Modal::Submit(d)) = &mut model.modal {
                if !d.on_done(id, result) {
                    return Vec::new();
                }
                let mut effects = load_history(model);
                effects.extend(fetch_portfolio(model));
                return effects;
            }
            if let Some(Modal::Stake(s)) = &mut model.modal
                && s.on_done(id, result)
            {
                let mut effects = load_history(model);
                if matches!(s_ok(model), Some(true)) {
                    effects.extend(fetch_portfolio(model));
                }
                return effects;
            }
            Vec::new()
        }
    }
}

fn on_key(model: &mut Model, key: KeyPress) -> Vec<Effect> {
    // Ctrl-C quits from anywhere, text fields included.
    if key == KeyPress::ctrl('c') {
        return quit(model);
    }
    if let Some(modal) = model.modal.take() {
        return on_modal_key(model, modal, key);
    }
    if model.screen == Screen::Validators && model.validators.filtering {
        let v = &mut model.validators;
        match key.code {
            KeyCode::Esc => {
                v.filtering = false;
                v.filter.clear();
            }
            KeyCode::Enter => v.filtering = false,
            KeyCode::Backspace => v.filter.pop(),
            KeyCode::Char(c) => v.filter.push(c),
            _ => {}
        }
        v.selected = 0;
        v.reorder();
        return Vec::new();
    }
    model.notice = None;
    let Some(command) = model.keymap.lookup(model.screen.context(), key) else {
        return Vec::new();
    };
    on_command(model, command)
}

fn on_modal_key(model: &mut Model, modal: Modal, key: KeyPress) -> Vec<Effect> {
    match modal {
        Modal::Help { .. } => {
            model.modal = Some(modal);
            let page = i32::from(model.viewport.1.saturating_sub(3).max(1));
            match (key.code, model.keymap.lookup(Context::Global, key)) {
                (KeyCode::PageDown | KeyCode::Char(' '), _) => scroll_help(model, page),
                (KeyCode::PageUp, _) => scroll_help(model, -page),
                (KeyCode::Home, _) => scroll_help(model, i32::MIN / 2),
                (KeyCode::End, _) => scroll_help(model, i32::MAX / 2),
                (_, Some(Command::Down)) => scroll_help(model, 1),
                (_, Some(Command::Up)) => scroll_help(model, -1),
                (_, Some(Command::Back | Command::Select | Command::Help | Command::Quit)) => {
                    model.modal = None;
                }
                _ => {}
            }
            Vec::new()
        }
        Modal::Qr { .. }
        | Modal::Message { .. }
        | Modal::Position(_)
        | Modal::OfflineWritten(_) => {
            // Any of close, select or help closes a read-only dialog; other keys keep it.
            let cmd = model.keymap.lookup(Context::Global, key);
            if !matches!(
                cmd,
                Some(Command::Back | Command::Select | Command::Help | Command::Quit)
            ) {
                model.modal = Some(modal);
            }
            Vec::new()
        }
        Modal::Wizard(mut w) => match w.on_key(key, &mut model.ids) {
            WizardOutcome::Stay(effects) => {
                model.modal = Some(Modal::Wizard(w));
                effects
            }
            WizardOutcome::Close { rescan } => {
                if rescan {
                    rescan_wallets(model)
                } else {
                    model.notify("Wallet creation cancelled; nothing was written.", false);
                    Vec::new()
                }
            }
        },
        Modal::Form(mut f) => match f.on_key(key, &mut model.ids) {
            FormOutcome::Stay(effects) => {
                model.modal = Some(Modal::Form(f));
                effects
            }
            FormOutcome::Close { rescan } => {
                if rescan && f.kind.edits_address_book() {
                    reload_book(model)
                } else if rescan {
                    rescan_wallets(model)
                } else {
                    model.notify("Cancelled; nothing was written.", false);
                    Vec::new()
                }
            }
        },
        Modal::Stake(mut s) => {
            s.now = model.now;
            let limit = model.keymap.lookup(Context::StakeForm, key).filter(|c| {
                matches!(
                    c,
                    Command::ToleranceUp
                        | Command::ToleranceDown
                        | Command::TogglePartial
                        | Command::ToggleShield
                )
            });
            // Only the confirm step takes `o`: elsewhere it is typed into an address or a filter.
            let offline = s.step == stake::StakeStep::Confirm
                && model.keymap.lookup(Context::StakeForm, key) == Some(Command::SignOffline);
            let outcome = match limit {
                _ if offline => s.write_offline(&mut model.ids),
                Some(command) => s.on_limit_command(command, &mut model.ids),
                _ => s.on_key(key, &mut model.ids),
            };
            on_stake_outcome(model, s, outcome)
        }
        Modal::Rebalance(r) => rebalance::on_key(model, r, key),
        Modal::Grant(d) => proxies::on_grant_key(model, d, key),
        Modal::WalletProxy(d) => proxies::on_wallet_proxy_key(model, d, key),
        Modal::Submit(mut d) => match d.on_key(key, &mut model.ids) {
            SubmitOutcome::Stay(effects) => {
                model.modal = Some(Modal::Submit(d));
                effects
            }
            SubmitOutcome::Close { refresh } => {
                if refresh {
                    let mut effects = load_history(model);
                    effects.extend(fetch_portfolio(model));
                    effects
                } else {
                    Vec::new()
                }
            }
            SubmitOutcome::Detach { id } => {
                model.background_txs.push(id);
                model.notify(
                    "Still watching the transaction in the background (it is never sent twice); its outcome will \
                     show here and in History.",
                    false,
                );
                Vec::new()
            }
        },
    }
}

fn on_stake_outcome(model: &mut Model, s: Box<StakeForm>, outcome: StakeOutcome) -> Vec<Effect> {
    match outcome {
        StakeOutcome::Stay(effects) => {
            model.modal = Some(Modal::Stake(s));
            effects
        }
        StakeOutcome::Close { refresh } => {
            // A recipient sent to just now is no longer a first-time one for the rest of the session.
            if refresh
                && let Some(Ok(r)) = s.recipient()
                && !model.used_recipients.contains(&r.ss58)
            {
                model.used_recipients.push(r.ss58);
            }
            if refresh {
                fetch_portfolio(model)
            } else {
                Vec::new()
            }
        }
        StakeOutcome::Detach { id } => {
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

fn on_command(model: &mut Model, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => quit(model),
        Command::Help => {
            model.modal = Some(Modal::Help { scroll: 0 });
            Vec::new()
        }
        Command::NextTab | Command::PrevTab => {
            let n = Screen::ALL.len();
            let i = model.screen.index();
            let next = if command == Command::NextTab {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            switch_screen(
                model,
                Screen::ALL.get(next).copied().unwrap_or(Screen::Wallets),
            )
        }
        Command::WalletsTab => switch_screen(model, Screen::Wallets),
        Command::PortfolioTab => switch_screen(model, Screen::Portfolio),
        Command::ValidatorsTab => switch_screen(model, Screen::Validators),
        Command::NetworkTab => switch_screen(model, Screen::Network),
        Command::HistoryTab => switch_screen(model, Screen::History),
        Command::Up => move_selection(model, -1),
        Command::Down => move_selection(model, 1),
        Command::Back => stop_waiting(model),
        Command::Select => {
            if model.screen == Screen::Wallets {
                return open_qr(model);
            }
            if model.screen == Screen::Portfolio {
                return value::open_detail(model);
            }
            Vec::new()
        }
        Command::Refresh => refresh(model),
        Command::SubmitSigned => {
            model.modal = Some(Modal::Submit(Box::default()));
            Vec::new()
        }
        Command::NewWallet => {
            let existing = model
                .wallets
                .entries
                .iter()
                .map(|w| w.name.clone())
                .collect();
            model.modal = Some(Modal::Wizard(Box::new(CreateWizard::new(
                existing,
                model.prefs.default_format,
            ))));
            Vec::new()
        }
        Command::Restore => open_form(model, FormKind::Restore),
        Command::WatchOnly => open_form(model, FormKind::WatchOnly),
        Command::AddAddress => open_form(model, FormKind::AddAddress),
        Command::RemoveAddress => open_form(model, FormKind::RemoveAddress),
        Command::NewHotkey => match model.wallets.selected_wallet() {
            Some(w) => {
                let wallet = w.name.clone();
                open_form(model, FormKind::NewHotkey { wallet })
            }
            None => {
                model.notify("Create or select a wallet first (n creates one).", true);
                Vec::new()
            }
        },
        Command::ChangePassword | Command::Convert => key_form(model, command),
        Command::Copy => match model.wallets.selected_key().and_then(|k| k.ss58.clone()) {
            Some(ss58) => {
                // Short enough for an 80-column status bar; the README says the clear needs a
                // terminal that takes an empty OSC 52.
                model.notify(
                    format!("Copied; clears in {CLIPBOARD_CLEAR_SECS} s."),
                    false,
                );
                model.clipboard_clear_at = Some(model.now.saturating_add(CLIPBOARD_CLEAR_SECS));
                vec![Effect::CopyToClipboard(ss58)]
            }
            None => {
                model.notify("The selected key has no readable address to copy.", true);
                Vec::new()
            }
        },
        Command::Qr => open_qr(model),
        Command::AddProxy | Command::RemoveProxy | Command::WalletProxy => {
            proxies::on_command(model, command)
        }
        Command::Sort => {
            match model.screen {
                Screen::Portfolio => model.portfolio.sort = model.portfolio.sort.next(),
                Screen::Validators => {
                    model.validators.sort = model.validators.sort.next();
                    model.validators.reorder();
                }
                _ => {}
            }
            Vec::new()
        }
        Command::Filter => {
            model.validators.filtering = true;
            Vec::new()
        }
        Command::NextSubnet | Command::PrevSubnet => {
            let delta = if command == Command::NextSubnet {
                1
            } else {
                -1
            };
            match model.validators.step_subnet(delta) {
                Some(netuid) => {
                    model.validators.netuid = netuid;
                    model.validators.validators = chain::Remote::default();
                    model.validators.selected = 0;
                    model.validators.reorder();
                    fetch_validators(model)
                }
                None => Vec::new(),
            }
        }
        Command::Stake => open_stake_from_validator(model),
        Command::StakeMore
        | Command::Unstake
        | Command::MoveStake
        | Command::SwapStake
        | Command::TransferStake => open_stake_from_position(model, command),
        Command::Transfer => open_transfer(model),
        Command::Mark => rebalance::toggle_mark(model),
        Command::Rebalance => rebalance::open(model),
        // Only the stake dialog's limit; it gets its keys before any screen.
        Command::ToleranceUp
        | Command::ToleranceDown
        | Command::TogglePartial
        | Command::ToggleShield
        | Command::SignOffline => Vec::new(),
        Command::HideBalances => {
            model.prefs.hide_balances = !model.prefs.hide_balances;
            let text = if model.prefs.hide_balances {
                "Amounts hidden; * shows them again."
            } else {
                "Amounts shown."
            };
            model.notify(text, false);
            Vec::new()
        }
        Command::NextRange | Command::PrevRange | Command::Export
            if model.screen == Screen::History =>
        {
            history::on_command(model, command)
        }
        Command::ValueChart | Command::NextRange | Command::PrevRange | Command::Export => {
            value::on_command(model, command)
        }
        Command::ChartSplit => {
            model.portfolio.split = model.portfolio.split.next();
            Vec::new()
        }
    }
}

/// The width of the "taotui" label before the tabs (see `ui::draw_tabs`).
const TAB_LABEL_WIDTH: u16 = 8;

/// Which tab of the top line `column` falls on; mirrors `ui::draw_tabs`.
pub fn tab_at(column: u16) -> Option<Screen> {
    let mut x = TAB_LABEL_WIDTH;
    for (i, screen) in Screen::ALL.iter().enumerate() {
        let width =
            u16::try_from(format!(" {} {} ", i + 1, screen.title()).chars().count()).unwrap_or(0);
        if column >= x && column < x + width {
            return Some(*screen);
        }
        x += width;
    }
    None
}

/// The portfolio follows the chain while it is on screen: one read per new block, coalesced
/// (blocks that arrive during a read make one more read when it answers).
fn on_new_block(model: &mut Model, number: u64) -> Vec<Effect> {
    if model.head.is_some_and(|h| number <= h) {
        return Vec::new();
    }
    model.head = Some(number);
    if model.portfolio.listing.block.is_some_and(|b| b > number) {
        // Data said to be of a block this node has not reached (it restarted, or is another node that lags):
        // block numbers from before say nothing about it.
        model.portfolio.listing.forget_block();
    }
    model.portfolio.listing.on_head(number);
    if model.screen != Screen::Portfolio || !portfolio_behind(model) {
        return Vec::new();
    }
    fetch_portfolio(model)
}

/// Whether the chain head has moved past the block the portfolio shows.
fn portfolio_behind(model: &Model) -> bool {
    let listing = &model.portfolio.listing;
    let shown = if listing.pending.is_some() {
        listing.pending_block
    } else {
        listing.block
    };
    model.head.is_some_and(|h| shown.is_none_or(|b| h > b))
}

fn switch_screen(model: &mut Model, screen: Screen) -> Vec<Effect> {
    model.screen = screen;
    let mut effects = Vec::new();
    match screen {
        Screen::Portfolio => {
            let changed = refresh_portfolio_if_changed(model);
            if changed.is_empty() && portfolio_behind(model) {
                // It stopped following while off screen.
                effects.extend(fetch_portfolio(model));
            } else {
                effects.extend(changed);
            }
        }
        Screen::History => {
            effects.extend(load_history(model));
            effects.extend(history::scan(model, false));
        }
        Screen::Wallets => effects.extend(proxies::refresh(model, false)),
        Screen::Validators
            if model.validators.validators.data.is_none()
                && model.validators.validators.pending.is_none() =>
        {
            effects.extend(fetch_subnets(model));
            effects.extend(fetch_validators(model));
        }
        _ => {}
    }
    effects
}

/// Scrolls the help overlay by `delta` rows, within what the terminal leaves hidden.
fn scroll_help(model: &mut Model, delta: i32) {
    let max = help::max_scroll(model);
    if let Some(Modal::Help { scroll }) = &mut model.modal {
        let next = i64::from(*scroll) + i64::from(delta);
        *scroll = u16::try_from(next.clamp(0, i64::from(max))).unwrap_or(max);
    }
}

fn move_selection(model: &mut Model, delta: isize) -> Vec<Effect> {
    match model.screen {
        Screen::Wallets => {
            let before = model.selected_coldkey();
            model.wallets.move_selection(delta);
            if before != model.selected_coldkey() {
                model.portfolio.selected = 0;
                return proxies::refresh(model, false);
            }
        }
        Screen::Portfolio => {
            let len = model.portfolio.sorted().len();
            model.portfolio.selected = step(model.portfolio.selected, delta, len);
        }
        Screen::Validators => {
            let len = model.validators.visible_len();
            model.validators.selected = step(model.validators.selected, delta, len);
        }
        Screen::History => {
            let len = model.history.shown_len(model.selected_coldkey().as_deref());
            model.history.selected = step(model.history.selected, delta, len);
        }
        Screen::Network => {}
    }
    Vec::new()
}

fn step(current: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    current.saturating_add_signed(delta).min(len - 1)
}

fn open_form(model: &mut Model, kind: FormKind) -> Vec<Effect> {
    model.modal = Some(Modal::Form(Box::new(Form::new(
        kind,
        model.prefs.default_format,
    ))));
    Vec::new()
}

fn key_form(model: &mut Model, command: Command) -> Vec<Effect> {
    let (Some(row), Some(wallet), Some(key)) = (
        model.wallets.selected_row(),
        model.wallets.selected_wallet(),
        model.wallets.selected_key(),
    ) else {
        model.notify("Select a key first.", true);
        return Vec::new();
    };
    let target = match row.hotkey {
        Some(_) => KeyTarget::Hotkey(key.name.clone()),
        None => KeyTarget::Coldkey,
    };
    let wallet = wallet.name.clone();
    if !key.format.is_encrypted() {
        model.notify(
            format!(
                "The {target} is {}; only an encrypted key has a password to change or a format to convert.",
                key.lock_state()
            ),
            true,
        );
        return Vec::new();
    }
    let kind = if command == Command::ChangePassword {
        FormKind::ChangePassword { wallet, target }
    } else {
        let to = if key.format == KeyFormat::Native {
            KeyFileFormat::Btcli
        } else {
            KeyFileFormat::Native
        };
        FormKind::Convert { wallet, target, to }
    };
    open_form(model, kind)
}

fn open_qr(model: &mut Model) -> Vec<Effect> {
    if let (Some(w), Some(k)) = (
        model.wallets.selected_wallet(),
        model.wallets.selected_key(),
    ) && let Some(ss58) = &k.ss58
    {
        model.modal = Some(Modal::Qr {
            title: format!("{} / {}", w.name, k.name),
            ss58: ss58.clone(),
        });
    }
    Vec::new()
}

fn open_stake_from_validator(model: &mut Model) -> Vec<Effect> {
    let Some(v) = model
        .validators
        .visible_at(model.validators.selected)
        .cloned()
    else {
        return Vec::new();
    };
    let Some(wallet) = signing_wallet(model) else {
        return Vec::new();
    };
    let free = free_balance(model);
    let subnet = model.validators.subnet(v.netuid).cloned();
    let form = StakeForm::new(
        StakeKind::Stake,
        wallet,
        v.hotkey.ss58(),
        v.name.clone(),
        v.netuid,
        subnet,
        free,
        model.prefs.tolerance_bps,
    )
    .with_validator(Some(v));
    show_stake_form(model, form);
    Vec::new()
}

/// Opens a stake form; a wallet set to sign through a proxy wallet (`[wallets.NAME] proxy`) gets it here.
fn show_stake_form(model: &mut Model, mut form: StakeForm) {
    form.proxy = model.prefs.wallet_proxies.get(&form.wallet).cloned();
    form.mev_shield = model.prefs.mev_shield;
    form.watch_only = signs_offline_only(model, &form.wallet);
    model.modal = Some(Modal::Stake(Box::new(form)));
}

/// The selected wallet's name, or a notice saying why it cannot sign.
fn signing_wallet(model: &mut Model) -> Option<String> {
    let Some(w) = model.wallets.selected_wallet() else {
        model.notify(
            "Create or select a wallet on the Wallets screen first.",
            true,
        );
        return None;
    };
    // A watch-only wallet opens the forms too: it signs through its proxy wallet when one is set, else its
    // transaction is written for the offline machine that holds the key (`o` on the confirm step).
    Some(w.name.clone())
}

/// Whether `wallet`'s key is not on this machine and no proxy wallet signs for it.
fn signs_offline_only(model: &Model, wallet: &str) -> bool {
    !model.prefs.wallet_proxies.contains_key(wallet)
        && model.wallets.entries.iter().any(|w| {
            w.name == wallet
                && w.coldkey
                    .as_ref()
                    .is_some_and(|c| c.format == KeyFormat::PubOnly)
        })
}

fn free_balance(model: &Model) -> u64 {
    model
        .portfolio
        .listing
        .data
        .as_ref()
        .map(|(b, _)| b.free.get())
        .unwrap_or(0)
}

fn open_stake_from_position(model: &mut Model, command: Command) -> Vec<Effect> {
    let Some(p) = model
        .portfolio
        .sorted()
        .get(model.portfolio.selected)
        .map(|p| (*p).clone())
    else {
        model.notify("Select a position first.", true);
        return Vec::new();
    };
    let Some(wallet) = signing_wallet(model) else {
        return Vec::new();
    };
    let (kind, available) = match command {
        Command::StakeMore => (StakeKind::Stake, free_balance(model)),
        Command::Unstake => (StakeKind::Unstake, p.alpha.get()),
        Command::SwapStake => (StakeKind::Swap, p.alpha.get()),
        Command::TransferStake => (StakeKind::TransferStake, p.alpha.get()),
        _ => (StakeKind::Move, p.alpha.get()),
    };
    let subnet = model.validators.subnet(p.netuid).cloned();
    let hotkey = p.hotkey.ss58();
    let mut form = StakeForm::new(
        kind,
        wallet,
        hotkey.clone(),
        p.hotkey_name.clone(),
        p.netuid,
        subnet,
        available,
        model.prefs.tolerance_bps,
    );
    let mut effects = Vec::new();
    match kind {
        StakeKind::Swap => {
            let subnets = model.validators.subnets.data.clone().unwrap_or_default();
            if subnets.is_empty() {
                effects.extend(fetch_subnets(model));
            }
            form = form.with_subnets(subnets);
        }
        StakeKind::Move => {
            let mut picker = ValidatorPicker::new(p.netuid, hotkey);
            let v = &model.validators;
            if v.netuid == p.netuid && v.validators.data.is_some() {
                picker.list = v.validators.clone();
                picker.list.pending = None;
            } else if model.connected() {
                let id = model.ids.fresh();
                picker.list.request(id, model.now);
                effects.push(Effect::FetchValidators {
                    id,
                    netuid: p.netuid,
                });
            }
            picker.reorder();
            form = form.with_picker(picker);
        }
        // The sending coldkey's own address is refused as the destination.
        StakeKind::TransferStake => {
            form.coldkey = model.selected_coldkey();
            form.focus = stake::Focus::Destination;
            form.recipients = recipients(model);
        }
        // Stake more: the risk flags use the validator list when it shows this subnet.
        StakeKind::Stake => {
            let listed = model.validators.validators.data.as_ref().and_then(|list| {
                list.iter()
                    .find(|v| v.netuid == p.netuid && v.hotkey == p.hotkey)
                    .cloned()
            });
            form = form.with_validator(listed);
        }
        _ => {}
    }
    show_stake_form(model, form);
    effects
}

/// What a typed recipient is checked against: the address book, the wallets' coldkeys and past recipients.
fn recipients(model: &Model) -> recipient::Recipients {
    let wallets: Vec<(String, String)> = model
        .wallets
        .entries
        .iter()
        .filter_map(|w| {
            let ss58 = w.coldkey.as_ref()?.ss58.clone()?;
            Some((w.name.clone(), ss58))
        })
        .collect();
    recipient::Recipients::new(&model.wallets.addresses, &wallets, &model.used_recipients)
}

/// Transfer from the selected wallet; its balance is read first when the portfolio shows another.
fn open_transfer(model: &mut Model) -> Vec<Effect> {
    let Some(wallet) = signing_wallet(model) else {
        return Vec::new();
    };
    let coldkey = model.selected_coldkey();
    let effects = refresh_portfolio_if_changed(model);
    let mut form = StakeForm::transfer(
        wallet,
        coldkey,
        free_balance(model),
        model.prefs.tolerance_bps,
    );
    form.recipients = recipients(model);
    show_stake_form(model, form);
    effects
}

fn rescan_wallets(model: &mut Model) -> Vec<Effect> {
    let id = model.ids.fresh();
    model.wallets.scanning = Some(id);
    vec![Effect::ScanWallets { id }]
}

/// Reads the address book again (after the Addresses forms wrote it).
fn reload_book(model: &mut Model) -> Vec<Effect> {
    let id = model.ids.fresh();
    model.wallets.addresses_pending = Some(id);
    vec![Effect::LoadAddressBook { id }]
}

/// The Wallets screen's `r`: the wallet folder and the address book.
fn rescan_wallets_and_book(model: &mut Model) -> Vec<Effect> {
    let mut effects = rescan_wallets(model);
    let id = model.ids.fresh();
    model.wallets.addresses_pending = Some(id);
    effects.push(Effect::LoadAddressBook { id });
    effects
}

fn refresh(model: &mut Model) -> Vec<Effect> {
    let mut effects = match model.screen {
        Screen::Wallets => {
            let mut e = rescan_wallets_and_book(model);
            e.extend(proxies::refresh(model, true));
            e
        }
        Screen::Portfolio => fetch_portfolio(model),
        Screen::Validators => {
            let mut e = fetch_subnets(model);
            e.extend(fetch_validators(model));
            e
        }
        Screen::Network => fetch_overview(model),
        Screen::History => {
            let mut e = load_history(model);
            e.extend(history::scan(model, true));
            e
        }
    };
    if !model.connected() && !matches!(model.screen, Screen::Wallets | Screen::History) {
        model.notify(
            "Not connected to the chain; showing what was read last.",
            true,
        );
        effects.clear();
    }
    effects
}

/// Esc on a chain screen: stop waiting for its reads in flight (a node that stalls must never hold the screen).
fn stop_waiting(model: &mut Model) -> Vec<Effect> {
    let now = model.now;
    let ids: Vec<RequestId> = match model.screen {
        Screen::Portfolio => {
            model.portfolio.again = false;
            model.portfolio.listing.cancel(now).into_iter().collect()
        }
        Screen::Validators => [
            model.validators.validators.cancel(now),
            model.validators.subnets.cancel(now),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Screen::Network => model.network.overview.cancel(now).into_iter().collect(),
        Screen::History => model.history.chain.cancel(now).into_iter().collect(),
        Screen::Wallets => model.proxies.pending.take().into_iter().collect(),
    };
    if ids.is_empty() {
        return Vec::new();
    }
    model.notify(
        "Stopped waiting for the chain; press r to read again.",
        false,
    );
    vec![Effect::Cancel { ids }]
}

fn load_history(model: &mut Model) -> Vec<Effect> {
    let id = model.ids.fresh();
    model.history.pending = Some(id);
    vec![Effect::LoadHistory { id }]
}

fn fetch_overview(model: &mut Model) -> Vec<Effect> {
    if !model.connected() {
        return Vec::new();
    }
    let id = model.ids.fresh();
    model.network.overview.request(id, model.now);
    vec![Effect::FetchOverview { id }]
}

fn fetch_subnets(model: &mut Model) -> Vec<Effect> {
    if !model.connected() {
        return Vec::new();
    }
    let id = model.ids.fresh();
    model.validators.subnets.request(id, model.now);
    vec![Effect::FetchSubnets { id }]
}

fn fetch_validators(model: &mut Model) -> Vec<Effect> {
    if !model.connected() {
        return Vec::new();
    }
    let id = model.ids.fresh();
    model.validators.validators.request(id, model.now);
    vec![Effect::FetchValidators {
        id,
        netuid: model.validators.netuid,
    }]
}

fn fetch_portfolio(model: &mut Model) -> Vec<Effect> {
    let Some(coldkey) = model.selected_coldkey() else {
        return Vec::new();
    };
    model.portfolio.coldkey = Some(coldkey.clone());
    if !model.connected() {
        return Vec::new();
    }
    if model.portfolio.listing.pending.is_some() {
        model.portfolio.again = true;
        return Vec::new();
    }
    let id = model.ids.fresh();
    model
        .portfolio
        .listing
        .request_at(id, model.head, model.now);
    vec![Effect::FetchPositions { id, coldkey }]
}

/// Reads the portfolio again when the selected wallet changed since it was read.
fn refresh_portfolio_if_changed(model: &mut Model) -> Vec<Effect> {
    let selected = model.selected_coldkey();
    if selected != model.portfolio.coldkey {
        model.portfolio.listing = chain::Remote::default();
        model.portfolio.marks.clear();
        model.portfolio.again = false;
        model.portfolio.selected = 0;
        model.portfolio.coldkey = selected;
        return fetch_portfolio(model);
    }
    Vec::new()
}
