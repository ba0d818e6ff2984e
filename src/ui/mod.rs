//! Drawing: `draw(frame, &Model, &Theme)` reads the model and never changes it or does I/O.

pub mod screens;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::config::theme::Theme;
use crate::model::{Modal, Model, Screen};

/// Spinner frames, advanced by ticks.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(model: &Model) -> &'static str {
    let i = usize::try_from(model.ticks % SPINNER.len() as u64).unwrap_or(0);
    SPINNER.get(i).copied().unwrap_or("*")
}

/// Draws the whole screen: tabs, the current screen, the status bar, then any dialog.
pub fn draw(frame: &mut Frame, model: &Model, theme: &Theme) {
    let _hide = crate::privacy::hide_while(model.prefs.hide_balances);
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base()), area);
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(frame, tabs, model, theme);
    match model.screen {
        Screen::Wallets => screens::wallets::draw_wallets(frame, body, model, theme),
        Screen::Portfolio => screens::portfolio::draw_portfolio(frame, body, model, theme),
        Screen::Validators => screens::validators::draw_validators(frame, body, model, theme),
        Screen::Network => screens::network::draw_network(frame, body, model, theme),
        Screen::History => screens::history::draw_history(frame, body, model, theme),
    }
    widgets::status_bar::draw_status_bar(frame, status, model, theme);
    if let Some(modal) = &model.modal {
        match modal {
            Modal::Help { scroll } => widgets::help::draw_help(frame, area, model, *scroll, theme),
            Modal::Qr { title, ss58 } => widgets::qr::draw_qr(frame, area, title, ss58, theme),
            Modal::Wizard(w) => screens::wizard::draw_wizard(frame, area, w, model, theme),
            Modal::Form(f) => screens::form::draw_form(frame, area, f, model, theme),
            Modal::Stake(s) => screens::stake::draw_stake(frame, area, s, model, theme),
            Modal::Message { title, text, error } => {
                widgets::dialog::draw_message(frame, area, title, text, *error, theme)
            }
            Modal::Position(key) => screens::value::draw_detail(frame, area, key, model, theme),
            Modal::OfflineWritten(file) => {
                screens::offline::draw_offline_written(frame, area, file, theme)
            }
            Modal::Submit(d) => screens::offline::draw_submit(frame, area, d, model, theme),
            Modal::Rebalance(r) => screens::rebalance::draw_rebalance(frame, area, r, model, theme),
            Modal::Grant(d) => screens::proxies::draw_grant(frame, area, d, model, theme),
            Modal::WalletProxy(d) => {
                screens::proxies::draw_wallet_proxy(frame, area, d, model, theme)
            }
        }
    }
}

fn draw_tabs(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut spans = vec![Span::styled(" taotui ", theme.title())];
    for (i, screen) in Screen::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, screen.title());
        let style = if *screen == model.screen {
            theme.selected()
        } else {
            theme.muted()
        };
        spans.push(Span::styled(label, style));
    }
    spans.push(Span::styled("  ? help", theme.muted()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
