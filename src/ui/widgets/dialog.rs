//! Centered dialogs drawn over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::config::theme::Theme;

/// A rectangle of at most `width` x `height` centered in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// Clears `area` and draws a titled frame; returns the inner area.
pub fn frame_dialog(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme.title()))
        .border_style(theme.border())
        .style(theme.base());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

pub fn draw_message(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    text: &str,
    error: bool,
    theme: &Theme,
) {
    let rect = centered(area, 60, 8);
    let inner = frame_dialog(frame, rect, title, theme);
    let style = if error { theme.warning() } else { theme.base() };
    let lines = vec![
        Line::styled(text.to_owned(), style),
        Line::default(),
        Line::styled("Enter or Esc closes this.", theme.muted()),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// "label: value" with the label muted.
pub fn field_line<'a>(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<16}"), theme.muted()),
        Span::styled(crate::privacy::masked(&value.into()), theme.base()),
    ])
}

/// An error sentence in the theme's warning colour.
pub fn error_line<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::styled(format!("! {text}"), theme.warning())
}

/// Key hints at the bottom of a dialog.
pub fn hint_line<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::styled(text.to_owned(), theme.muted())
}
