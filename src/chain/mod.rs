//! Talking to Subtensor: connection, runtime checks, reads and signed transactions.
//!
//! Subtensor upgrades its runtime often, so nothing here is compiled against one metadata file:
//! metadata is read at connect time, checked against what the app needs, and values are decoded
//! dynamically into the app's own types.

pub mod client;
pub mod error;
pub mod network;
pub mod queries;
pub mod runtime_check;
pub mod signer;
pub mod tx;
pub mod metadata_cache;
pub mod rpc_transport;
pub mod rpc_runtime_watch;
pub mod apy;
