//! Runs effects off the UI thread and answers with actions tagged with the request id.
//!
//! Keystore work (argon2 takes about a second) runs on tokio's blocking pool; chain reads run
//! as tasks over the shared `ChainClient`. The chain connects in the background at start and
//! the model learns every change of the connection through `Action::ConnectionChanged`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::seq::index::sample;
use secrecy::SecretString;
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::keyfile::{NativeParams, WriteFormat};
use taotui_keystore::mnemonic::{Mnemonic, WordCount};
use taotui_keystore::ss58;
use taotui_keystore::wallet::{KeyFormat, KeyTarget, WalletRoot, WriteMode};
use tokio::sync::{RwLock, mpsc};

use crate::action::{
    Action, ChainPreview, Connection, Effect, KeyFileFormat, OfflineFile, PreviewFacts, RequestId,
    SignedFileView, StakeKind, StakeRequest, TxProgress,
};
use crate::amount::{AlphaRao, Price, Rao, Rounding, Tolerance};
use crate::chain::client::{ChainClient, ConnectOptions, ConnectionState};
use crate::chain::extrinsics::{self, AlphaAmount, Prepared, SendOptions, StakeMode};
use crate::chain::history::{History, HistoryRecord, TxStatus};
use crate::chain::mev_shield::ShieldPreview;
use crate::chain::network::Network;
use crate::chain::offline::online;
use crate::chain::queries::{self, AccountId};
use crate::model::chain::HistoryEntry;
use crate::model::wallets::{KeyEntry, WalletEntry};

mod batch_effects;
mod journal_effects;
mod proxy_effects;

pub use proxy_effects::read_proxies;

/// The address book's entries; none when there is no config folder.
fn load_address_book() -> Result<Vec<(String, String)>, String> {
    let Some(path) = crate::address_book::AddressBook::default_path() else {
        return Ok(Vec::new());
    };
    let book = crate::address_book::AddressBook::load(&path).map_err(|e| e.to_string())?;
    Ok(book
        .entries()
        .map(|(n, a)| (n.to_owned(), a.to_owned()))
        .collect())
}

/// How many words of a new mnemonic the user re-types (the CLI asks the same).
pub const WORDS_TO_CONFIRM: usize = 3;
/// Longest wait between connection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often the best block is asked for (one `chain_getHeader`); a block is 12 s, so a new
/// one is seen within 3 s of its import.
const HEAD_POLL: Duration = Duration::from_secs(3);

/// What the app needs from a worker: run an effect, answer later through the action channel.
/// Tests and benches can stand in their own.
pub trait EffectRunner {
    fn run(&self, effect: Effect);
}

/// The real worker: keystore on the blocking pool, chain reads over one shared client.
#[derive(Clone)]
pub struct Worker {
    replies: mpsc::UnboundedSender<Action>,
    root: WalletRoot,
    network: Network,
    metadata_cache: Option<PathBuf>,
    chain: Arc<RwLock<Option<ChainClient>>>,
    /// The last previewed call, waiting for the password.
    /// The latest preview's call and its MEV-shield verdict (what `submit_stake` signs and how it sends it).
    prepared: Arc<tokio::sync::Mutex<Option<(RequestId, Prepared, ShieldPreview)>>>,
    /// A rebalance of more legs than one batch takes: its batches, each with its verdict, sent one after another.
    batches: Arc<tokio::sync::Mutex<Option<(RequestId, batch_effects::Parts)>>>,
    /// Chain reads in flight, by request, so the model can stop waiting for one (Esc).
    reads: Arc<std::sync::Mutex<HashMap<RequestId, tokio::task::AbortHandle>>>,
    /// Where unsigned files (`offline/`) and the history of transactions submitted from files go; `None`: taotui's
    /// data folder. Tests give their own, as the environment is shared by a test binary's threads.
    data_dir: Option<PathBuf>,
    /// The latest proxy grant preview, waiting for the password.
    grant: Arc<tokio::sync::Mutex<Option<(RequestId, crate::chain::proxy_grant::PreparedGrant)>>>,
    /// Where `config.toml` is written (the wallet proxy setting); `None`: taotui's config folder.
    config_dir: Option<PathBuf>,
}

impl Worker {
    pub fn new(
        root: WalletRoot,
        network: Network,
        metadata_cache: Option<PathBuf>,
        replies: mpsc::UnboundedSender<Action>,
    ) -> Worker {
        Worker {
            replies,
            root,
            network,
            metadata_cache,
            chain: Arc::new(RwLock::new(None)),
            prepared: Arc::new(tokio::sync::Mutex::new(None)),
            batches: Arc::new(tokio::sync::Mutex::new(None)),
            reads: Arc::default(),
            data_dir: None,
            grant: Arc::default(),
            config_dir: None,
        }
    }

    /// The wallet proxy setting is written to `dir/config.toml` (tests give their own folder).
    pub fn with_config_dir(mut self, dir: PathBuf) -> Worker {
        self.config_dir = Some(dir);
        self
    }

    /// Unsigned files go under `dir/offline/` and submitted files are recorded in `dir`'s history.
    pub fn with_data_dir(mut self, dir: PathBuf) -> Worker {
        self.data_dir = Some(dir);
        self
    }

    fn data_dir(&self) -> Option<PathBuf> {
        self.data_dir.clone().or_else(crate::config::data_dir)
    }

    fn history(&self) -> Option<History> {
        match &self.data_dir {
            Some(dir) => Some(History::at(dir)),
            None => History::default_location().ok(),
        }
    }

    /// Runs one chain read on a task and replies with `reply(fetched_at, result)`; a missing
    /// connection becomes the result's error like any other failure.
    fn query<T, Q, Fut, R>(&self, id: RequestId, read: Q, reply: R)
    where
        T: Send + 'static,
        Q: FnOnce(ChainClient) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, String>> + Send + 'static,
        R: FnOnce(u64, Result<T, String>) -> Action + Send + 'static,
    {
        let this = self.clone();
        // Registered under the lock, so the task cannot forget itself before it is known.
        let mut reads = self.reads.lock().ok();
        let task = tokio::spawn(async move {
            let result = match this.client().await {
                Ok(client) => read(client).await,
                Err(e) => Err(e),
            };
            this.forget(id);
            this.reply(reply(now_secs(), result));
        });
        if let Some(reads) = reads.as_mut() {
            reads.insert(id, task.abort_handle());
        }
    }

