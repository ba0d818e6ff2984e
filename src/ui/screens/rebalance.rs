//! The rebalance dialog: a row per marked position with its action, amount and destination, the new stake, the
//! validator picker, then the batch's preview (each leg, the totals, the fee, the MEV shield line), the password
//! and the progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::wizard::input_line;
use crate::action::LegFigures;
use crate::amount::{AlphaRao, Price, Rao, Rounding};
use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::chain::DataState;
use crate::model::rebalance::{Choice, Leg, Rebalance, RebalanceStep};
use crate::model::stake::{LimitKeys, percent_text};
use crate::privacy::masked;
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, field_line, frame_dialog, hint_line};
use crate::ui::widgets::fmt;
use crate::ui::widgets::tx_progress::{StageWords, send_lines};

const WIDTH: u16 = 100;

fn tao(rao: u64) -> String {
    format!("{} τ", Rao(rao).format_tao(4, Rounding::Down))
}

fn alpha(rao: u64, symbol: &str) -> String {
    format!("{} {symbol}", AlphaRao(rao).format_alpha(4, Rounding::Down))
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

pub fn draw_rebalance(frame: &mut Frame, area: Rect, r: &Rebalance, model: &Model, theme: &Theme) {
    let most = centered(area, WIDTH, area.height);
    let lines = dialog_lines(r, model, theme, most.height.saturating_sub(2));
    let width = usize::from(most.width.saturating_sub(2).max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(most.height);
    let rect = centered(area, WIDTH, height);
    let inner = frame_dialog(frame, rect, "Rebalance", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn dialog_lines<'a>(r: &Rebalance, model: &Model, theme: &Theme, height: u16) -> Vec<Line<'a>> {
    let mut lines = vec![field_line("Wallet", r.wallet.clone(), theme)];
    if let Some(proxy) = &r.proxy {
        lines.push(field_line(
            "Signed by",
            format!("proxy wallet {proxy}"),
            theme,
        ));
    }
    match r.step {
        RebalanceStep::Edit => edit_lines(r, model, theme, &mut lines),
        RebalanceStep::Picking => picker_lines(r, model, theme, &mut lines, height),
        RebalanceStep::Previewing => {
            legs_words(r, theme, &mut lines);
            lines.push(Line::styled(
                format!(
                    "{} Asking the chain for each leg, the fee and the checks…",
                    spinner(model)
                ),
                theme.accent(),
            ));
        }
        RebalanceStep::Confirm => preview_lines(r, model, theme, &mut lines),
        RebalanceStep::Writing => {
            legs_words(r, theme, &mut lines);
            lines.push(Line::styled(
                format!(
                    "{} Writing the unsigned batch for offline signing… Esc: stop waiting",
                    spinner(model)
                ),
                theme.accent(),
            ));
        }
        RebalanceStep::Password => {
            legs_words(r, theme, &mut lines);
            lines.push(Line::default());
            let label = match &r.proxy {
                Some(proxy) => format!("Password of proxy wallet {proxy}"),
                None => "Coldkey password".to_owned(),
            };
            lines.push(input_line(&label, &r.password.display(), true, theme));
            lines.push(hint_line(
                "Enter sign once and submit the whole batch · Esc back",
                theme,
            ));
        }
        RebalanceStep::Progress | RebalanceStep::Done => {
            progress_lines(r, model, theme, &mut lines)
        }
    }
    if let Some(e) = &r.error {
        lines.push(error_line(e, theme));
    }
    lines
}

fn edit_lines<'a>(r: &Rebalance, model: &Model, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    lines.push(field_line("Free", masked(&tao(r.free)), theme));
    lines.push(Line::default());
    lines.push(Line::styled(
        format!(
            "  {} {} {} Amount",
            cut("Position", 26),
            cut("Can move", 16),
            cut("Action", 15),
        ),
        theme.muted(),
    ));
    let styled = |text: String, selected: bool| {
        if selected {
            Line::styled(text, theme.selected())
        } else {
            Line::styled(text, theme.base())
        }
    };
    for (i, row) in r.rows.iter().enumerate() {
        let amount = match row.choice {
            Choice::UnstakeAll | Choice::MoveAll => "all".to_owned(),
            c if c.takes_amount() => format!("[{}]", row.amount.display()),
            _ => String::new(),
        };
        let text = format!(
            "{} {} {} {} {}",
            if i == r.selected { "▸" } else { " " },
            cut(&row.label(), 26),
            cut(&masked(&row.alpha_text(row.held)), 16),
            cut(&format!("◂ {} ▸", row.choice.label()), 15),
            masked(&amount),
        );
        lines.push(styled(text, i == r.selected));
        if row.choice.moves() {
            lines.push(Line::styled(
                match &row.dest {
                    Some(d) => format!("    → {}", d.label()),
                    None => "    → Tab: choose the validator (any subnet)".to_owned(),
                },
                theme.muted(),
            ));
        }
    }
    let on_new = r.selected >= r.rows.len();
    let n = &r.new_stake;
    let text = format!(
        "{} {} {} {} {}",
        if on_new { "▸" } else { " " },
        cut("+ new stake (TAO)", 26),
        cut("", 16),
        cut(if n.is_set() { "stake" } else { "–" }, 15),
        masked(&format!("[{}]", n.amount.display())),
    );
    lines.push(styled(text, on_new));
    if n.is_set() || on_new {
        lines.push(Line::styled(
            match &n.dest {
                Some(d) => format!("    → {}", d.label()),
                None => "    → Tab: choose the validator and subnet".to_owned(),
            },
            theme.muted(),
        ));
    }
    lines.push(Line::default());
    let k = LimitKeys::from_keymap(&model.keymap);
    lines.push(hint_line(
        "↑↓ row · ←→ action · digits amount · Tab destination · Enter preview · Esc",
        theme,
    ));
    lines.push(hint_line(
        &format!(
            "Tolerance {} ({}/{}) · partial fill {} ({}) · shield {} ({})",
            percent_text(r.tolerance_bps),
            k.up,
            k.down,
            if r.allow_partial { "on" } else { "off" },
            k.partial,
            if r.mev_shield { "on" } else { "off" },
            k.shield
        ),
        theme,
    ));
}

fn picker_lines<'a>(
    r: &Rebalance,
    model: &Model,
    theme: &Theme,
    lines: &mut Vec<Line<'a>>,
    height: u16,
) {
    let Some(p) = &r.picker else {
        return;
    };
    lines.push(Line::styled(
        match r.rows.get(r.selected) {
            Some(row) => format!("Move {} to a validator on SN{}:", row.label(), p.netuid),
            None => format!("New stake to a validator on SN{}:", p.netuid),
        },
        theme.accent(),
    ));
    lines.push(input_line("Filter", &p.filter.display(), true, theme));
    let visible = p.visible();
    match p.list.state(model.now, model.connected()) {
        DataState::Loading => lines.push(Line::styled(
            format!(
                "{} reading the validators of subnet {}…",
                spinner(model),
                p.netuid
            ),
            theme.accent(),
        )),
        _ if visible.is_empty() => lines.push(match p.chosen() {
            Some(ss58) => Line::styled(
                format!("✓ not in the list; choosing {}", fmt::short(&ss58)),
                theme.positive(),
            ),
            None => hint_line(
                "No validator listed or matching; paste an SS58 address instead.",
                theme,
            ),
        }),
        _ => {
            let rows = usize::from(height).saturating_sub(lines.len() + 4).max(1);
            let offset = p.selected.saturating_sub(rows - 1);
            for (i, v) in visible.iter().enumerate().skip(offset).take(rows) {
                let name = v.name.clone().unwrap_or_else(|| "(no identity)".to_owned());
                let text = format!(
                    "{} {} {:>8} {:>8}  {}",
                    if i == p.selected { "▸" } else { " " },
                    cut(&name, 24),
                    fmt::percent(Some(v.take_fraction())),
                    fmt::percent(v.apy),
                    fmt::short(&v.hotkey.ss58())
                );
                lines.push(if i == p.selected {
                    Line::styled(text, theme.selected())
                } else {
                    Line::styled(text, theme.base())
                });
            }
        }
    }
    lines.push(hint_line(
        "type to filter · ↑↓ choose · [ ] another subnet · Enter take it · Esc back",
        theme,
    ));
}

fn legs_words<'a>(r: &Rebalance, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    for (i, leg) in r.legs.iter().enumerate() {
        lines.push(Line::styled(
            format!("{:>2}. {}", i + 1, masked(&leg.words)),
            theme.base(),
        ));
    }
}

