//! Support code shared by the integration tests. Each test binary uses only part of it.
#![allow(dead_code, unused_macros)]

pub mod fault_proxy;
pub mod localchain;
pub mod metadata_edit;
pub mod tmux;
pub mod world;

/// Starts a fresh local chain, or reports `SKIPPED: <test>: <reason>` and returns from the calling test when the
/// chain cannot run on this machine. Under CI (`CI=true`) an unavailable chain panics, failing the test.
macro_rules! local_chain_or_skip {
    () => {
        match $crate::common::localchain::LocalChain::start_or_skip() {
            Ok(Some(chain)) => chain,
            Ok(None) => return,
            Err(err) => panic!("{err}"),
        }
    };
}
#[allow(unused_imports)]
pub(crate) use local_chain_or_skip;

pub mod chain_reads;
