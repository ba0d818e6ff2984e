//! taotui: a terminal wallet and staking app for Bittensor (TAO).

pub mod action;
pub mod address_book;
pub mod amount;
pub mod app;
pub mod chain;
pub mod cli;
pub mod config;
pub mod export_csv;
pub mod history_merge;
pub mod journal;
pub mod model;
pub mod privacy;
pub mod risk;
pub mod tui;
pub mod ui;
pub mod worker;
