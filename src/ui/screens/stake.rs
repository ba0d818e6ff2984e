//! The signing dialog (stake, unstake, move, swap, transfer): amount, destination and live
//! preview, then confirm, password and progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::wizard::input_line;
use crate::action::StakeKind;
use crate::address_book::CONFIRM_CHARS;
use crate::amount::{Price, Rao, Rounding};
use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::chain::DataState;
use crate::model::recipient::grouped;
use crate::model::stake::{Focus, LimitKeys, StakeForm, StakeStep, percent_text};
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, field_line, frame_dialog, hint_line};
use crate::ui::widgets::fmt;
use crate::ui::widgets::tx_progress::{StageWords, send_lines};

const WIDTH: u16 = 76;
/// Room for the pool preview, two risk flags and the hints.
const HEIGHT: u16 = 24;

fn tao(rao: u64) -> String {
    format!("{} TAO", Rao(rao).format_tao(9, Rounding::Down))
}

fn header<'a>(s: &StakeForm, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![field_line("Wallet", s.wallet.clone(), theme)];
    if s.kind == StakeKind::Transfer {
        lines.push(field_line(
            "From",
            s.coldkey.clone().unwrap_or_else(|| "–".to_owned()),
            theme,
        ));
    } else {
        let validator = s
            .hotkey_name
            .clone()
            .unwrap_or_else(|| fmt::short(&s.hotkey));
        lines.push(field_line(
            "Validator",
            format!("{validator} ({})", fmt::short(&s.hotkey)),
            theme,
        ));
        lines.push(field_line(
            if s.kind == StakeKind::Swap {
                "From subnet"
            } else {
                "Subnet"
            },
            format!("{} {}", s.netuid, s.symbol),
            theme,
        ));
    }
    lines.push(field_line("Available", s.format_amount(s.available), theme));
    lines.push(Line::default());
    lines
}

fn edit_hint(s: &StakeForm) -> &'static str {
    match (s.kind, s.focus) {
        (StakeKind::Stake | StakeKind::Unstake, _) => {
            "m max · alt-1..4 25/50/75/100% · Enter review · Esc cancel"
        }
        (StakeKind::Transfer, Focus::Destination) => {
            "type or paste the address · Tab amount · Enter review · Esc cancel"
        }
        (StakeKind::Transfer, Focus::Amount) => {
            "m all (keep-alive) · alt-1..3 25/50/75% · Tab address · Enter review · Esc"
        }
        (StakeKind::Move, Focus::Destination) => {
            "type to filter · ↑↓ choose · Tab amount · Enter review · Esc cancel"
        }
        (StakeKind::Swap, Focus::Destination) => {
            "↑↓ or a number picks the subnet · Tab amount · Enter review · Esc cancel"
        }
        (StakeKind::TransferStake, Focus::Destination) => {
            "type or paste the coldkey address · Tab amount · Enter review · Esc cancel"
        }
        (StakeKind::Move | StakeKind::Swap | StakeKind::TransferStake, Focus::Amount) => {
            "m max · alt-1..4 25/50/75/100% · Tab destination · Enter review · Esc"
        }
    }
}

fn percent(bps: u32) -> String {
    percent_text(bps)
}

/// The keys that change the limit of stake, unstake and swap.
fn limit_hint(model: &Model) -> String {
    let k = LimitKeys::from_keymap(&model.keymap);
    format!(
        "{}/{} tolerance · {} allow partial fill",
        k.up, k.down, k.partial
    )
}

/// The MEV-shield toggle of a stake trade and where it stands (the preview says what the chain offers).
fn shield_hint(s: &StakeForm, model: &Model) -> String {
    let k = LimitKeys::from_keymap(&model.keymap);
    if s.mev_shield {
        format!("{} sends it in the clear instead of MEV-shielded", k.shield)
    } else {
        format!(
            "{} MEV-shields it again (now: in the clear, as asked)",
            k.shield
        )
    }
}

/// The pool preview of stake, unstake and swap.
fn pool_preview<'a>(s: &StakeForm, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    match s.preview() {
        Some(p) => {
            lines.push(field_line("You pay", p.pay, theme));
            lines.push(field_line("You receive ≈", p.receive, theme));
            lines.push(field_line("Swap fee", p.swap_fee, theme));
            lines.push(field_line(
                "Avg. impact",
                percent(p.price_impact_bps),
                theme,
            ));
            // The limit is checked against where the price ends, so that is the figure held to the tolerance.
            let line = field_line("Price moves", percent(p.price_move_bps), theme);
            lines.push(if p.price_move_bps > s.tolerance_bps {
                line.style(theme.warning())
            } else {
                line
            });
            lines.push(field_line(
                "Limit price",
                p.limit_price.map_or("–".to_owned(), |l| {
                    format!(
                        "{} {}",
                        Price::from_rao_per_alpha(l).format(6, Rounding::Nearest),
                        p.limit_unit
                    )
                }),
                theme,
            ));
            lines.push(field_line("Tolerance", percent(s.tolerance_bps), theme));
            lines.push(field_line(
                "Partial fill",
                if s.allow_partial {
                    "allowed (fills what fits within the tolerance)"
                } else {
                    "not allowed"
                }
                .to_owned(),
                theme,
            ));
        }
        None => lines.push(Line::styled(
            match s.kind {
                StakeKind::Move => "Enter asks the chain for the preview (fee, what arrives).",
                StakeKind::Swap if s.to_netuid.is_none() => {
                    "Pick the subnet to swap to, then type an amount to see the preview."
                }
                _ => "Type an amount to see the preview (fee, expected amount, price impact).",
            },
            theme.muted(),
        )),
    }
}

