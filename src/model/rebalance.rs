//! The rebalance dialog (Portfolio): for each marked position choose keep, unstake all, unstake an amount, or move
//! all or part to another validator (on its subnet or another); optionally add a new stake. Then one preview of the
//! whole `Utility.batch_all` (the library `taotui stake batch` uses), one confirmation, one password, one signature.

use crossterm::event::KeyCode;

use super::input::TextInput;
use super::picker::ValidatorPicker;
use super::stake::{TOLERANCE_STEPS_BPS, push_progress};
use super::{IdGen, Modal, Model};
use crate::action::{
    Action, BatchPreview, BatchRequest, Effect, KeyPress, RequestId, StakeKind, StakeRequest,
    TxProgress,
};
use crate::amount::{AlphaRao, Rao, Rounding};
use crate::chain::queries::{PositionView, SubnetView};
use crate::config::keymap::{Command, Context};
use crate::risk::{Permit, RiskFlag, StakeTarget, stake_flags};

/// What happens to one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Keep,
    UnstakeAll,
    UnstakePart,
    MoveAll,
    MovePart,
}

impl Choice {
    const ORDER: [Choice; 5] = [
        Choice::Keep,
        Choice::UnstakeAll,
        Choice::UnstakePart,
        Choice::MoveAll,
        Choice::MovePart,
    ];

    fn step(self, delta: isize) -> Choice {
        let n = Choice::ORDER.len();
        let i = Choice::ORDER.iter().position(|c| *c == self).unwrap_or(0);
        let next = (i + n).saturating_add_signed(delta) % n;
        Choice::ORDER.get(next).copied().unwrap_or(Choice::Keep)
    }

    pub fn label(self) -> &'static str {
        match self {
            Choice::Keep => "keep",
            Choice::UnstakeAll => "unstake all",
            Choice::UnstakePart => "unstake",
            Choice::MoveAll => "move all",
            Choice::MovePart => "move",
        }
    }

    pub fn takes_amount(self) -> bool {
        matches!(self, Choice::UnstakePart | Choice::MovePart)
    }

    pub fn moves(self) -> bool {
        matches!(self, Choice::MoveAll | Choice::MovePart)
    }
}

/// A validator on a subnet, chosen with the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub hotkey: String,
    pub name: Option<String>,
    pub netuid: u16,
    /// Its validator permit as the picker's list read it (for the new stake's risk flags).
    pub permit: Permit,
}

impl Dest {
    pub fn label(&self) -> String {
        format!(
            "{} on SN{}",
            name_or_short(&self.name, &self.hotkey),
            self.netuid
        )
    }
}

fn name_or_short(name: &Option<String>, hotkey: &str) -> String {
    name.clone()
        .unwrap_or_else(|| crate::ui::widgets::fmt::short(hotkey))
}

/// One marked position and what the user chose for it.
#[derive(Debug, Clone)]
pub struct Row {
    pub hotkey: String,
    pub name: Option<String>,
    pub netuid: u16,
    pub symbol: String,
    /// Alpha that can be unstaked or moved now (without the locked part on runtimes with locks).
    pub held: u64,
    pub choice: Choice,
    pub amount: TextInput,
    pub dest: Option<Dest>,
}

impl Row {
    pub fn from_position(p: &PositionView) -> Row {
        Row {
            hotkey: p.hotkey.ss58(),
            name: p.hotkey_name.clone(),
            netuid: p.netuid,
            symbol: p.symbol.clone(),
            held: p.available.unwrap_or(p.alpha).get(),
            choice: Choice::Keep,
            amount: TextInput::new(),
            dest: None,
        }
    }

    pub fn label(&self) -> String {
        format!(
            "{} on SN{}",
            name_or_short(&self.name, &self.hotkey),
            self.netuid
        )
    }

    pub fn alpha_text(&self, rao: u64) -> String {
        format!(
            "{} {}",
            AlphaRao(rao).format_alpha(4, Rounding::Down),
            self.symbol
        )
    }
}

