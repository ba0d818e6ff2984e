//! Air-gapped signing: the online machine writes the unsigned transaction ([`UnsignedTx`]), the offline machine
//! decodes it with metadata it holds ([`store`]), shows it in its own words ([`describe`]) and signs it
//! ([`SignedTx`]), and the online machine attaches the signature and submits it
//! ([`crate::chain::extrinsics::send::send_presigned`]).
//!
//! Both sides build the transaction with subxt's encoder ([`build`]); the offline side commits to the RFC-0078
//! digest of its metadata where the runtime has `CheckMetadataHash` ([`digest`]), so a signature it makes only
//! verifies on a runtime whose metadata decodes the call as it showed it.

pub mod build;
pub mod compact;
pub mod config;
pub mod describe;
pub mod digest;
pub mod file;
pub mod online;
pub mod pair;
pub mod store;

pub use build::{BuildError, Built, build};
pub use describe::{Line, describe_call, describe_planned, differences};
pub use file::{
    Era, FileError, MetadataHashMode, SignedTx, UNSIGNED_FORMAT, UnsignedCall, UnsignedTx,
};

static NETWORK_FORBIDDEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on this process refuses to connect to any chain ([`crate::chain::client::ChainClient::connect`] fails):
/// the offline signer needs no network, so code that would reach one (today or after a change) fails loudly.
pub fn forbid_network() {
    NETWORK_FORBIDDEN.store(true, std::sync::atomic::Ordering::SeqCst);
}

pub fn network_forbidden() -> bool {
    NETWORK_FORBIDDEN.load(std::sync::atomic::Ordering::SeqCst)
}
