//! What the `?` overlay lists (the screen's bindings, the signing dialogs' where the screen opens them, the
//! global ones), laid out in rows of a given width, and how far it scrolls when the terminal is too short.
//! The rows are wrapped here rather than by the widget so the model knows exactly how many there are.

use super::Model;
use crate::config::keymap::Context;

/// The overlay's width when the terminal has room.
pub const HELP_WIDTH: u16 = 72;

/// Columns the key names take before a description.
const KEYS_COLUMN: usize = 11;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRow {
    Heading(String),
    /// A binding's first row: the key names and the start of its description.
    Binding {
        keys: String,
        text: String,
    },
    /// More of a description (or a note), under the description column.
    More(String),
    Blank,
}

/// What the validator list's risk labels mean (all read from chain state).
const RISK_LABELS: [(&str, &str); 7] = [
    ("Name –", "no on-chain identity set"),
    ("Take", "its cut of nominators' dividends"),
    ("Share", "its part of the subnet's stake"),
    ("Permit no", "no permit: no dividends (flagged)"),
    ("Age", "since it registered; imm: immune"),
    ("pool, age", "TAO in the subnet's pool; its age"),
    (
        "dereg",
        "never · immune 3d · 2/40: place from the lowest moving price outside immunity; next/risk: list full \
         and among the 3 lowest (flagged)",
    ),
];

/// The overlay's rows for the current screen, wrapped to `inner_width` columns.
pub fn help_rows(model: &Model, inner_width: u16) -> Vec<HelpRow> {
    let context = model.screen.context();
    let width = usize::from(inner_width).saturating_sub(KEYS_COLUMN).max(10);
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
    let mut rows = Vec::new();
    let entry = |keys: String, text: &str, rows: &mut Vec<HelpRow>| {
        let mut parts = wrap(text, width).into_iter();
        rows.push(HelpRow::Binding {
            keys,
            text: parts.next().unwrap_or_default(),
        });
        rows.extend(parts.map(HelpRow::More));
    };
    for ctx in contexts {
        rows.push(HelpRow::Heading(format!(
            "{} keys",
            match ctx {
                Context::Global => "Everywhere",
                Context::StakeForm => "Signing dialogs (stake, unstake, move, swap, transfer)",
                _ => model.screen.title(),
            }
        )));
        for b in model.keymap.bindings(ctx) {
            entry(b.key_names.join(" "), &b.description, &mut rows);
        }
        rows.push(HelpRow::Blank);
        // What the validator list's labels mean comes right after its keys, before the general ones.
        if ctx == Context::Validators {
            rows.push(HelpRow::Heading(
                "Risk labels (from chain state)".to_owned(),
            ));
            for (label, text) in RISK_LABELS {
                entry(label.to_owned(), text, &mut rows);
            }
            entry(
                "?".to_owned(),
                "runtime lacks it (Network screen)",
                &mut rows,
            );
            rows.push(HelpRow::Blank);
        }
    }
    // Two blank lines end every section; the last one would only push the list past the frame.
    if rows.last() == Some(&HelpRow::Blank) {
        rows.pop();
    }
    rows
}

/// The overlay's inner width on a terminal `columns` wide.
pub fn inner_width(columns: u16) -> u16 {
    HELP_WIDTH.min(columns).saturating_sub(2)
}

/// How many rows the overlay can scroll on the model's terminal (0 when everything fits).
pub fn max_scroll(model: &Model) -> u16 {
    let (columns, lines) = model.viewport;
    let rows = help_rows(model, inner_width(columns)).len();
    let visible = usize::from(lines.saturating_sub(2));
    u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX)
}

/// Word-wraps `text` to `width` columns (a word longer than a row is cut across rows).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            out.push(head);
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wrapping_keeps_words_whole_and_rows_within_width() {
        assert_eq!(
            wrap("Send a stake trade MEV-shielded or in the clear", 20),
            ["Send a stake trade", "MEV-shielded or in", "the clear"]
        );
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
    }

    proptest! {
        #[test]
        fn wrapping_loses_no_word_and_never_overflows(text in "[a-z ]{0,200}", width in 1usize..40) {
            let rows = wrap(&text, width);
            for r in &rows {
                prop_assert!(r.chars().count() <= width, "{r:?} wider than {width}");
            }
            let joined: String = rows.concat();
            let squeezed: String = text.split_whitespace().collect();
            prop_assert_eq!(joined.replace(' ', ""), squeezed);
        }
    }
}
