//! The Portfolio's value over time: the journal's snapshots of the selected coldkey as total and
//! per-position values, the chart's range, and "since you last looked".
//!
//! Values are computed once when snapshots arrive (alpha x price for every position of every
//! snapshot), so a frame only slices and scales them.

use std::collections::HashMap;

use crate::action::{Action, Effect, RequestId};
use crate::chain::earnings::{EarningsReport, PositionEarnings};
use crate::config::keymap::Command;
use crate::journal::Snapshot;

use super::{Model, Screen};

/// The chart's time span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Range {
    Day,
    #[default]
    Week,
    Month,
    All,
}

impl Range {
    pub const ALL: [Range; 4] = [Range::Day, Range::Week, Range::Month, Range::All];

    pub fn label(self) -> &'static str {
        match self {
            Range::Day => "24 h",
            Range::Week => "7 d",
            Range::Month => "30 d",
            Range::All => "all",
        }
    }

    /// The span in seconds; `None` for everything in the journal.
    pub fn secs(self) -> Option<u64> {
        match self {
            Range::Day => Some(86_400),
            Range::Week => Some(7 * 86_400),
            Range::Month => Some(30 * 86_400),
            Range::All => None,
        }
    }

    fn step(self, delta: isize) -> Range {
        let i = Range::ALL.iter().position(|r| *r == self).unwrap_or(0) as isize;
        let n = Range::ALL.len() as isize;
        Range::ALL[(i + delta).rem_euclid(n) as usize]
    }
}

/// The change in value between the last snapshot before this session and the first read of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SinceLast {
    /// When the earlier snapshot was taken (seconds since the Unix epoch).
    pub then: u64,
    pub then_block: u64,
    /// Total value now minus then, in rao.
    pub change: i128,
}

/// One position's values, aligned with the snapshots (0 where the account held none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionSeries {
    pub hotkey: String,
    pub netuid: u16,
    pub values: Vec<u64>,
}

/// A backfill from chain state in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backfill {
    pub id: RequestId,
    pub range: Range,
    pub done: u32,
    pub total: u32,
}

/// A position on the detail dialog: hotkey (public key), netuid, and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionKey {
    pub hotkey: [u8; 32],
    pub netuid: u16,
    pub label: String,
}

/// The ranges earnings are computed for (the Portfolio column uses 7 d).
pub const EARNINGS_RANGES: [Range; 3] = [Range::Day, Range::Week, Range::Month];

/// One earnings computation of one coldkey over one range.
#[derive(Debug, Clone, Default)]
pub struct EarningsSlot {
    pub pending: Option<RequestId>,
    pub report: Option<Box<EarningsReport>>,
    pub error: Option<String>,
}

