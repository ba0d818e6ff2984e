//! Validators of one subnet (root included), sortable and filterable; the subnet list beside it
//! on wide terminals.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::wallets::panel;
use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::risk::{self, DeregStanding};
use crate::ui::widgets::fmt;
use crate::ui::widgets::state_line::state_line;

/// Wide enough to show the subnet list next to the table.
const WIDE: u16 = 110;

pub fn draw_validators(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let v = &model.validators;
    let [top, body, hints] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let k = |c| model.keymap.key_for(Context::Validators, c);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                " {}/{} subnet · {} sort ({}) · {} filter · Enter stake · r refresh",
                k(Command::PrevSubnet),
                k(Command::NextSubnet),
                k(Command::Sort),
                v.sort.label(),
                k(Command::Filter)
            ),
            theme.muted(),
        )),
        hints,
    );
    let subnet = v.subnet(v.netuid);
    let risk_line = subnet.map(|s| subnet_risk_line(s.age_blocks, &s.dereg, theme));
    let mut head = vec![match subnet {
        Some(s) => Line::from(vec![
            Span::styled(
                format!("Subnet {} {} ({})", s.netuid, s.name, s.symbol),
                theme.title(),
            ),
            Span::styled("  price ", theme.muted()),
            Span::styled(
                format!("{} τ/{}", fmt::price(s.price), s.symbol),
                theme.base(),
            ),
            Span::styled("  pool ", theme.muted()),
            Span::styled(
                format!(
                    "{} / {}",
                    fmt::tao(s.tao_in),
                    fmt::alpha(s.alpha_in, &s.symbol)
                ),
                theme.base(),
            ),
        ]),
        None => Line::styled(format!("Subnet {}", v.netuid), theme.title()),
    }];
    head.extend(risk_line);
    if v.filtering || !v.filter.is_empty() {
        head = vec![Line::from(vec![
            Span::styled("Filter: ", theme.muted()),
            Span::styled(v.filter.display(), theme.accent()),
            Span::styled(if v.filtering { "▏" } else { "" }, theme.accent()),
        ])];
    }
    frame.render_widget(Paragraph::new(head).block(panel("Validators", theme)), top);

    let (list_area, table_area) = if area.width >= WIDE {
        let [a, b] = Layout::horizontal([Constraint::Length(30), Constraint::Min(40)]).areas(body);
        (Some(a), b)
    } else {
        (None, body)
    };
    if let Some(list_area) = list_area {
        draw_subnet_list(frame, list_area, model, theme);
    }
    if let Some(line) = state_line("validators", &v.validators, model, theme)
        && v.validators.data.is_none()
    {
        frame.render_widget(
            Paragraph::new(line).block(panel("Validators", theme)),
            table_area,
        );
        return;
    }
    let total = v.visible_len();
    if total == 0 && v.validators.data.is_some() {
        let text = if v.filter.is_empty() {
            "No validators on this subnet yet; [ and ] switch subnets."
        } else {
            "No validator matches the filter; Esc clears it."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.muted())).block(panel("0 validators", theme)),
            table_area,
        );
        return;
    }
    // Below this the nominator count gives way to the risk columns.
    let wide_table = table_area.width >= 88;
    let visible_rows = usize::from(table_area.height.saturating_sub(3)).max(1);
    // Only the rows on screen are built, so a 10,000-validator subnet draws as fast as a small one.
    let offset = v
        .selected
        .saturating_sub(visible_rows - 1)
        .min(total.saturating_sub(1));
    let window: Vec<Row> = (offset..total.min(offset + visible_rows))
        .filter_map(|n| v.visible_at(n))
        .map(|val| {
            let mut cells = vec![
                Cell::from(val.name.clone().unwrap_or_else(|| "–".to_owned())),
                Cell::from(fmt::short(&val.hotkey.ss58())),
                Cell::from(format!("{:.2}%", val.take_fraction() * 100.0)),
                Cell::from(fmt::alpha(
                    val.total_stake,
                    subnet.map_or("α", |s| s.symbol.as_str()),
                )),
                Cell::from(val.stake_share_bps.map_or("–".to_owned(), share_text)),
                // Root validators are chosen by stake, not by permits per subnet.
                if val.validator_permit || val.netuid == 0 {
                    Cell::from("yes")
                } else {
                    Cell::from("no").style(theme.warning())
                },
                Cell::from(age_cell(val.age_blocks, val.immune)),
            ];
            if wide_table {
                cells.push(Cell::from(
                    val.nominators.map_or("–".to_owned(), |n| n.to_string()),
                ));
            }
            cells.push(Cell::from(fmt::percent(val.apy)));
            Row::new(cells)
        })
        .collect();
    let mut header = vec!["Name", "Hotkey", "Take", "Stake", "Share", "Permit", "Age"];
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Length(12),
        Constraint::Length(7),
        Constraint::Fill(2),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(7),
    ];
    if wide_table {
        header.push("Nominators");
        widths.push(Constraint::Length(10));
    }
    header.push("APY");
    widths.push(Constraint::Length(8));
    let header = Row::new(header).style(theme.accent());
    let mut title = format!("{total} validators");
    if let Some(line) = state_line("validators", &v.validators, model, theme) {
        title = format!(
            "{title} · {}",
            line.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        );
    }
    let table = Table::new(window, widths)
        .header(header)
        .row_highlight_style(theme.selected())
        .block(panel(&title, theme));
    let mut ts = TableState::default().with_selected(Some(v.selected.saturating_sub(offset)));
    frame.render_stateful_widget(table, table_area, &mut ts);
}

