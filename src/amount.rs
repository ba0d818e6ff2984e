//! Money: how TAO and alpha amounts, subnet prices and pool swaps are represented, parsed and
//! formatted. This is the only place in the app that does so.
//!
//! # Representation
//! Every amount that can end up in a signed extrinsic is an integer in the chain's base unit:
//! [`Rao`] (1 TAO = 10^9 rao) and [`AlphaRao`] (a subnet's alpha, also 9 decimals). Floats appear
//! only in display-only rates ([`format_percent`], [`format_apy`], [`Price::to_f64_lossy`]).
//! Both amount types serialise as the bare integer (`{"free": 1500000000}`).
//!
//! # Parsing user input ([`Rao::parse_tao`], [`AlphaRao::parse_alpha`])
//! Accepted: `10`, `10.5`, `.5`, `10.`, `0.000000001`, surrounding whitespace, `_` between two
//! digits as a digit-group separator (`1_000.25`), a unit either before or after the number with
//! optional space (`τ10`, `10 τ`, `10 TAO`, `10tao`; for alpha `α`, `alpha` or the subnet's own
//! symbol via [`AlphaRao::parse_alpha_with_symbol`]), and digits past the 9th decimal only when
//! they are zeros (`1.5000000000` is exactly 1.5 TAO, so nothing is rounded).
//! Rejected, each with its own sentence: empty input, negative amounts, a non-zero 10th decimal,
//! values above `u64::MAX` rao, scientific notation (`1e3`), `NaN`/`inf`, commas, the wrong unit
//! (`τ` in an alpha field) and anything else that is not a plain decimal number.
//! Commas are refused on purpose: `1,500` means 1500 in some locales and 1.5 in others, and a
//! wallet must not guess a factor of 1000.
//!
//! # Formatting
//! Rounding is always explicit ([`Rounding`]): `Down` for figures the user may spend or will
//! receive (never promise more than exists), `Nearest` (half up) for informational values, `Up`
//! for costs and requirements. [`FormatOptions`] adds optional thousands separators and trimming.
//! `Display` prints full precision with trailing zeros trimmed and the unit after a space:
//! `1.5 τ`, `0 τ`, `12.000000001 α`; that text parses back to the same amount.
//!
//! # Prices
//! [`Price`] is an exact rational number (TAO per alpha, which equals rao per alpha-rao), so a
//! price taken from pool reserves loses nothing; conversions round once, at the end.
//!
//! # Pool simulation
//! See [`Pool`]: the constant-product model the spec-293 swap reduces to when only the
//! protocol's full-range liquidity exists, including the swap fee.

use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Rao in one TAO (and alpha-rao in one alpha): both have 9 decimals.
pub const RAO_PER_TAO: u64 = 1_000_000_000;
/// Decimal places of TAO and of every subnet's alpha.
pub const DECIMALS: u8 = 9;
/// The TAO symbol used when formatting.
pub const TAO_SYMBOL: &str = "τ";
/// The generic alpha symbol, for when a subnet's own symbol is not known.
pub const ALPHA_SYMBOL: &str = "α";
/// Basis points in 100 %.
pub const BPS_PER_UNIT: u32 = 10_000;

/// Which of the two currencies an amount or a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Tao,
    Alpha,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Tao => "TAO",
            Unit::Alpha => "alpha",
        })
    }
}

/// Everything that can go wrong when parsing, converting or simulating amounts.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AmountError {
    #[error("No amount was given; enter a number such as 10 or 0.5.")]
    Empty,
    #[error("{unit} amounts cannot be negative; enter a positive number.")]
    Negative { unit: Unit },
    #[error("{unit} has at most 9 decimals (1 rao = 0.000000001); remove the extra digits.")]
    TooManyDecimals { unit: Unit },
    #[error(
        "That {unit} amount is too large; the largest possible amount is 18446744073.709551615."
    )]
    Overflow { unit: Unit },
    #[error(
        "Scientific notation such as 1e3 is not accepted; write the number out in full, e.g. 1000."
    )]
    Exponent,
    #[error("\"{input}\" is not a number; enter a decimal amount such as 10 or 0.5.")]
    NotANumber { input: String },
    #[error(
        "Commas are not accepted in amounts; use '.' for decimals and '_' or nothing to group thousands (1_000.5)."
    )]
    Comma,
    #[error(
        "This field takes an amount in {expected}, but the input is marked as {found}; check which currency you mean."
    )]
    WrongUnit { expected: Unit, found: Unit },
    #[error(
        "\"{input}\" is not a valid amount; enter a plain decimal number such as 10, 0.5 or 1_000.25."
    )]
    Invalid { input: String },
    #[error("The tolerance must be between 0 and 100 percent; enter e.g. 0.5 for 0.5 %.")]
    ToleranceOutOfRange,
    #[error("The tolerance has a resolution of 0.01 %; use at most 2 decimals, e.g. 0.25.")]
    ToleranceTooPrecise,
    #[error(
        "The subnet's pool is empty (no TAO or no alpha in reserve), so no price or swap can be computed."
    )]
    EmptyPool,
    #[error("The price is zero, so a TAO amount cannot be converted to alpha.")]
    ZeroPrice,
    #[error("The price has a zero denominator; the chain data it came from is invalid.")]
    ZeroDenominator,
    #[error("The result does not fit in 64 bits; the amount or price is unrealistically large.")]
    ResultOverflow,
    #[error(
        "Unknown subnet mechanism {0}; this version of taotui knows 0 (stable) and 1 (dynamic), so update taotui."
    )]
    UnknownMechanism(u16),
}

/// How to round when a value has more precision than is shown or stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Toward zero: for balances available to spend and amounts the user will receive.
    Down,
    /// To the nearest, halves away from zero: for informational values.
    Nearest,
    /// Away from zero: for costs and amounts the user must have.
    Up,
}

/// How [`Rao::format`] / [`AlphaRao::format`] lay out a number (digits only, no unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// Fractional digits to show, 0..=9 (larger values are treated as 9).
    pub decimals: u8,
    pub rounding: Rounding,
    /// Separator between groups of three integer digits, e.g. `Some(',')`; display only, the
    /// parser does not accept commas.
    pub thousands: Option<char>,
    /// Drop trailing fractional zeros (and the point when nothing is left).
    pub trim_zeros: bool,
}

impl FormatOptions {
    pub const fn new(decimals: u8, rounding: Rounding) -> Self {
        Self {
            decimals,
            rounding,
            thousands: None,
            trim_zeros: false,
        }
    }

    pub const fn with_thousands(mut self, separator: char) -> Self {
        self.thousands = Some(separator);
        self
    }

    pub const fn trimmed(mut self) -> Self {
        self.trim_zeros = true;
        self
    }
}

/// Full precision, trimmed: what `Display` uses.
const FULL_PRECISION: FormatOptions = FormatOptions::new(DECIMALS, Rounding::Down).trimmed();

