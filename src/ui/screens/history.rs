//! History: what touched the selected wallet's coldkey, read from the chain over the last 24 h / 7 d / 30 d and
//! merged with the transactions submitted from this machine, newest first; this machine's records alone until
//! the chain's history is read (offline, while reading, or when the read failed).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::wallets::panel;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::chain::ChainHistory;
use crate::model::history::range_words;
use crate::ui::widgets::state_line::{SHOW_WAIT_AFTER_SECS, format_age};

/// Below this width the validator and fee columns give way (the export keeps them).
const WIDE: u16 = 110;

pub fn draw_history(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let coldkey = model.selected_coldkey();
    let shown = model.history.shown_chain(coldkey.as_deref());
    let area = match chain_line(model, shown, coldkey.is_some(), theme) {
        Some(line) => {
            let [top, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
            frame.render_widget(Paragraph::new(line), top);
            rest
        }
        None => area,
    };
    match shown {
        Some(chain) => draw_chain(frame, area, model, chain, theme),
        None => draw_local(frame, area, model, theme),
    }
}

/// What the chain read is doing: reading (with its age after a few seconds), failed (the sentence), what the
/// list covers, or why there is none.
fn chain_line<'a>(
    model: &Model,
    shown: Option<&ChainHistory>,
    has_wallet: bool,
    theme: &Theme,
) -> Option<Line<'a>> {
    let chain = &model.history.chain;
    let words = range_words(model.history.range);
    if let Some(secs) = chain.waiting(model.now) {
        let age = if secs >= SHOW_WAIT_AFTER_SECS {
            format!(" {} (Esc stops waiting)", format_age(secs))
        } else {
            String::new()
        };
        return Some(Line::styled(
            format!(
                "{} Reading the chain's history for the last {words}…{age}",
                crate::ui::spinner(model)
            ),
            theme.accent(),
        ));
    }
    if let Some(e) = &chain.error {
        return Some(Line::styled(
            format!("! Could not read the chain's history: {e}"),
            theme.warning(),
        ));
    }
    if let Some(c) = shown {
        return Some(Line::styled(
            format!(
                "Last {words}: chain blocks #{}–#{} + this machine ([ ] range, r reads again)",
                c.merged.from_block, c.merged.to_block
            ),
            theme.muted(),
        ));
    }
    if has_wallet && !model.connected() {
        return Some(Line::styled(
            "This machine's transactions only; the chain's history is read once connected.",
            theme.muted(),
        ));
    }
    None
}

fn draw_chain(frame: &mut Frame, area: Rect, model: &Model, chain: &ChainHistory, theme: &Theme) {
    let title = format!("History: last {}", range_words(chain.range));
    if chain.rows.is_empty() {
        let lines = vec![
            Line::styled("Nothing touched this wallet in the range.", theme.title()),
            Line::from(
                "Stake added, removed or moved, transfers in and out and fees are listed here.",
            ),
        ];
        frame.render_widget(Paragraph::new(lines).block(panel(&title, theme)), area);
        return;
    }
    let wide = area.width >= WIDE;
    let masked = crate::privacy::masked;
    let rows: Vec<Row> = chain
        .rows
        .iter()
        .map(|r| {
            // Narrow: the year goes (the range is at most 30 days).
            let date = if wide {
                &r.date
            } else {
                r.date.get(5..).unwrap_or(&r.date)
            };
            let mut cells = vec![
                Cell::from(date.to_owned()),
                Cell::from(r.block.clone()),
                Cell::from(r.kind.clone()).style(if r.failed {
                    theme.warning()
                } else {
                    theme.base()
                }),
                Cell::from(r.subnet.clone()),
            ];
            if wide {
                cells.push(Cell::from(r.validator.clone()));
            }
            cells.push(Cell::from(masked(&r.alpha)));
            cells.push(Cell::from(masked(&r.tao)));
            if wide {
                cells.push(Cell::from(masked(&r.fee)));
            }
            cells.push(Cell::from(r.source).style(theme.muted()));
            Row::new(cells)
        })
        .collect();
    let (widths, header): (Vec<Constraint>, Vec<&str>) = if wide {
        (
            vec![
                Constraint::Length(16),
                Constraint::Length(7),
                Constraint::Fill(1),
                Constraint::Length(3),
                Constraint::Length(11),
                Constraint::Length(12),
                Constraint::Length(12),
                Constraint::Length(11),
                Constraint::Length(11),
            ],
            vec![
                "Date (UTC)",
                "Block",
                "Kind",
                "SN",
                "Validator",
                "Alpha",
                "TAO",
                "Fee",
                "Source",
            ],
        )
    } else {
        (
            vec![
                Constraint::Length(11),
                Constraint::Length(6),
                Constraint::Fill(2),
                Constraint::Length(3),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(11),
            ],
            vec![
                "Date (UTC)",
                "Block",
                "Kind",
                "SN",
                "Alpha",
                "TAO",
                "Source",
            ],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.accent()))
        .row_highlight_style(theme.selected())
        .block(panel(&title, theme));
    let mut ts = TableState::default().with_selected(Some(model.history.selected));
    frame.render_stateful_widget(table, area, &mut ts);
}

/// This machine's records, as before the chain's history is read.
fn draw_local(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
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
