//! The `?` overlay: the rows `model::help` lays out, scrolled when the terminal is too short for them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::dialog::{centered, frame_dialog};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::help::{HELP_WIDTH, HelpRow, help_rows, inner_width};

pub fn draw_help(frame: &mut Frame, area: Rect, model: &Model, scroll: u16, theme: &Theme) {
    let rows = help_rows(model, inner_width(area.width));
    let lines: Vec<Line> = rows.iter().map(|r| line(r, theme)).collect();
    let needed = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let height = needed.min(area.height);
    let rect = centered(area, HELP_WIDTH, height);
    // The screen behind is cut at the dialog's edges; clear the whole band so no stray end of a word peeks out.
    let band = Rect::new(area.x, rect.y, area.width, rect.height);
    frame.render_widget(Clear, band);
    frame.render_widget(Block::default().style(theme.base()), band);
    let visible = usize::from(height.saturating_sub(2));
    let hidden = lines.len().saturating_sub(visible);
    let top = usize::from(scroll).min(hidden);
    let title = if hidden == 0 {
        "Keys".to_owned()
    } else {
        format!(
            "Keys · rows {}–{} of {} · ↑↓ PgUp PgDn scroll",
            top + 1,
            top + visible,
            lines.len()
        )
    };
    let inner = frame_dialog(frame, rect, &title, theme);
    let shown: Vec<Line> = lines.into_iter().skip(top).take(visible).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    // On the bottom border, so it shows however far the list is scrolled.
    let closing = format!(" {CLOSING} ");
    let width = u16::try_from(closing.chars().count())
        .unwrap_or(u16::MAX)
        .min(rect.width.saturating_sub(4));
    let bottom = Rect::new(rect.x + 2, rect.y + rect.height.saturating_sub(1), width, 1);
    frame.render_widget(Paragraph::new(Line::styled(closing, theme.muted())), bottom);
}

/// How the overlay closes.
pub const CLOSING: &str = "Esc, Enter or ? closes this";

fn line<'a>(row: &HelpRow, theme: &Theme) -> Line<'a> {
    match row {
        HelpRow::Heading(text) => Line::styled(text.clone(), theme.accent()),
        HelpRow::Binding { keys, text } => Line::from(vec![
            Span::styled(format!(" {keys:<10}"), theme.title()),
            Span::styled(text.clone(), theme.base()),
        ]),
        HelpRow::More(text) => Line::styled(format!("{:11}{text}", ""), theme.base()),
        HelpRow::Blank => Line::default(),
    }
}
