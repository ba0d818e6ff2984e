//! Signing, submitting and tracking one extrinsic, and turning every way it can fail into a sentence.
//!
//! The flow for any call (built with [`call`] or `subxt::dynamic::tx`):
//! 1. the nonce comes from the chain's `system_accountNextIndex`, which counts transactions already in the pool
//!    and is served by real nodes and by chopsticks alike (chopsticks lacks `account_nextIndex`);
//! 2. the extrinsic is mortal: valid for [`MORTAL_PERIOD_BLOCKS`] blocks from the block it was built on;
//! 3. it is submitted with `author_submitAndWatchExtrinsic` (subxt's legacy backend) and watched through
//!    validated -> in block -> finalized;
//! 4. its events are collected from the block; a `System.ExtrinsicFailed` (or, under sudo, a failed
//!    `Sudo.Sudid`) becomes [`TxError::Dispatch`] naming `Pallet::Variant` with a sentence, and a transaction the
//!    pool refuses becomes [`TxError::Invalid`] with the runtime's reason (Subtensor's custom codes decoded).

use std::fmt;
use std::time::{Duration, Instant};

use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::{At, Value};
use subxt::ext::scale_encode::EncodeAsFields;
use subxt::ext::scale_value::{Composite, ValueDef};
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::transactions::{DynamicPayload, TransactionStatus};
use subxt::{Metadata, OnlineClient, SubstrateConfig};

use super::signer::KeypairSigner;

/// How many blocks a signed transaction stays valid. 64 blocks is about 13 minutes at Subtensor's 12 s blocks
/// (about a minute on the 1 s local dev chain): long enough to survive a congested pool or a reconnect, short
/// enough that a transaction the user gave up on cannot land much later, and a power of two so the era encodes
/// exactly.
pub const MORTAL_PERIOD_BLOCKS: u64 = 64;

/// Default bound on the whole submission, from sending to the final status we wait for.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Default wait for finality once the transaction is in a block. Subtensor finalizes within a few blocks;
/// a dev chain that never reports finality must not hang the caller, so the outcome then says `finalized: false`.
pub const DEFAULT_FINALITY_WAIT: Duration = Duration::from_secs(60);

/// How long to wait and what to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitOptions {
    /// Keep watching after "in block" until the block is finalized (or `finality_wait` passes).
    pub wait_for_finalized: bool,
    /// Upper bound from submission to "in block".
    pub timeout: Duration,
    /// Upper bound from "in block" to "finalized".
    pub finality_wait: Duration,
    /// Mortality period in blocks; see [`MORTAL_PERIOD_BLOCKS`].
    pub mortal_period: u64,
}

impl Default for SubmitOptions {
    fn default() -> Self {
        SubmitOptions {
            wait_for_finalized: true,
            timeout: DEFAULT_TIMEOUT,
            finality_wait: DEFAULT_FINALITY_WAIT,
            mortal_period: MORTAL_PERIOD_BLOCKS,
        }
    }
}

/// A status the transaction went through, in the order seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxStage {
    Validated,
    Broadcasted,
    InBlock([u8; 32]),
    NoLongerInBestBlock,
    Finalized([u8; 32]),
}

/// One event emitted by the extrinsic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub pallet: String,
    pub variant: String,
    /// The event's fields as text (scale-value notation), for logs and history.
    pub fields: String,
}

impl EventSummary {
    /// `Pallet.Variant`, e.g. `SubtensorModule.StakeAdded`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.pallet, self.variant)
    }

    pub fn is(&self, pallet: &str, variant: &str) -> bool {
        self.pallet == pallet && self.variant == variant
    }
}

/// What happened to a transaction that made it into a block and dispatched successfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOutcome {
    pub extrinsic_hash: [u8; 32],
    pub block_hash: [u8; 32],
    pub block_number: u64,
    pub events: Vec<EventSummary>,
    /// Whether the chain reported the block finalized before we stopped watching.
    pub finalized: bool,
    pub stages: Vec<TxStage>,
    /// Time from submission to "in block".
    pub time_to_in_block: Duration,
}

impl TxOutcome {
    pub fn has_event(&self, pallet: &str, variant: &str) -> bool {
        self.events.iter().any(|e| e.is(pallet, variant))
    }
}

/// A dispatch error the runtime returned, resolved against the metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// The pallet for module errors; `DispatchError`, `Token`, `Arithmetic` or `Transactional` otherwise.
    pub pallet: String,
    pub variant: String,
    /// What went wrong and what to do, in plain words.
    pub sentence: String,
}

impl ChainError {
    /// `Pallet::Variant`, e.g. `SubtensorModule::NotEnoughBalanceToStake`.
    pub fn name(&self) -> String {
        format!("{}::{}", self.pallet, self.variant)
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.sentence, self.name())
    }
}

/// Why the transaction pool refused a transaction before it reached a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Short machine-readable reason: `Payment`, `Stale`, `Custom(2)`, ...
    pub reason: String,
    /// Subtensor's name for a custom code, when known (e.g. `BalanceTooLow`).
    pub custom_name: Option<&'static str>,
    pub sentence: String,
    /// The node's own message, kept for diagnostics.
    pub raw: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.custom_name {
            Some(name) => write!(f, "{} ({}: {name})", self.sentence, self.reason)?,
            None => write!(f, "{} ({})", self.sentence, self.reason)?,
        }
        // The node's own words next to taotui's sentence, so nothing the node said is hidden.
        if !self.raw.trim().is_empty() {
            write!(f, " The node said: \"{}\".", self.raw.trim())?;
        }
        Ok(())
    }
}

/// What a failed `author_submitAndWatchExtrinsic` means for the transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitFailure {
    /// The node checked the transaction and refused it: it is not in the pool and cannot land.
    Refused(Rejection),
    /// Nothing proves it was refused (generic error, timeout, dropped connection, "already imported"): it may be in
    /// the pool or a block. The text is the node's own words.
    Unknown(String),
}

/// JSON-RPC codes of Substrate's author API that are a verdict on the transaction itself.
const VERDICT_CODES: [i32; 5] = [
    1010, // invalid transaction (data: the reason)
    1011, // unknown validity (the node could not check it)
    1014, // priority too low (a transaction with the same nonce is in the pool)
    1016, // immediately dropped (the pool is full)
    1002, // verification error (bad format)
];

