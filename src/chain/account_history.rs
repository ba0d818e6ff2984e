//! What touched a coldkey on chain within a block range, found without reading every block.
//!
//! [`scan`] reads the account's [`AccountMark`] (nonce, free, reserved, and the `Alpha` shares of the watched
//! positions) at sampled blocks, then narrows every interval whose ends differ, 8 points a round, down to the
//! single blocks where the mark changed, and reads the events of those blocks only. Every own extrinsic raises the
//! nonce; a transfer in raises free; stake added, removed, moved, swapped or transferred (also to this coldkey by
//! someone else) changes the watched shares.
//!
//! What this cannot see: a change that is undone within the same sampled interval and leaves every part of the
//! mark as it was (e.g. stake transferred to this coldkey on a position not watched and moved away again before
//! the next sample, or a proxy's action whose effects cancel exactly); and stake on a (hotkey, netuid) that is
//! neither held at the start nor at the end of the range. Such actions are missing from the history and their
//! alpha counts as earned (or lost) in the earnings.
//!
//! Request budget: 2 requests per round (hashes, marks), about log8(range / samples) + 1 rounds, then 1 request
//! for the events and block bodies of every changed block. Marks and events are cached on disk per (coldkey,
//! block) (see [`super::past_cache`]), so a second look reads only what is new.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use subxt::ext::scale_value::ValueDef;

use crate::chain::client::{BlockRef, ChainClient, from_hex, to_hex};
use crate::chain::error::ChainError;
use crate::chain::past::{MarkedBlock, PastError, PastReader};
use crate::chain::past_cache::PastCache;
use crate::chain::queries::StorageBatch;
use crate::chain::queries::decode::{Val, account_of, field, items, u64_of};

/// Interior points added to a changed interval per round.
const SPLIT: u64 = 8;

/// What an event did to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `StakeAdded` for this coldkey: alpha in, TAO out of the pool (also the destination leg of a move, swap or
    /// a stake transfer to it).
    StakeAdded,
    /// `StakeRemoved` for this coldkey: alpha out (also the origin leg of a move, swap or transfer).
    StakeRemoved,
    /// `StakeMoved`: a summary of a move whose legs are the `stake_added` / `stake_removed` rows.
    StakeMoved,
    /// `StakeSwapped`: a summary, as `stake_moved`.
    StakeSwapped,
    /// `StakeTransferred` from or to this coldkey: a summary, as `stake_moved`.
    StakeTransferred,
    TransferIn,
    TransferOut,
    /// `TransactionPayment.TransactionFeePaid` by this coldkey.
    Fee,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::StakeAdded => "stake_added",
            EventKind::StakeRemoved => "stake_removed",
            EventKind::StakeMoved => "stake_moved",
            EventKind::StakeSwapped => "stake_swapped",
            EventKind::StakeTransferred => "stake_transferred",
            EventKind::TransferIn => "transfer_in",
            EventKind::TransferOut => "transfer_out",
            EventKind::Fee => "fee",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        [
            EventKind::StakeAdded,
            EventKind::StakeRemoved,
            EventKind::StakeMoved,
            EventKind::StakeSwapped,
            EventKind::StakeTransferred,
            EventKind::TransferIn,
            EventKind::TransferOut,
            EventKind::Fee,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Rows that only summarise legs listed separately (their amounts must not be added again).
    pub fn is_summary(self) -> bool {
        matches!(
            self,
            EventKind::StakeMoved | EventKind::StakeSwapped | EventKind::StakeTransferred
        )
    }
}

/// One event that touched the coldkey. Amounts in rao / alpha rao, as the event carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvent {
    pub block: u64,
    /// 0x-hex.
    pub block_hash: String,
    pub timestamp_ms: u64,
    /// The index of the extrinsic in the block; `None` for events outside extrinsics.
    pub extrinsic_index: Option<u32>,
    /// 0x-hex blake2-256 of the extrinsic's bytes.
    pub extrinsic_hash: Option<String>,
    pub kind: EventKind,
    pub netuid: Option<u16>,
    /// 0x-hex hotkey.
    pub hotkey: Option<String>,
    pub alpha: Option<u64>,
    pub tao: Option<u64>,
    /// For `stake_added` / `stake_removed`, the pool fee the event reports; for `fee`, the transaction fee paid.
    pub fee: Option<u64>,
    /// 0x-hex of the other account (transfers, stake transfers).
    pub counterparty: Option<String>,
}