macro_rules! amount_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            pub const ZERO: Self = Self(0);
            pub const MAX: Self = Self(u64::MAX);
            /// One whole unit (10^9 base units).
            pub const ONE: Self = Self(RAO_PER_TAO);

            /// The amount in base units.
            pub const fn get(self) -> u64 {
                self.0
            }

            /// `whole` whole units, if that fits.
            pub const fn from_whole(whole: u64) -> Option<Self> {
                match whole.checked_mul(RAO_PER_TAO) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            pub const fn checked_add(self, other: Self) -> Option<Self> {
                match self.0.checked_add(other.0) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            pub const fn checked_sub(self, other: Self) -> Option<Self> {
                match self.0.checked_sub(other.0) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            pub const fn saturating_add(self, other: Self) -> Self {
                Self(self.0.saturating_add(other.0))
            }

            pub const fn saturating_sub(self, other: Self) -> Self {
                Self(self.0.saturating_sub(other.0))
            }

            pub const fn checked_mul(self, factor: u64) -> Option<Self> {
                match self.0.checked_mul(factor) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// The sum, or `None` on overflow (use this where inputs are not chain-bounded).
            pub fn checked_sum<I: IntoIterator<Item = Self>>(items: I) -> Option<Self> {
                items.into_iter().try_fold(Self::ZERO, Self::checked_add)
            }

            /// The digits only, laid out as `options` says.
            pub fn format(self, options: &FormatOptions) -> String {
                format_scaled(u128::from(self.0), u32::from(DECIMALS), options)
            }

            /// A float for charts and gauges only; never turn it back into an amount.
            pub fn to_f64_lossy(self) -> f64 {
                // u64 -> f64 has no lossless `From`; display precision is all that is needed.
                self.0 as f64 / RAO_PER_TAO as f64
            }
        }

        /// Saturates at `u64::MAX` base units (18.4 billion whole units, far above any supply on
        /// chain); use `checked_sum` where the inputs are not chain-bounded.
        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, Self::saturating_add)
            }
        }

        impl<'a> Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.copied().sum()
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> u64 {
                value.0
            }
        }
    };
}

amount_type!(
    /// TAO in rao (1 TAO = 1_000_000_000 rao).
    Rao
);

amount_type!(
    /// A subnet's alpha in its own rao (1 alpha = 1_000_000_000 alpha-rao). Alpha of different
    /// subnets are different currencies; the netuid travels alongside, not inside, this type.
    AlphaRao
);

impl Rao {
    /// Parses a TAO amount typed by a user; see the module docs for the accepted forms.
    pub fn parse_tao(input: &str) -> Result<Self, AmountError> {
        parse_amount(input, Unit::Tao, &[]).map(Rao)
    }

    /// The digits only: `decimals` fractional digits (at most 9), rounded as asked.
    pub fn format_tao(self, decimals: u8, rounding: Rounding) -> String {
        self.format(&FormatOptions::new(decimals, rounding))
    }

    /// Digits and the τ symbol, e.g. `1,234.50 τ`.
    pub fn format_with_unit(self, options: &FormatOptions) -> String {
        format!("{} {TAO_SYMBOL}", self.format(options))
    }
}

impl AlphaRao {
    /// Parses an alpha amount typed by a user; the unit may be written `α` or `alpha`.
    pub fn parse_alpha(input: &str) -> Result<Self, AmountError> {
        parse_amount(input, Unit::Alpha, &[]).map(AlphaRao)
    }

    /// Like [`AlphaRao::parse_alpha`], also accepting the subnet's own symbol as the unit.
    pub fn parse_alpha_with_symbol(input: &str, symbol: &str) -> Result<Self, AmountError> {
        parse_amount(input, Unit::Alpha, &[symbol]).map(AlphaRao)
    }

    /// The digits only: `decimals` fractional digits (at most 9), rounded as asked.
    pub fn format_alpha(self, decimals: u8, rounding: Rounding) -> String {
        self.format(&FormatOptions::new(decimals, rounding))
    }

    /// Digits and the subnet's symbol, e.g. `12.5 β`.
    pub fn format_with_symbol(self, options: &FormatOptions, symbol: &str) -> String {
        format!("{} {symbol}", self.format(options))
    }
}

impl fmt::Display for Rao {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {TAO_SYMBOL}", self.format(&FULL_PRECISION))
    }
}

impl fmt::Display for AlphaRao {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {ALPHA_SYMBOL}", self.format(&FULL_PRECISION))
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

const TAO_UNITS: &[&str] = &["τ", "TAO"];
const ALPHA_UNITS: &[&str] = &["α", "alpha"];

/// Strips one unit marker (prefix or suffix, case-insensitive) and reports a marker of the other
/// currency as an error, because mixing them up moves the wrong money.
fn strip_unit<'a>(
    text: &'a str,
    unit: Unit,
    extra_symbols: &[&str],
) -> Result<&'a str, AmountError> {
    let (own, other, other_unit): (&[&str], &[&str], Unit) = match unit {
        Unit::Tao => (TAO_UNITS, ALPHA_UNITS, Unit::Alpha),
        Unit::Alpha => (ALPHA_UNITS, TAO_UNITS, Unit::Tao),
    };
    let own_all = own
        .iter()
        .chain(extra_symbols.iter())
        .filter(|s| !s.trim().is_empty());
    for symbol in own_all {
        let symbol = symbol.trim();
        if let Some(rest) = strip_prefix_ci(text, symbol).or_else(|| strip_suffix_ci(text, symbol))
        {
            return Ok(rest.trim());
        }
    }
    for symbol in other {
        if strip_prefix_ci(text, symbol)
            .or_else(|| strip_suffix_ci(text, symbol))
            .is_some()
        {
            return Err(AmountError::WrongUnit {
                expected: unit,
                found: other_unit,
            });
        }
    }
    Ok(text)
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

fn strip_suffix_ci<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let tail = text.get(split..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| text.get(..split))
        .flatten()
}

/// Parses `input` as an amount in base units with 9 decimals.
fn parse_amount(input: &str, unit: Unit, extra_symbols: &[&str]) -> Result<u64, AmountError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let number = strip_unit(text, unit, extra_symbols)?;
    let value = parse_decimal(number, u32::from(DECIMALS), input, unit)?;
    u64::try_from(value).map_err(|_| AmountError::Overflow { unit })
}

/// Exact decimal parser: `text` as an integer scaled by 10^`scale`. Rejects rather than rounds.
/// The result is capped just above `u64::MAX` so the caller reports overflow uniformly.
fn parse_decimal(text: &str, scale: u32, original: &str, unit: Unit) -> Result<u128, AmountError> {
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    if text.starts_with('-') || text.starts_with('−') {
        return Err(AmountError::Negative { unit });
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.trim_start_matches('+'), "nan" | "inf" | "infinity") {
        return Err(AmountError::NotANumber {
            input: echo(original),
        });
    }
    if text.contains(',') {
        return Err(AmountError::Comma);
    }
    let invalid = || AmountError::Invalid {
        input: echo(original),
    };
    let looks_scientific = text.contains(['e', 'E'])
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "eE.+-_".contains(c));
    if looks_scientific {
        return Err(AmountError::Exponent);
    }

    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let int_digits = digits_of(int_part).ok_or_else(invalid)?;
    let frac_digits = match frac_part {
        Some(f) => digits_of(f).ok_or_else(invalid)?,
        None => Vec::new(),
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(invalid());
    }

    // Past u64::MAX the caller reports overflow, so anything larger can stop accumulating.
    const CAP: u128 = u64::MAX as u128 + 1;
    let mut value: u128 = 0;
    for d in &int_digits {
        value = (value * 10 + u128::from(*d)).min(CAP);
    }
    let scale_len = scale as usize;
    for i in 0..scale_len {
        let d = frac_digits.get(i).copied().unwrap_or(0);
        value = (value.saturating_mul(10) + u128::from(d)).min(CAP * 10u128.pow(scale));
    }
    if frac_digits.iter().skip(scale_len).any(|d| *d != 0) {
        return Err(AmountError::TooManyDecimals { unit });
    }
    Ok(value.min(CAP))
}