/// Splits a submission error into a verdict (refused, never sent again) and an unknown outcome (to be searched
/// for). A code a node uses for "already have it" (1012 banned, 1013 already imported) is never a refusal: the
/// transaction may be in the pool or a block.
pub fn classify_submit_error(err: &subxt::rpcs::Error) -> SubmitFailure {
    let words = super::error::node_words(err);
    let code = match err {
        subxt::rpcs::Error::User(user) => Some(user.code),
        _ => None,
    };
    if matches!(code, Some(1012 | 1013)) {
        return SubmitFailure::Unknown(words);
    }
    let rejection = parse_rejection(&words);
    let verdict = code.is_some_and(|c| VERDICT_CODES.contains(&c))
        || (code.is_some() && rejection.reason != "Unknown");
    if verdict {
        SubmitFailure::Refused(rejection)
    } else {
        SubmitFailure::Unknown(words)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error(
        "The chain included the transaction but it failed: {error}. Nothing was changed except the fee."
    )]
    Dispatch {
        error: ChainError,
        extrinsic_hash: [u8; 32],
        block_hash: [u8; 32],
    },
    #[error("The node refused the transaction: {0}")]
    Invalid(Rejection),
    #[error(
        "The node dropped the transaction before it reached a block ({0}); check the account's history before retrying."
    )]
    Dropped(String),
    #[error(
        "Could not build {call} for this runtime: {message}. The runtime may have changed the call; update taotui."
    )]
    Build { call: String, message: String },
    #[error(
        "The node did not answer while {during}: {message}. Check the connection and try again."
    )]
    Rpc {
        during: &'static str,
        message: String,
    },
    #[error(
        "No answer within {} s while {during}; the transaction {} may still land, so check its status before retrying.",
        .after.as_secs(), hex_hash(.extrinsic_hash)
    )]
    Timeout {
        during: &'static str,
        after: Duration,
        extrinsic_hash: [u8; 32],
    },
    #[error(
        "The node stopped reporting on transaction {} before it reached a block; check its status before retrying.",
        hex_hash(.0)
    )]
    WatchEnded([u8; 32]),
    #[error("The transaction succeeded but its events could not be read: {0}")]
    Events(String),
    #[error(
        "Transaction {} was not included: {proof}. It can no longer land and nothing changed on chain; check the \
         balance and send it again if you still want to.",
        hex_hash(.extrinsic_hash)
    )]
    NotIncluded {
        extrinsic_hash: [u8; 32],
        /// Why it provably cannot land: its era ended, or its nonce was used by another transaction.
        proof: String,
    },
}

impl TxError {
    /// The resolved chain error, for dispatch failures.
    pub fn chain_error(&self) -> Option<&ChainError> {
        match self {
            TxError::Dispatch { error, .. } => Some(error),
            _ => None,
        }
    }

    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            TxError::Invalid(r) => Some(r),
            _ => None,
        }
    }
}

fn hex_hash(hash: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(hash))
}

/// A dynamic call with positional arguments, in the runtime's argument order.
pub fn call(
    pallet: &str,
    name: &str,
    args: impl IntoIterator<Item = Value>,
) -> DynamicPayload<Composite<()>> {
    subxt::dynamic::tx(pallet, name, Composite::unnamed(args))
}

/// An `AccountId32` argument.
pub fn account_arg(account: [u8; 32]) -> Value {
    Value::from_bytes(account)
}

/// The account's next nonce as the node sees it, including transactions waiting in its pool.
pub async fn next_nonce(rpc: &RpcClient, account: [u8; 32]) -> Result<u64, TxError> {
    let ss58 = taotui_keystore::ss58::encode(&account, 42);
    rpc.request::<u64>("system_accountNextIndex", rpc_params![ss58])
        .await
        .map_err(|e| TxError::Rpc {
            during: "reading the account nonce (system_accountNextIndex)",
            message: e.to_string(),
        })
}

/// Builds the signed, mortal extrinsic bytes for `call` at the current block, without submitting it.
/// Returns the encoded extrinsic and its hash.
pub async fn build_signed<CD: EncodeAsFields>(
    api: &OnlineClient<SubstrateConfig>,
    rpc: &RpcClient,
    signer: &KeypairSigner,
    call: &DynamicPayload<CD>,
    mortal_period: u64,
) -> Result<(Vec<u8>, [u8; 32]), TxError> {
    let tx = signed_tx(api, rpc, signer, call, mortal_period).await?;
    Ok((tx.encoded().to_vec(), tx.hash().0))
}

async fn signed_tx<CD: EncodeAsFields>(
    api: &OnlineClient<SubstrateConfig>,
    rpc: &RpcClient,
    signer: &KeypairSigner,
    call: &DynamicPayload<CD>,
    mortal_period: u64,
) -> Result<
    subxt::transactions::SubmittableTransaction<
        SubstrateConfig,
        subxt::client::OnlineClientAtBlockImpl<SubstrateConfig>,
    >,
    TxError,
> {
    let call_name = format!("{}.{}", call.pallet_name(), call.call_name());
    let at = api.at_current_block().await.map_err(|e| TxError::Rpc {
        during: "reading the current block",
        message: e.to_string(),
    })?;
    let nonce = next_nonce(rpc, signer.public_key()).await?;
    let params = DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new()
        .nonce(nonce)
        .mortal_from_unchecked(mortal_period, at.block_number(), at.block_hash())
        .build();
    let build_error = |e: subxt::error::ExtrinsicError| TxError::Build {
        call: call_name.clone(),
        message: e.to_string(),
    };
    let mut signable = at
        .tx()
        .create_signable_offline(call, params)
        .map_err(build_error)?;
    signable.sign(signer).map_err(build_error)
}