/// The events found in a range and what finding them cost.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub events: Vec<AccountEvent>,
    /// Blocks whose mark changed (their events were read).
    pub changed_blocks: Vec<u64>,
    /// Blocks whose mark was read (cached or not).
    pub blocks_marked: usize,
    /// Requests sent.
    pub requests: u64,
}

/// Every event touching `coldkey` in blocks `from + 1 ..= to` (the state at `from` already includes block
/// `from`), sampling `samples` blocks first. `watch` lists the positions whose shares are part of the mark.
pub async fn scan(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    from: BlockRef,
    to: BlockRef,
    watch: &[([u8; 32], u16)],
    samples: usize,
) -> Result<Scan, PastError> {
    let start = reader.request_count();
    let mut marks: BTreeMap<u64, MarkedBlock> = BTreeMap::new();
    let numbers = sample_points(from.number, to.number, samples);
    read_marks(
        reader,
        cache,
        coldkey,
        watch,
        &numbers,
        &mut marks,
        &[from, to],
    )
    .await?;
    loop {
        let mut wanted = Vec::new();
        let known: Vec<(u64, MarkedBlock)> = marks.iter().map(|(n, m)| (*n, m.clone())).collect();
        for pair in known.windows(2) {
            let ((lo, a), (hi, b)) = (&pair[0], &pair[1]);
            if hi - lo > 1 && a.mark.differs(&b.mark, watch) {
                wanted.extend(split(*lo, *hi));
            }
        }
        if wanted.is_empty() {
            break;
        }
        read_marks(reader, cache, coldkey, watch, &wanted, &mut marks, &[]).await?;
    }
    let known: Vec<&MarkedBlock> = marks.values().collect();
    let changed: Vec<&MarkedBlock> = known
        .windows(2)
        .filter(|p| {
            p[1].block.number == p[0].block.number + 1 && p[0].mark.differs(&p[1].mark, watch)
        })
        .map(|p| p[1])
        .collect();
    let events = events_in(reader, cache, coldkey, &changed).await?;
    Ok(Scan {
        events,
        changed_blocks: changed.iter().map(|m| m.block.number).collect(),
        blocks_marked: marks.len(),
        requests: reader.request_count() - start,
    })
}

/// `samples` points spread over `(from, to)`, aligned to a power-of-two grid so that a later look over a range
/// ending at a newer head samples mostly the same blocks (and finds them in the cache).
pub fn sample_points(from: u64, to: u64, samples: usize) -> Vec<u64> {
    let span = to.saturating_sub(from);
    let samples = u64::try_from(samples.max(1)).unwrap_or(u64::MAX);
    if span <= 1 {
        return Vec::new();
    }
    let step = (span / samples).max(1).next_power_of_two();
    let first = (from / step + 1) * step;
    (0..)
        .map(|i| first + i * step)
        .take_while(|p| *p < to)
        .collect()
}

/// Interior points splitting `(lo, hi)` into at most `SPLIT + 1` parts.
pub fn split(lo: u64, hi: u64) -> Vec<u64> {
    let step = ((hi - lo) / (SPLIT + 1)).max(1);
    (1..=SPLIT)
        .map(|i| lo + i * step)
        .filter(|p| *p < hi)
        .collect()
}

