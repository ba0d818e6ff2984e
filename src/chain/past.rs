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
//! Decoding uses the metadata of the runtime connected to: a block from before a runtime upgrade that changed one
//! of these types fails with a decode error naming the item, never with a wrong value.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::{AlphaRao, Price, Rao};
use crate::chain::client::{BlockRef, ChainClient, to_hex};
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
}

impl PastReader {
    pub fn new(node: ChainClient, archive: Option<ChainClient>) -> Self {
        PastReader {
            node,
            archive,
            node_pruned_at: std::sync::Arc::new(AtomicU64::new(0)),
        }
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
    pub(crate) async fn read<T>(
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
        Ok(self.node.head().await?)
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
        self.read(block.number, async |c: &ChainClient| {
            read_state(c, coldkey, block, extra_netuids).await
        })
        .await
    }

    /// The account's mark and the time at each of `blocks`, in one request. `watch` lists the positions whose
    /// `Alpha` shares go into the mark.
    pub async fn marks_at(
        &self,
        coldkey: [u8; 32],
        watch: &[([u8; 32], u16)],
        blocks: &[BlockRef],
    ) -> Result<Vec<MarkedBlock>, PastError> {
        let lowest = blocks.iter().map(|b| b.number).min().unwrap_or(0);
        self.read(lowest, async |c: &ChainClient| {
            read_marks(c, coldkey, watch, blocks).await
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