/// The optional new stake: TAO to a validator on a subnet.
#[derive(Debug, Clone, Default)]
pub struct NewStake {
    pub amount: TextInput,
    pub dest: Option<Dest>,
}

impl NewStake {
    pub fn is_set(&self) -> bool {
        !self.amount.is_empty() || self.dest.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebalanceStep {
    Edit,
    /// Choosing a destination validator with the picker.
    Picking,
    Previewing,
    Confirm,
    Writing,
    Password,
    Progress,
    Done,
}

/// One leg as the preview describes it, with the request that plans it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub words: String,
    pub request: StakeRequest,
    /// The symbols of the alpha the leg sells and receives, for its figures.
    pub sold_symbol: String,
    pub received_symbol: String,
}

#[derive(Debug)]
pub struct Rebalance {
    pub wallet: String,
    /// The proxy wallet that signs for `wallet` (its `proxy` setting), if any.
    pub proxy: Option<String>,
    /// The key is not on this machine and no proxy signs: only `o` (offline signing) can go on.
    pub watch_only: bool,
    pub rows: Vec<Row>,
    pub new_stake: NewStake,
    /// The row with the cursor; `rows.len()` is the new-stake row.
    pub selected: usize,
    /// While picking: the validators of the subnet a destination is chosen on.
    pub picker: Option<ValidatorPicker>,
    /// The subnets `[`/`]` step through while picking (their symbols, their deregistration standing).
    pub subnets: Vec<SubnetView>,
    /// Free TAO, for the new stake.
    pub free: u64,
    pub tolerance_bps: u32,
    pub allow_partial: bool,
    pub step: RebalanceStep,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
    pub legs: Vec<Leg>,
    pub preview: Option<(RequestId, BatchPreview)>,
    pub password: TextInput,
    pub progress: Vec<TxProgress>,
    pub result: Option<Result<String, String>>,
    pub now: u64,
    pub progress_since: u64,
}

pub enum RebalanceOutcome {
    Stay(Vec<Effect>),
    Close {
        refresh: bool,
    },
    Detach {
        id: RequestId,
    },
    /// Open the validator picker on `netuid` (the model has the validator lists).
    Pick {
        netuid: u16,
    },
}

impl Rebalance {
    pub fn new(wallet: String, rows: Vec<Row>, free: u64, tolerance_bps: u32) -> Rebalance {
        Rebalance {
            wallet,
            proxy: None,
            watch_only: false,
            rows,
            new_stake: NewStake::default(),
            selected: 0,
            picker: None,
            subnets: Vec::new(),
            free,
            tolerance_bps,
            allow_partial: false,
            step: RebalanceStep::Edit,
            error: None,
            pending: None,
            legs: Vec::new(),
            preview: None,
            password: TextInput::secret(),
            progress: Vec::new(),
            result: None,
            now: 0,
            progress_since: 0,
        }
    }

    fn symbol_of(&self, netuid: u16) -> String {
        self.subnets
            .iter()
            .find(|s| s.netuid == netuid)
            .map_or_else(|| "α".to_owned(), |s| s.symbol.clone())
    }

    /// The new stake's risks worth a warning before signing, as the stake form shows them.
    pub fn risk_flags(&self) -> Vec<RiskFlag> {
        let Some(d) = self
            .new_stake
            .dest
            .as_ref()
            .filter(|_| self.new_stake.is_set())
        else {
            return Vec::new();
        };
        let label = d.label();
        let target = StakeTarget {
            label: &label,
            netuid: d.netuid,
            permit: d.permit,
        };
        let standing = self
            .subnets
            .iter()
            .find(|s| s.netuid == d.netuid)
            .map(|s| &s.dereg);
        stake_flags(&target, standing)
    }

    fn on_new_stake(&self) -> bool {
        self.selected >= self.rows.len()
    }

