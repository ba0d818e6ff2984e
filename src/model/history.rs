//! The History screen's chain half: the selected coldkey's history read from the chain over the last 24 h, 7 d
//! or 30 d (`Effect::ScanHistory`), merged with this machine's records, and `e`'s choice of what to export.
//!
//! The scan is asked for once per (coldkey, range) and session: on entering the screen while connected, again
//! only on `r`. A failed or abandoned read is not retried by entering the screen again (a pruned node would fail
//! the same way and each try costs requests); `r` retries.

use crate::action::{Action, Effect};
use crate::amount::{AlphaRao, Rao, Rounding};
use crate::chain::earnings::format_utc;
use crate::config::keymap::Command;
use crate::history_merge::{MergedEntry, merged_row};

use super::Model;
use super::chain::{ChainHistory, ChainRow, Remote};
use super::value::Range;

/// The ranges the History screen reads, in `[` / `]` order.
pub const RANGES: [Range; 3] = [Range::Day, Range::Week, Range::Month];

/// "24 hours", "7 days", "30 days": the range in the words the screen uses.
pub fn range_words(range: Range) -> &'static str {
    match range {
        Range::Day => "24 hours",
        Range::Week => "7 days",
        Range::Month => "30 days",
        Range::All => "all time",
    }
}

/// Asks the worker for the selected coldkey's chain history over the screen's range, unless it was asked for
/// already (`force`: `r`, read again unless one is in flight). Needs only the address, so watch-only wallets
/// get theirs too; nothing is asked offline (the local history is shown as it is).
pub fn scan(model: &mut Model, force: bool) -> Vec<Effect> {
    let Some(coldkey) = model.selected_coldkey() else {
        return Vec::new();
    };
    if !model.connected() {
        return Vec::new();
    }
    let range = model.history.range;
    let Some(span_secs) = range.secs() else {
        return Vec::new();
    };
    let key = (coldkey.clone(), range);
    let h = &mut model.history;
    let mut effects = Vec::new();
    if h.chain_for.as_ref() != Some(&key) {
        // Another wallet or range: what was read is not this one's (a late answer to the old id is dropped), and
        // a scan still under way for it is stopped rather than left to read blocks nobody will see.
        if let Some(old) = h.chain.pending {
            effects.push(Effect::Cancel { ids: vec![old] });
        }
        h.chain = Remote::default();
    } else if h.chain.pending.is_some() || !force {
        return Vec::new();
    }
    let id = model.ids.fresh();
    h.chain.request(id, model.now);
    h.chain_for = Some(key);
    effects.push(Effect::ScanHistory {
        id,
        coldkey,
        span_secs,
    });
    effects
}

pub fn on_command(model: &mut Model, command: Command) -> Vec<Effect> {
    match command {
        Command::Export => export(model),
        Command::NextRange | Command::PrevRange => {
            let delta: isize = if command == Command::NextRange { 1 } else { -1 };
            let at = RANGES
                .iter()
                .position(|r| *r == model.history.range)
                .unwrap_or(1);
            let n = RANGES.len() as isize;
            model.history.range = RANGES[(at as isize + delta).rem_euclid(n) as usize];
            model.history.selected = 0;
            scan(model, false)
        }
        _ => Vec::new(),
    }
}

/// `e`: the merged rows when the chain's history of the shown wallet and range is loaded, this machine's
/// records otherwise (the worker's notice says which).
fn export(model: &mut Model) -> Vec<Effect> {
    let merged = model
        .history
        .shown_chain(model.selected_coldkey().as_deref())
        .map(|c| Box::new(c.merged.clone()));
    let id = model.ids.fresh();
    vec![Effect::ExportHistory { id, merged }]
}

pub fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    if let Action::ChainHistoryLoaded {
        id,
        coldkey,
        fetched_at,
        result,
    } = action
    {
        let Some((for_coldkey, range)) = model.history.chain_for.clone() else {
            return Vec::new();
        };
        if for_coldkey != coldkey {
            return Vec::new();
        }
        let result = result.map(|merged| {
            let rows = merged.entries.iter().map(chain_row).collect();
            ChainHistory {
                coldkey,
                range,
                merged: *merged,
                rows,
            }
        });
        if model.history.chain.answer(id, fetched_at, result) {
            let len = model.history.shown_len(model.selected_coldkey().as_deref());
            model.history.selected = model.history.selected.min(len.saturating_sub(1));
        }
    }
    Vec::new()
}

/// A merged line as the screen shows it (amounts as in the export, rounded down to 4 decimals).
pub fn chain_row(m: &MergedEntry) -> ChainRow {
    let r = merged_row(m);
    let kind = match &m.local {
        Some(l) if m.event.is_none() => {
            let call = l.call.rsplit('.').next().unwrap_or(&l.call);
            // Status first: a narrow column cuts the call's tail, never whether it failed.
            format!("{}: {call}", l.status.as_str())
        }
        _ => r.kind.clone(),
    };
    let failed = m.event.is_none()
        && m.local.as_ref().is_some_and(|l| {
            matches!(
                l.status,
                crate::chain::history::TxStatus::Failed
                    | crate::chain::history::TxStatus::Rejected
                    | crate::chain::history::TxStatus::Unknown
            )
        });
    let unsigned = |v: Option<i128>| v.and_then(|v| u64::try_from(v).ok());
    let date = format_utc(r.time_ms);
    ChainRow {
        // "YYYY-MM-DD HH:MM" of the UTC stamp: minutes are enough to find a line, and it fits 80 columns.
        date: date.get(..16).unwrap_or(&date).replace('T', " "),
        block: if r.block == 0 {
            String::new()
        } else {
            r.block.to_string()
        },
        kind,
        subnet: r.netuid.map(|n| n.to_string()).unwrap_or_default(),
        validator: r.hotkey.as_deref().map(short).unwrap_or_default(),
        alpha: unsigned(r.alpha)
            .map(|a| format!("{} α", AlphaRao(a).format_alpha(4, Rounding::Down)))
            .unwrap_or_default(),
        tao: unsigned(r.tao)
            .map(|t| format!("{} τ", Rao(t).format_tao(4, Rounding::Down)))
            .unwrap_or_default(),
        fee: unsigned(r.fee).map(fee_text).unwrap_or_default(),
        source: m.source,
        failed,
    }
}

/// Fees are a few thousandths of a TAO or less: 6 decimals keep them from reading as 0, and one below a
/// millionth (a dev chain's) says so rather than showing 0.
fn fee_text(rao: u64) -> String {
    if rao > 0 && rao < 1_000 {
        return "<0.000001 τ".to_owned();
    }
    format!("{} τ", Rao(rao).format_tao(6, Rounding::Down))
}

/// `5F3sa2…694ty`: enough of an address to tell validators apart in a column.
fn short(ss58: &str) -> String {
    let c: Vec<char> = ss58.chars().collect();
    if c.len() <= 12 {
        return ss58.to_owned();
    }
    let head: String = c[..6].iter().collect();
    let tail: String = c[c.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}