/// The user's input for an error message, cut short so a pasted blob stays readable.
fn echo(original: &str) -> String {
    const MAX_CHARS: usize = 40;
    let trimmed = original.trim();
    if trimmed.chars().count() <= MAX_CHARS {
        return trimmed.to_owned();
    }
    let mut short: String = trimmed.chars().take(MAX_CHARS).collect();
    short.push('…');
    short
}

/// The digits of `part`, allowing `_` only between two digits. `None` for anything else.
fn digits_of(part: &str) -> Option<Vec<u8>> {
    let bytes = part.as_bytes();
    let mut digits = Vec::with_capacity(bytes.len());
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => digits.push(b - b'0'),
            b'_' => {
                let before = i.checked_sub(1).and_then(|j| bytes.get(j));
                let after = bytes.get(i + 1);
                if !(before.is_some_and(u8::is_ascii_digit)
                    && after.is_some_and(u8::is_ascii_digit))
                {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(digits)
}

// ---------------------------------------------------------------------------------------------
// Formatting

/// Formats `value` (an integer scaled by 10^`scale`) with the given options.
fn format_scaled(value: u128, scale: u32, options: &FormatOptions) -> String {
    let decimals = u32::from(options.decimals).min(scale);
    let divisor = 10u128.pow(scale - decimals);
    let shown = div_round(value, divisor, options.rounding);
    let unit = 10u128.pow(decimals);
    let int_part = shown / unit;
    let frac_part = shown % unit;

    let mut out = group_thousands(&int_part.to_string(), options.thousands);
    if decimals > 0 {
        let mut frac = format!("{frac_part:0width$}", width = decimals as usize);
        if options.trim_zeros {
            let kept = frac.trim_end_matches('0').len();
            frac.truncate(kept);
        }
        if !frac.is_empty() {
            out.push('.');
            out.push_str(&frac);
        }
    }
    out
}

fn group_thousands(digits: &str, separator: Option<char>) -> String {
    let Some(sep) = separator else {
        return digits.to_owned();
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    let first = digits.len() % 3;
    for (i, c) in digits.chars().enumerate() {
        if i != 0 && (i + 3 - first).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `value / divisor` rounded as asked; `divisor` is never zero here (a power of ten).
fn div_round(value: u128, divisor: u128, rounding: Rounding) -> u128 {
    let q = value / divisor;
    let r = value % divisor;
    let bump = match rounding {
        Rounding::Down => false,
        Rounding::Up => r > 0,
        Rounding::Nearest => r > 0 && r >= divisor - r,
    };
    // q + 1 cannot overflow: q <= u128::MAX / divisor with divisor >= 10 whenever r > 0.
    if bump { q + 1 } else { q }
}

// ---------------------------------------------------------------------------------------------
// 256-bit helpers: prices are ratios of u64 reserves, so products need more than 128 bits.

const LOW_64: u128 = u64::MAX as u128;

/// The full 256-bit product `a * b` as (high, low) halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let (a_hi, a_lo) = (a >> 64, a & LOW_64);
    let (b_hi, b_lo) = (b >> 64, b & LOW_64);
    let lo_lo = a_lo * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_lo = a_hi * b_lo;
    let hi_hi = a_hi * b_hi;
    // At most three 64-bit values: fits easily.
    let middle = (lo_lo >> 64) + (lo_hi & LOW_64) + (hi_lo & LOW_64);
    let low = (lo_lo & LOW_64) | (middle << 64);
    let high = hi_hi + (lo_hi >> 64) + (hi_lo >> 64) + (middle >> 64);
    (high, low)
}

/// (quotient, remainder) of the 256-bit `(high, low)` by `divisor`; `None` when the divisor is
/// zero or the quotient needs more than 128 bits.
fn div_wide(high: u128, low: u128, divisor: u128) -> Option<(u128, u128)> {
    if divisor == 0 || high >= divisor {
        return None;
    }
    let mut rem = high;
    let mut quot: u128 = 0;
    for bit in (0..128).rev() {
        // The remainder stays below the divisor, but doubling it can pass 2^128: keep the carry.
        let carry = rem >> 127;
        rem = (rem << 1) | ((low >> bit) & 1);
        quot <<= 1;
        if carry == 1 || rem >= divisor {
            rem = rem.wrapping_sub(divisor);
            quot |= 1;
        }
    }
    Some((quot, rem))
}

/// `a * b / divisor` rounded as asked, exact for all inputs; `None` on a zero divisor or a
/// result above `u128::MAX`.
fn mul_div(a: u128, b: u128, divisor: u128, rounding: Rounding) -> Option<u128> {
    let (high, low) = mul_wide(a, b);
    let (q, r) = div_wide(high, low, divisor)?;
    let bump = match rounding {
        Rounding::Down => false,
        Rounding::Up => r > 0,
        Rounding::Nearest => r > 0 && r >= divisor - r,
    };
    if bump { q.checked_add(1) } else { Some(q) }
}

fn to_u64(value: Option<u128>) -> Result<u64, AmountError> {
    value
        .and_then(|v| u64::try_from(v).ok())
        .ok_or(AmountError::ResultOverflow)
}

// ---------------------------------------------------------------------------------------------
// Prices

/// A subnet price in TAO per alpha (equivalently rao per alpha-rao), kept as the exact fraction
/// `numerator / denominator`. Comparison is by value, so `1/2 == 2/4`.
#[derive(Clone, Copy, Debug)]
pub struct Price {
    numerator: u128,
    denominator: u128,
}

impl Price {
    /// 1 TAO per alpha: root (netuid 0) and stable-mechanism subnets.
    pub const ONE: Self = Self {
        numerator: 1,
        denominator: 1,
    };

    /// `numerator / denominator` TAO per alpha.
    pub fn from_ratio(numerator: u128, denominator: u128) -> Result<Self, AmountError> {
        if denominator == 0 {
            return Err(AmountError::ZeroDenominator);
        }
        Ok(Self {
            numerator,
            denominator,
        })
    }

    /// The pool's spot price: TAO reserve over alpha reserve (both in base units).
    pub fn from_reserves(tao_in: Rao, alpha_in: AlphaRao) -> Result<Self, AmountError> {
        if alpha_in.is_zero() {
            return Err(AmountError::EmptyPool);
        }
        Self::from_ratio(u128::from(tao_in.0), u128::from(alpha_in.0))
    }

    /// A price given in rao per whole alpha, the unit of `SwapRuntimeApi.current_alpha_price`
    /// and of the `limit_price` extrinsic argument.
    pub fn from_rao_per_alpha(rao_per_alpha: u64) -> Self {
        Self {
            numerator: u128::from(rao_per_alpha),
            denominator: u128::from(RAO_PER_TAO),
        }
    }

    /// The raw bits of a substrate-fixed `U64F64` price (64 fractional bits).
    pub fn from_u64f64_bits(bits: u128) -> Self {
        Self {
            numerator: bits,
            denominator: 1u128 << 64,
        }
    }

    /// The raw bits of a substrate-fixed `U96F32` price (32 fractional bits).
    pub fn from_u96f32_bits(bits: u128) -> Self {
        Self {
            numerator: bits,
            denominator: 1u128 << 32,
        }
    }

    /// The price from the raw bits of the swap pallet's `AlphaSqrtPrice` (a `U64F64` square
    /// root of the price). The square is kept to 64 fractional bits, rounded down (an error
    /// below 6e-20 TAO per alpha).
    pub fn from_sqrt_u64f64_bits(bits: u128) -> Result<Self, AmountError> {
        let (high, low) = mul_wide(bits, bits);
        if high >> 64 != 0 {
            return Err(AmountError::ResultOverflow);
        }
        Ok(Self::from_u64f64_bits((high << 64) | (low >> 64)))
    }

    pub fn numerator(self) -> u128 {
        self.numerator
    }

    pub fn denominator(self) -> u128 {
        self.denominator
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    /// Rao per whole alpha (the price times 10^9), rounded as asked.
    pub fn rao_per_alpha(self, rounding: Rounding) -> Result<u64, AmountError> {
        to_u64(mul_div(
            self.numerator,
            u128::from(RAO_PER_TAO),
            self.denominator,
            rounding,
        ))
    }

    /// TAO per alpha as digits with `decimals` fractional digits (at most 18).
    pub fn format(self, decimals: u8, rounding: Rounding) -> String {
        let decimals = decimals.min(18);
        let scale = u32::from(decimals);
        match mul_div(
            self.numerator,
            10u128.pow(scale),
            self.denominator,
            rounding,
        ) {
            Some(scaled) => {
                format_scaled(scaled, scale, &FormatOptions::new(decimals, Rounding::Down))
            }
            None => "overflow".to_owned(),
        }
    }

    /// For charts and sorting in the UI only.
    pub fn to_f64_lossy(self) -> f64 {
        // u128 -> f64 has no lossless `From`; display precision is all that is needed.
        self.numerator as f64 / self.denominator as f64
    }
}

impl PartialEq for Price {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Price {}

impl PartialOrd for Price {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Price {
    fn cmp(&self, other: &Self) -> Ordering {
        mul_wide(self.numerator, other.denominator)
            .cmp(&mul_wide(other.numerator, self.denominator))
    }
}

impl fmt::Display for Price {
    /// Nine decimals, rounded to nearest, with the unit: `0.012345679 τ/α`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {TAO_SYMBOL}/{ALPHA_SYMBOL}",
            self.format(DECIMALS, Rounding::Nearest)
        )
    }
}

/// The TAO value of `alpha` at `price`, rounded down: a position's value is never overstated,
/// and an unstake preview never promises more TAO than the price gives.
pub fn alpha_to_tao(alpha: AlphaRao, price: Price) -> Result<Rao, AmountError> {
    to_u64(mul_div(
        u128::from(alpha.0),
        price.numerator,
        price.denominator,
        Rounding::Down,
    ))
    .map(Rao)
}

/// The alpha that `tao` buys at `price`, rounded down. Used for "unstake this much TAO worth":
/// rounding down never sells more alpha than the value asked for, and converting back with
/// [`alpha_to_tao`] never yields more TAO than went in.
pub fn tao_to_alpha(tao: Rao, price: Price) -> Result<AlphaRao, AmountError> {
    if price.is_zero() {
        return Err(AmountError::ZeroPrice);
    }
    to_u64(mul_div(
        u128::from(tao.0),
        price.denominator,
        price.numerator,
        Rounding::Down,
    ))
    .map(AlphaRao)
}

// ---------------------------------------------------------------------------------------------
// Tolerance and limit prices

/// Price tolerance for the `*_limit` extrinsics, in basis points (50 = 0.5 %), at most 100 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tolerance(u32);

impl Tolerance {
    /// 0.5 %, the app's default.
    pub const DEFAULT: Self = Self(50);
    pub const ZERO: Self = Self(0);

    pub fn from_bps(bps: u32) -> Result<Self, AmountError> {
        if bps > BPS_PER_UNIT {
            return Err(AmountError::ToleranceOutOfRange);
        }
        Ok(Self(bps))
    }

    /// Parses a percentage: `0.5` and `0.5%` both mean 0.5 %. At most 2 decimals (the
    /// resolution is one basis point) and at most 100.
    pub fn parse_percent(input: &str) -> Result<Self, AmountError> {
        let text = input.trim();
        let text = text.strip_suffix('%').map_or(text, str::trim_end);
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        // Any unit is meaningless here; the TAO wording of messages is not used below.
        let scaled = parse_decimal(text, 2, input, Unit::Tao).map_err(|e| match e {
            AmountError::Negative { .. } => AmountError::ToleranceOutOfRange,
            AmountError::TooManyDecimals { .. } => AmountError::ToleranceTooPrecise,
            other => other,
        })?;
        let bps = u32::try_from(scaled).map_err(|_| AmountError::ToleranceOutOfRange)?;
        Self::from_bps(bps)
    }

    pub const fn bps(self) -> u32 {
        self.0
    }
}

impl Default for Tolerance {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Tolerance {
    /// `0.5%`, `1%`, `0.25%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let options = FormatOptions::new(2, Rounding::Down).trimmed();
        write!(f, "{}%", format_scaled(u128::from(self.0), 2, &options))
    }
}

/// Which way a trade moves the pool price, and so which side the limit guards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TradeSide {
    /// TAO in, alpha out (`add_stake_limit`, the destination of a swap): the price rises, and
    /// the limit is the highest acceptable price.
    Buy,
    /// Alpha in, TAO out (`remove_stake_limit`, the origin of a swap): the price falls, and the
    /// limit is the lowest acceptable price.
    Sell,
}

/// The `limit_price` argument of `add_stake_limit` / `remove_stake_limit`, in rao per whole
/// alpha: the runtime divides it by 10^9 to get TAO per alpha (swap pallet `swap()`, and root
/// / stable subnets accept a buy limit >= 1_000_000_000 and a sell limit <= 1_000_000_000).
///
/// Buy: price x (1 + tolerance), rounded down. Sell: price x (1 - tolerance), rounded up.
/// Both roundings make the limit stricter by under one rao, never looser than the user asked.
pub fn limit_price(
    price: Price,
    tolerance: Tolerance,
    side: TradeSide,
) -> Result<u64, AmountError> {
    let bps = u128::from(BPS_PER_UNIT);
    let (factor, rounding) = match side {
        TradeSide::Buy => (bps + u128::from(tolerance.0), Rounding::Down),
        TradeSide::Sell => (
            bps - u128::from(tolerance.0.min(BPS_PER_UNIT)),
            Rounding::Up,
        ),
    };
    // floor(floor(x) / n) == floor(x / n) and likewise for ceil, so two steps stay exact.
    let scaled = mul_div(
        price.numerator,
        u128::from(RAO_PER_TAO) * factor,
        price.denominator,
        rounding,
    );
    to_u64(scaled.map(|v| div_round(v, bps, rounding)))
}

// ---------------------------------------------------------------------------------------------
// Pool simulation

/// `SubnetMechanism`: how a subnet converts TAO to alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// Id 0: 1:1, no pool, no fee (root, netuid 0, is always stable).
    Stable,
    /// Id 1: the swap pool (dynamic TAO).
    Dynamic,
}

impl Mechanism {
    pub fn from_id(id: u16) -> Result<Self, AmountError> {
        match id {
            0 => Ok(Self::Stable),
            1 => Ok(Self::Dynamic),
            other => Err(AmountError::UnknownMechanism(other)),
        }
    }
}

/// The swap pallet's fee rate in parts of 65535 (`Swap.FeeRate`; the runtime divides by
/// `u16::MAX`), taken from the input amount before it enters the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SwapFee(pub u16);

impl SwapFee {
    pub const ZERO: Self = Self(0);
    /// The pallet's default when `Swap.FeeRate` has no entry for the subnet (about 0.3 %).
    pub const DEFAULT: Self = Self(196);

    /// The fee on `amount`, rounded down as the runtime does.
    pub fn of(self, amount: u64) -> u64 {
        // amount * 65535 / 65535 <= amount, so the quotient always fits.
        let fee = u128::from(amount) * u128::from(self.0) / u128::from(u16::MAX);
        u64::try_from(fee).unwrap_or(amount)
    }
}

/// A subnet's pool for previews, where the runtime has no `sim_swap` runtime API (spec 293 has
/// only `SwapRuntimeApi.current_alpha_price`).
///
/// Model: in spec 293 the swap pallet is Uniswap-v3 style, but until user liquidity is enabled
/// on a subnet the only position is the protocol's, spanning the full tick range with liquidity
/// L = sqrt(tao_in * alpha_in). Within one full-range position, v3 is exactly the constant
/// product x * y = L^2, so with k = tao_in * alpha_in and net input d = amount - fee:
///
/// * stake (buy):    alpha_out = alpha_in - k / (tao_in + d) = alpha_in * d / (tao_in + d)
/// * unstake (sell): tao_out   = tao_in - k / (alpha_in + d) = tao_in * d / (alpha_in + d)
///
/// computed in u128 and rounded down, so k never decreases. The fee (`SwapFee`) does not enter
/// the reserves here (the pallet books it to liquidity providers). Where the runtime rounds in
/// 64.64 fixed point, results can differ from the chain by a few base units; where user
/// liquidity is enabled (`Swap.EnabledUserLiquidity`) this model is only an approximation and
/// `SwapRuntimeApi.sim_swap_*` should be used where the runtime has it. Root and stable subnets
/// convert 1:1 with no fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pool {
    pub mechanism: Mechanism,
    /// `SubnetTAO` (plus `SubnetTaoProvided` where the runtime has it).
    pub tao_in: Rao,
    /// `SubnetAlphaIn` (plus `SubnetAlphaInProvided` where the runtime has it).
    pub alpha_in: AlphaRao,
    pub fee: SwapFee,
}

/// The preview of staking TAO into a subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StakeSim {
    /// The TAO taken from the balance.
    pub tao_in: Rao,
    /// The part of `tao_in` paid as swap fee.
    pub fee: Rao,
    /// The alpha credited to the position.
    pub alpha_out: AlphaRao,
    /// What `tao_in - fee` would buy at the spot price with no slippage.
    pub alpha_at_spot: AlphaRao,
    /// Slippage of `alpha_out` against `alpha_at_spot` (fee excluded), rounded up.
    pub price_impact_bps: u32,
    /// The pool after the swap (its spot price is the price the limit is checked against).
    pub pool_after: Pool,
}

/// The preview of unstaking alpha from a subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnstakeSim {
    pub alpha_in: AlphaRao,
    /// The part of `alpha_in` paid as swap fee.
    pub fee: AlphaRao,
    /// The TAO credited to the balance.
    pub tao_out: Rao,
    /// What `alpha_in - fee` would fetch at the spot price with no slippage.
    pub tao_at_spot: Rao,
    /// Slippage of `tao_out` against `tao_at_spot` (fee excluded), rounded up.
    pub price_impact_bps: u32,
    pub pool_after: Pool,
}

