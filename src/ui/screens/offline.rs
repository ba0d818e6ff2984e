//! Air-gapped signing in the app: the unsigned transaction just written (where, what next, its QR code) and the
//! dialog that submits a transaction signed offline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::wizard::input_line;
use crate::action::OfflineFile;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::submit::{SubmitSigned, SubmitStep};
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, field_line, frame_dialog, hint_line};
use crate::ui::widgets::qr::{too_big_for_qr, transaction_qr_rows};
use crate::ui::widgets::tx_progress::{StageWords, send_lines};

/// The text part's width; the dialog widens for a QR code.
const TEXT_WIDTH: u16 = 76;
/// The narrowest the text part gets to leave room for the QR code beside it.
const MIN_TEXT_WIDTH: u16 = 44;

fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// What was written and what to do with it, then its QR code where the terminal has room for it.
pub fn draw_offline_written(frame: &mut Frame, area: Rect, file: &OfflineFile, theme: &Theme) {
    let mut lines = vec![
        Line::styled(
            "Not signed. The unsigned transaction is written for offline signing.",
            theme.accent(),
        ),
        Line::default(),
        field_line("File", file.path.clone(), theme),
        field_line("Call", file.call.clone(), theme),
        field_line("Signer", file.signer.clone(), theme),
        field_line(
            "Nonce",
            format!("{} · must land by block #{}", file.nonce, file.valid_until),
            theme,
        ),
        Line::default(),
        Line::styled("Next:", theme.title()),
        Line::styled(
            "1. Scan the QR code and save its text as a file (or carry the file itself) to the offline machine.",
            theme.base(),
        ),
        Line::styled(
            "2. There run `taotui sign FILE` (or `taotui sign -` and paste the text).",
            theme.base(),
        ),
        Line::styled(
            "3. Bring back the signature's text (its QR code) or the signed file and submit it: s on the History \
             screen (paste the text or type the path), or `taotui submit --signature TEXT`.",
            theme.base(),
        ),
    ];
    for note in &file.notes {
        lines.push(Line::styled(format!("note: {note}"), theme.muted()));
    }
    // The code carries the amounts: hidden with them (`*`), as anyone watching a shared screen could scan it.
    let hidden = crate::privacy::hidden();
    let qr = if hidden {
        None
    } else {
        transaction_qr_rows(file.qr_data.as_bytes())
    };
    let qr_size = qr.as_ref().map(|rows| {
        let width = rows.first().map_or(0, |r| r.chars().count());
        (
            u16::try_from(width).unwrap_or(u16::MAX),
            u16::try_from(rows.len()).unwrap_or(u16::MAX),
        )
    });
    let close = hint_line("Enter or Esc closes this.", theme);
    let mut with_close = lines.clone();
    with_close.push(Line::default());
    with_close.push(close.clone());
    // Beside the text where the terminal is wide enough (the text narrowed down to MIN_TEXT_WIDTH), else under
    // it. The QR code shows only whole: a cut one scans as nothing, or as something else.
    let side_text = qr_size.map_or(TEXT_WIDTH, |(w, _)| {
        TEXT_WIDTH
            .min(area.width.saturating_sub(w).saturating_sub(1))
            .max(MIN_TEXT_WIDTH)
    });
    let side_inner = side_text.saturating_sub(2);
    let side_height = wrapped_rows(&with_close, side_inner);
    let text_inner = TEXT_WIDTH.saturating_sub(2);
    let text_height = wrapped_rows(&with_close, text_inner);
    let layout = qr_size.and_then(|(w, h)| {
        let side = (
            side_text.saturating_add(w).saturating_add(1),
            side_height.max(h).saturating_add(2),
        );
        let stacked = (
            TEXT_WIDTH.max(w.saturating_add(2)),
            text_height.saturating_add(h).saturating_add(2),
        );
        let fits = |(width, height): (u16, u16)| width <= area.width && height <= area.height;
        if fits(side) {
            Some((true, side))
        } else if fits(stacked) {
            Some((false, stacked))
        } else {
            None
        }
    });
    if let (Some(rows), Some((beside, (width, height)))) = (&qr, layout) {
        let rect = centered(area, width, height);
        let inner = frame_dialog(frame, rect, "Written for offline signing", theme);
        let [text, code] = if beside {
            Layout::horizontal([Constraint::Length(side_inner), Constraint::Min(0)]).areas(inner)
        } else {
            Layout::vertical([Constraint::Length(text_height), Constraint::Min(0)]).areas(inner)
        };
        frame.render_widget(Paragraph::new(with_close).wrap(Wrap { trim: false }), text);
        let style = Style::default().fg(Color::White).bg(Color::Black);
        let code_lines: Vec<Line> = rows
            .iter()
            .map(|r| Line::styled(r.clone(), style))
            .collect();
        frame.render_widget(Paragraph::new(code_lines).centered(), code);
        return;
    }
    lines.push(Line::default());
    match qr_size {
        Some((w, h)) => lines.push(Line::styled(
            format!(
                "The QR code needs {}×{} cells and this terminal has {}×{}: enlarge it (or make the font smaller) \
                 to scan it, or carry the file.",
                w.saturating_add(2),
                h.saturating_add(2),
                area.width,
                area.height
            ),
            theme.warning(),
        )),
        None if hidden => lines.push(Line::styled(
            "The QR code is hidden while amounts are (* shows both).",
            theme.muted(),
        )),
        None => lines.push(Line::styled(
            too_big_for_qr("unsigned", file.qr_data.len()),
            theme.warning(),
        )),
    }
    lines.push(Line::default());
    lines.push(close);
    let width = TEXT_WIDTH.min(area.width);
    let height = wrapped_rows(&lines, width.saturating_sub(2))
        .saturating_add(2)
        .min(area.height);
    let rect = centered(area, width, height);
    let inner = frame_dialog(frame, rect, "Written for offline signing", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The History screen's submit dialog: the path, the call as the chain decodes it, then progress.
pub fn draw_submit(frame: &mut Frame, area: Rect, d: &SubmitSigned, model: &Model, theme: &Theme) {
    let mut lines = Vec::new();
    match d.step {
        SubmitStep::Path | SubmitStep::Opening => {
            lines.push(Line::styled(
                "The signed file `taotui sign` wrote on the offline machine (…signed.json), or the signature's \
                 text it printed (TAOTUI:S1:…, scanned from its QR code; its unsigned file is found here):",
                theme.base(),
            ));
            lines.push(input_line(
                "File or signature",
                &d.path.display(),
                d.step == SubmitStep::Path,
                theme,
            ));
            lines.push(Line::default());
            if d.step == SubmitStep::Opening {
                lines.push(Line::styled(
                    format!(
                        "{} Reading the file and checking it against the chain… Esc: stop waiting",
                        spinner(model)
                    ),
                    theme.accent(),
                ));
            } else {
                lines.push(hint_line("Enter: read and check it · Esc: close", theme));
            }
        }
        SubmitStep::Confirm => {
            if let Some(v) = &d.view {
                if crate::chain::offline::compact::is_signature_text(&v.path) {
                    let short: String = v.path.chars().take(24).collect();
                    lines.push(field_line("Signature", format!("{short}…"), theme));
                } else {
                    lines.push(field_line("File", v.path.clone(), theme));
                }
                lines.push(field_line("Call", v.call.clone(), theme));
                for (label, value) in &v.lines {
                    lines.push(field_line(label, value.clone(), theme));
                }
                lines.push(field_line("Signer", v.signer.clone(), theme));
                lines.push(field_line(
                    "Nonce",
                    format!("{} · must land by block #{}", v.nonce, v.valid_until),
                    theme,
                ));
                for note in &v.notes {
                    lines.push(Line::styled(format!("note: {note}"), theme.muted()));
                }
                lines.push(Line::default());
                lines.push(Line::styled(
                    "The chain decodes the signed call as shown. Enter: submit it · Esc: back",
                    theme.accent(),
                ));
            }
        }
        SubmitStep::Sending | SubmitStep::Done => {
            if let Some(v) = &d.view {
                lines.push(field_line("Call", v.call.clone(), theme));
            }
            lines.extend(send_lines(
                &d.progress,
                d.result.as_ref(),
                &StageWords {
                    unlocking: "Signature attached and submitted",
                    submitted: "Signature attached and submitted",
                },
                0,
                model,
                theme,
            ));
            if d.step == SubmitStep::Done {
                lines.push(Line::default());
                lines.push(hint_line("Enter or Esc close", theme));
            }
        }
    }
    if let Some(err) = &d.error {
        lines.push(error_line(err, theme));
    }
    let width = TEXT_WIDTH.min(area.width);
    let height = wrapped_rows(&lines, width.saturating_sub(2))
        .saturating_add(2)
        .min(area.height);
    let rect = centered(area, width, height);
    let inner = frame_dialog(frame, rect, "Submit a transaction signed offline", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
