//! The value journal's effects: recording each portfolio read, loading a coldkey's journal, and
//! filling it from past chain state.

use std::collections::BTreeSet;

use crate::action::{Action, RequestId};
use crate::chain::client::{ChainClient, ConnectOptions};
use crate::chain::network::Network;
use crate::chain::past::PastReader;
use crate::chain::queries::{AccountBalance, AccountId, PositionView};
use crate::journal::Journal;
use crate::journal::backfill::backfill;

use super::Worker;

impl Worker {
    /// Journals a portfolio read at `block` on a blocking thread and tells the model (for "since you
    /// last looked"). A journal that cannot be written is logged, never shown as a failed read.
    pub(super) fn record_read(
        &self,
        client: &ChainClient,
        coldkey: AccountId,
        block: u64,
        balance: AccountBalance,
        positions: Vec<PositionView>,
    ) {
        let genesis = client.genesis_hash();
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            match crate::journal::record::record_listing(
                genesis, coldkey, block, &balance, &positions,
            ) {
                Ok((snapshot, recorded)) => this.reply(Action::JournalRecorded {
                    coldkey: coldkey.ss58(),
                    snapshot,
                    previous: recorded.previous,
                }),
                Err(e) => tracing::warn!(error = %e, "value journal not written"),
            }
        });
    }

    pub(super) fn load_journal(&self, id: RequestId, coldkey: String) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = match this.client().await {
                Ok(client) => {
                    let genesis = client.genesis_hash();
                    let who = coldkey.clone();
                    tokio::task::spawn_blocking(move || {
                        Journal::default_location(genesis, &who)
                            .and_then(|j| j.read())
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("reading the value journal stopped: {e}")))
                }
                Err(e) => Err(format!("The value journal is kept per network: {e}.")),
            };
            this.reply(Action::JournalLoaded {
                id,
                coldkey,
                result,
            });
        });
    }

    /// Fills the journal from past chain state (see `journal::backfill`), telling the model the progress.
    pub(super) fn backfill_journal(&self, id: RequestId, coldkey: String, span_secs: Option<u64>) {
        let this = self.clone();
        let handle = tokio::runtime::Handle::current();
        // Past reads borrow through async closures whose futures are not `Send`; a blocking thread
        // drives them on the app's runtime instead of a spawned task.
        tokio::task::spawn_blocking(move || {
            let result = handle.block_on(this.run_backfill(id, &coldkey, span_secs));
            this.reply(Action::BackfillDone { id, result });
        });
    }

    async fn run_backfill(
        &self,
        id: RequestId,
        coldkey: &str,
        span_secs: Option<u64>,
    ) -> Result<usize, String> {
        let client = self.client().await?;
        let account = AccountId::from_ss58(coldkey).map_err(|e| e.to_string())?;
        let journal =
            Journal::default_location(client.genesis_hash(), coldkey).map_err(|e| e.to_string())?;
        let reader = PastReader::new(client, archive_from_settings().await);
        let known: BTreeSet<u64> = journal
            .read()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|s| s.block)
            .collect();
        let outcome = backfill(&reader, account.0, span_secs, &known, |done, total| {
            self.reply(Action::BackfillProgress { id, done, total })
        })
        .await;
        let snapshots = outcome.snapshots;
        let added = journal.insert(&snapshots).map_err(|e| e.to_string())?;
        match outcome.stopped {
            None => Ok(added),
            Some(why) if added == 0 => Err(format!("No past snapshots filled: {why}")),
            Some(why) => Err(format!(
                "Filled {added} past snapshots, then stopped: {why}"
            )),
        }
    }
}

/// The archive node from the config's `archive = [...]`, when one is set and answers.
async fn archive_from_settings() -> Option<ChainClient> {
    let urls = crate::config::load_settings().ok()?.archive;
    if urls.is_empty() {
        return None;
    }
    let network = Network::resolve(Some(&urls.join(",")), None).ok()?;
    let opts = ConnectOptions {
        watch_runtime_upgrades: false,
        ..ConnectOptions::default()
    };
    match ChainClient::connect(&network, opts).await {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(error = %e, "archive node not reachable; backfill reads the connected node only");
            None
        }
    }
}
