//! The connection to a Subtensor node: metadata (cached on disk), the runtime check, subxt on the legacy backend,
//! and the few raw RPC helpers batched reads are built on.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use serde::Deserialize;
use subxt::backend::LegacyBackend;
use subxt::ext::codec::{Compact, Decode, Encode};
use subxt::metadata::ArcMetadata;
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::utils::H256;
use subxt::{Metadata, OnlineClient, SubstrateConfig};

use super::error::ChainError;
use super::features::{CONNECT, Capabilities, Feature, FeatureTable};
use super::metadata_cache::MetadataCache;
use super::network::Network;
use super::rpc_transport::{ConnectFailure, TimedOut, Transport, TransportTimeouts};

pub use super::rpc_transport::ConnectionState;

/// Metadata versions asked for, newest first. V16 needs a recent runtime; spec 293 serves V15 at most.
const METADATA_VERSIONS: [u32; 2] = [16, 15];

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Deadline for each RPC request.
    pub request_timeout: Duration,
    /// Deadline for opening the WebSocket (first connect and each reconnect attempt).
    pub connect_timeout: Duration,
    /// Where metadata is cached; `None` fetches it every time.
    pub metadata_cache_dir: Option<PathBuf>,
    /// Follow runtime upgrades while connected (one subscription).
    pub watch_runtime_upgrades: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(15),
            metadata_cache_dir: None,
            watch_runtime_upgrades: true,
        }
    }
}

/// A block: its number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockRef {
    pub number: u64,
    pub hash: [u8; 32],
}

/// How current a piece of data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Read from the chain just now.
    Fresh,
    /// Read earlier; the chain could not be asked again (or has not been yet). `age` is since it was read.
    Stale { age: Duration },
    /// Never read successfully.
    Unavailable,
}

/// A value read from the chain, with the block it was read at and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<T> {
    pub value: T,
    pub block: BlockRef,
    pub fetched_at: SystemTime,
}

impl<T> Snapshot<T> {
    pub fn new(value: T, block: BlockRef) -> Snapshot<T> {
        Snapshot {
            value,
            block,
            fetched_at: SystemTime::now(),
        }
    }

