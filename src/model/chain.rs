//! Chain-backed screens: Portfolio, Validators, Network, History. Each piece of data is a
//! `Remote`: what was last read (and when), the request in flight, the last error.

use std::collections::HashMap;

use crate::action::RequestId;
use crate::chain::queries::{
    AccountBalance, AccountId, NetworkOverview, PositionView, SubnetView, ValidatorView,
};

use super::input::TextInput;
use super::value::Range;
use crate::history_merge::MergedHistory;

/// Data older than this is shown as stale (data that does not follow new blocks).
pub const STALE_AFTER_SECS: u64 = 60;
/// Data that follows new blocks is stale once the chain is this many blocks ahead of it (a
/// read that keeps failing, or a head that moves faster than reads come back).
pub const STALE_AFTER_BLOCKS: u64 = 5;

#[derive(Debug, Clone)]
pub struct Remote<T> {
    pub data: Option<T>,
    /// Seconds since the Unix epoch when `data` was read.
    pub fetched_at: u64,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
    /// The chain head when `data` was asked for; `Some` only for data that follows new blocks,
    /// whose staleness is then counted in blocks rather than seconds.
    pub block: Option<u64>,
    /// The chain head when the pending request was sent.
    pub pending_block: Option<u64>,
    /// Seconds since the Unix epoch when the pending request was sent (its age is shown, and Esc stops waiting).
    pub pending_since: u64,
    /// Blocks the chain head has moved on since `block`.
    pub behind: u64,
}

impl<T> Default for Remote<T> {
    fn default() -> Self {
        Remote {
            data: None,
            fetched_at: 0,
            pending: None,
            error: None,
            block: None,
            pending_block: None,
            pending_since: 0,
            behind: 0,
        }
    }
}

/// What a screen shows for a piece of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataState {
    /// Nothing asked yet (offline or no wallet).
    Idle,
    Loading,
    Ready,
    /// Shown, but older than `STALE_AFTER_SECS` (or `STALE_AFTER_BLOCKS` behind the head), the
    /// last read failed, or the chain is not reachable.
    Stale,
    /// Nothing to show and the last request failed.
    Failed,
}

impl<T> Remote<T> {
    pub fn request(&mut self, id: RequestId, now: u64) {
        self.pending = Some(id);
        self.pending_since = now;
    }

    /// Like `request`, remembering the chain head the answer will reflect (`None` if unknown).
    pub fn request_at(&mut self, id: RequestId, head: Option<u64>, now: u64) {
        self.request(id, now);
        self.pending_block = head;
    }

    /// How long the pending request has been waiting, if one is.
    pub fn waiting(&self, now: u64) -> Option<u64> {
        self.pending.map(|_| now.saturating_sub(self.pending_since))
    }

    /// Stops waiting for the pending request (its late answer is then ignored); returns its id so the worker can
    /// drop the work. What was shown before stays, marked stale by the error.
    pub fn cancel(&mut self, now: u64) -> Option<RequestId> {
        let id = self.pending.take()?;
        let waited = now.saturating_sub(self.pending_since);
        self.pending_block = None;
        self.error = Some(format!(
            "stopped waiting after {waited} s; press r to read again"
        ));
        Some(id)
    }

    /// Forgets which block the data reflects (after a reconnect the next head decides, whatever its number).
    pub fn forget_block(&mut self) {
        self.block = None;
        self.pending_block = None;
        self.behind = 0;
    }

    /// The chain head moved to `head`.
    pub fn on_head(&mut self, head: u64) {
        if let Some(b) = self.block {
            self.behind = head.saturating_sub(b);
        }
    }

