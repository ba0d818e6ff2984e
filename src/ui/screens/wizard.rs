//! The create-wallet wizard, one step at a time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use taotui_keystore::mnemonic::WordCount;

use crate::action::KeyFileFormat;
use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::wizard::{CreateStep, CreateWizard};
use crate::ui::spinner;
use crate::ui::widgets::dialog::{centered, error_line, field_line, frame_dialog, hint_line};
use crate::ui::widgets::meter::strength_line;

pub fn draw_wizard(frame: &mut Frame, area: Rect, w: &CreateWizard, model: &Model, theme: &Theme) {
    let (n, total) = w.step.number();
    let title = format!("Create a wallet · step {n} of {total}");
    let rect = centered(area, 76, 20);
    let inner = frame_dialog(frame, rect, &title, theme);
    let mut lines: Vec<Line> = Vec::new();
    match w.step {
        CreateStep::Name => {
            lines.push(Line::from(
                "Name the wallet (a folder under the wallet path, as btcli uses).",
            ));
            lines.push(Line::default());
            lines.push(input_line("Name", &w.name.display(), true, theme));
            lines.push(Line::default());
            lines.push(hint_line(
                "Enter next · Esc cancel (nothing is written)",
                theme,
            ));
        }
        CreateStep::Words | CreateStep::Generating => {
            lines.push(Line::from(
                "How many words should the recovery phrase have?",
            ));
            lines.push(Line::default());
            let mut spans = Vec::new();
            for wc in WordCount::ALL {
                let style = if wc == w.words {
                    theme.selected()
                } else {
                    theme.muted()
                };
                spans.push(Span::styled(format!(" {} ", wc.count()), style));
                spans.push(Span::raw(" "));
            }
            lines.push(Line::from(spans));
            lines.push(Line::default());
            lines.push(Line::styled(
                "12 words are as safe as 24 against guessing; more words only add margin.",
                theme.muted(),
            ));
            lines.push(Line::default());
            if w.step == CreateStep::Generating {
                lines.push(Line::styled(
                    format!("{} Generating…", spinner(model)),
                    theme.accent(),
                ));
            } else {
                lines.push(hint_line(
                    "←/→ choose · Enter generate the phrase · Esc cancel",
                    theme,
                ));
            }
        }
        CreateStep::ShowMnemonic => {
            lines.push(Line::styled(
                "WARNING: anyone who sees these words controls the wallet, and without them a lost wallet \
                 cannot be recovered. Write them on paper, in order. They are shown only now.",
                theme.warning(),
            ));
            lines.push(Line::default());
            if let Some(m) = &w.mnemonic {
                let count = m.word_count();
                let mut row = Vec::new();
                for i in 0..count {
                    row.push(Span::styled(format!("{:>3}. ", i + 1), theme.muted()));
                    row.push(Span::styled(
                        format!("{:<11}", m.word(i).unwrap_or("?")),
                        theme.title(),
                    ));
                    if (i + 1) % 4 == 0 || i + 1 == count {
                        lines.push(Line::from(std::mem::take(&mut row)));
                    }
                }
            }
            lines.push(Line::default());
            lines.push(hint_line(
                "Enter when the words are written down (they will not be shown again) · Esc cancel",
                theme,
            ));
        }
        CreateStep::ConfirmWords => {
            lines.push(Line::from(
                "To check your paper copy, type the words asked for.",
            ));
            lines.push(Line::default());
            let done = w.check_index;
            lines.push(Line::styled(
                format!("Word {} of {}", done + 1, w.check_positions.len()),
                theme.muted(),
            ));
            let label = format!("Word #{}", w.asked_position().unwrap_or(0));
            lines.push(input_line(&label, &w.check_input.display(), true, theme));
            lines.push(Line::default());
            lines.push(hint_line(
                "Enter check · Esc cancel (nothing is written)",
                theme,
            ));
        }
        CreateStep::Password => {
            lines.push(Line::from(
                "Choose the password that encrypts the coldkey. It is asked for every signature.",
            ));
            lines.push(Line::default());
            lines.push(input_line(
                "Password",
                &w.password.display(),
                !w.second_focused,
                theme,
            ));
            lines.push(input_line(
                "Again",
                &w.password_again.display(),
                w.second_focused,
                theme,
            ));
            lines.push(Line::default());
            lines.push(strength_line(w.verdict.as_ref(), theme));
            lines.push(Line::default());
            lines.push(hint_line(
                "Tab switch field · Enter next · Esc cancel",
                theme,
            ));
        }
        CreateStep::Format => {
            lines.push(Line::from("How should the key file be stored?"));
            lines.push(Line::default());
            for (fmt, label, sentence) in [
                (
                    KeyFileFormat::Native,
                    "native",
                    "taotui's format: argon2id + AES-256-GCM, the strongest; btcli cannot read it (convert later with v).",
                ),
                (
                    KeyFileFormat::Btcli,
                    "btcli",
                    "btcli-compatible $NACL: the same wallet works in btcli and taotui.",
                ),
            ] {
                let selected = fmt == w.format;
                let style = if selected {
                    theme.selected()
                } else {
                    theme.base()
                };
                lines.push(Line::styled(
                    format!("{} {label}", if selected { "●" } else { "○" }),
                    style,
                ));
                lines.push(Line::styled(format!("  {sentence}"), theme.muted()));
            }
            lines.push(Line::default());
            lines.push(hint_line("←/→ choose · Enter next · Esc cancel", theme));
        }
        CreateStep::Review | CreateStep::Writing => {
            lines.push(Line::from(
                "Nothing has been written yet. Check and confirm:",
            ));
            lines.push(Line::default());
            lines.push(field_line("Wallet", w.name.trimmed().to_owned(), theme));
            lines.push(field_line(
                "Phrase",
                format!("{} words, checked", w.words.count()),
                theme,
            ));
            lines.push(field_line("Password", "set (twice)", theme));
            lines.push(field_line(
                "Format",
                match w.format {
                    KeyFileFormat::Native => "native",
                    KeyFileFormat::Btcli => "btcli ($NACL)",
                },
                theme,
            ));
            lines.push(Line::default());
            if w.step == CreateStep::Writing {
                lines.push(Line::styled(
                    format!(
                        "{} Encrypting and writing the key (about a second)…",
                        spinner(model)
                    ),
                    theme.accent(),
                ));
            } else {
                lines.push(hint_line(
                    "Enter write the wallet · Esc cancel (nothing is written)",
                    theme,
                ));
            }
        }
        CreateStep::Done => {
            match &w.result {
                Some(msg) => lines.push(Line::styled(msg.clone(), theme.positive())),
                None => lines.push(Line::styled("Nothing was written.", theme.muted())),
            }
            lines.push(Line::default());
            lines.push(hint_line("Enter or Esc close", theme));
        }
    }
    if let Some(err) = &w.error {
        lines.push(Line::default());
        lines.push(error_line(err, theme));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// "Label: value▏" with the focused field highlighted.
pub fn input_line<'a>(label: &str, value: &str, focused: bool, theme: &Theme) -> Line<'a> {
    // A typed amount is an amount on screen too.
    let value = if crate::privacy::hidden() && label.starts_with("Amount") && !value.is_empty() {
        crate::privacy::MASK
    } else {
        value
    };
    let style = if focused {
        theme.accent()
    } else {
        theme.base()
    };
    Line::from(vec![
        Span::styled(format!("{label:<22}"), theme.muted()),
        Span::styled(
            format!("[{value}{}]", if focused { "▏" } else { "" }),
            style,
        ),
    ])
}