    /// The legs in order (the positions top to bottom, then the new stake), or the sentence saying what to fix.
    pub fn build_legs(&self) -> Result<Vec<Leg>, String> {
        let mut legs = Vec::new();
        let request = |kind, hotkey: &str, netuid, amount, all| StakeRequest {
            kind,
            wallet: self.wallet.clone(),
            hotkey: hotkey.to_owned(),
            netuid,
            amount,
            destination: None,
            destination_netuid: None,
            all,
            tolerance_bps: self.tolerance_bps,
            allow_partial: self.allow_partial,
            proxy: self.proxy.clone(),
        };
        for row in &self.rows {
            let label = row.label();
            let amount = || -> Result<u64, String> {
                let text = row.amount.trimmed();
                if text.is_empty() {
                    return Err(format!(
                        "{label}: type how much alpha to {}, or choose “{} all” with ←/→.",
                        row.choice.label(),
                        row.choice.label()
                    ));
                }
                let value = AlphaRao::parse_alpha(text)
                    .map_err(|e| {
                        format!("{label}: `{text}` is not an amount ({e}); type e.g. 12.5.")
                    })?
                    .get();
                if value == 0 {
                    return Err(format!("{label}: the amount must be more than zero."));
                }
                if value > row.held {
                    return Err(format!(
                        "{label}: {} is more than the {} it holds; type at most that, or choose “{} all”.",
                        row.alpha_text(value),
                        row.alpha_text(row.held),
                        row.choice.label()
                    ));
                }
                Ok(value)
            };
            let dest = || -> Result<&Dest, String> {
                let d = row.dest.as_ref().ok_or_else(|| {
                    format!("{label}: press Tab to choose the validator to move to.")
                })?;
                if d.hotkey == row.hotkey && d.netuid == row.netuid {
                    return Err(format!(
                        "{label}: that is where the stake already is; choose another validator or subnet."
                    ));
                }
                Ok(d)
            };
            let leg = match row.choice {
                Choice::Keep => continue,
                Choice::UnstakeAll => Leg {
                    words: format!("Unstake all {} of {label}", row.alpha_text(row.held)),
                    request: request(StakeKind::Unstake, &row.hotkey, row.netuid, row.held, true),
                    sold_symbol: row.symbol.clone(),
                    received_symbol: row.symbol.clone(),
                },
                Choice::UnstakePart => {
                    let a = amount()?;
                    Leg {
                        words: format!("Unstake {} from {label}", row.alpha_text(a)),
                        request: request(StakeKind::Unstake, &row.hotkey, row.netuid, a, false),
                        sold_symbol: row.symbol.clone(),
                        received_symbol: row.symbol.clone(),
                    }
                }
                Choice::MoveAll | Choice::MovePart => {
                    let all = row.choice == Choice::MoveAll;
                    let a = if all { row.held } else { amount()? };
                    let d = dest()?;
                    let mut r = request(StakeKind::Move, &row.hotkey, row.netuid, a, all);
                    r.destination = Some(d.hotkey.clone());
                    r.destination_netuid = (d.netuid != row.netuid).then_some(d.netuid);
                    Leg {
                        words: format!(
                            "Move {}{} from {label} to {}",
                            if all { "all " } else { "" },
                            row.alpha_text(a),
                            d.label()
                        ),
                        request: r,
                        sold_symbol: row.symbol.clone(),
                        received_symbol: if d.netuid == row.netuid {
                            row.symbol.clone()
                        } else {
                            self.symbol_of(d.netuid)
                        },
                    }
                }
            };
            legs.push(leg);
        }
        if self.new_stake.is_set() {
            let n = &self.new_stake;
            let text = n.amount.trimmed();
            if text.is_empty() {
                return Err("New stake: type how much TAO to stake, or clear it.".to_owned());
            }
            let value = Rao::parse_tao(text)
                .map_err(|e| format!("New stake: `{text}` is not an amount ({e}); type e.g. 2.5."))?
                .get();
            if value == 0 {
                return Err("New stake: the amount must be more than zero.".to_owned());
            }
            if value > self.free {
                return Err(format!(
                    "New stake: {} TAO is more than the {} TAO free; type less.",
                    Rao(value).format_tao(4, Rounding::Down),
                    Rao(self.free).format_tao(4, Rounding::Down)
                ));
            }
            let d = n.dest.as_ref().ok_or_else(|| {
                "New stake: press Tab to choose the validator to stake to.".to_owned()
            })?;
            legs.push(Leg {
                words: format!(
                    "Stake {} TAO to {}",
                    Rao(value).format_tao(4, Rounding::Down),
                    d.label()
                ),
                request: request(StakeKind::Stake, &d.hotkey, d.netuid, value, false),
                sold_symbol: self.symbol_of(d.netuid),
                received_symbol: self.symbol_of(d.netuid),
            });
        }
        if legs.is_empty() {
            return Err(
                "Nothing to do: every position is set to keep. Choose what happens to one with ←/→, or add a new \
                 stake on the last row."
                    .to_owned(),
            );
        }
        Ok(legs)
    }

