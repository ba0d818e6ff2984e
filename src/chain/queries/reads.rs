//! The reads: each a fixed number of RPC requests, whatever the number of items.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use subxt::Metadata;
use subxt::ext::codec::Encode;

use crate::amount::{AlphaRao, Mechanism, Price, Rao, alpha_to_tao};
use crate::chain::apy;
use crate::chain::client::ChainClient;
use crate::chain::error::ChainError;
use crate::chain::features::FeatureTable;
use crate::risk;

use super::batch::{Slot, StorageBatch};
use super::calls::{RuntimeCalls, fetch_together};
use super::decode::{
    Val, account_of, bool_of, decode, decode_error, field, items, option_of, req_account, req_u16,
    req_u64, runtime_api_output, text_of, u16_of, u64_of, u128_of,
};
use super::needs;
use super::prices::{
    PriceReads, PriceSource, add_availability, availability_of, position_availability,
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
/// 1. one batch of runtime calls: `StakeInfoRuntimeApi.get_stake_info_for_coldkey` (amounts, not `Alpha`
///    shares), and where the runtime has them `SwapRuntimeApi.current_alpha_price_all` (the price) and
///    `get_stake_availability_for_coldkeys` (locks);
/// 2. one storage batch: `System.Account`, and per position `Owner`, `TotalHotkeyAlpha`,
///    `AlphaDividendsPerSubnet`, `TotalHotkeyAlphaLastEpoch`, and per subnet `Tempo`, `TokenSymbol`,
///    `SubnetIdentitiesV3` (plus the price: `current_alpha_price` calls or, without the Swap runtime API,
///    the price storage items, in the same batch);
/// 3. one storage batch with `IdentitiesV2` of the hotkeys' owners (skipped without positions).
///
/// Subnet names come from the subnet identity (storage), not `get_all_dynamic_info`, so the
/// owner lookup fits the budget; a subnet without an identity shows its symbol only.
pub async fn stake_list(
    client: &ChainClient,
    coldkey: AccountId,
) -> Result<StakeListing, ChainError> {
    client.require(&needs::POSITIONS)?;
    client.require(&needs::PRICES)?;
    let features = client.features();
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let mut first = RuntimeCalls::new(md);
    let info_slot = first.add(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        coldkey.0.encode(),
    )?;
    let mut prices = PriceReads::new(&features, &mut first)?;
    let availability_slot = add_availability(&mut first, &features, &[coldkey]);
    first.fetch(client).await?;
    let infos = first.take(info_slot)?;
    prices.after_first(&mut first)?;
    let availability = match availability_slot {
        Some(slot) => Some(availability_of(&first.take(slot)?)?),
        None => None,
    };
    let stakes: Vec<RawStake> = items(&infos)
        .into_iter()
        .map(raw_stake)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|s| !s.alpha.is_zero())
        .collect();

    let mut batch = StorageBatch::new(md);
    let mut second = RuntimeCalls::new(md);
    let account = batch.add("System", "Account", (coldkey.0,))?;
    let netuids: BTreeSet<u16> = stakes.iter().map(|s| s.netuid).collect();
    let mut subnet_slots = BTreeMap::new();
    for &n in &netuids {
        prices.add_subnet(n, &mut batch, &mut second)?;
        let tempo = batch.add_usable(&features, &needs::TEMPO, (n,))?;
        let symbol = batch.add_usable(&features, &needs::TOKEN_SYMBOL, (n,))?;
        let identity = batch.add_optional(SUBTENSOR, "SubnetIdentitiesV3", (n,))?;
        subnet_slots.insert(n, (tempo, symbol, identity));
    }
    let hotkeys: BTreeSet<AccountId> = stakes.iter().map(|s| s.hotkey).collect();
    let mut owner_slots = BTreeMap::new();
    for h in &hotkeys {
        owner_slots.insert(*h, batch.add_usable(&features, &needs::OWNER, (h.0,))?);
    }
    let mut position_slots = Vec::with_capacity(stakes.len());
    for s in &stakes {
        position_slots.push((
            batch.add_usable(
                &features,
                &needs::TOTAL_HOTKEY_ALPHA,
                (s.hotkey.0, s.netuid),
            )?,
            batch.add_usable(&features, &needs::ALPHA_DIVIDENDS, (s.netuid, s.hotkey.0))?,
            batch.add_usable(
                &features,
                &needs::TOTAL_HOTKEY_ALPHA_LAST_EPOCH,
                (s.hotkey.0, s.netuid),
            )?,
        ));
    }
    fetch_together(client, &mut batch, &mut second).await?;
    let price_of = prices.finish(&batch, &mut second)?;

    let owners: HashMap<AccountId, AccountId> = owner_slots
        .iter()
        .filter_map(|(h, slot)| batch.get_opt(*slot).and_then(account_of).map(|o| (*h, o)))
        .collect();
    let names = identity_names(client, md, owners.values().copied().collect()).await?;

    struct SubnetBits {
        price: Price,
        tempo: u16,
        symbol: String,
        name: String,
    }
    let mut subnet_info = HashMap::new();
    for (n, (tempo, symbol, identity)) in &subnet_slots {
        subnet_info.insert(
            *n,
            SubnetBits {
                price: PriceReads::of(&price_of, *n)?,
                tempo: batch.get_opt(*tempo).and_then(u16_of).unwrap_or(0),
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
        let total = batch.get_opt(total_slot).and_then(u64_of).unwrap_or(0);
        let dividends = AlphaRao(batch.get_opt(div_slot).and_then(u64_of).unwrap_or(0));
        let last = AlphaRao(batch.get_opt(last_slot).and_then(u64_of).unwrap_or(0));
        let rate = apy::epoch_rate(dividends, last);
        let (available, locked) = match &availability {
            Some(map) => {
                let (a, l) = position_availability(s.alpha, map.get(&(coldkey, s.netuid)));
                (Some(a), Some(l))
            }
            None => (None, None),
        };
        positions.push(PositionView {
            hotkey: s.hotkey,
            hotkey_name: owners.get(&s.hotkey).and_then(|o| names.get(o).cloned()),
            netuid: s.netuid,
            subnet_name: sub.name.clone(),
            symbol: sub.symbol.clone(),
            alpha: s.alpha,
            tao_value,
            locked,
            available,
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

/// Balances of several coldkeys with their staked value, in 2 requests: `get_stake_info_for_coldkeys` (with
/// `current_alpha_price_all` where the runtime has it, in one batch) and one storage batch (accounts, and the
/// prices where they come from per-subnet calls or storage).
pub async fn balances(
    client: &ChainClient,
    coldkeys: &[AccountId],
) -> Result<Vec<AccountBalance>, ChainError> {
    Ok(balances_with_stakes(client, coldkeys)
        .await?
        .into_iter()
        .map(|(b, _)| b)
        .collect())
}

/// One stake of a coldkey with the price its value was computed at (what the value journal keeps).
#[derive(Debug, Clone, PartialEq)]
pub struct PricedStake {
    pub hotkey: AccountId,
    pub netuid: u16,
    pub alpha: AlphaRao,
    pub price: Price,
}

/// Like [`balances`], with each coldkey's stakes and prices (same requests).
pub async fn balances_with_stakes(
    client: &ChainClient,
    coldkeys: &[AccountId],
) -> Result<Vec<(AccountBalance, Vec<PricedStake>)>, ChainError> {
    client.require(&needs::BALANCES)?;
    client.require(&needs::POSITIONS)?;
    client.require(&needs::PRICES)?;
    let features = client.features();
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let args: Vec<[u8; 32]> = coldkeys.iter().map(|c| c.0).collect();
    let mut first = RuntimeCalls::new(md);
    let info_slot = first.add(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkeys",
        args.encode(),
    )?;
    let mut prices = PriceReads::new(&features, &mut first)?;
    first.fetch(client).await?;
    let reply = first.take(info_slot)?;
    prices.after_first(&mut first)?;
    let mut stakes: Vec<RawStake> = Vec::new();
    for pair in items(&reply) {
        for info in items(pair).get(1).map(|v| items(v)).unwrap_or_default() {
            stakes.push(raw_stake(info)?);
        }
    }
    let mut batch = StorageBatch::new(md);
    let mut second = RuntimeCalls::new(md);
    let account_slots: Vec<Slot> = coldkeys
        .iter()
        .map(|c| batch.add("System", "Account", (c.0,)))
        .collect::<Result<_, _>>()?;
    let netuids: BTreeSet<u16> = stakes
        .iter()
        .filter(|s| !s.alpha.is_zero())
        .map(|s| s.netuid)
        .collect();
    for n in &netuids {
        prices.add_subnet(*n, &mut batch, &mut second)?;
    }
    fetch_together(client, &mut batch, &mut second).await?;
    let price_of = prices.finish(&batch, &mut second)?;
    let mut out = Vec::with_capacity(coldkeys.len());
    for (c, slot) in coldkeys.iter().zip(account_slots) {
        let mut staked = Rao::ZERO;
        let mut priced = Vec::new();
        for s in stakes
            .iter()
            .filter(|s| s.coldkey == *c && !s.alpha.is_zero())
        {
            let price = PriceReads::of(&price_of, s.netuid)?;
            let value = alpha_to_tao(s.alpha, price)
                .map_err(|e| decode_error("a position's TAO value", e.to_string()))?;
            staked = staked.saturating_add(value);
            priced.push(PricedStake {
                hotkey: s.hotkey,
                netuid: s.netuid,
                alpha: s.alpha,
                price,
            });
        }
        out.push((account_data(batch.get(slot), *c, staked), priced));
    }
    Ok(out)
}

/// Every subnet, in 2 requests: `get_all_dynamic_info` (with `current_alpha_price_all` and, where the runtime
/// prunes subnets, `get_subnet_to_prune` in one batch) and one storage batch (mechanisms, the pruning settings,
/// the prices where they come from per-subnet calls or storage, and `NetworkRegisteredAt`/`SubnetMovingPrice`
/// only where DynamicInfo lacks them).
pub async fn subnets(client: &ChainClient) -> Result<Vec<SubnetView>, ChainError> {
    const WHAT: &str = "SubnetInfoRuntimeApi DynamicInfo";
    client.require(&needs::SUBNETS)?;
    client.require(&needs::PRICES)?;
    let features = client.features();
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let mut first = RuntimeCalls::new(md);
    let all_slot = first.add("SubnetInfoRuntimeApi", "get_all_dynamic_info", Vec::new())?;
    let prune_slot = if features.usable(&needs::GET_SUBNET_TO_PRUNE.path()) {
        Some(first.add("SubnetInfoRuntimeApi", "get_subnet_to_prune", Vec::new())?)
    } else {
        None
    };
    let mut prices = PriceReads::new(&features, &mut first)?;
    first.fetch(client).await?;
    let all = first.take(all_slot)?;
    let runtime_next = match prune_slot {
        Some(slot) => option_of(&first.take(slot)?).and_then(u16_of),
        None => None,
    };
    prices.after_first(&mut first)?;
    let infos: Vec<&Val> = items(&all).into_iter().filter_map(option_of).collect();
    let mut batch = StorageBatch::new(md);
    let mut second = RuntimeCalls::new(md);
    let risk = RiskGlobals::add(&features, &mut batch)?;
    let mut slots = Vec::with_capacity(infos.len());
    for info in &infos {
        let netuid = req_u16(info, "netuid", WHAT)?;
        prices.add_subnet(netuid, &mut batch, &mut second)?;
        slots.push((
            netuid,
            batch.add(SUBTENSOR, "SubnetMechanism", (netuid,))?,
            // DynamicInfo carries these on the runtimes we know; storage only where it does not.
            match field(info, "network_registered_at") {
                Some(_) => None,
                None => batch.add_usable(&features, &needs::NETWORK_REGISTERED_AT, (netuid,))?,
            },
            match field(info, "moving_price") {
                Some(_) => None,
                None => batch.add_usable(&features, &needs::SUBNET_MOVING_PRICE, (netuid,))?,
            },
        ));
    }
    fetch_together(client, &mut batch, &mut second).await?;
    let price_of = prices.finish(&batch, &mut second)?;
    let now = batch.get(risk.now).and_then(u64_of).unwrap_or(0);
    let mut out = Vec::with_capacity(infos.len());
    let mut dereg_facts = Vec::with_capacity(infos.len());
    for (info, (netuid, mechanism_slot, registered_slot, moving_slot)) in infos.iter().zip(&slots) {
        let mechanism_id = batch.get(*mechanism_slot).and_then(u16_of).unwrap_or(0);
        let mechanism = Mechanism::from_id(mechanism_id)
            .map_err(|e| decode_error("SubtensorModule.SubnetMechanism", e.to_string()))?;
        let registered_at = field(info, "network_registered_at")
            .and_then(u64_of)
            .or_else(|| batch.get_opt(*registered_slot).and_then(u64_of));
        // The runtime prices root and stable subnets at 1 for the rule, whatever their stored moving price.
        let moving_price = if *netuid == 0 || mechanism == Mechanism::Stable {
            Some(risk::MOVING_PRICE_ONE)
        } else {
            field(info, "moving_price")
                .and_then(u128_of)
                .or_else(|| batch.get_opt(*moving_slot).and_then(u128_of))
        };
        if let (Some(registered_at), Some(moving_price)) = (registered_at, moving_price) {
            dereg_facts.push(risk::SubnetDeregFacts {
                netuid: *netuid,
                registered_at,
                moving_price,
            });
        }
        let text = |name: &str| field(info, name).and_then(text_of).unwrap_or_default();
        let tao_in = Rao(req_u64(info, "tao_in", WHAT)?);
        out.push(SubnetView {
            netuid: *netuid,
            name: text("subnet_name"),
            symbol: text("token_symbol"),
            tempo: req_u16(info, "tempo", WHAT)?,
            mechanism,
            tao_in,
            alpha_in: AlphaRao(req_u64(info, "alpha_in", WHAT)?),
            alpha_out: AlphaRao(req_u64(info, "alpha_out", WHAT)?),
            emission: Rao(field(info, "emission").and_then(u64_of).unwrap_or(0)),
            price: PriceReads::of(&price_of, *netuid)?,
            registered_at,
            age_blocks: registered_at.map(|r| now.saturating_sub(r)),
            // DynamicInfo's `tao_in` is `SubnetTAO`, the pool's TAO.
            pool_tao: Some(tao_in),
            dereg: risk::DeregStanding::Unknown(String::new()),
        });
    }
    let rule = risk.rule(&features, &batch);
    let standings = risk::dereg_standings(&rule, now, &dereg_facts, runtime_next);
    for s in &mut out {
        s.dereg = standings.get(&s.netuid).cloned().unwrap_or_else(|| {
            risk::DeregStanding::Unknown(format!(
                "the runtime lacks subnet {}'s registration block or moving price",
                s.netuid
            ))
        });
    }
    out.sort_by_key(|s| s.netuid);
    Ok(out)
}

/// The block number and the subnet-wide pruning settings, read in a subnet batch.
struct RiskGlobals {
    now: Slot,
    immunity_period: Option<Slot>,
    limit: Option<Slot>,
}

impl RiskGlobals {
    fn add(features: &FeatureTable, batch: &mut StorageBatch<'_>) -> Result<Self, ChainError> {
        Ok(RiskGlobals {
            now: batch.add("System", "Number", ())?,
            immunity_period: batch.add_usable(features, &needs::NETWORK_IMMUNITY_PERIOD, ())?,
            limit: batch.add_usable(features, &needs::SUBNET_LIMIT, ())?,
        })
    }

    /// The deregistration rule of the connected runtime. The runtime API exists exactly where the runtime prunes
    /// (both came in [`risk::FIRST_PRUNING_SPEC`]); its absence proves nothing on a newer runtime, so there the rule
    /// is unknown rather than guessed.
    fn rule(&self, features: &FeatureTable, batch: &StorageBatch<'_>) -> risk::DeregRule {
        if let Err(e) = features.require(&needs::RISK_DEREG) {
            return risk::DeregRule::Unknown(e.to_string());
        }
        let limit = batch.get_opt(self.limit).and_then(u16_of);
        let immunity_period = batch.get_opt(self.immunity_period).and_then(u64_of);
        let spec = features.spec_version();
        let missing = |item: &crate::chain::runtime_check::Item| {
            risk::DeregRule::Unknown(format!(
                "deregistration standing needs {} on runtime {spec}",
                item.path()
            ))
        };
        match (
            features.usable(&needs::GET_SUBNET_TO_PRUNE.path()),
            limit,
            immunity_period,
        ) {
            (true, Some(limit), Some(immunity_period)) => risk::DeregRule::LowestPrice {
                limit,
                immunity_period,
            },
            (true, None, _) => missing(&needs::SUBNET_LIMIT),
            (true, _, None) => missing(&needs::NETWORK_IMMUNITY_PERIOD),
            (false, ..) if spec < risk::FIRST_PRUNING_SPEC => risk::DeregRule::NoPruning,
            (false, ..) => missing(&needs::GET_SUBNET_TO_PRUNE),
        }
    }
}

/// The price of each of `netuids` taken from `source` (normally the one [`super::price_source`] picks for the
/// runtime): at most 2 requests. For comparing sources on one chain.
pub async fn subnet_prices(
    client: &ChainClient,
    netuids: &[u16],
    source: PriceSource,
) -> Result<BTreeMap<u16, Price>, ChainError> {
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let mut first = RuntimeCalls::new(md);
    let mut prices = PriceReads::with_source(source, &mut first)?;
    first.fetch(client).await?;
    prices.after_first(&mut first)?;
    let mut batch = StorageBatch::new(md);
    let mut second = RuntimeCalls::new(md);
    for n in netuids {
        prices.add_subnet(*n, &mut batch, &mut second)?;
    }
    fetch_together(client, &mut batch, &mut second).await?;
    let all = prices.finish(&batch, &mut second)?;
    netuids
        .iter()
        .map(|n| PriceReads::of(&all, *n).map(|p| (*n, p)))
        .collect()
}

/// Every neuron of `netuid` (with its validator permit flag: nominators may stake to any
/// hotkey, and permits change every epoch), in 3 requests: `get_metagraph`, `get_delegates` (nominator counts) and one storage
/// batch (takes, stakes, dividends).
pub async fn validators(
    client: &ChainClient,
    netuid: u16,
) -> Result<Vec<ValidatorView>, ChainError> {
    const WHAT: &str = "SubnetInfoRuntimeApi Metagraph";
    client.require(&needs::VALIDATORS)?;
    let features = client.features();
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

    // The metagraph carries the block it was read at, the tempo, the immunity period and each uid's registration
    // block on the runtimes we know; storage is read only for what it lacks.
    let graph_tempo = field(graph, "tempo").and_then(u16_of);
    let graph_now = field(graph, "block").and_then(u64_of);
    let graph_immunity = field(graph, "immunity_period").and_then(u64_of);
    let graph_registered: Option<Vec<Option<u64>>> = field(graph, "block_at_registration")
        .map(|v| items(v).into_iter().map(u64_of).collect())
        .filter(|r: &Vec<Option<u64>>| r.len() == hotkeys.len());
    let mut batch = StorageBatch::new(md);
    // APY and risk items are optional here: without them the list still shows takes and stakes.
    let tempo_slot = match graph_tempo {
        Some(_) => None,
        None => batch.add_usable(&features, &needs::TEMPO, (netuid,))?,
    };
    let now_slot = match graph_now {
        Some(_) => None,
        None => Some(batch.add("System", "Number", ())?),
    };
    let immunity_slot = match graph_immunity {
        Some(_) => None,
        None => batch.add_usable(&features, &needs::IMMUNITY_PERIOD, (netuid,))?,
    };
    let mut slots = Vec::with_capacity(chosen.len());
    for &i in &chosen {
        let h = hotkeys[i].0;
        let uid = u16::try_from(i).unwrap_or(u16::MAX);
        slots.push((
            batch.add(SUBTENSOR, "Delegates", (h,))?,
            Some(batch.add(SUBTENSOR, "TotalHotkeyAlpha", (h, netuid))?),
            batch.add_usable(&features, &needs::ALPHA_DIVIDENDS, (netuid, h))?,
            batch.add_usable(
                &features,
                &needs::TOTAL_HOTKEY_ALPHA_LAST_EPOCH,
                (h, netuid),
            )?,
            match graph_registered {
                Some(_) => None,
                None => {
                    batch.add_usable(&features, &needs::BLOCK_AT_REGISTRATION, (netuid, uid))?
                }
            },
        ));
    }
    batch.fetch(client).await?;
    let tempo = graph_tempo
        .or_else(|| batch.get_opt(tempo_slot).and_then(u16_of))
        .unwrap_or(0);
    let now = graph_now
        .or_else(|| batch.get_opt(now_slot).and_then(u64_of))
        .unwrap_or(0);
    let immunity_period = graph_immunity.or_else(|| batch.get_opt(immunity_slot).and_then(u64_of));
    let subnet_stake: u128 = slots
        .iter()
        .map(|(_, total, ..)| u128::from(batch.get_opt(*total).and_then(u64_of).unwrap_or(0)))
        .sum();
    let mut out = Vec::with_capacity(chosen.len());
    for (&i, (take, total, div, last, registered)) in chosen.iter().zip(slots) {
        let get = |s: Option<Slot>| batch.get_opt(s).and_then(u64_of).unwrap_or(0);
        let registered_at = match &graph_registered {
            Some(blocks) => blocks.get(i).copied().flatten(),
            None => batch.get_opt(registered).and_then(u64_of),
        };
        out.push(ValidatorView {
            registered_at,
            age_blocks: registered_at.map(|r| now.saturating_sub(r)),
            immune: registered_at
                .zip(immunity_period)
                .map(|(r, p)| risk::neuron_immune(now, r, p)),
            stake_share_bps: risk::share_bps(get(total), subnet_stake),
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

/// What the flags of a stake into `hotkey` on `netuid` need: whether it holds a validator permit there and the subnet with its deregistration
/// standing. 3 requests: [`subnets`] and one storage batch (`Uids`, `ValidatorPermit`).
pub async fn stake_target_risk(
    client: &ChainClient,
    netuid: u16,
    hotkey: AccountId,
) -> Result<(risk::Permit, Option<SubnetView>), ChainError> {
    let subnet = subnets(client)
        .await?
        .into_iter()
        .find(|s| s.netuid == netuid);
    let features = client.features();
    if features.require(&needs::RISK_PERMIT).is_err() {
        return Ok((risk::Permit::Unknown, subnet));
    }
    let metadata = client.metadata();
    let md: &Metadata = &metadata;
    let mut batch = StorageBatch::new(md);
    let uid_slot = batch.add(SUBTENSOR, "Uids", (netuid, hotkey.0))?;
    let permit_slot = batch.add(SUBTENSOR, "ValidatorPermit", (netuid,))?;
    batch.fetch(client).await?;
    let permit = match batch.get(uid_slot).and_then(u16_of) {
        Some(uid) => risk::Permit::from(
            batch
                .get(permit_slot)
                .map(items)
                .unwrap_or_default()
                .get(usize::from(uid))
                .and_then(|v| bool_of(v))
                .unwrap_or(false),
        ),
        None => risk::Permit::NotRegistered,
    };
    Ok((permit, subnet))
}

/// Network-wide figures in 1 request (one storage batch).
pub async fn network_overview(client: &ChainClient) -> Result<NetworkOverview, ChainError> {
    client.require(&needs::NETWORK)?;
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
    let total_stake = Rao(get(stake));
    let total_issuance = issuance_tracked(
        Rao(get(issuance)),
        batch.get_opt(balances_issuance).and_then(u64_of).map(Rao),
        total_stake,
    );
    Ok(NetworkOverview {
        block,
        timestamp_ms,
        block_emission,
        total_issuance,
        total_stake,
        subnet_count: batch.get(networks).and_then(u16_of).unwrap_or(0),
        halving: apy::next_halving(total_issuance, block_emission, block, timestamp_ms),
    })
}

/// The TAO in existence. Subtensor's `TotalIssuance` is the counter the chain tracks (its emission schedule and
/// halvings run on it) and counts staked TAO, which the balances pallet no longer holds. A chain started from a
/// dev genesis never ran the migration that seeds that counter (`Balances::TotalIssuance + TotalStake`), so it
/// can sit below the stake alone (9.9999 τ issued next to 3,840 τ staked); there the migration's own formula is
/// the issuance.
fn issuance_tracked(subtensor: Rao, balances: Option<Rao>, total_stake: Rao) -> Rao {
    if subtensor >= total_stake && !subtensor.is_zero() {
        return subtensor;
    }
    balances
        .map_or(subtensor, |b| b.saturating_add(total_stake))
        .max(subtensor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuance_is_the_subtensor_counter_unless_it_misses_the_genesis() {
        let t = |n: u64| Rao(n * 1_000_000_000);
        // finney: the counter includes stake; the balances pallet's total does not.
        assert_eq!(
            issuance_tracked(t(10_000_000), Some(t(4_000_000)), t(5_900_000)),
            t(10_000_000)
        );
        // A dev genesis: the counter only saw emissions.
        let dev = issuance_tracked(Rao(9_999_900_000), Some(t(3_006_000)), t(3_841));
        assert_eq!(dev, t(3_009_841));
        assert!(dev >= t(3_841));
        assert_eq!(issuance_tracked(Rao::ZERO, Some(t(5)), Rao::ZERO), t(5));
        assert_eq!(issuance_tracked(t(2), None, t(3)), t(2));
    }
}