    /// Registers work the model may cancel by `id` (see [`Worker::cancel`]).
    pub(crate) fn track_read(&self, id: RequestId, task: tokio::task::AbortHandle) {
        if let Ok(mut reads) = self.reads.lock() {
            reads.insert(id, task);
        }
    }

    pub(crate) fn forget(&self, id: RequestId) {
        if let Ok(mut reads) = self.reads.lock() {
            reads.remove(&id);
        }
    }

    /// Drops reads the model stopped waiting for, so a stalled node does not keep their work (and sockets' answers)
    /// alive.
    fn cancel(&self, ids: &[RequestId]) {
        if let Ok(mut reads) = self.reads.lock() {
            for id in ids {
                if let Some(task) = reads.remove(id) {
                    task.abort();
                }
            }
        }
    }

    fn reply(&self, action: Action) {
        // The receiver is gone only while the app shuts down; nothing is waiting then.
        let _ = self.replies.send(action);
    }

    /// Connects in the background and keeps the model told about the connection. The client
    /// reconnects by itself after a drop; a failed first connect is retried with backoff.
    pub fn start_chain(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_secs(2);
            loop {
                this.reply(Action::ConnectionChanged(Connection::Connecting));
                let opts = ConnectOptions {
                    metadata_cache_dir: this.metadata_cache.clone(),
                    ..ConnectOptions::default()
                };
                match ChainClient::connect(&this.network, opts).await {
                    Ok(client) => {
                        tracing::info!(network = %this.network, spec = client.spec_version(), "connected");
                        let mut states = client.watch_connection_state();
                        let spec = client.spec_version();
                        let features = client.features();
                        *this.chain.write().await = Some(client);
                        this.reply(Action::ConnectionChanged(Connection::Connected {
                            spec_version: spec,
                        }));
                        this.reply(Action::RuntimeFeatures {
                            spec_version: spec,
                            off: features.off_sentences(),
                            core_works: features.core_works(),
                        });
                        this.follow_head();
                        while states.changed().await.is_ok() {
                            let state = *states.borrow_and_update();
                            let conn = match state {
                                ConnectionState::Connected => {
                                    Connection::Connected { spec_version: spec }
                                }
                                ConnectionState::Reconnecting { attempt } => {
                                    Connection::Reconnecting { attempt }
                                }
                                ConnectionState::Offline { .. } => Connection::Offline {
                                    reason: "the connection dropped; retrying".to_owned(),
                                },
                            };
                            this.reply(Action::ConnectionChanged(conn));
                        }
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(network = %this.network, error = %e, "connect failed");
                        this.reply(Action::ConnectionChanged(Connection::Offline {
                            reason: e.to_string(),
                        }));
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        });
    }

    /// Tells the model of every new best block. Polls rather than subscribes: a poll survives
    /// reconnects without bookkeeping, and each poll is one small request, never two at once.
    fn follow_head(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut last = None;
            while !this.replies.is_closed() {
                if let Ok(client) = this.client().await
                    && client.connection_state() == ConnectionState::Connected
                    && let Ok(head) = client.head().await
                    && last != Some(head.number)
                {
                    last = Some(head.number);
                    this.reply(Action::NewBlock {
                        number: head.number,
                    });
                }
                tokio::time::sleep(HEAD_POLL).await;
            }
        });
    }

    async fn client(&self) -> Result<ChainClient, String> {
        self.chain.read().await.clone().ok_or_else(|| {
            format!(
                "not connected to {} yet; taotui keeps trying in the background",
                self.network.name()
            )
        })
    }

    fn blocking(&self, f: impl FnOnce(&WalletRoot) -> Action + Send + 'static) {
        let this = self.clone();
        tokio::spawn(async move {
            let root = this.root.clone();
            match tokio::task::spawn_blocking(move || f(&root)).await {
                Ok(action) => this.reply(action),
                Err(e) => tracing::error!(error = %e, "keystore task failed"),
            }
        });
    }
}