impl Pool {
    /// Root (netuid 0) or any stable-mechanism subnet.
    pub const fn stable() -> Self {
        Self {
            mechanism: Mechanism::Stable,
            tao_in: Rao::ZERO,
            alpha_in: AlphaRao::ZERO,
            fee: SwapFee::ZERO,
        }
    }

    pub const fn dynamic(tao_in: Rao, alpha_in: AlphaRao, fee: SwapFee) -> Self {
        Self {
            mechanism: Mechanism::Dynamic,
            tao_in,
            alpha_in,
            fee,
        }
    }

    /// tao_in * alpha_in; a dynamic pool's swaps never decrease it.
    pub fn k(&self) -> u128 {
        u128::from(self.tao_in.0) * u128::from(self.alpha_in.0)
    }

    /// TAO per alpha now: 1 for stable subnets, reserves ratio for dynamic ones.
    pub fn spot_price(&self) -> Result<Price, AmountError> {
        match self.mechanism {
            Mechanism::Stable => Ok(Price::ONE),
            Mechanism::Dynamic => {
                self.ensure_liquid()?;
                Price::from_reserves(self.tao_in, self.alpha_in)
            }
        }
    }

    fn ensure_liquid(&self) -> Result<(), AmountError> {
        if self.tao_in.is_zero() || self.alpha_in.is_zero() {
            return Err(AmountError::EmptyPool);
        }
        Ok(())
    }

