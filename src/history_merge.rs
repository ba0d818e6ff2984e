//! The coldkey's history as one list: the events the chain shows for it (`chain::account_history`) merged with
//! this machine's records of what taotui sent (`chain::history`), and their export rows (`export_csv`'s column
//! set). Shared by `taotui history --since` and the TUI's History screen, so both list and export the same rows.

use std::collections::HashSet;

use crate::chain::account_history::{AccountEvent, EventKind};
use crate::chain::history::HistoryRecord;
use crate::chain::queries::AccountId;
use crate::export_csv::{CsvRow, to_csv};

/// One line of the merged history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MergedEntry {
    /// `chain`, `chain+local` (sent from this machine), or `local` (only in this machine's history).
    pub source: &'static str,
    #[serde(flatten)]
    pub event: Option<AccountEvent>,
    pub local: Option<HistoryRecord>,
}

/// What a scan of the chain found for a coldkey, merged with the local records (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedHistory {
    /// The range's first block (its state is the starting point; events are from the next block on).
    pub from_block: u64,
    pub to_block: u64,
    pub entries: Vec<MergedEntry>,
}

impl MergedHistory {
    /// How many lines came from the chain (alone or matched with a local record).
    pub fn chain_lines(&self) -> usize {
        self.entries.iter().filter(|e| e.event.is_some()).count()
    }
}

/// SS58 of a 0x-hex public key; the text as it is when it is not one.
pub fn ss58_of_hex(h: &str) -> String {
    hex::decode(h.trim_start_matches("0x"))
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .map_or_else(|| h.to_owned(), |k| AccountId(k).ss58())
}

/// The CSV row of one chain event.
pub fn event_row(e: &AccountEvent) -> CsvRow {
    let price = match (e.kind, e.alpha, e.tao) {
        (EventKind::StakeAdded | EventKind::StakeRemoved, Some(a), Some(t)) if a > 0 => {
            // TAO over alpha of the trade, rounded to nearest rao per alpha.
            let num = u128::from(t) * u128::from(crate::amount::RAO_PER_TAO);
            u64::try_from((num + u128::from(a) / 2) / u128::from(a)).ok()
        }
        _ => None,
    };
    CsvRow {
        time_ms: e.timestamp_ms,
        block: e.block,
        extrinsic_hash: e.extrinsic_hash.clone(),
        kind: e.kind.as_str().to_owned(),
        netuid: e.netuid,
        hotkey: e.hotkey.as_deref().map(ss58_of_hex),
        alpha: e.alpha.map(i128::from),
        tao: e.tao.map(i128::from),
        price_rao_per_alpha: price,
        fee: e.fee.map(i128::from),
    }
}

/// The CSV row of a local record: `kind` is `local:<call> (<status>)`, amounts are left to the chain's rows.
pub fn local_row(r: &HistoryRecord) -> CsvRow {
    CsvRow {
        time_ms: r.time.saturating_mul(1000),
        block: r.block_number.unwrap_or(0),
        extrinsic_hash: Some(r.hash.clone()),
        kind: format!("local:{} ({})", r.call, r.status.as_str()),
        netuid: r
            .details
            .get("netuid")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u16::try_from(n).ok()),
        hotkey: r
            .details
            .get("hotkey")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        alpha: None,
        tao: None,
        price_rao_per_alpha: None,
        fee: None,
    }
}

/// Chain events and this machine's records in one list: a local record whose hash the chain lists marks those
/// rows; the other local records of the coldkey from the range's start on are listed as they are.
pub fn merge(
    events: &[AccountEvent],
    local: &[HistoryRecord],
    coldkey_ss58: &str,
    from_block: u64,
    from_secs: u64,
) -> Vec<MergedEntry> {
    let on_chain: HashSet<&str> = events
        .iter()
        .filter_map(|e| e.extrinsic_hash.as_deref())
        .collect();
    let mut out: Vec<MergedEntry> = events
        .iter()
        .map(|e| {
            let l = e
                .extrinsic_hash
                .as_deref()
                .and_then(|h| local.iter().find(|r| r.hash == h));
            MergedEntry {
                source: if l.is_some() { "chain+local" } else { "chain" },
                event: Some(e.clone()),
                local: l.cloned(),
            }
        })
        .collect();
    for r in local {
        let in_range = r
            .block_number
            .map_or(r.time >= from_secs, |b| b > from_block);
        if r.coldkey == coldkey_ss58 && in_range && !on_chain.contains(r.hash.as_str()) {
            out.push(MergedEntry {
                source: "local",
                event: None,
                local: Some(r.clone()),
            });
        }
    }
    out
}