impl EffectRunner for Worker {
    fn run(&self, effect: Effect) {
        tracing::debug!(effect = ?effect, "run");
        match effect {
            // The app handles these itself (they touch the terminal).
            Effect::Quit | Effect::CopyToClipboard(_) | Effect::ClearClipboard => {}
            Effect::Cancel { ids } => self.cancel(&ids),
            Effect::ScanWallets { id } => self.blocking(move |root| Action::WalletsScanned {
                id,
                result: scan_wallets(root),
            }),
            Effect::LoadAddressBook { id } => self.blocking(move |_| Action::AddressBookLoaded {
                id,
                result: load_address_book(),
            }),
            Effect::AddAddress { id, name, ss58 } => {
                self.blocking(move |root| Action::KeystoreDone {
                    id,
                    result: crate::address_book::add_named(
                        &name,
                        &ss58,
                        &crate::address_book::own_wallets(root),
                    ),
                })
            }
            Effect::RemoveAddress { id, name } => self.blocking(move |_| Action::KeystoreDone {
                id,
                result: crate::address_book::remove_named(&name),
            }),
            Effect::LoadUsedRecipients => self.blocking(move |_| {
                Action::UsedRecipientsLoaded(
                    crate::chain::history::History::default_location()
                        .and_then(|h| h.transactions())
                        .map(|records| crate::address_book::used_recipients(&records))
                        .unwrap_or_default(),
                )
            }),
            Effect::GenerateMnemonic { id, words } => self.blocking(move |_| {
                let (mnemonic, check_positions) = generate_mnemonic(words);
                Action::MnemonicGenerated {
                    id,
                    mnemonic,
                    check_positions,
                }
            }),
            Effect::CreateWallet {
                id,
                name,
                mnemonic,
                password,
                format,
            } => self.blocking(move |root| Action::KeystoreDone {
                id,
                result: create_wallet(root, &name, &mnemonic, &password, format),
            }),
            Effect::RestoreColdkey {
                id,
                name,
                secret,
                password,
                format,
            } => self.blocking(move |root| Action::KeystoreDone {
                id,
                result: restore_coldkey(root, &name, &secret, &password, format),
            }),
            Effect::WatchOnly { id, name, ss58 } => {
                self.blocking(move |root| Action::KeystoreDone {
                    id,
                    result: watch_only(root, &name, &ss58),
                })
            }
            Effect::NewHotkey {
                id,
                wallet,
                hotkey,
                words,
            } => self.blocking(move |root| Action::KeystoreDone {
                id,
                result: new_hotkey(root, &wallet, &hotkey, words),
            }),
            Effect::ChangePassword {
                id,
                wallet,
                target,
                old,
                new,
            } => self.blocking(move |root| Action::KeystoreDone {
                id,
                result: change_password(root, &wallet, &target, &old, &new),
            }),
            Effect::Convert {
                id,
                wallet,
                target,
                password,
                to,
            } => self.blocking(move |root| Action::KeystoreDone {
                id,
                result: convert(root, &wallet, &target, &password, to),
            }),
            Effect::FetchBalances { id, coldkeys } => self.query(
                id,
                move |client| async move {
                    let ids = coldkeys
                        .iter()
                        .map(|c| AccountId::from_ss58(c).map_err(|e| e.to_string()))
                        .collect::<Result<Vec<_>, _>>()?;
                    queries::balances(&client, &ids)
                        .await
                        .map_err(|e| e.to_string())
                },
                move |fetched_at, result| Action::BalancesLoaded {
                    id,
                    fetched_at,
                    result,
                },
            ),
            Effect::FetchPositions { id, coldkey } => {
                let this = self.clone();
                self.query(
                    id,
                    move |client| async move {
                        let account = AccountId::from_ss58(&coldkey).map_err(|e| e.to_string())?;
                        let (listing, head) = tokio::join!(
                            queries::stake_list(&client, account),
                            crate::journal::record::head_number(&client)
                        );
                        let listing = listing.map_err(|e| e.to_string())?;
                        if let Some(block) = head {
                            this.record_read(
                                &client,
                                account,
                                block,
                                listing.balance.clone(),
                                listing.positions.clone(),
                            );
                        }
                        Ok((listing.balance, listing.positions))
                    },
                    move |fetched_at, result| Action::PositionsLoaded {
                        id,
                        fetched_at,
                        result,
                    },
                )
            }
            Effect::FetchSubnets { id } => self.query(
                id,
                |client| async move { queries::subnets(&client).await.map_err(|e| e.to_string()) },
                move |fetched_at, result| Action::SubnetsLoaded {
                    id,
                    fetched_at,
                    result,
                },
            ),
            Effect::FetchValidators { id, netuid } => self.query(
                id,
                move |client| async move {
                    queries::validators(&client, netuid)
                        .await
                        .map_err(|e| e.to_string())
                },
                move |fetched_at, result| Action::ValidatorsLoaded {
                    id,
                    netuid,
                    fetched_at,
                    result,
                },
            ),
            Effect::FetchOverview { id } => self.query(
                id,
                |client| async move {
                    queries::network_overview(&client)
                        .await
                        .map_err(|e| e.to_string())
                },
                move |fetched_at, result| Action::OverviewLoaded {
                    id,
                    fetched_at,
                    result,
                },
            ),
            Effect::PreviewStake { id, request } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.preview_stake(id, &request).await;
                    this.reply(Action::StakePreviewed { id, result });
                });
            }
            Effect::QuoteStake { id, request } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.prepare(&request).await.map(|(shown, _)| shown);
                    this.reply(Action::StakeQuoted { id, result });
                });
            }
            Effect::SubmitStake {
                id,
                preview,
                request,
                password,
            } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.submit_stake(id, preview, &request, password).await;
                    this.reply(Action::TxDone { id, result });
                });
            }
            Effect::WriteUnsigned {
                id,
                preview,
                request,
            } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this
                        .write_unsigned(preview, &request.wallet, request.proxy.as_deref())
                        .await;
                    this.reply(Action::UnsignedWritten { id, result });
                });
            }
            Effect::PreviewBatch { id, request } => self.preview_batch(id, request),
            Effect::SubmitBatch {
                id,
                preview,
                request,
                password,
            } => self.submit_batch(id, preview, request, password),
            Effect::WriteUnsignedBatch {
                id,
                preview,
                request,
            } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this
                        .write_unsigned(preview, &request.wallet, request.proxy.as_deref())
                        .await;
                    this.reply(Action::UnsignedWritten { id, result });
                });
            }
            Effect::OpenSigned { id, path } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.open_signed(&path).await.map(|(view, _)| view);
                    this.reply(Action::SignedOpened { id, result });
                });
            }
            Effect::SubmitSigned { id, path } => {
                let this = self.clone();
                tokio::spawn(async move {
                    let result = this.submit_signed(id, &path).await;
                    this.reply(Action::TxDone { id, result });
                });
            }
            Effect::LoadHistory { id } => self.blocking(move |_| Action::HistoryLoaded {
                id,
                result: load_history(),
            }),
            Effect::LoadJournal { id, coldkey } => self.load_journal(id, coldkey),
            Effect::BackfillJournal {
                id,
                coldkey,
                span_secs,
            } => self.backfill_journal(id, coldkey, span_secs),
            Effect::FetchEarnings {
                id,
                coldkey,
                span_secs,
            } => self.fetch_earnings(id, coldkey, span_secs),
            Effect::ExportEarnings {
                id,
                coldkey,
                report,
            } => self.export_earnings(id, coldkey, *report),
            Effect::ScanHistory {
                id,
                coldkey,
                span_secs,
            } => self.scan_history(id, coldkey, span_secs),
            Effect::ExportHistory { id, merged } => self.export_history(id, merged),
            Effect::FetchProxies { id, coldkey } => self.fetch_proxies(id, coldkey),
            Effect::PreviewGrant { id, request } => self.preview_grant(id, request),
            Effect::SubmitGrant {
                id,
                preview,
                request,
                password,
            } => self.submit_grant(id, preview, request, password),
            Effect::WriteGrantUnsigned { id, request } => self.write_grant_unsigned(id, request),
            Effect::SaveWalletProxy { id, wallet, proxy } => {
                self.save_wallet_proxy(id, wallet, proxy)
            }
        }
    }
}

