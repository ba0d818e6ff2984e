//! Display formatting of amounts and rates for tables (amount arithmetic lives in `amount`).

use crate::amount::{AlphaRao, FormatOptions, Price, Rao, Rounding};
use crate::privacy;

const TABLE: FormatOptions = FormatOptions::new(4, Rounding::Down).with_thousands(',');

pub fn tao(r: Rao) -> String {
    if privacy::hidden() {
        return format!("{} τ", privacy::MASK);
    }
    format!("{} τ", r.format(&TABLE))
}

pub fn alpha(a: AlphaRao, symbol: &str) -> String {
    if privacy::hidden() {
        return format!("{} {symbol}", privacy::MASK);
    }
    format!("{} {symbol}", a.format(&TABLE))
}

pub fn price(p: Price) -> String {
    if privacy::hidden() {
        return privacy::MASK.to_owned();
    }
    p.format(6, Rounding::Nearest)
}

/// A fraction as a percentage with two decimals; "–" when unknown.
pub fn percent(f: Option<f64>) -> String {
    match f {
        Some(v) if v.is_finite() => format!("{:.2}%", v * 100.0),
        _ => "–".to_owned(),
    }
}

/// The first 6 and last 4 characters of an address.
pub fn short(ss58: &str) -> String {
    let n = ss58.chars().count();
    if n <= 12 {
        return ss58.to_owned();
    }
    let head: String = ss58.chars().take(6).collect();
    let tail: String = ss58.chars().skip(n - 4).collect();
    format!("{head}…{tail}")
}