/// A leg's figures in one line: what goes in and out, the slippage and the limit.
fn figures(f: &LegFigures, leg: &Leg) -> String {
    let mut parts = Vec::new();
    if f.tao_spent > 0 {
        parts.push(format!("pays {}", masked(&tao(f.tao_spent))));
    }
    if f.alpha_sold > 0 {
        parts.push(format!(
            "sells {}",
            masked(&alpha(f.alpha_sold, &leg.sold_symbol))
        ));
    }
    if f.tao_received > 0 {
        parts.push(format!("gets ≈ {}", masked(&tao(f.tao_received))));
    }
    if f.alpha_received > 0 {
        parts.push(format!(
            "gets ≈ {}",
            masked(&alpha(f.alpha_received, &leg.received_symbol))
        ));
    }
    parts.push(format!("slippage {}", percent_text(f.price_impact_bps)));
    parts.push(match (f.limit_price, f.tolerance_bps) {
        (Some(l), Some(t)) => format!(
            "limit {} τ/{} at {}",
            Price::from_rao_per_alpha(l).format(4, Rounding::Nearest),
            leg.sold_symbol,
            percent_text(t)
        ),
        _ => "no limit".to_owned(),
    });
    format!("    {}", parts.join(" · "))
}

fn preview_lines<'a>(r: &Rebalance, model: &Model, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    let Some((_, p)) = &r.preview else {
        return;
    };
    lines.push(field_line(
        "Call",
        if p.parts > 1 {
            format!(
                "{} × {}, {} legs: each batch lands whole or not at all",
                p.call,
                p.parts,
                p.legs.len()
            )
        } else if p.legs.len() == 1 {
            p.call.clone()
        } else {
            format!(
                "{} of {} legs: all land together or none does",
                p.call,
                p.legs.len()
            )
        },
        theme,
    ));
    for (i, leg) in r.legs.iter().enumerate() {
        let f = p.legs.get(i);
        let style = if f.is_some_and(|f| f.refused) {
            theme.warning()
        } else {
            theme.base()
        };
        let call = f.map_or(String::new(), |f| {
            format!(" ({})", f.call.trim_start_matches("SubtensorModule."))
        });
        lines.push(Line::styled(
            format!("{:>2}. {}{call}", i + 1, masked(&leg.words)),
            style,
        ));
        if let Some(f) = f {
            lines.push(Line::styled(figures(f, leg), theme.muted()));
        }
    }
    for flag in r.risk_flags() {
        lines.push(Line::styled(format!("⚠ {}", flag.short), theme.warning()));
    }
    let total = match (p.tao_spent, p.tao_received) {
        (0, 0) => "no TAO in or out".to_owned(),
        (0, got) => format!("gets ≈ {}", masked(&tao(got))),
        (paid, 0) => format!("pays {}", masked(&tao(paid))),
        (paid, got) => format!("pays {} · gets ≈ {}", masked(&tao(paid)), masked(&tao(got))),
    };
    lines.push(field_line("Total", total, theme));
    lines.push(field_line(
        "Fee",
        if p.parts > 1 {
            format!(
                "{} TAO for the {} batches (one password, a signature each)",
                Rao(p.fee).format_tao(9, Rounding::Up),
                p.parts
            )
        } else {
            format!(
                "{} TAO for the whole batch (one signature)",
                Rao(p.fee).format_tao(9, Rounding::Up)
            )
        },
        theme,
    ));
    lines.push(field_line("MEV shield", p.shield.clone(), theme));
    for w in &p.warnings {
        lines.push(Line::styled(format!("note: {w}"), theme.muted()));
    }
    for refusal in &p.refusals {
        lines.push(error_line(refusal, theme));
    }
    let o = model
        .keymap
        .key_for(Context::StakeForm, Command::SignOffline);
    lines.push(if !p.is_allowed() {
        hint_line("Esc to change the leg it names.", theme)
    } else if r.watch_only {
        hint_line(
            &format!(
                "Wallet {} is watch-only: {o} writes this batch for offline signing · Esc: edit.",
                r.wallet
            ),
            theme,
        )
    } else {
        Line::styled(
            format!(
                "This is exactly what will be signed. Enter: password · {o}: write it for offline signing · Esc: edit."
            ),
            theme.accent(),
        )
    });
}

fn progress_lines<'a>(r: &Rebalance, model: &Model, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    legs_words(r, theme, lines);
    lines.extend(send_lines(
        &r.progress,
        r.result.as_ref(),
        &StageWords {
            unlocking: "Unlocking the key",
            submitted: "Key unlocked, batch signed and submitted",
        },
        model.now.saturating_sub(r.progress_since),
        model,
        theme,
    ));
    if r.step == RebalanceStep::Done {
        lines.push(hint_line("Enter or Esc close", theme));
    }
}