    /// Accepts an answer only if it is the one awaited; returns whether it was.
    pub fn answer(&mut self, id: RequestId, fetched_at: u64, result: Result<T, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(v) => {
                self.data = Some(v);
                self.fetched_at = fetched_at;
                self.error = None;
                if let Some(b) = self.pending_block.take() {
                    self.block = Some(b);
                    self.behind = 0;
                }
            }
            Err(e) => self.error = Some(e),
        }
        true
    }

    pub fn state(&self, now: u64, connected: bool) -> DataState {
        match (&self.data, self.pending, &self.error) {
            (Some(_), _, err) => {
                let old = match self.block {
                    Some(_) => self.behind > STALE_AFTER_BLOCKS,
                    None => now.saturating_sub(self.fetched_at) > STALE_AFTER_SECS,
                };
                if err.is_some() || !connected || old {
                    DataState::Stale
                } else {
                    DataState::Ready
                }
            }
            (None, Some(_), _) => DataState::Loading,
            (None, None, Some(_)) => DataState::Failed,
            (None, None, None) => DataState::Idle,
        }
    }

    pub fn age(&self, now: u64) -> Option<u64> {
        self.data
            .as_ref()
            .map(|_| now.saturating_sub(self.fetched_at))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionSort {
    #[default]
    Value,
    Subnet,
    Validator,
    Alpha,
    Apy,
}

impl PositionSort {
    pub fn next(self) -> Self {
        match self {
            PositionSort::Value => PositionSort::Subnet,
            PositionSort::Subnet => PositionSort::Validator,
            PositionSort::Validator => PositionSort::Alpha,
            PositionSort::Alpha => PositionSort::Apy,
            PositionSort::Apy => PositionSort::Value,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PositionSort::Value => "value",
            PositionSort::Subnet => "subnet",
            PositionSort::Validator => "validator",
            PositionSort::Alpha => "alpha",
            PositionSort::Apy => "APY",
        }
    }
}

/// What the portfolio chart splits the staked value by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SplitBy {
    #[default]
    Subnet,
    Validator,
}

impl SplitBy {
    pub fn next(self) -> Self {
        match self {
            SplitBy::Subnet => SplitBy::Validator,
            SplitBy::Validator => SplitBy::Subnet,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SplitBy::Subnet => "subnet",
            SplitBy::Validator => "validator",
        }
    }
}

/// One bar of the portfolio chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPart {
    pub label: String,
    /// TAO value in rao.
    pub value: u64,
}

#[derive(Debug, Clone, Default)]
pub struct PortfolioState {
    /// The coldkey whose positions are shown.
    pub coldkey: Option<String>,
    pub listing: Remote<(AccountBalance, Vec<PositionView>)>,
    pub sort: PositionSort,
    pub selected: usize,
    pub split: SplitBy,
    /// A read was asked for while one was in flight: read once more when it answers, so new
    /// blocks coalesce into one read and never two overlap.
    pub again: bool,
    /// Positions marked for a rebalance, by (hotkey, netuid); kept across reads while the position exists.
    pub marks: std::collections::BTreeSet<([u8; 32], u16)>,
}

impl PortfolioState {
    /// Drops the marks of positions the last read no longer has.
    pub fn prune_marks(&mut self) {
        if let Some((_, positions)) = &self.listing.data {
            self.marks
                .retain(|(h, n)| positions.iter().any(|p| p.hotkey.0 == *h && p.netuid == *n));
        }
    }

    /// The staked value grouped by subnet or validator, largest first (ties by label).
    pub fn split_parts(&self) -> Vec<SplitPart> {
        let Some((_, positions)) = &self.listing.data else {
            return Vec::new();
        };
        let mut groups: std::collections::BTreeMap<String, (String, u64)> =
            std::collections::BTreeMap::new();
        for p in positions {
            let (key, label) = match self.split {
                SplitBy::Subnet => (
                    format!("{:05}", p.netuid),
                    format!("SN{:<4} {}", p.netuid, p.symbol),
                ),
                SplitBy::Validator => {
                    let ss58 = p.hotkey.ss58();
                    let label = match &p.hotkey_name {
                        Some(n) => n.clone(),
                        None => {
                            let head: String = ss58.chars().take(6).collect();
                            let tail: String = ss58.chars().skip(44).collect();
                            format!("{head}…{tail}")
                        }
                    };
                    (ss58, label)
                }
            };
            let e = groups.entry(key).or_insert((label, 0));
            e.1 = e.1.saturating_add(p.tao_value.get());
        }
        let mut parts: Vec<SplitPart> = groups
            .into_values()
            .map(|(label, value)| SplitPart { label, value })
            .collect();
        parts.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
        parts
    }

