//! The JSON-RPC transport under subxt: counts requests, puts a deadline on each, and reconnects with backoff.
//! Given several endpoints it uses the first that answers, and after a drop reconnects to the next one in turn
//! (public nodes fail one at a time); with more than one endpoint, a node on another chain is never switched to.
//!
//! subxt-rpcs has a reconnecting client behind a feature, but it buffers calls while reconnecting (a request can
//! wait indefinitely) and does not expose its state; the app must show "reconnecting" and answer "unavailable"
//! quickly instead, so this wraps the plain jsonrpsee client itself.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use subxt::rpcs::Error as RpcError;
use subxt::rpcs::client::{
    JsonrpseeRpcClient, RawRpcFuture, RawRpcSubscription, RawValue, RpcClientT, jsonrpsee_client,
};
use tokio::sync::{RwLock, watch};

/// First wait before a reconnect attempt; doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Capped near a block time, so the app is back within about a block of its node (a try every 10 s costs a
/// public node nothing).
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Requests in a row without an answer in time before a node with a live socket is left for the next endpoint.
pub const STALLS_BEFORE_FAILOVER: u64 = 2;

/// Whether the client currently has a live connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connected,
    /// The connection dropped; `attempt` reconnects have been started so far.
    Reconnecting {
        attempt: u32,
    },
    /// No connection since `since` and none is being attempted right now (between backoff waits, or given up).
    Offline {
        since: SystemTime,
    },
}

/// Timeouts for the transport.
#[derive(Debug, Clone, Copy)]
pub struct TransportTimeouts {
    pub request: Duration,
    pub connect: Duration,
}

/// Environment variable that caps every request and connect timeout, in seconds (decimals allowed). Meant for
/// tests and slow links: the fault-matrix test shortens waits with it; a larger value never lengthens a bound.
pub const TIMEOUT_ENV: &str = "TAOTUI_RPC_TIMEOUT";

impl TransportTimeouts {
    /// These timeouts capped by `$TAOTUI_RPC_TIMEOUT` when it holds a positive number of seconds.
    pub fn capped_by_env(self) -> TransportTimeouts {
        self.capped_by(std::env::var(TIMEOUT_ENV).ok().as_deref())
    }

    fn capped_by(self, value: Option<&str>) -> TransportTimeouts {
        let cap = value
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(Duration::from_secs_f64);
        match cap {
            Some(cap) => TransportTimeouts {
                request: self.request.min(cap),
                connect: self.connect.min(cap),
            },
            None => self,
        }
    }
}

struct Inner {
    urls: Vec<String>,
    /// Index in `urls` of the endpoint in use (or last tried while reconnecting).
    current: AtomicUsize,
    /// Genesis hash (as the node returns it) of the first endpoint; only set when there are several endpoints.
    genesis: Option<String>,
    timeouts: TransportTimeouts,
    client: RwLock<Option<Arc<JsonrpseeRpcClient>>>,
    requests: AtomicU64,
    subscriptions: AtomicU64,
    reconnects: AtomicU64,
    /// Requests that timed out since the last answer; a node that stops answering while its socket stays open is
    /// left for the next endpoint after `STALLS_BEFORE_FAILOVER` of them.
    stalls_in_a_row: AtomicU64,
    reconnecting: AtomicBool,
    state: watch::Sender<ConnectionState>,
    // Dropped with the last handle; background tasks see the channel close and stop, releasing the socket.
    _alive: watch::Sender<()>,
    alive: watch::Receiver<()>,
}

/// A cheap-to-clone handle; every clone shares the connection and the counters.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint())
            .field("requests", &self.request_count())
            .field("state", &self.connection_state())
            .finish()
    }
}

/// Why the first connection could not be made.
#[derive(Debug)]
pub enum ConnectFailure {
    /// Every endpoint timed out.
    TimedOut,
    /// At least one endpoint refused or failed; the text names each endpoint and what happened.
    Failed(String),
}

