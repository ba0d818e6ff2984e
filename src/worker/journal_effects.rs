//! The value journal's effects: recording each portfolio read, loading a coldkey's journal, and
//! filling it from past chain state.

use crate::action::{Action, RequestId};
use crate::chain::client::ChainClient;
use crate::chain::queries::{AccountBalance, AccountId, PositionView};
use crate::journal::Journal;

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

    pub(super) fn backfill_journal(&self, id: RequestId, coldkey: String, span_secs: Option<u64>) {
        let _ = (coldkey, span_secs);
        self.reply(Action::BackfillDone {
            id,
            result: Err(
                "Filling the chart from past chain state is not available in this build yet."
                    .to_owned(),
            ),
        });
    }
}
