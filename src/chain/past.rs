//! The account's state at a past block: positions, the prices of their subnets, free balance, block time.
//!
//! Reads go to the connected node first. A node that prunes state (Substrate keeps 256 blocks by default) answers
//! "State already discarded for 0x…" or "Unknown block" for older ones; such a read is retried on the archive
//! endpoint (`--archive URL`, config `archive = [...]`) when one is set, and otherwise ends in
//! [`PastError::Pruned`], whose sentence says how far back the node reaches and what to set. Once the node has
//! refused a block, reads at or below it go straight to the archive.
//!
//! Request budget: [`PastReader::state_at`] costs 2 requests (the positions call, then one JSON-RPC batch of the
//! account, the timestamp and the prices); [`PastReader::marks_at`] reads any number of blocks in 1;
//! [`PastReader::blocks`] resolves any number of block numbers in 1. Telling how far back a node reaches costs at
//! most 12 (a 9-way search, 6 rounds).
//!
//! Each block is read and decoded by the runtime it ran (finney upgrades every few days, and a range of a month
//! crosses several upgrades): the reader learns which spec version a block runs with `state_getRuntimeVersion` at
//! it, one batched request for the blocks of a read and the outermost blocks it knows, and since spec versions only
//! rise, two blocks running the same version vouch for every block between them; a range without an upgrade costs
//! one request for that. A past runtime's metadata comes from the metadata cache, or is read at the block once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::{AlphaRao, Price, Rao};
use crate::chain::client::{BlockRef, ChainClient, PastRuntime, to_hex};
use crate::chain::error::ChainError;
use crate::chain::extrinsics::ExtrinsicError;
use crate::chain::extrinsics::fetch::positions_at;
use crate::chain::queries::decode::{field, u64_of, u128_of};
use crate::chain::queries::{
    PriceReads, RuntimeCalls, Slot, StorageBatch, fetch_each_at, fetch_together_at,
};

/// Blocks per probe round when looking for the oldest block a node still answers.
const PROBES_PER_ROUND: u64 = 8;
const PROBE_ROUNDS: usize = 6;

/// Why a past read failed.
#[derive(Debug, Error)]
pub enum PastError {
    #[error(
        "the node at {endpoint} no longer keeps the state of block #{block} ({reach}). To read further back, \
         set an archive node: --archive URL, or `archive = [\"wss://…\"]` in config.toml."
    )]
    Pruned {
        endpoint: String,
        block: u64,
        /// The oldest block it was seen to answer, where that was found.
        oldest: Option<u64>,
        reach: String,
    },
    #[error(
        "neither the node nor the archive at {archive} keep the state of block #{block}. Choose a later start \
         (--since) or an archive node that keeps full history."
    )]
    ArchivePruned { archive: String, block: u64 },
    #[error(
        "block #{block} is not on the chain (the head is #{head}). Choose an earlier block or a date in the past."
    )]
    NoSuchBlock { block: u64, head: u64 },
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// True when the node refused a read because it no longer has (or never had) the block's state.
pub fn is_pruned(err: &ChainError) -> bool {
    let ChainError::Rpc { message, .. } = err else {
        return false;
    };
    let m = message.to_ascii_lowercase();
    m.contains("state already discarded")
        || m.contains("unknown block")
        || m.contains("unknownblock")
        || m.contains("state pruned")
        || m.contains("header was not found")
}

fn chain_of(err: ExtrinsicError) -> ChainError {
    match err {
        ExtrinsicError::Chain(e) => e,
        other => ChainError::Decode {
            what: "the positions at a past block".into(),
            detail: other.to_string(),
        },
    }
}

/// The account at one past block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastState {
    pub block: BlockRef,
    /// `Timestamp.Now` at the block: milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// Alpha per (hotkey, netuid).
    pub positions: BTreeMap<([u8; 32], u16), AlphaRao>,
    /// The price of every subnet in `positions` (and of the extra subnets asked for).
    pub prices: BTreeMap<u16, Price>,
    pub free: Rao,
    pub reserved: Rao,
    pub nonce: u64,
}

/// What changes on every action of the account (and on a transfer to it), read cheaply at many blocks to find
/// where something happened without reading every block's events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountMark {
    pub nonce: u64,
    pub free: u64,
    pub reserved: u64,
    /// The `Alpha` share entry of each watched position (hotkey hex, netuid, shares): shares change only when
    /// stake is added, removed, moved or transferred (also by someone else, to this coldkey), never when
    /// dividends accrue (those raise the hotkey's pool, not the shares).
    pub shares: Vec<(String, u16, u128)>,
}

