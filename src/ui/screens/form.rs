//! The small keystore forms (restore, watch-only, hotkey, change password, convert).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::wizard::input_line;
use crate::action::KeyFileFormat;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::form::{FieldValue, Form};
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, frame_dialog, hint_line};
use crate::ui::widgets::meter::strength_line;

pub fn draw_form(frame: &mut Frame, area: Rect, f: &Form, model: &Model, theme: &Theme) {
    let rect = centered(area, 76, 18);
    let inner = frame_dialog(frame, rect, &f.title, theme);
    let mut lines = vec![Line::from(f.intro.clone()), Line::default()];
    if let Some(msg) = &f.result {
        lines.push(Line::styled(msg.clone(), theme.positive()));
        lines.push(Line::default());
        lines.push(hint_line("Enter or Esc close", theme));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let value = match &field.value {
            FieldValue::Text(t) => t.display(),
            FieldValue::Format(KeyFileFormat::Native) => {
                "native (argon2id + AES-GCM) ←→".to_owned()
            }
            FieldValue::Format(KeyFileFormat::Btcli) => {
                "btcli ($NACL, btcli can read it) ←→".to_owned()
            }
        };
        lines.push(input_line(field.label, &value, focused, theme));
    }
    if f.fields.iter().any(|x| x.label == "New password") {
        lines.push(Line::default());
        lines.push(strength_line(f.verdict().as_ref(), theme));
    }
    lines.push(Line::default());
    if f.pending.is_some() {
        lines.push(Line::styled(
            format!(
                "{} Working (key derivation takes about a second)…",
                spinner(model)
            ),
            theme.accent(),
        ));
    } else {
        lines.push(hint_line(
            "Tab/↑↓ field · Enter next / confirm on the last field · Esc cancel (nothing written)",
            theme,
        ));
    }
    if let Some(err) = &f.error {
        lines.push(error_line(err, theme));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
