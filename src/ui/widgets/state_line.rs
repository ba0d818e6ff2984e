//! The line a chain-backed screen shows instead of (or above) its data: loading, offline,
//! failed, stale.

use ratatui::text::Line;

use crate::action::Connection;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::chain::{DataState, Remote};
use crate::ui::spinner;

/// A read in flight longer than this shows its age: a moment is not worth a word, a stall is.
pub const SHOW_WAIT_AFTER_SECS: u64 = 3;

/// What to say about `remote`, or `None` when fresh data is shown.
pub fn state_line<'a, T>(
    what: &str,
    remote: &Remote<T>,
    model: &Model,
    theme: &Theme,
) -> Option<Line<'a>> {
    let waiting = remote
        .waiting(model.now)
        .filter(|&s| s >= SHOW_WAIT_AFTER_SECS);
    match remote.state(model.now, model.connected()) {
        DataState::Ready => waiting.map(|secs| {
            Line::styled(
                format!(
                    "{} Refreshing {what}… {} (Esc stops waiting)",
                    spinner(model),
                    format_age(secs)
                ),
                theme.muted(),
            )
        }),
        DataState::Loading => Some(Line::styled(
            match waiting {
                Some(secs) => format!(
                    "{} Reading {what} from the chain… {} (Esc stops waiting)",
                    spinner(model),
                    format_age(secs)
                ),
                None => format!("{} Reading {what} from the chain…", spinner(model)),
            },
            theme.accent(),
        )),
        DataState::Idle => Some(match &model.connection {
            Connection::Connected { .. } => Line::styled(
                format!("No {what} read yet; press r to read."),
                theme.muted(),
            ),
            Connection::Connecting | Connection::Reconnecting { .. } => Line::styled(
                format!(
                    "{} Connecting to {}; {what} appear once connected.",
                    spinner(model),
                    model.prefs.network_name
                ),
                theme.muted(),
            ),
            Connection::Offline { reason } => {
                Line::styled(format!("Offline: {reason}"), theme.warning())
            }
        }),
        DataState::Failed => Some(Line::styled(
            format!(
                "! Could not read {what}: {}",
                remote.error.as_deref().unwrap_or("unknown error")
            ),
            theme.warning(),
        )),
        DataState::Stale => {
            let age = remote.age(model.now).unwrap_or(0);
            let why = remote
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            let refreshing = waiting
                .map(|secs| format!("; refreshing for {} (Esc stops waiting)", format_age(secs)))
                .unwrap_or_default();
            Some(Line::styled(
                format!(
                    "! Stale: {what} read {} ago{why}{refreshing}",
                    format_age(age)
                ),
                theme.warning(),
            ))
        }
    }
}

/// "42 s", "3 min", "2 h".
pub fn format_age(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}