fn draw_subnet_list(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let v = &model.validators;
    let mut lines = Vec::new();
    match &v.subnets.data {
        Some(subnets) => {
            let height = usize::from(area.height.saturating_sub(2));
            let pos = subnets
                .iter()
                .position(|s| s.netuid == v.netuid)
                .unwrap_or(0);
            let offset = pos.saturating_sub(height.saturating_sub(1));
            for s in subnets.iter().skip(offset).take(height) {
                let style = if s.netuid == v.netuid {
                    theme.selected()
                } else {
                    theme.base()
                };
                lines.push(Line::styled(
                    format!(
                        "{:>4} {:<10} {:>10}",
                        s.netuid,
                        truncate(&s.name, 10),
                        fmt::price(s.price)
                    ),
                    style,
                ));
            }
        }
        None => {
            if let Some(line) = state_line("subnets", &v.subnets, model, theme) {
                lines.push(line);
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(panel("Subnets · price τ", theme)),
        area,
    );
}

/// The subnet's risk labels (its pool depth is on the line above): age and where it stands for deregistration (warning colour when at risk).
fn subnet_risk_line<'a>(age_blocks: Option<u64>, dereg: &DeregStanding, theme: &Theme) -> Line<'a> {
    let dereg_style = if dereg.at_risk() {
        theme.warning()
    } else {
        theme.base()
    };
    Line::from(vec![
        Span::styled("age ", theme.muted()),
        Span::styled(
            age_blocks.map_or("?".to_owned(), risk::age_text),
            theme.base(),
        ),
        Span::styled("  deregistration ", theme.muted()),
        Span::styled(dereg.short(), dereg_style),
    ])
}

/// A share in basis points as "12.3%".
fn share_text(bps: u32) -> String {
    format!("{}.{}%", bps / 100, (bps % 100) / 10)
}

/// Registration age, with "imm" while the validator is still in its immunity.
fn age_cell(age: Option<u64>, immune: Option<bool>) -> String {
    match (age, immune) {
        (Some(a), Some(true)) => format!("{} imm", risk::age_text(a)),
        (Some(a), _) => risk::age_text(a),
        (None, _) => "?".to_owned(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
