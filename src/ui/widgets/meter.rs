//! The password strength meter.

use ratatui::text::{Line, Span};
use taotui_keystore::password::PasswordVerdict;

use crate::config::theme::Theme;

pub fn strength_line<'a>(verdict: Option<&PasswordVerdict>, theme: &Theme) -> Line<'a> {
    let Some(v) = verdict else {
        return Line::styled(
            "Strength: type a password (at least 8 characters; a few random words work well)",
            theme.muted(),
        );
    };
    let (score, style) = match v {
        PasswordVerdict::Strong { score } => (*score, theme.positive()),
        PasswordVerdict::Weak { score, .. } => (*score, theme.warning()),
        PasswordVerdict::TooShort { .. } => (0, theme.warning()),
    };
    let filled = usize::from(score.min(4)) * 4;
    Line::from(vec![
        Span::styled("Strength: ", theme.muted()),
        Span::styled(
            format!("{}{} ", "█".repeat(filled), "░".repeat(16 - filled)),
            style,
        ),
        Span::styled(v.describe(), style),
    ])
}