    fn batch_request(&self) -> BatchRequest {
        BatchRequest {
            wallet: self.wallet.clone(),
            proxy: self.proxy.clone(),
            legs: self.legs.iter().map(|l| l.request.clone()).collect(),
        }
    }

    fn ask_preview(&mut self, ids: &mut IdGen) -> RebalanceOutcome {
        match self.build_legs() {
            Ok(legs) => {
                self.legs = legs;
                let id = ids.fresh();
                self.pending = Some(id);
                self.preview = None;
                self.error = None;
                self.step = RebalanceStep::Previewing;
                RebalanceOutcome::Stay(vec![Effect::PreviewBatch {
                    id,
                    request: self.batch_request(),
                }])
            }
            Err(e) => {
                self.error = Some(e);
                self.step = RebalanceStep::Edit;
                RebalanceOutcome::Stay(Vec::new())
            }
        }
    }

    pub fn on_previewed(&mut self, id: RequestId, result: Result<BatchPreview, String>) {
        if self.pending != Some(id) || self.step != RebalanceStep::Previewing {
            return;
        }
        self.pending = None;
        match result {
            Ok(p) => {
                self.preview = Some((id, p));
                self.step = RebalanceStep::Confirm;
            }
            Err(e) => {
                self.error = Some(e);
                self.step = RebalanceStep::Edit;
            }
        }
    }

    /// Tolerance up/down and partial fill, for every limited leg; a shown preview is asked again.
    pub fn on_limit_command(&mut self, command: Command, ids: &mut IdGen) -> RebalanceOutcome {
        if !matches!(self.step, RebalanceStep::Edit | RebalanceStep::Confirm) {
            return RebalanceOutcome::Stay(Vec::new());
        }
        let current = self.tolerance_bps;
        match command {
            Command::ToleranceUp => {
                self.tolerance_bps = TOLERANCE_STEPS_BPS
                    .iter()
                    .find(|&&b| b > current)
                    .copied()
                    .unwrap_or(current);
            }
            Command::ToleranceDown => {
                self.tolerance_bps = TOLERANCE_STEPS_BPS
                    .iter()
                    .rev()
                    .find(|&&b| b < current)
                    .copied()
                    .unwrap_or(current);
            }
            Command::TogglePartial => self.allow_partial = !self.allow_partial,
            _ => return RebalanceOutcome::Stay(Vec::new()),
        }
        if self.step == RebalanceStep::Confirm {
            return self.ask_preview(ids);
        }
        RebalanceOutcome::Stay(Vec::new())
    }

