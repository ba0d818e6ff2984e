//! Proxies on the Wallets screen: the selected wallet's grants under its details, the grant / revoke dialog and
//! the wallet proxy setting dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::wizard::input_line;
use crate::amount::{Rao, Rounding};
use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::proxies::{GrantDialog, GrantField, GrantStep, WalletProxyDialog, name_of};
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, field_line, frame_dialog, hint_line};
use crate::ui::widgets::fmt::short;
use crate::ui::widgets::tx_progress::{StageWords, send_lines};

const WIDTH: u16 = 78;

/// Exact to the rao: the deposit shown is what the balance reserves.
fn tao(r: Rao) -> String {
    format!("{} TAO", r.format_tao(9, Rounding::Nearest))
}

fn ss58(a: &[u8; 32]) -> String {
    taotui_keystore::ss58::encode(a, 42)
}

/// The "Proxies" part of the selected wallet's details.
pub fn proxy_lines<'a>(model: &Model, wallet: &str, theme: &Theme) -> Vec<Line<'a>> {
    let k = |c| model.keymap.key_for(Context::Wallets, c);
    let p = &model.proxies;
    // The keys ride on the heading: at the pane's foot they were the first thing cut on a short terminal.
    let mut lines = vec![Line::from(vec![
        Span::styled("Proxies  ", theme.title()),
        Span::styled(
            format!(
                "{} grant · {} revoke · {} proxy wallet",
                k(Command::AddProxy),
                k(Command::RemoveProxy),
                k(Command::WalletProxy)
            ),
            theme.muted(),
        ),
    ])];
    match (&p.list, &p.error) {
        _ if p.pending.is_some() && p.list.is_none() => lines.push(Line::styled(
            format!(
                "{} Reading this coldkey's proxies from the chain…",
                spinner(model)
            ),
            theme.accent(),
        )),
        (_, Some(e)) => lines.push(error_line(
            &format!("The proxies could not be read: {e} Press r to read them again."),
            theme,
        )),
        (None, None) if !model.connected() => lines.push(Line::styled(
            "Not connected: the proxies are read from the chain once it is.",
            theme.muted(),
        )),
        (None, None) => lines.push(Line::styled("Not read yet; press r.", theme.muted())),
        (Some(list), None) if list.grants.is_empty() => lines.push(Line::styled(
            "This coldkey has granted no proxies.",
            theme.muted(),
        )),
        (Some(list), None) => {
            for g in &list.grants {
                let addr = ss58(&g.delegate);
                let name = name_of(model, &addr)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                let delay = if g.delay == 0 {
                    String::new()
                } else {
                    format!(" · delay {} blocks", g.delay)
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<12}", g.proxy_type), theme.base()),
                    Span::styled(short(&addr), theme.accent()),
                    Span::styled(format!("{name}{delay}"), theme.muted()),
                ]));
            }
            lines.push(field_line("Deposit held", tao(Rao(list.deposit)), theme));
        }
    }
    match model.prefs.wallet_proxies.get(wallet) {
        Some(proxy) => {
            lines.push(field_line(
                "Staking signed",
                format!("by proxy wallet {proxy}"),
                theme,
            ));
            if let Some(w) = crate::model::proxies::setting_warning(model, wallet) {
                lines.push(error_line(&w, theme));
            }
        }
        None => lines.push(field_line("Staking signed", "by this coldkey", theme)),
    }
    lines
}

fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

