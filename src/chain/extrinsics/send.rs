//! Signing and sending a prepared action, tracked by its extrinsic hash.
//!
//! The hash is known before anything is sent and is written to the history first. If the connection drops (or
//! the node stops reporting) before an outcome is known, the transaction is never sent again: after the client has
//! reconnected, the blocks from the era's birth block to the head are searched for the hash (and the pool asked),
//! and the outcome found there is reported. The same search follows a submission the node answered with an error
//! that is not a verdict (a generic -32000, "already imported"): the node may have taken it anyway.
//!
//! Every wait is bounded (the send timeout, the reconnect wait, a few failed look-ups in a row) and reported through
//! [`SendOptions::progress`] while it lasts. The search ends with: found in block #B (success or the chain's error),
//! provably not included (its era is over, or its nonce was used by another transaction), or unknown with the
//! extrinsic hash, its nonce and the account's nonce on chain.

use std::sync::Arc;
use std::time::{Duration, Instant};

use subxt::ext::scale_value::Composite;
use subxt::rpcs::rpc_params;
use subxt::utils::H256;
use taotui_keystore::wallet::{KeyTarget, Wallet};

use secrecy::SecretString;

use crate::chain::client::{ChainClient, ConnectionState};
use crate::chain::history::{History, HistoryRecord, TxStatus, now_secs};
use crate::chain::mev_shield::{self, InnerWatch, Shielded, Step, Submission};
use crate::chain::signer::KeypairSigner;
use crate::chain::tx::{
    self, ChainError as DispatchFailure, EventSummary, SubmitFailure, TxError, TxStage,
    classify_submit_error, parse_rejection,
};

use super::ExtrinsicError;
use super::fetch::{Either, Prepared, build_extrinsic};
use super::plan::ArgValue;

/// Unlocks the wallet's coldkey on a blocking thread (the KDF takes up to seconds and must not stall the runtime).
pub async fn unlock_coldkey(
    wallet: Wallet,
    password: SecretString,
) -> Result<KeypairSigner, ExtrinsicError> {
    tokio::task::spawn_blocking(move || wallet.unlock(&KeyTarget::Coldkey, Some(&password)))
        .await
        .map_err(|e| ExtrinsicError::Unlock(format!("the unlock task failed: {e}")))?
        .map(KeypairSigner::new)
        .map_err(|e| ExtrinsicError::Unlock(e.to_string()))
}

/// What happened to a sent transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub extrinsic_hash: [u8; 32],
    pub block_hash: [u8; 32],
    pub block_number: u64,
    pub events: Vec<EventSummary>,
    pub stages: Vec<TxStage>,
    pub finalized: bool,
    /// From the start of signing to "in block".
    pub time_to_in_block: Duration,
    /// Found by searching blocks after the connection dropped.
    pub recovered: bool,
    /// RPC requests from signing to the outcome.
    pub requests: u64,
}

pub fn hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn details(prepared: &Prepared) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    for (name, v) in &prepared.preview.call.args {
        let value = match v {
            ArgValue::Account(a) | ArgValue::Address(a) => {
                serde_json::Value::from(taotui_keystore::ss58::encode(a, 42))
            }
            ArgValue::U16(n) => serde_json::Value::from(*n),
            ArgValue::U64(n) => serde_json::Value::from(*n),
            ArgValue::OptionU64(n) => serde_json::Value::from(*n),
            ArgValue::Bool(b) => serde_json::Value::from(*b),
        };
        m.insert((*name).to_owned(), value);
    }
    let p = &prepared.preview;
    // History keeps both sides of a proxied call: the coldkey it acted for (the record's coldkey) and the key
    // that signed and paid the fee.
    if let Some(proxy) = &p.call.proxy {
        m.insert(
            "proxy_delegate".into(),
            taotui_keystore::ss58::encode(&proxy.delegate, 42).into(),
        );
        m.insert(
            "proxy_type".into(),
            proxy
                .proxy_type
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
    }
    if !p.call.legs.is_empty() {
        let legs: Vec<serde_json::Value> = p
            .call
            .legs
            .iter()
            .map(|leg| serde_json::to_value(leg).unwrap_or(serde_json::Value::Null))
            .collect();
        m.insert("legs".into(), legs.into());
    }
    m.insert("fee".into(), p.fee.get().into());
    m.insert("expected_tao_spent".into(), p.tao_spent.get().into());
    m.insert("expected_tao_received".into(), p.tao_received.get().into());
    m.insert("expected_alpha_sold".into(), p.alpha_sold.get().into());
    m.insert(
        "expected_alpha_received".into(),
        p.alpha_received.get().into(),
    );
    m
}

/// Where [`send`] reports what it is waiting for, while it waits (the CLI prints to stderr, the TUI shows it).
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Report>>);

type Report = dyn Fn(&str) + Send + Sync;