/// Signs `call` with `signer`, submits it and watches it; see the module docs.
pub async fn submit<CD: EncodeAsFields>(
    api: &OnlineClient<SubstrateConfig>,
    rpc: &RpcClient,
    signer: &KeypairSigner,
    call: &DynamicPayload<CD>,
    options: &SubmitOptions,
) -> Result<TxOutcome, TxError> {
    let tx = signed_tx(api, rpc, signer, call, options.mortal_period).await?;
    let extrinsic_hash = tx.hash().0;
    let started = Instant::now();
    let mut progress = tx
        .submit_and_watch()
        .await
        .map_err(|e| submission_error(&e.to_string()))?;

    let mut stages = Vec::new();
    let deadline = started + options.timeout;
    let in_block = loop {
        let status = match next_before(&mut progress, deadline).await {
            Next::Item(status) => status,
            Next::Ended => return Err(TxError::WatchEnded(extrinsic_hash)),
            Next::TimedOut => {
                return Err(TxError::Timeout {
                    during: "waiting for the transaction to be included in a block",
                    after: options.timeout,
                    extrinsic_hash,
                });
            }
        };
        let status = status.map_err(|e| TxError::Rpc {
            during: "watching the transaction",
            message: e.to_string(),
        })?;
        match status {
            TransactionStatus::Validated => stages.push(TxStage::Validated),
            TransactionStatus::Broadcasted => stages.push(TxStage::Broadcasted),
            TransactionStatus::NoLongerInBestBlock => stages.push(TxStage::NoLongerInBestBlock),
            TransactionStatus::InBestBlock(b) => {
                stages.push(TxStage::InBlock(b.block_hash().0));
                break b;
            }
            // A node may report finality without a separate in-block notice.
            TransactionStatus::InFinalizedBlock(b) => {
                stages.push(TxStage::InBlock(b.block_hash().0));
                stages.push(TxStage::Finalized(b.block_hash().0));
                break b;
            }
            TransactionStatus::Invalid { message } | TransactionStatus::Error { message } => {
                return Err(TxError::Invalid(parse_rejection(&message)));
            }
            TransactionStatus::Dropped { message } => return Err(TxError::Dropped(message)),
        }
    };
    let time_to_in_block = started.elapsed();
    let block_hash = in_block.block_hash().0;

    let events = in_block
        .fetch_events()
        .await
        .map_err(|e| TxError::Events(e.to_string()))?;
    let at_block = in_block
        .at()
        .await
        .map_err(|e| TxError::Events(e.to_string()))?;
    let block_number = at_block.block_number();
    let metadata = at_block.metadata();
    let lookup = metadata_lookup(&metadata);
    let mut summaries = Vec::new();
    for event in events.iter() {
        let event = event.map_err(|e| TxError::Events(e.to_string()))?;
        let fields = event
            .decode_fields_unchecked_as::<Composite<()>>()
            .map_err(|e| TxError::Events(e.to_string()))?;
        let pallet = event.pallet_name().to_owned();
        let variant = event.event_name().to_owned();
        if let Some(error) = failure_in_event(&pallet, &variant, &fields, &lookup) {
            return Err(TxError::Dispatch {
                error,
                extrinsic_hash,
                block_hash,
            });
        }
        summaries.push(EventSummary {
            pallet,
            variant,
            fields: fields.to_string(),
        });
    }

    let mut finalized = stages.iter().any(|s| matches!(s, TxStage::Finalized(_)));
    if options.wait_for_finalized && !finalized {
        let deadline = Instant::now() + options.finality_wait;
        while let Next::Item(Ok(status)) = next_before(&mut progress, deadline).await {
            match status {
                TransactionStatus::InFinalizedBlock(b) => {
                    stages.push(TxStage::Finalized(b.block_hash().0));
                    finalized = b.block_hash().0 == block_hash;
                    break;
                }
                TransactionStatus::InBestBlock(b) => {
                    stages.push(TxStage::InBlock(b.block_hash().0))
                }
                TransactionStatus::NoLongerInBestBlock => stages.push(TxStage::NoLongerInBestBlock),
                _ => break,
            }
        }
    }

    Ok(TxOutcome {
        extrinsic_hash,
        block_hash,
        block_number,
        events: summaries,
        finalized,
        stages,
        time_to_in_block,
    })
}

/// Wraps `call` in `Sudo.sudo` and submits it signed by the sudo key. A failure of the inner call (reported by
/// the runtime in `Sudo.Sudid`, not as `ExtrinsicFailed`) is returned as [`TxError::Dispatch`] too.
pub async fn submit_sudo(
    api: &OnlineClient<SubstrateConfig>,
    rpc: &RpcClient,
    sudo: &KeypairSigner,
    inner: DynamicPayload<Composite<()>>,
    options: &SubmitOptions,
) -> Result<TxOutcome, TxError> {
    let wrapped = call("Sudo", "sudo", [inner.into_value()]);
    submit(api, rpc, sudo, &wrapped, options).await
}

enum Next<T> {
    Item(T),
    Ended,
    TimedOut,
}

async fn next_before<S, T>(stream: &mut S, deadline: Instant) -> Next<T>
where
    S: subxt::ext::futures::Stream<Item = T> + Unpin,
{
    use subxt::ext::futures::StreamExt;
    let left = deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(left, stream.next()).await {
        Ok(Some(item)) => Next::Item(item),
        Ok(None) => Next::Ended,
        Err(_) => Next::TimedOut,
    }
}

/// An error from sending the transaction: the node's verdict on it when there is one (a node answers an
/// invalid transaction with an RPC error carrying the runtime's reason), else a connection problem.
fn submission_error(message: &str) -> TxError {
    let rejection = parse_rejection(message);
    let looks_like_verdict = {
        let lower = message.to_ascii_lowercase();
        [
            "invalid",
            "1010",
            "1011",
            "1012",
            "1013",
            "1014",
            "rejected",
            "unknown transaction",
        ]
        .iter()
        .any(|m| lower.contains(m))
    };
    if rejection.reason == "Unknown" && !looks_like_verdict {
        TxError::Rpc {
            during: "submitting the transaction",
            message: message.to_owned(),
        }
    } else {
        TxError::Invalid(rejection)
    }
}

/// The dispatch error a failure event carries (`System.ExtrinsicFailed`, or a wrapped call's `Err` in
/// `Proxy.ProxyExecuted` / `Sudo.Sudid`, whose outer extrinsic succeeds), resolved against `metadata`.
pub fn dispatch_failure(
    pallet: &str,
    variant: &str,
    fields: &Composite<()>,
    metadata: &Metadata,
) -> Option<ChainError> {
    failure_in_event(pallet, variant, fields, &metadata_lookup(metadata))
}

