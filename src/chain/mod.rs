//! Talking to Subtensor: connection, runtime checks, reads and signed transactions.
//!
//! Subtensor upgrades its runtime often, so nothing here is compiled against one metadata file:
//! metadata is read at connect time, checked against what the app needs, and values are decoded
//! dynamically into the app's own types.

pub mod account_history;
pub mod apy;
pub mod batch;
pub mod client;
pub mod earnings;
pub mod error;
pub mod extrinsics;
pub mod features;
pub mod history;
pub mod metadata_cache;
pub mod mev_shield;
pub mod network;
pub mod offline;
pub mod past;
pub mod past_cache;
pub mod proxy;
pub mod proxy_grant;
pub mod queries;
pub mod rpc_runtime_watch;
pub mod rpc_transport;
pub mod runtime_check;
pub mod runtime_info;
pub mod signer;
pub mod tx;
