//! History: the transactions submitted from this machine, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::wallets::panel;
use crate::config::theme::Theme;
use crate::model::Model;

pub fn draw_history(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let h = &model.history;
    if let Some(err) = &h.error {
        let lines = vec![Line::styled(
            format!("! Could not read the history: {err}"),
            theme.warning(),
        )];
        frame.render_widget(Paragraph::new(lines).block(panel("History", theme)), area);
        return;
    }
    if h.entries.is_empty() && h.pending.is_some() {
        let line = Line::styled(
            format!("{} Reading the history…", crate::ui::spinner(model)),
            theme.accent(),
        );
        frame.render_widget(Paragraph::new(line).block(panel("History", theme)), area);
        return;
    }
    if h.entries.is_empty() {
        let lines = vec![
            Line::styled("No transactions yet.", theme.title()),
            Line::from(
                "Stakes, unstakes, moves and transfers made with taotui are listed here with their status.",
            ),
        ];
        frame.render_widget(Paragraph::new(lines).block(panel("History", theme)), area);
        return;
    }
    let rows: Vec<Row> = h
        .entries
        .iter()
        .map(|e| {
            let status = if e.failed {
                theme.warning()
            } else {
                theme.positive()
            };
            Row::new(vec![
                Cell::from(e.time.clone()),
                Cell::from(e.call.clone()),
                Cell::from(crate::privacy::masked(&e.amount)),
                Cell::from(e.status.clone()).style(status),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(17),
            Constraint::Fill(3),
            Constraint::Fill(1),
            Constraint::Fill(2),
        ],
    )
    .header(Row::new(["Time", "Call", "Amount", "Status"]).style(theme.accent()))
    .row_highlight_style(theme.selected())
    .block(panel("History", theme));
    let mut ts = TableState::default().with_selected(Some(h.selected));
    frame.render_stateful_widget(table, area, &mut ts);
}