    /// Positions in display order.
    pub fn sorted(&self) -> Vec<&PositionView> {
        let Some((_, positions)) = &self.listing.data else {
            return Vec::new();
        };
        let mut rows: Vec<&PositionView> = positions.iter().collect();
        match self.sort {
            PositionSort::Value => rows.sort_by_key(|p| std::cmp::Reverse(p.tao_value)),
            PositionSort::Subnet => rows.sort_by_key(|p| p.netuid),
            PositionSort::Validator => rows.sort_by(|a, b| a.hotkey_name.cmp(&b.hotkey_name)),
            PositionSort::Alpha => rows.sort_by_key(|p| std::cmp::Reverse(p.alpha)),
            PositionSort::Apy => {
                rows.sort_by(|a, b| b.apy.unwrap_or(-1.0).total_cmp(&a.apy.unwrap_or(-1.0)))
            }
        }
        rows
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValidatorSort {
    #[default]
    Stake,
    Name,
    Take,
    Nominators,
    Apy,
}

impl ValidatorSort {
    pub fn next(self) -> Self {
        match self {
            ValidatorSort::Stake => ValidatorSort::Name,
            ValidatorSort::Name => ValidatorSort::Take,
            ValidatorSort::Take => ValidatorSort::Nominators,
            ValidatorSort::Nominators => ValidatorSort::Apy,
            ValidatorSort::Apy => ValidatorSort::Stake,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ValidatorSort::Stake => "stake",
            ValidatorSort::Name => "name",
            ValidatorSort::Take => "take",
            ValidatorSort::Nominators => "nominators",
            ValidatorSort::Apy => "APY",
        }
    }
}

/// Indices of the validators whose name or address contains `filter` (any case), leaving out
/// the hotkey `exclude`.
///
/// Runs on every key typed into a filter and on every sort, over every validator of the subnet,
/// so it compares keys rather than addresses and encodes each address once per session: an SS58
/// encoding costs a hash and a base-58 conversion (~2 µs), 18 ms per key with 10,000 validators.
pub fn matching(all: &[ValidatorView], filter: &TextInput, exclude: Option<&str>) -> Vec<usize> {
    let needle = filter.trimmed().to_lowercase();
    let exclude = exclude.and_then(|s| AccountId::from_ss58(s).ok());
    let kept = |v: &ValidatorView| Some(v.hotkey) != exclude;
    if needle.is_empty() {
        return all
            .iter()
            .enumerate()
            .filter(|(_, v)| kept(v))
            .map(|(i, _)| i)
            .collect();
    }
    let mut memo = SS58_LOWER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let memo = memo.get_or_insert_with(HashMap::new);
    all.iter()
        .enumerate()
        .filter(|(_, v)| {
            kept(v)
                && (v
                    .name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
                    || memo
                        .entry(v.hotkey.0)
                        .or_insert_with(|| v.hotkey.ss58().to_lowercase())
                        .contains(&needle))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Lower-case SS58 address of each hotkey filtered so far. An address is a pure function of the
/// key, so an entry never goes stale; a session sees at most a few thousand keys.
static SS58_LOWER: std::sync::Mutex<Option<HashMap<[u8; 32], String>>> =
    std::sync::Mutex::new(None);

#[derive(Debug, Clone, Default)]
pub struct ValidatorsState {
    pub netuid: u16,
    pub subnets: Remote<Vec<SubnetView>>,
    pub validators: Remote<Vec<ValidatorView>>,
    pub sort: ValidatorSort,
    pub filter: TextInput,
    pub filtering: bool,
    pub selected: usize,
    /// Indices into the validator list in display order, after the filter.
    pub order: Vec<usize>,
}

impl ValidatorsState {
    /// Validators after the filter, in display order (computed by `reorder`, not per frame).
    pub fn visible(&self) -> Vec<&ValidatorView> {
        let Some(all) = &self.validators.data else {
            return Vec::new();
        };
        self.order.iter().filter_map(|&i| all.get(i)).collect()
    }

    /// How many validators pass the filter.
    pub fn visible_len(&self) -> usize {
        self.order.len()
    }

    /// The `n`th visible validator.
    pub fn visible_at(&self, n: usize) -> Option<&ValidatorView> {
        let i = *self.order.get(n)?;
        self.validators.data.as_ref()?.get(i)
    }

    /// Recomputes the display order after the data, the sort or the filter changed, so a frame
    /// only reads the rows it shows.
    pub fn reorder(&mut self) {
        let Some(all) = &self.validators.data else {
            self.order.clear();
            return;
        };
        let mut order = matching(all, &self.filter, None);
        let key = |i: &usize| all.get(*i);
        match self.sort {
            ValidatorSort::Stake => {
                order.sort_by_key(|i| std::cmp::Reverse(key(i).map(|v| v.total_stake)))
            }
            // Compares borrowed names: a cloning sort key allocated twice per comparison.
            ValidatorSort::Name => order.sort_by(|a, b| {
                let name = |i: &usize| key(i).and_then(|v| v.name.as_deref());
                name(a).cmp(&name(b))
            }),
            ValidatorSort::Take => order.sort_by_key(|i| key(i).map(|v| v.take)),
            ValidatorSort::Nominators => {
                order.sort_by_key(|i| std::cmp::Reverse(key(i).and_then(|v| v.nominators)))
            }
            ValidatorSort::Apy => order.sort_by(|a, b| {
                let apy = |i: &usize| key(i).and_then(|v| v.apy).unwrap_or(-1.0);
                apy(b).total_cmp(&apy(a))
            }),
        }
        self.order = order;
    }

    pub fn subnet(&self, netuid: u16) -> Option<&SubnetView> {
        self.subnets
            .data
            .as_ref()?
            .iter()
            .find(|s| s.netuid == netuid)
    }

    /// The netuid after (or before) the current one in the subnet list.
    pub fn step_subnet(&self, delta: isize) -> Option<u16> {
        let subnets = self.subnets.data.as_ref()?;
        let i = subnets
            .iter()
            .position(|s| s.netuid == self.netuid)
            .unwrap_or(0);
        let n = subnets.len() as isize;
        if n == 0 {
            return None;
        }
        let next = (i as isize + delta).rem_euclid(n) as usize;
        subnets.get(next).map(|s| s.netuid)
    }
}

#[derive(Debug, Clone, Default)]
pub struct NetworkState {
    pub overview: Remote<NetworkOverview>,
}

/// One line of the local transaction history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub time: String,
    pub call: String,
    pub amount: String,
    pub status: String,
    pub failed: bool,
}

/// One line of the History screen from the chain's history (with this machine's records merged in), as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub date: String,
    pub block: String,
    pub kind: String,
    pub subnet: String,
    /// The hotkey, shortened.
    pub validator: String,
    pub alpha: String,
    pub tao: String,
    pub fee: String,
    /// `chain`, `chain+local` or `local`.
    pub source: &'static str,
    /// A local record that did not land (failed, rejected, unknown).
    pub failed: bool,
}

/// The chain's history of one coldkey over one range, merged with this machine's records.
#[derive(Debug, Clone)]
pub struct ChainHistory {
    pub coldkey: String,
    pub range: Range,
    pub merged: MergedHistory,
    /// `merged.entries` as drawn, in the same order (newest first).
    pub rows: Vec<ChainRow>,
}

#[derive(Debug, Clone, Default)]
pub struct HistoryState {
    /// This machine's records, newest first.
    pub entries: Vec<HistoryEntry>,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
    pub selected: usize,
    /// The chain's history of the wallet and range in `chain_for`.
    pub chain: Remote<ChainHistory>,
    /// The (coldkey, range) the chain read in flight or last answered is for.
    pub chain_for: Option<(String, Range)>,
    /// The range read from the chain (`[` / `]`): 24 h, 7 d or 30 d.
    pub range: Range,
}

impl HistoryState {
    /// The chain's history when it is of `coldkey` and the screen's range (what the screen lists then).
    pub fn shown_chain(&self, coldkey: Option<&str>) -> Option<&ChainHistory> {
        self.chain
            .data
            .as_ref()
            .filter(|c| Some(c.coldkey.as_str()) == coldkey && c.range == self.range)
    }

    /// How many lines the screen lists.
    pub fn shown_len(&self, coldkey: Option<&str>) -> usize {
        self.shown_chain(coldkey)
            .map_or(self.entries.len(), |c| c.rows.len())
    }
}