impl Progress {
    pub fn new(report: impl Fn(&str) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(report)))
    }

    /// Each message on its own line on stderr (stdout stays clean for `--json`).
    pub fn stderr() -> Progress {
        Progress::new(|m| eprintln!("{m}"))
    }

    fn say(&self, message: &str) {
        tracing::info!(message, "send progress");
        if let Some(report) = &self.0 {
            report(message);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(reporting)"
        } else {
            "Progress(silent)"
        })
    }
}

/// Environment variable capping the send timeout, the finality wait and the reconnect wait, in seconds (tests use
/// it to keep fault cells short; it never lengthens a bound).
pub const TX_TIMEOUT_ENV: &str = "TAOTUI_TX_TIMEOUT";

/// Failed look-ups in a row after which the search gives up with `unknown` (the node keeps refusing to answer).
const MAX_LOOKUP_FAILURES: u32 = 4;

/// How long without news before a wait is reported.
const QUIET_PERIOD: Duration = Duration::from_secs(3);

/// Options for [`send`].
#[derive(Debug, Clone)]
pub struct SendOptions {
    pub wait_for_finalized: bool,
    /// Bound on waiting for a block, and separately on the search after an unknown outcome.
    pub timeout: Duration,
    pub finality_wait: Duration,
    /// How long to wait for the client to reconnect after a drop before giving up with `unknown`.
    pub reconnect_wait: Duration,
    pub progress: Progress,
    /// The preview's shielding verdict (`mev_shield::assess`); `None` sends in the clear.
    pub shield: Option<mev_shield::ShieldPreview>,
}