impl EarningsSlot {
    /// What (hotkey, netuid) earned, where the report lists it.
    pub fn position(&self, hotkey: &[u8; 32], netuid: u16) -> Option<&PositionEarnings> {
        let hex = format!("0x{}", hex::encode(hotkey));
        self.report
            .as_ref()?
            .positions
            .iter()
            .find(|p| p.netuid == netuid && p.hotkey.eq_ignore_ascii_case(&hex))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ValueState {
    /// Earnings per (coldkey, range), computed once per session each.
    pub earnings: HashMap<(String, Range), EarningsSlot>,
    /// The value view replaces the positions table on the Portfolio.
    pub open: bool,
    pub range: Range,
    /// The coldkey whose journal is loaded (or asked for).
    pub coldkey: Option<String>,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
    /// The journal, oldest first (kept so a new read is merged without reading the file again).
    pub snapshots: Vec<Snapshot>,
    /// Snapshot times and blocks, oldest first.
    pub times: Vec<u64>,
    pub blocks: Vec<u64>,
    /// Free plus every position's value at each snapshot, in rao.
    pub totals: Vec<u64>,
    pub positions: Vec<PositionSeries>,
    /// Per coldkey, set once per session by its first journaled read.
    pub since_last: HashMap<String, SinceLast>,
    pub backfill: Option<Backfill>,
    /// Ranges already backfilled for the loaded coldkey this session (never asked twice).
    pub backfilled: Vec<Range>,
}

impl ValueState {
    /// Replaces the series with `snapshots` (sorted by block).
    pub fn set_snapshots(&mut self, snapshots: Vec<Snapshot>) {
        self.times = snapshots.iter().map(|s| s.time).collect();
        self.blocks = snapshots.iter().map(|s| s.block).collect();
        self.totals = snapshots.iter().map(Snapshot::total_value).collect();
        let mut index: HashMap<(&str, u16), usize> = HashMap::new();
        let mut positions: Vec<PositionSeries> = Vec::new();
        for (i, s) in snapshots.iter().enumerate() {
            for p in &s.positions {
                let at = *index.entry((&p.hotkey, p.netuid)).or_insert_with(|| {
                    positions.push(PositionSeries {
                        hotkey: p.hotkey.clone(),
                        netuid: p.netuid,
                        values: vec![0; snapshots.len()],
                    });
                    positions.len() - 1
                });
                if let Some(v) = positions.get_mut(at).and_then(|ps| ps.values.get_mut(i)) {
                    *v = v.saturating_add(p.value());
                }
            }
        }
        // Largest now first, as the portfolio sorts by value.
        positions.sort_by_key(|p| std::cmp::Reverse(p.values.last().copied().unwrap_or(0)));
        self.positions = positions;
        self.snapshots = snapshots;
    }

    /// Adds one snapshot (a new read) to a loaded series.
    fn add(&mut self, snapshot: &Snapshot) {
        if self.blocks.contains(&snapshot.block) {
            return;
        }
        let mut snapshots = std::mem::take(&mut self.snapshots);
        let at = snapshots.partition_point(|s| s.block < snapshot.block);
        snapshots.insert(at, snapshot.clone());
        self.set_snapshots(snapshots);
    }

    /// Indices of the snapshots inside the range ending at `now` (everything for `All`).
    pub fn window(&self, now: u64) -> std::ops::Range<usize> {
        let end = self.times.len();
        match self.range.secs() {
            None => 0..end,
            Some(span) => {
                let from = now.saturating_sub(span);
                self.times.partition_point(|t| *t < from)..end
            }
        }
    }

    /// Whether the range has too little to draw a line (fewer than two snapshots).
    pub fn range_is_thin(&self, now: u64) -> bool {
        self.window(now).len() < 2
    }
}

/// "Now" for the chart: the clock, or the newest snapshot before the first tick.
pub fn chart_now(model: &Model) -> u64 {
    if model.now > 0 {
        model.now
    } else {
        model.value.times.last().copied().unwrap_or(0)
    }
}

pub fn on_command(model: &mut Model, command: Command) -> Vec<Effect> {
    if model.screen != Screen::Portfolio {
        return Vec::new();
    }
    match command {
        Command::Export => export_earnings(model),
        Command::ValueChart => {
            model.value.open = !model.value.open;
            if model.value.open {
                return load_if_needed(model);
            }
            Vec::new()
        }
        Command::NextRange | Command::PrevRange if model.value.open => {
            let delta = if command == Command::NextRange { 1 } else { -1 };
            model.value.range = model.value.range.step(delta);
            backfill_if_thin(model)
        }
        _ => Vec::new(),
    }
}

fn load_if_needed(model: &mut Model) -> Vec<Effect> {
    let Some(coldkey) = model.selected_coldkey() else {
        return Vec::new();
    };
    if model.value.coldkey.as_ref() == Some(&coldkey)
        && (model.value.pending.is_some() || model.value.error.is_none())
        && (!model.value.times.is_empty() || model.value.pending.is_some())
    {
        return Vec::new();
    }
    let id = model.ids.fresh();
    let v = &mut model.value;
    if v.coldkey.as_ref() != Some(&coldkey) {
        v.set_snapshots(Vec::new());
        v.backfilled.clear();
        v.backfill = None;
    }
    v.coldkey = Some(coldkey.clone());
    v.pending = Some(id);
    v.error = None;
    vec![Effect::LoadJournal { id, coldkey }]
}

/// Asks for past snapshots from chain state when the range on screen has too few to draw, once
/// per range and coldkey per session, while connected.
fn backfill_if_thin(model: &mut Model) -> Vec<Effect> {
    let now = chart_now(model);
    let v = &model.value;
    if !v.open
        || v.pending.is_some()
        || v.backfill.is_some()
        || v.backfilled.contains(&v.range)
        || !v.range_is_thin(now)
        || !model.connected()
    {
        return Vec::new();
    }
    let Some(coldkey) = v.coldkey.clone() else {
        return Vec::new();
    };
    let id = model.ids.fresh();
    let range = model.value.range;
    model.value.backfill = Some(Backfill {
        id,
        range,
        done: 0,
        total: 0,
    });
    model.value.backfilled.push(range);
    vec![Effect::BackfillJournal {
        id,
        coldkey,
        span_secs: range.secs(),
    }]
}

pub fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::JournalLoaded {
            id,
            coldkey,
            result,
        } => {
            if model.value.pending != Some(id) || model.value.coldkey.as_ref() != Some(&coldkey) {
                return Vec::new();
            }
            model.value.pending = None;
            match result {
                Ok(snapshots) => {
                    model.value.error = None;
                    model.value.set_snapshots(snapshots);
                }
                Err(e) => model.value.error = Some(e),
            }
            backfill_if_thin(model)
        }
        Action::JournalRecorded {
            coldkey,
            snapshot,
            previous,
        } => {
            if let Some(prev) = previous {
                let change = i128::from(snapshot.total_value()) - i128::from(prev.total_value());
                model
                    .value
                    .since_last
                    .entry(coldkey.clone())
                    .or_insert(SinceLast {
                        then: prev.time,
                        then_block: prev.block,
                        change,
                    });
            }
            let mut effects = Vec::new();
            if model.selected_coldkey().as_ref() == Some(&coldkey) {
                // The "earned (7 d)" column: once per coldkey and session, after its first read.
                effects.extend(fetch_earnings(model, &coldkey, Range::Week));
            }
            if model.value.coldkey.as_ref() == Some(&coldkey) && model.value.pending.is_none() {
                model.value.add(&snapshot);
            } else if model.value.open && model.selected_coldkey().as_ref() == Some(&coldkey) {
                // The wallet changed while the chart was open.
                effects.extend(load_if_needed(model));
            }
            effects
        }
        Action::EarningsLoaded {
            id,
            coldkey,
            result,
        } => {
            let Some(slot) = model
                .value
                .earnings
                .iter_mut()
                .find(|((c, _), slot)| *c == coldkey && slot.pending == Some(id))
                .map(|(_, slot)| slot)
            else {
                return Vec::new();
            };
            slot.pending = None;
            match result {
                Ok(report) => {
                    slot.report = Some(report);
                    slot.error = None;
                }
                Err(e) => slot.error = Some(e),
            }
            Vec::new()
        }
        Action::Exported { result, .. } => {
            match result {
                Ok(text) => model.notify(text, false),
                Err(e) => model.notify(e, true),
            }
            Vec::new()
        }
        Action::BackfillProgress { id, done, total } => {
            if let Some(b) = &mut model.value.backfill
                && b.id == id
            {
                b.done = done;
                b.total = total;
            }
            Vec::new()
        }
        Action::BackfillDone { id, result } => {
            if model.value.backfill.is_none_or(|b| b.id != id) {
                return Vec::new();
            }
            model.value.backfill = None;
            match result {
                Ok(added) => {
                    model.notify(
                        format!("Filled {added} past snapshots from chain state."),
                        false,
                    );
                    load_if_stale(model)
                }
                Err(e) => {
                    // A partial fill (a pruned node) still wrote what it read.
                    model.notify(e, true);
                    load_if_stale(model)
                }
            }
        }
        _ => Vec::new(),
    }
}

