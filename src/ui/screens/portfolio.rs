//! Portfolio: balance summary, every position, and the split of stake by subnet.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::wallets::panel;
use crate::amount::Rao;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::chain::{DataState, SplitBy, SplitPart};
use crate::ui::widgets::fmt;
use crate::ui::widgets::state_line::state_line;

pub fn draw_portfolio(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let p = &model.portfolio;
    let Some(coldkey) = model.selected_coldkey() else {
        let lines = vec![
            Line::styled("No wallet selected.", theme.title()),
            Line::from("Create, restore or select a wallet on the Wallets screen (1)."),
        ];
        frame.render_widget(Paragraph::new(lines).block(panel("Portfolio", theme)), area);
        return;
    };
    let since = super::value::since_line(model, &coldkey, theme);
    let summary_height = if since.is_some() { 6 } else { 5 };
    if model.value.open {
        let [summary, rest, hints] = Layout::vertical([
            Constraint::Length(summary_height),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        draw_summary(frame, summary, model, theme, coldkey, since);
        super::value::draw_value(frame, rest, model, theme);
        super::value::draw_hints(frame, hints, model, theme);
        return;
    }
    let rows = p.sorted();
    let parts = p.split_parts();
    let (table_height, chart_height) = body_heights(
        area.height.saturating_sub(summary_height - 5),
        rows.len(),
        parts.len(),
    );
    // Table and chart take what they need; what is left stays below them, not inside a frame.
    let [summary, body, chart, _, hints] = Layout::vertical([
        Constraint::Length(summary_height),
        Constraint::Length(table_height),
        Constraint::Length(chart_height),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let k = |c| model.keymap.key_for(Context::Portfolio, c);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                " {} sort ({}) · {} add · {} unstake · {} move · {} swap · {} send · {}/{} charts",
                k(Command::Sort),
                p.sort.label(),
                k(Command::StakeMore),
                k(Command::Unstake),
                k(Command::MoveStake),
                k(Command::SwapStake),
                k(Command::Transfer),
                k(Command::ChartSplit),
                k(Command::ValueChart),
            ),
            theme.muted(),
        )),
        hints,
    );
    draw_summary(frame, summary, model, theme, coldkey.clone(), since);

    let state = p.listing.state(model.now, model.connected());
    if rows.is_empty() {
        let text = if matches!(state, DataState::Ready | DataState::Stale) {
            "No stake yet. Pick a validator on the Validators screen (3) and press Enter to stake."
        } else {
            ""
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.muted())).block(panel("Positions", theme)),
            body,
        );
        return;
    }
    // A "Locked" column only while some position has a stake lock (424+): most never do.
    let any_locked = rows.iter().any(|p| p.locked.is_some_and(|l| !l.is_zero()));
    // A mark column only while some position is marked for a rebalance.
    let any_marked = !p.marks.is_empty();
    let mut header = if any_marked { vec!["✓"] } else { Vec::new() };
    header.extend(["Validator", "Subnet", "Alpha"]);
    if any_locked {
        header.push("Locked");
    }
    header.extend(["Value", "Share", "APY", "Per day"]);
    // "Earned 7 d" once the week's earnings were read from past chain state (rewards at the end price).
    let earned = model
        .value
        .earnings
        .get(&(coldkey.clone(), crate::model::value::Range::Week))
        .filter(|s| s.report.is_some());
    if earned.is_some() {
        header.push("Earned 7 d");
    }
    let header = Row::new(header).style(theme.accent());
    // Only the rows on screen are built (1,000 positions draw like 10).
    let visible_rows = usize::from(body.height.saturating_sub(3)).max(1);
    let offset = p
        .selected
        .saturating_sub(visible_rows - 1)
        .min(rows.len().saturating_sub(1));
    let table_rows: Vec<Row> = rows
        .iter()
        .skip(offset)
        .take(visible_rows)
        .map(|pos| {
            let name = pos
                .hotkey_name
                .clone()
                .unwrap_or_else(|| fmt::short(&pos.hotkey.ss58()));
            let subnet = if pos.subnet_name.is_empty() {
                format!("{} {}", pos.netuid, pos.symbol)
            } else {
                format!("{} {}", pos.netuid, pos.subnet_name)
            };
            let mut cells = Vec::new();
            if any_marked {
                let marked = p.marks.contains(&(pos.hotkey.0, pos.netuid));
                cells.push(Cell::from(if marked { "●" } else { " " }));
            }
            cells.extend([
                Cell::from(name),
                Cell::from(subnet),
                Cell::from(fmt::alpha(pos.alpha, &pos.symbol)),
            ]);
            if any_locked {
                cells.push(Cell::from(
                    pos.locked
                        .filter(|l| !l.is_zero())
                        .map_or("–".to_owned(), |l| fmt::alpha(l, &pos.symbol)),
                ));
            }
            cells.extend([
                Cell::from(fmt::tao(pos.tao_value)),
                Cell::from(fmt::percent(pos.share_of_validator)),
                Cell::from(fmt::percent(pos.apy)),
                Cell::from(
                    // The estimate saturates at u64::MAX on young chains with huge rates.
                    pos.daily_alpha
                        .filter(|a| a.get() != u64::MAX)
                        .map_or("–".to_owned(), |a| fmt::alpha(a, &pos.symbol)),
                ),
            ]);
            if let Some(slot) = earned {
                cells.push(Cell::from(
                    slot.position(&pos.hotkey.0, pos.netuid)
                        .map_or("–".to_owned(), |e| super::value::signed_tao(e.reward_tao)),
                ));
            }
            Row::new(cells)
        })
        .collect();
    let total: Rao = rows.iter().map(|p| p.tao_value).sum();
    let mut widths = if any_marked {
        vec![Constraint::Length(1)]
    } else {
        Vec::new()
    };
    widths.extend([
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(2),
    ]);
    if any_locked {
        widths.push(Constraint::Fill(2));
    }
    widths.extend([
        Constraint::Fill(2),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Fill(2),
    ]);
    if earned.is_some() {
        widths.push(Constraint::Fill(2));
    }
    let table = Table::new(table_rows, widths)
        .header(header)
        .row_highlight_style(theme.selected())
        .block(panel(
            &if any_marked {
                format!(
                    "Positions ({}) · total {} · {} marked, {} rebalances",
                    rows.len(),
                    fmt::tao(total),
                    p.marks.len(),
                    k(Command::Rebalance)
                )
            } else {
                format!("Positions ({}) · total {}", rows.len(), fmt::tao(total))
            },
            theme,
        ));
    let mut ts = TableState::default().with_selected(Some(p.selected.saturating_sub(offset)));
    frame.render_stateful_widget(table, body, &mut ts);

    if chart.height > 0 {
        draw_split(frame, chart, &parts, total, p.split, theme);
    }
}