    /// Staking `tao`: what the position receives.
    pub fn sim_stake(&self, tao: Rao) -> Result<StakeSim, AmountError> {
        if self.mechanism == Mechanism::Stable {
            return Ok(StakeSim {
                tao_in: tao,
                fee: Rao::ZERO,
                alpha_out: AlphaRao(tao.0),
                alpha_at_spot: AlphaRao(tao.0),
                price_impact_bps: 0,
                pool_after: *self,
            });
        }
        self.ensure_liquid()?;
        let fee = self.fee.of(tao.0);
        let net = tao.0 - fee;
        let (out, at_spot, impact) = constant_product_out(self.tao_in.0, self.alpha_in.0, net)?;
        let pool_after = Pool {
            tao_in: Rao(self
                .tao_in
                .0
                .checked_add(net)
                .ok_or(AmountError::ResultOverflow)?),
            alpha_in: AlphaRao(self.alpha_in.0 - out),
            ..*self
        };
        Ok(StakeSim {
            tao_in: tao,
            fee: Rao(fee),
            alpha_out: AlphaRao(out),
            alpha_at_spot: AlphaRao(at_spot),
            price_impact_bps: impact,
            pool_after,
        })
    }

    /// Unstaking `alpha`: what the balance receives.
    pub fn sim_unstake(&self, alpha: AlphaRao) -> Result<UnstakeSim, AmountError> {
        if self.mechanism == Mechanism::Stable {
            return Ok(UnstakeSim {
                alpha_in: alpha,
                fee: AlphaRao::ZERO,
                tao_out: Rao(alpha.0),
                tao_at_spot: Rao(alpha.0),
                price_impact_bps: 0,
                pool_after: *self,
            });
        }
        self.ensure_liquid()?;
        let fee = self.fee.of(alpha.0);
        let net = alpha.0 - fee;
        let (out, at_spot, impact) = constant_product_out(self.alpha_in.0, self.tao_in.0, net)?;
        let pool_after = Pool {
            tao_in: Rao(self.tao_in.0 - out),
            alpha_in: AlphaRao(
                self.alpha_in
                    .0
                    .checked_add(net)
                    .ok_or(AmountError::ResultOverflow)?,
            ),
            ..*self
        };
        Ok(UnstakeSim {
            alpha_in: alpha,
            fee: AlphaRao(fee),
            tao_out: Rao(out),
            tao_at_spot: Rao(at_spot),
            price_impact_bps: impact,
            pool_after,
        })
    }
}

/// For reserves (x in, y out) and net input d: the output y * d / (x + d) and the reference
/// output at spot y * d / x (saturated to u64; it is only shown), both rounded down, and the
/// price impact between them, computed before saturation. The output is below y because
/// d / (x + d) < 1, so the pool is never drained.
fn constant_product_out(x: u64, y: u64, d: u64) -> Result<(u64, u64, u32), AmountError> {
    let (x, y, d) = (u128::from(x), u128::from(y), u128::from(d));
    let out = mul_div(y, d, x + d, Rounding::Down).ok_or(AmountError::ResultOverflow)?;
    let at_spot = mul_div(y, d, x, Rounding::Down).ok_or(AmountError::ResultOverflow)?;
    Ok((
        u64::try_from(out).map_err(|_| AmountError::ResultOverflow)?,
        u64::try_from(at_spot).unwrap_or(u64::MAX),
        impact_bps(out, at_spot),
    ))
}

