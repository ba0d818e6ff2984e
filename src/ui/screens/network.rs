//! Network: block height, emission, issuance against the cap, % staked, the halving countdown.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::wallets::panel;
use crate::chain::apy::MAX_SUPPLY;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::ui::widgets::dialog::field_line;
use crate::ui::widgets::fmt;
use crate::ui::widgets::state_line::state_line;

pub fn draw_network(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let remote = &model.network.overview;
    let [figures, gauges] =
        Layout::vertical([Constraint::Min(9), Constraint::Length(6)]).areas(area);
    let mut lines = Vec::new();
    if let Some(line) = state_line("network figures", remote, model, theme) {
        lines.push(line);
    }
    // What this runtime cannot do, in the features' own sentences (the same as `taotui doctor`).
    for sentence in &model.features_off {
        let style = if model.core_works {
            theme.muted()
        } else {
            theme.warning()
        };
        lines.push(Line::styled(format!("off: {sentence}"), style));
    }
    let Some(o) = &remote.data else {
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(panel("Network", theme)),
            area,
        );
        return;
    };
    lines.push(field_line("Block", format!("#{}", o.block), theme));
    lines.push(field_line(
        "Block emission",
        fmt::tao(o.block_emission),
        theme,
    ));
    lines.push(field_line(
        "Total issuance",
        fmt::tao(o.total_issuance),
        theme,
    ));
    lines.push(field_line("Supply cap", fmt::tao(MAX_SUPPLY), theme));
    lines.push(field_line("Total staked", fmt::tao(o.total_stake), theme));
    let bps = o.staked_bps();
    lines.push(field_line(
        "Staked",
        format!("{}.{:02}% of issuance", bps / 100, bps % 100),
        theme,
    ));
    lines.push(field_line("Subnets", o.subnet_count.to_string(), theme));
    if let Some(h) = &o.halving {
        lines.push(field_line(
            "Halving at",
            format!("{} issued", fmt::tao(h.threshold)),
            theme,
        ));
    }
    if let Some(h) = &o.halving {
        lines.push(field_line(
            "Next halving",
            format!(
                "in {} blocks (≈ {} days), at block #{}",
                h.blocks,
                h.blocks / 7_200,
                h.block
            ),
            theme,
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel("Network", theme)),
        figures,
    );

    let [issued, halving] =
        Layout::vertical([Constraint::Length(3), Constraint::Length(3)]).areas(gauges);
    let issued_ratio = ratio(o.total_issuance.get(), MAX_SUPPLY.get());
    frame.render_widget(
        Gauge::default()
            .block(panel("Issued of 21M cap", theme))
            .gauge_style(theme.accent())
            .ratio(issued_ratio)
            .label(format!("{:.2}%", issued_ratio * 100.0)),
        issued,
    );
    if let Some(h) = &o.halving {
        // Progress from the previous threshold (half of the distance to the cap before it).
        let prev = h
            .threshold
            .get()
            .saturating_sub(MAX_SUPPLY.get().saturating_sub(h.threshold.get()));
        let span = h.threshold.get().saturating_sub(prev);
        let done = o.total_issuance.get().saturating_sub(prev);
        let r = ratio(done, span);
        frame.render_widget(
            Gauge::default()
                .block(panel("Towards the next halving", theme))
                .gauge_style(theme.positive())
                .ratio(r)
                .label(format!("{:.1}%", r * 100.0)),
            halving,
        );
    } else {
        frame.render_widget(
            Paragraph::new(Line::styled("No halving ahead.", theme.muted()))
                .block(panel("Halving", theme)),
            halving,
        );
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 / whole as f64).clamp(0.0, 1.0)
}
