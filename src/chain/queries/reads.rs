//! The reads: each a fixed number of RPC requests, whatever the number of items.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use subxt::Metadata;
use subxt::ext::codec::Encode;

use crate::amount::{AlphaRao, Mechanism, Price, Rao, alpha_to_tao};
use crate::chain::apy;
use crate::chain::client::ChainClient;
use crate::chain::error::ChainError;

use super::batch::{Slot, StorageBatch};
use super::decode::{
    Val, account_of, bool_of, decode, decode_error, field, items, option_of, req_account, req_u16,
    req_u64, runtime_api_output, text_of, u16_of, u64_of, u128_of,
};
use super::types::{
    AccountBalance, AccountId, NetworkOverview, PositionView, SubnetView, ValidatorView,
};

const SUBTENSOR: &str = "SubtensorModule";

/// One runtime API call, decoded with the live output type. One request.
async fn call(
    client: &ChainClient,
    metadata: &Metadata,
    api: &str,
    method: &str,
    args: &[u8],
) -> Result<Val, ChainError> {
    let ty = runtime_api_output(metadata, api, method)?;
    let bytes = client
        .state_call(&format!("{api}_{method}"), args, None)
        .await?;
    decode(metadata, ty, &bytes, &format!("{api}.{method}"))
}

/// A stake position as the runtime API reports it.
struct RawStake {
    hotkey: AccountId,
    coldkey: AccountId,
    netuid: u16,
    alpha: AlphaRao,
}

fn raw_stake(v: &Val) -> Result<RawStake, ChainError> {
    const WHAT: &str = "StakeInfoRuntimeApi StakeInfo";
    Ok(RawStake {
        hotkey: req_account(v, "hotkey", WHAT)?,
        coldkey: req_account(v, "coldkey", WHAT)?,
        netuid: req_u16(v, "netuid", WHAT)?,
        alpha: AlphaRao(req_u64(v, "stake", WHAT)?),
    })
}

/// The storage slots that give a subnet's current price.
struct PriceSlots {
    netuid: u16,
    mechanism: Slot,
    tao_in: Slot,
    alpha_in: Slot,
    v3_initialized: Option<Slot>,
    sqrt_price: Option<Slot>,
}

fn add_price_slots(batch: &mut StorageBatch<'_>, netuid: u16) -> Result<PriceSlots, ChainError> {
    Ok(PriceSlots {
        netuid,
        mechanism: batch.add(SUBTENSOR, "SubnetMechanism", (netuid,))?,
        tao_in: batch.add(SUBTENSOR, "SubnetTAO", (netuid,))?,
        alpha_in: batch.add(SUBTENSOR, "SubnetAlphaIn", (netuid,))?,
        v3_initialized: batch.add_optional("Swap", "SwapV3Initialized", (netuid,))?,
        sqrt_price: batch.add_optional("Swap", "AlphaSqrtPrice", (netuid,))?,
    })
}

/// Mirrors the runtime's `current_alpha_price`: 1 for root and stable subnets; the swap pool's
/// sqrt price squared once the v3 pool is initialised; before that the reserve ratio.
fn price_from(
    batch: &StorageBatch<'_>,
    slots: &PriceSlots,
) -> Result<(Mechanism, Price), ChainError> {
    let mechanism_id = batch.get(slots.mechanism).and_then(u16_of).unwrap_or(0);
    let mechanism = Mechanism::from_id(mechanism_id)
        .map_err(|e| decode_error("SubtensorModule.SubnetMechanism", e.to_string()))?;
    if slots.netuid == 0 || mechanism == Mechanism::Stable {
        return Ok((mechanism, Price::ONE));
    }
    let v3 = batch
        .get_opt(slots.v3_initialized)
        .and_then(bool_of)
        .unwrap_or(false);
    let sqrt = batch
        .get_opt(slots.sqrt_price)
        .and_then(u128_of)
        .unwrap_or(0);
    if v3 && sqrt > 0 {
        let price = Price::from_sqrt_u64f64_bits(sqrt)
            .map_err(|e| decode_error("Swap.AlphaSqrtPrice", e.to_string()))?;
        return Ok((mechanism, price));
    }
    let tao_in = Rao(batch.get(slots.tao_in).and_then(u64_of).unwrap_or(0));
    let alpha_in = AlphaRao(batch.get(slots.alpha_in).and_then(u64_of).unwrap_or(0));
    let price = Price::from_reserves(tao_in, alpha_in).unwrap_or(Price::from_rao_per_alpha(0));
    Ok((mechanism, price))
}

