//! Filling the journal from past chain state, so a chart range is drawn before taotui was ever run
//! there. Sampled and bounded: about 30 blocks per range (one per hour over 24 h, per 6 hours over
//! 7 d, per day over 30 d, per 3 days over 90 d for "all"), on block numbers aligned to the step so
//! a second backfill asks for the same blocks, and blocks the journal already covers (a snapshot
//! within half a step) are skipped. Each sample costs 2 requests (`PastReader::state_at`) plus one
//! for all the block hashes.

use std::collections::BTreeSet;

use crate::chain::past::{PastReader, PastState};
use crate::chain::queries::AccountId;

use super::{PositionEntry, Snapshot};

/// Seconds per block on Subtensor.
const BLOCK_SECS: u64 = 12;
/// Samples per range; "all" reaches back 90 days.
const SAMPLES: u64 = 30;

/// The sampling step (in blocks) and the number of samples for a span in seconds (`None`: all).
pub fn plan(span_secs: Option<u64>) -> (u64, u64) {
    match span_secs {
        Some(s) if s <= 86_400 => (3_600 / BLOCK_SECS, s.div_ceil(3_600)),
        Some(s) if s <= 7 * 86_400 => (6 * 3_600 / BLOCK_SECS, s.div_ceil(6 * 3_600)),
        Some(s) if s <= 30 * 86_400 => (86_400 / BLOCK_SECS, s.div_ceil(86_400)),
        Some(s) => {
            let step = (s / SAMPLES / BLOCK_SECS).max(1);
            (step, SAMPLES)
        }
        None => (3 * 86_400 / BLOCK_SECS, SAMPLES),
    }
}

/// The blocks to read below `head`, newest first: multiples of `step`, leaving out those the journal
/// already covers (`known` blocks within half a step).
pub fn sample_blocks(head: u64, step: u64, count: u64, known: &BTreeSet<u64>) -> Vec<u64> {
    let step = step.max(1);
    let top = head / step * step;
    (0..count)
        .filter_map(|k| top.checked_sub(k * step))
        .filter(|b| *b > 0)
        .filter(|b| {
            let half = step / 2;
            known
                .range(b.saturating_sub(half)..=b.saturating_add(half))
                .next()
                .is_none()
        })
        .collect()
}

/// A journal snapshot of the account at a past block.
pub fn snapshot_of(state: &PastState) -> Snapshot {
    Snapshot {
        block: state.block.number,
        time: state.timestamp_ms / 1_000,
        free: state.free.get(),
        positions: state
            .positions
            .iter()
            .filter(|(_, alpha)| !alpha.is_zero())
            .filter_map(|((hotkey, netuid), alpha)| {
                Some(PositionEntry {
                    hotkey: AccountId(*hotkey).ss58(),
                    netuid: *netuid,
                    alpha: alpha.get(),
                    price: *state.prices.get(netuid)?,
                })
            })
            .collect(),
    }
}

/// What a backfill read.
#[derive(Debug, Default)]
pub struct Outcome {
    pub snapshots: Vec<Snapshot>,
    /// Why it stopped before the oldest sample (a pruned node says how far back it reaches and what to
    /// set); the snapshots read until then are kept.
    pub stopped: Option<String>,
}

/// Reads the sampled past states of `coldkey` over `span_secs`, newest first, calling
/// `progress(done, total)` after each.
pub async fn backfill(
    reader: &PastReader,
    coldkey: [u8; 32],
    span_secs: Option<u64>,
    known: &BTreeSet<u64>,
    progress: impl Fn(u32, u32),
) -> Outcome {
    let head = match reader.head().await {
        Ok(h) => h.number,
        Err(e) => {
            return Outcome {
                snapshots: Vec::new(),
                stopped: Some(e.to_string()),
            };
        }
    };
    let (step, count) = plan(span_secs);
    let numbers = sample_blocks(head, step, count, known);
    backfill_at(reader, coldkey, &numbers, progress).await
}

/// Reads `coldkey`'s state at each of `numbers` in order, stopping at the first block that cannot
/// be read (the sentence says why).
pub async fn backfill_at(
    reader: &PastReader,
    coldkey: [u8; 32],
    numbers: &[u64],
    progress: impl Fn(u32, u32),
) -> Outcome {
    let total = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
    progress(0, total);
    let mut out = Outcome::default();
    if numbers.is_empty() {
        return out;
    }
    let blocks = match reader.blocks(numbers).await {
        Ok(b) => b,
        Err(e) => {
            out.stopped = Some(e.to_string());
            return out;
        }
    };
    for (i, block) in blocks.into_iter().enumerate() {
        match reader.state_at(coldkey, block, &BTreeSet::new()).await {
            Ok(state) => out.snapshots.push(snapshot_of(&state)),
            Err(e) => {
                out.stopped = Some(e.to_string());
                break;
            }
        }
        progress(u32::try_from(i + 1).unwrap_or(u32::MAX), total);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_reads_about_thirty_aligned_blocks() {
        assert_eq!(plan(Some(86_400)), (300, 24));
        assert_eq!(plan(Some(7 * 86_400)), (1_800, 28));
        assert_eq!(plan(Some(30 * 86_400)), (7_200, 30));
        assert_eq!(plan(None), (21_600, 30));
        let blocks = sample_blocks(10_050, 300, 4, &BTreeSet::new());
        assert_eq!(blocks, [9_900, 9_600, 9_300, 9_000]);
        // The same blocks a minute later: what the journal has is not asked again.
        let known: BTreeSet<u64> = [9_610, 9_000].into();
        assert_eq!(sample_blocks(10_055, 300, 4, &known), [9_900, 9_300]);
        // Never below block 1.
        assert_eq!(sample_blocks(700, 300, 5, &BTreeSet::new()), [600, 300]);
    }
}