    pub fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> RebalanceOutcome {
        let stay = || RebalanceOutcome::Stay(Vec::new());
        match (self.step, key.code) {
            (RebalanceStep::Progress, KeyCode::Esc) => match self.pending {
                Some(id) => RebalanceOutcome::Detach { id },
                None => stay(),
            },
            (RebalanceStep::Progress, _) => stay(),
            (RebalanceStep::Previewing, KeyCode::Esc) => {
                self.pending = None;
                self.step = RebalanceStep::Edit;
                stay()
            }
            (RebalanceStep::Writing, KeyCode::Esc) => {
                self.pending = None;
                self.step = RebalanceStep::Confirm;
                stay()
            }
            (RebalanceStep::Previewing | RebalanceStep::Writing, _) => stay(),
            (RebalanceStep::Done, KeyCode::Esc | KeyCode::Enter) => RebalanceOutcome::Close {
                refresh: matches!(self.result, Some(Ok(_))),
            },
            (RebalanceStep::Done, _) => stay(),
            (RebalanceStep::Picking, _) => self.on_picking_key(key),
            (RebalanceStep::Edit, _) => self.on_edit_key(key, ids),
            (RebalanceStep::Confirm, KeyCode::Esc) => {
                self.error = None;
                self.step = RebalanceStep::Edit;
                stay()
            }
            (RebalanceStep::Confirm, KeyCode::Enter) => {
                match &self.preview {
                    Some((_, p)) if !p.is_allowed() => {
                        self.error = Some(
                            "the chain refuses this batch as it is; press Esc and change the leg it names"
                                .to_owned(),
                        );
                    }
                    _ if self.watch_only => {
                        self.error = Some(format!(
                            "wallet {} is watch-only: its key is not on this machine; press o to write the batch \
                             for offline signing",
                            self.wallet
                        ));
                    }
                    Some(_) => self.step = RebalanceStep::Password,
                    None => self.step = RebalanceStep::Edit,
                }
                stay()
            }
            (RebalanceStep::Confirm, _) => stay(),
            (RebalanceStep::Password, KeyCode::Esc) => {
                self.password.clear();
                self.step = RebalanceStep::Confirm;
                stay()
            }
            (RebalanceStep::Password, KeyCode::Char(c)) => {
                self.password.push(c);
                stay()
            }
            (RebalanceStep::Password, KeyCode::Backspace) => {
                self.password.pop();
                stay()
            }
            (RebalanceStep::Password, KeyCode::Enter) => {
                let Some((preview, _)) = &self.preview else {
                    self.step = RebalanceStep::Edit;
                    return stay();
                };
                let preview = *preview;
                let id = ids.fresh();
                self.pending = Some(id);
                self.step = RebalanceStep::Progress;
                self.progress_since = self.now;
                self.progress = vec![TxProgress::Unlocking];
                let password = self.password.to_secret();
                self.password.clear();
                RebalanceOutcome::Stay(vec![Effect::SubmitBatch {
                    id,
                    preview,
                    request: self.batch_request(),
                    password,
                }])
            }
            (RebalanceStep::Password, _) => stay(),
        }
    }

    fn on_edit_key(&mut self, key: KeyPress, ids: &mut IdGen) -> RebalanceOutcome {
        let stay = RebalanceOutcome::Stay(Vec::new());
        let on_new = self.on_new_stake();
        match key.code {
            KeyCode::Esc => return RebalanceOutcome::Close { refresh: false },
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(self.rows.len()),
            KeyCode::Left | KeyCode::Right if !on_new => {
                let delta = if key.code == KeyCode::Left { -1 } else { 1 };
                if let Some(row) = self.rows.get_mut(self.selected) {
                    row.choice = row.choice.step(delta);
                }
                self.error = None;
            }
            KeyCode::Char(c) if c.is_ascii_digit() || c == '.' => {
                self.error = None;
                match self.rows.get_mut(self.selected) {
                    Some(row) if row.choice.takes_amount() => row.amount.push(c),
                    Some(row) => {
                        self.error = Some(format!(
                            "{}: “{}” takes no amount; choose “unstake” or “move” with ←/→ to type one.",
                            row.label(),
                            row.choice.label()
                        ));
                    }
                    None => self.new_stake.amount.push(c),
                }
            }
            KeyCode::Backspace => {
                self.error = None;
                match self.rows.get_mut(self.selected) {
                    Some(row) => row.amount.pop(),
                    None => {
                        if self.new_stake.amount.is_empty() {
                            self.new_stake.dest = None;
                        }
                        self.new_stake.amount.pop();
                    }
                }
            }
            KeyCode::Tab => {
                let netuid = match self.rows.get(self.selected) {
                    Some(row) if row.choice.moves() => {
                        row.dest.as_ref().map_or(row.netuid, |d| d.netuid)
                    }
                    Some(row) => {
                        self.error = Some(format!(
                            "{}: only a move has a destination; choose “move” or “move all” with ←/→ first.",
                            row.label()
                        ));
                        return stay;
                    }
                    None => self
                        .new_stake
                        .dest
                        .as_ref()
                        .map_or_else(|| self.rows.first().map_or(0, |r| r.netuid), |d| d.netuid),
                };
                self.error = None;
                return RebalanceOutcome::Pick { netuid };
            }
            KeyCode::Enter => return self.ask_preview(ids),
            _ => {}
        }
        stay
    }

