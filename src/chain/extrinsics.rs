//! The nominator's actions: stake, unstake, re-delegate, swap between subnets and transfer TAO.
//!
//! Three steps, so the confirmation comes before the key is unlocked:
//! 1. [`prepare`] reads the chain (one storage batch, plus the positions when alpha is sold), plans the call
//!    ([`plan::plan`], pure), estimates its fee on an extrinsic of the real signed shape carrying a dummy signature,
//!    asks the runtime for its swap quote where it has `sim_swap`, and returns the [`Preview`] with its refusals;
//! 2. the caller shows the preview and asks for confirmation, then unlocks the coldkey with [`unlock_coldkey`]
//!    (on a blocking thread);
//! 3. [`send`] signs with a fresh nonce on the previewed block (mortal era of [`crate::chain::tx::MORTAL_PERIOD_BLOCKS`]
//!    blocks from it), records the hash in the history, submits once and watches; see [`send`] for what happens
//!    when the connection drops.

// The error carries the chain's own error and the transaction hashes the user needs; these
// results are few and never on a hot path, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod fetch;
mod legs;
pub mod needs;
pub mod plan;
pub mod send;

pub use fetch::{Prepared, build_extrinsic, chain_view, payload, prepare};
pub use plan::{
    AccountKey, Action, AlphaAmount, ArgValue, ChainView, OptionalCalls, PlannedCall, Preview,
    ProxyFor, QuoteSource, Refusal, SimQuote, StakeMode,
};
pub use send::{SendOptions, Sent, find_in_blocks, send, unlock_coldkey};

use crate::chain::error::ChainError;
use crate::chain::history::HistoryError;
use crate::chain::tx::TxError;

#[derive(Debug, thiserror::Error)]
pub enum ExtrinsicError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Tx(#[from] TxError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Shield(#[from] crate::chain::mev_shield::ShieldError),
    #[error(
        "Could not build {call} for this runtime: {message}. The runtime may have changed the call; update taotui."
    )]
    Build { call: String, message: String },
    #[error("Could not unlock the coldkey: {0}")]
    Unlock(String),
    #[error(
        "The unlocked key is not the coldkey the preview was made for; preview again with the right wallet."
    )]
    WrongKey,
    #[error(
        "The outcome of transaction {hash} is not known ({detail}). It was sent once and will not be sent again; it can still land until block #{valid_until}, so check `taotui history` or the account before retrying."
    )]
    OutcomeUnknown {
        hash: String,
        valid_until: u64,
        detail: String,
    },
}
