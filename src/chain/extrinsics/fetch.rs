//! The I/O half of a preview: the chain facts in one storage batch (plus the positions from one runtime API call
//! when the action sells alpha), then the fee from `TransactionPaymentApi.query_info` on an extrinsic of the real
//! signed shape and, where the runtime has it, the runtime's own swap quote.
//!
//! The fee needs no unlocked key: `query_info` does not check signatures, so the extrinsic is built with the
//! coldkey's public key and an all-zero signature of the key's scheme. Its length, and so the fee, is exactly that
//! of the extrinsic signed later.

use std::collections::{BTreeMap, BTreeSet};

use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::dynamic::Value;
use subxt::ext::codec::Encode;
use subxt::ext::scale_value::{Composite, Primitive, ValueDef};
use subxt::{Metadata, SubstrateConfig};
use taotui_keystore::derive::CryptoType;

use crate::amount::{AlphaRao, Mechanism, Pool, Price, Rao, SwapFee};
use crate::chain::client::ChainClient;
use crate::chain::error::ChainError;
use crate::chain::queries::{
    AccountId, PriceReads, RuntimeCalls, StorageBatch, add_availability, availability_of,
    fetch_together, position_availability,
};
use crate::chain::tx::{self, MORTAL_PERIOD_BLOCKS};

use super::ExtrinsicError;
pub use super::build::{Either, build_extrinsic, dummy_signature, payload};
use super::needs;
use super::plan::{
    Action, ChainView, OptionalCalls, PlannedCall, Preview, ProxyFor, SimQuote, SubnetFacts,
    finish_preview, plan,
};

/// The smallest TAO amount the runtime accepts for a stake operation where the metadata does not say
/// (`DefaultMinStake`, 500_000 rao in spec 293; it is a type value, not a constant, so it is not in the metadata).
pub const DEFAULT_MIN_STAKE: Rao = Rao(500_000);

pub type AtBlock = ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

/// A previewed action, ready to be signed once the user confirms.
pub struct Prepared {
    pub action: Action,
    pub preview: Preview,
    pub view: ChainView,
    /// The block the extrinsic's era starts at.
    pub birth_block: u64,
    pub birth_hash: [u8; 32],
    pub(crate) at: AtBlock,
    /// The signing key's scheme (the delegate's when signing through a proxy).
    pub crypto: CryptoType,
    /// For a batch: each leg's preview; `preview` then holds the totals and the `Utility.batch_all` call.
    pub legs: Vec<Preview>,
    /// Through a proxy: what the delegate, which pays the fee, can spend.
    pub delegate_spendable: Option<Rao>,
    /// RPC requests the preview cost.
    pub requests: u64,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("action", &self.action)
            .field("preview", &self.preview)
            .field("birth_block", &self.birth_block)
            .finish()
    }
}

impl Prepared {
    /// The last block the signed extrinsic can be included in.
    pub fn valid_until(&self) -> u64 {
        self.birth_block + MORTAL_PERIOD_BLOCKS
    }

    /// The block the extrinsic is built on (for building it again, e.g. to inspect the signed bytes).
    pub fn at_block(&self) -> &AtBlock {
        &self.at
    }
}

type Val = Value<u32>;

fn dec_err(what: &str, detail: impl std::fmt::Display) -> ExtrinsicError {
    ExtrinsicError::Chain(ChainError::Decode {
        what: what.to_owned(),
        detail: detail.to_string(),
    })
}

/// Strips single-field wrappers (`NetUid(u16)`, `TaoCurrency(u64)`, `Compact`).
fn inner(v: &Val) -> &Val {
    let mut cur = v;
    loop {
        match &cur.value {
            ValueDef::Composite(Composite::Named(f)) if f.len() == 1 => cur = &f[0].1,
            ValueDef::Composite(Composite::Unnamed(f)) if f.len() == 1 => cur = &f[0],
            _ => return cur,
        }
    }
}