    /// Opens the picker on `netuid`, with the model's list of it when there is one, else asks the chain.
    pub fn open_picker(
        &mut self,
        netuid: u16,
        cached: Option<super::chain::Remote<Vec<crate::chain::queries::ValidatorView>>>,
        connected: bool,
        ids: &mut IdGen,
    ) -> Vec<Effect> {
        // The position's own validator is no destination on its own subnet.
        let exclude = self
            .rows
            .get(self.selected)
            .filter(|r| r.netuid == netuid)
            .map(|r| r.hotkey.clone())
            .unwrap_or_default();
        let mut picker = ValidatorPicker::new(netuid, exclude);
        let mut effects = Vec::new();
        match cached {
            Some(list) => {
                picker.list = list;
                picker.list.pending = None;
            }
            None if connected => {
                let id = ids.fresh();
                picker.list.request(id, self.now);
                effects.push(Effect::FetchValidators { id, netuid });
            }
            None => {}
        }
        picker.reorder();
        self.picker = Some(picker);
        self.step = RebalanceStep::Picking;
        effects
    }

    pub fn on_validators(
        &mut self,
        id: RequestId,
        fetched_at: u64,
        result: Result<Vec<crate::chain::queries::ValidatorView>, String>,
    ) -> bool {
        match &mut self.picker {
            Some(p) if p.list.pending == Some(id) => {
                p.list.answer(id, fetched_at, result);
                p.reorder();
                true
            }
            _ => false,
        }
    }

    /// The subnet `delta` steps from the picker's, among the known subnets (by number when none are known).
    fn stepped_subnet(&self, from: u16, delta: isize) -> u16 {
        match self.subnets.iter().position(|s| s.netuid == from) {
            Some(i) => self
                .subnets
                .get(i.saturating_add_signed(delta).min(self.subnets.len() - 1))
                .map_or(from, |s| s.netuid),
            None => from.saturating_add_signed(delta as i16),
        }
    }

    fn on_picking_key(&mut self, key: KeyPress) -> RebalanceOutcome {
        let stay = RebalanceOutcome::Stay(Vec::new());
        let Some(p) = self.picker.as_mut() else {
            self.step = RebalanceStep::Edit;
            return stay;
        };
        match key.code {
            KeyCode::Esc => {
                self.picker = None;
                self.step = RebalanceStep::Edit;
            }
            KeyCode::Up => p.step(-1),
            KeyCode::Down => p.step(1),
            KeyCode::Char(c @ ('[' | ']')) => {
                let from = p.netuid;
                let to = self.stepped_subnet(from, if c == '[' { -1 } else { 1 });
                if to != from {
                    return RebalanceOutcome::Pick { netuid: to };
                }
            }
            KeyCode::Char(c) => {
                p.filter.push(c);
                p.selected = 0;
                p.reorder();
            }
            KeyCode::Backspace => {
                p.filter.pop();
                p.selected = 0;
                p.reorder();
            }
            KeyCode::Enter => {
                let Some(hotkey) = p.chosen() else {
                    self.error = Some(
                        "no validator chosen: type to filter, ↑↓ to choose, or paste an SS58 address".to_owned(),
                    );
                    return stay;
                };
                let chosen = p.chosen_validator();
                let dest = Dest {
                    hotkey,
                    name: chosen.and_then(|v| v.name.clone()),
                    netuid: p.netuid,
                    permit: chosen.map_or(Permit::Unknown, |v| Permit::from(v.validator_permit)),
                };
                match self.rows.get_mut(self.selected) {
                    Some(row) => row.dest = Some(dest),
                    None => self.new_stake.dest = Some(dest),
                }
                self.picker = None;
                self.error = None;
                self.step = RebalanceStep::Edit;
            }
            _ => {}
        }
        stay
    }

