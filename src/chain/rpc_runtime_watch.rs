//! Follows runtime upgrades while connected: one `state_subscribeRuntimeVersion` subscription, renewed after
//! each reconnect (the first notification of a new subscription is the current version, which also catches an
//! upgrade that happened while disconnected).

use serde::Deserialize;
use subxt::rpcs::rpc_params;

use super::client::{ChainClient, ConnectionState, WeakChainClient};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuntimeVersionJson {
    spec_version: u32,
    transaction_version: u32,
}

type Subscription = subxt::rpcs::client::RpcSubscription<RuntimeVersionJson>;

async fn subscribe(client: &ChainClient) -> Option<Subscription> {
    client
        .rpc()
        .subscribe(
            "state_subscribeRuntimeVersion",
            rpc_params![],
            "state_unsubscribeRuntimeVersion",
        )
        .await
        .ok()
}

/// Opens the subscription before returning (so request counts after connect are stable), then follows it in
/// the background until the client is dropped.
pub(crate) async fn start(client: &ChainClient) {
    let first = subscribe(client).await;
    let weak = client.weak();
    let mut states = client.watch_connection_state();
    tokio::spawn(async move { follow(weak, first, &mut states).await });
}

async fn follow(
    weak: WeakChainClient,
    mut sub: Option<Subscription>,
    states: &mut tokio::sync::watch::Receiver<ConnectionState>,
) {
    loop {
        if let Some(mut s) = sub.take() {
            while let Some(Ok(version)) = s.next().await {
                let Some(client) = weak.upgrade() else { return };
                // A failed reload is retried on the next notification or reconnect.
                let _ = client
                    .on_runtime_version(version.spec_version, version.transaction_version)
                    .await;
            }
        }
        // The subscription ended: the connection dropped. Wait for a reconnect, then subscribe again.
        loop {
            if weak.upgrade().is_none() {
                return;
            }
            if *states.borrow_and_update() == ConnectionState::Connected {
                break;
            }
            if states.changed().await.is_err() {
                return;
            }
        }
        let Some(client) = weak.upgrade() else { return };
        sub = subscribe(&client).await;
        drop(client);
        if sub.is_none() {
            // The node refuses the subscription; check again after the next state change rather than spin.
            if states.changed().await.is_err() {
                return;
            }
        }
    }
}
