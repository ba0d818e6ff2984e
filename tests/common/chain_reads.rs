//! Independent chain reads for the chain tests: dynamic storage at the head or at a given block, a block's events
//! with their fields decoded, and a way to step past the dev chain's epochs (tempo 10), which pay dividends into
//! positions and would otherwise change them between a test's "before" and "after" reads.

use subxt::dynamic::{At, Value};
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::ext::scale_value::{Composite, ValueDef};
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::{OnlineClient, SubstrateConfig};
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::network::Network;

// One way to connect and to make blocks for every chain test; re-exported so a test needs only this module.
#[allow(unused_imports)]
pub use super::world::{connect, new_blocks};

/// taotui's own client for `ws_url`, without the runtime-upgrade watcher.
pub async fn taotui_client(ws_url: &str) -> ChainClient {
    let network: Network = ws_url.parse().unwrap_or_else(|e| panic!("{ws_url}: {e}"));
    ChainClient::connect(
        &network,
        ConnectOptions {
            watch_runtime_upgrades: false,
            ..ConnectOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("connecting taotui to {ws_url}: {e}"))
}

/// The alpha `coldkey` holds with `hotkey` on `netuid` at the head, from the positions runtime API.
pub async fn alpha_of(c: &ChainClient, coldkey: [u8; 32], hotkey: [u8; 32], netuid: u16) -> u64 {
    taotui::chain::extrinsics::fetch::positions_at(c, coldkey, None)
        .await
        .unwrap_or_else(|e| panic!("reading the positions of the coldkey: {e}"))
        .get(&(hotkey, netuid))
        .map_or(0, |a| a.get())
}

/// Reads `pallet.entry` for `keys` at block number `at` (the head when `None`); `None` when the key holds no value.
pub async fn read_at<K>(
    api: &OnlineClient<SubstrateConfig>,
    at: Option<u64>,
    pallet: &str,
    entry: &str,
    keys: K,
) -> Option<Value>
where
    K: IntoEncodableValues + IntoDecodableValues,
{
    let block = match at {
        Some(n) => api.at_block(n).await,
        None => api.at_current_block().await,
    }
    .unwrap_or_else(|e| panic!("block {at:?}: {e}"));
    block
        .storage()
        .try_fetch(subxt::dynamic::storage::<K, Value>(pallet, entry), keys)
        .await
        .unwrap_or_else(|e| panic!("reading {pallet}.{entry}: {e}"))
        .map(|v| {
            v.decode()
                .unwrap_or_else(|e| panic!("decoding {pallet}.{entry}: {e}"))
        })
}

/// Like [`read_at`] at the head, but an unset key gives the item's declared default, as the runtime sees it.
pub async fn read_or_default<K>(
    api: &OnlineClient<SubstrateConfig>,
    pallet: &str,
    entry: &str,
    keys: K,
) -> Value
where
    K: IntoEncodableValues + IntoDecodableValues,
{
    let at = api
        .at_current_block()
        .await
        .unwrap_or_else(|e| panic!("head block: {e}"));
    at.storage()
        .fetch(subxt::dynamic::storage::<K, Value>(pallet, entry), keys)
        .await
        .unwrap_or_else(|e| panic!("reading {pallet}.{entry}: {e}"))
        .decode()
        .unwrap_or_else(|e| panic!("decoding {pallet}.{entry}: {e}"))
}

/// Reads `pallet.entry` at the head.
pub async fn read<K>(
    api: &OnlineClient<SubstrateConfig>,
    pallet: &str,
    entry: &str,
    keys: K,
) -> Option<Value>
where
    K: IntoEncodableValues + IntoDecodableValues,
{
    read_at(api, None, pallet, entry, keys).await
}

/// A plain integer, or a `{ bits }` fixed-point's raw bits, possibly wrapped in a newtype.
pub fn number(v: &Value) -> u128 {
    number_opt(v).unwrap_or_else(|| panic!("not a number: {v}"))
}

pub fn number_opt(v: &Value) -> Option<u128> {
    let plain = |v: &Value| {
        v.as_u128()
            .or_else(|| v.at("bits").and_then(Value::as_u128))
    };
    plain(v).or_else(|| v.at(0).and_then(plain))
}

/// The bytes of a composite of u8 values.
pub fn bytes(v: &Value) -> Option<Vec<u8>> {
    match &v.value {
        ValueDef::Composite(c) => c
            .values()
            .map(|b| b.as_u128().and_then(|x| u8::try_from(x).ok()))
            .collect(),
        _ => None,
    }
}

/// An AccountId32: a composite wrapping 32 bytes (or the 32 bytes themselves).
pub fn account32(v: &Value) -> Option<[u8; 32]> {
    let inner = bytes(v).or_else(|| v.at(0).and_then(bytes))?;
    inner.try_into().ok()
}

/// The free balance of `account` at block `at` (the head when `None`).
pub async fn free_at(
    api: &OnlineClient<SubstrateConfig>,
    at: Option<u64>,
    account: [u8; 32],
) -> u64 {
    read_at(api, at, "System", "Account", (account,))
        .await
        .and_then(|a| {
            a.at("data")
                .and_then(|d| d.at("free"))
                .and_then(Value::as_u128)
        })
        .map_or(0, |f| u64::try_from(f).unwrap())
}

/// One event of a block, fields decoded in order.
#[derive(Debug, Clone)]
pub struct Ev {
    pub pallet: String,
    pub variant: String,
    /// The extrinsic index for `ApplyExtrinsic` events.
    pub extrinsic: Option<u32>,
    pub fields: Vec<Value>,
}

impl Ev {
    pub fn is(&self, pallet: &str, variant: &str) -> bool {
        self.pallet == pallet && self.variant == variant
    }

    /// Field `i` as an integer (unwrapping newtypes such as `NetUid`).
    pub fn num(&self, i: usize) -> u64 {
        u64::try_from(number(&self.fields[i])).unwrap()
    }

    pub fn account(&self, i: usize) -> [u8; 32] {
        account32(&self.fields[i]).unwrap_or_else(|| panic!("field {i} of {self:?} is no account"))
    }
}

/// Every event of block number `at`.
pub async fn events_at(api: &OnlineClient<SubstrateConfig>, at: u64) -> Vec<Ev> {
    let block = api
        .at_block(at)
        .await
        .unwrap_or_else(|e| panic!("block {at}: {e}"));
    let events = block
        .events()
        .fetch()
        .await
        .unwrap_or_else(|e| panic!("events of block {at}: {e}"));
    let mut out = Vec::new();
    for event in events.iter() {
        let event = event.unwrap_or_else(|e| panic!("event of block {at}: {e}"));
        let fields = event
            .decode_fields_unchecked_as::<Composite<()>>()
            .unwrap_or_else(|e| panic!("event fields of block {at}: {e}"));
        out.push(Ev {
            pallet: event.pallet_name().to_owned(),
            variant: event.event_name().to_owned(),
            extrinsic: match event.phase() {
                subxt::events::Phase::ApplyExtrinsic(i) => Some(i),
                _ => None,
            },
            fields: fields.into_values().collect(),
        });
    }
    out
}

/// The events `account` caused in block `at`: those whose first field is the account (every staking event,
/// `TransactionFeePaid`, `Withdraw`).
pub async fn events_of(api: &OnlineClient<SubstrateConfig>, at: u64, account: [u8; 32]) -> Vec<Ev> {
    events_at(api, at)
        .await
        .into_iter()
        .filter(|e| e.fields.first().and_then(account32) == Some(account))
        .collect()
}

/// The head's block number.
pub async fn head_number(rpc: &RpcClient) -> u64 {
    let header: serde_json::Value = rpc
        .request("chain_getHeader", rpc_params![])
        .await
        .unwrap_or_else(|e| panic!("chain_getHeader: {e}"));
    let n = header["number"].as_str().unwrap_or("0x0");
    u64::from_str_radix(n.trim_start_matches("0x"), 16).unwrap()
}

/// Whether block `block` runs the epoch of `netuid` (the runtime's `blocks_until_next_epoch(..) == 0`).
pub fn is_epoch_block(netuid: u16, tempo: u16, block: u64) -> bool {
    tempo != 0 && (block + u64::from(netuid) + 1) % (u64::from(tempo) + 1) == u64::from(tempo)
}

/// Advances the chain until none of the next `ahead` blocks runs an epoch on `netuids`, so positions there change
/// only by the test's own extrinsics in those blocks (dividends are paid at epochs).
pub async fn skip_epochs(
    api: &OnlineClient<SubstrateConfig>,
    rpc: &RpcClient,
    netuids: &[u16],
    ahead: u64,
) {
    let mut tempos = Vec::new();
    for &n in netuids {
        let t = u16::try_from(number(
            &read_or_default(api, "SubtensorModule", "Tempo", (n,)).await,
        ))
        .unwrap();
        tempos.push((n, t));
    }
    loop {
        let head = head_number(rpc).await;
        let busy = (1..=ahead).any(|k| tempos.iter().any(|&(n, t)| is_epoch_block(n, t, head + k)));
        if !busy {
            return;
        }
        new_blocks(rpc, 1).await;
    }
}