/// (ideal - actual) / ideal in basis points, rounded up so impact is never understated.
fn impact_bps(actual: u128, ideal: u128) -> u32 {
    if ideal == 0 || actual >= ideal {
        return 0;
    }
    let bps = mul_div(
        ideal - actual,
        u128::from(BPS_PER_UNIT),
        ideal,
        Rounding::Up,
    );
    bps.and_then(|v| u32::try_from(v).ok())
        .unwrap_or(BPS_PER_UNIT)
}

// ---------------------------------------------------------------------------------------------
// Display-only rates

/// A fraction as a percentage for display: `format_percent(0.1834, 2)` is `18.34%`.
/// Non-finite values show as `n/a`.
pub fn format_percent(fraction: f64, decimals: u8) -> String {
    if !fraction.is_finite() {
        return "n/a".to_owned();
    }
    format!("{:.*}%", usize::from(decimals), fraction * 100.0)
}

/// An APY (a fraction, alpha-denominated) for display: `n/a` where the chain has no data yet,
/// and `>1000000%` for the absurd values compounding produces on tiny denominators.
pub fn format_apy(apy: Option<f64>, decimals: u8) -> String {
    match apy {
        Some(v) if v.is_finite() && v > 10_000.0 => ">1000000%".to_owned(),
        Some(v) => format_percent(v, decimals),
        None => "n/a".to_owned(),
    }
}