impl Worker {
    /// Asks the chain for the preview and keeps the prepared call for the submission.
    async fn preview_stake(
        &self,
        id: RequestId,
        request: &StakeRequest,
    ) -> Result<ChainPreview, String> {
        let (mut shown, prepared) = self.prepare(request).await?;
        let client = self.client().await?;
        // Shielded by default where the runtime has MevShield (the form starts from the setting and can turn
        // it off); the preview says which, never silently clear.
        let shield = crate::chain::mev_shield::assess(&client, &prepared, !request.mev_shield)
            .await
            .map_err(|e| e.to_string())?;
        match &shield.decision {
            crate::chain::mev_shield::Decision::Refuse(_) => {
                shown.refusals.push(shield.line());
                shown.refusal_codes.push("mev_shield".to_owned());
            }
            _ => shown.rows.push(("MEV shield".to_owned(), shield.line())),
        }
        // Only the latest preview can be signed; older ones are dropped with their block.
        let mut slot = self.prepared.lock().await;
        *slot = Some((id, prepared, shield));
        Ok(shown)
    }

    /// Reads the chain and plans the call: what the user will confirm, and the call to sign.
    async fn prepare(&self, request: &StakeRequest) -> Result<(ChainPreview, Prepared), String> {
        let client = self.client().await?;
        let action = plan_action(request)?;
        let prepared = match &request.proxy {
            // The wallet may be watch-only: only its address is needed; the proxy wallet signs.
            Some(proxy) => {
                let real = wallet_address(&self.root, &request.wallet)?;
                let (account, crypto) = coldkey_public(&self.root, proxy)?;
                extrinsics::fetch::prepare_via(
                    &client,
                    real,
                    extrinsics::fetch::Delegate { account, crypto },
                    action,
                )
                .await
            }
            // Only the address is needed to preview: a watch-only wallet's call is written for offline signing.
            None => {
                let (coldkey, crypto) = coldkey_address(&self.root, &request.wallet)?;
                extrinsics::prepare(&client, coldkey, crypto, action).await
            }
        }
        .map_err(|e| e.to_string())?;
        let mut shown = chain_preview(&prepared, request);
        if let Some(proxy) = &request.proxy {
            shown.rows.insert(
                0,
                (
                    "Signed by".to_owned(),
                    format!("proxy {proxy} for {}", request.wallet),
                ),
            );
        }
        Ok((shown, prepared))
    }

    /// Unlocks the coldkey off the runtime threads, signs what the preview showed, sends it
    /// once and reports each stage.
    async fn submit_stake(
        &self,
        id: RequestId,
        preview: RequestId,
        request: &StakeRequest,
        password: SecretString,
    ) -> Result<String, String> {
        let signer_wallet = request.proxy.as_deref().unwrap_or(&request.wallet);
        let (prepared, sent) = self
            .sign_and_send(id, preview, signer_wallet, password)
            .await?;
        let sent = sent.map_err(|e| e.to_string())?;
        Ok(self.report_sent(id, &prepared.preview.call.path(), &sent))
    }

    /// Signs the preview `preview`'s call with `signer_wallet`'s coldkey (unlocked off the runtime threads) and
    /// sends it once; the prepared call comes back with the send's outcome, for the caller to word a failure.
    async fn sign_and_send(
        &self,
        id: RequestId,
        preview: RequestId,
        signer_wallet: &str,
        password: SecretString,
    ) -> Result<
        (
            Prepared,
            Result<extrinsics::send::Sent, extrinsics::ExtrinsicError>,
        ),
        String,
    > {
        let (prepared, shield) = match self.prepared.lock().await.take() {
            Some((pid, p, shield)) if pid == preview => (p, shield),
            _ => {
                return Err("the preview expired; press Esc and review the amount again".to_owned());
            }
        };
        let signer = self.unlock(signer_wallet, password).await?;
        self.reply(Action::TxProgress {
            id,
            progress: TxProgress::Submitted,
        });
        let sent = self.send_prepared(id, &prepared, shield, &signer).await?;
        Ok((prepared, sent))
    }

    /// `signer_wallet`'s coldkey, unlocked off the runtime threads.
    pub(crate) async fn unlock(
        &self,
        signer_wallet: &str,
        password: SecretString,
    ) -> Result<crate::chain::signer::KeypairSigner, String> {
        coldkey_public(&self.root, signer_wallet)?;
        let wallet = self.root.wallet(signer_wallet).map_err(|e| e.to_string())?;
        extrinsics::unlock_coldkey(wallet, password)
            .await
            .map_err(|e| e.to_string())
    }

    /// Sends one prepared call once, recorded in the history, with the dialog's progress.
    async fn send_prepared(
        &self,
        id: RequestId,
        prepared: &Prepared,
        shield: ShieldPreview,
        signer: &crate::chain::signer::KeypairSigner,
    ) -> Result<Result<extrinsics::send::Sent, extrinsics::ExtrinsicError>, String> {
        let client = self.client().await?;
        let history = self.history();
        Ok(extrinsics::send(
            &client,
            prepared,
            signer,
            history.as_ref(),
            &SendOptions {
                shield: Some(shield),
                progress: self.progress_of(id),
                ..SendOptions::default()
            },
        )
        .await)
    }

    /// The send's own words while it waits, as the dialog's progress.
    fn progress_of(&self, id: RequestId) -> extrinsics::send::Progress {
        let this = self.clone();
        extrinsics::send::Progress::new(move |message| {
            this.reply(Action::TxProgress {
                id,
                progress: TxProgress::Waiting(message.to_owned()),
            })
        })
    }

    /// Tells the model where the transaction landed; the sentence for the notice.
    fn report_sent(&self, id: RequestId, call: &str, sent: &extrinsics::send::Sent) -> String {
        self.reply(Action::TxProgress {
            id,
            progress: TxProgress::InBlock {
                block: sent.block_number,
            },
        });
        if sent.finalized {
            self.reply(Action::TxProgress {
                id,
                progress: TxProgress::Finalized {
                    block: sent.block_number,
                },
            });
        }
        format!(
            "Done: {call} in block #{} (extrinsic {}).",
            sent.block_number,
            extrinsics::send::hex(&sent.extrinsic_hash)
        )
    }
}

