//! taotui: a terminal wallet and staking app for Bittensor (TAO).

pub mod cli;
pub mod amount;