impl Transport {
    /// Opens the first connection to the first endpoint that answers within the connect timeout, trying each in
    /// order once; fails rather than retrying so a wrong URL is reported at once (bound: endpoints x timeout).
    pub async fn connect(
        urls: &[String],
        timeouts: TransportTimeouts,
    ) -> Result<Transport, ConnectFailure> {
        let timeouts = timeouts.capped_by_env();
        let mut failures = Vec::new();
        let mut opened = None;
        for (index, url) in urls.iter().enumerate() {
            match open(url, timeouts.connect).await {
                Ok(client) => {
                    opened = Some((index, client));
                    break;
                }
                Err(failure) => {
                    tracing::warn!(endpoint = %url, ?failure, "endpoint did not answer; trying the next");
                    failures.push((url, failure));
                }
            }
        }
        let Some((index, client)) = opened else {
            if failures
                .iter()
                .all(|(_, f)| matches!(f, ConnectFailure::TimedOut))
            {
                return Err(ConnectFailure::TimedOut);
            }
            let text = match failures.as_slice() {
                [(_, ConnectFailure::Failed(reason))] => reason.clone(),
                _ => failures
                    .iter()
                    .map(|(url, f)| match f {
                        ConnectFailure::TimedOut => format!("{url}: no answer"),
                        ConnectFailure::Failed(reason) => format!("{url}: {reason}"),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            return Err(ConnectFailure::Failed(text));
        };
        let genesis = if urls.len() > 1 {
            genesis_of(&client, timeouts.request).await
        } else {
            None
        };
        let (state, _) = watch::channel(ConnectionState::Connected);
        let (alive_tx, alive) = watch::channel(());
        let transport = Transport {
            inner: Arc::new(Inner {
                urls: urls.to_vec(),
                current: AtomicUsize::new(index),
                genesis,
                timeouts,
                client: RwLock::new(Some(client.clone())),
                requests: AtomicU64::new(0),
                subscriptions: AtomicU64::new(0),
                reconnects: AtomicU64::new(0),
                stalls_in_a_row: AtomicU64::new(0),
                reconnecting: AtomicBool::new(false),
                state,
                _alive: alive_tx,
                alive,
            }),
        };
        transport.watch_for_disconnect(client);
        Ok(transport)
    }

    /// Requests plus subscriptions sent since connecting (including ones that failed or timed out).
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
            + self.inner.subscriptions.load(Ordering::Relaxed)
    }

    /// Subscriptions opened since connecting.
    pub fn subscription_count(&self) -> u64 {
        self.inner.subscriptions.load(Ordering::Relaxed)
    }

    /// Successful reconnects since the first connection.
    pub fn reconnect_count(&self) -> u64 {
        self.inner.reconnects.load(Ordering::Relaxed)
    }

    pub fn connection_state(&self) -> ConnectionState {
        *self.inner.state.borrow()
    }

    /// A receiver that wakes on every state change (for the TUI's status line).
    pub fn watch_state(&self) -> watch::Receiver<ConnectionState> {
        self.inner.state.subscribe()
    }

    /// The endpoint in use (or being reconnected to).
    pub fn endpoint(&self) -> String {
        let index = self.inner.current.load(Ordering::Relaxed);
        self.inner.urls.get(index).cloned().unwrap_or_default()
    }

    pub fn timeouts(&self) -> TransportTimeouts {
        self.inner.timeouts
    }

    async fn current(&self) -> Result<Arc<JsonrpseeRpcClient>, RpcError> {
        let guard = self.inner.client.read().await;
        match guard.as_ref() {
            Some(client) if client.is_connected() => Ok(client.clone()),
            _ => {
                drop(guard);
                self.start_reconnect();
                Err(connection_lost(format!(
                    "no connection to {}",
                    self.endpoint()
                )))
            }
        }
    }

    /// Counts a request that got no answer in time; with other endpoints to try, a node that keeps stalling is
    /// replaced (a single endpoint is kept: reconnecting to it would only drop the subscriptions that still work).
    fn stalled(&self) {
        let in_a_row = self.inner.stalls_in_a_row.fetch_add(1, Ordering::AcqRel) + 1;
        if in_a_row >= STALLS_BEFORE_FAILOVER && self.inner.urls.len() > 1 {
            tracing::warn!(endpoint = %self.endpoint(), in_a_row, "endpoint keeps timing out; switching to the next");
            self.inner.stalls_in_a_row.store(0, Ordering::Release);
            self.start_reconnect();
        }
    }

    fn answered(&self) {
        self.inner.stalls_in_a_row.store(0, Ordering::Release);
    }

    fn watch_for_disconnect(&self, client: Arc<JsonrpseeRpcClient>) {
        let weak = Arc::downgrade(&self.inner);
        let mut alive = self.inner.alive.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = client.on_disconnect() => {
                    drop(client);
                    if let Some(inner) = weak.upgrade() {
                        Transport { inner }.start_reconnect();
                    }
                }
                _ = alive.changed() => {}
            }
        });
    }

    fn start_reconnect(&self) {
        if self.inner.reconnecting.swap(true, Ordering::AcqRel) {
            return;
        }
        let _ = self.inner.state.send(ConnectionState::Offline {
            since: SystemTime::now(),
        });
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(reconnect_loop(weak));
    }
}