impl Worker {
    /// Writes what the preview `preview` showed as an unsigned transaction under `<data>/offline/`, with the
    /// library the command line's `--sign-offline` uses. Reads only addresses: a watch-only wallet can do this.
    async fn write_unsigned(
        &self,
        preview: RequestId,
        wallet: &str,
        proxy: Option<&str>,
    ) -> Result<OfflineFile, String> {
        let client = self.client().await?;
        // Kept for a password typed after all: an unsigned file does not use up the preview.
        let proposal = match self.prepared.lock().await.as_ref() {
            Some((pid, p, shield)) if *pid == preview => {
                online::proposal_of_prepared(p, shield).map_err(|e| e.to_string())?
            }
            _ => {
                return Err("the preview expired; press Esc and review the amount again".to_owned());
            }
        };
        // The key that signs: the proxy wallet's when one signs for this wallet, as in the signed transaction.
        let signer_wallet = proxy.unwrap_or(wallet);
        let (signer, crypto) = coldkey_address(&self.root, signer_wallet)?;
        let unsigned = online::unsigned_tx(&client, signer, crypto, proposal)
            .await
            .map_err(|e| e.to_string())?;
        let dir = self
            .data_dir()
            .ok_or("no data folder to write the file in: set TAOTUI_DATA_DIR or HOME")?
            .join("offline");
        let path = online::default_unsigned_path(&dir, &unsigned, now_secs());
        online::write_unsigned(&unsigned, &path).map_err(|e| e.to_string())?;
        let mut notes = vec![unsigned.mev_shield.clone()];
        if unsigned.metadata_hash_refused {
            notes.push(online::REFUSED_SENTENCE.to_owned());
        }
        Ok(OfflineFile {
            path: path.display().to_string(),
            call: format!("{}.{}", unsigned.call.pallet, unsigned.call.name),
            signer: unsigned.signer.clone(),
            nonce: unsigned.nonce,
            valid_until: unsigned.era.valid_until(),
            qr_data: crate::chain::offline::compact::unsigned_text(&unsigned)
                .map_err(|e| e.to_string())?,
            notes,
        })
    }

    /// Reads a signed file, or pairs a signature's text with its unsigned file in `<data>/offline/`, and checks it
    /// against the chain, as `taotui submit` does before sending.
    async fn open_signed(&self, path: &str) -> Result<(SignedFileView, online::Ready), String> {
        let client = self.client().await?;
        if crate::chain::offline::compact::is_signature_text(path) {
            let dir = self.data_dir().map(|d| d.join("offline"));
            let paired = crate::chain::offline::pair::pair(path, None, dir.as_deref())
                .map_err(|e| e.to_string())?;
            let ready = online::check_and_build_paired(&client, &paired)
                .await
                .map_err(|e| e.to_string())?;
            // The dialog submits what was typed again (checked again then): the text, not the unsigned file.
            let view = signed_view(
                path.to_owned(),
                &paired.unsigned,
                &ready,
                vec![format!(
                    "the signature is for the unsigned transaction in {}",
                    paired.path.display()
                )],
            );
            return Ok((view, ready));
        }
        let signed = online::read_signed(std::path::Path::new(path)).map_err(|e| e.to_string())?;
        let ready = online::check_and_build(&client, &signed.unsigned, &signed)
            .await
            .map_err(|e| e.to_string())?;
        let mut notes = Vec::new();
        if signed.signed_description != ready.built.description {
            notes.push(
                "the offline machine described this call differently when it signed; the chain runs it as shown \
                 here"
                    .to_owned(),
            );
        }
        let view = signed_view(path.to_owned(), &signed.unsigned, &ready, notes);
        Ok((view, ready))
    }

    /// Checks the file again (the chain moved since it was shown) and sends it once, reporting each stage.
    async fn submit_signed(&self, id: RequestId, path: &str) -> Result<String, String> {
        let client = self.client().await?;
        let (_, ready) = self.open_signed(path).await?;
        self.reply(Action::TxProgress {
            id,
            progress: TxProgress::Submitted,
        });
        let history = self.history();
        let sent = online::send_ready(
            &client,
            &ready,
            history.as_ref(),
            &SendOptions {
                progress: self.progress_of(id),
                ..SendOptions::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(self.report_sent(id, &ready.presigned.call, &sent))
    }
}

/// What the submit dialog shows of a checked transaction: the call as the chain decodes it.
fn signed_view(
    path: String,
    u: &crate::chain::offline::UnsignedTx,
    ready: &online::Ready,
    more_notes: Vec<String>,
) -> SignedFileView {
    let mut notes = vec![u.mev_shield.clone()];
    notes.extend(more_notes);
    SignedFileView {
        path,
        call: ready.presigned.call.clone(),
        lines: ready
            .built
            .description
            .iter()
            .map(|l| (l.label.clone(), l.text.clone()))
            .collect(),
        signer: u.signer.clone(),
        nonce: u.nonce,
        valid_until: u.era.valid_until(),
        notes,
    }
}

/// The wallet's coldkey address and scheme, watch-only or not (nothing is unlocked).
fn coldkey_address(root: &WalletRoot, wallet: &str) -> Result<([u8; 32], CryptoType), String> {
    let info = root
        .wallet(wallet)
        .map_err(|e| e.to_string())?
        .key_info(&KeyTarget::Coldkey)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("wallet {wallet} has no coldkey"))?;
    let public = info.public_key.ok_or_else(|| {
        format!(
            "the address of wallet {wallet} cannot be read: {}",
            info.problem.unwrap_or_default()
        )
    })?;
    Ok((public, info.crypto_type.unwrap_or(CryptoType::Sr25519)))
}

fn coldkey_public(root: &WalletRoot, wallet: &str) -> Result<([u8; 32], CryptoType), String> {
    let w = root.wallet(wallet).map_err(|e| e.to_string())?;
    let info = w
        .key_info(&KeyTarget::Coldkey)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("wallet {wallet} has no coldkey"))?;
    if info.format == KeyFormat::PubOnly {
        return Err(format!(
            "wallet {wallet} is watch-only: it cannot sign; restore its coldkey first"
        ));
    }
    let public = info.public_key.ok_or_else(|| {
        format!(
            "the address of wallet {wallet} cannot be read: {}",
            info.problem.unwrap_or_default()
        )
    })?;
    Ok((public, info.crypto_type.unwrap_or(CryptoType::Sr25519)))
}

/// The wallet's coldkey address, watch-only or not.
fn wallet_address(root: &WalletRoot, wallet: &str) -> Result<[u8; 32], String> {
    root.wallet(wallet)
        .map_err(|e| e.to_string())?
        .key_info(&KeyTarget::Coldkey)
        .map_err(|e| e.to_string())?
        .and_then(|info| info.public_key)
        .ok_or_else(|| format!("the address of wallet {wallet} cannot be read"))
}