fn show(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: &Theme) {
    let width = WIDTH.min(area.width);
    let height = wrapped_rows(&lines, width.saturating_sub(2))
        .saturating_add(2)
        .min(area.height);
    let rect = centered(area, width, height);
    let inner = frame_dialog(frame, rect, title, theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn draw_grant(frame: &mut Frame, area: Rect, d: &GrantDialog, model: &Model, theme: &Theme) {
    let o = model
        .keymap
        .key_for(Context::StakeForm, Command::SignOffline);
    let mut lines = vec![field_line(
        "Coldkey",
        format!("{} (wallet {})", d.coldkey, d.wallet),
        theme,
    )];
    match d.step {
        GrantStep::Edit | GrantStep::Previewing if d.add => {
            lines.push(input_line(
                "Delegate",
                &d.delegate.display(),
                d.field == GrantField::Delegate,
                theme,
            ));
            if let Ok(a) = d.delegate_ss58() {
                let name = name_of(model, &a)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                lines.push(Line::styled(format!("  {a}{name}"), theme.muted()));
            }
            let ty = if d.field == GrantField::Type {
                format!("◂ {} ▸", d.proxy_type())
            } else {
                d.proxy_type().to_owned()
            };
            lines.push(input_line(
                "Proxy type",
                &ty,
                d.field == GrantField::Type,
                theme,
            ));
            lines.push(input_line(
                "Delay (blocks)",
                &d.delay.display(),
                d.field == GrantField::Delay,
                theme,
            ));
            lines.push(Line::styled(
                "Staking allows stake trades only, never transfers of TAO; NonTransfer all but transfers; Any \
                 everything. A delay makes the delegate announce each call that many blocks ahead.",
                theme.muted(),
            ));
            for w in d.delegate_warnings() {
                lines.push(error_line(&w, theme));
            }
            if let Some(input) = &d.lookalike_confirm {
                lines.push(input_line(
                    &format!("Its last {} characters", crate::address_book::CONFIRM_CHARS),
                    &input.display(),
                    true,
                    theme,
                ));
            }
        }
        GrantStep::Edit | GrantStep::Previewing => {
            lines.push(Line::styled("Revoke which proxy?", theme.base()));
            for (i, g) in d.grants.iter().enumerate() {
                let addr = ss58(&g.delegate);
                let name = name_of(model, &addr)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                let style = if i == d.selected {
                    theme.selected()
                } else {
                    theme.base()
                };
                lines.push(Line::styled(
                    format!(
                        "{} {:<12} {}{name}",
                        if i == d.selected { "▸" } else { " " },
                        g.proxy_type,
                        short(&addr)
                    ),
                    style,
                ));
            }
        }
        _ => {
            if let Some(r) = &d.request {
                lines.push(field_line("Delegate", r.delegate.clone(), theme));
                if let Some(n) = name_of(model, &r.delegate) {
                    lines.push(field_line("", n, theme));
                }
                lines.push(field_line("Proxy type", r.proxy_type.clone(), theme));
                lines.push(field_line("Delay", format!("{} blocks", r.delay), theme));
            }
        }
    }
    match d.step {
        GrantStep::Edit => {
            lines.push(Line::default());
            let keys = if d.add {
                "Tab/↑↓: field · ←→: type · Enter: preview · Esc: close"
            } else {
                "↑↓: choose · Enter: preview · Esc: close"
            };
            lines.push(hint_line(keys, theme));
        }
        GrantStep::Previewing => {
            lines.push(Line::default());
            lines.push(Line::styled(
                format!(
                    "{} Asking the chain for the fee and the deposit… Esc: stop waiting",
                    spinner(model)
                ),
                theme.accent(),
            ));
        }
        GrantStep::Confirm | GrantStep::Password | GrantStep::Writing => {
            if let Some(p) = &d.preview {
                lines.push(field_line("Call", p.call.clone(), theme));
                lines.push(field_line("Fee", tao(p.fee), theme));
                let change = if d.add {
                    format!(
                        "reserves {} ({} → {})",
                        tao(p.deposit_after.saturating_sub(p.deposit_before)),
                        tao(p.deposit_before),
                        tao(p.deposit_after)
                    )
                } else {
                    format!(
                        "frees {} ({} → {})",
                        tao(p.deposit_before.saturating_sub(p.deposit_after)),
                        tao(p.deposit_before),
                        tao(p.deposit_after)
                    )
                };
                lines.push(field_line("Deposit", change, theme));
                lines.push(field_line("Free now", tao(p.spendable), theme));
                lines.push(field_line("Free after", tao(p.free_after()), theme));
                for r in &p.refusals {
                    lines.push(error_line(r, theme));
                }
                lines.push(Line::default());
                match d.step {
                    GrantStep::Password => lines.push(input_line(
                        "Coldkey password",
                        &d.password.display(),
                        true,
                        theme,
                    )),
                    GrantStep::Writing => lines.push(Line::styled(
                        format!("{} Writing it for offline signing…", spinner(model)),
                        theme.accent(),
                    )),
                    _ if !p.refusals.is_empty() => lines.push(hint_line(
                        &format!("The chain would refuse this. {o}: write it anyway for offline signing · Esc: edit"),
                        theme,
                    )),
                    _ => lines.push(Line::styled(
                        format!(
                            "This is what will be signed. Enter: continue to the password · {o}: write it for \
                             offline signing · Esc: edit"
                        ),
                        theme.accent(),
                    )),
                }
            }
        }
        GrantStep::Sending | GrantStep::Done => {
            lines.extend(send_lines(
                &d.progress,
                d.result.as_ref(),
                &StageWords {
                    unlocking: "Unlocking the coldkey",
                    submitted: "Signed and submitted",
                },
                0,
                model,
                theme,
            ));
            if d.step == GrantStep::Done {
                lines.push(hint_line("Enter or Esc close", theme));
            }
        }
    }
    if let Some(e) = &d.error {
        lines.push(error_line(e, theme));
    }
    let title = if d.add {
        "Grant a proxy"
    } else {
        "Revoke a proxy"
    };
    show(frame, area, title, lines, theme);
}

pub fn draw_wallet_proxy(
    frame: &mut Frame,
    area: Rect,
    d: &WalletProxyDialog,
    model: &Model,
    theme: &Theme,
) {
    let mut lines = vec![
        Line::styled(
            format!(
                "Which wallet signs wallet {}'s stakes as its proxy? Empty: its own coldkey signs.",
                d.wallet
            ),
            theme.base(),
        ),
        input_line(
            "Proxy wallet",
            &d.input.display(),
            d.pending.is_none(),
            theme,
        ),
    ];
    if let Some(a) = d.chosen_ss58() {
        lines.push(Line::styled(format!("  {a}"), theme.muted()));
        if model.proxies.list.is_some() && !model.proxies.is_delegate(a) {
            lines.push(error_line(
                &format!(
                    "{} holds no proxy of wallet {} on chain that lets it stake: grant one first (a), or its stakes \
                     will be refused.",
                    d.input.trimmed(),
                    d.wallet
                ),
                theme,
            ));
        }
    }
    if d.candidates.is_empty() {
        lines.push(Line::styled(
            "No other wallet here can sign (each is watch-only); create or restore the proxy key first.",
            theme.muted(),
        ));
    }
    lines.push(Line::default());
    if d.pending.is_some() {
        lines.push(Line::styled(
            format!("{} Saving to config.toml…", spinner(model)),
            theme.accent(),
        ));
    } else {
        lines.push(hint_line(
            "↑↓: pick a wallet · Enter: save to config.toml · Esc: close",
            theme,
        ));
    }
    if let Some(e) = &d.error {
        lines.push(error_line(e, theme));
    }
    show(frame, area, "Proxy wallet for staking", lines, theme);
}