/// Reads the marks at `numbers` (and at `refs`, whose hashes are known) into `marks`, from the cache where it has
/// them covering `watch`: at most 2 requests.
async fn read_marks(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    watch: &[([u8; 32], u16)],
    numbers: &[u64],
    marks: &mut BTreeMap<u64, MarkedBlock>,
    refs: &[BlockRef],
) -> Result<(), PastError> {
    let mut todo: Vec<BlockRef> = Vec::new();
    let mut unresolved = Vec::new();
    for &n in numbers {
        match cache.and_then(|c| c.mark(coldkey, n)) {
            Some(m) if m.mark.covers(watch) => {
                marks.insert(n, m);
            }
            _ => unresolved.push(n),
        }
    }
    for r in refs {
        match cache.and_then(|c| c.mark(coldkey, r.number)) {
            Some(m) if m.mark.covers(watch) && m.block.hash == r.hash => {
                marks.insert(r.number, m);
            }
            _ => todo.push(*r),
        }
    }
    todo.extend(reader.blocks(&unresolved).await?);
    if todo.is_empty() {
        return Ok(());
    }
    let read = reader.marks_at(coldkey, watch, &todo).await?;
    for m in read {
        if let Some(c) = cache {
            c.put_mark(coldkey, &m);
        }
        marks.insert(m.block.number, m);
    }
    Ok(())
}

/// The events touching `coldkey` in `blocks`: one request for all of them (bodies and `System.Events`), none for
/// blocks cached.
async fn events_in(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    blocks: &[&MarkedBlock],
) -> Result<Vec<AccountEvent>, PastError> {
    let mut out = Vec::new();
    let mut todo = Vec::new();
    for b in blocks {
        match cache.and_then(|c| c.events(coldkey, b.block)) {
            Some(events) => out.extend(events),
            None => todo.push(*b),
        }
    }
    if !todo.is_empty() {
        let blocks: Vec<BlockRef> = todo.iter().map(|b| b.block).collect();
        let read = reader
            .read_blocks(&blocks, async |c: &ChainClient, group: &[BlockRef]| {
                let marked: Vec<&MarkedBlock> = group
                    .iter()
                    .filter_map(|g| todo.iter().copied().find(|b| b.block == *g))
                    .collect();
                read_events(c, coldkey, &marked).await
            })
            .await?;
        for (b, events) in todo.iter().zip(read) {
            if let Some(c) = cache {
                c.put_events(coldkey, b.block, &events);
            }
            out.extend(events);
        }
    }
    out.sort_by_key(|e| (e.block, e.extrinsic_index, e.kind));
    Ok(out)
}

async fn read_events(
    client: &ChainClient,
    coldkey: [u8; 32],
    blocks: &[&MarkedBlock],
) -> Result<Vec<Vec<AccountEvent>>, ChainError> {
    let metadata = client.metadata();
    let mut requests = Vec::with_capacity(blocks.len() * 2);
    let mut batches = Vec::with_capacity(blocks.len());
    for b in blocks {
        let mut storage = StorageBatch::new(&metadata);
        let slot = storage.add("System", "Events", ())?;
        requests.push(storage.request(Some(b.block.hash)));
        requests.push((
            "chain_getBlock",
            vec![serde_json::Value::String(to_hex(&b.block.hash))],
        ));
        batches.push((storage, slot));
    }
    let mut answers = client.batch(&requests).await?.into_iter();
    let mut out = Vec::with_capacity(blocks.len());
    for (b, (mut storage, slot)) in blocks.iter().zip(batches) {
        let (Some(events), Some(body)) = (answers.next(), answers.next()) else {
            return Err(ChainError::Decode {
                what: "System.Events".into(),
                detail: "the batch answered fewer requests than were sent".into(),
            });
        };
        storage.accept(events?)?;
        let extrinsics = extrinsic_hashes(&body?)?;
        let records = storage.get(slot).map(items).unwrap_or_default();
        let mut found = Vec::new();
        for record in records {
            if let Some(e) = account_event(record, coldkey, b, &extrinsics) {
                found.push(e);
            }
        }
        out.push(found);
    }
    Ok(out)
}

/// blake2-256 of every extrinsic of a `chain_getBlock` answer, in order.
fn extrinsic_hashes(body: &serde_json::Value) -> Result<Vec<String>, ChainError> {
    let list = body
        .pointer("/block/extrinsics")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|x| {
            let bytes = from_hex("an extrinsic", x.as_str().unwrap_or_default())?;
            Ok(to_hex(&blake2_256(&bytes)))
        })
        .collect()
}