fn address(ss58: &str, what: &str) -> Result<[u8; 32], String> {
    AccountId::from_ss58(ss58.trim()).map(|a| a.0).map_err(|e| {
        format!("the {what} `{ss58}` is not a valid SS58 address ({e}); copy it again")
    })
}

fn plan_action(r: &StakeRequest) -> Result<extrinsics::Action, String> {
    let hotkey = || address(&r.hotkey, "hotkey");
    let mode = || {
        Tolerance::from_bps(r.tolerance_bps)
            .map(|tolerance| StakeMode::Limit {
                tolerance,
                allow_partial: r.allow_partial,
            })
            .map_err(|e| e.to_string())
    };
    let alpha = if r.all {
        AlphaAmount::All
    } else {
        AlphaAmount::Alpha(AlphaRao(r.amount))
    };
    let destination = |what: &str| {
        r.destination
            .as_deref()
            .ok_or_else(|| format!("give the {what}"))
            .and_then(|d| address(d, what))
    };
    Ok(match r.kind {
        StakeKind::Stake => extrinsics::Action::AddStake {
            hotkey: hotkey()?,
            netuid: r.netuid,
            amount: Rao(r.amount),
            mode: mode()?,
        },
        StakeKind::Unstake => extrinsics::Action::RemoveStake {
            hotkey: hotkey()?,
            netuid: r.netuid,
            amount: alpha,
            mode: mode()?,
        },
        StakeKind::Move => extrinsics::Action::MoveStake {
            origin_hotkey: hotkey()?,
            destination_hotkey: destination("destination validator")?,
            origin_netuid: r.netuid,
            // A rebalance may move to a validator on another subnet; the move form stays on the subnet.
            destination_netuid: r.destination_netuid.unwrap_or(r.netuid),
            amount: alpha,
            mode: mode()?,
        },
        StakeKind::Swap => extrinsics::Action::SwapStake {
            hotkey: hotkey()?,
            origin_netuid: r.netuid,
            destination_netuid: r
                .destination_netuid
                .ok_or_else(|| "pick the subnet to swap to".to_owned())?,
            amount: alpha,
            mode: mode()?,
        },
        StakeKind::TransferStake => extrinsics::Action::TransferStake {
            destination_coldkey: destination("destination coldkey")?,
            hotkey: hotkey()?,
            origin_netuid: r.netuid,
            destination_netuid: r.netuid,
            amount: alpha,
        },
        StakeKind::Transfer if r.all => extrinsics::Action::TransferAll {
            dest: destination("recipient")?,
        },
        StakeKind::Transfer => extrinsics::Action::Transfer {
            dest: destination("recipient")?,
            amount: Rao(r.amount),
        },
    })
}

fn chain_preview(prepared: &Prepared, r: &StakeRequest) -> ChainPreview {
    let p = &prepared.preview;
    let view = &prepared.view;
    // A transfer shows rao precision (the existential deposit is 500 rao); trades show 6 decimals.
    let decimals = if r.kind == StakeKind::Transfer { 9 } else { 6 };
    let tao = |v: Rao| format!("{} TAO", v.format_tao(decimals, Rounding::Nearest));
    let alpha = |v: AlphaRao| format!("{} α", v.format_alpha(6, Rounding::Nearest));
    let facts = PreviewFacts {
        fee: p.fee.get(),
        spendable: view.spendable.get(),
        existential_deposit: view.existential_deposit.get(),
        tao_spent: p.tao_spent.get(),
        dest_free: view.dest_free.map(Rao::get),
    };
    let mut rows = vec![("Fee".to_owned(), tao(p.fee))];
    match r.kind {
        StakeKind::Stake => {
            rows.push(("You pay".to_owned(), tao(p.tao_spent)));
            rows.push(("You receive ≈".to_owned(), alpha(p.alpha_received)));
        }
        StakeKind::Unstake => {
            rows.push(("You sell".to_owned(), alpha(p.alpha_sold)));
            rows.push(("You receive ≈".to_owned(), tao(p.tao_received)));
        }
        StakeKind::TransferStake => {
            if let Some(dest) = &r.destination {
                rows.push(("To coldkey".to_owned(), dest.trim().to_owned()));
            }
            rows.push(("Sent".to_owned(), alpha(p.alpha_sold)));
            rows.push(("Arrives ≈".to_owned(), alpha(p.alpha_received)));
        }
        StakeKind::Move | StakeKind::Swap => {
            rows.push(("Moved".to_owned(), alpha(p.alpha_sold)));
            rows.push(("Arrives ≈".to_owned(), alpha(p.alpha_received)));
        }
        StakeKind::Transfer => {
            if let Some(dest) = &r.destination {
                rows.push(("To".to_owned(), dest.trim().to_owned()));
            }
            rows.push(("You send".to_owned(), tao(p.tao_spent)));
            rows.push(("Recipient gets".to_owned(), tao(p.tao_spent)));
            rows.push((
                "Balance after".to_owned(),
                tao(view
                    .spendable
                    .saturating_sub(p.tao_spent)
                    .saturating_sub(p.fee)),
            ));
            rows.push((
                "Exist. deposit".to_owned(),
                format!("{} stays (keep-alive)", tao(view.existential_deposit)),
            ));
            if r.all {
                rows.push(("keep_alive".to_owned(), "true".to_owned()));
            }
            return ChainPreview {
                call: p.call.path(),
                rows,
                refusals: p.refusals.iter().map(|r| r.sentence.clone()).collect(),
                refusal_codes: p.refusals.iter().map(|r| r.code.to_owned()).collect(),
                warnings: p.warnings.clone(),
                facts,
            };
        }
    }
    rows.push((
        "Avg. impact".to_owned(),
        format!(
            "{}.{:02}%",
            p.price_impact_bps / 100,
            p.price_impact_bps % 100
        ),
    ));
    rows.push((
        "Price moves".to_owned(),
        format!("{}.{:02}%", p.price_move_bps / 100, p.price_move_bps % 100),
    ));
    if let Some(limit) = p.limit_price {
        rows.push((
            "Limit price".to_owned(),
            format!(
                "{} τ/α",
                Price::from_rao_per_alpha(limit).format(6, Rounding::Nearest)
            ),
        ));
    }
    if let Some(t) = p.tolerance_bps {
        rows.push((
            "Tolerance".to_owned(),
            format!("{}.{:02}%", t / 100, t % 100),
        ));
        rows.push((
            "Partial fill".to_owned(),
            if p.allow_partial {
                "allowed"
            } else {
                "not allowed"
            }
            .to_owned(),
        ));
    }
    ChainPreview {
        call: p.call.path(),
        rows,
        refusals: p.refusals.iter().map(|r| r.sentence.clone()).collect(),
        refusal_codes: p.refusals.iter().map(|r| r.code.to_owned()).collect(),
        warnings: p.warnings.clone(),
        facts,
    }
}

