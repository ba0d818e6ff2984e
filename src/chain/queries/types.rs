//! Domain types returned by the reads. Amounts are integers (`Rao`, `AlphaRao`, `Price`);
//! APY and shares are `f64` because they are display-only rates.

use std::fmt;

use crate::amount::{AlphaRao, Mechanism, Price, Rao};
use crate::chain::apy::Halving;
use crate::risk::DeregStanding;

/// Bittensor's SS58 prefix (generic Substrate, 42).
pub const SS58_PREFIX: u16 = 42;

/// A 32-byte account id (a coldkey or hotkey public key).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub [u8; 32]);

impl AccountId {
    pub fn ss58(&self) -> String {
        taotui_keystore::ss58::encode(&self.0, SS58_PREFIX)
    }

    /// Parses an SS58 address (any prefix).
    pub fn from_ss58(address: &str) -> Result<Self, taotui_keystore::ss58::Ss58Error> {
        taotui_keystore::ss58::decode(address.trim()).map(|(key, _)| AccountId(key))
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.ss58())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ss58())
    }
}

/// `System.Account[coldkey].data`, plus the TAO value of the coldkey's stake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBalance {
    pub coldkey: AccountId,
    pub free: Rao,
    pub reserved: Rao,
    pub frozen: Rao,
    /// Sum over positions of alpha x current price, each rounded down.
    pub staked_value: Rao,
}

impl AccountBalance {
    /// free + reserved + staked value (frozen is part of free).
    pub fn total(&self) -> Rao {
        self.free
            .saturating_add(self.reserved)
            .saturating_add(self.staked_value)
    }
}

/// A subnet as `subnets` and the price computations see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetView {
    pub netuid: u16,
    /// The runtime's name for the subnet (may be empty).
    pub name: String,
    pub symbol: String,
    pub tempo: u16,
    pub mechanism: Mechanism,
    pub tao_in: Rao,
    pub alpha_in: AlphaRao,
    pub alpha_out: AlphaRao,
    /// TAO emitted into this subnet per block.
    pub emission: Rao,
    /// TAO per alpha now: 1 for root and stable subnets, else the swap pool's price.
    pub price: Price,
    /// Risk labels: `NetworkRegisteredAt`, and blocks since then when read; `None` where the runtime lacks it.
    pub registered_at: Option<u64>,
    pub age_blocks: Option<u64>,
    /// Pool depth: the TAO in the subnet's pool (`SubnetTAO`).
    pub pool_tao: Option<Rao>,
    /// Where the subnet stands for deregistration under the connected runtime's rule.
    pub dereg: DeregStanding,
}

/// One stake position of a coldkey, with everything `stake list` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionView {
    pub hotkey: AccountId,
    /// The validator's identity name (`IdentitiesV2` of the hotkey's owner coldkey).
    pub hotkey_name: Option<String>,
    pub netuid: u16,
    pub subnet_name: String,
    pub symbol: String,
    /// Alpha held: the runtime API's amount, not `Alpha` storage shares.
    pub alpha: AlphaRao,
    /// alpha x price, rounded down (a position is never overstated).
    pub tao_value: Rao,
    /// Alpha of this position held by a stake lock (424+); `None` where the runtime has no locks.
    pub locked: Option<AlphaRao>,
    /// Alpha of this position that can be unstaked or moved now (`alpha - locked`); `None` without locks.
    pub available: Option<AlphaRao>,
    pub price: Price,
    /// This position's fraction of the hotkey's alpha on the subnet (`TotalHotkeyAlpha`).
    pub share_of_validator: Option<f64>,
    /// Last epoch's dividends over last epoch's stake (see `chain::apy`).
    pub epoch_rate: Option<f64>,
    /// Alpha-denominated APY as a fraction; `None` where the chain has no data yet.
    pub apy: Option<f64>,
    /// Estimated alpha earned per day at the last epoch's rate (display only, rounded down).
    pub daily_alpha: Option<AlphaRao>,
}

/// A neuron (validator or not: nominators can stake to any hotkey) on one subnet.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatorView {
    pub netuid: u16,
    pub uid: u16,
    pub hotkey: AccountId,
    pub owner: AccountId,
    pub name: Option<String>,
    /// `Delegates[hotkey]`, in parts of 65535.
    pub take: u16,
    /// The hotkey's alpha on this subnet (`TotalHotkeyAlpha`).
    pub total_stake: AlphaRao,
    /// Coldkeys staking on this hotkey and subnet, where the runtime lists them (delegates only).
    pub nominators: Option<u32>,
    pub validator_permit: bool,
    /// Last epoch's dividends over last epoch's stake (see `chain::apy`).
    pub epoch_rate: Option<f64>,
    pub apy: Option<f64>,
    /// Risk labels: `BlockAtRegistration` and blocks since then; `None` where the runtime lacks the item.
    pub registered_at: Option<u64>,
    pub age_blocks: Option<u64>,
    /// Still inside the subnet's `ImmunityPeriod` after registration.
    pub immune: Option<bool>,
    /// This hotkey's share of the alpha staked on all of the subnet's registered hotkeys, in basis points.
    pub stake_share_bps: Option<u32>,
}

impl ValidatorView {
    pub fn take_fraction(&self) -> f64 {
        f64::from(self.take) / f64::from(u16::MAX)
    }
}

/// Network-wide figures for `overview`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkOverview {
    pub block: u64,
    /// `Timestamp.Now`: milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    pub block_emission: Rao,
    pub total_issuance: Rao,
    pub total_stake: Rao,
    pub subnet_count: u16,
    pub halving: Option<Halving>,
}

impl NetworkOverview {
    /// Staked fraction of issuance in basis points, rounded down; at most 100 % (stake is part of issuance, so
    /// a larger ratio can only come from a counter that missed some TAO, and is not shown as a share).
    pub fn staked_bps(&self) -> u32 {
        if self.total_issuance.is_zero() {
            return 0;
        }
        let bps =
            u128::from(self.total_stake.get()) * 10_000 / u128::from(self.total_issuance.get());
        u32::try_from(bps.min(10_000)).unwrap_or(10_000)
    }
}