impl AccountMark {
    /// The share entry of one position, where it was read.
    pub fn share_of(&self, hotkey: &[u8; 32], netuid: u16) -> Option<u128> {
        let h = hex::encode(hotkey);
        self.shares
            .iter()
            .find(|(k, n, _)| *k == h && *n == netuid)
            .map(|(_, _, v)| *v)
    }

    /// Whether `watch` is covered by the share entries read.
    pub fn covers(&self, watch: &[([u8; 32], u16)]) -> bool {
        watch.iter().all(|(h, n)| self.share_of(h, *n).is_some())
    }

    /// Whether something the account did (or received) lies between two marks, judged on `watch`.
    pub fn differs(&self, other: &AccountMark, watch: &[([u8; 32], u16)]) -> bool {
        (self.nonce, self.free, self.reserved) != (other.nonce, other.free, other.reserved)
            || watch
                .iter()
                .any(|(h, n)| self.share_of(h, *n) != other.share_of(h, *n))
    }
}

/// A block with its time and the account's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedBlock {
    pub block: BlockRef,
    pub timestamp_ms: u64,
    pub mark: AccountMark,
}

/// Reads at past blocks: the connected node, then the archive where the node has pruned the state.
#[derive(Debug, Clone)]
pub struct PastReader {
    node: ChainClient,
    archive: Option<ChainClient>,
    /// The highest block the node refused as pruned (0: none yet); reads at or below it go to the archive.
    node_pruned_at: std::sync::Arc<AtomicU64>,
    runtimes: std::sync::Arc<std::sync::Mutex<Runtimes>>,
}

/// What the reader knows of which runtime ran where.
#[derive(Debug, Default)]
struct Runtimes {
    /// Block number to the spec version it runs, as the chain answered.
    observed: BTreeMap<u64, u32>,
    /// Every block whose hash the reader has seen, to widen a lookup to the outermost ones.
    seen: BTreeMap<u64, [u8; 32]>,
    /// Past runtimes loaded so far, by spec version.
    loaded: BTreeMap<u32, PastRuntime>,
}

/// The spec version block `n` runs, where the observations vouch for it: one at `n`, or one on each side with the
/// same version (a runtime upgrade always raises the spec version, so nothing changed between them).
fn known_spec(observed: &BTreeMap<u64, u32>, n: u64) -> Option<u32> {
    if let Some(v) = observed.get(&n) {
        return Some(*v);
    }
    let (_, below) = observed.range(..n).next_back()?;
    let (_, above) = observed.range(n..).next()?;
    (below == above).then_some(*below)
}

/// The blocks to ask the runtime version of for a read of `wanted`: those not vouched for, plus the outermost blocks
/// seen when not yet observed, so one answer covers every block between them.
fn lookups(runtimes: &Runtimes, wanted: &[BlockRef]) -> Vec<BlockRef> {
    let mut ask: BTreeMap<u64, [u8; 32]> = wanted
        .iter()
        .filter(|b| known_spec(&runtimes.observed, b.number).is_none())
        .map(|b| (b.number, b.hash))
        .collect();
    if ask.is_empty() {
        return Vec::new();
    }
    let outer = [
        runtimes.seen.first_key_value(),
        runtimes.seen.last_key_value(),
    ];
    for (n, h) in outer.into_iter().flatten() {
        if !runtimes.observed.contains_key(n) {
            ask.insert(*n, *h);
        }
    }
    ask.into_iter()
        .map(|(number, hash)| BlockRef { number, hash })
        .collect()
}

impl PastReader {
    pub fn new(node: ChainClient, archive: Option<ChainClient>) -> Self {
        PastReader {
            node,
            archive,
            node_pruned_at: std::sync::Arc::new(AtomicU64::new(0)),
            runtimes: Default::default(),
        }
    }

    fn runtimes(&self) -> std::sync::MutexGuard<'_, Runtimes> {
        self.runtimes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The spec versions of the runtimes the reads so far were decoded with.
    pub fn runtimes_read(&self) -> Vec<u32> {
        self.runtimes().loaded.keys().copied().collect()
    }

    fn saw(&self, blocks: &[BlockRef]) {
        let mut r = self.runtimes();
        for b in blocks {
            r.seen.insert(b.number, b.hash);
        }
    }

