//! Everything a nominator reads from Subtensor, decoded into the app's own types.
//!
//! Runtime API results and storage values are decoded against the *live* metadata's type
//! registry (into `scale_value::Value`, then picked apart by field name), so wrapper changes
//! between runtimes (`u16` vs `NetUid(u16)`, `u64` vs `TaoCurrency(u64)`, `Compact<_>` or not)
//! decode the same. Storage keys are built from the metadata's own hashers.
//!
//! Request budget: every read costs a fixed, small number of RPC requests however many
//! positions, validators or subnets it covers: runtime API calls that return whole lists and
//! `state_queryStorageAt` batches carrying every storage key needed. `stake_list` costs at most
//! 3 (see there).

mod batch;
mod calls;
pub(crate) mod decode;
pub mod needs;
mod prices;
mod reads;
mod types;

pub use batch::{Slot, StorageBatch, fetch_each_at};
pub use calls::{CallSlot, RuntimeCalls, fetch_together, fetch_together_at, has_runtime_api};
pub use prices::{
    Availability, PriceReads, PriceSource, add_availability, availability_of,
    position_availability, price_source,
};
pub use reads::{
    PricedStake, StakeListing, balances, balances_with_stakes, network_overview, stake_list,
    stake_target_risk, subnet_prices, subnets, validators,
};
pub use types::{
    AccountBalance, AccountId, NetworkOverview, PositionView, SS58_PREFIX, SubnetView,
    ValidatorView,
};
