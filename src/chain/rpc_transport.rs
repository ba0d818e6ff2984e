//! The JSON-RPC transport under subxt: counts requests, puts a deadline on each, and reconnects with backoff.
//!
//! subxt-rpcs has a reconnecting client behind a feature, but it buffers calls while reconnecting (a request can
//! wait indefinitely) and does not expose its state; the app must show "reconnecting" and answer "unavailable"
//! quickly instead, so this wraps the plain jsonrpsee client itself.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use subxt::rpcs::Error as RpcError;
use subxt::rpcs::client::{
    JsonrpseeRpcClient, RawRpcFuture, RawRpcSubscription, RawValue, RpcClientT, jsonrpsee_client,
};
use tokio::sync::{RwLock, watch};

/// First wait before a reconnect attempt; doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

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

struct Inner {
    url: String,
    timeouts: TransportTimeouts,
    client: RwLock<Option<Arc<JsonrpseeRpcClient>>>,
    requests: AtomicU64,
    subscriptions: AtomicU64,
    reconnects: AtomicU64,
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
            .field("url", &self.inner.url)
            .field("requests", &self.request_count())
            .field("state", &self.connection_state())
            .finish()
    }
}

/// Why the first connection could not be made.
#[derive(Debug)]
pub enum ConnectFailure {
    TimedOut,
    Failed(String),
}

impl Transport {
    /// Opens the first connection; fails rather than retrying so a wrong URL is reported at once.
    pub async fn connect(
        url: &str,
        timeouts: TransportTimeouts,
    ) -> Result<Transport, ConnectFailure> {
        let client = open(url, timeouts.connect).await?;
        let (state, _) = watch::channel(ConnectionState::Connected);
        let (alive_tx, alive) = watch::channel(());
        let transport = Transport {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                timeouts,
                client: RwLock::new(Some(client.clone())),
                requests: AtomicU64::new(0),
                subscriptions: AtomicU64::new(0),
                reconnects: AtomicU64::new(0),
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
                Err(RpcError::DisconnectedWillReconnect(format!(
                    "no connection to {}",
                    self.inner.url
                )))
            }
        }
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
        match tokio::time::timeout(deadline, client.batch_request::<serde_json::Value>(builder))
            .await
        {
            Err(_) => Err(RpcError::Client(Box::new(TimedOut {
                what: format!("a batch of {} requests ({what}...)", calls.len()),
                after: deadline,
            }))),
            Ok(Err(err)) => {
                let err = RpcError::Client(Box::new(err));
                if is_connection_loss(&err) {
                    self.start_reconnect();
                    return Err(RpcError::DisconnectedWillReconnect(err.to_string()));
                }
                Err(err)
            }
            Ok(Ok(response)) => Ok(response
                .into_iter()
                .map(|entry| entry.map_err(|e| e.message().to_owned()))
                .collect()),
        }
    }
}

/// Holds only a weak handle between attempts, so dropping the client stops the loop.
async fn reconnect_loop(weak: Weak<Inner>) {
    let since = SystemTime::now();
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 0u32;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        *inner.client.write().await = None;
        attempt = attempt.saturating_add(1);
        let _ = inner.state.send(ConnectionState::Reconnecting { attempt });
        let (url, connect) = (inner.url.clone(), inner.timeouts.connect);
        drop(inner);
        let opened = open(&url, connect).await;
        let Some(inner) = weak.upgrade() else { return };
        if let Ok(client) = opened {
            *inner.client.write().await = Some(client.clone());
            inner.reconnects.fetch_add(1, Ordering::Relaxed);
            inner.reconnecting.store(false, Ordering::Release);
            let _ = inner.state.send(ConnectionState::Connected);
            Transport { inner }.watch_for_disconnect(client);
            return;
        }
        let _ = inner.state.send(ConnectionState::Offline { since });
        drop(inner);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
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
            match tokio::time::timeout(deadline, client.request_raw(method, params)).await {
                Err(_) => Err(RpcError::Client(Box::new(TimedOut {
                    what: method.to_owned(),
                    after: deadline,
                }))),
                Ok(Err(err)) if is_connection_loss(&err) => {
                    self.start_reconnect();
                    Err(RpcError::DisconnectedWillReconnect(err.to_string()))
                }
                Ok(other) => other,
            }
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
            match tokio::time::timeout(deadline, client.subscribe_raw(sub, params, unsub)).await {
                Err(_) => Err(RpcError::Client(Box::new(TimedOut {
                    what: sub.to_owned(),
                    after: deadline,
                }))),
                Ok(Err(err)) if is_connection_loss(&err) => {
                    self.start_reconnect();
                    Err(RpcError::DisconnectedWillReconnect(err.to_string()))
                }
                Ok(other) => other,
            }
        })
    }
}

/// The transport's own timeout, recognisable by type when mapping errors.
#[derive(Debug, thiserror::Error)]
#[error("{what} timed out after {after:?}")]
pub struct TimedOut {
    pub what: String,
    pub after: Duration,
}