    /// Fresh while younger than `max_age`, stale after.
    pub fn freshness(&self, max_age: Duration) -> Freshness {
        let age = self.fetched_at.elapsed().unwrap_or_default();
        if age <= max_age {
            Freshness::Fresh
        } else {
            Freshness::Stale { age }
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Snapshot<U> {
        Snapshot {
            value: f(self.value),
            block: self.block,
            fetched_at: self.fetched_at,
        }
    }
}

/// The freshness of an optional snapshot: `None` is [`Freshness::Unavailable`].
pub fn freshness_of<T>(snapshot: Option<&Snapshot<T>>, max_age: Duration) -> Freshness {
    snapshot.map_or(Freshness::Unavailable, |s| s.freshness(max_age))
}

/// What the runtime currently is; replaced as a whole on a runtime upgrade.
#[derive(Debug)]
struct RuntimeState {
    spec_version: u32,
    transaction_version: u32,
    metadata: ArcMetadata,
    /// Which features work on this runtime.
    features: Arc<FeatureTable>,
    capabilities: Capabilities,
}

/// A runtime the chain ran at some past block: its metadata and features, for reading that block's state.
#[derive(Debug, Clone)]
pub struct PastRuntime {
    pub spec_version: u32,
    metadata: ArcMetadata,
    features: Arc<FeatureTable>,
}

impl PastRuntime {
    pub fn new(spec_version: u32, metadata: Metadata) -> PastRuntime {
        let features = FeatureTable::build(&metadata, spec_version);
        PastRuntime {
            spec_version,
            metadata: metadata.arc(),
            features: Arc::new(features),
        }
    }
}

struct Inner {
    network: Network,
    transport: Transport,
    rpc: RpcClient,
    api: OnlineClient<SubstrateConfig>,
    config: SubstrateConfig,
    genesis_hash: [u8; 32],
    cache: Option<MetadataCache>,
    runtime: RwLock<Arc<RuntimeState>>,
    /// Capabilities as of connect; kept so `capabilities()` can hand out a reference.
    initial_capabilities: Capabilities,
}

/// A connection to a Subtensor node. Cloning is cheap and clones share the connection.
#[derive(Clone)]
pub struct ChainClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ChainClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainClient")
            .field("network", &self.inner.network)
            .field("spec_version", &self.spec_version())
            .field("transport", &self.inner.transport)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuntimeVersionJson {
    spec_version: u32,
    transaction_version: u32,
}

impl ChainClient {
    /// Connects, loads the metadata (from the cache when possible) and checks the runtime.
    ///
    /// Costs 2 RPC requests with a cache hit (genesis hash, runtime version) plus 1-2 to fetch metadata on a miss,
    /// plus one runtime-version subscription when `watch_runtime_upgrades` is on.
    pub async fn connect(
        network: &Network,
        opts: ConnectOptions,
    ) -> Result<ChainClient, ChainError> {
        let urls = network.ws_urls();
        let url = urls.join(", ");
        if crate::chain::offline::network_forbidden() {
            return Err(ChainError::Unreachable {
                url,
                reason: "this is the offline signer, which never connects".to_owned(),
            });
        }
        let timeouts = TransportTimeouts {
            request: opts.request_timeout,
            connect: opts.connect_timeout,
        };
        let transport =
            Transport::connect(&urls, timeouts)
                .await
                .map_err(|failure| match failure {
                    ConnectFailure::TimedOut => ChainError::Timeout {
                        what: format!("connecting to {url}"),
                        after: opts.connect_timeout,
                    },
                    ConnectFailure::Failed(reason) => ChainError::Unreachable {
                        url: url.clone(),
                        reason,
                    },
                })?;
        let rpc = RpcClient::new(transport.clone());

        let (genesis, version) = tokio::try_join!(
            request::<String>(&rpc, "chain_getBlockHash", rpc_params![0u32]),
            request::<RuntimeVersionJson>(&rpc, "state_getRuntimeVersion", rpc_params![]),
        )?;
        let genesis_hash = parse_hash("chain_getBlockHash(0)", &genesis)?;

        let cache = opts.metadata_cache_dir.map(MetadataCache::new);
        let metadata = load_metadata(
            &rpc,
            cache.as_ref(),
            &genesis_hash,
            version.spec_version,
            None,
        )
        .await?;
        // Only what every screen needs can stop the connection; anything else switches off its own features.
        let features = FeatureTable::build(&metadata, version.spec_version);
        features.require(&CONNECT).map_err(|_| {
            ChainError::runtime_changed(version.spec_version, &features.connect_mismatches())
        })?;
        for sentence in features.off_sentences() {
            tracing::warn!("{sentence}");
        }
        let capabilities = features.capabilities();

        let metadata = metadata.arc();
        let config = SubstrateConfig::builder()
            .set_genesis_hash(H256(genesis_hash))
            .set_metadata_for_spec_versions([(version.spec_version, metadata.clone())])
            .build();
        let backend = LegacyBackend::<SubstrateConfig>::builder().build(rpc.clone());
        let api = OnlineClient::from_backend_with_config(config.clone(), Arc::new(backend))
            .await
            .map_err(|e| ChainError::Rpc {
                method: "building the subxt client".into(),
                message: e.to_string(),
            })?;

        let client = ChainClient {
            inner: Arc::new(Inner {
                network: network.clone(),
                transport,
                rpc,
                api,
                config,
                genesis_hash,
                cache,
                runtime: RwLock::new(Arc::new(RuntimeState {
                    spec_version: version.spec_version,
                    transaction_version: version.transaction_version,
                    metadata,
                    features: Arc::new(features),
                    capabilities: capabilities.clone(),
                })),
                initial_capabilities: capabilities,
            }),
        };
        if opts.watch_runtime_upgrades {
            super::rpc_runtime_watch::start(&client).await;
        }
        Ok(client)
    }

    /// The runtime `spec_version`, which block `at` runs, for reading and decoding past state as that runtime did:
    /// its metadata from the cache, or read at `at` (1-2 requests, then cached on disk), and its features. The
    /// current runtime's own when it is the current one.
    pub async fn past_runtime(
        &self,
        spec_version: u32,
        at: [u8; 32],
    ) -> Result<PastRuntime, ChainError> {
        let current = self.runtime();
        if current.spec_version == spec_version {
            return Ok(PastRuntime {
                spec_version,
                metadata: current.metadata.clone(),
                features: current.features.clone(),
            });
        }
        let metadata = load_metadata(
            &self.inner.rpc,
            self.inner.cache.as_ref(),
            &self.inner.genesis_hash,
            spec_version,
            Some(at),
        )
        .await?;
        Ok(PastRuntime::new(spec_version, metadata))
    }

    /// This connection, reading and decoding as `runtime` did: past reads go through it so a type that changed
    /// in an upgrade since is decoded by the shape it had then. Nothing is signed through it.
    pub fn as_runtime(&self, runtime: &PastRuntime) -> ChainClient {
        if runtime.spec_version == self.spec_version() {
            return self.clone();
        }
        let capabilities = runtime.features.capabilities();
        let i = &self.inner;
        ChainClient {
            inner: Arc::new(Inner {
                network: i.network.clone(),
                transport: i.transport.clone(),
                rpc: i.rpc.clone(),
                api: i.api.clone(),
                config: i.config.clone(),
                genesis_hash: i.genesis_hash,
                cache: i.cache.clone(),
                runtime: RwLock::new(Arc::new(RuntimeState {
                    spec_version: runtime.spec_version,
                    // Past runtimes only read; the version signing needs is the current one.
                    transaction_version: self.transaction_version(),
                    metadata: runtime.metadata.clone(),
                    features: runtime.features.clone(),
                    capabilities: capabilities.clone(),
                })),
                initial_capabilities: capabilities,
            }),
        }
    }

    /// The spec version of the runtime each of `blocks` runs, in one request; an error per block where the node
    /// cannot tell (a pruned block).
    pub async fn spec_versions_at(
        &self,
        blocks: &[[u8; 32]],
    ) -> Result<Vec<Result<u32, ChainError>>, ChainError> {
        if blocks.is_empty() {
            return Ok(Vec::new());
        }
        let requests: Vec<_> = blocks
            .iter()
            .map(|h| ("state_getRuntimeVersion", vec![to_hex(h).into()]))
            .collect();
        let answers = self.batch(&requests).await?;
        Ok(answers
            .into_iter()
            .map(|a| {
                let v = a?;
                serde_json::from_value::<RuntimeVersionJson>(v)
                    .map(|r| r.spec_version)
                    .map_err(|e| ChainError::Decode {
                        what: "state_getRuntimeVersion".into(),
                        detail: e.to_string(),
                    })
            })
            .collect())
    }

    /// The subxt client (legacy backend over the counting transport), for dynamic storage, calls and transactions.
    pub fn api(&self) -> &OnlineClient<SubstrateConfig> {
        &self.inner.api
    }

    /// The client at the head block, to build a transaction on. When reaching the node fails this reads like
    /// any read's failure (a stall or a dropped connection says so), not in subxt's words.
    pub async fn at_head_for_building(&self, head: &BlockRef) -> Result<ClientAtHead, ChainError> {
        self.inner
            .api
            .at_block_hash_and_number(H256(head.hash), head.number)
            .await
            .map_err(|e| at_block_error("preparing the block to build on", e))
    }

    /// The raw RPC client; every request through it is counted and has a deadline.
    pub fn rpc(&self) -> &RpcClient {
        &self.inner.rpc
    }

    pub fn network(&self) -> &Network {
        &self.inner.network
    }

    /// The endpoint URL in use (one of the network's endpoints; changes when a reconnect moves to another).
    pub fn endpoint(&self) -> String {
        self.inner.transport.endpoint()
    }

    pub fn genesis_hash(&self) -> [u8; 32] {
        self.inner.genesis_hash
    }

    /// The current runtime's metadata (replaced after a runtime upgrade).
    pub fn metadata(&self) -> ArcMetadata {
        self.runtime().metadata.clone()
    }

    pub fn spec_version(&self) -> u32 {
        self.runtime().spec_version
    }

    pub fn transaction_version(&self) -> u32 {
        self.runtime().transaction_version
    }

    /// Optional runtime items found at connect time.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.initial_capabilities
    }

    /// Optional runtime items of the current runtime (differs from [`Self::capabilities`] after an upgrade).
    pub fn current_capabilities(&self) -> Capabilities {
        self.runtime().capabilities.clone()
    }

    /// Which features work on the current runtime (rebuilt after a runtime upgrade).
    pub fn features(&self) -> Arc<FeatureTable> {
        self.runtime().features.clone()
    }

    /// Ok when `feature` works on the current runtime; otherwise the sentence saying what it misses.
    /// Readers call it before reading, and the write side again right before signing.
    pub fn require(&self, feature: &Feature) -> Result<(), ChainError> {
        self.runtime().features.require(feature)
    }

    /// Fails with [`ChainError::RuntimeChanged`] when a runtime upgrade since connecting removed what every screen
    /// needs. Callers about to sign something should also [`Self::require`] their own feature.
    pub fn ensure_runtime_compatible(&self) -> Result<(), ChainError> {
        let features = self.features();
        let mismatches = features.connect_mismatches();
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(ChainError::runtime_changed(
                features.spec_version(),
                &mismatches,
            ))
        }
    }

