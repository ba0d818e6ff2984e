//! The bottom line: network, connection state, data age, selected wallet, last notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::state_line::format_age;
use crate::action::Connection;
use crate::config::theme::Theme;
use crate::model::{Model, Screen};

pub fn draw_status_bar(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let (conn, conn_style) = match &model.connection {
        Connection::Connecting => ("connecting".to_owned(), theme.muted()),
        Connection::Connected { spec_version } => (
            format!("connected (runtime {spec_version})"),
            theme.positive(),
        ),
        Connection::Reconnecting { attempt } => {
            (format!("reconnecting (try {attempt})"), theme.warning())
        }
        Connection::Offline { .. } => ("offline".to_owned(), theme.warning()),
    };
    let age = match model.screen {
        Screen::Portfolio => model.portfolio.listing.age(model.now),
        Screen::Validators => model.validators.validators.age(model.now),
        Screen::Network => model.network.overview.age(model.now),
        Screen::Wallets | Screen::History => None,
    };
    let wallet = model
        .wallets
        .selected_wallet()
        .map_or("none", |w| w.name.as_str());
    let sep = Span::styled(" │ ", theme.border());
    let mut spans = vec![
        Span::styled(format!(" {}", model.prefs.network_name), theme.accent()),
        sep.clone(),
        Span::styled(format!("● {conn}"), conn_style),
    ];
    if let Some(age) = age {
        // The portfolio follows new blocks: say which one it shows.
        let block = match (model.screen, model.portfolio.listing.block) {
            (Screen::Portfolio, Some(b)) => format!(", block {b}"),
            _ => String::new(),
        };
        spans.push(sep.clone());
        spans.push(Span::styled(
            format!("data {} old{block}", format_age(age)),
            theme.muted(),
        ));
    }
    if !model.features_off.is_empty() {
        // Features an older or newer runtime lacks are normal; a broken core is a warning.
        let style = if model.core_works {
            theme.muted()
        } else {
            theme.warning()
        };
        spans.push(sep.clone());
        spans.push(Span::styled(
            format!("{} off (Network screen)", model.features_off.len()),
            style,
        ));
    }
    spans.push(sep.clone());
    spans.push(Span::styled(format!("wallet {wallet}"), theme.base()));
    if let Some(notice) = &model.notice {
        spans.push(sep);
        let style = if notice.error {
            theme.warning()
        } else {
            theme.positive()
        };
        spans.push(Span::styled(crate::privacy::masked(&notice.text), style));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.selected().patch(theme.base())),
        area,
    );
}