/// A valid recipient: its name if known, the address in groups to compare by eye, the checks (never sent to
/// before, a look-alike of a known address) and, for a look-alike, the confirmation being typed.
fn recipient_lines<'a>(s: &StakeForm, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    let Some(Ok(r)) = s.recipient() else {
        return;
    };
    lines.push(Line::styled(
        match &r.name {
            Some(name) => format!("✓ {name}: {}", grouped(&r.ss58)),
            None => format!("✓ {}", grouped(&r.ss58)),
        },
        theme.positive(),
    ));
    for w in s.recipient_warnings() {
        lines.push(Line::styled(format!("⚠ {w}"), theme.warning()));
    }
    if let Some(typed) = &s.lookalike_confirm {
        lines.push(input_line(
            &format!("Its last {CONFIRM_CHARS} chars"),
            &typed.display(),
            true,
            theme,
        ));
    }
}

/// The stake's risk flags (no validator permit, subnet at deregistration risk), in the warning colour.
fn risk_lines<'a>(s: &StakeForm, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    for flag in s.risk_flags() {
        lines.push(Line::styled(format!("⚠ {}", flag.short), theme.warning()));
    }
}

/// Give stake: the receiving coldkey's address, then the alpha; the chain's preview shows what arrives.
fn transfer_stake_fields<'a>(s: &StakeForm, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    let editing = s.step == StakeStep::Edit;
    lines.push(input_line(
        "To coldkey (address or name)",
        &s.destination.display(),
        editing && s.focus == Focus::Destination,
        theme,
    ));
    match s.address_status() {
        None => lines.push(hint_line(
            "The coldkey that receives the stake, with the same validator: 5… or a name.",
            theme,
        )),
        Some(Err(e)) => lines.push(error_line(&e, theme)),
        Some(Ok(())) => recipient_lines(s, theme, lines),
    }
    lines.push(amount_input(s, theme));
    lines.push(Line::styled(
        "Enter asks the chain for the preview (fee, what arrives).",
        theme.muted(),
    ));
}

fn transfer_fields<'a>(s: &StakeForm, model: &Model, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    let editing = s.step == StakeStep::Edit;
    lines.push(input_line(
        "To (address or name)",
        &s.destination.display(),
        editing && s.focus == Focus::Destination,
        theme,
    ));
    match s.address_status() {
        None => lines.push(hint_line(
            "The recipient: 5… (48 characters), or a name from the address book or a wallet.",
            theme,
        )),
        Some(Err(e)) => lines.push(error_line(&e, theme)),
        Some(Ok(())) => recipient_lines(s, theme, lines),
    }
    lines.push(input_line(
        "Amount (TAO)",
        &s.amount_text(),
        editing && s.focus == Focus::Amount,
        theme,
    ));
    let Some(p) = s.transfer_preview() else {
        return;
    };
    // Figures the chain tells: a spinner while it is asked, else when it will be.
    let unknown = if s.quote_pending.is_some() {
        format!("{} asking the chain…", spinner(model))
    } else if !model.connected() {
        "read from the chain on review".to_owned()
    } else {
        "–".to_owned()
    };
    let shown = |v: Option<u64>| v.map_or_else(|| unknown.clone(), tao);
    let send = match p.send {
        Some(v) => tao(v),
        None if s.all => "all but the fee and the existential deposit".to_owned(),
        None => unknown.clone(),
    };
    lines.push(field_line("You send", send.clone(), theme));
    lines.push(field_line("Fee", shown(p.fee), theme));
    lines.push(field_line("Recipient gets", send, theme));
    let after = match (p.balance_after, p.fee) {
        (Some(b), Some(_)) => tao(b),
        (Some(b), None) => format!("{} minus the fee", tao(b)),
        (None, _) => unknown.clone(),
    };
    lines.push(field_line("Balance after", after, theme));
    for c in &p.checks {
        lines.push(if c.ok {
            Line::styled(format!("✓ {}", c.text), theme.positive())
        } else {
            error_line(&c.text, theme)
        });
    }
}