impl Transport {
    /// Sends `calls` (method, positional params) as ONE JSON-RPC batch: one request on the wire and in the count,
    /// under one deadline. Each entry answers `Ok(result)` or `Err(the node's error message)`, in call order.
    pub async fn batch(
        &self,
        calls: &[(&str, Vec<serde_json::Value>)],
    ) -> Result<Vec<Result<serde_json::Value, String>>, RpcError> {
        use subxt::ext::jsonrpsee::core::client::ClientT;
        use subxt::ext::jsonrpsee::core::params::{ArrayParams, BatchRequestBuilder};
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let mut builder = BatchRequestBuilder::new();
        for (method, params) in calls {
            let mut array = ArrayParams::new();
            for p in params {
                array.insert(p).map_err(RpcError::Serialization)?;
            }
            builder
                .insert(method, array)
                .map_err(RpcError::Serialization)?;
        }
        let client = self.current().await?;
        let deadline = self.inner.timeouts.request;
        let what = calls.first().map_or("batch", |c| c.0);
        let answer =
            tokio::time::timeout(deadline, client.batch_request::<serde_json::Value>(builder))
                .await
                .map(|r| r.map_err(|e| RpcError::Client(Box::new(e))));
        let response = self.settle(answer, deadline, || {
            format!("a batch of {} requests ({what}...)", calls.len())
        })?;
        Ok(response
            .into_iter()
            .map(|entry| entry.map_err(|e| e.message().to_owned()))
            .collect())
    }

    /// What an answer, or its absence by `deadline`, means for the connection, and what the caller gets: no
    /// answer counts toward leaving a node that keeps stalling; a lost connection starts the reconnect and is
    /// reported at once; any other answer, an error answer too, shows the node is alive.
    fn settle<T>(
        &self,
        answer: Result<Result<T, RpcError>, tokio::time::error::Elapsed>,
        deadline: Duration,
        what: impl FnOnce() -> String,
    ) -> Result<T, RpcError> {
        match answer {
            Err(_) => {
                self.stalled();
                Err(RpcError::Client(Box::new(TimedOut {
                    what: what(),
                    after: deadline,
                })))
            }
            Ok(Err(err)) if is_connection_loss(&err) => {
                self.start_reconnect();
                Err(connection_lost(err.to_string()))
            }
            Ok(other) => {
                self.answered();
                other
            }
        }
    }
}