fn field<'a>(v: &'a Val, name: &str) -> Option<&'a Val> {
    match &inner(v).value {
        ValueDef::Composite(Composite::Named(f)) => {
            f.iter().find(|(n, _)| n == name).map(|(_, v)| v)
        }
        _ => None,
    }
}

fn u128_of(v: &Val) -> Option<u128> {
    match &inner(v).value {
        ValueDef::Primitive(Primitive::U128(n)) => Some(*n),
        _ => None,
    }
}

fn u64_of(v: &Val) -> Option<u64> {
    u128_of(v).and_then(|n| u64::try_from(n).ok())
}

fn bool_of(v: &Val) -> Option<bool> {
    match &inner(v).value {
        ValueDef::Primitive(Primitive::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn account_of(v: &Val) -> Option<[u8; 32]> {
    let mut cur = v;
    loop {
        match &cur.value {
            ValueDef::Composite(c) => {
                let vals: Vec<&Val> = c.values().collect();
                if vals.len() == 1 && matches!(vals[0].value, ValueDef::Composite(_)) {
                    cur = vals[0];
                    continue;
                }
                let bytes: Option<Vec<u8>> = vals
                    .iter()
                    .map(|x| u128_of(x).and_then(|n| u8::try_from(n).ok()))
                    .collect();
                return bytes.and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok());
            }
            _ => return None,
        }
    }
}

fn items(v: &Val) -> Vec<&Val> {
    match &v.value {
        ValueDef::Composite(c) => c.values().collect(),
        _ => Vec::new(),
    }
}

/// Calls runtime API `api.method` and decodes its output with the live metadata. One request.
async fn runtime_call(
    client: &ChainClient,
    md: &Metadata,
    api: &str,
    method: &str,
    args: &[u8],
    at: Option<[u8; 32]>,
) -> Result<Val, ExtrinsicError> {
    let what = format!("{api}.{method}");
    let ty = md
        .runtime_api_trait_by_name(api)
        .and_then(|t| t.method_by_name(method))
        .map(|m| m.output_ty())
        .ok_or_else(|| dec_err(&what, "this runtime has no such runtime API method"))?;
    let bytes = client
        .state_call(&format!("{api}_{method}"), args, at)
        .await?;
    let mut cursor = &bytes[..];
    subxt::ext::scale_value::scale::decode_as_type(&mut cursor, ty, md.types())
        .map_err(|e| dec_err(&what, e))
}

pub(crate) fn existential_deposit(md: &Metadata) -> Result<Rao, ExtrinsicError> {
    let c = md
        .pallet_by_name("Balances")
        .and_then(|p| p.constant_by_name("ExistentialDeposit"))
        .ok_or_else(|| dec_err("Balances.ExistentialDeposit", "missing"))?;
    let mut cursor = c.value();
    let v: Val = subxt::ext::scale_value::scale::decode_as_type(&mut cursor, c.ty(), md.types())
        .map_err(|e| dec_err("Balances.ExistentialDeposit", e))?;
    u64_of(&v)
        .map(Rao)
        .ok_or_else(|| dec_err("Balances.ExistentialDeposit", "not an integer"))
}

/// Reads what the preview of `action` needs: one storage batch, plus the coldkey's positions when the action sells.
pub async fn chain_view(
    client: &ChainClient,
    coldkey: [u8; 32],
    action: &Action,
) -> Result<ChainView, ExtrinsicError> {
    const SM: &str = "SubtensorModule";
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let mut batch = StorageBatch::new(md);
    let account = batch.add("System", "Account", (coldkey,))?;
    let dest = action
        .dest()
        .map(|d| batch.add("System", "Account", (d,)))
        .transpose()?;
    let min_required = batch.add(SM, "NominatorMinRequiredStake", ())?;
    let mut netuids: BTreeSet<u16> = action.netuids().into_iter().collect();
    // `unstake_all` sells on every subnet the hotkey holds stake on, which only the positions tell; valuing that
    // alpha needs those subnets' pools, so for this action the positions come first (one more round trip).
    let early_positions = if let Action::UnstakeAll { hotkey, .. } = action {
        let list = stake_info_and_locks(client, md, coldkey).await?;
        netuids.extend(
            positions_of(&list.0)?
                .into_iter()
                .filter(|((h, _), _)| h == hotkey)
                .map(|((_, n), _)| n),
        );
        Some(list)
    } else {
        None
    };
    // The price the runtime checks limits against: its own answer where it has the Swap runtime API (since 424
    // the pool is weighted and neither reserves nor V3 storage give it), storage on spec 293. Rides in the storage
    // request (one JSON-RPC batch).
    let weighted = batch.has("Swap", "SwapBalancer");
    let mut price_calls = RuntimeCalls::new(md);
    let mut prices = PriceReads::new(&client.features(), &mut price_calls)?;
    let mut subnet_slots = Vec::new();
    for &n in &netuids {
        prices.add_subnet(n, &mut batch, &mut price_calls)?;
        subnet_slots.push((
            n,
            batch.add(SM, "NetworksAdded", (n,))?,
            batch.add(SM, "SubtokenEnabled", (n,))?,
            batch.add(SM, "SubnetMechanism", (n,))?,
            batch.add(SM, "SubnetTAO", (n,))?,
            batch.add(SM, "SubnetAlphaIn", (n,))?,
            batch.add_optional("Swap", "FeeRate", (n,))?,
        ));
    }
    let mut hotkey_slots = Vec::new();
    for (hotkey, netuid) in action.hotkeys() {
        let owner = batch.add(SM, "Owner", (hotkey,))?;
        let uid = netuid
            .map(|n| batch.add(SM, "Uids", (n, hotkey)).map(|s| (n, s)))
            .transpose()?;
        hotkey_slots.push((hotkey, owner, uid));
    }

    let positions_call = async {
        if early_positions.is_none() && action.needs_positions() {
            stake_info_and_locks(client, md, coldkey).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (fetched, positions) = tokio::join!(
        fetch_together(client, &mut batch, &mut price_calls),
        positions_call
    );
    fetched?;
    let positions = positions?.or(early_positions);
    prices.after_first(&mut price_calls)?;
    let price_of = prices.finish(&batch, &mut price_calls)?;

    let mut view = ChainView {
        coldkey,
        existential_deposit: existential_deposit(md)?,
        ..ChainView::default()
    };
    let data = batch.get(account).and_then(|a| field(a, "data"));
    let get = |name: &str| {
        data.and_then(|d| field(d, name))
            .and_then(u64_of)
            .unwrap_or(0)
    };
    view.spendable = Rao(get("free").saturating_sub(get("frozen")));
    view.dest_free = dest.map(|slot| {
        Rao(batch
            .get(slot)
            .and_then(|a| field(a, "data"))
            .and_then(|d| field(d, "free"))
            .and_then(u64_of)
            .unwrap_or(0))
    });
    let nominator_min = Rao(batch.get(min_required).and_then(u64_of).unwrap_or(0));
    view.min_stake = DEFAULT_MIN_STAKE.max(nominator_min);

    for (n, added, enabled, mech, tao_in, alpha_in, fee) in subnet_slots {
        let exists = n == 0 || batch.get(added).and_then(bool_of).unwrap_or(false);
        let mechanism = Mechanism::from_id(
            batch
                .get(mech)
                .and_then(u64_of)
                .and_then(|m| u16::try_from(m).ok())
                .unwrap_or(0),
        )
        .map_err(|e| dec_err("SubtensorModule.SubnetMechanism", e))?;
        let price = if n == 0 || mechanism == Mechanism::Stable {
            Price::ONE
        } else if !exists {
            // No such subnet: the planner refuses it by name; the runtime lists no price for it.
            price_of
                .get(&n)
                .copied()
                .unwrap_or(Price::from_rao_per_alpha(0))
        } else {
            PriceReads::of(&price_of, n)?
        };
        let pool = if n == 0 || mechanism == Mechanism::Stable {
            Pool::stable()
        } else {
            let fee = batch
                .get_opt(fee)
                .and_then(u64_of)
                .and_then(|f| u16::try_from(f).ok())
                .map_or(SwapFee::DEFAULT, SwapFee);
            preview_pool(
                Rao(batch.get(tao_in).and_then(u64_of).unwrap_or(0)),
                AlphaRao(batch.get(alpha_in).and_then(u64_of).unwrap_or(0)),
                fee,
                weighted.then_some(price),
            )
        };
        view.subnets.insert(
            n,
            SubnetFacts {
                exists,
                subtoken_enabled: batch.get(enabled).and_then(bool_of).unwrap_or(false),
                pool,
                price,
            },
        );
    }
    for (hotkey, owner, uid) in hotkey_slots {
        let owned = batch
            .get(owner)
            .and_then(account_of)
            .is_some_and(|o| o != [0; 32]);
        if owned {
            view.hotkeys_known.insert(hotkey);
        }
        if let Some((n, slot)) = uid
            && batch.get(slot).is_some()
        {
            view.registered.insert((hotkey, n));
        }
    }
    if let Some((list, locks)) = positions {
        view.positions = positions_of(&list)?;
        if let Some(locks) = locks {
            let subnets = availability_of(&locks)?;
            for (&(hotkey, netuid), &alpha) in &view.positions {
                let subnet = subnets.get(&(AccountId(coldkey), netuid));
                let (available, _) = position_availability(alpha, subnet);
                view.available.insert((hotkey, netuid), available);
            }
        }
    }
    Ok(view)
}

/// The pool the preview simulates trades on. A constant-product pool on the reserves where they give the price;
/// on a weighted pool (`Swap.SwapBalancer`, 424+) the reserve ratio is not the price, so the model keeps the alpha
/// depth and takes the runtime's price (`weighted_price`): the price before a trade, the limit price and the price
/// a tolerance check compares all start from that one price, and only the relative move comes from the model (the
/// runtime's own `sim_swap_*` quote gives the amounts where it exists).
fn preview_pool(
    tao_in: Rao,
    alpha_in: AlphaRao,
    fee: SwapFee,
    weighted_price: Option<Price>,
) -> Pool {
    let tao_in = weighted_price
        .and_then(|p| crate::amount::alpha_to_tao(alpha_in, p).ok())
        .unwrap_or(tao_in);
    Pool::dynamic(tao_in, alpha_in, fee)
}

/// The coldkey's positions and, where the runtime has locks (424+), `get_stake_availability_for_coldkeys` for
/// it: one request (a JSON-RPC batch of both calls).
async fn stake_info_and_locks(
    client: &ChainClient,
    md: &Metadata,
    coldkey: [u8; 32],
) -> Result<(Val, Option<Val>), ExtrinsicError> {
    let mut calls = RuntimeCalls::new(md);
    let info = calls.add(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        coldkey.encode(),
    )?;
    let locks = add_availability(&mut calls, &client.features(), &[AccountId(coldkey)]);
    calls.fetch(client).await?;
    let list = calls.take(info)?;
    let locks = locks.map(|slot| calls.take(slot)).transpose()?;
    Ok((list, locks))
}

async fn stake_info_at(
    client: &ChainClient,
    md: &Metadata,
    coldkey: [u8; 32],
    at: Option<[u8; 32]>,
) -> Result<Val, ExtrinsicError> {
    runtime_call(
        client,
        md,
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        &coldkey.encode(),
        at,
    )
    .await
}

/// The coldkey's alpha per (hotkey, netuid) at block `at` (the head when `None`), from
/// `StakeInfoRuntimeApi.get_stake_info_for_coldkey`. One request.
pub async fn positions_at(
    client: &ChainClient,
    coldkey: [u8; 32],
    at: Option<[u8; 32]>,
) -> Result<BTreeMap<([u8; 32], u16), AlphaRao>, ExtrinsicError> {
    let metadata = client.metadata();
    let list = stake_info_at(client, &metadata, coldkey, at).await?;
    positions_of(&list)
}

/// The coldkey's alpha per (hotkey, netuid) from `get_stake_info_for_coldkey`.
fn positions_of(list: &Val) -> Result<BTreeMap<([u8; 32], u16), AlphaRao>, ExtrinsicError> {
    let mut out = BTreeMap::new();
    for info in items(list) {
        let (Some(h), Some(n), Some(stake)) = (
            field(info, "hotkey").and_then(account_of),
            field(info, "netuid")
                .and_then(u64_of)
                .and_then(|n| u16::try_from(n).ok()),
            field(info, "stake").and_then(u64_of),
        ) else {
            return Err(dec_err("StakeInfoRuntimeApi StakeInfo", "missing fields"));
        };
        let entry = out.entry((h, n)).or_insert(AlphaRao::ZERO);
        *entry = entry.saturating_add(AlphaRao(stake));
    }
    Ok(out)
}

/// `TransactionPaymentApi.query_info(extrinsic, len).partial_fee`. One request.
pub async fn query_fee(
    client: &ChainClient,
    extrinsic: &[u8],
    at: [u8; 32],
) -> Result<Rao, ExtrinsicError> {
    let metadata = client.metadata();
    let mut args = extrinsic.to_vec();
    u32::try_from(extrinsic.len())
        .unwrap_or(u32::MAX)
        .encode_to(&mut args);
    let info = runtime_call(
        client,
        &metadata,
        "TransactionPaymentApi",
        "query_info",
        &args,
        Some(at),
    )
    .await?;
    field(&info, "partial_fee")
        .and_then(u64_of)
        .map(Rao)
        .ok_or_else(|| dec_err("TransactionPaymentApi.query_info", "no partial_fee"))
}

/// The runtime's own quote for the swap leg (`SwapRuntimeApi.sim_swap_*`), where it exists. One request.
pub async fn sim_quote(
    client: &ChainClient,
    netuid: u16,
    buy_tao: Option<Rao>,
    sell_alpha: Option<AlphaRao>,
) -> Result<Option<SimQuote>, ExtrinsicError> {
    if !client.current_capabilities().sim_swap || netuid == 0 {
        return Ok(None);
    }
    let (method, amount) = match (buy_tao, sell_alpha) {
        (Some(t), _) => ("sim_swap_tao_for_alpha", t.get()),
        (None, Some(a)) => ("sim_swap_alpha_for_tao", a.get()),
        (None, None) => return Ok(None),
    };
    let metadata = client.metadata();
    let args = sim_swap_args(netuid, amount);
    let out = runtime_call(client, &metadata, "SwapRuntimeApi", method, &args, None).await?;
    Ok(Some(sim_from_value(&out)?))
}

/// The SCALE arguments of `sim_swap_tao_for_alpha` / `sim_swap_alpha_for_tao`: `(netuid: NetUid(u16), amount:
/// u64)` in the runtimes that have them (346, 365, 393; checked against their metadata in tests/runtime_check.rs).
pub fn sim_swap_args(netuid: u16, amount: u64) -> Vec<u8> {
    let mut args = netuid.encode();
    amount.encode_to(&mut args);
    args
}

fn sim_from_value(v: &Val) -> Result<SimQuote, ExtrinsicError> {
    let get = |name: &str| {
        field(v, name)
            .and_then(u64_of)
            .ok_or_else(|| dec_err("SwapRuntimeApi SimSwapResult", format!("no {name}")))
    };
    Ok(SimQuote {
        tao: get("tao_amount")?,
        alpha: get("alpha_amount")?,
    })
}

/// Decodes a `SimSwapResult` recorded from a runtime that has `sim_swap` (for tests of that path).
pub fn decode_sim_result(md: &Metadata, bytes: &[u8]) -> Result<SimQuote, ExtrinsicError> {
    decode_sim_output(md, "sim_swap_tao_for_alpha", bytes)
}

/// Decodes the output of `SwapRuntimeApi.<method>` as the preview does, from bytes the runtime returned.
pub fn decode_sim_output(
    md: &Metadata,
    method: &str,
    bytes: &[u8],
) -> Result<SimQuote, ExtrinsicError> {
    let ty = md
        .runtime_api_trait_by_name("SwapRuntimeApi")
        .and_then(|t| t.method_by_name(method))
        .map(|m| m.output_ty())
        .ok_or_else(|| dec_err(&format!("SwapRuntimeApi.{method}"), "missing"))?;
    let mut cursor = bytes;
    let v = subxt::ext::scale_value::scale::decode_as_type(&mut cursor, ty, md.types())
        .map_err(|e| dec_err("SimSwapResult", e))?;
    sim_from_value(&v)
}

/// Reads the chain, plans the call, estimates its fee and quotes the swap: everything up to the confirmation.
/// Needs only the coldkey's public key and scheme.
pub async fn prepare(
    client: &ChainClient,
    coldkey: [u8; 32],
    crypto: CryptoType,
    action: Action,
) -> Result<Prepared, ExtrinsicError> {
    prepare_general(client, coldkey, crypto, vec![action], None).await
}

/// The key that signs for another coldkey through a proxy (and pays the fee).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delegate {
    pub account: [u8; 32],
    pub crypto: CryptoType,
}

/// [`prepare`] for `real`'s action signed by `delegate` through a proxy: the preview, balance and position checks
/// are the real coldkey's; the fee is estimated on the wrapped extrinsic and checked against the delegate's
/// balance; the real account's grants are read and a missing (or too narrow) grant is a refusal.
pub async fn prepare_via(
    client: &ChainClient,
    real: [u8; 32],
    delegate: Delegate,
    action: Action,
) -> Result<Prepared, ExtrinsicError> {
    prepare_general(client, real, delegate.crypto, vec![action], Some(delegate)).await
}

/// Several actions as one `Utility.batch_all` (all or nothing), optionally through a proxy. Each leg is planned
/// on the state the earlier legs are expected to leave (TAO and positions); [`Prepared::legs`] holds each leg's
/// preview and [`Prepared::preview`] the totals, with every leg's refusals prefixed by its number.
pub async fn prepare_batch(
    client: &ChainClient,
    coldkey: [u8; 32],
    crypto: CryptoType,
    actions: Vec<Action>,
    via: Option<Delegate>,
) -> Result<Prepared, ExtrinsicError> {
    if actions.is_empty() {
        return Err(ExtrinsicError::Build {
            call: "Utility.batch_all".into(),
            message: "the batch has no legs".into(),
        });
    }
    if client
        .metadata()
        .pallet_by_name("Utility")
        .and_then(|p| p.call_variant_by_name("batch_all"))
        .is_none()
    {
        return Err(ExtrinsicError::Build {
            call: "Utility.batch_all".into(),
            message: "this runtime has no Utility.batch_all, so send the legs one by one".into(),
        });
    }
    prepare_general(client, coldkey, crypto, actions, via).await
}

async fn prepare_general(
    client: &ChainClient,
    coldkey: [u8; 32],
    crypto: CryptoType,
    actions: Vec<Action>,
    via: Option<Delegate>,
) -> Result<Prepared, ExtrinsicError> {
    let start = client.request_count();
    client.ensure_runtime_compatible()?;
    for action in &actions {
        client.require(needs::feature_of(action))?;
    }
    client.require(&needs::PREVIEWS)?;
    let signer = via.map_or(coldkey, |d| d.account);
    let head_fut = async {
        let head = client.head().await?;
        let at = client.at_head_for_building(&head).await?;
        let nonce = tx::next_nonce(client.rpc(), signer).await?;
        Ok::<_, ExtrinsicError>((head, at, nonce))
    };
    // The legs' views are asked together rather than one round trip after another.
    let views_fut = futures::future::try_join_all(
        actions
            .iter()
            .map(|action| chain_view(client, coldkey, action)),
    );
    let proxy_fut = async {
        match via {
            Some(d) => {
                let (free, grants) = tokio::join!(
                    spendable_of(client, d.account),
                    crate::chain::proxy::grants(client, coldkey)
                );
                Ok::<_, ExtrinsicError>(Some((free?, grants?)))
            }
            None => Ok(None),
        }
    };
    let (views, built, proxy_facts) = tokio::join!(views_fut, head_fut, proxy_fut);
    let (mut views, proxy_facts) = (views?, proxy_facts?);
    let (head, at, nonce) = built?;
    let calls = OptionalCalls::from_features(&client.features());
    let single = actions.len() == 1;

    // Plans every leg; a single action keeps the runtime quote, a batch quotes each leg on the reserves.
    let mut running = super::legs::Running::default();
    let mut planned_legs = Vec::with_capacity(actions.len());
    for (action, view) in actions.iter().zip(views.iter_mut()) {
        view.calls = calls;
        running.apply(view);
        let planned = plan(action, view)?;
        if !single {
            let preview = finish_preview(action, planned.clone(), view, Rao::ZERO, None)?;
            running.record(action, &preview);
        }
        planned_legs.push(planned);
    }
    let mut call = if single {
        planned_legs[0].call.clone()
    } else {
        PlannedCall::batch_all(planned_legs.iter().map(|p| p.call.clone()).collect())
    };
    let mut proxy_refusal = None;
    if let (Some(d), Some((_, grants))) = (via, &proxy_facts) {
        let chosen = crate::chain::proxy::choose_grant(grants, coldkey, d.account, &call);
        let proxy_type = match chosen {
            Ok(t) => Some(t),
            Err(sentence) => {
                proxy_refusal = Some(sentence);
                None
            }
        };
        call.proxy = Some(ProxyFor {
            real: coldkey,
            delegate: d.account,
            proxy_type,
        });
    }
    let (dummy, _) = build_extrinsic(&at, &call, signer, nonce, Either::Dummy(crypto))?;

    let (preview, legs) = if single {
        let planned = planned_legs.remove(0);
        let action = &actions[0];
        let view = &views[0];
        let (buy_netuid, buy) = planned
            .buy_tao
            .map_or((None, None), |(n, t)| (Some(n), Some(t)));
        let (sell_netuid, sell) = planned
            .sell_alpha
            .map_or((None, None), |(n, _, a)| (Some(n), Some(a)));
        let sim_netuid = buy_netuid.or(sell_netuid).unwrap_or(0);
        // Only the single-leg trades have a runtime quote that maps onto the preview.
        let quotable = matches!(action, Action::AddStake { .. } | Action::RemoveStake { .. });
        let (fee, sim) = tokio::join!(query_fee(client, &dummy, head.hash), async {
            if quotable {
                sim_quote(client, sim_netuid, buy, sell).await
            } else {
                Ok(None)
            }
        });
        let fee = fee?;
        // Through a proxy the real coldkey pays no fee: its checks run without one.
        let own_fee = if via.is_some() { Rao::ZERO } else { fee };
        let mut preview = finish_preview(action, planned, view, own_fee, sim?)?;
        preview.fee = fee;
        preview.call = call;
        (preview, Vec::new())
    } else {
        let fee = query_fee(client, &dummy, head.hash).await?;
        super::legs::batch_preview(&actions, planned_legs, &views, call, fee, via.is_some())?
    };
    let mut preview = preview;
    if let Some(sentence) = proxy_refusal {
        preview.refusals.insert(
            0,
            super::plan::Refusal {
                code: "no_proxy",
                sentence,
            },
        );
    }
    let delegate_spendable = proxy_facts.map(|(free, _)| free);
    if let Some(free) = delegate_spendable {
        let ed = views.first().map_or(Rao::ZERO, |v| v.existential_deposit);
        if free < preview.fee.saturating_add(ed) {
            preview.refusals.push(super::plan::Refusal {
                code: "proxy_cannot_pay_fee",
                sentence: format!(
                    "The proxy {} signs and pays the {} TAO fee but can spend only {} TAO (keeping the {} TAO \
                     existential deposit); add TAO to it.",
                    taotui_keystore::ss58::encode(&signer, 42),
                    preview.fee.format_tao(9, crate::amount::Rounding::Up),
                    free.format_tao(9, crate::amount::Rounding::Down),
                    ed.format_tao(9, crate::amount::Rounding::Up),
                ),
            });
        }
    }
    let view = views.into_iter().next().unwrap_or_default();
    let action = actions
        .into_iter()
        .next()
        .ok_or_else(|| ExtrinsicError::Build {
            call: "Utility.batch_all".into(),
            message: "the batch has no legs".into(),
        })?;
    Ok(Prepared {
        action,
        preview,
        view,
        legs,
        delegate_spendable,
        birth_block: head.number,
        birth_hash: head.hash,
        at,
        crypto,
        requests: client.request_count() - start,
    })
}

/// What `account` can spend (free minus frozen). One request.
pub async fn spendable_of(client: &ChainClient, account: [u8; 32]) -> Result<Rao, ExtrinsicError> {
    let metadata = client.metadata();
    let mut batch = StorageBatch::new(&metadata);
    let slot = batch.add("System", "Account", (account,))?;
    let mut no_calls = RuntimeCalls::new(&metadata);
    fetch_together(client, &mut batch, &mut no_calls).await?;
    let data = batch.get(slot).and_then(|a| field(a, "data"));
    let get = |name: &str| {
        data.and_then(|d| field(d, name))
            .and_then(u64_of)
            .unwrap_or(0)
    };
    Ok(Rao(get("free").saturating_sub(get("frozen"))))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::plan::{Action, ChainView, StakeMode, SubnetFacts, finish_preview, plan};
    use super::*;

    const TAO: u64 = 1_000_000_000;

    /// A weighted pool (424+) priced at 0.25 TAO/alpha by the runtime while its reserves say 0.5.
    fn weighted_view(pool: Pool) -> ChainView {
        let mut v = ChainView {
            coldkey: [1; 32],
            spendable: Rao(100 * TAO),
            existential_deposit: Rao(500),
            min_stake: DEFAULT_MIN_STAKE,
            ..ChainView::default()
        };
        v.subnets.insert(
            1,
            SubnetFacts {
                exists: true,
                subtoken_enabled: true,
                pool,
                price: Price::from_rao_per_alpha(250_000_000),
            },
        );
        v.hotkeys_known.insert([7; 32]);
        v.registered.insert(([7; 32], 1));
        v
    }

    #[test]
    fn a_small_stake_on_a_weighted_pool_is_checked_against_the_runtime_price() {
        let fee = SwapFee::DEFAULT;
        let (tao_in, alpha_in) = (Rao(500_000 * TAO), AlphaRao(1_000_000 * TAO));
        let runtime = Price::from_rao_per_alpha(250_000_000);
        let pool = preview_pool(tao_in, alpha_in, fee, Some(runtime));
        assert_eq!(pool.spot_price().unwrap(), runtime);
        let reserves = preview_pool(tao_in, alpha_in, fee, None);
        assert_eq!(
            reserves.spot_price().unwrap(),
            Price::from_rao_per_alpha(500_000_000)
        );

        let add = Action::AddStake {
            hotkey: [7; 32],
            netuid: 1,
            amount: Rao(TAO),
            mode: StakeMode::default(),
        };
        let preview = |pool| {
            let v = weighted_view(pool);
            let planned = plan(&add, &v).unwrap();
            finish_preview(&add, planned, &v, Rao(1_000_000), None).unwrap()
        };
        // 1 TAO into a pool this deep barely moves it: within the 0.5 % tolerance of the runtime's price.
        let p = preview(pool);
        assert!(p.refusals.is_empty(), "{:?}", p.refusals);
        assert_eq!(p.price, Some(runtime));
        // The reserve ratio as the model would put the price after the trade at ~0.5, twice the limit.
        let wrong = preview(reserves);
        assert!(
            wrong.refusals.iter().any(|r| r.code == "beyond_tolerance"),
            "{:?}",
            wrong.refusals
        );
    }
}