    pub fn on_paste(&mut self, text: &str) {
        match self.step {
            RebalanceStep::Picking => {
                if let Some(p) = self.picker.as_mut() {
                    p.filter.push_str(text.trim());
                    p.selected = 0;
                    p.reorder();
                }
            }
            RebalanceStep::Password => self.password.push_str(text),
            RebalanceStep::Edit => match self.rows.get_mut(self.selected) {
                Some(row) if row.choice.takes_amount() => row.amount.push_str(text.trim()),
                Some(_) => {}
                None => self.new_stake.amount.push_str(text.trim()),
            },
            _ => {}
        }
    }

    /// `o` on the confirm step: the worker writes the previewed batch for offline signing.
    pub fn write_offline(&mut self, ids: &mut IdGen) -> RebalanceOutcome {
        let stay = RebalanceOutcome::Stay(Vec::new());
        let preview = match &self.preview {
            Some((_, p)) if !p.is_allowed() => {
                self.error = Some(
                    "the chain refuses this batch as it is; press Esc and change the leg it names"
                        .to_owned(),
                );
                return stay;
            }
            Some((_, p)) if p.parts > 1 => {
                self.error = Some(format!(
                    "an offline signature covers one transaction and this rebalance makes {} batches; set some \
                     positions to keep (at most 16 legs) to write it",
                    p.parts
                ));
                return stay;
            }
            Some((id, _)) => *id,
            None => return stay,
        };
        let id = ids.fresh();
        self.pending = Some(id);
        self.error = None;
        self.step = RebalanceStep::Writing;
        RebalanceOutcome::Stay(vec![Effect::WriteUnsignedBatch {
            id,
            preview,
            request: self.batch_request(),
        }])
    }

    pub fn on_written(
        &mut self,
        id: RequestId,
        result: &Result<crate::action::OfflineFile, String>,
    ) -> bool {
        if self.pending != Some(id) || self.step != RebalanceStep::Writing {
            return false;
        }
        self.pending = None;
        match result {
            Ok(_) => self.step = RebalanceStep::Done,
            Err(e) => {
                self.error = Some(e.clone());
                self.step = RebalanceStep::Confirm;
            }
        }
        true
    }

    pub fn on_progress(&mut self, id: RequestId, progress: TxProgress) {
        if self.pending == Some(id) {
            push_progress(&mut self.progress, progress);
        }
    }

    pub fn on_done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        self.step = RebalanceStep::Done;
        self.result = Some(result);
        true
    }
}

/// Space on the Portfolio: marks or unmarks the selected position and moves to the next one.
pub(crate) fn toggle_mark(model: &mut Model) -> Vec<Effect> {
    let Some(key) = model
        .portfolio
        .sorted()
        .get(model.portfolio.selected)
        .map(|p| (p.hotkey.0, p.netuid))
    else {
        model.notify("Select a position first.", true);
        return Vec::new();
    };
    if !model.portfolio.marks.remove(&key) {
        model.portfolio.marks.insert(key);
    }
    let len = model.portfolio.sorted().len();
    model.portfolio.selected = (model.portfolio.selected + 1).min(len.saturating_sub(1));
    Vec::new()
}

