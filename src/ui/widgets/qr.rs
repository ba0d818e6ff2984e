//! An address (or a transaction file) as a QR code, two modules per character cell (half blocks), always dark on
//! light whatever the theme so phone cameras can read it.

pub use qrcode::EcLevel;
use qrcode::{Color as QrColor, QrCode};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::dialog::{centered, frame_dialog};
use crate::config::theme::Theme;

/// Modules of white border around the code (the spec asks for 4; 2 reads fine on screens).
const QUIET: usize = 2;

/// The most bytes one QR code holds (version 40, low error correction, byte mode).
pub const QR_MAX_BYTES: usize = 2953;

/// The sentence for a transaction file too large for one QR code.
pub fn too_big_for_qr(what: &str, bytes: usize) -> String {
    format!(
        "The {what} transaction is {bytes} bytes, more than one QR code holds ({QR_MAX_BYTES} bytes): carry the file."
    )
}

/// Transaction files use low error correction, which holds the most: a screen is not a scratched sticker.
pub fn transaction_qr_rows(data: &[u8]) -> Option<Vec<String>> {
    qr_rows(data, EcLevel::L)
}

/// The QR code of `data` as rows of half blocks (two modules a character, a light module drawn as a full block),
/// meant to be drawn light on dark; `None` if it does not fit one QR code. The app's dialogs and
/// `taotui sign` in a terminal draw the same rows.
pub fn qr_rows(data: &[u8], level: EcLevel) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(data, level).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET;
    let dark = |x: usize, y: usize| -> bool {
        if x < QUIET || y < QUIET || x >= width + QUIET || y >= width + QUIET {
            return false;
        }
        colors.get((y - QUIET) * width + (x - QUIET)) == Some(&QrColor::Dark)
    };
    let mut rows = Vec::new();
    for y in (0..size).step_by(2) {
        let mut row = String::with_capacity(size * 3);
        for x in 0..size {
            let top = !dark(x, y);
            let bottom = y + 1 < size && !dark(x, y + 1);
            row.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        rows.push(row);
    }
    Some(rows)
}

/// The QR code of `text` as lines of half blocks; `None` if the text cannot be encoded.
pub fn qr_lines(text: &str) -> Option<Vec<Line<'static>>> {
    let style = Style::default().fg(Color::White).bg(Color::Black);
    Some(
        qr_rows(text.as_bytes(), EcLevel::M)?
            .into_iter()
            .map(|row| Line::styled(row, style))
            .collect(),
    )
}

pub fn draw_qr(frame: &mut Frame, area: Rect, title: &str, ss58: &str, theme: &Theme) {
    let mut lines = qr_lines(ss58).unwrap_or_else(|| {
        vec![Line::styled(
            "This address cannot be shown as a QR code.",
            theme.warning(),
        )]
    });
    let qr_width = lines.first().map_or(0, |l| l.width());
    lines.push(Line::styled(ss58.to_owned(), theme.base()));
    lines.push(Line::styled("Esc closes this.", theme.muted()));
    let width = u16::try_from(qr_width.max(ss58.len()) + 4).unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    let inner = frame_dialog(frame, rect, title, theme);
    frame.render_widget(Paragraph::new(lines).centered(), inner);
}
