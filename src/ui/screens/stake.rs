//! The stake / unstake / move dialog: amount and preview, confirm, password, progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::wizard::input_line;
use crate::action::TxProgress;
use crate::amount::{Price, Rounding};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::stake::{StakeForm, StakeStep};
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, field_line, frame_dialog, hint_line};
use crate::ui::widgets::fmt;

pub fn draw_stake(frame: &mut Frame, area: Rect, s: &StakeForm, model: &Model, theme: &Theme) {
    let rect = centered(area, 76, 21);
    let inner = frame_dialog(frame, rect, s.title(), theme);
    let validator = s
        .hotkey_name
        .clone()
        .unwrap_or_else(|| fmt::short(&s.hotkey));
    let mut lines = vec![
        field_line("Wallet", s.wallet.clone(), theme),
        field_line(
            "Validator",
            format!("{validator} ({})", fmt::short(&s.hotkey)),
            theme,
        ),
        field_line("Subnet", format!("{} {}", s.netuid, s.symbol), theme),
        field_line("Available", s.format_amount(s.available), theme),
        Line::default(),
    ];
    match s.step {
        StakeStep::Confirm if s.chain_preview.is_some() => {
            lines.push(field_line(
                "Amount",
                s.amount.trimmed().to_owned() + " " + s.unit(),
                theme,
            ));
            if let Some((_, p)) = &s.chain_preview {
                lines.push(field_line("Call", p.call.clone(), theme));
                for (label, value) in &p.rows {
                    lines.push(field_line(label, value.clone(), theme));
                }
                for w in &p.warnings {
                    lines.push(Line::styled(format!("note: {w}"), theme.muted()));
                }
                for r in &p.refusals {
                    lines.push(error_line(r, theme));
                }
                lines.push(Line::default());
                if p.is_allowed() {
                    lines.push(Line::styled("This is exactly what will be signed. Enter: continue to the password · Esc: edit.", theme.accent()));
                } else {
                    lines.push(hint_line("Esc to change the amount.", theme));
                }
            }
        }
        StakeStep::Edit | StakeStep::Confirm | StakeStep::Previewing => {
            lines.push(input_line(
                &format!("Amount ({})", s.unit()),
                &s.amount.display(),
                s.step == StakeStep::Edit && !s.destination_focused,
                theme,
            ));
            if s.kind == crate::action::StakeKind::Move {
                lines.push(input_line(
                    "To validator (SS58)",
                    &s.destination.display(),
                    s.step == StakeStep::Edit && s.destination_focused,
                    theme,
                ));
            }
            match s.preview() {
                Some(p) => {
                    lines.push(field_line("You pay", p.pay, theme));
                    lines.push(field_line("You receive ≈", p.receive, theme));
                    lines.push(field_line("Swap fee", p.swap_fee, theme));
                    let impact = format!(
                        "{}.{:02}%",
                        p.price_impact_bps / 100,
                        p.price_impact_bps % 100
                    );
                    let style_impact = p.price_impact_bps > s.tolerance_bps;
                    let line = field_line("Price impact", impact, theme);
                    lines.push(if style_impact {
                        line.style(theme.warning())
                    } else {
                        line
                    });
                    lines.push(field_line(
                        "Limit price",
                        p.limit_price.map_or("–".to_owned(), |l| {
                            format!(
                                "{} τ/{}",
                                Price::from_rao_per_alpha(l).format(6, Rounding::Nearest),
                                s.symbol
                            )
                        }),
                        theme,
                    ));
                    lines.push(field_line(
                        "Tolerance",
                        format!("{}.{:02}%", s.tolerance_bps / 100, s.tolerance_bps % 100),
                        theme,
                    ));
                }
                None => lines.push(Line::styled(
                    if s.kind == crate::action::StakeKind::Move {
                        "Enter asks the chain for the preview (fee, what arrives)."
                    } else {
                        "Type an amount to see the preview (fee, expected amount, price impact)."
                    },
                    theme.muted(),
                )),
            }
            lines.push(Line::default());
            if s.step == StakeStep::Edit {
                lines.push(hint_line(
                    "m max · alt-1..4 25/50/75/100% · Enter review · Esc cancel",
                    theme,
                ));
            } else if s.step == StakeStep::Previewing {
                lines.push(Line::styled(
                    format!(
                        "{} Asking the chain for the fee and checks…",
                        spinner(model)
                    ),
                    theme.accent(),
                ));
            } else {
                lines.push(Line::styled("This is exactly what will be signed. Enter to continue to the password, Esc to edit.", theme.accent()));
            }
        }
        StakeStep::Password => {
            lines.push(field_line(
                "Amount",
                s.amount.trimmed().to_owned() + " " + s.unit(),
                theme,
            ));
            lines.push(Line::default());
            lines.push(input_line(
                "Coldkey password",
                &s.password.display(),
                true,
                theme,
            ));
            lines.push(Line::default());
            lines.push(hint_line("Enter sign and submit · Esc back", theme));
        }
        StakeStep::Progress | StakeStep::Done => {
            let last = s.progress.len().saturating_sub(1);
            for (i, p) in s.progress.iter().enumerate() {
                let text = match p {
                    TxProgress::Unlocking => "Unlocking the key".to_owned(),
                    TxProgress::Submitted => "Key unlocked, signed and submitted".to_owned(),
                    TxProgress::InBlock { block } => format!("In block #{block}"),
                    TxProgress::Finalized { block } => format!("Finalized in block #{block}"),
                };
                // The newest stage is still under way until the next one (or the result) arrives.
                let mark = match (&s.result, i == last) {
                    (None, true) => spinner(model),
                    (Some(Err(_)), true) => "✗",
                    _ => "✓",
                };
                lines.push(Line::styled(format!("{mark} {text}"), theme.base()));
            }
            match &s.result {
                None => lines.push(Line::styled("waiting for the chain…", theme.muted())),
                Some(Ok(msg)) => lines.push(Line::styled(msg.clone(), theme.positive())),
                Some(Err(e)) => lines.push(error_line(e, theme)),
            }
            if s.step == StakeStep::Done {
                lines.push(Line::default());
                lines.push(hint_line("Enter or Esc close", theme));
            }
        }
    }
    if let Some(err) = &s.error {
        lines.push(error_line(err, theme));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