/// Opens the dialog for the marked positions, or the selected one when none is marked.
pub(crate) fn open(model: &mut Model) -> Vec<Effect> {
    let sorted = model.portfolio.sorted();
    let marked: Vec<Row> = sorted
        .iter()
        .filter(|p| model.portfolio.marks.contains(&(p.hotkey.0, p.netuid)))
        .map(|p| Row::from_position(p))
        .collect();
    let rows = if marked.is_empty() {
        sorted
            .get(model.portfolio.selected)
            .map(|p| vec![Row::from_position(p)])
            .unwrap_or_default()
    } else {
        marked
    };
    if rows.is_empty() {
        model.notify(
            "Nothing to rebalance: this wallet has no positions; stake from the Validators screen first.",
            true,
        );
        return Vec::new();
    }
    let Some(wallet) = super::signing_wallet(model) else {
        return Vec::new();
    };
    let mut r = Rebalance::new(
        wallet,
        rows,
        super::free_balance(model),
        model.prefs.tolerance_bps,
    );
    r.proxy = model.prefs.wallet_proxies.get(&r.wallet).cloned();
    r.watch_only = super::signs_offline_only(model, &r.wallet);
    r.subnets = model
        .validators
        .subnets
        .data
        .as_ref()
        .cloned()
        .unwrap_or_default();
    r.now = model.now;
    model.modal = Some(Modal::Rebalance(Box::new(r)));
    Vec::new()
}

/// A key while the dialog is open.
pub(crate) fn on_key(model: &mut Model, mut r: Box<Rebalance>, key: KeyPress) -> Vec<Effect> {
    r.now = model.now;
    let command = model.keymap.lookup(Context::StakeForm, key);
    let outcome = match command {
        Some(Command::SignOffline) if r.step == RebalanceStep::Confirm => {
            r.write_offline(&mut model.ids)
        }
        Some(c @ (Command::ToleranceUp | Command::ToleranceDown | Command::TogglePartial))
            if r.step != RebalanceStep::Password =>
        {
            r.on_limit_command(c, &mut model.ids)
        }
        _ => r.on_key(key, &mut model.ids),
    };
    match outcome {
        RebalanceOutcome::Stay(effects) => {
            model.modal = Some(Modal::Rebalance(r));
            effects
        }
        RebalanceOutcome::Pick { netuid } => {
            let v = &model.validators;
            let cached =
                (v.netuid == netuid && v.validators.data.is_some()).then(|| v.validators.clone());
            let effects = r.open_picker(netuid, cached, model.connected(), &mut model.ids);
            model.modal = Some(Modal::Rebalance(r));
            effects
        }
        RebalanceOutcome::Close { refresh } => {
            if refresh {
                super::fetch_portfolio(model)
            } else {
                Vec::new()
            }
        }
        RebalanceOutcome::Detach { id } => {
            model.background_txs.push(id);
            model.notify(
                "Still watching the batch in the background (it is never sent twice); its outcome will show here \
                 and in History.",
                false,
            );
            Vec::new()
        }
    }
}

/// Whether `action` is the open dialog's answer (then [`update`] takes it).
pub(crate) fn wants(model: &Model, action: &Action) -> bool {
    let Some(Modal::Rebalance(r)) = &model.modal else {
        return false;
    };
    match action {
        Action::BatchPreviewed { .. } => true,
        Action::ValidatorsLoaded { id, .. } => r
            .picker
            .as_ref()
            .is_some_and(|p| p.list.pending == Some(*id)),
        Action::TxProgress { id, .. }
        | Action::TxDone { id, .. }
        | Action::UnsignedWritten { id, .. } => r.pending == Some(*id),
        _ => false,
    }
}

/// The worker's answers for the open dialog (those [`wants`] says are its).
pub(crate) fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    let Some(Modal::Rebalance(r)) = &mut model.modal else {
        return Vec::new();
    };
    match action {
        Action::BatchPreviewed { id, result } => r.on_previewed(id, result),
        Action::ValidatorsLoaded {
            id,
            fetched_at,
            result,
            ..
        } => {
            r.on_validators(id, fetched_at, result);
        }
        Action::TxProgress { id, progress } => r.on_progress(id, progress),
        Action::TxDone { id, result } => {
            let ok = result.is_ok();
            r.on_done(id, result);
            let mut effects = super::load_history(model);
            if ok {
                effects.extend(super::fetch_portfolio(model));
            }
            return effects;
        }
        Action::UnsignedWritten { id, result } => {
            if r.on_written(id, &result)
                && let Ok(file) = result
            {
                model.modal = Some(Modal::OfflineWritten(Box::new(file)));
            }
        }
        _ => {}
    }
    Vec::new()
}