/// Reads the journal again (after a backfill wrote to it).
fn load_if_stale(model: &mut Model) -> Vec<Effect> {
    let Some(coldkey) = model.value.coldkey.clone() else {
        return Vec::new();
    };
    let id = model.ids.fresh();
    model.value.pending = Some(id);
    vec![Effect::LoadJournal { id, coldkey }]
}

/// Asks for `coldkey`'s earnings over `range` unless asked already this session (or offline).
fn fetch_earnings(model: &mut Model, coldkey: &str, range: Range) -> Vec<Effect> {
    let Some(span_secs) = range.secs() else {
        return Vec::new();
    };
    let key = (coldkey.to_owned(), range);
    let asked = model
        .value
        .earnings
        .get(&key)
        .is_some_and(|s| s.pending.is_some() || s.report.is_some());
    if asked || !model.connected() {
        return Vec::new();
    }
    let id = model.ids.fresh();
    model.value.earnings.insert(
        key,
        EarningsSlot {
            pending: Some(id),
            ..EarningsSlot::default()
        },
    );
    vec![Effect::FetchEarnings {
        id,
        coldkey: coldkey.to_owned(),
        span_secs,
    }]
}

/// Enter on a position: what it earned over 24 h, 7 d and 30 d (each computed once, on demand).
pub fn open_detail(model: &mut Model) -> Vec<Effect> {
    let Some(p) = model
        .portfolio
        .sorted()
        .get(model.portfolio.selected)
        .map(|p| PositionKey {
            hotkey: p.hotkey.0,
            netuid: p.netuid,
            label: format!(
                "SN{} {}",
                p.netuid,
                p.hotkey_name.clone().unwrap_or_else(|| p.hotkey.ss58())
            ),
        })
    else {
        return Vec::new();
    };
    let Some(coldkey) = model.selected_coldkey() else {
        return Vec::new();
    };
    model.modal = Some(super::Modal::Position(p));
    EARNINGS_RANGES
        .iter()
        .flat_map(|r| fetch_earnings(model, &coldkey, *r))
        .collect()
}

/// `e` on the Portfolio: the 7 d earnings report as CSV, once it has been computed.
fn export_earnings(model: &mut Model) -> Vec<Effect> {
    let Some(coldkey) = model.selected_coldkey() else {
        return Vec::new();
    };
    let slot = model.value.earnings.get(&(coldkey.clone(), Range::Week));
    match slot.and_then(|s| s.report.clone()) {
        Some(report) => {
            let id = model.ids.fresh();
            vec![Effect::ExportEarnings {
                id,
                coldkey,
                report,
            }]
        }
        None => {
            let why = match slot {
                Some(s) if s.pending.is_some() => {
                    "The 7 d earnings are still being read from the chain; press e again once the Earned column shows."
                        .to_owned()
                }
                Some(EarningsSlot { error: Some(e), .. }) => {
                    format!("Nothing to export: the 7 d earnings could not be read ({e}).")
                }
                _ => "Nothing to export yet: connect and let the Portfolio read the 7 d earnings first."
                    .to_owned(),
            };
            model.notify(why, true);
            Vec::new()
        }
    }
}