/// The local transaction history, newest first.
fn load_history() -> Result<Vec<HistoryEntry>, String> {
    let history = History::default_location().map_err(|e| e.to_string())?;
    let mut records = history.transactions().map_err(|e| e.to_string())?;
    records.sort_by_key(|r| std::cmp::Reverse(r.time));
    Ok(records.into_iter().map(history_entry).collect())
}

fn history_entry(r: HistoryRecord) -> HistoryEntry {
    let time = time::OffsetDateTime::from_unix_timestamp(i64::try_from(r.time).unwrap_or(0))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .ok()
        })
        .unwrap_or_else(|| r.time.to_string());
    let amount = [
        "amount_staked",
        "amount_unstaked",
        "alpha_amount",
        "value",
        "amount",
    ]
    .iter()
    .find_map(|k| {
        r.details
            .get(*k)
            .and_then(serde_json::Value::as_u64)
            .map(|v| (*k, v))
    })
    .map(|(k, v)| {
        if k == "amount_staked" || k == "value" {
            format!("{} τ", Rao(v).format_tao(4, Rounding::Nearest))
        } else {
            format!("{} α", AlphaRao(v).format_alpha(4, Rounding::Nearest))
        }
    })
    .unwrap_or_default();
    let failed = matches!(
        r.status,
        TxStatus::Failed | TxStatus::Rejected | TxStatus::Unknown
    );
    let status = match &r.error {
        Some(e) => format!("{}: {e}", r.status.as_str()),
        None => r.status.as_str().to_owned(),
    };
    HistoryEntry {
        time,
        call: r.call,
        amount,
        status,
        failed,
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn write_format(f: KeyFileFormat) -> WriteFormat {
    match f {
        KeyFileFormat::Native => WriteFormat::Native(NativeParams::default()),
        KeyFileFormat::Btcli => WriteFormat::Nacl,
    }
}

fn key_entry(info: taotui_keystore::wallet::KeyInfo) -> KeyEntry {
    KeyEntry {
        name: info.name,
        ss58: info.ss58,
        format: info.format,
        problem: info.problem,
    }
}

/// Every wallet under the root with the public facts of its keys (no password needed).
pub fn scan_wallets(root: &WalletRoot) -> Result<Vec<WalletEntry>, String> {
    let names = match root.wallet_names() {
        Ok(n) => n,
        Err(_) if !root.path().exists() => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        let Ok(wallet) = root.wallet(&name) else {
            continue;
        };
        let coldkey = wallet
            .key_info(&KeyTarget::Coldkey)
            .ok()
            .flatten()
            .map(key_entry);
        let mut hotkeys = Vec::new();
        for h in wallet.hotkey_names().unwrap_or_default() {
            if let Ok(Some(info)) = wallet.key_info(&KeyTarget::Hotkey(h)) {
                hotkeys.push(key_entry(info));
            }
        }
        entries.push(WalletEntry {
            name,
            coldkey,
            hotkeys,
        });
    }
    Ok(entries)
}

/// A fresh mnemonic and the (sorted) positions of the words to re-type.
pub fn generate_mnemonic(words: WordCount) -> (Mnemonic, Vec<usize>) {
    let mnemonic = Mnemonic::generate(words);
    let mut rng = rand::rngs::OsRng;
    let mut positions = sample(&mut rng, mnemonic.word_count(), WORDS_TO_CONFIRM).into_vec();
    positions.sort_unstable();
    (mnemonic, positions)
}

pub fn create_wallet(
    root: &WalletRoot,
    name: &str,
    mnemonic: &Mnemonic,
    password: &SecretString,
    format: KeyFileFormat,
) -> Result<String, String> {
    let wallet = root.wallet(name).map_err(|e| e.to_string())?;
    let keypair = Keypair::from_mnemonic(mnemonic, None, CryptoType::Sr25519);
    wallet
        .write_key(
            &KeyTarget::Coldkey,
            &keypair,
            Some((password, write_format(format))),
            WriteMode::CreateNew,
        )
        .map_err(|e| e.to_string())?;
    tracing::info!(wallet = name, "wallet created");
    Ok(format!(
        "Wallet {name} created: coldkey {}.",
        keypair.ss58()
    ))
}

pub fn restore_coldkey(
    root: &WalletRoot,
    name: &str,
    secret: &SecretString,
    password: &SecretString,
    format: KeyFileFormat,
) -> Result<String, String> {
    let wallet = root.wallet(name).map_err(|e| e.to_string())?;
    let keypair = crate::cli::secret_input::keypair_from_text(secret, CryptoType::Sr25519)
        .map_err(|e| format!("{e:#}"))?;
    wallet
        .write_key(
            &KeyTarget::Coldkey,
            &keypair,
            Some((password, write_format(format))),
            WriteMode::CreateNew,
        )
        .map_err(|e| e.to_string())?;
    tracing::info!(wallet = name, "coldkey restored");
    Ok(format!(
        "Coldkey of wallet {name} restored: {}.",
        keypair.ss58()
    ))
}

pub fn watch_only(root: &WalletRoot, name: &str, address: &str) -> Result<String, String> {
    let wallet = root.wallet(name).map_err(|e| e.to_string())?;
    let (public, _) = ss58::decode(address.trim()).map_err(|e| e.to_string())?;
    wallet
        .write_watch_only(&public, CryptoType::Sr25519, WriteMode::CreateNew)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "Watch-only wallet {name} added for {}.",
        address.trim()
    ))
}