/// Coldkey, balances, the data state and "since you last looked".
fn draw_summary(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    theme: &Theme,
    coldkey: String,
    since: Option<Line<'static>>,
) {
    let p = &model.portfolio;
    let mut head = vec![Line::from(vec![
        Span::styled("Coldkey  ", theme.muted()),
        Span::styled(coldkey, theme.accent()),
    ])];
    if let Some((balance, _)) = &p.listing.data {
        head.push(Line::from(vec![
            Span::styled("Free  ", theme.muted()),
            Span::styled(fmt::tao(balance.free), theme.base()),
            Span::styled("   Staked value  ", theme.muted()),
            Span::styled(fmt::tao(balance.staked_value), theme.base()),
            Span::styled("   Total  ", theme.muted()),
            Span::styled(fmt::tao(balance.total()), theme.title()),
        ]));
    }
    if let Some(line) = state_line("positions", &p.listing, model, theme) {
        head.push(line);
    }
    if let Some(line) = since {
        head.push(line);
    }
    frame.render_widget(Paragraph::new(head).block(panel("Portfolio", theme)), area);
}

/// Heights of the positions table and the chart for `rows` positions and `parts` bars in a
/// body of `height`: each as tall as its content, the chart giving way first when space is short.
fn body_heights(height: u16, rows: usize, parts: usize) -> (u16, u16) {
    let avail = height.saturating_sub(6);
    if rows == 0 {
        // The panel carries the "no stake yet" or loading message; nothing to chart.
        return (avail, 0);
    }
    let table_wanted = u16::try_from(rows.max(1) + 3).unwrap_or(u16::MAX);
    let chart_wanted = if parts == 0 {
        0
    } else {
        u16::try_from(parts + 2).unwrap_or(u16::MAX)
    };
    if table_wanted.saturating_add(chart_wanted) <= avail {
        return (table_wanted, chart_wanted);
    }
    // Not everything fits: the chart gets at most a third (none when under 3 bars fit).
    let chart = chart_wanted.min(avail / 3);
    let chart = if chart < 4 { 0 } else { chart };
    (avail - chart, chart)
}

/// Horizontal bars: the share of staked value per subnet or per validator.
fn draw_split(
    frame: &mut Frame,
    area: Rect,
    parts: &[SplitPart],
    total: Rao,
    split: SplitBy,
    theme: &Theme,
) {
    let label_width = match split {
        SplitBy::Subnet => 10,
        SplitBy::Validator => 20,
    };
    // Borders, the label, the percentage and the value take the rest of the row.
    let bar_width = usize::from(area.width).saturating_sub(label_width + 2 + 1 + 7 + 16);
    let shown = usize::from(area.height.saturating_sub(2));
    let mut lines: Vec<Line> = parts
        .iter()
        .take(shown)
        .map(|part| {
            let share = if total.get() == 0 {
                0.0
            } else {
                part.value as f64 / total.get() as f64
            };
            let filled = ((share * bar_width as f64).round() as usize).min(bar_width);
            let label: String = part.label.chars().take(label_width).collect();
            Line::from(vec![
                Span::styled(format!("{label:<label_width$} "), theme.muted()),
                Span::styled("█".repeat(filled), theme.accent()),
                Span::styled(format!(" {:>5.1}%", share * 100.0), theme.base()),
                Span::styled(format!("  {}", fmt::tao(Rao(part.value))), theme.muted()),
            ])
        })
        .collect();
    if parts.len() > shown && shown > 0 {
        lines.pop();
        lines.push(Line::styled(
            format!("… and {} more", parts.len() - shown + 1),
            theme.muted(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(panel(&format!("Split by {}", split.label()), theme)),
        area,
    );
}