fn account_data(v: Option<&Val>, coldkey: AccountId, staked_value: Rao) -> AccountBalance {
    let data = v.and_then(|v| field(v, "data"));
    let get = |name: &str| {
        Rao(data
            .and_then(|d| field(d, name))
            .and_then(u64_of)
            .unwrap_or(0))
    };
    // Older balances pallets split frozen into misc_frozen / fee_frozen.
    let frozen = match data.and_then(|d| field(d, "frozen")) {
        Some(f) => Rao(u64_of(f).unwrap_or(0)),
        None => get("misc_frozen").max(get("fee_frozen")),
    };
    AccountBalance {
        coldkey,
        free: get("free"),
        reserved: get("reserved"),
        frozen,
        staked_value,
    }
}

/// A coldkey's balance and every position, as `stake list` shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct StakeListing {
    pub balance: AccountBalance,
    pub positions: Vec<PositionView>,
}

/// Every stake position of `coldkey`, in at most 3 RPC requests:
/// 1. `StakeInfoRuntimeApi.get_stake_info_for_coldkey` (amounts, not `Alpha` shares);
/// 2. one storage batch: `System.Account`, and per position `Owner`, `TotalHotkeyAlpha`,
///    `AlphaDividendsPerSubnet`, `TotalHotkeyAlphaLastEpoch`, and per subnet `Tempo`,
///    `TokenSymbol`, `SubnetIdentitiesV3` and the price items;
/// 3. one storage batch with `IdentitiesV2` of the hotkeys' owners (skipped without positions).
///
/// Subnet names come from the subnet identity (storage), not `get_all_dynamic_info`, so the
/// owner lookup fits the budget; a subnet without an identity shows its symbol only.
pub async fn stake_list(
    client: &ChainClient,
    coldkey: AccountId,
) -> Result<StakeListing, ChainError> {
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let infos = call(
        client,
        md,
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        &coldkey.0.encode(),
    )
    .await?;
    let stakes: Vec<RawStake> = items(&infos)
        .into_iter()
        .map(raw_stake)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|s| !s.alpha.is_zero())
        .collect();

    let mut batch = StorageBatch::new(md);
    let account = batch.add("System", "Account", (coldkey.0,))?;
    let netuids: BTreeSet<u16> = stakes.iter().map(|s| s.netuid).collect();
    let mut subnet_slots = BTreeMap::new();
    for &n in &netuids {
        let price = add_price_slots(&mut batch, n)?;
        let tempo = batch.add(SUBTENSOR, "Tempo", (n,))?;
        let symbol = batch.add_optional(SUBTENSOR, "TokenSymbol", (n,))?;
        let identity = batch.add_optional(SUBTENSOR, "SubnetIdentitiesV3", (n,))?;
        subnet_slots.insert(n, (price, tempo, symbol, identity));
    }
    let hotkeys: BTreeSet<AccountId> = stakes.iter().map(|s| s.hotkey).collect();
    let mut owner_slots = BTreeMap::new();
    for h in &hotkeys {
        owner_slots.insert(*h, batch.add(SUBTENSOR, "Owner", (h.0,))?);
    }
    let mut position_slots = Vec::with_capacity(stakes.len());
    for s in &stakes {
        position_slots.push((
            batch.add(SUBTENSOR, "TotalHotkeyAlpha", (s.hotkey.0, s.netuid))?,
            batch.add(SUBTENSOR, "AlphaDividendsPerSubnet", (s.netuid, s.hotkey.0))?,
            batch.add(
                SUBTENSOR,
                "TotalHotkeyAlphaLastEpoch",
                (s.hotkey.0, s.netuid),
            )?,
        ));
    }
    batch.fetch(client).await?;

    let owners: HashMap<AccountId, AccountId> = owner_slots
        .iter()
        .filter_map(|(h, slot)| batch.get(*slot).and_then(account_of).map(|o| (*h, o)))
        .collect();
    let names = identity_names(client, md, owners.values().copied().collect()).await?;

    struct SubnetBits {
        price: Price,
        tempo: u16,
        symbol: String,
        name: String,
    }
    let mut subnet_info = HashMap::new();
    for (n, (price_slots, tempo, symbol, identity)) in &subnet_slots {
        let (_, price) = price_from(&batch, price_slots)?;
        subnet_info.insert(
            *n,
            SubnetBits {
                price,
                tempo: batch.get(*tempo).and_then(u16_of).unwrap_or(0),
                symbol: batch.get_opt(*symbol).and_then(text_of).unwrap_or_default(),
                name: batch
                    .get_opt(*identity)
                    .and_then(|v| field(v, "subnet_name"))
                    .and_then(text_of)
                    .unwrap_or_default(),
            },
        );
    }

    let mut positions = Vec::with_capacity(stakes.len());
    for (s, (total_slot, div_slot, last_slot)) in stakes.iter().zip(position_slots) {
        let Some(sub) = subnet_info.get(&s.netuid) else {
            continue;
        };
        let tao_value = alpha_to_tao(s.alpha, sub.price)
            .map_err(|e| decode_error("a position's TAO value", e.to_string()))?;
        let total = batch.get(total_slot).and_then(u64_of).unwrap_or(0);
        let dividends = AlphaRao(batch.get(div_slot).and_then(u64_of).unwrap_or(0));
        let last = AlphaRao(batch.get(last_slot).and_then(u64_of).unwrap_or(0));
        let rate = apy::epoch_rate(dividends, last);
        positions.push(PositionView {
            hotkey: s.hotkey,
            hotkey_name: owners.get(&s.hotkey).and_then(|o| names.get(o).cloned()),
            netuid: s.netuid,
            subnet_name: sub.name.clone(),
            symbol: sub.symbol.clone(),
            alpha: s.alpha,
            tao_value,
            price: sub.price,
            share_of_validator: (total > 0).then(|| s.alpha.get() as f64 / total as f64),
            epoch_rate: rate,
            apy: rate.map(|r| apy::apy_from_rate(r, sub.tempo)),
            daily_alpha: rate.and_then(|r| apy::daily_earnings(s.alpha, r, sub.tempo)),
        });
    }
    positions.sort_by_key(|p| (p.netuid, p.hotkey));
    let staked_value = positions.iter().map(|p| p.tao_value).sum();
    let balance = account_data(batch.get(account), coldkey, staked_value);
    Ok(StakeListing { balance, positions })
}

