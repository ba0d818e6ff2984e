//! CSV export in one documented column set that tax tools and spreadsheets read (see README, "CSV export").
//!
//! Columns, in order:
//! `date_utc` (ISO 8601, `2026-11-29T12:00:00Z`), `block`, `extrinsic_hash` (0x-hex, empty for rows outside an
//! extrinsic), `kind` (`stake_added`, `stake_removed`, `stake_moved`, `stake_swapped`, `stake_transferred`,
//! `transfer_in`, `transfer_out`, `fee`, `reward`, or `local:<call>` for a transaction of this machine the chain
//! scan did not list), `netuid`, `hotkey` (SS58), `amount_alpha`, `amount_tao`, `price_tao_per_alpha`,
//! `fee_tao`. Amounts are decimal with exactly 9 fractional digits (exact, no rounding: the chain's integers);
//! a negative amount has a leading `-`; an empty cell means "not applicable". `price_tao_per_alpha` is the price
//! the row executed at (TAO over alpha of the event, rounded to nearest) or, for `reward` rows, the end price.
//! Rows of kind `stake_moved`, `stake_swapped` and `stake_transferred` summarise a move whose legs are listed as
//! `stake_removed` and `stake_added` rows; sum only the legs.
//!
//! [`to_csv`] is a pure function of the rows (the TUI's export reuses it); [`parse_csv`] reads it back.

use crate::amount::RAO_PER_TAO;

/// The header line's cells.
pub const COLUMNS: [&str; 10] = [
    "date_utc",
    "block",
    "extrinsic_hash",
    "kind",
    "netuid",
    "hotkey",
    "amount_alpha",
    "amount_tao",
    "price_tao_per_alpha",
    "fee_tao",
];

/// One CSV row. Amounts in rao (alpha rao), signed for `reward` rows that can be negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// Unix milliseconds.
    pub time_ms: u64,
    pub block: u64,
    pub extrinsic_hash: Option<String>,
    pub kind: String,
    pub netuid: Option<u16>,
    /// SS58.
    pub hotkey: Option<String>,
    pub alpha: Option<i128>,
    pub tao: Option<i128>,
    /// Rao per whole alpha.
    pub price_rao_per_alpha: Option<u64>,
    pub fee: Option<i128>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the CSV is not in taotui's export format: {detail}")]
pub struct CsvError {
    pub line: usize,
    pub detail: String,
}

/// Rao as `W.FFFFFFFFF`.
pub fn decimal(rao: i128) -> String {
    let sign = if rao < 0 { "-" } else { "" };
    let m = rao.unsigned_abs();
    let unit = u128::from(RAO_PER_TAO);
    format!("{sign}{}.{:09}", m / unit, m % unit)
}

/// The inverse of [`decimal`] (at most 9 fractional digits).
pub fn parse_decimal(s: &str) -> Option<i128> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i128 = whole.parse().ok()?;
    let frac: i128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    let v = whole
        .checked_mul(i128::from(RAO_PER_TAO))?
        .checked_add(frac)?;
    Some(if neg { -v } else { v })
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// The rows as CSV text with a header line (`\n` line ends).
pub fn to_csv(rows: &[CsvRow]) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        let cells = [
            crate::chain::earnings::format_utc(r.time_ms),
            r.block.to_string(),
            r.extrinsic_hash.clone().unwrap_or_default(),
            r.kind.clone(),
            r.netuid.map(|n| n.to_string()).unwrap_or_default(),
            r.hotkey.clone().unwrap_or_default(),
            r.alpha.map(decimal).unwrap_or_default(),
            r.tao.map(decimal).unwrap_or_default(),
            r.price_rao_per_alpha
                .map(|p| decimal(i128::from(p)))
                .unwrap_or_default(),
            r.fee.map(decimal).unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| quote(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Splits one CSV line into cells (RFC 4180 quoting).
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Reads text written by [`to_csv`] back into rows.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, CsvError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or_default();
    if header != COLUMNS.join(",") {
        return Err(CsvError {
            line: 1,
            detail: "the header is not taotui's column set".into(),
        });
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        let err = |detail: &str| CsvError {
            line: i + 1,
            detail: detail.to_owned(),
        };
        let c = cells(line);
        if c.len() != COLUMNS.len() {
            return Err(err("wrong number of cells"));
        }
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let amount = |s: &str, what: &str| {
            if s.is_empty() {
                Ok(None)
            } else {
                parse_decimal(s)
                    .map(Some)
                    .ok_or_else(|| err(&format!("{what} is not a decimal amount")))
            }
        };
        rows.push(CsvRow {
            time_ms: crate::chain::earnings::parse_utc(&c[0]).ok_or_else(|| err("bad date"))?,
            block: c[1].parse().map_err(|_| err("bad block"))?,
            extrinsic_hash: opt(&c[2]),
            kind: c[3].clone(),
            netuid: if c[4].is_empty() {
                None
            } else {
                Some(c[4].parse().map_err(|_| err("bad netuid"))?)
            },
            hotkey: opt(&c[5]),
            alpha: amount(&c[6], "amount_alpha")?,
            tao: amount(&c[7], "amount_tao")?,
            price_rao_per_alpha: amount(&c[8], "price_tao_per_alpha")?
                .map(|p| u64::try_from(p).map_err(|_| err("bad price")))
                .transpose()?,
            fee: amount(&c[9], "fee_tao")?,
        });
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_header_and_a_row_read_as_documented() {
        let row = CsvRow {
            time_ms: 1_764_417_600_000,
            block: 7,
            extrinsic_hash: Some("0xab".into()),
            kind: "local:SubtensorModule.add_stake, failed".into(),
            netuid: Some(2),
            hotkey: Some("5F".into()),
            alpha: Some(1_500_000_000),
            tao: Some(-1),
            price_rao_per_alpha: Some(500_000_000),
            fee: None,
        };
        let text = to_csv(std::slice::from_ref(&row));
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "2025-11-29T12:00:00Z,7,0xab,\"local:SubtensorModule.add_stake, failed\",2,5F,1.500000000,-0.000000001,0.500000000,"
        );
        assert_eq!(parse_csv(&text).unwrap(), vec![row]);
    }

    proptest! {
        #[test]
        fn decimals_round_trip(v in any::<i64>()) {
            prop_assert_eq!(parse_decimal(&decimal(i128::from(v))), Some(i128::from(v)));
        }
    }
}