pub fn new_hotkey(
    root: &WalletRoot,
    wallet: &str,
    hotkey: &str,
    words: WordCount,
) -> Result<String, String> {
    let w = root.wallet(wallet).map_err(|e| e.to_string())?;
    let mnemonic = Mnemonic::generate(words);
    let keypair = Keypair::from_mnemonic(&mnemonic, None, CryptoType::Sr25519);
    w.write_key(
        &KeyTarget::Hotkey(hotkey.to_owned()),
        &keypair,
        None,
        WriteMode::CreateNew,
    )
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "Hotkey {hotkey} added to wallet {wallet}: {}.",
        keypair.ss58()
    ))
}

pub fn change_password(
    root: &WalletRoot,
    wallet: &str,
    target: &KeyTarget,
    old: &SecretString,
    new: &SecretString,
) -> Result<String, String> {
    let w = root.wallet(wallet).map_err(|e| e.to_string())?;
    let report = w
        .change_password(target, old, new, None)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "Password of the {target} changed; {} backup file(s) kept under backups/.",
        report.backups.len()
    ))
}

pub fn convert(
    root: &WalletRoot,
    wallet: &str,
    target: &KeyTarget,
    password: &SecretString,
    to: KeyFileFormat,
) -> Result<String, String> {
    let w = root.wallet(wallet).map_err(|e| e.to_string())?;
    let current = w.key_format(target).map_err(|e| e.to_string())?;
    let wanted = match to {
        KeyFileFormat::Native => KeyFormat::Native,
        KeyFileFormat::Btcli => KeyFormat::Nacl,
    };
    if current == Some(wanted) {
        return Err(format!(
            "the {target} is already in {wanted} format; nothing to do"
        ));
    }
    w.convert(target, Some(password), Some(write_format(to)))
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "The {target} is now in {wanted} format (same password)."
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

    fn request(kind: StakeKind) -> StakeRequest {
        StakeRequest {
            kind,
            wallet: "w".to_owned(),
            hotkey: ALICE.to_owned(),
            netuid: 3,
            amount: 5,
            destination: Some(BOB.to_owned()),
            destination_netuid: Some(7),
            all: false,
            tolerance_bps: 100,
            allow_partial: false,
            proxy: None,
            mev_shield: true,
        }
    }

    fn key(ss58: &str) -> [u8; 32] {
        AccountId::from_ss58(ss58).unwrap().0
    }

    #[test]
    fn transfer_requests_plan_transfer_keep_alive_or_transfer_all() {
        let r = request(StakeKind::Transfer);
        assert_eq!(
            plan_action(&r).unwrap(),
            extrinsics::Action::Transfer {
                dest: key(BOB),
                amount: Rao(5)
            }
        );
        let all = StakeRequest { all: true, ..r };
        assert_eq!(
            plan_action(&all).unwrap(),
            extrinsics::Action::TransferAll { dest: key(BOB) }
        );
        let bad = StakeRequest {
            destination: Some("5bad".to_owned()),
            ..request(StakeKind::Transfer)
        };
        assert!(plan_action(&bad).unwrap_err().contains("not a valid SS58"));
        let none = StakeRequest {
            destination: None,
            ..request(StakeKind::Transfer)
        };
        assert!(plan_action(&none).unwrap_err().contains("recipient"));
    }

    #[test]
    fn a_stake_gift_plans_transfer_stake_to_the_destination_coldkey() {
        assert_eq!(
            plan_action(&request(StakeKind::TransferStake)).unwrap(),
            extrinsics::Action::TransferStake {
                destination_coldkey: key(BOB),
                hotkey: key(ALICE),
                origin_netuid: 3,
                destination_netuid: 3,
                amount: AlphaAmount::Alpha(AlphaRao(5)),
            }
        );
    }

    #[test]
    fn swap_and_move_requests_plan_their_calls() {
        assert_eq!(
            plan_action(&request(StakeKind::Swap)).unwrap(),
            extrinsics::Action::SwapStake {
                hotkey: key(ALICE),
                origin_netuid: 3,
                destination_netuid: 7,
                amount: AlphaAmount::Alpha(AlphaRao(5)),
                mode: StakeMode::Limit {
                    tolerance: Tolerance::from_bps(100).unwrap(),
                    allow_partial: false
                },
            }
        );
        // The move form names no other subnet: the stake stays on its own.
        let mut same_subnet = request(StakeKind::Move);
        same_subnet.destination_netuid = None;
        assert!(matches!(
            plan_action(&same_subnet).unwrap(),
            extrinsics::Action::MoveStake {
                destination_netuid: 3,
                ..
            }
        ));
        // A rebalance may move to a validator on another subnet.
        assert_eq!(
            plan_action(&request(StakeKind::Move)).unwrap(),
            extrinsics::Action::MoveStake {
                origin_hotkey: key(ALICE),
                destination_hotkey: key(BOB),
                origin_netuid: 3,
                destination_netuid: 7,
                amount: AlphaAmount::Alpha(AlphaRao(5)),
                mode: StakeMode::Limit {
                    tolerance: Tolerance::from_bps(100).unwrap(),
                    allow_partial: false
                },
            }
        );
        let no_subnet = StakeRequest {
            destination_netuid: None,
            ..request(StakeKind::Swap)
        };
        assert!(plan_action(&no_subnet).unwrap_err().contains("subnet"));
    }

    #[test]
    fn the_chosen_tolerance_and_partial_fill_reach_the_limit_calls() {
        let partial = |kind| StakeRequest {
            tolerance_bps: 500,
            allow_partial: true,
            ..request(kind)
        };
        let mode = StakeMode::Limit {
            tolerance: Tolerance::from_bps(500).unwrap(),
            allow_partial: true,
        };
        assert_eq!(
            plan_action(&partial(StakeKind::Stake)).unwrap(),
            extrinsics::Action::AddStake {
                hotkey: key(ALICE),
                netuid: 3,
                amount: Rao(5),
                mode,
            }
        );
        assert_eq!(
            plan_action(&partial(StakeKind::Unstake)).unwrap(),
            extrinsics::Action::RemoveStake {
                hotkey: key(ALICE),
                netuid: 3,
                amount: AlphaAmount::Alpha(AlphaRao(5)),
                mode,
            }
        );
        assert!(matches!(
            plan_action(&partial(StakeKind::Swap)).unwrap(),
            extrinsics::Action::SwapStake { mode: m, .. } if m == mode
        ));
    }
}