/// `IdentitiesV2[coldkey].name` (or the older `Identities`) for each coldkey. One request,
/// none for no coldkeys.
async fn identity_names(
    client: &ChainClient,
    md: &Metadata,
    coldkeys: BTreeSet<AccountId>,
) -> Result<HashMap<AccountId, String>, ChainError> {
    let item = ["IdentitiesV2", "Identities"]
        .into_iter()
        .find(|i| StorageBatch::new(md).has(SUBTENSOR, i));
    let (Some(item), false) = (item, coldkeys.is_empty()) else {
        return Ok(HashMap::new());
    };
    let mut batch = StorageBatch::new(md);
    let mut slots = Vec::new();
    for c in coldkeys {
        slots.push((c, batch.add(SUBTENSOR, item, (c.0,))?));
    }
    batch.fetch(client).await?;
    Ok(slots
        .into_iter()
        .filter_map(|(c, slot)| {
            let name = batch
                .get(slot)
                .and_then(|v| field(v, "name"))
                .and_then(text_of)?;
            (!name.is_empty()).then_some((c, name))
        })
        .collect())
}

/// Balances of several coldkeys with their staked value, in 2 requests:
/// `get_stake_info_for_coldkeys` and one storage batch (accounts and prices).
pub async fn balances(
    client: &ChainClient,
    coldkeys: &[AccountId],
) -> Result<Vec<AccountBalance>, ChainError> {
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let args: Vec<[u8; 32]> = coldkeys.iter().map(|c| c.0).collect();
    let reply = call(
        client,
        md,
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkeys",
        &args.encode(),
    )
    .await?;
    let mut stakes: Vec<RawStake> = Vec::new();
    for pair in items(&reply) {
        for info in items(pair).get(1).map(|v| items(v)).unwrap_or_default() {
            stakes.push(raw_stake(info)?);
        }
    }
    let mut batch = StorageBatch::new(md);
    let account_slots: Vec<Slot> = coldkeys
        .iter()
        .map(|c| batch.add("System", "Account", (c.0,)))
        .collect::<Result<_, _>>()?;
    let netuids: BTreeSet<u16> = stakes.iter().map(|s| s.netuid).collect();
    let price_slots: Vec<PriceSlots> = netuids
        .iter()
        .map(|n| add_price_slots(&mut batch, *n))
        .collect::<Result<_, _>>()?;
    batch.fetch(client).await?;
    let mut prices = HashMap::new();
    for slots in &price_slots {
        prices.insert(slots.netuid, price_from(&batch, slots)?.1);
    }
    let mut out = Vec::with_capacity(coldkeys.len());
    for (c, slot) in coldkeys.iter().zip(account_slots) {
        let mut staked = Rao::ZERO;
        for s in stakes.iter().filter(|s| s.coldkey == *c) {
            let price = prices.get(&s.netuid).copied().unwrap_or(Price::ONE);
            let value = alpha_to_tao(s.alpha, price)
                .map_err(|e| decode_error("a position's TAO value", e.to_string()))?;
            staked = staked.saturating_add(value);
        }
        out.push(account_data(batch.get(slot), *c, staked));
    }
    Ok(out)
}