    /// RPC requests and subscriptions sent since connecting.
    pub fn request_count(&self) -> u64 {
        self.inner.transport.request_count()
    }

    pub fn connection_state(&self) -> ConnectionState {
        self.inner.transport.connection_state()
    }

    /// Wakes on every connection state change.
    pub fn watch_connection_state(&self) -> tokio::sync::watch::Receiver<ConnectionState> {
        self.inner.transport.watch_state()
    }

    /// Successful reconnects since connecting.
    pub fn reconnect_count(&self) -> u64 {
        self.inner.transport.reconnect_count()
    }

    /// Calls runtime API `method` (e.g. "StakeInfoRuntimeApi_get_stake_info_for_coldkey") with SCALE-encoded
    /// arguments at block `at` (best block when `None`); returns the SCALE-encoded result. One request.
    pub async fn state_call(
        &self,
        method: &str,
        scale_args: &[u8],
        at: Option<[u8; 32]>,
    ) -> Result<Vec<u8>, ChainError> {
        state_call_raw(&self.inner.rpc, method, scale_args, at).await
    }

    /// Sends several requests (method, positional params) as ONE JSON-RPC batch: one request in the count. Each
    /// entry answers in call order; a request the node refuses is an `Err` naming its method.
    pub async fn batch(
        &self,
        calls: &[(&str, Vec<serde_json::Value>)],
    ) -> Result<Vec<Result<serde_json::Value, ChainError>>, ChainError> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let answers = self
            .inner
            .transport
            .batch(calls)
            .await
            .map_err(|e| rpc_error("a batch of requests", e))?;
        Ok(calls
            .iter()
            .zip(answers)
            .map(|((method, _), answer)| {
                answer.map_err(|message| ChainError::Rpc {
                    method: (*method).to_owned(),
                    message,
                })
            })
            .collect())
    }

    /// Reads many storage keys at block `at` (best block when `None`) in ONE request (`state_queryStorageAt`).
    /// Results are in the order of `keys`; `None` where the key has no value.
    pub async fn query_storage_at(
        &self,
        keys: &[Vec<u8>],
        at: Option<[u8; 32]>,
    ) -> Result<Vec<Option<Vec<u8>>>, ChainError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let hex_keys: Vec<String> = keys.iter().map(|k| to_hex(k)).collect();
        let answer: serde_json::Value = request(
            &self.inner.rpc,
            "state_queryStorageAt",
            rpc_params![hex_keys, at.map(|h| to_hex(&h))],
        )
        .await?;
        values_in_key_order(answer, keys)
    }

    /// The best block: number and hash, in one request (the hash is computed from the header).
    pub async fn head(&self) -> Result<BlockRef, ChainError> {
        let header: HeaderJson = request(&self.inner.rpc, "chain_getHeader", rpc_params![]).await?;
        header.block_ref()
    }

    /// Reads a raw storage value at `at` (best block when `None`). One request.
    pub async fn storage_raw(
        &self,
        key: &[u8],
        at: Option<[u8; 32]>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        let value: Option<String> = request(
            &self.inner.rpc,
            "state_getStorage",
            rpc_params![to_hex(key), at.map(|h| to_hex(&h))],
        )
        .await?;
        value
            .map(|v| from_hex("state_getStorage value", &v))
            .transpose()
    }

    fn runtime(&self) -> Arc<RuntimeState> {
        match self.inner.runtime.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Called by the runtime watcher when the chain reports `spec_version`; reloads metadata and re-checks when it
    /// differs from the current one. Returns true when the runtime changed.
    pub(crate) async fn on_runtime_version(
        &self,
        spec_version: u32,
        transaction_version: u32,
    ) -> Result<bool, ChainError> {
        if spec_version == self.spec_version() {
            return Ok(false);
        }
        let metadata = load_metadata(
            &self.inner.rpc,
            self.inner.cache.as_ref(),
            &self.inner.genesis_hash,
            spec_version,
            None,
        )
        .await?;
        let features = FeatureTable::build(&metadata, spec_version);
        for sentence in features.off_sentences() {
            tracing::warn!("runtime upgrade: {sentence}");
        }
        let capabilities = features.capabilities();
        let metadata = metadata.arc();
        subxt::config::Config::set_metadata_for_spec_version(
            &self.inner.config,
            spec_version,
            metadata.clone(),
        );
        let state = Arc::new(RuntimeState {
            spec_version,
            transaction_version,
            metadata,
            features: Arc::new(features),
            capabilities,
        });
        match self.inner.runtime.write() {
            Ok(mut guard) => *guard = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
        Ok(true)
    }

    pub(crate) fn weak(&self) -> WeakChainClient {
        WeakChainClient(Arc::downgrade(&self.inner))
    }
}

/// A handle that does not keep the connection alive (for background tasks).
#[derive(Clone)]
pub(crate) struct WeakChainClient(std::sync::Weak<Inner>);

impl WeakChainClient {
    pub(crate) fn upgrade(&self) -> Option<ChainClient> {
        self.0.upgrade().map(|inner| ChainClient { inner })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderJson {
    parent_hash: String,
    number: String,
    state_root: String,
    extrinsics_root: String,
    digest: DigestJson,
}

#[derive(Deserialize)]
struct DigestJson {
    logs: Vec<String>,
}

impl HeaderJson {
    /// SCALE-encodes the header as the runtime does and hashes it with BLAKE2b-256, the block hash.
    fn block_ref(&self) -> Result<BlockRef, ChainError> {
        let number =
            u64::from_str_radix(self.number.trim_start_matches("0x"), 16).map_err(|e| {
                ChainError::Decode {
                    what: "block number".into(),
                    detail: e.to_string(),
                }
            })?;
        let number_u32 = u32::try_from(number).map_err(|e| ChainError::Decode {
            what: "block number".into(),
            detail: e.to_string(),
        })?;
        let mut encoded = Vec::with_capacity(256);
        encoded.extend_from_slice(&parse_hash("parentHash", &self.parent_hash)?);
        Compact(number_u32).encode_to(&mut encoded);
        encoded.extend_from_slice(&parse_hash("stateRoot", &self.state_root)?);
        encoded.extend_from_slice(&parse_hash("extrinsicsRoot", &self.extrinsics_root)?);
        Compact(u32::try_from(self.digest.logs.len()).unwrap_or(u32::MAX)).encode_to(&mut encoded);
        for log in &self.digest.logs {
            encoded.extend_from_slice(&from_hex("digest log", log)?);
        }
        let hash: [u8; 32] = Blake2b::<U32>::digest(&encoded).into();
        Ok(BlockRef { number, hash })
    }
}

async fn load_metadata(
    rpc: &RpcClient,
    cache: Option<&MetadataCache>,
    genesis: &[u8; 32],
    spec_version: u32,
    at: Option<[u8; 32]>,
) -> Result<Metadata, ChainError> {
    if let Some(cache) = cache
        && let Some(bytes) = cache.load(genesis, spec_version)
    {
        match Metadata::decode_from(&bytes) {
            Ok(metadata) => return Ok(metadata),
            Err(_) => cache.discard(genesis, spec_version),
        }
    }
    let bytes = fetch_metadata_bytes(rpc, at).await?;
    let metadata = Metadata::decode_from(&bytes).map_err(|e| ChainError::Decode {
        what: "runtime metadata".into(),
        detail: e.to_string(),
    })?;
    if let Some(cache) = cache {
        // A cache that cannot be written costs speed, not correctness.
        let _ = cache.store(genesis, spec_version, &bytes);
    }
    Ok(metadata)
}

/// SCALE-encoded `RuntimeMetadataPrefixed` from `Metadata_metadata_at_version`, newest supported version first.
async fn fetch_metadata_bytes(
    rpc: &RpcClient,
    at: Option<[u8; 32]>,
) -> Result<Vec<u8>, ChainError> {
    for version in METADATA_VERSIONS {
        let raw =
            state_call_raw(rpc, "Metadata_metadata_at_version", &version.encode(), at).await?;
        let opaque = <Option<Vec<u8>>>::decode(&mut &raw[..]).map_err(|e| ChainError::Decode {
            what: "Metadata_metadata_at_version result".into(),
            detail: e.to_string(),
        })?;
        if let Some(bytes) = opaque {
            return Ok(bytes);
        }
    }
    Err(ChainError::Decode {
        what: "runtime metadata".into(),
        detail: format!("the runtime serves none of the metadata versions {METADATA_VERSIONS:?}"),
    })
}

async fn state_call_raw(
    rpc: &RpcClient,
    method: &str,
    scale_args: &[u8],
    at: Option<[u8; 32]>,
) -> Result<Vec<u8>, ChainError> {
    let result: String = request(
        rpc,
        "state_call",
        rpc_params![method, to_hex(scale_args), at.map(|h| to_hex(&h))],
    )
    .await?;
    from_hex(method, &result)
}

/// One JSON-RPC request, with transport failures mapped to [`ChainError`].
pub(crate) async fn request<T: serde::de::DeserializeOwned>(
    rpc: &RpcClient,
    method: &str,
    params: subxt::rpcs::client::RpcParams,
) -> Result<T, ChainError> {
    rpc.request(method, params)
        .await
        .map_err(|e| rpc_error(method, e))
}

/// A client at one block.
pub type ClientAtHead = subxt::client::ClientAtBlock<
    SubstrateConfig,
    subxt::client::OnlineClientAtBlockImpl<SubstrateConfig>,
>;

/// Why subxt could not set up a client at a block: the transport's failure when that was it.
fn at_block_error(what: &str, err: subxt::error::OnlineClientAtBlockError) -> ChainError {
    use subxt::error::{BackendError, OnlineClientAtBlockError as E, RpcError};
    let reason = match &err {
        E::CannotGetCurrentBlock { reason }
        | E::CannotGetBlockHash { reason, .. }
        | E::CannotGetBlockHeader { reason, .. }
        | E::CannotGetSpecVersion { reason, .. } => Some(reason),
        _ => None,
    };
    match reason {
        Some(BackendError::Rpc(RpcError::ClientError(rpc))) => rpc_error_ref(what, rpc),
        _ => ChainError::Rpc {
            method: what.to_owned(),
            message: err.to_string(),
        },
    }
}

/// [`rpc_error`] for an error held by another one.
fn rpc_error_ref(method: &str, err: &subxt::rpcs::Error) -> ChainError {
    use subxt::rpcs::Error as E;
    match err {
        E::DisconnectedWillReconnect(_) => ChainError::Disconnected,
        E::Client(inner) => match inner.downcast_ref::<TimedOut>() {
            Some(t) => ChainError::Timeout {
                what: t.what.clone(),
                after: t.after,
            },
            None => {
                let text = inner.to_string();
                if text.contains("restart") || text.contains("closed") {
                    ChainError::Disconnected
                } else {
                    ChainError::Rpc {
                        method: method.to_owned(),
                        message: text,
                    }
                }
            }
        },
        E::User(user) => ChainError::Rpc {
            method: method.to_owned(),
            message: user.message.clone(),
        },
        other => ChainError::Rpc {
            method: method.to_owned(),
            message: other.to_string(),
        },
    }
}

/// Maps a transport-level error to the app's error.
pub fn rpc_error(method: &str, err: subxt::rpcs::Error) -> ChainError {
    rpc_error_ref(method, &err)
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// The values of a `state_queryStorageAt` answer in the order of `keys`; `None` where a key has no value.
pub(crate) fn values_in_key_order(
    answer: serde_json::Value,
    keys: &[Vec<u8>],
) -> Result<Vec<Option<Vec<u8>>>, ChainError> {
    #[derive(Deserialize)]
    struct ChangeSet {
        changes: Vec<(String, Option<String>)>,
    }
    let sets: Vec<ChangeSet> = serde_json::from_value(answer).map_err(|e| ChainError::Decode {
        what: "state_queryStorageAt answer".into(),
        detail: e.to_string(),
    })?;
    let mut found = std::collections::HashMap::new();
    for (key, value) in sets.into_iter().flat_map(|s| s.changes) {
        let key = from_hex("state_queryStorageAt key", &key)?;
        let value = value
            .map(|v| from_hex("state_queryStorageAt value", &v))
            .transpose()?;
        found.insert(key, value);
    }
    Ok(keys
        .iter()
        .map(|k| found.get(k).cloned().flatten())
        .collect())
}

pub(crate) fn from_hex(what: &str, s: &str) -> Result<Vec<u8>, ChainError> {
    hex::decode(s.trim_start_matches("0x")).map_err(|e| ChainError::Decode {
        what: what.to_owned(),
        detail: format!("not hex: {e}"),
    })
}

fn parse_hash(what: &str, s: &str) -> Result<[u8; 32], ChainError> {
    let bytes = from_hex(what, s)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| ChainError::Decode {
        what: what.to_owned(),
        detail: format!("expected 32 bytes, got {}", bytes.len()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    #[test]
    fn a_block_the_node_does_not_answer_for_reads_as_a_stall_or_a_lost_connection() {
        use subxt::error::{BackendError, OnlineClientAtBlockError as E, RpcError};
        let from = |rpc: subxt::rpcs::Error| {
            at_block_error(
                "preparing the block to build on",
                E::CannotGetSpecVersion {
                    block_hash: [1u8; 32].into(),
                    reason: BackendError::Rpc(RpcError::ClientError(rpc)),
                },
            )
        };
        let stalled = from(subxt::rpcs::Error::Client(Box::new(TimedOut {
            what: "state_getRuntimeVersion".to_owned(),
            after: Duration::from_secs(3),
        })));
        assert!(
            matches!(&stalled, ChainError::Timeout { what, .. } if what == "state_getRuntimeVersion"),
            "{stalled:?}"
        );
        let dropped = from(subxt::rpcs::Error::DisconnectedWillReconnect("gone".into()));
        assert!(matches!(dropped, ChainError::Disconnected), "{dropped:?}");
        // Anything else keeps what failed, in one sentence without subxt's type names.
        let missing = at_block_error(
            "preparing the block to build on",
            E::BlockNotFound { block_number: 7 },
        );
        assert!(
            missing
                .to_string()
                .starts_with("the node rejected the request preparing the block to build on"),
            "{missing}"
        );
    }

    use super::*;

    #[test]
    fn snapshot_freshness() {
        let block = BlockRef {
            number: 1,
            hash: [0; 32],
        };
        let mut s = Snapshot::new(5u64, block);
        assert_eq!(s.freshness(Duration::from_secs(60)), Freshness::Fresh);
        s.fetched_at = SystemTime::now() - Duration::from_secs(120);
        assert!(matches!(
            s.freshness(Duration::from_secs(60)),
            Freshness::Stale { age } if age >= Duration::from_secs(120)
        ));
        assert_eq!(
            freshness_of::<u64>(None, Duration::ZERO),
            Freshness::Unavailable
        );
        assert_eq!(s.map(|v| v * 2).value, 10);
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(to_hex(&[0xab, 1]), "0xab01");
        assert_eq!(from_hex("x", "0xab01").unwrap(), vec![0xab, 1]);
        assert!(matches!(
            from_hex("x", "0xzz"),
            Err(ChainError::Decode { .. })
        ));
        assert!(parse_hash("h", "0x00").is_err());
    }
}
