//! Key creation, derivation, encryption and storage for taotui.
//!
//! No async, no UI, no network: everything here works on bytes and files so that the CLI, the TUI
//! and the tests share one audited implementation.

pub mod atomic;
pub mod derive;
pub mod keydata;
pub mod keyfile;
pub mod mnemonic;
pub mod password;
pub mod ss58;
pub mod wallet;