/// Every subnet, in 2 requests: `get_all_dynamic_info` and one storage batch for prices.
pub async fn subnets(client: &ChainClient) -> Result<Vec<SubnetView>, ChainError> {
    const WHAT: &str = "SubnetInfoRuntimeApi DynamicInfo";
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let all = call(
        client,
        md,
        "SubnetInfoRuntimeApi",
        "get_all_dynamic_info",
        &[],
    )
    .await?;
    let infos: Vec<&Val> = items(&all).into_iter().filter_map(option_of).collect();
    let mut batch = StorageBatch::new(md);
    let mut slots = Vec::with_capacity(infos.len());
    for info in &infos {
        let netuid = req_u16(info, "netuid", WHAT)?;
        slots.push(add_price_slots(&mut batch, netuid)?);
    }
    batch.fetch(client).await?;
    let mut out = Vec::with_capacity(infos.len());
    for (info, slots) in infos.iter().zip(&slots) {
        let (mechanism, price) = price_from(&batch, slots)?;
        let text = |name: &str| field(info, name).and_then(text_of).unwrap_or_default();
        out.push(SubnetView {
            netuid: slots.netuid,
            name: text("subnet_name"),
            symbol: text("token_symbol"),
            tempo: req_u16(info, "tempo", WHAT)?,
            mechanism,
            tao_in: Rao(req_u64(info, "tao_in", WHAT)?),
            alpha_in: AlphaRao(req_u64(info, "alpha_in", WHAT)?),
            alpha_out: AlphaRao(req_u64(info, "alpha_out", WHAT)?),
            emission: Rao(field(info, "emission").and_then(u64_of).unwrap_or(0)),
            price,
        });
    }
    out.sort_by_key(|s| s.netuid);
    Ok(out)
}

