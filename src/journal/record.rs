//! Recording what a portfolio read saw: the CLI's `stake list` and `balance` and the terminal app's
//! portfolio refresh all end here, so the journal grows the same way whichever was used.

use crate::chain::client::ChainClient;
use crate::chain::history::now_secs;
use crate::chain::queries::{AccountBalance, AccountId, PositionView, PricedStake};

use super::{Journal, JournalError, PositionEntry, Recorded, Snapshot};

/// The block a read at "latest" reflects: the head asked for beside it (the same block, or one
/// off when a block arrives between the requests; a label for the chart, never an amount).
pub async fn head_number(client: &ChainClient) -> Option<u64> {
    client.head().await.ok().map(|h| h.number)
}

/// A snapshot of a `balance` read (stakes with the prices their values used).
pub fn from_stakes(
    block: u64,
    time: u64,
    balance: &AccountBalance,
    stakes: &[PricedStake],
) -> Snapshot {
    Snapshot {
        block,
        time,
        free: balance.free.get(),
        positions: stakes
            .iter()
            .map(|s| PositionEntry {
                hotkey: s.hotkey.ss58(),
                netuid: s.netuid,
                alpha: s.alpha.get(),
                price: s.price,
            })
            .collect(),
    }
}

/// Appends the snapshot of a `stake list` (or portfolio) read to `coldkey`'s journal on this chain.
pub fn record_listing(
    genesis: [u8; 32],
    coldkey: AccountId,
    block: u64,
    balance: &AccountBalance,
    positions: &[PositionView],
) -> Result<(Snapshot, Recorded), JournalError> {
    let snapshot = Snapshot::from_listing(block, now_secs(), balance, positions);
    let recorded = Journal::default_location(genesis, &coldkey.ss58())?.record(&snapshot)?;
    Ok((snapshot, recorded))
}

/// Appends the snapshot of a `balance` read.
pub fn record_stakes(
    genesis: [u8; 32],
    block: u64,
    balance: &AccountBalance,
    stakes: &[PricedStake],
) -> Result<Recorded, JournalError> {
    let snapshot = from_stakes(block, now_secs(), balance, stakes);
    Journal::default_location(genesis, &balance.coldkey.ss58())?.record(&snapshot)
}