fn blake2_256(bytes: &[u8]) -> [u8; 32] {
    use blake2::Digest;
    let mut h = blake2::Blake2b::<blake2::digest::consts::U32>::new();
    h.update(bytes);
    h.finalize().into()
}

/// `(name, fields)` of a variant value.
fn variant(v: &Val) -> Option<(&str, Vec<&Val>)> {
    match &v.value {
        ValueDef::Variant(var) => Some((var.name.as_str(), var.values.values().collect())),
        _ => None,
    }
}

/// A field by name where the event has named fields, else by position (spec 293's Subtensor events are tuples).
fn arg<'a>(event: &'a Val, fields: &[&'a Val], name: &str, index: usize) -> Option<&'a Val> {
    field(event, name).or_else(|| fields.get(index).copied())
}

/// The event of one `EventRecord` as it touches `coldkey`, if it does.
fn account_event(
    record: &Val,
    coldkey: [u8; 32],
    block: &MarkedBlock,
    extrinsics: &[String],
) -> Option<AccountEvent> {
    let extrinsic_index = field(record, "phase")
        .and_then(variant)
        .filter(|(name, _)| *name == "ApplyExtrinsic")
        .and_then(|(_, f)| f.first().and_then(|i| u64_of(i)))
        .and_then(|i| u32::try_from(i).ok());
    let (pallet, inner) = field(record, "event").and_then(variant)?;
    let event_val = *inner.first()?;
    let (name, f) = variant(event_val)?;
    let acct = |v: Option<&Val>| v.and_then(account_of).map(|a| a.0);
    let num = |v: Option<&Val>| v.and_then(u64_of);
    let netuid = |v: Option<&Val>| num(v).and_then(|n| u16::try_from(n).ok());
    let mut e = AccountEvent {
        block: block.block.number,
        block_hash: to_hex(&block.block.hash),
        timestamp_ms: block.timestamp_ms,
        extrinsic_index,
        extrinsic_hash: extrinsic_index
            .and_then(|i| extrinsics.get(usize::try_from(i).ok()?))
            .cloned(),
        kind: EventKind::Fee,
        netuid: None,
        hotkey: None,
        alpha: None,
        tao: None,
        fee: None,
        counterparty: None,
    };
    match (pallet, name) {
        ("SubtensorModule", "StakeAdded" | "StakeRemoved") => {
            if acct(f.first().copied()) != Some(coldkey) {
                return None;
            }
            e.kind = if name == "StakeAdded" {
                EventKind::StakeAdded
            } else {
                EventKind::StakeRemoved
            };
            e.hotkey = acct(f.get(1).copied()).map(|h| to_hex(&h));
            e.tao = num(f.get(2).copied());
            e.alpha = num(f.get(3).copied());
            e.netuid = netuid(f.get(4).copied());
            e.fee = num(f.get(5).copied());
        }
        ("SubtensorModule", "StakeMoved") => {
            if acct(f.first().copied()) != Some(coldkey) {
                return None;
            }
            e.kind = EventKind::StakeMoved;
            e.hotkey = acct(f.get(3).copied()).map(|h| to_hex(&h));
            e.netuid = netuid(f.get(4).copied());
            e.tao = num(f.get(5).copied());
        }
        ("SubtensorModule", "StakeSwapped") => {
            if acct(f.first().copied()) != Some(coldkey) {
                return None;
            }
            e.kind = EventKind::StakeSwapped;
            e.hotkey = acct(f.get(1).copied()).map(|h| to_hex(&h));
            e.netuid = netuid(f.get(3).copied());
            e.tao = num(f.get(4).copied());
        }
        ("SubtensorModule", "StakeTransferred") => {
            let (origin, dest) = (acct(f.first().copied()), acct(f.get(1).copied()));
            let other = if origin == Some(coldkey) {
                dest
            } else if dest == Some(coldkey) {
                origin
            } else {
                return None;
            };
            e.kind = EventKind::StakeTransferred;
            e.counterparty = other.map(|h| to_hex(&h));
            e.hotkey = acct(f.get(2).copied()).map(|h| to_hex(&h));
            e.netuid = netuid(f.get(4).copied());
            e.tao = num(f.get(5).copied());
        }
        ("Balances", "Transfer") => {
            let from = acct(arg(event_val, &f, "from", 0));
            let to = acct(arg(event_val, &f, "to", 1));
            let amount = num(arg(event_val, &f, "amount", 2));
            if to == Some(coldkey) {
                e.kind = EventKind::TransferIn;
                e.counterparty = from.map(|h| to_hex(&h));
            } else if from == Some(coldkey) {
                e.kind = EventKind::TransferOut;
                e.counterparty = to.map(|h| to_hex(&h));
            } else {
                return None;
            }
            e.tao = amount;
        }
        ("TransactionPayment", "TransactionFeePaid") => {
            if acct(arg(event_val, &f, "who", 0)) != Some(coldkey) {
                return None;
            }
            e.kind = EventKind::Fee;
            e.fee = num(arg(event_val, &f, "actual_fee", 1));
        }
        _ => return None,
    }
    Some(e)
}

/// The alpha the account's own actions added to (positive) or took from (negative) each position, summed over
/// `events`: `stake_added` minus `stake_removed`; summary rows are not counted again.
pub fn own_deltas(events: &[AccountEvent]) -> BTreeMap<(String, u16), i128> {
    own_flows(events, |e| e.alpha)
}

/// The TAO the account's own actions put into (positive) or took out of (negative) each position.
pub fn own_tao_flows(events: &[AccountEvent]) -> BTreeMap<(String, u16), i128> {
    own_flows(events, |e| e.tao)
}

fn own_flows(
    events: &[AccountEvent],
    amount: fn(&AccountEvent) -> Option<u64>,
) -> BTreeMap<(String, u16), i128> {
    let mut out = BTreeMap::new();
    for e in events {
        let sign: i128 = match e.kind {
            EventKind::StakeAdded => 1,
            EventKind::StakeRemoved => -1,
            _ => continue,
        };
        let (Some(h), Some(n), Some(a)) = (&e.hotkey, e.netuid, amount(e)) else {
            continue;
        };
        *out.entry((h.clone(), n)).or_insert(0) += sign * i128::from(a);
    }
    out
}

/// The positions named in `events` (to watch them too).
pub fn positions_in(events: &[AccountEvent]) -> BTreeSet<(String, u16)> {
    events
        .iter()
        .filter_map(|e| Some((e.hotkey.clone()?, e.netuid?)))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_inside_the_range_and_aligned() {
        let p = sample_points(1_000, 217_000, 30);
        assert!(p.iter().all(|b| *b > 1_000 && *b < 217_000));
        assert!(p.len() >= 15 && p.len() <= 30, "{}", p.len());
        let step = p[1] - p[0];
        assert!(step.is_power_of_two() && p.iter().all(|b| b % step == 0));
        // A newer head keeps the earlier points.
        let later = sample_points(1_000, 217_100, 30);
        assert!(p.iter().all(|b| later.contains(b)));
        assert!(sample_points(5, 6, 30).is_empty());
    }

    #[test]
    fn splitting_narrows_to_single_blocks() {
        assert_eq!(split(10, 12), vec![11]);
        let s = split(0, 90);
        assert_eq!(s, vec![10, 20, 30, 40, 50, 60, 70, 80]);
        assert!(split(0, 5).iter().all(|p| *p > 0 && *p < 5));
    }

    #[test]
    fn own_deltas_count_legs_not_summaries() {
        let row = |kind, alpha| AccountEvent {
            block: 1,
            block_hash: String::new(),
            timestamp_ms: 0,
            extrinsic_index: Some(1),
            extrinsic_hash: None,
            kind,
            netuid: Some(2),
            hotkey: Some("0xaa".into()),
            alpha: Some(alpha),
            tao: Some(alpha * 2),
            fee: None,
            counterparty: None,
        };
        let events = [
            row(EventKind::StakeAdded, 100),
            row(EventKind::StakeRemoved, 30),
            row(EventKind::StakeMoved, 999),
        ];
        assert_eq!(own_deltas(&events)[&("0xaa".to_owned(), 2)], 70);
        assert_eq!(own_tao_flows(&events)[&("0xaa".to_owned(), 2)], 140);
    }
}