/// Every neuron of `netuid` (with its validator permit flag: nominators may stake to any
/// hotkey, and permits change every epoch), in 3 requests: `get_metagraph`, `get_delegates` (nominator counts) and one storage
/// batch (takes, stakes, dividends).
pub async fn validators(
    client: &ChainClient,
    netuid: u16,
) -> Result<Vec<ValidatorView>, ChainError> {
    const WHAT: &str = "SubnetInfoRuntimeApi Metagraph";
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let reply = call(
        client,
        md,
        "SubnetInfoRuntimeApi",
        "get_metagraph",
        &netuid.encode(),
    )
    .await?;
    let Some(graph) = option_of(&reply) else {
        return Ok(Vec::new());
    };
    let list = |name: &str| field(graph, name).map(items).unwrap_or_default();
    let hotkeys: Vec<AccountId> = list("hotkeys").into_iter().filter_map(account_of).collect();
    let coldkeys: Vec<AccountId> = list("coldkeys")
        .into_iter()
        .filter_map(account_of)
        .collect();
    let permits: Vec<bool> = list("validator_permit")
        .into_iter()
        .map(|v| bool_of(v).unwrap_or(false))
        .collect();
    let identities: Vec<Option<String>> = list("identities")
        .into_iter()
        .map(|v| {
            option_of(v)
                .and_then(|i| field(i, "name"))
                .and_then(text_of)
                .filter(|n| !n.is_empty())
        })
        .collect();
    if hotkeys.len() != coldkeys.len() {
        return Err(decode_error(WHAT, "hotkeys and coldkeys differ in length"));
    }
    let chosen: Vec<usize> = (0..hotkeys.len()).collect();

    let delegates = call(client, md, "DelegateInfoRuntimeApi", "get_delegates", &[]).await?;
    let mut nominators: HashMap<AccountId, u32> = HashMap::new();
    for d in items(&delegates) {
        let Some(hotkey) = field(d, "delegate_ss58").and_then(account_of) else {
            continue;
        };
        let count = field(d, "nominators")
            .map(items)
            .unwrap_or_default()
            .into_iter()
            .filter(|nom| {
                items(nom)
                    .get(1)
                    .map(|stakes| items(stakes))
                    .unwrap_or_default()
                    .iter()
                    .any(|ns| {
                        let pair = items(ns);
                        pair.first().and_then(|n| u16_of(n)) == Some(netuid)
                            && pair.get(1).and_then(|a| u64_of(a)).unwrap_or(0) > 0
                    })
            })
            .count();
        nominators.insert(hotkey, u32::try_from(count).unwrap_or(u32::MAX));
    }

    let mut batch = StorageBatch::new(md);
    let tempo_slot = batch.add(SUBTENSOR, "Tempo", (netuid,))?;
    let mut slots = Vec::with_capacity(chosen.len());
    for &i in &chosen {
        let h = hotkeys[i].0;
        slots.push((
            batch.add(SUBTENSOR, "Delegates", (h,))?,
            batch.add(SUBTENSOR, "TotalHotkeyAlpha", (h, netuid))?,
            batch.add(SUBTENSOR, "AlphaDividendsPerSubnet", (netuid, h))?,
            batch.add(SUBTENSOR, "TotalHotkeyAlphaLastEpoch", (h, netuid))?,
        ));
    }
    batch.fetch(client).await?;
    let tempo = batch.get(tempo_slot).and_then(u16_of).unwrap_or(0);
    let mut out = Vec::with_capacity(chosen.len());
    for (&i, (take, total, div, last)) in chosen.iter().zip(slots) {
        let get = |s: Slot| batch.get(s).and_then(u64_of).unwrap_or(0);
        out.push(ValidatorView {
            netuid,
            uid: u16::try_from(i).unwrap_or(u16::MAX),
            hotkey: hotkeys[i],
            owner: coldkeys[i],
            name: identities.get(i).cloned().flatten(),
            take: batch.get(take).and_then(u16_of).unwrap_or(0),
            total_stake: AlphaRao(get(total)),
            nominators: nominators.get(&hotkeys[i]).copied(),
            validator_permit: permits.get(i).copied().unwrap_or(false),
            epoch_rate: apy::epoch_rate(AlphaRao(get(div)), AlphaRao(get(last))),
            apy: apy::apy(AlphaRao(get(div)), AlphaRao(get(last)), tempo),
        });
    }
    Ok(out)
}

/// Network-wide figures in 1 request (one storage batch).
pub async fn network_overview(client: &ChainClient) -> Result<NetworkOverview, ChainError> {
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let mut batch = StorageBatch::new(md);
    let number = batch.add("System", "Number", ())?;
    let now = batch.add("Timestamp", "Now", ())?;
    let emission = batch.add(SUBTENSOR, "BlockEmission", ())?;
    let issuance = batch.add(SUBTENSOR, "TotalIssuance", ())?;
    let balances_issuance = batch.add_optional("Balances", "TotalIssuance", ())?;
    let stake = batch.add(SUBTENSOR, "TotalStake", ())?;
    let networks = batch.add(SUBTENSOR, "TotalNetworks", ())?;
    batch.fetch(client).await?;
    let get = |s: Slot| batch.get(s).and_then(u64_of).unwrap_or(0);
    let block = get(number);
    let timestamp_ms = get(now);
    let block_emission = Rao(get(emission));
    // Subtensor's own counter drives the emission schedule; a dev genesis leaves it at zero
    // while the balances pallet counts the genesis endowments, so fall back to that.
    let total_issuance = match get(issuance) {
        0 => Rao(batch
            .get_opt(balances_issuance)
            .and_then(u64_of)
            .unwrap_or(0)),
        n => Rao(n),
    };
    Ok(NetworkOverview {
        block,
        timestamp_ms,
        block_emission,
        total_issuance,
        total_stake: Rao(get(stake)),
        subnet_count: batch.get(networks).and_then(u16_of).unwrap_or(0),
        halving: apy::next_halving(total_issuance, block_emission, block, timestamp_ms),
    })
}
