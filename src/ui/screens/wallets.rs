//! Wallets: the wallet list (wallets with their hotkeys) and the selected key's details.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use crate::config::keymap::{Command, Context};
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::wallets::KeyEntry;
use crate::ui::spinner;
use crate::ui::widgets::dialog::field_line;

pub fn draw_wallets(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [main, hints] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(hint_text(model, theme)), hints);
    let w = &model.wallets;
    if !w.loaded {
        let text = Line::styled(
            format!("{} Reading the wallet folder…", spinner(model)),
            theme.accent(),
        );
        frame.render_widget(Paragraph::new(text).block(panel("Wallets", theme)), main);
        return;
    }
    if let Some(err) = &w.error {
        let lines = vec![
            Line::styled(format!("! {err}"), theme.warning()),
            Line::default(),
            Line::styled(
                "Check --wallet-path (or wallet_path in the config file) and press r.",
                theme.muted(),
            ),
        ];
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(panel("Wallets", theme)),
            main,
        );
        return;
    }
    if w.entries.is_empty() {
        let k = |c| model.keymap.key_for(Context::Wallets, c);
        let lines = vec![
            Line::styled("No wallets yet.", theme.title()),
            Line::default(),
            Line::from(format!(
                "Press {} to create a wallet (a guided wizard; nothing is written until you confirm).",
                k(Command::NewWallet)
            )),
            Line::from(format!(
                "Press {} to restore one from a mnemonic, seed or secret URI.",
                k(Command::Restore)
            )),
            Line::from(format!(
                "Press {} to watch an address without its keys.",
                k(Command::WatchOnly)
            )),
        ];
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(panel("Wallets", theme)),
            main,
        );
        return;
    }
    let main = draw_addresses(frame, main, model, theme);
    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(main);
    let mut items = Vec::new();
    for row in w.rows() {
        let Some(entry) = w.entries.get(row.wallet) else {
            continue;
        };
        let item = match row.hotkey {
            None => {
                let state = entry
                    .coldkey
                    .as_ref()
                    .map_or("no coldkey", KeyEntry::lock_state);
                Line::from(vec![
                    Span::styled(entry.name.clone(), theme.base()),
                    Span::styled(format!("  {state}"), theme.muted()),
                ])
            }
            Some(h) => {
                let name = entry.hotkeys.get(h).map_or("?", |k| k.name.as_str());
                Line::from(vec![Span::styled(format!("  └ {name}"), theme.muted())])
            }
        };
        items.push(ListItem::new(item));
    }
    let list = List::new(items)
        .block(panel(&format!("Wallets ({})", w.entries.len()), theme))
        .highlight_style(theme.selected())
        .highlight_symbol("▸ ");
    let mut state = ListState::default().with_selected(Some(w.selected));
    frame.render_stateful_widget(list, list_area, &mut state);
    draw_details(frame, detail_area, model, theme);
}

/// Most address-book rows shown under the wallets.
const ADDRESS_ROWS: usize = 6;

/// The address book under the wallets, when it has entries (or failed to load); returns the
/// area left above it.
fn draw_addresses(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) -> Rect {
    let w = &model.wallets;
    if w.addresses.is_empty() && w.addresses_error.is_none() {
        return area;
    }
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &w.addresses_error {
        lines.push(Line::styled(format!("! {e}"), theme.warning()));
    }
    let width = w
        .addresses
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    let shown = ADDRESS_ROWS.saturating_sub(lines.len());
    for (name, ss58) in w.addresses.iter().take(shown) {
        lines.push(Line::from(vec![
            Span::styled(format!("{name:<width$}  "), theme.base()),
            Span::styled(ss58.clone(), theme.accent()),
        ]));
    }
    if w.addresses.len() > shown {
        lines.push(Line::styled(
            format!(
                "… and {} more (taotui address list)",
                w.addresses.len() - shown
            ),
            theme.muted(),
        ));
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    if area.height < height + 6 {
        return area;
    }
    let [rest, book] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(area);
    frame.render_widget(
        Paragraph::new(lines).block(panel(
            &format!("Addresses ({}) · names for transfers", w.addresses.len()),
            theme,
        )),
        book,
    );
    rest
}

fn draw_details(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let w = &model.wallets;
    let (Some(row), Some(wallet)) = (w.selected_row(), w.selected_wallet()) else {
        return;
    };
    let mut lines = Vec::new();
    lines.push(field_line("Wallet", wallet.name.clone(), theme));
    let (kind, key) = match row.hotkey {
        None => ("Coldkey", wallet.coldkey.as_ref()),
        Some(h) => ("Hotkey", wallet.hotkeys.get(h)),
    };
    match key {
        Some(k) => {
            if row.hotkey.is_some() {
                lines.push(field_line("Hotkey", k.name.clone(), theme));
            }
            lines.push(field_line("Key", kind, theme));
            lines.push(field_line("Format", k.format.as_str(), theme));
            let lock = match k.lock_state() {
                "locked" => "locked (password needed to sign)",
                "watch-only" => "watch-only (cannot sign)",
                _ => "unencrypted (no password)",
            };
            lines.push(field_line("Lock", lock, theme));
            lines.push(Line::default());
            lines.push(Line::styled("Address (SS58)", theme.muted()));
            match &k.ss58 {
                Some(ss58) => lines.push(Line::styled(ss58.clone(), theme.accent())),
                None => lines.push(Line::styled("unreadable", theme.warning())),
            }
            if let Some(p) = &k.problem {
                lines.push(Line::default());
                lines.push(Line::styled(format!("! {p}"), theme.warning()));
            }
            lines.push(Line::default());
            let kk = |c| model.keymap.key_for(Context::Wallets, c);
            lines.push(Line::styled(
                format!(
                    "{} copy address · {} QR code",
                    kk(Command::Copy),
                    kk(Command::Qr)
                ),
                theme.muted(),
            ));
        }
        None => lines.push(Line::styled(
            "This wallet has no coldkey file.",
            theme.warning(),
        )),
    }
    if row.hotkey.is_none() {
        lines.push(field_line(
            "Hotkeys",
            wallet.hotkeys.len().to_string(),
            theme,
        ));
        if key.is_some_and(|k| k.ss58.is_some()) {
            lines.extend(super::proxies::proxy_lines(model, &wallet.name, theme));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(kind, theme)),
        area,
    );
}

fn hint_text<'a>(model: &Model, theme: &Theme) -> Line<'a> {
    let k = |c| model.keymap.key_for(Context::Wallets, c);
    Line::styled(
        format!(
            " {} new · {} restore · {} hotkey · {} watch · {} password · {} convert · {} copy · {} QR",
            k(Command::NewWallet),
            k(Command::Restore),
            k(Command::NewHotkey),
            k(Command::WatchOnly),
            k(Command::ChangePassword),
            k(Command::Convert),
            k(Command::Copy),
            k(Command::Qr),
        ),
        theme.muted(),
    )
}

pub fn panel<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .title(Span::styled(format!(" {title} "), theme.title()))
        .border_style(theme.border())
}
