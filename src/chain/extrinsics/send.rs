//! Signing and sending a prepared action, tracked by its extrinsic hash.
//!
//! The hash is known before anything is sent and is written to the history first. If the connection drops (or
//! the node stops reporting) before an outcome is known, the transaction is never sent again: after the client has
//! reconnected, the blocks from the era's birth block to the head are searched for the hash (and the pool asked),
//! and the outcome found there is reported. A transaction found nowhere stays `unknown`, with the block after which
//! it can no longer land.

use std::time::{Duration, Instant};

use subxt::ext::scale_value::Composite;
use subxt::rpcs::rpc_params;
use subxt::utils::H256;
use taotui_keystore::wallet::{KeyTarget, Wallet};

use secrecy::SecretString;

use crate::chain::client::{ChainClient, ConnectionState};
use crate::chain::history::{History, HistoryRecord, TxStatus, now_secs};
use crate::chain::signer::KeypairSigner;
use crate::chain::tx::{
    self, ChainError as DispatchFailure, EventSummary, TxError, TxStage, parse_rejection,
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

/// Options for [`send`].
#[derive(Debug, Clone)]
pub struct SendOptions {
    pub wait_for_finalized: bool,
    pub timeout: Duration,
    pub finality_wait: Duration,
    /// How long to wait for the client to reconnect after a drop before giving up with `unknown`.
    pub reconnect_wait: Duration,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            wait_for_finalized: false,
            timeout: tx::DEFAULT_TIMEOUT,
            finality_wait: tx::DEFAULT_FINALITY_WAIT,
            reconnect_wait: Duration::from_secs(60),
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
    if signer.public_key() != prepared.view.coldkey {
        return Err(ExtrinsicError::WrongKey);
    }
    client.ensure_runtime_compatible()?;
    let started = Instant::now();
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
        coldkey: signer.ss58(),
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
            recover(client, prepared, hash, started, options, &reason).await
        }
        Err(Watch::Failed(e)) => Err(e),
        Ok(sent) => Ok(sent),
    };
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
                    ExtrinsicError::Tx(TxError::Invalid(_)) => TxStatus::Rejected,
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
            let message = e.to_string();
            let rejection = parse_rejection(&message);
            let lower = message.to_ascii_lowercase();
            return if rejection.reason != "Unknown"
                || lower.contains("invalid")
                || lower.contains("1010")
            {
                Err(Watch::Failed(ExtrinsicError::Tx(TxError::Invalid(
                    rejection,
                ))))
            } else {
                Err(Watch::Lost(message))
            };
        }
    };
    let mut stages = Vec::new();
    let deadline = started + options.timeout;
    let in_block = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let status = match tokio::time::timeout(left, progress.next()).await {
            Err(_) => return Err(Watch::Lost("no status before the timeout".into())),
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
        if pallet == "System"
            && variant == "ExtrinsicFailed"
            && let Some(error) = fields.values().next()
        {
            let error: DispatchFailure = tx::resolve_dispatch_error(error, &metadata);
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

/// After a lost watch: wait for the connection, then look for the hash in the blocks since the era's birth and in
/// the pool. Never submits again.
async fn recover(
    client: &ChainClient,
    prepared: &Prepared,
    hash: [u8; 32],
    started: Instant,
    options: &SendOptions,
    reason: &str,
) -> Result<Sent, ExtrinsicError> {
    let unknown = |detail: String| ExtrinsicError::OutcomeUnknown {
        hash: hex(&hash),
        valid_until: prepared.valid_until(),
        detail,
    };
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
        return Err(unknown(format!("{reason}; the node did not come back")));
    }
    let deadline = Instant::now() + options.timeout;
    // A node can still be validating the transaction when the connection comes back, so it is neither in a block
    // nor in the pool yet; only after this grace does "nowhere" count as an answer.
    let grace_until = Instant::now() + RECOVERY_GRACE;
    loop {
        // The transport may not have noticed the drop yet, or may drop again: a failed look-up is retried until
        // the deadline, never answered by submitting again.
        match look_for(client, prepared, hash).await {
            Ok(Lookup::Landed(block_hash)) => {
                let (block_number, events) = match block_events(client, block_hash, hash).await {
                    Ok(x) => x,
                    Err(Watch::Failed(e)) => return Err(e),
                    Err(Watch::Lost(m)) => return Err(unknown(m)),
                };
                return Ok(Sent {
                    extrinsic_hash: hash,
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
            Ok(Lookup::Pending { head, in_pool }) => {
                let expired = head > prepared.valid_until();
                if expired
                    || (!in_pool && Instant::now() > grace_until)
                    || Instant::now() > deadline
                {
                    return Err(unknown(format!(
                        "{reason}; after reconnecting it is in no block up to #{head} and {} the pool",
                        if in_pool { "still in" } else { "not in" }
                    )));
                }
            }
            Err(e) => {
                if Instant::now() > deadline {
                    return Err(unknown(format!(
                        "{reason}; looking it up after reconnecting failed: {e}"
                    )));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// How long a transaction that is in no block and not in the pool may still turn up after a reconnect.
pub const RECOVERY_GRACE: Duration = Duration::from_secs(12);

enum Lookup {
    Landed([u8; 32]),
    Pending { head: u64, in_pool: bool },
}

/// One look for the transaction: in the blocks since the era's birth, else in the pool.
async fn look_for(
    client: &ChainClient,
    prepared: &Prepared,
    hash: [u8; 32],
) -> Result<Lookup, ExtrinsicError> {
    if let Some((block_hash, _)) = find_in_blocks(client, prepared.birth_block, hash).await? {
        return Ok(Lookup::Landed(block_hash));
    }
    let pending: Vec<String> = client
        .rpc()
        .request("author_pendingExtrinsics", rpc_params![])
        .await
        .map_err(|e| {
            ExtrinsicError::Tx(TxError::Rpc {
                during: "looking for the transaction in the pool",
                message: e.to_string(),
            })
        })?;
    let in_pool = pending
        .iter()
        .any(|x| unhex(x).is_some_and(|b| blake2_256(&b) == hash));
    let head = client.head().await?;
    Ok(Lookup::Pending {
        head: head.number,
        in_pool,
    })
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