/// The dispatch error carried by a failure event, if `pallet.variant` is one.
fn failure_in_event(
    pallet: &str,
    variant: &str,
    fields: &Composite<()>,
    lookup: &ErrorLookup<'_>,
) -> Option<ChainError> {
    match (pallet, variant) {
        ("System", "ExtrinsicFailed") => {
            let error = fields.values().next()?;
            Some(resolve_with(error, lookup))
        }
        // Sudo and Proxy report the inner call's result here; the outer extrinsic itself succeeds.
        ("Sudo", "Sudid") | ("Sudo", "SudoAsDone") | ("Proxy", "ProxyExecuted") => {
            let result = fields.values().next()?;
            match &result.value {
                ValueDef::Variant(v) if v.name == "Err" => {
                    let error = v.values.values().next()?;
                    Some(resolve_with(error, lookup))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Finds (pallet, variant, docs) for a module error's pallet index and error index.
type ErrorLookup<'a> = dyn Fn(u8, u8) -> Option<(String, String, String)> + 'a;

fn metadata_lookup(
    metadata: &Metadata,
) -> impl Fn(u8, u8) -> Option<(String, String, String)> + '_ {
    move |p, e| {
        let pallet = metadata.pallet_by_error_index(p)?;
        // A pallet the metadata knows with an error it does not (a runtime newer than this metadata) is still
        // named by its pallet; the empty docs lead to the "reconnect" sentence.
        let Some(variant) = pallet.error_variant_by_index(e) else {
            return Some((
                pallet.name().to_owned(),
                format!("Error#{e}"),
                String::new(),
            ));
        };
        Some((
            pallet.name().to_owned(),
            variant.name.clone(),
            variant.docs.join(" "),
        ))
    }
}

/// The runtime's documentation of an error as one sentence: lines joined, rustdoc links and markup dropped,
/// ending with a full stop. `None` when there is no documentation.
pub fn docs_sentence(docs: &str) -> Option<String> {
    let text: String = docs
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['`', '[', ']'], "")
        .replace("\"", "");
    let text = text.trim().trim_start_matches("DEPRECATED:").trim();
    if text.is_empty() {
        return None;
    }
    let mut out = text.to_owned();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    Some(out)
}

/// Turns a decoded `sp_runtime::DispatchError` value into names and a sentence.
pub fn resolve_dispatch_error(error: &Value, metadata: &Metadata) -> ChainError {
    resolve_with(error, &metadata_lookup(metadata))
}

fn resolve_with(error: &Value, lookup: &ErrorLookup<'_>) -> ChainError {
    let ValueDef::Variant(outer) = &error.value else {
        return ChainError {
            pallet: "DispatchError".to_owned(),
            variant: "Unknown".to_owned(),
            sentence: format!("The runtime returned an error taotui cannot read: {error}."),
        };
    };
    let first = outer.values.values().next();
    match outer.name.as_str() {
        "Module" => {
            let index = first
                .and_then(|m| m.at("index"))
                .and_then(Value::as_u128)
                .and_then(|i| u8::try_from(i).ok());
            let err = first
                .and_then(|m| m.at("error"))
                .and_then(|e| e.at(0))
                .and_then(Value::as_u128)
                .and_then(|i| u8::try_from(i).ok());
            module_error(index, err, lookup)
        }
        "Token" | "Arithmetic" | "Transactional" => {
            let inner = match first.map(|v| &v.value) {
                Some(ValueDef::Variant(v)) => v.name.clone(),
                _ => "Unknown".to_owned(),
            };
            let sentence = general_error_sentence(&outer.name, &inner);
            ChainError {
                pallet: outer.name.clone(),
                variant: inner,
                sentence,
            }
        }
        other => ChainError {
            pallet: "DispatchError".to_owned(),
            variant: other.to_owned(),
            sentence: general_error_sentence("DispatchError", other),
        },
    }
}

fn module_error(index: Option<u8>, error: Option<u8>, lookup: &ErrorLookup<'_>) -> ChainError {
    let resolved = index.zip(error).and_then(|(p, e)| lookup(p, e));
    match resolved {
        Some((pallet, variant, docs)) => {
            let sentence = module_error_sentence(&pallet, &variant)
                .map(str::to_owned)
                .unwrap_or_else(|| match docs_sentence(&docs) {
                    Some(docs) => format!("The runtime refused the call: {docs}"),
                    None if variant.starts_with("Error#") => format!(
                        "The runtime refused the call with an error of {pallet} that this metadata does not describe; the runtime may have been upgraded, so reconnect and try again."
                    ),
                    None => format!(
                        "The runtime refused the call with {pallet}::{variant} and gives no explanation for it."
                    ),
                });
            ChainError {
                pallet,
                variant,
                sentence,
            }
        }
        None => ChainError {
            pallet: format!("Pallet#{}", index.map_or(-1, i32::from)),
            variant: format!("Error#{}", error.map_or(-1, i32::from)),
            sentence: "The runtime returned a module error this metadata does not describe; the runtime may have \
                       been upgraded, so reconnect and try again."
                .to_owned(),
        },
    }
}

/// Sentences for the errors a nominator meets; names checked against spec-293 metadata (and later runtimes).
pub fn module_error_sentence(pallet: &str, variant: &str) -> Option<&'static str> {
    let sentence = match (pallet, variant) {
        ("SubtensorModule", "NotEnoughBalanceToStake") => {
            "The coldkey's free balance does not cover this stake plus fees; stake a smaller amount or add TAO first."
        }
        ("SubtensorModule", "AmountTooLow") => {
            "The amount is below the chain's minimum stake; use a larger amount."
        }
        ("SubtensorModule", "StakingRateLimitExceeded")
        | ("SubtensorModule", "StakingOperationRateLimitExceeded") => {
            "This hotkey and subnet were staked or unstaked too recently; wait a block or two and try again."
        }
        ("SubtensorModule", "TxRateLimitExceeded") => {
            "The chain's transaction rate limit for this account was hit; wait a few blocks and try again."
        }
        ("SubtensorModule", "NetworkTxRateLimitExceeded") => {
            "A subnet was registered too recently; wait for the network rate limit to pass."
        }
        ("SubtensorModule", "HotKeyAccountNotExists") => {
            "That hotkey is not registered on the chain; check the validator's address."
        }
        ("SubtensorModule", "HotKeyNotRegisteredInSubNet")
        | ("SubtensorModule", "HotKeyNotRegisteredInNetwork") => {
            "That hotkey is not registered on this subnet; pick a validator that is, or another subnet."
        }
        ("SubtensorModule", "SubnetNotExists") | ("SubtensorModule", "SubNetworkDoesNotExist") => {
            "That subnet does not exist; check the netuid."
        }
        ("SubtensorModule", "SubtokenDisabled") => {
            "Staking on this subnet is not enabled yet (its owner has not started it); choose another subnet or wait."
        }
        ("SubtensorModule", "SlippageTooHigh") => {
            "The price moved beyond your tolerance before the transaction ran; raise the tolerance, allow a partial \
             fill, or try a smaller amount."
        }
        ("SubtensorModule", "ZeroMaxStakeAmount") => {
            "At your limit price nothing can be traded right now; raise the tolerance or wait for the price to move."
        }
        ("SubtensorModule", "NotEnoughStakeToWithdraw") | ("SubtensorModule", "NotEnoughStake") => {
            "The position holds less than the amount to unstake; unstake less or use --all."
        }
        ("SubtensorModule", "InsufficientLiquidity") => {
            "The subnet's pool has too little liquidity for this trade; use a smaller amount."
        }
        ("SubtensorModule", "NonAssociatedColdKey") => {
            "This coldkey does not own that hotkey, so it cannot do this; use the hotkey's owner coldkey."
        }
        ("SubtensorModule", "TransferDisallowed") => {
            "This subnet does not allow moving stake to another coldkey."
        }
        ("SubtensorModule", "SameNetuid") => {
            "Origin and destination subnet are the same; pick another subnet."
        }
        ("SubtensorModule", "InsufficientBalance") => {
            "The coldkey's balance is too low for this operation; add TAO or use a smaller amount."
        }
        ("SubtensorModule", "CannotUnstakeLock") => {
            "That stake is the subnet owner's locked stake and cannot be unstaked."
        }
        ("SubtensorModule", "StakeUnavailable") => {
            "Part of this position is locked, and what would be left after this unstake or move would not cover \
             the lock; unstake or move at most the available (unlocked) amount shown by `taotui stake list`."
        }
        ("SubtensorModule", "RootStakeLocked") => {
            "This root stake is still in its hold window and cannot be unstaked or moved yet; try again once the \
             hold window has passed."
        }
        ("SubtensorModule", "AccountRejectsLockedAlpha") => {
            "The destination coldkey does not accept locked alpha; send unlocked stake or pick another destination."
        }
        ("SubtensorModule", "CannotUseSystemAccount") => {
            "That address is a system account of the chain (a subnet or pallet account) and cannot be used here; \
             give an ordinary account's address."
        }
        ("SubtensorModule", "InsufficientStakeForLock")
        | ("SubtensorModule", "UnlockAmountTooHigh") => {
            "The position does not hold that much stake to lock or unlock; use a smaller amount."
        }
        ("SubtensorModule", "ColdkeySwapAnnounced")
        | ("SubtensorModule", "ColdkeySwapDisputed")
        | ("SubtensorModule", "ColdKeyAlreadyAssociated") => {
            "A coldkey swap is announced or disputed for this account, so it cannot stake or transfer until the \
             swap is settled."
        }
        ("SubtensorModule", "StakeTooLowForRoot") => {
            "The hotkey has too little stake for the root subnet; pick another validator."
        }
        ("SubtensorModule", "BalanceWithdrawalError")
        | ("SubtensorModule", "ZeroBalanceAfterWithdrawn") => {
            "The amount could not be taken from the coldkey's free balance without emptying it; keep a little TAO \
             on the account or stake less."
        }
        ("SubtensorModule", "AmountTooLowForStake")
        | ("SubtensorModule", "NotEnoughAlphaOutToRecycle") => {
            "The amount is too small for this operation; use a larger amount."
        }
        ("SubtensorModule", "DelegateTxRateLimitExceeded")
        | ("SubtensorModule", "TxChildkeyTakeRateLimitExceeded") => {
            "This was done too recently; wait for the rate limit to pass and try again."
        }
        ("SubtensorModule", "RegistrationNotPermittedOnRootSubnet") => {
            "That is not allowed on the root subnet; pick another subnet."
        }
        ("SubtensorModule", "MechanismDoesNotExist") | ("Swap", "MechanismDoesNotExist") => {
            "That subnet does not exist (or has no pool); check the netuid."
        }
        ("Swap", "SubtokenDisabled") => {
            "Trading on this subnet is not enabled yet (its owner has not started it); choose another subnet or wait."
        }
        ("Swap", "PriceLimitExceeded") => {
            "The price is beyond your limit; raise the tolerance, allow a partial fill, or use a smaller amount."
        }
        ("Swap", "InsufficientLiquidity")
        | ("Swap", "ReservesTooLow")
        | ("Swap", "ReservesOutOfBalance")
        | ("Swap", "SwapInputTooLarge") => {
            "The subnet's pool has too little liquidity for this trade; use a smaller amount."
        }
        ("Swap", "InsufficientInputAmount") => {
            "The amount is too small to trade on this pool; use a larger amount."
        }
        ("Swap", "InsufficientBalance") => {
            "The coldkey's balance is too low for this trade; add TAO or use a smaller amount."
        }
        ("Balances", "LiquidityRestrictions") | ("Balances", "VestingBalance") => {
            "Part of the balance is frozen or vesting and cannot be spent yet; send less."
        }
        ("Balances", "DeadAccount") => {
            "The destination account does not exist yet; send it at least the existential deposit first."
        }
        ("SubtensorModule", "TooManyRegistrationsThisBlock")
        | ("SubtensorModule", "TooManyRegistrationsThisInterval") => {
            "The subnet's registration limit is reached; try again in a later block or interval."
        }
        ("SubtensorModule", "HotKeyAlreadyRegisteredInSubNet") => {
            "That hotkey is already registered on this subnet."
        }
        ("SubtensorModule", "NeedWaitingMoreBlocksToStarCall") => {
            "The subnet cannot be started yet; wait until its start-call delay has passed."
        }
        ("SubtensorModule", "NotSubnetOwner") => "Only the subnet's owner coldkey can do this.",
        ("Balances", "InsufficientBalance") => {
            "The balance is too low for this transfer plus fees; send less or add TAO."
        }
        ("Balances", "Expendability") | ("Balances", "KeepAlive") => {
            "This would leave the account below the existential deposit; send less or use transfer-all."
        }
        ("Balances", "ExistentialDeposit") => {
            "The amount is below the existential deposit, so the destination account could not exist; send more."
        }
        ("Sudo", "RequireSudo") => "Only the chain's sudo key can do this.",
        _ => return None,
    };
    Some(sentence)
}

fn general_error_sentence(kind: &str, variant: &str) -> String {
    match (kind, variant) {
        ("DispatchError", "BadOrigin") => {
            "The signing account is not allowed to make this call.".to_owned()
        }
        ("DispatchError", "CannotLookup") => {
            "An address in the call does not refer to an account the chain knows; check the addresses.".to_owned()
        }
        ("DispatchError", "ConsumerRemaining") | ("DispatchError", "NoProviders") => {
            "The account is still in use by something else on chain (or would stop existing), so this cannot be done; keep the existential deposit on it.".to_owned()
        }
        ("DispatchError", "TooManyConsumers") => {
            "The account has too many things depending on it on chain to take one more.".to_owned()
        }
        ("DispatchError", "Exhausted") => {
            "The block had no room left for this call; try again shortly.".to_owned()
        }
        ("DispatchError", "Corruption") | ("DispatchError", "Unavailable") => {
            "The chain's state was unavailable or inconsistent for this call; try again later.".to_owned()
        }
        ("DispatchError", "RootNotAllowed") => {
            "This call cannot be made by the chain's root origin.".to_owned()
        }
        ("DispatchError", "Other") => {
            "The runtime refused the call without giving a reason; check the amounts and try again.".to_owned()
        }
        ("Token", "Frozen") | ("Token", "Blocked") => {
            "The funds are frozen or blocked and cannot move now; use a smaller amount.".to_owned()
        }
        ("Token", "OnlyProvider") | ("Token", "CannotCreate") => {
            "This would remove the last funds keeping an account alive, or create an account that cannot exist; keep the existential deposit.".to_owned()
        }
        ("Token", "UnknownAsset") | ("Token", "Unsupported") | ("Token", "CannotCreateHold") => {
            "The chain does not support this operation on these funds.".to_owned()
        }
        ("Transactional", _) => {
            "The call nested too many storage transactions on chain; this is a runtime limit, not your input.".to_owned()
        }
        ("Token", "FundsUnavailable") => {
            "The account does not have the funds for this; use a smaller amount or add TAO."
                .to_owned()
        }
        ("Token", "NotExpendable") | ("Token", "BelowMinimum") => {
            "This would take the account below the existential deposit; keep a little TAO on it."
                .to_owned()
        }
        ("Arithmetic", _) => {
            "The amount caused an arithmetic overflow or underflow on chain; use a smaller amount."
                .to_owned()
        }
        _ => format!("The runtime refused the call with {kind}::{variant}."),
    }
}

/// Subtensor's `CustomTransactionError` codes (`InvalidTransaction::Custom(n)` from its transaction extension).
pub fn subtensor_custom_error(code: u8) -> Option<(&'static str, &'static str)> {
    let entry = match code {
        0 => (
            "ColdkeyInSwapSchedule",
            "This coldkey has a coldkey swap scheduled, so it cannot stake or transfer now.",
        ),
        1 => (
            "StakeAmountTooLow",
            "The amount is below the chain's minimum stake; use a larger amount.",
        ),
        2 => (
            "BalanceTooLow",
            "The coldkey's free balance does not cover this amount plus fees; use a smaller amount or add TAO.",
        ),
        3 => (
            "SubnetNotExists",
            "That subnet does not exist; check the netuid.",
        ),
        4 => (
            "HotkeyAccountDoesntExist",
            "That hotkey is not registered on the chain; check the validator's address.",
        ),
        5 => (
            "NotEnoughStakeToWithdraw",
            "The position holds less than the amount to unstake; unstake less or use --all.",
        ),
        6 => (
            "RateLimitExceeded",
            "This was done too recently; wait a block or two and try again.",
        ),
        7 => (
            "InsufficientLiquidity",
            "The subnet's pool has too little liquidity for this trade; use a smaller amount.",
        ),
        8 => (
            "SlippageTooHigh",
            "The price is beyond your limit; raise the tolerance or allow a partial fill.",
        ),
        9 => (
            "TransferDisallowed",
            "This subnet does not allow moving stake to another coldkey.",
        ),
        10 => (
            "HotKeyNotRegisteredInNetwork",
            "That hotkey is not registered on this subnet; pick a validator that is.",
        ),
        11 => ("InvalidIpAddress", "The IP address is not valid."),
        12 => (
            "ServingRateLimitExceeded",
            "Serving information was updated too recently; wait and try again.",
        ),
        13 => ("InvalidPort", "The port is not valid."),
        14 => (
            "ZeroMaxAmount",
            "At your limit price nothing can be traded right now; raise the tolerance.",
        ),
        255 => (
            "BadRequest",
            "The runtime refused the request as not allowed right now: a second stake operation with the same hotkey on the same subnet in one block (the staking rate limit), or a subnet whose token is not enabled; wait a block and check the subnet and the amounts.",
        ),
        _ => return None,
    };
    Some(entry)
}

/// Reads the runtime's `TransactionValidityError` out of a node's error message (real nodes say e.g.
/// `Invalid Transaction: Custom error: 2` or `Inability to pay some fees`, chopsticks says
/// `{"invalid":{"custom":2}}`).
pub fn parse_rejection(message: &str) -> Rejection {
    let lower = message.to_ascii_lowercase();
    let compact: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect();
    let raw = message.to_owned();
    if let Some(code) = custom_code(&lower) {
        let custom = subtensor_custom_error(code);
        return Rejection {
            reason: format!("Custom({code})"),
            custom_name: custom.map(|c| c.0),
            sentence: custom.map_or_else(
                || format!("The runtime refused the transaction with custom error {code}."),
                |c| c.1.to_owned(),
            ),
            raw,
        };
    }
    let known: [(&[&str], &str, &str); 15] = [
        (
            &["prioritytoolow", "toolowpriority"],
            "TooLowPriority",
            "A transaction from this account with the same nonce is already waiting in the pool with a higher \
             priority; wait for it to land (check `taotui history`) before sending again.",
        ),
        (
            &[
                "immediatelydropped",
                "poolisfull",
                "limitsofthepool",
                "couldntenterthepool",
            ],
            "PoolFull",
            "The node's transaction pool is full right now; try again in a minute or use another endpoint with \
             --network.",
        ),
        (
            &["temporarilybanned"],
            "Banned",
            "The node has seen this exact transaction recently and will not take it again for a while; check \
             `taotui history` or the account before sending a new one.",
        ),
        (
            &["alreadyimported"],
            "AlreadyImported",
            "The node already has this exact transaction; it may still land, so check `taotui history` before \
             sending a new one.",
        ),
        (
            &[
                "unknowntransactionvalidity",
                "couldnotlookup",
                "unknowntransaction",
            ],
            "UnknownValidity",
            "The node could not check the transaction (it lacks state it needs); try again or use another \
             endpoint with --network.",
        ),
        (
            &["payment", "inabilitytopay"],
            "Payment",
            "The account cannot pay the transaction fee; add TAO to the signing account.",
        ),
        (
            &["stale", "outdated"],
            "Stale",
            "The nonce was already used: another transaction from this account landed first; check the history before retrying.",
        ),
        (
            &["future"],
            "Future",
            "The nonce is ahead of the chain; wait for earlier transactions from this account to land.",
        ),
        (
            &["badproof", "badsignature", "invalidsignature"],
            "BadProof",
            "The signature is not valid for this chain (wrong network, or the runtime changed since the preview); \
             check --network, then preview and sign again.",
        ),
        (
            &["ancientbirthblock"],
            "AncientBirthBlock",
            "The transaction's validity period (its era) had already ended when it reached the node, which is \
             usually a node far behind the chain; use another endpoint with --network and try again.",
        ),
        (
            &["exhaustsresources", "exhaustresources"],
            "ExhaustsResources",
            "Blocks are full right now; try again shortly.",
        ),
        (
            &["badsigner"],
            "BadSigner",
            "The signing account cannot make this call.",
        ),
        (
            &["nounsignedvalidator"],
            "NoUnsignedValidator",
            "The call must be signed; nothing validates it unsigned.",
        ),
        (
            &["cannotlookup"],
            "CannotLookup",
            "An account in the call could not be looked up.",
        ),
        (
            &["mandatory"],
            "BadMandatory",
            "The call is reserved for the block author.",
        ),
    ];
    for (needles, reason, sentence) in known {
        if needles.iter().any(|n| compact.contains(n)) {
            return Rejection {
                reason: reason.to_owned(),
                custom_name: None,
                sentence: sentence.to_owned(),
                raw,
            };
        }
    }
    Rejection {
        reason: "Unknown".to_owned(),
        custom_name: None,
        sentence: "The node refused the transaction for a reason taotui does not recognise; see the node's message."
            .to_owned(),
        raw,
    }
}

fn custom_code(lower: &str) -> Option<u8> {
    let start = lower.find("custom")? + "custom".len();
    let rest = &lower[start..];
    let rest =
        rest.trim_start_matches(|c: char| !c.is_ascii_digit() && rest.len() < 64 && c != '}');
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn chopsticks_custom_error_is_decoded() {
        let r = parse_rejection(r#"Extrinsic is invalid: {"invalid":{"custom":255}}"#);
        assert_eq!(r.reason, "Custom(255)");
        assert_eq!(r.custom_name, Some("BadRequest"));
        let r = parse_rejection(r#"{"invalid":{"custom":2}}"#);
        assert_eq!(r.custom_name, Some("BalanceTooLow"));
    }

    #[test]
    fn substrate_node_messages_are_decoded() {
        let r = parse_rejection("Invalid Transaction (1010): Custom error: 6");
        assert_eq!(r.custom_name, Some("RateLimitExceeded"));
        let r = parse_rejection(
            "1010: Invalid Transaction: Inability to pay some fees (e.g. account balance too low)",
        );
        assert_eq!(r.reason, "Payment");
        let r = parse_rejection(r#"{"invalid":{"payment":null}}"#);
        assert_eq!(r.reason, "Payment");
        let r = parse_rejection(r#"{"invalid":{"stale":null}}"#);
        assert_eq!(r.reason, "Stale");
        let r = parse_rejection(r#"{"unknown":{"noUnsignedValidator":null}}"#);
        assert_eq!(r.reason, "NoUnsignedValidator");
        let r = parse_rejection("something else entirely");
        assert_eq!(r.reason, "Unknown");
        assert_eq!(r.raw, "something else entirely");
    }

    #[test]
    fn submission_errors_split_verdicts_from_connection_problems() {
        let e = submission_error(r#"Rpc error: {"invalid":{"custom":2}}"#);
        assert_eq!(
            e.rejection().and_then(|r| r.custom_name),
            Some("BalanceTooLow")
        );
        let e = submission_error("1010: Invalid Transaction: Transaction has a bad signature");
        assert_eq!(e.rejection().map(|r| r.reason.as_str()), Some("BadProof"));
        let e = submission_error("Rpc error: connection closed");
        assert!(matches!(e, TxError::Rpc { .. }), "{e}");
    }

    fn user_error(code: i32, message: &str, data: Option<&str>) -> subxt::rpcs::Error {
        subxt::rpcs::Error::User(subxt::rpcs::UserError {
            code,
            message: message.to_owned(),
            data: data.map(|d| serde_json::value::RawValue::from_string(d.to_owned()).unwrap()),
        })
    }

    #[test]
    fn refusals_show_the_nodes_words_and_ambiguous_errors_are_not_refusals() {
        let bad_sig = user_error(
            1010,
            "Invalid Transaction",
            Some(r#""Transaction has a bad signature""#),
        );
        let SubmitFailure::Refused(r) = classify_submit_error(&bad_sig) else {
            panic!("a 1010 is a verdict")
        };
        assert_eq!(r.reason, "BadProof");
        let text = r.to_string();
        assert!(
            text.contains("Invalid Transaction (code 1010): Transaction has a bad signature"),
            "{text}"
        );
        for (code, message, data, reason) in [
            (
                1010,
                "Invalid Transaction",
                Some(r#""Transaction is outdated""#),
                "Stale",
            ),
            (
                1010,
                "Invalid Transaction",
                Some(r#""Transaction will be valid in the future""#),
                "Future",
            ),
            (
                1010,
                "Invalid Transaction",
                Some(r#""Transaction has an ancient birth block""#),
                "AncientBirthBlock",
            ),
            (
                1010,
                "Invalid Transaction",
                Some(r#""Inability to pay some fees (e.g. account balance too low)""#),
                "Payment",
            ),
            (
                1010,
                "Invalid Transaction",
                Some(r#""Custom error: 2""#),
                "Custom(2)",
            ),
            (
                1014,
                "Priority is too low: (100 vs 100)",
                Some(
                    r#""The transaction has too low priority to replace another transaction already in the pool.""#,
                ),
                "TooLowPriority",
            ),
            (
                1016,
                "Immediately Dropped",
                Some(r#""The transaction couldn't enter the pool because of the limit""#),
                "PoolFull",
            ),
            (
                1011,
                "Unknown Transaction Validity",
                Some(r#""Could not lookup information required to validate the transaction""#),
                "UnknownValidity",
            ),
        ] {
            let SubmitFailure::Refused(r) = classify_submit_error(&user_error(code, message, data))
            else {
                panic!("{code} {message}")
            };
            assert_eq!(r.reason, reason, "{code} {message} {data:?}");
            assert!(r.to_string().contains(message), "{r}");
        }
        // A generic error, "already imported" and "banned" do not prove the node did not take it.
        for (code, message) in [
            (-32000, "Server error"),
            (1013, "Transaction Already Imported"),
            (1012, "Transaction is temporarily banned"),
        ] {
            let SubmitFailure::Unknown(words) =
                classify_submit_error(&user_error(code, message, None))
            else {
                panic!("{code} is not a verdict")
            };
            assert!(
                words.contains(message) && words.contains(&code.to_string()),
                "{words}"
            );
        }
        let lost = subxt::rpcs::Error::DisconnectedWillReconnect("gone".into());
        assert!(matches!(
            classify_submit_error(&lost),
            SubmitFailure::Unknown(_)
        ));
    }

    #[test]
    fn custom_code_needs_digits() {
        assert_eq!(custom_code("custom error: 13"), Some(13));
        assert_eq!(custom_code(r#""custom":0}"#), Some(0));
        assert_eq!(custom_code("customs"), None);
        assert_eq!(custom_code("custom 999"), None);
    }

    #[test]
    fn every_known_custom_code_has_a_sentence() {
        for code in (0..=14).chain([255]) {
            let (name, sentence) = subtensor_custom_error(code).unwrap();
            assert!(!name.is_empty() && sentence.ends_with('.'), "{code}");
        }
        assert!(subtensor_custom_error(200).is_none());
    }

    #[test]
    fn staking_errors_have_sentences() {
        for v in [
            "NotEnoughBalanceToStake",
            "AmountTooLow",
            "StakingRateLimitExceeded",
            "TxRateLimitExceeded",
            "HotKeyAccountNotExists",
            "HotKeyNotRegisteredInSubNet",
            "SubnetNotExists",
            "SubtokenDisabled",
            "SlippageTooHigh",
            "NotEnoughStakeToWithdraw",
            "InsufficientLiquidity",
        ] {
            assert!(module_error_sentence("SubtensorModule", v).is_some(), "{v}");
        }
        assert!(module_error_sentence("SubtensorModule", "NoSuchError").is_none());
    }

    fn fake_lookup(p: u8, e: u8) -> Option<(String, String, String)> {
        match (p, e) {
            (7, 13) => Some((
                "SubtensorModule".into(),
                "NotEnoughBalanceToStake".into(),
                "docs".into(),
            )),
            (7, 99) => Some((
                "SubtensorModule".into(),
                "SomethingNew".into(),
                "Something new happened.".into(),
            )),
            _ => None,
        }
    }

    fn module(p: u8, e: u8) -> Value {
        Value::unnamed_variant(
            "Module",
            [Value::named_composite([
                ("index", Value::u128(p.into())),
                (
                    "error",
                    Value::unnamed_composite([e, 0, 0, 0].map(|b| Value::u128(b.into()))),
                ),
            ])],
        )
    }

    #[test]
    fn extrinsic_failed_module_error_is_named() {
        let fields = Composite::unnamed([module(7, 13), Value::unnamed_composite([])]);
        let err = failure_in_event("System", "ExtrinsicFailed", &fields, &fake_lookup).unwrap();
        assert_eq!(err.name(), "SubtensorModule::NotEnoughBalanceToStake");
        assert!(err.sentence.contains("free balance"), "{}", err.sentence);
        // Unknown to the sentence table: the metadata's docs are used.
        let fields = Composite::unnamed([module(7, 99)]);
        let err = failure_in_event("System", "ExtrinsicFailed", &fields, &fake_lookup).unwrap();
        assert_eq!(
            err.sentence,
            "The runtime refused the call: Something new happened."
        );
        // Unknown to the metadata.
        let fields = Composite::unnamed([module(9, 1)]);
        let err = failure_in_event("System", "ExtrinsicFailed", &fields, &fake_lookup).unwrap();
        assert_eq!(err.name(), "Pallet#9::Error#1");
    }

    /// Metadata 424 (finney, July 2026) from the shared data, or `None` after saying why the test is skipped.
    fn metadata_424() -> Option<Metadata> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/chain/subtensor-finney-spec424.metadata.scale"
        );
        match std::fs::read(path) {
            Ok(bytes) => Some(Metadata::decode_from(&bytes[..]).unwrap()),
            Err(e) => {
                assert!(std::env::var("CI").as_deref() != Ok("true"), "{path}: {e}");
                eprintln!("SKIPPED: {path} unreadable ({e})");
                None
            }
        }
    }

    #[test]
    fn errors_of_runtime_424_resolve_by_index_to_sentences() {
        let Some(md) = metadata_424() else { return };
        let sm = md.pallet_by_name("SubtensorModule").unwrap();
        let index_of = |name: &str| {
            sm.error_variants()
                .unwrap()
                .iter()
                .find(|v| v.name == name)
                .map(|v| v.index)
                .unwrap()
        };
        // The new errors a nominator meets on 424: hand-worded.
        let e =
            resolve_dispatch_error(&module(sm.error_index(), index_of("StakeUnavailable")), &md);
        assert_eq!(e.name(), "SubtensorModule::StakeUnavailable");
        assert!(e.sentence.contains("locked"), "{}", e.sentence);
        for name in ["AccountRejectsLockedAlpha", "CannotUseSystemAccount"] {
            let e = resolve_dispatch_error(&module(sm.error_index(), index_of(name)), &md);
            assert_eq!(e.variant, name);
            assert_eq!(
                Some(e.sentence.as_str()),
                module_error_sentence("SubtensorModule", name)
            );
        }
        // One nobody hand-worded: the runtime's own documentation, as a sentence.
        let e = resolve_dispatch_error(
            &module(
                sm.error_index(),
                index_of("DynamicTempoBlockedByCommitReveal"),
            ),
            &md,
        );
        assert!(module_error_sentence("SubtensorModule", &e.variant).is_none());
        assert!(
            e.sentence.starts_with(
                "The runtime refused the call: trigger_epoch is blocked because commit-reveal is enabled"
            ),
            "{}",
            e.sentence
        );
        assert!(e.sentence.ends_with('.'), "{}", e.sentence);
        // Every error of every pallet of 424 becomes a sentence without an index in it.
        let mut count = 0;
        for pallet in md.pallets() {
            for v in pallet.error_variants().unwrap_or(&[]) {
                let e = resolve_dispatch_error(&module(pallet.error_index(), v.index), &md);
                assert_eq!(
                    (e.pallet.as_str(), e.variant.as_str()),
                    (pallet.name(), v.name.as_str())
                );
                assert!(
                    e.sentence.ends_with(['.', '!', '?'])
                        && !e.sentence.contains('#')
                        && e.sentence.len() > 30,
                    "{}: {}",
                    e.name(),
                    e.sentence
                );
                count += 1;
            }
        }
        assert!(count > 300, "{count} errors");
        // An error index this metadata lacks still names its pallet, and the sentence says what to do.
        let e = resolve_dispatch_error(&module(sm.error_index(), 250), &md);
        assert_eq!(e.pallet, "SubtensorModule");
        assert!(e.sentence.contains("reconnect"), "{}", e.sentence);
        assert!(!e.sentence.contains('#'), "{}", e.sentence);
    }

    #[test]
    fn root_hold_window_and_general_errors_have_sentences() {
        assert!(
            module_error_sentence("SubtensorModule", "RootStakeLocked")
                .unwrap()
                .contains("hold window")
        );
        for (kind, variant) in [
            ("DispatchError", "CannotLookup"),
            ("DispatchError", "ConsumerRemaining"),
            ("DispatchError", "NoProviders"),
            ("DispatchError", "Other"),
            ("Token", "Frozen"),
            ("Token", "OnlyProvider"),
            ("Transactional", "LimitReached"),
        ] {
            let s = general_error_sentence(kind, variant);
            assert!(!s.contains("::"), "{kind}::{variant}: {s}");
        }
        assert_eq!(
            docs_sentence("The caller is requesting removing more stake than there exists in the\n staking account. See: \"[`remove_stake()`]\""),
            Some("The caller is requesting removing more stake than there exists in the staking account. See: remove_stake().".to_owned())
        );
        assert_eq!(docs_sentence("  "), None);
    }

    #[test]
    fn sudo_failure_is_found_in_sudid() {
        let ok = Composite::unnamed([Value::unnamed_variant("Ok", [Value::unnamed_composite([])])]);
        assert!(failure_in_event("Sudo", "Sudid", &ok, &fake_lookup).is_none());
        let bad_origin = Composite::unnamed([Value::unnamed_variant(
            "Err",
            [Value::unnamed_variant("BadOrigin", [])],
        )]);
        let err = failure_in_event("Sudo", "Sudid", &bad_origin, &fake_lookup).unwrap();
        assert_eq!(err.name(), "DispatchError::BadOrigin");
        let inner = Composite::unnamed([Value::unnamed_variant("Err", [module(7, 13)])]);
        let err = failure_in_event("Sudo", "Sudid", &inner, &fake_lookup).unwrap();
        assert_eq!(err.variant, "NotEnoughBalanceToStake");
        let token = Composite::unnamed([Value::unnamed_variant(
            "Token",
            [Value::unnamed_variant("FundsUnavailable", [])],
        )]);
        let err = failure_in_event("System", "ExtrinsicFailed", &token, &fake_lookup).unwrap();
        assert_eq!(err.name(), "Token::FundsUnavailable");
        assert!(failure_in_event("Balances", "Transfer", &ok, &fake_lookup).is_none());
    }
}
