//! What every signing dialog shows while its send is watched and when it ends: each stage with its mark (the
//! newest one still under way), then how long it has waited or the outcome.

use ratatui::text::Line;

use super::dialog::error_line;
use super::state_line::{SHOW_WAIT_AFTER_SECS, format_age};
use crate::action::TxProgress;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::privacy::masked;
use crate::ui::spinner;

/// How a dialog names the stages that differ between sends (a stake, a batch, an attached signature).
pub struct StageWords {
    pub unlocking: &'static str,
    pub submitted: &'static str,
}

pub fn send_lines<'a>(
    progress: &[TxProgress],
    result: Option<&Result<String, String>>,
    words: &StageWords,
    waited_secs: u64,
    model: &Model,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::with_capacity(progress.len() + 1);
    let last = progress.len().saturating_sub(1);
    for (i, p) in progress.iter().enumerate() {
        let text = match p {
            TxProgress::Unlocking => words.unlocking.to_owned(),
            TxProgress::Submitted => words.submitted.to_owned(),
            TxProgress::Waiting(what) => what.clone(),
            TxProgress::InBlock { block } => format!("In block #{block}"),
            TxProgress::Finalized { block } => format!("Finalized in block #{block}"),
        };
        let mark = match (result, i == last) {
            (None, true) => spinner(model),
            (Some(Err(_)), true) => "✗",
            _ => "✓",
        };
        lines.push(Line::styled(format!("{mark} {text}"), theme.base()));
    }
    match result {
        None => {
            let age = if waited_secs >= SHOW_WAIT_AFTER_SECS {
                format!(" {}", format_age(waited_secs))
            } else {
                String::new()
            };
            lines.push(Line::styled(
                format!("waiting for the chain…{age} (Esc: keep watching in the background)"),
                theme.muted(),
            ));
        }
        // The outcome names amounts: hidden with the others while amounts are hidden.
        Some(Ok(msg)) => lines.push(Line::styled(masked(msg), theme.positive())),
        Some(Err(e)) => lines.push(error_line(&masked(e), theme)),
    }
    lines
}
