//! The `?` overlay: every binding of the current screen, then the global ones.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::dialog::{centered, frame_dialog};
use crate::config::keymap::Context;
use crate::config::theme::Theme;
use crate::model::Model;

const WIDTH: u16 = 72;

pub fn draw_help(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let context = model.screen.context();
    let mut lines = Vec::new();
    let mut contexts = vec![context];
    // The screens that open the signing dialogs list the dialogs' keys too.
    if matches!(
        context,
        Context::Portfolio | Context::Validators | Context::Wallets
    ) {
        contexts.push(Context::StakeForm);
    }
    if context != Context::Global {
        contexts.push(Context::Global);
    }
    for ctx in contexts {
        lines.push(Line::styled(
            format!(
                "{} keys",
                match ctx {
                    Context::Global => "Everywhere",
                    Context::StakeForm => "Signing dialogs (stake, unstake, move, swap, transfer)",
                    _ => model.screen.title(),
                }
            ),
            theme.accent(),
        ));
        for b in model.keymap.bindings(ctx) {
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<10}", b.key_names.join(" ")), theme.title()),
                Span::styled(b.description.clone(), theme.base()),
            ]));
        }
        lines.push(Line::default());
    }
    if context == Context::Validators {
        risk_help(&mut lines, theme);
    }
    lines.push(Line::styled("Esc, Enter or ? closes this.", theme.muted()));
    // Rows once a description longer than the dialog wraps.
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(usize::from(WIDTH - 2)))
        .sum();
    let needed = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    if needed <= area.height {
        let rect = centered(area, WIDTH, needed);
        // The screen behind is cut at the dialog's edges; clear the whole band so no stray
        // end of a word peeks out on either side.
        let band = Rect::new(area.x, rect.y, area.width, rect.height);
        frame.render_widget(Clear, band);
        frame.render_widget(Block::default().style(theme.base()), band);
        let inner = frame_dialog(frame, rect, "Keys", theme);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    // Too tall for the terminal: two columns side by side, each line cut to its column.
    let half = lines.len().div_ceil(2);
    let height = u16::try_from(half + 2).unwrap_or(u16::MAX);
    let rect = centered(area, area.width, height);
    let inner = frame_dialog(frame, rect, "Keys", theme);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let second = lines.split_off(half);
    frame.render_widget(Paragraph::new(lines), left);
    frame.render_widget(Paragraph::new(second), right);
}

/// What the validator list's risk labels mean (all read from chain state).
fn risk_help(lines: &mut Vec<Line<'_>>, theme: &Theme) {
    lines.push(Line::styled(
        "Risk labels (from chain state)",
        theme.accent(),
    ));
    // Short enough for one column of the two the overlay splits into on a small terminal.
    let rows = [
        ("Name –", "no on-chain identity set"),
        ("Take", "its cut of nominators' dividends"),
        ("Share", "its part of the subnet's stake"),
        ("Permit no", "no permit: no dividends (flagged)"),
        ("Age", "since it registered; imm: immune"),
        ("pool, age", "TAO in the subnet's pool; its age"),
        ("dereg", "never · immune 3d · 2/40: place"),
        ("", "from the lowest moving price outside"),
        ("", "immunity; next/risk: list full and"),
        ("", "among the 3 lowest (flagged)"),
        ("?", "runtime lacks it (Network screen)"),
    ];
    for (label, text) in rows {
        lines.push(Line::from(vec![
            Span::styled(format!(" {label:<10}"), theme.title()),
            Span::styled(text, theme.base()),
        ]));
    }
    lines.push(Line::default());
}
