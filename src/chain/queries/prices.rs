//! The one price of a subnet's alpha, and the stake locks (424+), from what the runtime computes.
//!
//! Where the runtime has `SwapRuntimeApi.current_alpha_price_all` (393+) or `current_alpha_price` (346+), its
//! answer IS the price: since 424 the pool is weighted (Balancer style, `Swap.SwapBalancer`), so neither the reserve
//! ratio `SubnetTAO / SubnetAlphaIn` nor the removed V3 storage gives it. Only a runtime without the Swap runtime
//! API (spec 293) derives it from storage, mirroring that runtime's own `current_alpha_price`. The path is chosen by
//! what the metadata has, never by spec number.

use std::collections::{BTreeMap, HashMap};

use subxt::ext::codec::Encode;

use crate::amount::{AlphaRao, Mechanism, Price, Rao};
use crate::chain::error::ChainError;
use crate::chain::features::FeatureTable;

use super::batch::{Slot, StorageBatch};
use super::calls::{CallSlot, RuntimeCalls};
use super::decode::{
    Val, bool_of, decode_error, field, items, req_u16, req_u64, u16_of, u64_of, u128_of,
};
use super::needs;
use super::types::AccountId;

const SUBTENSOR: &str = "SubtensorModule";
pub const SWAP_API: &str = "SwapRuntimeApi";
pub const PRICE_ALL: &str = "current_alpha_price_all";
pub const PRICE_ONE: &str = "current_alpha_price";
pub const STAKE_API: &str = "StakeInfoRuntimeApi";
pub const AVAILABILITY: &str = "get_stake_availability_for_coldkeys";

/// Where a runtime's prices come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    /// `current_alpha_price_all`: every subnet in one call.
    RuntimeAll,
    /// `current_alpha_price(netuid)`: one call per subnet (batched into one request).
    RuntimeEach,
    /// No Swap runtime API (spec 293): derived from storage as that runtime does.
    Storage,
}

/// The best price source the runtime has in a usable shape (what [`super::needs::PRICES`] declares, in order).
pub fn price_source(features: &FeatureTable) -> PriceSource {
    if features.usable(&needs::CURRENT_ALPHA_PRICE_ALL.path()) {
        PriceSource::RuntimeAll
    } else if features.usable(&needs::CURRENT_ALPHA_PRICE.path()) {
        PriceSource::RuntimeEach
    } else {
        PriceSource::Storage
    }
}

/// The storage slots that give a subnet's price on a runtime without the Swap runtime API.
struct StorageSlots {
    mechanism: Slot,
    tao_in: Slot,
    alpha_in: Slot,
    v3_initialized: Option<Slot>,
    sqrt_price: Option<Slot>,
}

/// Reads the prices of some subnets within requests a read already makes: the all-subnets call rides in the
/// read's first batch of runtime calls; per-subnet calls or storage items in its second (storage) request.
pub struct PriceReads {
    source: PriceSource,
    all_slot: Option<CallSlot>,
    all: HashMap<u16, Price>,
    each: BTreeMap<u16, CallSlot>,
    storage: BTreeMap<u16, StorageSlots>,
}

impl PriceReads {
    /// Starts the reads; adds the all-subnets call to `first` where the runtime has it.
    pub fn new(features: &FeatureTable, first: &mut RuntimeCalls<'_>) -> Result<Self, ChainError> {
        Self::with_source(price_source(features), first)
    }

    /// Like [`PriceReads::new`] with a chosen source (to compare sources on one chain); a source the runtime
    /// lacks fails when its call is added.
    pub fn with_source(
        source: PriceSource,
        first: &mut RuntimeCalls<'_>,
    ) -> Result<Self, ChainError> {
        let all_slot = match source {
            PriceSource::RuntimeAll => Some(first.add(SWAP_API, PRICE_ALL, Vec::new())?),
            _ => None,
        };
        Ok(PriceReads {
            source,
            all_slot,
            all: HashMap::new(),
            each: BTreeMap::new(),
            storage: BTreeMap::new(),
        })
    }