impl Default for SendOptions {
    fn default() -> Self {
        let cap = std::env::var(TX_TIMEOUT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(Duration::MAX, Duration::from_secs_f64);
        SendOptions {
            wait_for_finalized: false,
            timeout: tx::DEFAULT_TIMEOUT.min(cap),
            finality_wait: tx::DEFAULT_FINALITY_WAIT.min(cap),
            reconnect_wait: Duration::from_secs(60).min(cap),
            progress: Progress::default(),
            shield: None,
        }
    }
}

/// Signs the prepared call with `signer` (which must be the previewed coldkey), sends it once, and reports the
/// outcome; every status is appended to `history` (when given) under the extrinsic hash.
pub async fn send(
    client: &ChainClient,
    prepared: &Prepared,
    signer: &KeypairSigner,
    history: Option<&History>,
    options: &SendOptions,
) -> Result<Sent, ExtrinsicError> {
    let start_requests = client.request_count();
    // The coldkey itself, or the delegate when the call goes through a proxy for it.
    if signer.public_key() != prepared.preview.call.signer_for(prepared.view.coldkey) {
        return Err(ExtrinsicError::WrongKey);
    }
    client.ensure_runtime_compatible()?;
    // A runtime upgrade between the preview and now may have reshaped the call: refuse rather than sign it wrongly.
    client.require(super::needs::feature_of(&prepared.action))?;
    let started = Instant::now();
    if let Some(shield) = &options.shield
        && let Submission::Shielded(s) =
            mev_shield::prepare_submission(client, shield, prepared, signer).await?
    {
        let mut shielded_details = details(prepared);
        shielded_details.insert("shielded".into(), true.into());
        shielded_details.insert("carrier_hash".into(), hex(&s.carrier.hash).into());
        // Tracked under the inner extrinsic's hash: that is the transaction the user asked for.
        let record = HistoryRecord {
            hash: hex(&s.inner_hash),
            call: prepared.preview.call.path(),
            coldkey: taotui_keystore::ss58::encode(&prepared.view.coldkey, 42),
            network: client.network().name().to_owned(),
            status: TxStatus::Submitting,
            time: now_secs(),
            details: shielded_details,
            block_hash: None,
            block_number: None,
            valid_until: Some(s.inner_valid_until),
            error: None,
        };
        if let Some(h) = history {
            h.append(&record)?;
        }
        let result = send_shielded(client, &s, started, options).await;
        return finish(
            client,
            history,
            &record,
            explain_proxy_failure(prepared, result),
            start_requests,
        );
    }
    let nonce = tx::next_nonce(client.rpc(), signer.public_key()).await?;
    let (bytes, hash) = build_extrinsic(
        &prepared.at,
        &prepared.preview.call,
        signer.public_key(),
        nonce,
        Either::Signer(signer),
    )?;
    let record = HistoryRecord {
        hash: hex(&hash),
        call: prepared.preview.call.path(),
        coldkey: taotui_keystore::ss58::encode(&prepared.view.coldkey, 42),
        network: client.network().name().to_owned(),
        status: TxStatus::Submitting,
        time: now_secs(),
        details: details(prepared),
        block_hash: None,
        block_number: None,
        valid_until: Some(prepared.valid_until()),
        error: None,
    };
    if let Some(h) = history {
        h.append(&record)?;
    }
    let result = submit_and_watch(client, &bytes, hash, started, options).await;
    let result = match result {
        Err(Watch::Lost(reason)) => {
            let tracked = Tracked {
                birth_block: prepared.birth_block,
                valid_until: prepared.valid_until(),
                hash,
                nonce,
                coldkey: signer.public_key(),
            };
            recover(client, &tracked, started, options, &reason).await
        }
        Err(Watch::Failed(e)) => Err(e),
        Ok(sent) => Ok(sent),
    };
    finish(
        client,
        history,
        &record,
        explain_proxy_failure(prepared, result),
        start_requests,
    )
}

/// A proxied call the proxy filter refused is explained with the grant's type (the chain only says
/// `System::CallFiltered`).
fn explain_proxy_failure(
    prepared: &Prepared,
    result: Result<Sent, ExtrinsicError>,
) -> Result<Sent, ExtrinsicError> {
    let Some(proxy) = &prepared.preview.call.proxy else {
        return result;
    };
    match result {
        Err(ExtrinsicError::Tx(TxError::Dispatch {
            mut error,
            extrinsic_hash,
            block_hash,
        })) => {
            error.sentence = crate::chain::proxy::failure_sentence(
                &error,
                proxy.proxy_type.as_deref().unwrap_or("granted"),
            );
            Err(ExtrinsicError::Tx(TxError::Dispatch {
                error,
                extrinsic_hash,
                block_hash,
            }))
        }
        other => other,
    }
}

/// Counts the requests, and appends the outcome to the history (a write failure is a warning: the outcome is
/// already decided on chain).
fn finish(
    client: &ChainClient,
    history: Option<&History>,
    record: &HistoryRecord,
    result: Result<Sent, ExtrinsicError>,
    start_requests: u64,
) -> Result<Sent, ExtrinsicError> {
    let record = record.clone();
    let result = result.map(|mut s| {
        s.requests = client.request_count() - start_requests;
        s
    });
    if let Some(h) = history {
        let line = match &result {
            Ok(s) => HistoryRecord {
                block_hash: Some(hex(&s.block_hash)),
                block_number: Some(s.block_number),
                ..record.with_status(if s.finalized {
                    TxStatus::Finalized
                } else {
                    TxStatus::InBlock
                })
            },
            Err(e) => {
                let status = match e {
                    ExtrinsicError::Tx(TxError::Dispatch { .. }) => TxStatus::Failed,
                    ExtrinsicError::Tx(TxError::Invalid(_) | TxError::NotIncluded { .. }) => {
                        TxStatus::Rejected
                    }
                    _ => TxStatus::Unknown,
                };
                let block_hash = match e {
                    ExtrinsicError::Tx(TxError::Dispatch { block_hash, .. }) => {
                        Some(hex(block_hash))
                    }
                    _ => None,
                };
                HistoryRecord {
                    error: Some(e.to_string()),
                    block_hash,
                    ..record.with_status(status)
                }
            }
        };
        // The outcome is already decided on chain; a history write failure must not hide it.
        if let Err(e) = h.append(&line) {
            eprintln!("warning: {e}");
        }
    }
    result
}

/// Submits the carrier, then follows the inner extrinsic until it is in a block or its era is over (at most 8
/// blocks): the carrier landing says nothing about the inner call, which the block author decrypts and runs.
async fn send_shielded(
    client: &ChainClient,
    s: &Shielded,
    started: Instant,
    options: &SendOptions,
) -> Result<Sent, ExtrinsicError> {
    let unknown = |hash: &[u8; 32], detail: String| ExtrinsicError::OutcomeUnknown {
        hash: hex(hash),
        valid_until: s.inner_valid_until,
        detail,
    };
    let carrier =
        match submit_and_watch(client, &s.carrier.bytes, s.carrier.hash, started, options).await {
            Ok(c) => c,
            Err(Watch::Failed(e)) => return Err(e),
            Err(Watch::Lost(detail)) => return Err(unknown(&s.carrier.hash, detail)),
        };
    let mut watch = InnerWatch::new(s);
    loop {
        let head = client.head().await?;
        let found = find_in_blocks(client, watch.search_from(), watch.inner_hash()).await?;
        match watch.step(head.number, found) {
            Step::Landed { block_hash, .. } => {
                let (block_number, events) =
                    match block_events(client, block_hash, s.inner_hash).await {
                        Ok(x) => x,
                        Err(Watch::Failed(e)) => return Err(e),
                        Err(Watch::Lost(detail)) => return Err(unknown(&s.inner_hash, detail)),
                    };
                return Ok(Sent {
                    extrinsic_hash: s.inner_hash,
                    block_hash,
                    block_number,
                    events,
                    stages: carrier.stages,
                    finalized: false,
                    time_to_in_block: started.elapsed(),
                    recovered: false,
                    requests: 0,
                });
            }
            Step::Expired => return Err(watch.expired().into()),
            Step::Wait => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

enum Watch {
    /// The node gave a verdict or the call failed: final.
    Failed(ExtrinsicError),
    /// The outcome is not known (connection dropped, watch ended, timed out).
    Lost(String),
}

/// One status of `author_submitAndWatchExtrinsic`, read from the raw JSON so that a rejection's reason survives:
/// a node sends `"invalid"`, but chopsticks sends the validity error itself (`{"invalid":{"custom":N}}`), which
/// names the runtime's custom error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchStatus {
    Validated,
    Broadcasted,
    InBlock([u8; 32]),
    Retracted,
    Finalized([u8; 32]),
    /// The pool or the block builder refused it; the JSON as sent (with its reason where the node gives one).
    Invalid(String),
    /// Dropped, usurped or timed out waiting for finality: no outcome from this watch.
    Dropped(String),
    Unknown(String),
}

fn hash_of(v: &serde_json::Value) -> Option<[u8; 32]> {
    v.as_str()
        .and_then(unhex)
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
}

/// Reads one status (the legacy `TransactionStatus` JSON, and chopsticks' forms of it).
pub fn parse_watch_status(v: &serde_json::Value) -> WatchStatus {
    let text = v.to_string();
    let (key, inner) = match v {
        serde_json::Value::String(s) => (s.as_str(), &serde_json::Value::Null),
        serde_json::Value::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((k, inner)) => (k.as_str(), inner),
            None => return WatchStatus::Unknown(text),
        },
        _ => return WatchStatus::Unknown(text),
    };
    let hash = || hash_of(inner);
    match key.to_ascii_lowercase().as_str() {
        "future" | "ready" => WatchStatus::Validated,
        "broadcast" => WatchStatus::Broadcasted,
        "inblock" => hash().map_or(WatchStatus::Unknown(text.clone()), WatchStatus::InBlock),
        "retracted" => WatchStatus::Retracted,
        "finalized" => hash().map_or(WatchStatus::Unknown(text.clone()), WatchStatus::Finalized),
        "invalid" => WatchStatus::Invalid(text),
        "dropped" | "usurped" | "finalitytimeout" => WatchStatus::Dropped(text),
        _ => WatchStatus::Unknown(text),
    }
}

async fn submit_and_watch(
    client: &ChainClient,
    bytes: &[u8],
    hash: [u8; 32],
    started: Instant,
    options: &SendOptions,
) -> Result<Sent, Watch> {
    let subscribed = client
        .rpc()
        .subscribe::<serde_json::Value>(
            "author_submitAndWatchExtrinsic",
            rpc_params![hex(bytes)],
            "author_unwatchExtrinsic",
        )
        .await;
    let mut progress = match subscribed {
        Ok(p) => p,
        Err(e) => {
            return match classify_submit_error(&e) {
                SubmitFailure::Refused(rejection) => Err(Watch::Failed(ExtrinsicError::Tx(
                    TxError::Invalid(rejection),
                ))),
                SubmitFailure::Unknown(words) if matches!(e, subxt::rpcs::Error::User(_)) => {
                    Err(Watch::Lost(format!(
                        "the node answered the submission with an error that does not say whether it took \
                         the transaction: \"{words}\""
                    )))
                }
                SubmitFailure::Unknown(words) => Err(Watch::Lost(format!(
                    "the submission got no answer ({words}), so whether the node took it is not known"
                ))),
            };
        }
    };
    let mut stages = Vec::new();
    let deadline = started + options.timeout;
    let in_block = loop {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .min(QUIET_PERIOD);
        let status = match tokio::time::timeout(left, progress.next()).await {
            Err(_) if Instant::now() < deadline => {
                options.progress.say(&format!(
                    "sent; waiting for a block to include it ({} s so far, at most {} s)",
                    started.elapsed().as_secs(),
                    options.timeout.as_secs()
                ));
                continue;
            }
            Err(_) => {
                return Err(Watch::Lost(format!(
                    "no block included it within {} s",
                    options.timeout.as_secs()
                )));
            }
            Ok(None) => return Err(Watch::Lost("the node stopped reporting".into())),
            Ok(Some(Err(e))) => return Err(Watch::Lost(e.to_string())),
            Ok(Some(Ok(s))) => parse_watch_status(&s),
        };
        match status {
            WatchStatus::Validated => stages.push(TxStage::Validated),
            WatchStatus::Broadcasted => stages.push(TxStage::Broadcasted),
            WatchStatus::Retracted => stages.push(TxStage::NoLongerInBestBlock),
            WatchStatus::InBlock(b) => {
                stages.push(TxStage::InBlock(b));
                break b;
            }
            WatchStatus::Finalized(b) => {
                stages.push(TxStage::InBlock(b));
                stages.push(TxStage::Finalized(b));
                break b;
            }
            WatchStatus::Invalid(message) => {
                return Err(Watch::Failed(ExtrinsicError::Tx(TxError::Invalid(
                    parse_rejection(&message),
                ))));
            }
            WatchStatus::Dropped(message) => {
                return Err(Watch::Failed(ExtrinsicError::Tx(TxError::Dropped(message))));
            }
            // A status this client does not know says nothing about the outcome; keep watching.
            WatchStatus::Unknown(_) => {}
        }
    };
    let time_to_in_block = started.elapsed();
    let block_hash = in_block;
    let (block_number, events) = match block_events(client, block_hash, hash).await {
        Ok(x) => x,
        Err(Watch::Failed(ExtrinsicError::Tx(TxError::Dispatch { error, .. }))) => {
            return Err(Watch::Failed(ExtrinsicError::Tx(TxError::Dispatch {
                error,
                extrinsic_hash: hash,
                block_hash,
            })));
        }
        Err(other) => return Err(other),
    };
    let mut finalized = stages.iter().any(|s| matches!(s, TxStage::Finalized(_)));
    if options.wait_for_finalized && !finalized {
        let until = Instant::now() + options.finality_wait;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let Ok(Some(Ok(s))) = tokio::time::timeout(left, progress.next()).await else {
                break;
            };
            match parse_watch_status(&s) {
                WatchStatus::Finalized(b) => {
                    stages.push(TxStage::Finalized(b));
                    finalized = b == block_hash;
                    break;
                }
                WatchStatus::InBlock(b) => stages.push(TxStage::InBlock(b)),
                WatchStatus::Retracted => stages.push(TxStage::NoLongerInBestBlock),
                WatchStatus::Validated | WatchStatus::Broadcasted | WatchStatus::Unknown(_) => {}
                WatchStatus::Invalid(_) | WatchStatus::Dropped(_) => break,
            }
        }
    }
    Ok(Sent {
        extrinsic_hash: hash,
        block_hash,
        block_number,
        events,
        stages,
        finalized,
        time_to_in_block,
        recovered: false,
        requests: 0,
    })
}

#[derive(serde::Deserialize)]
struct SignedBlockJson {
    block: BlockJson,
}

#[derive(serde::Deserialize)]
struct BlockJson {
    header: HeaderJson,
    extrinsics: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderJson {
    number: String,
}

fn blake2_256(bytes: &[u8]) -> [u8; 32] {
    use blake2::Digest;
    let mut h = blake2::Blake2b::<blake2::digest::consts::U32>::new();
    h.update(bytes);
    h.finalize().into()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    hex::decode(s.trim_start_matches("0x")).ok()
}

/// The block's number and the events of the extrinsic with `hash` in it; a failed dispatch is an error.
/// Two requests: the block body (to find the extrinsic's index) and `System.Events`.
async fn block_events(
    client: &ChainClient,
    block_hash: [u8; 32],
    hash: [u8; 32],
) -> Result<(u64, Vec<EventSummary>), Watch> {
    let lost = |e: String| Watch::Lost(e);
    let block: Option<SignedBlockJson> = client
        .rpc()
        .request("chain_getBlock", rpc_params![hex(&block_hash)])
        .await
        .map_err(|e| lost(e.to_string()))?;
    let block = block.ok_or_else(|| lost("the block is gone".into()))?;
    let number = u64::from_str_radix(block.block.header.number.trim_start_matches("0x"), 16)
        .map_err(|e| lost(e.to_string()))?;
    let index = block
        .block
        .extrinsics
        .iter()
        .position(|x| unhex(x).is_some_and(|b| blake2_256(&b) == hash))
        .ok_or_else(|| lost("the extrinsic is not in the block it was reported in".into()))?;
    let at = client
        .api()
        .at_block_hash_and_number(H256(block_hash), number)
        .await
        .map_err(|e| lost(e.to_string()))?;
    let events = at.events().fetch().await.map_err(|e| lost(e.to_string()))?;
    let metadata = at.metadata();
    let mut out = Vec::new();
    for event in events.iter() {
        let event = event.map_err(|e| lost(e.to_string()))?;
        let ours = matches!(
            event.phase(),
            subxt::events::Phase::ApplyExtrinsic(i) if usize::try_from(i).ok() == Some(index)
        );
        if !ours {
            continue;
        }
        let fields = event
            .decode_fields_unchecked_as::<Composite<()>>()
            .map_err(|e| lost(e.to_string()))?;
        let pallet = event.pallet_name().to_owned();
        let variant = event.event_name().to_owned();
        // A proxied call's failure is `Proxy.ProxyExecuted(Err)` in an extrinsic that itself succeeded.
        if let Some(error) = tx::dispatch_failure(&pallet, &variant, &fields, &metadata) {
            let error: DispatchFailure = error;
            return Err(Watch::Failed(ExtrinsicError::Tx(TxError::Dispatch {
                error,
                extrinsic_hash: hash,
                block_hash,
            })));
        }
        out.push(EventSummary {
            pallet,
            variant,
            fields: fields.to_string(),
        });
    }
    Ok((number, out))
}

/// The transaction being looked for after its outcome became unknown.
struct Tracked {
    birth_block: u64,
    valid_until: u64,
    hash: [u8; 32],
    nonce: u64,
    coldkey: [u8; 32],
}

/// After a lost watch or an ambiguous refusal: wait (bounded) for the connection, then search the blocks from the
/// era's birth onwards, each block once, and the pool, until one of the outcomes in the module docs. Never submits
/// again.
async fn recover(
    client: &ChainClient,
    t: &Tracked,
    started: Instant,
    options: &SendOptions,
    reason: &str,
) -> Result<Sent, ExtrinsicError> {
    let valid_until = t.valid_until;
    let say = |m: String| options.progress.say(&m);
    say(format!(
        "the outcome of {} is not known yet: {reason}. It was sent once and will not be sent again; looking for it.",
        hex(&t.hash)
    ));
    if client.connection_state() != ConnectionState::Connected {
        say(format!(
            "waiting for the connection to come back (at most {} s)",
            options.reconnect_wait.as_secs()
        ));
        let mut state = client.watch_connection_state();
        let wait = async {
            while *state.borrow_and_update() != ConnectionState::Connected {
                if state.changed().await.is_err() {
                    break;
                }
            }
        };
        if tokio::time::timeout(options.reconnect_wait, wait)
            .await
            .is_err()
        {
            let detail = format!(
                "{reason}; the node did not come back within {} s",
                options.reconnect_wait.as_secs()
            );
            return Err(unknown(client, t, detail).await);
        }
    }
    let deadline = Instant::now() + options.timeout;
    // A node can still be validating the transaction when it answers, so it is neither in a block nor in the pool
    // yet; only after this grace does "nowhere" count as an answer.
    let grace_until = Instant::now() + RECOVERY_GRACE.min(options.timeout);
    let mut search = Search {
        next: t.birth_block,
        failures: 0,
        last_report: Instant::now(),
    };
    loop {
        match search.step(client, t, options).await {
            Ok(Lookup::Landed(block_hash)) => {
                say(format!("found it in block {}", hex(&block_hash)));
                let (block_number, events) = match block_events(client, block_hash, t.hash).await {
                    Ok(x) => x,
                    Err(Watch::Failed(e)) => return Err(e),
                    Err(Watch::Lost(m)) => {
                        let detail = format!(
                            "it is in block {} but that block's events could not be read: {m}",
                            hex(&block_hash)
                        );
                        return Err(unknown(client, t, detail).await);
                    }
                };
                return Ok(Sent {
                    extrinsic_hash: t.hash,
                    block_hash,
                    block_number,
                    events,
                    stages: vec![TxStage::InBlock(block_hash)],
                    finalized: false,
                    time_to_in_block: started.elapsed(),
                    recovered: true,
                    requests: 0,
                });
            }
            Ok(Lookup::Pending {
                head,
                in_pool,
                state_nonce,
            }) => {
                if search.next > valid_until {
                    return Err(ExtrinsicError::Tx(TxError::NotIncluded {
                        extrinsic_hash: t.hash,
                        proof: format!(
                            "its era ended at block #{valid_until} and it is in none of the blocks #{}..#{valid_until}",
                            t.birth_block
                        ),
                    }));
                }
                if state_nonce.is_some_and(|n| n > t.nonce) {
                    return Err(ExtrinsicError::Tx(TxError::NotIncluded {
                        extrinsic_hash: t.hash,
                        proof: format!(
                            "its nonce {} was used by another transaction of this account (the chain's nonce is \
                             {} at block #{head}) and it is in none of the blocks #{}..#{head}",
                            t.nonce,
                            state_nonce.unwrap_or_default(),
                            t.birth_block
                        ),
                    }));
                }
                let now = Instant::now();
                if (!in_pool && now > grace_until) || now > deadline {
                    let detail = format!(
                        "{reason}; it is in no block up to #{head} and {} the node's pool",
                        if in_pool { "still in" } else { "not in" }
                    );
                    return Err(unknown(client, t, detail).await);
                }
            }
            Err(e) => {
                search.failures += 1;
                if search.failures >= MAX_LOOKUP_FAILURES || Instant::now() > deadline {
                    let detail = format!(
                        "{reason}; looking for it failed {} times in a row, last: {e}",
                        search.failures
                    );
                    return Err(unknown(client, t, detail).await);
                }
                say(format!(
                    "looking for it failed ({e}); trying again ({} of {MAX_LOOKUP_FAILURES})",
                    search.failures
                ));
            }
        }
        let pause =
            Duration::from_millis(500).min(deadline.saturating_duration_since(Instant::now()));
        tokio::time::sleep(pause).await;
    }
}

/// [`ExtrinsicError::OutcomeUnknown`] with the nonces the user needs to check by hand: if the account's nonce on
/// chain passes the transaction's, something with that nonce landed.
async fn unknown(client: &ChainClient, t: &Tracked, detail: String) -> ExtrinsicError {
    let chain_nonce =
        tokio::time::timeout(QUIET_PERIOD, tx::next_nonce(client.rpc(), t.coldkey)).await;
    let nonces = match chain_nonce {
        Ok(Ok(n)) => format!(
            "its nonce is {}, the account's next nonce is now {n}{}",
            t.nonce,
            if n > t.nonce {
                " (so a transaction with its nonce is in a block or the pool)"
            } else {
                " (so nothing with its nonce has landed yet)"
            }
        ),
        _ => format!(
            "its nonce is {} (the account's nonce could not be read now; compare it with the account's later)",
            t.nonce
        ),
    };
    ExtrinsicError::OutcomeUnknown {
        hash: hex(&t.hash),
        valid_until: t.valid_until,
        detail: format!("{detail}; {nonces}"),
    }
}

/// How long a transaction that is in no block and not in the pool may still turn up after a reconnect.
pub const RECOVERY_GRACE: Duration = Duration::from_secs(12);

enum Lookup {
    Landed([u8; 32]),
    Pending {
        head: u64,
        in_pool: bool,
        /// The account's nonce in the state of block `head` (excludes the pool); `None` when it could not be read.
        state_nonce: Option<u64>,
    },
}

/// The search's place: the next block to read (each block is read once) and the failures in a row.
struct Search {
    next: u64,
    failures: u32,
    last_report: Instant,
}

impl Search {
    /// Reads the blocks not read yet (up to the head and the era's end), then the pool and the account's nonce.
    async fn step(
        &mut self,
        client: &ChainClient,
        t: &Tracked,
        options: &SendOptions,
    ) -> Result<Lookup, ExtrinsicError> {
        let searching = |e: subxt::rpcs::Error| {
            ExtrinsicError::Tx(TxError::Rpc {
                during: "searching recent blocks for the transaction",
                message: crate::chain::error::node_words(&e),
            })
        };
        let head = client.head().await?;
        let valid_until = t.valid_until;
        let last = head.number.min(valid_until);
        if self.next <= last || self.last_report.elapsed() >= QUIET_PERIOD {
            options.progress.say(&format!(
                "looking for the transaction in blocks #{}..#{last}, until its era ends at #{valid_until}",
                t.birth_block
            ));
            self.last_report = Instant::now();
        }
        while self.next <= last {
            let n = self.next;
            let block_hash: Option<String> = client
                .rpc()
                .request("chain_getBlockHash", rpc_params![n])
                .await
                .map_err(searching)?;
            if let Some(bh) = block_hash.and_then(|h| unhex(&h)) {
                let block: Option<SignedBlockJson> = client
                    .rpc()
                    .request("chain_getBlock", rpc_params![hex(&bh)])
                    .await
                    .map_err(searching)?;
                let found = block.is_some_and(|b| {
                    b.block
                        .extrinsics
                        .iter()
                        .any(|x| unhex(x).is_some_and(|bytes| blake2_256(&bytes) == t.hash))
                });
                if found && let Ok(arr) = <[u8; 32]>::try_from(bh.as_slice()) {
                    return Ok(Lookup::Landed(arr));
                }
            }
            self.next = n + 1;
            self.failures = 0;
        }
        let pending: Vec<String> = client
            .rpc()
            .request("author_pendingExtrinsics", rpc_params![])
            .await
            .map_err(|e| {
                ExtrinsicError::Tx(TxError::Rpc {
                    during: "looking for the transaction in the pool",
                    message: crate::chain::error::node_words(&e),
                })
            })?;
        let in_pool = pending
            .iter()
            .any(|x| unhex(x).is_some_and(|b| blake2_256(&b) == t.hash));
        // Read at the head just searched, so "nonce used and not in any block up to it" is a proof.
        let state_nonce = client
            .state_call("AccountNonceApi_account_nonce", &t.coldkey, Some(head.hash))
            .await
            .ok()
            .and_then(|bytes| {
                let mut le = [0u8; 8];
                let n = bytes.len().min(8);
                le[..n].copy_from_slice(bytes.get(..n)?);
                (n == 4 || n == 8).then(|| u64::from_le_bytes(le))
            });
        self.failures = 0;
        Ok(Lookup::Pending {
            head: head.number,
            in_pool,
            state_nonce,
        })
    }
}

/// Searches the blocks from `from` to the head for an extrinsic with `hash`: one request per block.
pub async fn find_in_blocks(
    client: &ChainClient,
    from: u64,
    hash: [u8; 32],
) -> Result<Option<([u8; 32], u64)>, ExtrinsicError> {
    let head = client.head().await?;
    for n in (from..=head.number).rev() {
        let block_hash: Option<String> = client
            .rpc()
            .request("chain_getBlockHash", rpc_params![n])
            .await
            .map_err(|e| {
                ExtrinsicError::Tx(TxError::Rpc {
                    during: "searching recent blocks for the transaction",
                    message: e.to_string(),
                })
            })?;
        let Some(bh) = block_hash.and_then(|h| unhex(&h)) else {
            continue;
        };
        let block: Option<SignedBlockJson> = client
            .rpc()
            .request("chain_getBlock", rpc_params![hex(&bh)])
            .await
            .map_err(|e| {
                ExtrinsicError::Tx(TxError::Rpc {
                    during: "searching recent blocks for the transaction",
                    message: e.to_string(),
                })
            })?;
        let found = block.is_some_and(|b| {
            b.block
                .extrinsics
                .iter()
                .any(|x| unhex(x).is_some_and(|bytes| blake2_256(&bytes) == hash))
        });
        if found && let Ok(arr) = <[u8; 32]>::try_from(bh.as_slice()) {
            return Ok(Some((arr, n)));
        }
    }
    Ok(None)
}

/// A transaction signed elsewhere (air-gapped signing), to be sent and tracked like [`send`]'s.
#[derive(Debug, Clone)]
pub struct Presigned {
    pub bytes: Vec<u8>,
    pub hash: [u8; 32],
    pub nonce: u64,
    pub coldkey: [u8; 32],
    pub birth_block: u64,
    pub valid_until: u64,
    /// `Pallet.call` and its arguments by name, for the history.
    pub call: String,
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// Sends `tx` once and reports its outcome exactly as [`send`] does (history record first, bounded search for it
/// after a lost watch, never sent twice).
pub async fn send_presigned(
    client: &ChainClient,
    tx: &Presigned,
    history: Option<&History>,
    options: &SendOptions,
) -> Result<Sent, ExtrinsicError> {
    let start_requests = client.request_count();
    client.ensure_runtime_compatible()?;
    let started = Instant::now();
    let record = HistoryRecord {
        hash: hex(&tx.hash),
        call: tx.call.clone(),
        coldkey: taotui_keystore::ss58::encode(&tx.coldkey, 42),
        network: client.network().name().to_owned(),
        status: TxStatus::Submitting,
        time: now_secs(),
        details: tx.details.clone(),
        block_hash: None,
        block_number: None,
        valid_until: Some(tx.valid_until),
        error: None,
    };
    if let Some(h) = history {
        h.append(&record)?;
    }
    let result = match submit_and_watch(client, &tx.bytes, tx.hash, started, options).await {
        Err(Watch::Lost(reason)) => {
            let tracked = Tracked {
                birth_block: tx.birth_block,
                valid_until: tx.valid_until,
                hash: tx.hash,
                nonce: tx.nonce,
                coldkey: tx.coldkey,
            };
            recover(client, &tracked, started, options, &reason).await
        }
        Err(Watch::Failed(e)) => Err(e),
        Ok(sent) => Ok(sent),
    };
    finish(client, history, &record, result, start_requests)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn watch_statuses_of_a_node_and_of_chopsticks() {
        let h = format!("0x{}", "ab".repeat(32));
        assert_eq!(parse_watch_status(&json!("ready")), WatchStatus::Validated);
        assert_eq!(
            parse_watch_status(&json!({"ready": null})),
            WatchStatus::Validated
        );
        assert_eq!(parse_watch_status(&json!("future")), WatchStatus::Validated);
        assert_eq!(
            parse_watch_status(&json!({"broadcast": ["peer"]})),
            WatchStatus::Broadcasted
        );
        assert_eq!(
            parse_watch_status(&json!({"inBlock": h})),
            WatchStatus::InBlock([0xab; 32])
        );
        assert_eq!(
            parse_watch_status(&json!({"finalized": h})),
            WatchStatus::Finalized([0xab; 32])
        );
        assert_eq!(
            parse_watch_status(&json!({"retracted": h})),
            WatchStatus::Retracted
        );
        assert!(matches!(
            parse_watch_status(&json!("dropped")),
            WatchStatus::Dropped(_)
        ));
        assert!(matches!(
            parse_watch_status(&json!({"usurped": h})),
            WatchStatus::Dropped(_)
        ));
        assert!(matches!(
            parse_watch_status(&json!({"inBlock": "0x12"})),
            WatchStatus::Unknown(_)
        ));
        assert!(matches!(
            parse_watch_status(&json!(42)),
            WatchStatus::Unknown(_)
        ));
        // A node gives no reason; chopsticks gives the validity error, whose custom code names the refusal.
        let WatchStatus::Invalid(m) = parse_watch_status(&json!("invalid")) else {
            panic!()
        };
        assert_eq!(parse_rejection(&m).custom_name, None);
        let WatchStatus::Invalid(m) = parse_watch_status(&json!({"invalid": {"custom": 2}})) else {
            panic!()
        };
        assert_eq!(parse_rejection(&m).custom_name, Some("BalanceTooLow"));
    }
}
