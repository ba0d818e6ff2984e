//! taotui: a terminal wallet and staking app for Bittensor (TAO).

pub mod amount;
pub mod chain;
pub mod cli;