/// Basis points as a percentage: `format_bps(50)` is `0.5%`, `format_bps(1234)` is `12.34%`.
pub fn format_bps(bps: u32) -> String {
    let options = FormatOptions::new(2, Rounding::Down).trimmed();
    format!("{}%", format_scaled(u128::from(bps), 2, &options))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn tao(s: &str) -> Rao {
        Rao::parse_tao(s).unwrap()
    }

    #[test]
    fn parses_plain_forms() {
        assert_eq!(tao("10"), Rao(10_000_000_000));
        assert_eq!(tao("10.5"), Rao(10_500_000_000));
        assert_eq!(tao("0.000000001"), Rao(1));
        assert_eq!(tao("1_000.25"), Rao(1_000_250_000_000));
        assert_eq!(tao("0.000_000_001"), Rao(1));
        assert_eq!(tao("  7  "), Rao(7_000_000_000));
        assert_eq!(tao(".5"), Rao(500_000_000));
        assert_eq!(tao("5."), Rao(5_000_000_000));
        assert_eq!(tao("007"), Rao(7_000_000_000));
        assert_eq!(tao("0"), Rao::ZERO);
        assert_eq!(tao("1.5000000000000"), Rao(1_500_000_000));
        assert_eq!(tao("18446744073.709551615"), Rao::MAX);
    }

    #[test]
    fn parses_units() {
        for s in ["10 τ", "10τ", "τ10", "τ 10", "10 TAO", "10tao", " 10 Tao "] {
            assert_eq!(tao(s), Rao(10_000_000_000), "{s}");
        }
        assert_eq!(
            AlphaRao::parse_alpha("2.5 α").unwrap(),
            AlphaRao(2_500_000_000)
        );
        assert_eq!(
            AlphaRao::parse_alpha("2.5 Alpha").unwrap(),
            AlphaRao(2_500_000_000)
        );
        assert_eq!(
            AlphaRao::parse_alpha_with_symbol("3 β", "β").unwrap(),
            AlphaRao(3_000_000_000)
        );
        assert_eq!(
            AlphaRao::parse_alpha("3 τ"),
            Err(AmountError::WrongUnit {
                expected: Unit::Alpha,
                found: Unit::Tao
            })
        );
        assert_eq!(
            Rao::parse_tao("3 α"),
            Err(AmountError::WrongUnit {
                expected: Unit::Tao,
                found: Unit::Alpha
            })
        );
    }

    #[test]
    fn rejects_with_the_right_error() {
        let unit = Unit::Tao;
        let cases: &[(&str, AmountError)] = &[
            ("", AmountError::Empty),
            ("   ", AmountError::Empty),
            ("τ", AmountError::Empty),
            ("-1", AmountError::Negative { unit }),
            ("−1", AmountError::Negative { unit }),
            ("1.0000000001", AmountError::TooManyDecimals { unit }),
            ("18446744073.709551616", AmountError::Overflow { unit }),
            (
                "99999999999999999999999999999999999999999",
                AmountError::Overflow { unit },
            ),
            ("1e3", AmountError::Exponent),
            ("1.5E-3", AmountError::Exponent),
            (
                "NaN",
                AmountError::NotANumber {
                    input: "NaN".into(),
                },
            ),
            (
                "inf",
                AmountError::NotANumber {
                    input: "inf".into(),
                },
            ),
            ("1,000", AmountError::Comma),
            ("1,5", AmountError::Comma),
        ];
        for (input, expected) in cases {
            assert_eq!(Rao::parse_tao(input).as_ref(), Err(expected), "{input:?}");
        }
        for input in [
            "abc", ".", "1..2", "1.2.3", "_1", "1_", "1__0", "1_.5", "+1", "0x10", "1 2",
        ] {
            assert!(
                matches!(Rao::parse_tao(input), Err(AmountError::Invalid { .. })),
                "{input:?} gave {:?}",
                Rao::parse_tao(input)
            );
        }
        let long = "x".repeat(100);
        assert_eq!(
            Rao::parse_tao(&long),
            Err(AmountError::Invalid {
                input: format!("{}…", "x".repeat(40))
            })
        );
        assert_eq!(
            AmountError::TooManyDecimals { unit }.to_string(),
            "TAO has at most 9 decimals (1 rao = 0.000000001); remove the extra digits."
        );
    }

    #[test]
    fn formats_with_explicit_rounding() {
        let x = Rao(1_234_567_891_500); // 1234.5678915 TAO
        assert_eq!(x.format_tao(9, Rounding::Down), "1234.567891500");
        assert_eq!(x.format_tao(4, Rounding::Down), "1234.5678");
        assert_eq!(x.format_tao(4, Rounding::Up), "1234.5679");
        assert_eq!(x.format_tao(4, Rounding::Nearest), "1234.5679");
        assert_eq!(x.format_tao(0, Rounding::Down), "1234");
        assert_eq!(x.format_tao(0, Rounding::Up), "1235");
        assert_eq!(x.format_tao(200, Rounding::Down), "1234.567891500");
        // Exactly half rounds up.
        assert_eq!(Rao(1_500_000_000).format_tao(0, Rounding::Nearest), "2");
        assert_eq!(Rao(1_499_999_999).format_tao(0, Rounding::Nearest), "1");
        assert_eq!(Rao(1).format_tao(2, Rounding::Up), "0.01");
        assert_eq!(Rao(1).format_tao(2, Rounding::Down), "0.00");
        assert_eq!(Rao::MAX.format_tao(0, Rounding::Up), "18446744074");
        let grouped = FormatOptions::new(2, Rounding::Down).with_thousands(',');
        assert_eq!(Rao(1_234_567_000_000_000).format(&grouped), "1,234,567.00");
        assert_eq!(Rao(123_000_000_000).format(&grouped), "123.00");
        assert_eq!(Rao(0).format(&grouped), "0.00");
        assert_eq!(Rao(1_000_000_000_000).format(&grouped.trimmed()), "1,000");
        assert_eq!(
            Rao(1_000_000_000_000).format_with_unit(&grouped),
            "1,000.00 τ"
        );
        assert_eq!(
            AlphaRao(12_500_000_000)
                .format_with_symbol(&FormatOptions::new(1, Rounding::Down), "β"),
            "12.5 β"
        );
    }

    #[test]
    fn display_is_full_precision_and_parses_back() {
        assert_eq!(Rao(1_500_000_000).to_string(), "1.5 τ");
        assert_eq!(Rao(0).to_string(), "0 τ");
        assert_eq!(Rao(1).to_string(), "0.000000001 τ");
        assert_eq!(AlphaRao(12_000_000_001).to_string(), "12.000000001 α");
        for r in [Rao(0), Rao(1), Rao(1_500_000_000), Rao::MAX] {
            assert_eq!(Rao::parse_tao(&r.to_string()), Ok(r));
        }
        let a = AlphaRao(987_654_321_012);
        assert_eq!(AlphaRao::parse_alpha(&a.to_string()), Ok(a));
    }

    #[test]
    fn arithmetic_and_serde() {
        assert_eq!(Rao(1).checked_add(Rao(2)), Some(Rao(3)));
        assert_eq!(Rao::MAX.checked_add(Rao(1)), None);
        assert_eq!(Rao(1).checked_sub(Rao(2)), None);
        assert_eq!(Rao(1).saturating_sub(Rao(2)), Rao::ZERO);
        assert_eq!(Rao::MAX.saturating_add(Rao(1)), Rao::MAX);
        assert_eq!([Rao(1), Rao(2), Rao(3)].iter().sum::<Rao>(), Rao(6));
        assert_eq!(Rao::checked_sum([Rao::MAX, Rao(1)]), None);
        assert_eq!(Rao::from_whole(3), Some(Rao(3_000_000_000)));
        assert_eq!(Rao::from_whole(u64::MAX), None);
        assert_eq!(
            serde_json::to_string(&Rao(1_500_000_000)).unwrap(),
            "1500000000"
        );
        assert_eq!(
            serde_json::from_str::<AlphaRao>("42").unwrap(),
            AlphaRao(42)
        );
        assert!(serde_json::from_str::<Rao>("-1").is_err());
        assert!(serde_json::from_str::<Rao>("1.5").is_err());
    }

    #[test]
    fn wide_math_matches_small_cases_and_extremes() {
        assert_eq!(mul_div(6, 7, 4, Rounding::Down), Some(10));
        assert_eq!(mul_div(6, 7, 4, Rounding::Up), Some(11));
        assert_eq!(mul_div(6, 7, 4, Rounding::Nearest), Some(11)); // 10.5 -> 11
        assert_eq!(
            mul_div(u128::MAX, u128::MAX, u128::MAX, Rounding::Down),
            Some(u128::MAX)
        );
        assert_eq!(mul_div(u128::MAX, 2, 2, Rounding::Up), Some(u128::MAX));
        assert_eq!(mul_div(u128::MAX, 2, 1, Rounding::Down), None);
        assert_eq!(mul_div(1, 1, 0, Rounding::Down), None);
        // Divisor above 2^127 exercises the carry path.
        let d = (1u128 << 127) + 12345;
        assert_eq!(
            mul_div(d - 1, u128::MAX, u128::MAX, Rounding::Down),
            Some(d - 1)
        );
        assert_eq!(mul_div(d, 3, d, Rounding::Down), Some(3));
        assert_eq!(mul_wide(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
    }

    #[test]
    fn prices_and_conversions() {
        // 1000 TAO against 40_000 alpha: 0.025 TAO per alpha.
        let p =
            Price::from_reserves(Rao(1_000 * RAO_PER_TAO), AlphaRao(40_000 * RAO_PER_TAO)).unwrap();
        assert_eq!(p.rao_per_alpha(Rounding::Down), Ok(25_000_000));
        assert_eq!(p.format(4, Rounding::Down), "0.0250");
        assert_eq!(p.to_string(), "0.025000000 τ/α");
        assert_eq!(p, Price::from_rao_per_alpha(25_000_000));
        assert_eq!(
            alpha_to_tao(AlphaRao(100 * RAO_PER_TAO), p),
            Ok(Rao(2_500_000_000))
        );
        assert_eq!(
            tao_to_alpha(Rao(RAO_PER_TAO), p),
            Ok(AlphaRao(40 * RAO_PER_TAO))
        );
        // 1/3 TAO per alpha: 1 alpha-rao is worth 0.33 rao, rounds down to 0.
        let third = Price::from_ratio(1, 3).unwrap();
        assert_eq!(alpha_to_tao(AlphaRao(1), third), Ok(Rao(0)));
        assert_eq!(alpha_to_tao(AlphaRao(3), third), Ok(Rao(1)));
        assert_eq!(tao_to_alpha(Rao(1), third), Ok(AlphaRao(3)));
        assert_eq!(third.rao_per_alpha(Rounding::Down), Ok(333_333_333));
        assert_eq!(third.rao_per_alpha(Rounding::Up), Ok(333_333_334));
        assert!(third < p.max(Price::ONE) && third > p);
        assert_eq!(
            tao_to_alpha(Rao(1), Price::from_ratio(0, 1).unwrap()),
            Err(AmountError::ZeroPrice)
        );
        assert_eq!(
            Price::from_reserves(Rao(1), AlphaRao(0)),
            Err(AmountError::EmptyPool)
        );
        assert_eq!(Price::from_ratio(1, 0), Err(AmountError::ZeroDenominator));
        assert_eq!(
            alpha_to_tao(AlphaRao::MAX, Price::from_ratio(2, 1).unwrap()),
            Err(AmountError::ResultOverflow)
        );
        // Fixed-point raw bits: 0.5 in U64F64 and in U96F32; sqrt(0.25) = 0.5.
        assert_eq!(
            Price::from_u64f64_bits(1u128 << 63),
            Price::from_ratio(1, 2).unwrap()
        );
        assert_eq!(
            Price::from_u96f32_bits(1u128 << 31),
            Price::from_ratio(1, 2).unwrap()
        );
        assert_eq!(
            Price::from_sqrt_u64f64_bits(1u128 << 63).unwrap(),
            Price::from_ratio(1, 4).unwrap()
        );
        assert_eq!(
            Price::from_sqrt_u64f64_bits(3u128 << 64).unwrap(),
            Price::from_ratio(9, 1).unwrap()
        );
        assert_eq!(
            Price::from_sqrt_u64f64_bits(u128::MAX),
            Err(AmountError::ResultOverflow)
        );
    }

    #[test]
    fn tolerance_parsing() {
        assert_eq!(Tolerance::parse_percent("0.5").unwrap().bps(), 50);
        assert_eq!(Tolerance::parse_percent(" 0.5 % ").unwrap().bps(), 50);
        assert_eq!(Tolerance::parse_percent("1").unwrap().bps(), 100);
        assert_eq!(Tolerance::parse_percent("0.01").unwrap().bps(), 1);
        assert_eq!(Tolerance::parse_percent("100").unwrap().bps(), 10_000);
        assert_eq!(Tolerance::parse_percent("0").unwrap(), Tolerance::ZERO);
        assert_eq!(
            Tolerance::parse_percent("0.005"),
            Err(AmountError::ToleranceTooPrecise)
        );
        assert_eq!(
            Tolerance::parse_percent("100.01"),
            Err(AmountError::ToleranceOutOfRange)
        );
        assert_eq!(
            Tolerance::parse_percent("-1"),
            Err(AmountError::ToleranceOutOfRange)
        );
        assert_eq!(
            Tolerance::parse_percent("99999999999999999999999"),
            Err(AmountError::ToleranceOutOfRange)
        );
        assert_eq!(Tolerance::parse_percent(""), Err(AmountError::Empty));
        assert!(matches!(
            Tolerance::parse_percent("half"),
            Err(AmountError::Invalid { .. })
        ));
        assert_eq!(Tolerance::default().to_string(), "0.5%");
        assert_eq!(Tolerance::from_bps(125).unwrap().to_string(), "1.25%");
        assert_eq!(
            Tolerance::from_bps(10_001),
            Err(AmountError::ToleranceOutOfRange)
        );
    }

    #[test]
    fn limit_prices_in_rao_per_alpha() {
        let p = Price::from_rao_per_alpha(25_000_000); // 0.025 TAO per alpha
        let half = Tolerance::DEFAULT;
        assert_eq!(limit_price(p, half, TradeSide::Buy), Ok(25_125_000));
        assert_eq!(limit_price(p, half, TradeSide::Sell), Ok(24_875_000));
        // Root / stable: the runtime needs >= 1e9 to buy and <= 1e9 to sell.
        assert_eq!(
            limit_price(Price::ONE, half, TradeSide::Buy),
            Ok(1_005_000_000)
        );
        assert_eq!(
            limit_price(Price::ONE, half, TradeSide::Sell),
            Ok(995_000_000)
        );
        assert_eq!(
            limit_price(Price::ONE, Tolerance::ZERO, TradeSide::Buy),
            Ok(1_000_000_000)
        );
        // 1/3 TAO per alpha = 333_333_333.33 rao: buy limits round down, sell limits up.
        let third = Price::from_ratio(1, 3).unwrap();
        assert_eq!(
            limit_price(third, Tolerance::ZERO, TradeSide::Buy),
            Ok(333_333_333)
        );
        assert_eq!(
            limit_price(third, Tolerance::ZERO, TradeSide::Sell),
            Ok(333_333_334)
        );
        // x 1.01 = 336_666_666.67
        let one = Tolerance::from_bps(100).unwrap();
        assert_eq!(limit_price(third, one, TradeSide::Buy), Ok(336_666_666));
        // x 0.99 = 330_000_000 exactly
        assert_eq!(limit_price(third, one, TradeSide::Sell), Ok(330_000_000));
        let all = Tolerance::from_bps(10_000).unwrap();
        assert_eq!(limit_price(p, all, TradeSide::Sell), Ok(0));
        assert_eq!(
            limit_price(
                Price::from_ratio(u128::from(u64::MAX), 1).unwrap(),
                half,
                TradeSide::Buy
            ),
            Err(AmountError::ResultOverflow)
        );
    }

    #[test]
    fn stake_simulation_hand_computed() {
        // 100 TAO and 1000 alpha, no fee; staking 100 TAO doubles the TAO reserve, so the pool
        // gives up half its alpha: 500 alpha. At spot 100 TAO buys 1000 alpha: impact 50 %.
        let pool = Pool::dynamic(
            Rao(100 * RAO_PER_TAO),
            AlphaRao(1_000 * RAO_PER_TAO),
            SwapFee::ZERO,
        );
        let sim = pool.sim_stake(Rao(100 * RAO_PER_TAO)).unwrap();
        assert_eq!(sim.alpha_out, AlphaRao(500 * RAO_PER_TAO));
        assert_eq!(sim.alpha_at_spot, AlphaRao(1_000 * RAO_PER_TAO));
        assert_eq!(sim.price_impact_bps, 5_000);
        assert_eq!(sim.pool_after.tao_in, Rao(200 * RAO_PER_TAO));
        assert_eq!(sim.pool_after.alpha_in, AlphaRao(500 * RAO_PER_TAO));
        // Price went from 0.1 to 0.4 TAO per alpha.
        assert_eq!(
            sim.pool_after
                .spot_price()
                .unwrap()
                .rao_per_alpha(Rounding::Down),
            Ok(400_000_000)
        );

        // 1 TAO into the same pool: 1000 * 1 / 101 = 9.900990099 alpha (rounded down),
        // ideal 10 alpha, impact 0.990099 % -> 100 bps rounded up.
        let sim = pool.sim_stake(Rao(RAO_PER_TAO)).unwrap();
        assert_eq!(sim.alpha_out, AlphaRao(9_900_990_099));
        assert_eq!(sim.price_impact_bps, 100);

        // With the default fee 196/65535: fee on 1 TAO = 2_990_768 rao (rounded down).
        let fee_pool = Pool {
            fee: SwapFee::DEFAULT,
            ..pool
        };
        let sim = fee_pool.sim_stake(Rao(RAO_PER_TAO)).unwrap();
        assert_eq!(sim.fee, Rao(2_990_768));
        let net: u128 = 1_000_000_000 - 2_990_768;
        let expected =
            1_000 * u128::from(RAO_PER_TAO) * net / (100 * u128::from(RAO_PER_TAO) + net);
        assert_eq!(u128::from(sim.alpha_out.0), expected);
        assert_eq!(sim.pool_after.tao_in, Rao(100 * RAO_PER_TAO + 997_009_232));
    }

    #[test]
    fn unstake_simulation_hand_computed() {
        // 100 TAO and 1000 alpha; selling 1000 alpha doubles the alpha reserve: 50 TAO out.
        let pool = Pool::dynamic(
            Rao(100 * RAO_PER_TAO),
            AlphaRao(1_000 * RAO_PER_TAO),
            SwapFee::ZERO,
        );
        let sim = pool.sim_unstake(AlphaRao(1_000 * RAO_PER_TAO)).unwrap();
        assert_eq!(sim.tao_out, Rao(50 * RAO_PER_TAO));
        assert_eq!(sim.tao_at_spot, Rao(100 * RAO_PER_TAO));
        assert_eq!(sim.price_impact_bps, 5_000);
        assert_eq!(sim.pool_after.alpha_in, AlphaRao(2_000 * RAO_PER_TAO));
        assert_eq!(sim.pool_after.tao_in, Rao(50 * RAO_PER_TAO));
    }

    #[test]
    fn stable_and_empty_pools() {
        let root = Pool::stable();
        let sim = root.sim_stake(Rao(123)).unwrap();
        assert_eq!(
            (sim.alpha_out, sim.fee, sim.price_impact_bps),
            (AlphaRao(123), Rao(0), 0)
        );
        assert_eq!(root.sim_unstake(AlphaRao(7)).unwrap().tao_out, Rao(7));
        assert_eq!(root.spot_price(), Ok(Price::ONE));
        let empty = Pool::dynamic(Rao(0), AlphaRao(5), SwapFee::DEFAULT);
        assert_eq!(empty.sim_stake(Rao(1)), Err(AmountError::EmptyPool));
        assert_eq!(empty.spot_price(), Err(AmountError::EmptyPool));
        assert_eq!(Mechanism::from_id(0), Ok(Mechanism::Stable));
        assert_eq!(Mechanism::from_id(1), Ok(Mechanism::Dynamic));
        assert_eq!(Mechanism::from_id(2), Err(AmountError::UnknownMechanism(2)));
        assert_eq!(SwapFee(u16::MAX).of(u64::MAX), u64::MAX);
    }

    #[test]
    fn display_rates() {
        assert_eq!(format_percent(0.1834, 2), "18.34%");
        assert_eq!(format_percent(f64::NAN, 2), "n/a");
        assert_eq!(format_apy(None, 1), "n/a");
        assert_eq!(format_apy(Some(0.5), 1), "50.0%");
        assert_eq!(format_apy(Some(1e9), 1), ">1000000%");
        assert_eq!(format_bps(50), "0.5%");
        assert_eq!(format_bps(1_234), "12.34%");
        assert_eq!(format_bps(0), "0%");
    }
}
