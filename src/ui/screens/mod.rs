//! One module per screen or dialog.

pub mod form;
pub mod history;
pub mod network;
pub mod offline;
pub mod portfolio;
pub mod proxies;
pub mod rebalance;
pub mod stake;
pub mod validators;
pub mod value;
pub mod wallets;
pub mod wizard;