    pub fn source(&self) -> PriceSource {
        self.source
    }

    /// Takes the all-subnets answer out of `first` once it is fetched.
    pub fn after_first(&mut self, first: &mut RuntimeCalls<'_>) -> Result<(), ChainError> {
        if let Some(slot) = self.all_slot.take() {
            let list = first.take(slot)?;
            for entry in items(&list) {
                const WHAT: &str = "SwapRuntimeApi SubnetPrice";
                let netuid = req_u16(entry, "netuid", WHAT)?;
                let rao_per_alpha = req_u64(entry, "price", WHAT)?;
                self.all
                    .insert(netuid, Price::from_rao_per_alpha(rao_per_alpha));
            }
        }
        Ok(())
    }

    /// Adds what `netuid`'s price needs to the second request (nothing where the all-subnets call answered).
    pub fn add_subnet(
        &mut self,
        netuid: u16,
        storage: &mut StorageBatch<'_>,
        second: &mut RuntimeCalls<'_>,
    ) -> Result<(), ChainError> {
        match self.source {
            PriceSource::RuntimeAll => {}
            PriceSource::RuntimeEach => {
                if let std::collections::btree_map::Entry::Vacant(e) = self.each.entry(netuid) {
                    e.insert(second.add(SWAP_API, PRICE_ONE, netuid.encode())?);
                }
            }
            PriceSource::Storage => {
                let slots = StorageSlots {
                    mechanism: storage.add(SUBTENSOR, "SubnetMechanism", (netuid,))?,
                    tao_in: storage.add(SUBTENSOR, "SubnetTAO", (netuid,))?,
                    alpha_in: storage.add(SUBTENSOR, "SubnetAlphaIn", (netuid,))?,
                    v3_initialized: storage.add_optional("Swap", "SwapV3Initialized", (netuid,))?,
                    sqrt_price: storage.add_optional("Swap", "AlphaSqrtPrice", (netuid,))?,
                };
                self.storage.insert(netuid, slots);
            }
        }
        Ok(())
    }

    /// The price of every subnet added, once the second request is fetched.
    pub fn finish(
        &mut self,
        storage: &StorageBatch<'_>,
        second: &mut RuntimeCalls<'_>,
    ) -> Result<BTreeMap<u16, Price>, ChainError> {
        let mut out = BTreeMap::new();
        match self.source {
            PriceSource::RuntimeAll => {
                for (n, p) in &self.all {
                    out.insert(*n, *p);
                }
                // Root is priced 1:1 by definition, whether or not the runtime lists it.
                out.entry(0).or_insert(Price::ONE);
            }
            PriceSource::RuntimeEach => {
                for (n, slot) in &self.each {
                    let v = second.take(*slot)?;
                    let rao = u64_of(&v).ok_or_else(|| {
                        decode_error("SwapRuntimeApi.current_alpha_price", "not an integer")
                    })?;
                    out.insert(*n, Price::from_rao_per_alpha(rao));
                }
            }
            PriceSource::Storage => {
                for (n, slots) in &self.storage {
                    out.insert(*n, storage_price(storage, *n, slots)?);
                }
            }
        }
        Ok(out)
    }

    /// The price of `netuid` from [`PriceReads::finish`]'s answer; an error naming the subnet where the runtime
    /// gave none (a value is never made up).
    pub fn of(prices: &BTreeMap<u16, Price>, netuid: u16) -> Result<Price, ChainError> {
        prices.get(&netuid).copied().ok_or_else(|| {
            decode_error(
                &format!("the price of subnet {netuid}"),
                "the runtime's price list does not include this subnet",
            )
        })
    }
}

