//! Hiding amounts for screen sharing (`--hide-balances`, `*` in the terminal app).
//!
//! Drawing and printing happen in many places owned by many screens, so the switch is a
//! per-thread flag that `ui::draw` (from the model) and the CLI (from its option) set for the
//! span of one frame or one command, and that the shared formatters consult. A masked amount
//! is always the same mark, so its width tells nothing either.

use std::cell::Cell;

/// What an amount is replaced by.
pub const MASK: &str = "•••";

thread_local! {
    static HIDDEN: Cell<bool> = const { Cell::new(false) };
}

/// Whether amounts are being hidden on this thread.
pub fn hidden() -> bool {
    HIDDEN.with(Cell::get)
}

/// Restores the previous setting when dropped.
#[must_use = "amounts are hidden only while the guard lives"]
pub struct HideGuard {
    previous: bool,
}

impl Drop for HideGuard {
    fn drop(&mut self) {
        HIDDEN.with(|h| h.set(self.previous));
    }
}

/// Hides (or shows) amounts on this thread until the guard is dropped.
pub fn hide_while(hide: bool) -> HideGuard {
    let previous = HIDDEN.with(|h| h.replace(hide));
    HideGuard { previous }
}

/// `text` as is, or with its amounts masked while hidden.
pub fn masked(text: &str) -> String {
    if hidden() {
        mask_amounts(text)
    } else {
        text.to_owned()
    }
}

/// Replaces every amount in `text` with [`MASK`]: a number with a decimal point (`12.5`,
/// `1,234.0000`), or a whole number followed by a unit (`10 τ`, `3 TAO`, `5 α`). Percentages
/// (APY, tolerance), whole numbers without a unit (netuids, block numbers, dates, counts; a
/// subnet's number before its symbol, `2 β`) and digits inside words or addresses (`SN3`,
/// `5Grw…`, `0x1f`) stay.
pub fn mask_amounts(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number =
            c.is_ascii_digit() && (i == 0 || !is_word_char(chars[i - 1]) && chars[i - 1] != '.');
        if !starts_number {
            out.push(c);
            i += 1;
            continue;
        }
        let mut end = i;
        let mut decimal = false;
        while end < chars.len() {
            let d = chars[end];
            if d.is_ascii_digit() {
                end += 1;
            } else if matches!(d, ',' | '.' | '_')
                && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            {
                decimal |= d == '.';
                end += 1;
            } else {
                break;
            }
        }
        let token: String = chars[i..end].iter().collect();
        if chars.get(end).is_some_and(|d| is_word_char(*d)) {
            // Digits that begin a word or an address: copy the whole word.
            let mut word_end = end;
            while word_end < chars.len() && is_word_char(chars[word_end]) {
                word_end += 1;
            }
            out.extend(&chars[i..word_end]);
            i = word_end;
            continue;
        }
        let percent = chars.get(end) == Some(&'%');
        if !percent && (decimal || unit_follows(&chars[end..])) {
            out.push_str(MASK);
        } else {
            out.push_str(&token);
        }
        i = end;
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A currency after an optional space: τ, TAO, rao or α. Other subnet symbols also name subnets
/// (`2 β`), so a whole number before one is left; amounts of alpha carry decimals.
fn unit_follows(rest: &[char]) -> bool {
    let rest = match rest.first() {
        Some(' ') => &rest[1..],
        _ => rest,
    };
    let word: String = rest.iter().take_while(|c| !c.is_whitespace()).collect();
    let word = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
    matches!(word, "τ" | "TAO" | "rao" | "RAO" | "α")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_masked_and_other_numbers_stay() {
        for (text, want) in [
            ("free 12.5 τ   staked 3 τ", "free ••• τ   staked ••• τ"),
            ("You send  10 TAO", "You send  ••• TAO"),
            ("1,234.0000 α", "••• α"),
            ("7 α, 7.5 β, subnet 2 β", "••• α, ••• β, subnet 2 β"),
            ("APY 12.34%, share 0.50%", "APY 12.34%, share 0.50%"),
            (
                "netuid 3, block 1234 at 2023-11-14",
                "netuid 3, block 1234 at 2023-11-14",
            ),
            ("SN3 5Grwva…utQY 0x1f2e", "SN3 5Grwva…utQY 0x1f2e"),
            (
                "Positions (5) · total 1,000 τ",
                "Positions (5) · total ••• τ",
            ),
            ("v1.5 runtime 293", "v1.5 runtime 293"),
            ("", ""),
        ] {
            assert_eq!(mask_amounts(text), want, "{text}");
        }
    }

    #[test]
    fn the_guard_hides_for_its_lifetime_on_this_thread_only() {
        assert!(!hidden());
        {
            let _g = hide_while(true);
            assert!(hidden());
            assert_eq!(masked("2.5 τ"), "••• τ");
            std::thread::spawn(|| assert!(!hidden())).join().unwrap();
        }
        assert!(!hidden());
        assert_eq!(masked("2.5 τ"), "2.5 τ");
    }
}
