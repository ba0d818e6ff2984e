//! The value journal's effects: recording each portfolio read, loading a coldkey's journal, and
//! filling it from past chain state.

use std::collections::BTreeSet;

use crate::action::{Action, RequestId};
use crate::chain::client::{ChainClient, ConnectOptions};
use crate::chain::earnings::{self, EarningsReport};
use crate::chain::network::Network;
use crate::chain::past::{PastError, PastReader};
use crate::chain::past_cache::PastCache;
use crate::chain::queries::{AccountBalance, AccountId, PositionView};
use crate::export_csv::to_csv;
use crate::history_merge::{MergedHistory, merge, merged_csv, newest_first};
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

impl Worker {
    /// What the coldkey's positions earned over the last `span_secs` (`chain::earnings`), cached on disk
    /// per (coldkey, block) by the earnings module.
    pub(super) fn fetch_earnings(&self, id: RequestId, coldkey: String, span_secs: u64) {
        let this = self.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let result = handle.block_on(async {
                let client = this.client().await?;
                let account = AccountId::from_ss58(&coldkey).map_err(|e| e.to_string())?;
                let reader = PastReader::new(client, archive_from_settings().await);
                earnings::compute(
                    &reader,
                    account.0,
                    earnings::Since::Last(span_secs.saturating_mul(1_000)),
                    &earnings::Options::default(),
                )
                .await
                .map(Box::new)
                .map_err(|e| e.to_string())
            });
            this.reply(Action::EarningsLoaded {
                id,
                coldkey,
                result,
            });
        });
    }

    pub(super) fn export_earnings(&self, id: RequestId, coldkey: String, report: EarningsReport) {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let rows = crate::cli::earnings_cmds::earnings_rows(&report);
            let name = format!("earnings-7d-{}", short_name(&coldkey));
            let result = write_export(this.data_dir(), &name, &to_csv(&rows), rows.len());
            this.reply(Action::Exported { id, result });
        });
    }

    /// What touched `coldkey` on chain over the last `span_secs` (`earnings::start_block` and `ends_and_scan`, as
    /// `taotui history --since`), merged with this machine's records, newest first. Marks and events are cached
    /// on disk per (coldkey, block), so reading again (or a wider range) reads only what is new.
    pub(super) fn scan_history(&self, id: RequestId, coldkey: String, span_secs: u64) {
        let this = self.clone();
        let handle = tokio::runtime::Handle::current();
        // Past reads are not `Send` (see `backfill_journal`), so the scan runs on a blocking thread where no abort
        // handle reaches it. A stand-in task is registered as the read instead: cancelling the read (Esc, another
        // range) aborts it, which drops its sender and stops the scan at its next await.
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let stand_in = tokio::spawn(async move {
            let _stop = stop_tx;
            std::future::pending::<()>().await;
        });
        let stand_in_abort = stand_in.abort_handle();
        self.track_read(id, stand_in.abort_handle());
        tokio::task::spawn_blocking(move || {
            let scanned = handle.block_on(async {
                tokio::select! {
                    result = this.run_scan_history(&coldkey, span_secs) => Some(result),
                    _ = stop_rx => None,
                }
            });
            stand_in_abort.abort();
            this.forget(id);
            if let Some(result) = scanned {
                this.reply(Action::ChainHistoryLoaded {
                    id,
                    coldkey,
                    fetched_at: crate::worker::now_secs(),
                    result: result.map(Box::new),
                });
            }
        });
    }

    async fn run_scan_history(
        &self,
        coldkey: &str,
        span_secs: u64,
    ) -> Result<MergedHistory, String> {
        let client = self.client().await?;
        let account = AccountId::from_ss58(coldkey).map_err(|e| e.to_string())?;
        let cache = self.data_dir().map(PastCache::at);
        let reader = PastReader::new(client, archive_from_settings().await);
        let scanned = async {
            let head = reader.head().await?;
            let since = earnings::Since::Last(span_secs.saturating_mul(1_000));
            let start =
                earnings::start_block(&reader, cache.as_ref(), account.0, since, head).await?;
            let (a, _, scan) = earnings::ends_and_scan(
                &reader,
                cache.as_ref(),
                account.0,
                start,
                head,
                earnings::DEFAULT_SAMPLES,
            )
            .await?;
            Ok::<_, PastError>((start.number, a.timestamp_ms, head.number, scan.events))
        };
        let (from_block, from_ms, to_block, events) = scanned.await.map_err(|e| e.to_string())?;
        // A history file that cannot be read leaves the chain's lines (the screen says so for the local list).
        let local = self
            .history()
            .and_then(|h| h.transactions().ok())
            .unwrap_or_default();
        let mut entries = merge(&events, &local, coldkey, from_block, from_ms / 1000);
        newest_first(&mut entries);
        Ok(MergedHistory {
            from_block,
            to_block,
            entries,
        })
    }

    pub(super) fn export_history(&self, id: RequestId, merged: Option<Box<MergedHistory>>) {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let result = match merged {
                Some(m) => write_export(
                    this.data_dir(),
                    "history-chain",
                    &merged_csv(&m.entries),
                    m.entries.len(),
                )
                    .map(|done| {
                        format!(
                            "{done}: the chain's history (blocks #{} to #{}) with this machine's records.",
                            m.from_block, m.to_block
                        )
                    }),
                None => this
                    .history()
                    .ok_or_else(|| "No data folder is known; set TAOTUI_DATA_DIR.".to_owned())
                    .and_then(|h| h.transactions().map_err(|e| e.to_string()))
                    .and_then(|records| {
                        let csv = crate::history_merge::local_csv(&records);
                        write_export(this.data_dir(), "history", &csv, records.len())
                    })
                    .map(|done| {
                        format!("{done}: this machine's records only (the chain's history is not read).")
                    }),
            };
            this.reply(Action::Exported { id, result });
        });
    }
}

/// The first 8 characters of an address, for file names.
fn short_name(ss58: &str) -> String {
    ss58.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect()
}

/// Writes `csv` to `<data folder>/exports/<name>-<UTC time>.csv` (0600) and says where.
fn write_export(
    data: Option<std::path::PathBuf>,
    name: &str,
    csv: &str,
    rows: usize,
) -> Result<String, String> {
    let dir = data
        .map(|d| d.join("exports"))
        .ok_or_else(|| "No data folder is known; set TAOTUI_DATA_DIR.".to_owned())?;
    let stamp = time::OffsetDateTime::from_unix_timestamp(
        i64::try_from(crate::chain::history::now_secs()).unwrap_or(0),
    )
    .ok()
    .and_then(|t| {
        t.format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .ok()
    })
    .unwrap_or_default();
    let path = dir.join(format!("{name}-{stamp}.csv"));
    crate::config::private_fs::write_private_atomic(&path, csv.as_bytes()).map_err(|e| {
        format!(
            "Could not write the export at {}: {e}. Check that the folder is writable.",
            path.display()
        )
    })?;
    Ok(format!("Exported {rows} rows to {}", path.display()))
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