/// Newest first: by time, then block, then the order within the block (a local record without a block sorts by
/// its time alone). Stable, so the legs of one extrinsic keep the chain's order.
pub fn newest_first(entries: &mut [MergedEntry]) {
    entries.sort_by_key(|m| {
        let r = merged_row(m);
        let index = m.event.as_ref().and_then(|e| e.extrinsic_index);
        std::cmp::Reverse((r.time_ms, r.block, index))
    });
}

/// The export row of a merged line: the chain event's when there is one, else the local record's.
pub fn merged_row(m: &MergedEntry) -> CsvRow {
    match (&m.event, &m.local) {
        (Some(e), _) => event_row(e),
        (None, Some(r)) => local_row(r),
        (None, None) => CsvRow {
            time_ms: 0,
            block: 0,
            extrinsic_hash: None,
            kind: String::new(),
            netuid: None,
            hotkey: None,
            alpha: None,
            tao: None,
            price_rao_per_alpha: None,
            fee: None,
        },
    }
}

/// The merged lines as CSV (the export column set).
pub fn merged_csv(entries: &[MergedEntry]) -> String {
    to_csv(&entries.iter().map(merged_row).collect::<Vec<_>>())
}

/// This machine's history alone as CSV (`taotui history --csv` without `--since`, `e` before a chain read).
pub fn local_csv(records: &[HistoryRecord]) -> String {
    to_csv(&records.iter().map(local_row).collect::<Vec<_>>())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::chain::history::TxStatus;

    fn record(hash: &str, status: TxStatus, block: Option<u64>, coldkey: &str) -> HistoryRecord {
        HistoryRecord {
            hash: hash.into(),
            call: "SubtensorModule.add_stake_limit".into(),
            coldkey: coldkey.into(),
            network: "local".into(),
            status,
            time: 1_000,
            details: serde_json::Map::new(),
            block_hash: None,
            block_number: block,
            valid_until: None,
            error: None,
        }
    }

    fn event(hash: &str, block: u64) -> AccountEvent {
        AccountEvent {
            block,
            block_hash: "0x00".into(),
            timestamp_ms: 1_000_000 + block * 1_000,
            extrinsic_index: Some(1),
            extrinsic_hash: Some(hash.into()),
            kind: EventKind::StakeAdded,
            netuid: Some(2),
            hotkey: Some(format!("0x{}", hex::encode([7u8; 32]))),
            alpha: Some(2 * crate::amount::RAO_PER_TAO),
            tao: Some(crate::amount::RAO_PER_TAO),
            fee: Some(5),
            counterparty: None,
        }
    }

    #[test]
    fn local_records_mark_chain_rows_and_the_others_follow_in_range() {
        let me = "5Me";
        let local = [
            record("0xaa", TxStatus::Finalized, Some(10), me),
            record("0xbb", TxStatus::Failed, Some(11), me),
            record("0xcc", TxStatus::Failed, Some(3), me),
            record("0xdd", TxStatus::Failed, Some(12), "5Other"),
        ];
        let merged = merge(&[event("0xaa", 10), event("0xee", 12)], &local, me, 5, 0);
        let sources: Vec<_> = merged.iter().map(|m| m.source).collect();
        assert_eq!(sources, ["chain+local", "chain", "local"]);
        assert_eq!(merged[2].local.as_ref().unwrap().hash, "0xbb");
        let rows: Vec<CsvRow> = merged.iter().map(merged_row).collect();
        assert_eq!(rows[0].price_rao_per_alpha, Some(500_000_000));
        assert_eq!(
            rows[2].kind,
            "local:SubtensorModule.add_stake_limit (failed)"
        );
        assert_eq!(crate::export_csv::parse_csv(&to_csv(&rows)).unwrap(), rows);
    }

    #[test]
    fn newest_first_orders_chain_and_local_lines_by_time() {
        let me = "5Me";
        // Events at 1 010 s (0xaa) and 1 012 s (0xee); the failed local record, without a block, at 1 011 s.
        let mut failed = record("0xbb", TxStatus::Failed, None, me);
        failed.time = 1_011;
        let local = [failed];
        let mut merged = merge(&[event("0xaa", 10), event("0xee", 12)], &local, me, 5, 0);
        newest_first(&mut merged);
        let hashes: Vec<String> = merged
            .iter()
            .map(|m| merged_row(m).extrinsic_hash.unwrap())
            .collect();
        assert_eq!(hashes, ["0xee", "0xbb", "0xaa"]);
    }
}