    /// `client` reading as the runtime each of `blocks` ran, grouped: (the client, the indices into `blocks`).
    /// One request to learn the runtimes where the reader cannot tell yet, 1-2 to load a runtime not in the cache.
    async fn by_runtime(
        &self,
        client: &ChainClient,
        blocks: &[BlockRef],
    ) -> Result<Vec<(ChainClient, Vec<usize>)>, ChainError> {
        let ask = lookups(&self.runtimes(), blocks);
        if !ask.is_empty() {
            let hashes: Vec<[u8; 32]> = ask.iter().map(|b| b.hash).collect();
            let answers = client.spec_versions_at(&hashes).await?;
            let mut r = self.runtimes();
            for (b, answer) in ask.iter().zip(answers) {
                match answer {
                    Ok(v) => {
                        r.observed.insert(b.number, v);
                    }
                    // A block this read needs decides (a pruned one sends the read to the archive); an outer
                    // block only widened the lookup.
                    Err(e) if blocks.iter().any(|w| w.number == b.number) => return Err(e),
                    Err(_) => {}
                }
            }
        }
        let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, b) in blocks.iter().enumerate() {
            let v =
                known_spec(&self.runtimes().observed, b.number).unwrap_or(client.spec_version());
            groups.entry(v).or_default().push(i);
        }
        let mut out = Vec::with_capacity(groups.len());
        for (spec, indices) in groups {
            let loaded = self.runtimes().loaded.get(&spec).cloned();
            let runtime = match loaded {
                Some(r) => r,
                None => {
                    let r = client.past_runtime(spec, blocks[indices[0]].hash).await?;
                    self.runtimes().loaded.insert(spec, r.clone());
                    r
                }
            };
            out.push((client.as_runtime(&runtime), indices));
        }
        Ok(out)
    }

    /// Runs `read` for `blocks` (the node's, or the archive's where the node has pruned them), once per runtime
    /// they ran, each time with a client decoding as that runtime did; the answers in the order of `blocks`.
    pub(crate) async fn read_blocks<T>(
        &self,
        blocks: &[BlockRef],
        read: impl AsyncFn(&ChainClient, &[BlockRef]) -> Result<Vec<T>, ChainError>,
    ) -> Result<Vec<T>, PastError> {
        let lowest = blocks.iter().map(|b| b.number).min().unwrap_or(0);
        self.read(lowest, async |c: &ChainClient| {
            let mut answers: Vec<Option<T>> = blocks.iter().map(|_| None).collect();
            for (view, indices) in self.by_runtime(c, blocks).await? {
                let group: Vec<BlockRef> = indices.iter().map(|&i| blocks[i]).collect();
                let read_here = read(&view, &group).await?;
                for (i, answer) in indices.into_iter().zip(read_here) {
                    answers[i] = Some(answer);
                }
            }
            answers
                .into_iter()
                .map(|a| {
                    a.ok_or_else(|| ChainError::Decode {
                        what: "a past read".into(),
                        detail: "fewer answers than blocks".into(),
                    })
                })
                .collect()
        })
        .await
    }

    pub fn node(&self) -> &ChainClient {
        &self.node
    }

    pub fn archive(&self) -> Option<&ChainClient> {
        self.archive.as_ref()
    }

    /// Requests sent so far to the node and the archive together.
    pub fn request_count(&self) -> u64 {
        self.node.request_count() + self.archive.as_ref().map_or(0, ChainClient::request_count)
    }

    /// Runs `read` on the node, or on the archive where the node has pruned `block`.
    async fn read<T>(
        &self,
        block: u64,
        read: impl AsyncFn(&ChainClient) -> Result<T, ChainError>,
    ) -> Result<T, PastError> {
        let known_pruned = block <= self.node_pruned_at.load(Ordering::Relaxed);
        if !(known_pruned && self.archive.is_some()) {
            match read(&self.node).await {
                Ok(v) => return Ok(v),
                Err(e) if is_pruned(&e) => {
                    self.node_pruned_at.fetch_max(block, Ordering::Relaxed);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let Some(archive) = &self.archive else {
            return Err(self.pruned_error(block).await);
        };
        match read(archive).await {
            Ok(v) => Ok(v),
            Err(e) if is_pruned(&e) => Err(PastError::ArchivePruned {
                archive: archive.endpoint(),
                block,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The pruned-state error for `block`, with how far back the node reaches where a short search finds it.
    async fn pruned_error(&self, block: u64) -> PastError {
        let oldest = oldest_answered(&self.node, block).await;
        let reach = match oldest {
            Some((first, true)) => format!("it answers from block #{first} on"),
            Some((first, false)) => format!("it answers from about block #{first} on"),
            None => "it keeps only recent blocks".to_owned(),
        };
        PastError::Pruned {
            endpoint: self.node.endpoint(),
            block,
            oldest: oldest.map(|(b, _)| b),
            reach,
        }
    }

    /// The head of the connected node.
    pub async fn head(&self) -> Result<BlockRef, PastError> {
        let head = self.node.head().await?;
        self.saw(&[head]);
        Ok(head)
    }

    /// The hashes of blocks `numbers`, in one request (one more on the archive for any the node does not know).
    pub async fn blocks(&self, numbers: &[u64]) -> Result<Vec<BlockRef>, PastError> {
        let mut found = block_hashes(&self.node, numbers).await?;
        let missing: Vec<u64> = numbers
            .iter()
            .zip(&found)
            .filter(|(_, h)| h.is_none())
            .map(|(n, _)| *n)
            .collect();
        if let (Some(archive), false) = (&self.archive, missing.is_empty()) {
            let more = block_hashes(archive, &missing).await?;
            let mut more = more.into_iter();
            for slot in found.iter_mut().filter(|h| h.is_none()) {
                *slot = more.next().flatten();
            }
        }
        let mut out = Vec::with_capacity(numbers.len());
        for (&number, hash) in numbers.iter().zip(found) {
            match hash {
                Some(hash) => out.push(BlockRef { number, hash }),
                None => {
                    let head = self.node.head().await?.number;
                    return Err(PastError::NoSuchBlock {
                        block: number,
                        head,
                    });
                }
            }
        }
        self.saw(&out);
        Ok(out)
    }

    /// The account at `block`: positions, the prices of their subnets and of `extra_netuids`, balance, time.
    /// 2 requests.
    pub async fn state_at(
        &self,
        coldkey: [u8; 32],
        block: BlockRef,
        extra_netuids: &BTreeSet<u16>,
    ) -> Result<PastState, PastError> {
        let mut states = self
            .read_blocks(&[block], async |c: &ChainClient, _: &[BlockRef]| {
                Ok(vec![read_state(c, coldkey, block, extra_netuids).await?])
            })
            .await?;
        states.pop().ok_or_else(|| {
            PastError::Chain(ChainError::Decode {
                what: "a past state".into(),
                detail: "no answer".into(),
            })
        })
    }

    /// The account's mark and the time at each of `blocks`, in one request. `watch` lists the positions whose
    /// `Alpha` shares go into the mark.
    pub async fn marks_at(
        &self,
        coldkey: [u8; 32],
        watch: &[([u8; 32], u16)],
        blocks: &[BlockRef],
    ) -> Result<Vec<MarkedBlock>, PastError> {
        self.read_blocks(blocks, async |c: &ChainClient, group: &[BlockRef]| {
            read_marks(c, coldkey, watch, group).await
        })
        .await
    }
}

async fn read_state(
    client: &ChainClient,
    coldkey: [u8; 32],
    block: BlockRef,
    extra_netuids: &BTreeSet<u16>,
) -> Result<PastState, ChainError> {
    let positions = positions_at(client, coldkey, Some(block.hash))
        .await
        .map_err(chain_of)?;
    let metadata = client.metadata();
    let mut storage = StorageBatch::new(&metadata);
    let account = storage.add("System", "Account", (coldkey,))?;
    let now = storage.add("Timestamp", "Now", ())?;
    let mut calls = RuntimeCalls::new(&metadata);
    let mut prices = PriceReads::new(&client.features(), &mut calls)?;
    let netuids: BTreeSet<u16> = positions
        .keys()
        .map(|(_, n)| *n)
        .chain(extra_netuids.iter().copied())
        .collect();
    for &n in &netuids {
        prices.add_subnet(n, &mut storage, &mut calls)?;
    }
    fetch_together_at(client, &mut storage, &mut calls, Some(block.hash)).await?;
    prices.after_first(&mut calls)?;
    let all = prices.finish(&storage, &mut calls)?;
    let mut price_of = BTreeMap::new();
    for &n in &netuids {
        price_of.insert(n, PriceReads::of(&all, n)?);
    }
    let (nonce, free, reserved) = account_fields(&storage, account);
    Ok(PastState {
        block,
        timestamp_ms: storage.get(now).and_then(u64_of).unwrap_or(0),
        positions,
        prices: price_of,
        free: Rao(free),
        reserved: Rao(reserved),
        nonce,
    })
}

fn account_fields(storage: &StorageBatch<'_>, slot: Slot) -> (u64, u64, u64) {
    let account = storage.get(slot);
    let data = account.and_then(|a| field(a, "data"));
    let get = |name: &str| data.and_then(|d| field(d, name)).and_then(u64_of);
    (
        account
            .and_then(|a| field(a, "nonce"))
            .and_then(u64_of)
            .unwrap_or(0),
        get("free").unwrap_or(0),
        get("reserved").unwrap_or(0),
    )
}

async fn read_marks(
    client: &ChainClient,
    coldkey: [u8; 32],
    watch: &[([u8; 32], u16)],
    blocks: &[BlockRef],
) -> Result<Vec<MarkedBlock>, ChainError> {
    let metadata = client.metadata();
    let mut batches = Vec::with_capacity(blocks.len());
    let mut slots = Vec::with_capacity(blocks.len());
    for b in blocks {
        let mut storage = StorageBatch::new(&metadata);
        let account = storage.add("System", "Account", (coldkey,))?;
        let now = storage.add("Timestamp", "Now", ())?;
        let mut shares = Vec::with_capacity(watch.len());
        for (hotkey, netuid) in watch {
            shares.push(storage.add("SubtensorModule", "Alpha", (*hotkey, coldkey, *netuid))?);
        }
        slots.push((account, now, shares));
        batches.push((storage, b.hash));
    }
    fetch_each_at(client, &mut batches).await?;
    let mut out = Vec::with_capacity(blocks.len());
    for ((b, (storage, _)), (account, now, shares)) in blocks.iter().zip(&batches).zip(slots) {
        let (nonce, free, reserved) = account_fields(storage, account);
        let shares = watch
            .iter()
            .zip(shares)
            .map(|((h, n), s)| {
                (
                    hex::encode(h),
                    *n,
                    storage.get(s).and_then(u128_of).unwrap_or(0),
                )
            })
            .collect();
        out.push(MarkedBlock {
            block: *b,
            timestamp_ms: storage.get(now).and_then(u64_of).unwrap_or(0),
            mark: AccountMark {
                nonce,
                free,
                reserved,
                shares,
            },
        });
    }
    Ok(out)
}

/// `chain_getBlockHash` for each of `numbers`, in one request; `None` where the node knows no such block.
async fn block_hashes(
    client: &ChainClient,
    numbers: &[u64],
) -> Result<Vec<Option<[u8; 32]>>, ChainError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let requests: Vec<_> = numbers
        .iter()
        .map(|n| ("chain_getBlockHash", vec![serde_json::Value::from(*n)]))
        .collect();
    let answers = client.batch(&requests).await?;
    answers
        .into_iter()
        .map(|a| {
            let v = a?;
            match v.as_str() {
                None => Ok(None),
                Some(s) => {
                    let bytes = crate::chain::client::from_hex("chain_getBlockHash", s)?;
                    Ok(<[u8; 32]>::try_from(bytes.as_slice()).ok())
                }
            }
        })
        .collect()
}

/// The oldest block whose state the node still answers, between `refused` (which it did not) and its head:
/// a 9-way search, two requests a round, at most [`PROBE_ROUNDS`] rounds. `(block, exact)`; `None` when the
/// node's answers do not allow telling.
async fn oldest_answered(client: &ChainClient, refused: u64) -> Option<(u64, bool)> {
    let head = client.head().await.ok()?.number;
    if head <= refused {
        return None;
    }
    let metadata = client.metadata();
    let key = {
        let mut probe = StorageBatch::new(&metadata);
        probe.add("Timestamp", "Now", ()).ok()?;
        probe.request(None).1.first()?.as_array()?.first()?.clone()
    };
    let (mut lo, mut hi) = (refused, head);
    for _ in 0..PROBE_ROUNDS {
        if hi <= lo + 1 {
            return Some((hi, true));
        }
        let step = ((hi - lo) / (PROBES_PER_ROUND + 1)).max(1);
        let points: Vec<u64> = (1..=PROBES_PER_ROUND)
            .map(|i| lo + i * step)
            .filter(|p| *p < hi)
            .collect();
        // A block the node has no hash for cannot be probed (asking at no hash would read the head and
        // pass for an answer): then the boundary is not known.
        let hashes: Vec<[u8; 32]> = block_hashes(client, &points)
            .await
            .ok()?
            .into_iter()
            .collect::<Option<_>>()?;
        let probes: Vec<_> = hashes
            .iter()
            .map(|h| ("state_getStorage", vec![key.clone(), to_hex(h).into()]))
            .collect();
        let answers = client.batch(&probes).await.ok()?;
        let mut moved = false;
        for (p, answer) in points.iter().zip(answers) {
            match answer {
                Ok(_) => {
                    hi = *p;
                    moved = true;
                    break;
                }
                Err(e) if is_pruned(&e) => lo = *p,
                Err(_) => return None,
            }
        }
        if !moved && hi == head && lo + step >= hi {
            break;
        }
    }
    Some((hi, hi <= lo + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rpc(message: &str) -> ChainError {
        ChainError::Rpc {
            method: "state_call".into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_nodes_pruned_answers_are_recognised() {
        assert!(is_pruned(&rpc(
            "Client error: Api called for an unknown Block: State already discarded for 0xab12"
        )));
        assert!(is_pruned(&rpc("Unknown block")));
        assert!(is_pruned(&rpc(
            "Client error: UnknownBlock: Header was not found in the database: 0x00"
        )));
        assert!(!is_pruned(&rpc("Execution failed: wasm trap")));
        assert!(!is_pruned(&ChainError::Disconnected));
    }

    #[test]
    fn the_pruned_sentence_names_the_block_the_reach_and_what_to_set() {
        let e = PastError::Pruned {
            endpoint: "ws://node".into(),
            block: 100,
            oldest: Some(5_000),
            reach: "it answers from block #5000 on".into(),
        };
        let s = e.to_string();
        assert!(s.contains("#100") && s.contains("#5000"), "{s}");
        assert!(
            s.contains("--archive URL") && s.contains("archive = ["),
            "{s}"
        );
    }

    #[test]
    fn two_blocks_running_the_same_runtime_vouch_for_every_block_between() {
        let observed: BTreeMap<u64, u32> = [(10, 293), (50, 293), (80, 300)].into();
        assert_eq!(known_spec(&observed, 10), Some(293));
        assert_eq!(known_spec(&observed, 30), Some(293));
        assert_eq!(known_spec(&observed, 50), Some(293));
        // An upgrade lies somewhere between 50 and 80.
        assert_eq!(known_spec(&observed, 60), None);
        assert_eq!(known_spec(&observed, 80), Some(300));
        assert_eq!(known_spec(&observed, 5), None);
        assert_eq!(known_spec(&observed, 81), None);
    }

    #[test]
    fn a_lookup_asks_for_the_unknown_blocks_and_the_outermost_seen() {
        let b = |number: u64| BlockRef {
            number,
            hash: [number as u8; 32],
        };
        let mut r = Runtimes::default();
        for n in [1, 40, 100] {
            r.seen.insert(n, b(n).hash);
        }
        let numbers = |v: Vec<BlockRef>| v.into_iter().map(|b| b.number).collect::<Vec<_>>();
        assert_eq!(numbers(lookups(&r, &[b(40)])), vec![1, 40, 100]);
        r.observed.extend([(1, 293), (100, 293)]);
        // Vouched for by the outermost blocks: nothing to ask.
        assert!(lookups(&r, &[b(40), b(70)]).is_empty());
        r.observed.insert(100, 300);
        assert_eq!(numbers(lookups(&r, &[b(40)])), vec![40]);
    }

    #[test]
    fn a_mark_differs_on_the_balance_or_a_watched_share_only() {
        let h = [7u8; 32];
        let base = AccountMark {
            nonce: 1,
            free: 10,
            reserved: 0,
            shares: vec![(hex::encode(h), 2, 5)],
        };
        let watch = [(h, 2u16)];
        assert!(!base.differs(&base.clone(), &watch));
        let mut more = base.clone();
        more.shares[0].2 = 6;
        assert!(base.differs(&more, &watch));
        assert!(!base.differs(&more, &[]));
        let mut paid = base.clone();
        paid.free = 9;
        assert!(base.differs(&paid, &[]));
        assert!(base.covers(&watch) && !base.covers(&[([8; 32], 2)]));
    }
}
