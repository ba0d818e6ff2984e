//! Pieces shared by screens: status bar, dialogs, help overlay, QR code, data-state lines.

pub mod dialog;
pub mod fmt;
pub mod help;
pub mod meter;
pub mod qr;
pub mod state_line;
pub mod status_bar;
pub mod tx_progress;