/// The amount field of the alpha forms (unstake, move, swap) and stake.
fn amount_input<'a>(s: &StakeForm, theme: &Theme) -> Line<'a> {
    input_line(
        &format!("Amount ({})", s.unit()),
        &s.amount.display(),
        s.step == StakeStep::Edit && (s.focus == Focus::Amount || !s.has_destination()),
        theme,
    )
}

fn swap_fields<'a>(s: &StakeForm, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    let editing = s.step == StakeStep::Edit;
    lines.push(amount_input(s, theme));
    let chosen = s
        .destination_subnet()
        .map(|d| format!("  → SN{} {} ({})", d.netuid, d.name, d.symbol))
        .unwrap_or_default();
    let mut line = input_line(
        "To subnet",
        &s.destination.display(),
        editing && s.focus == Focus::Destination,
        theme,
    );
    line.spans.push(Span::styled(chosen, theme.accent()));
    lines.push(line);
    if s.subnets.is_empty() {
        lines.push(hint_line(
            "The subnet list is not read yet; type the subnet's number.",
            theme,
        ));
    }
    pool_preview(s, theme, lines);
}

fn move_fields<'a>(
    s: &StakeForm,
    model: &Model,
    theme: &Theme,
    lines: &mut Vec<Line<'a>>,
    rows: usize,
) {
    let editing = s.step == StakeStep::Edit;
    lines.push(amount_input(s, theme));
    let Some(p) = &s.picker else {
        return;
    };
    lines.push(input_line(
        "To validator (filter)",
        &p.filter.display(),
        editing && s.focus == Focus::Destination,
        theme,
    ));
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
        DataState::Idle | DataState::Failed if visible.is_empty() => {
            let why = p
                .list
                .error
                .clone()
                .unwrap_or_else(|| "the validator list is not available offline".to_owned());
            lines.push(error_line(
                &format!("{why}; paste the destination's SS58 address"),
                theme,
            ));
        }
        _ if visible.is_empty() => lines.push(match p.chosen() {
            Some(ss58) => Line::styled(
                format!("✓ not in the list; moving to {}", fmt::short(&ss58)),
                theme.positive(),
            ),
            None => hint_line(
                "No validator matches; paste an SS58 address instead.",
                theme,
            ),
        }),
        _ => {
            let rows = rows.max(1);
            let offset = p.selected.saturating_sub(rows - 1);
            lines.push(Line::styled(
                format!(
                    "  {:<22} {:>6} {:>8}  {}   {} of {}",
                    "Validator",
                    "Take",
                    "APY",
                    "Hotkey",
                    p.selected + 1,
                    visible.len()
                ),
                theme.muted(),
            ));
            for (i, v) in visible.iter().enumerate().skip(offset).take(rows) {
                let name: String = v
                    .name
                    .clone()
                    .unwrap_or_else(|| "(no identity)".to_owned())
                    .chars()
                    .take(22)
                    .collect();
                let text = format!(
                    "{} {:<22} {:>6} {:>8}  {}",
                    if i == p.selected { "▸" } else { " " },
                    name,
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
}

/// Rows `lines` take in a paragraph `width` wide once wrapped.
/// The confirm step's keys: sign here, or write the transaction for the offline machine (the only way for a
/// watch-only wallet).
fn confirm_hint(s: &StakeForm, model: &Model) -> String {
    let o = model
        .keymap
        .key_for(Context::StakeForm, Command::SignOffline);
    if s.watch_only {
        format!(
            "Wallet {} is watch-only: {o} writes this for offline signing (file and QR code) · Esc: edit.",
            s.wallet
        )
    } else {
        format!(
            "This is exactly what will be signed. Enter: continue to the password · {o}: write it for offline signing · Esc: edit."
        )
    }
}

fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

pub fn draw_stake(frame: &mut Frame, area: Rect, s: &StakeForm, model: &Model, theme: &Theme) {
    let most = centered(area, WIDTH, HEIGHT);
    let inner_width = most.width.saturating_sub(2);
    let inner_height = most.height.saturating_sub(2);
    let lines = dialog_lines(s, model, theme, inner_height);
    // As tall as the content (up to the most the terminal gives), so no empty rows trail.
    let height = wrapped_rows(&lines, inner_width)
        .saturating_add(2)
        .min(most.height);
    let rect = centered(area, WIDTH, height);
    let inner = frame_dialog(frame, rect, s.title(), theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn dialog_lines<'a>(
    s: &StakeForm,
    model: &Model,
    theme: &Theme,
    inner_height: u16,
) -> Vec<Line<'a>> {
    let mut lines = header(s, theme);
    match s.step {
        StakeStep::Confirm if s.chain_preview.is_some() => {
            let amount = if s.all {
                s.amount_text()
            } else {
                s.amount.trimmed().to_owned() + " " + s.unit()
            };
            lines.push(field_line("Amount", amount, theme));
            if let Some(d) = s.destination_subnet() {
                lines.push(field_line(
                    "To subnet",
                    format!("{} {} ({})", d.netuid, d.name, d.symbol),
                    theme,
                ));
            }
            if let Some(v) = s.picker.as_ref().and_then(|p| p.chosen()) {
                lines.push(field_line("To validator", v, theme));
            }
            if let Some((_, p)) = &s.chain_preview {
                lines.push(field_line("Call", p.call.clone(), theme));
                for (label, value) in &p.rows {
                    lines.push(field_line(label, value.clone(), theme));
                }
                for w in &p.warnings {
                    lines.push(Line::styled(format!("note: {w}"), theme.muted()));
                }
                risk_lines(s, theme, &mut lines);
                for w in s.recipient_warnings() {
                    lines.push(Line::styled(format!("⚠ {w}"), theme.warning()));
                }
                for r in s.refusal_sentences(&LimitKeys::from_keymap(&model.keymap)) {
                    lines.push(error_line(&r, theme));
                }
                lines.push(Line::default());
                if s.kind.trades_stake() {
                    lines.push(hint_line(&shield_hint(s, model), theme));
                }
                if p.is_allowed() {
                    lines.push(Line::styled(confirm_hint(s, model), theme.accent()));
                } else if s.has_limit() {
                    lines.push(hint_line(
                        &format!("{} · Esc to change it.", limit_hint(model)),
                        theme,
                    ));
                } else {
                    lines.push(hint_line("Esc to change it.", theme));
                }
            }
        }
        StakeStep::Edit | StakeStep::Confirm | StakeStep::Previewing => {
            match s.kind {
                StakeKind::Transfer => transfer_fields(s, model, theme, &mut lines),
                StakeKind::Swap => swap_fields(s, theme, &mut lines),
                StakeKind::TransferStake => transfer_stake_fields(s, theme, &mut lines),
                StakeKind::Move => {
                    // The list takes what the dialog has left after the other lines.
                    let others = lines.len() + 5 + usize::from(s.error.is_some()) * 2;
                    let rows = usize::from(inner_height).saturating_sub(others);
                    move_fields(s, model, theme, &mut lines, rows);
                }
                StakeKind::Stake | StakeKind::Unstake => {
                    lines.push(amount_input(s, theme));
                    pool_preview(s, theme, &mut lines);
                    risk_lines(s, theme, &mut lines);
                }
            }
            lines.push(Line::default());
            if s.step == StakeStep::Edit {
                lines.push(hint_line(edit_hint(s), theme));
                if s.has_limit() {
                    lines.push(hint_line(&limit_hint(model), theme));
                }
                if s.kind.trades_stake() {
                    lines.push(hint_line(&shield_hint(s, model), theme));
                }
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
        StakeStep::Writing => {
            let amount = if s.all {
                s.amount_text()
            } else {
                s.amount.trimmed().to_owned() + " " + s.unit()
            };
            lines.push(field_line("Amount", amount, theme));
            if let Some((_, p)) = &s.chain_preview {
                lines.push(field_line("Call", p.call.clone(), theme));
            }
            lines.push(Line::default());
            lines.push(Line::styled(
                format!(
                    "{} Writing the unsigned transaction for offline signing (nonce, metadata check)… Esc: stop waiting",
                    spinner(model)
                ),
                theme.accent(),
            ));
        }
        StakeStep::Password => {
            let amount = if s.all {
                s.amount_text()
            } else {
                s.amount.trimmed().to_owned() + " " + s.unit()
            };
            lines.push(field_line("Amount", amount, theme));
            if let Some((_, p)) = &s.chain_preview {
                lines.push(field_line("Call", p.call.clone(), theme));
            }
            lines.push(Line::default());
            let label = match &s.proxy {
                Some(proxy) => format!("Password of proxy wallet {proxy}"),
                None => "Coldkey password".to_owned(),
            };
            lines.push(input_line(&label, &s.password.display(), true, theme));
            lines.push(Line::default());
            lines.push(hint_line("Enter sign and submit · Esc back", theme));
        }
        StakeStep::Progress | StakeStep::Done => {
            lines.extend(send_lines(
                &s.progress,
                s.result.as_ref(),
                &StageWords {
                    unlocking: "Unlocking the key",
                    submitted: "Key unlocked, signed and submitted",
                },
                model.now.saturating_sub(s.progress_since),
                model,
                theme,
            ));
            if s.step == StakeStep::Done {
                lines.push(Line::default());
                lines.push(hint_line("Enter or Esc close", theme));
            }
        }
    }
    if let Some(err) = &s.error {
        lines.push(error_line(err, theme));
    }
    lines
}
