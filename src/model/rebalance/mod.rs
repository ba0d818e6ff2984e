//! The rebalance dialog (Portfolio): for each marked position choose keep, unstake all, unstake an amount, or move
//! all or part to another validator (on its subnet or another); optionally add a new stake. Then one preview of the
//! whole `Utility.batch_all` (the library `taotui stake batch` uses), one confirmation, one password, one signature.

mod legs;
mod portfolio;

pub use legs::{Choice, Dest, Leg, NewStake, Row};
pub(crate) use portfolio::{on_key, open, toggle_mark, update, wants};

use crossterm::event::KeyCode;

use super::IdGen;
use super::input::TextInput;
use super::picker::ValidatorPicker;
use super::stake::{TOLERANCE_STEPS_BPS, push_progress};
use crate::action::{BatchPreview, BatchRequest, Effect, KeyPress, RequestId, TxProgress};
use crate::chain::queries::SubnetView;
use crate::config::keymap::Command;
use crate::risk::Permit;

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
    /// Stake trades go encrypted through MevShield where the runtime has it (the stake form's toggle).
    pub mev_shield: bool,
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
            mev_shield: true,
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
    fn on_new_stake(&self) -> bool {
        self.selected >= self.rows.len()
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

    /// Tolerance up/down and partial fill for every limited leg, the MEV shield for the whole batch; a shown
    /// preview is asked again.
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
            Command::ToggleShield => self.mev_shield = !self.mev_shield,
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