/// Mirrors spec 293's `current_alpha_price`: 1 for root and stable subnets; the swap pool's sqrt price squared
/// once the v3 pool is initialised; before that the reserve ratio.
fn storage_price(
    batch: &StorageBatch<'_>,
    netuid: u16,
    slots: &StorageSlots,
) -> Result<Price, ChainError> {
    let mechanism_id = batch.get(slots.mechanism).and_then(u16_of).unwrap_or(0);
    let mechanism = Mechanism::from_id(mechanism_id)
        .map_err(|e| decode_error("SubtensorModule.SubnetMechanism", e.to_string()))?;
    if netuid == 0 || mechanism == Mechanism::Stable {
        return Ok(Price::ONE);
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
        return Price::from_sqrt_u64f64_bits(sqrt)
            .map_err(|e| decode_error("Swap.AlphaSqrtPrice", e.to_string()));
    }
    let tao_in = Rao(batch.get(slots.tao_in).and_then(u64_of).unwrap_or(0));
    let alpha_in = AlphaRao(batch.get(slots.alpha_in).and_then(u64_of).unwrap_or(0));
    Ok(Price::from_reserves(tao_in, alpha_in).unwrap_or(Price::from_rao_per_alpha(0)))
}

/// A coldkey's stake on one subnet as the lock rules see it (`StakeAvailability`, 424+). Locks are per coldkey
/// and subnet: an unstake fails (`StakeUnavailable`) when what stays would not cover the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    pub total: AlphaRao,
    pub locked: AlphaRao,
    pub available: AlphaRao,
}

/// Adds `get_stake_availability_for_coldkeys(coldkeys, None)` to `calls` where the runtime has locks
/// ([`super::needs::LOCKS`] works).
pub fn add_availability(
    calls: &mut RuntimeCalls<'_>,
    features: &FeatureTable,
    coldkeys: &[AccountId],
) -> Option<CallSlot> {
    if !features.status(&needs::LOCKS).works() {
        return None;
    }
    let keys: Vec<[u8; 32]> = coldkeys.iter().map(|c| c.0).collect();
    let args = (keys, Option::<Vec<u16>>::None).encode();
    calls.add_optional(STAKE_API, AVAILABILITY, args)
}

/// The answer of [`add_availability`], per (coldkey, netuid).
pub fn availability_of(v: &Val) -> Result<HashMap<(AccountId, u16), Availability>, ChainError> {
    const WHAT: &str = "StakeInfoRuntimeApi StakeAvailability";
    let mut out = HashMap::new();
    for per_coldkey in items(v) {
        let pair = items(per_coldkey);
        let (Some(coldkey), Some(subnets)) = (
            pair.first().and_then(|c| super::decode::account_of(c)),
            pair.get(1),
        ) else {
            return Err(decode_error(WHAT, "an entry is not (coldkey, subnets)"));
        };
        for per_subnet in items(subnets) {
            let pair = items(per_subnet);
            let (Some(netuid), Some(a)) = (pair.first().and_then(|n| u16_of(n)), pair.get(1))
            else {
                return Err(decode_error(WHAT, "an entry is not (netuid, availability)"));
            };
            let get = |name: &str| field(a, name).and_then(u64_of).map(AlphaRao);
            let (Some(total), Some(locked), Some(available)) =
                (get("total"), get("locked"), get("available"))
            else {
                return Err(decode_error(WHAT, "total, locked or available is missing"));
            };
            out.insert(
                (coldkey, netuid),
                Availability {
                    total,
                    locked,
                    available,
                },
            );
        }
    }
    Ok(out)
}

/// How much of one position (`alpha` held with one hotkey) can leave it now, and how much is held by the lock:
/// the subnet's available stake caps every position on it.
pub fn position_availability(
    alpha: AlphaRao,
    subnet: Option<&Availability>,
) -> (AlphaRao, AlphaRao) {
    let available = subnet.map_or(alpha, |a| alpha.min(a.available));
    (available, alpha.saturating_sub(available))
}