/// Holds only a weak handle between attempts, so dropping the client stops the loop. Tries the endpoints in turn,
/// starting after the one that dropped, and backs off after each full round.
async fn reconnect_loop(weak: Weak<Inner>) {
    let since = SystemTime::now();
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 0u32;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        *inner.client.write().await = None;
        attempt = attempt.saturating_add(1);
        let _ = inner.state.send(ConnectionState::Reconnecting { attempt });
        let count = inner.urls.len().max(1);
        let index = (inner.current.load(Ordering::Relaxed) + 1) % count;
        inner.current.store(index, Ordering::Relaxed);
        let url = inner.urls.get(index).cloned().unwrap_or_default();
        let (timeouts, genesis) = (inner.timeouts, inner.genesis.clone());
        drop(inner);
        let mut opened = open(&url, timeouts.connect).await.ok();
        if let (Some(client), Some(expected)) = (&opened, &genesis)
            && genesis_of(client, timeouts.request).await.as_ref() != Some(expected)
        {
            tracing::warn!(endpoint = %url, "endpoint is not on the same chain (or did not say); skipping it");
            opened = None;
        }
        let Some(inner) = weak.upgrade() else { return };
        if let Some(client) = opened {
            tracing::info!(endpoint = %url, "reconnected");
            *inner.client.write().await = Some(client.clone());
            inner.reconnects.fetch_add(1, Ordering::Relaxed);
            inner.reconnecting.store(false, Ordering::Release);
            let _ = inner.state.send(ConnectionState::Connected);
            Transport { inner }.watch_for_disconnect(client);
            return;
        }
        let _ = inner.state.send(ConnectionState::Offline { since });
        drop(inner);
        if (index + 1) % count == 0 || count == 1 {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
}

/// The node's genesis hash, asked on the raw client so it is not counted as an app request.
async fn genesis_of(client: &JsonrpseeRpcClient, deadline: Duration) -> Option<String> {
    let params = RawValue::from_string("[0]".to_owned()).ok();
    let answer = tokio::time::timeout(deadline, client.request_raw("chain_getBlockHash", params))
        .await
        .ok()?
        .ok()?;
    serde_json::from_str::<String>(answer.get()).ok()
}

async fn open(url: &str, timeout: Duration) -> Result<Arc<JsonrpseeRpcClient>, ConnectFailure> {
    match tokio::time::timeout(timeout, jsonrpsee_client(url)).await {
        Err(_) => Err(ConnectFailure::TimedOut),
        Ok(Err(err)) => Err(ConnectFailure::Failed(err.to_string())),
        Ok(Ok(client)) => Ok(Arc::new(client)),
    }
}

fn is_connection_loss(err: &RpcError) -> bool {
    match err {
        RpcError::DisconnectedWillReconnect(_) => true,
        RpcError::Client(inner) if inner.is::<ConnectionLost>() => true,
        RpcError::Client(inner) => {
            let text = inner.to_string();
            text.contains("restart") || text.contains("closed") || text.contains("Transport")
        }
        _ => false,
    }
}

impl RpcClientT for Transport {
    fn request_raw<'a>(
        &'a self,
        method: &'a str,
        params: Option<Box<RawValue>>,
    ) -> RawRpcFuture<'a, Box<RawValue>> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            let client = self.current().await?;
            let deadline = self.inner.timeouts.request;
            let answer = tokio::time::timeout(deadline, client.request_raw(method, params)).await;
            self.settle(answer, deadline, || method.to_owned())
        })
    }

    fn subscribe_raw<'a>(
        &'a self,
        sub: &'a str,
        params: Option<Box<RawValue>>,
        unsub: &'a str,
    ) -> RawRpcFuture<'a, RawRpcSubscription> {
        self.inner.subscriptions.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            let client = self.current().await?;
            let deadline = self.inner.timeouts.request;
            let answer =
                tokio::time::timeout(deadline, client.subscribe_raw(sub, params, unsub)).await;
            self.settle(answer, deadline, || sub.to_owned())
        })
    }
}

/// A lost connection, as a client error rather than subxt's `DisconnectedWillReconnect`: subxt's backend retries
/// a call that fails with that without end, so a node that drops the connection on one method would hang the caller.
/// The reconnect still happens in the background; the caller gets an answer now.
fn connection_lost(detail: String) -> RpcError {
    RpcError::Client(Box::new(ConnectionLost(detail)))
}

/// The connection was lost (the text contains "closed" so generic mappings see a disconnection).
#[derive(Debug, thiserror::Error)]
#[error("connection closed: {0}")]
pub struct ConnectionLost(pub String);

/// The transport's own timeout, recognisable by type when mapping errors.
#[derive(Debug, thiserror::Error)]
#[error("{what} timed out after {after:?}")]
pub struct TimedOut {
    pub what: String,
    pub after: Duration,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_env_cap_only_shortens_timeouts() {
        let base = TransportTimeouts {
            request: Duration::from_secs(30),
            connect: Duration::from_secs(10),
        };
        let capped = base.capped_by(Some("2.5"));
        assert_eq!(capped.request, Duration::from_millis(2500));
        assert_eq!(capped.connect, Duration::from_millis(2500));
        let loose = base.capped_by(Some("60"));
        assert_eq!((loose.request, loose.connect), (base.request, base.connect));
        for ignored in [
            None,
            Some(""),
            Some("0"),
            Some("-1"),
            Some("soon"),
            Some("NaN"),
        ] {
            let t = base.capped_by(ignored);
            assert_eq!(
                (t.request, t.connect),
                (base.request, base.connect),
                "{ignored:?}"
            );
        }
    }
}
