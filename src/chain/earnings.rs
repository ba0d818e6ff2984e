//! What each stake earned over a range, from the chain's own state at both ends.
//!
//! For each position (hotkey, netuid): `earned alpha = alpha at B − alpha at A − own alpha added + own alpha
//! removed`, the own deltas being the account's `StakeAdded` / `StakeRemoved` events in blocks A+1..=B (found by
//! [`account_history::scan`], which also finds stake transferred to the account by someone else). Its TAO value
//! is taken at B's price. The rest of the position's value change, `value at B − value at A − TAO put in + TAO
//! taken out − rewards' value`, is the price effect: the alpha price's move, plus the pool fees and slippage of
//! the account's own trades in the range. Everything is integer rao; TAO values round toward zero.
//!
//! Ranges: the last 24 h / 7 d / 30 d (blocks by 12 s, refined by `Timestamp.Now`), or since a block or a date.
//! What the scan cannot see is listed in [`account_history`]'s docs; such alpha shows as earned.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::amount::{AlphaRao, Price, Rao, alpha_to_tao};
use crate::chain::account_history::{self, AccountEvent};
use crate::chain::client::BlockRef;
use crate::chain::past::{PastError, PastReader, PastState};
use crate::chain::past_cache::PastCache;

/// Target block time.
pub const BLOCK_MS: u64 = 12_000;
/// Blocks sampled over a range before narrowing on changes.
pub const DEFAULT_SAMPLES: usize = 30;
/// Timestamp refinements when turning a time into a block.
const TIME_STEPS: usize = 24;

/// Where a range starts (it ends at the head).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// The last this many milliseconds.
    Last(u64),
    Block(u64),
    /// Unix time in milliseconds.
    Time(u64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a range start: use 24h, 7d, 30d (any number of h or d), a block number, or a date as \
     YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)."
)]
pub struct SinceError(pub String);

impl std::str::FromStr for Since {
    type Err = SinceError;
    fn from_str(s: &str) -> Result<Since, SinceError> {
        let t = s.trim();
        let bad = || SinceError(s.to_owned());
        if let Some(h) = t.strip_suffix('h') {
            let n: u64 = h.parse().map_err(|_| bad())?;
            return n.checked_mul(3_600_000).map(Since::Last).ok_or_else(bad);
        }
        if let Some(d) = t.strip_suffix('d') {
            let n: u64 = d.parse().map_err(|_| bad())?;
            return n.checked_mul(86_400_000).map(Since::Last).ok_or_else(bad);
        }
        if let Ok(n) = t.parse::<u64>() {
            return Ok(Since::Block(n));
        }
        parse_utc(t).map(Since::Time).ok_or_else(bad)
    }
}

impl Since {
    pub fn label(&self) -> String {
        match self {
            Since::Last(ms) if ms % 86_400_000 == 0 && *ms > 86_400_000 => {
                format!("{} d", ms / 86_400_000)
            }
            Since::Last(ms) => format!("{} h", ms / 3_600_000),
            Since::Block(b) => format!("since block #{b}"),
            Since::Time(ms) => format!("since {}", format_utc(*ms)),
        }
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (UTC) as Unix milliseconds.
pub fn parse_utc(s: &str) -> Option<u64> {
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.trim_end_matches('Z'))),
        None => (s, None),
    };
    let mut d = date.split('-');
    let (y, m, day): (i64, u32, u32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let secs_of_day = match time {
        None => 0,
        Some(t) => {
            let mut p = t.split(':');
            let (h, mi, se): (u64, u64, u64) = (
                p.next()?.parse().ok()?,
                p.next()?.parse().ok()?,
                p.next().unwrap_or("0").parse().ok()?,
            );
            if h > 23 || mi > 59 || se > 60 {
                return None;
            }
            h * 3600 + mi * 60 + se
        }
    };
    let days = u64::try_from(days_from_civil(y, m, day)).ok()?;
    Some((days * 86_400 + secs_of_day) * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// One end of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct End {
    pub block: u64,
    #[serde(serialize_with = "hex_hash")]
    pub hash: [u8; 32],
    pub timestamp_ms: u64,
}

fn hex_hash<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0x{}", hex::encode(h)))
}

/// What one position earned. Signed amounts are i128 rao (alpha rao for alpha).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionEarnings {
    /// 0x-hex.
    pub hotkey: String,
    pub netuid: u16,
    pub alpha_start: u64,
    pub alpha_end: u64,
    /// Alpha the account added (+) or removed (−) itself.
    pub own_alpha: i128,
    pub earned_alpha: i128,
    /// Rao per whole alpha at each end (rounded to nearest), for display; the arithmetic uses exact prices.
    pub price_start_rao: Option<u64>,
    pub price_end_rao: Option<u64>,
    pub value_start: u64,
    pub value_end: u64,
    /// TAO the account put in (+) or took out (−).
    pub net_tao_in: i128,
    /// `earned_alpha` at the end price.
    pub reward_tao: i128,
    /// The rest of the value change: price move, plus fees and slippage of own trades.
    pub price_effect_tao: i128,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub value_start: u64,
    pub value_end: u64,
    pub net_tao_in: i128,
    pub reward_tao: i128,
    pub price_effect_tao: i128,
}

#[derive(Debug, Clone, Serialize)]
pub struct EarningsReport {
    /// 0x-hex coldkey.
    pub coldkey: String,
    pub range: String,
    pub start: End,
    pub end: End,
    pub positions: Vec<PositionEarnings>,
    pub total: Totals,
    pub events: Vec<AccountEvent>,
    /// Requests this computation sent (0 when everything came from the cache, apart from the head).
    pub requests: u64,
    pub blocks_read: usize,
    pub notes: Vec<String>,
}

/// How to compute.
#[derive(Debug, Clone)]
pub struct Options {
    pub samples: usize,
    pub cache: Option<PastCache>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            samples: DEFAULT_SAMPLES,
            cache: PastCache::default_location(),
        }
    }
}

/// The earnings of `coldkey` from `since` to the head.
pub async fn compute(
    reader: &PastReader,
    coldkey: [u8; 32],
    since: Since,
    opts: &Options,
) -> Result<EarningsReport, PastError> {
    let first = reader.request_count();
    let head = reader.head().await?;
    let start = start_block(reader, opts.cache.as_ref(), coldkey, since, head).await?;
    compute_between(reader, coldkey, start, head, &since.label(), opts)
        .await
        .map(|mut r| {
            r.requests = reader.request_count() - first;
            r
        })
}

/// The earnings of `coldkey` between two known blocks.
pub async fn compute_between(
    reader: &PastReader,
    coldkey: [u8; 32],
    start: BlockRef,
    end: BlockRef,
    label: &str,
    opts: &Options,
) -> Result<EarningsReport, PastError> {
    let first = reader.request_count();
    let cache = opts.cache.as_ref();
    let (a, mut b, scan) = ends_and_scan(reader, cache, coldkey, start, end, opts.samples).await?;
    let missing: BTreeSet<u16> = scan
        .events
        .iter()
        .filter_map(|e| e.netuid)
        .filter(|n| !b.prices.contains_key(n))
        .collect();
    if !missing.is_empty() {
        b = state(reader, cache, coldkey, end, &missing).await?;
    }
    let positions = per_position(&a, &b, &scan.events);
    let total = totals(&positions);
    let mut notes = Vec::new();
    if positions.iter().any(|p| p.earned_alpha < 0) {
        notes.push(
            "A position shows negative earnings: an action this scan could not see (see the docs), or share \
             rounding of a few alpha rao."
                .to_owned(),
        );
    }
    Ok(EarningsReport {
        coldkey: format!("0x{}", hex::encode(coldkey)),
        range: label.to_owned(),
        start: End {
            block: start.number,
            hash: start.hash,
            timestamp_ms: a.timestamp_ms,
        },
        end: End {
            block: end.number,
            hash: end.hash,
            timestamp_ms: b.timestamp_ms,
        },
        positions,
        total,
        events: scan.events,
        requests: reader.request_count() - first,
        blocks_read: scan.blocks_marked,
        notes,
    })
}

/// The account's state at both ends of a range and what happened between, watching every position held at
/// either end.
pub async fn ends_and_scan(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    start: BlockRef,
    end: BlockRef,
    samples: usize,
) -> Result<(PastState, PastState, account_history::Scan), PastError> {
    let a = state(reader, cache, coldkey, start, &BTreeSet::new()).await?;
    let b = state(reader, cache, coldkey, end, &BTreeSet::new()).await?;
    let watch: Vec<([u8; 32], u16)> = a
        .positions
        .keys()
        .chain(b.positions.keys())
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let scan = account_history::scan(reader, cache, coldkey, start, end, &watch, samples).await?;
    Ok((a, b, scan))
}

/// The state at `block` with the prices of `extra` subnets too; from the cache when the entry has them.
async fn state(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    block: BlockRef,
    extra: &BTreeSet<u16>,
) -> Result<PastState, PastError> {
    let cached = cache
        .and_then(|c| c.state(coldkey, block))
        .filter(|s| extra.iter().all(|n| s.prices.contains_key(n)));
    if let Some(s) = cached {
        return Ok(s);
    }
    let s = reader.state_at(coldkey, block, extra).await?;
    if let Some(c) = cache {
        c.put_state(coldkey, &s);
    }
    Ok(s)
}

/// The block a range starts at: the block itself, or the last block whose time is at or before the start time
/// (first guess by 12 s blocks back from the head, then corrected by the timestamps read, keeping a bracket so a
/// chain with gaps or a genesis without a time still ends). Never below block 1 (genesis has no time).
pub async fn start_block(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    since: Since,
    head: BlockRef,
) -> Result<BlockRef, PastError> {
    let floor = head.number.min(1);
    let head_ts = match since {
        Since::Block(n) => {
            return Ok(reader.blocks(&[n.clamp(floor, head.number)]).await?[0]);
        }
        _ => time_of(reader, cache, coldkey, head).await?,
    };
    let target = match since {
        Since::Time(ms) => ms,
        _ => head_ts.saturating_sub(match since {
            Since::Last(ms) => ms,
            _ => 0,
        }),
    };
    if target >= head_ts {
        return Ok(head);
    }
    // Invariant: time(lo) <= target < time(hi), where lo = floor may also be later than the target.
    let lo_block = reader.blocks(&[floor]).await?[0];
    let lo_ts = time_of(reader, cache, coldkey, lo_block).await?;
    if lo_ts > target {
        return Ok(lo_block);
    }
    let (mut lo, mut hi) = ((lo_block, lo_ts), (head, head_ts));
    // The first guess counts 12 s blocks back from the head (the far end is often genesis, whose time says
    // little); later ones interpolate between the bracket's times, which follows a chain whose blocks are not
    // 12 s apart (a dev chain) in a step or two.
    let mut from_head = true;
    let mut last_span = u64::MAX;
    for _ in 0..TIME_STEPS {
        if hi.0.number <= lo.0.number + 1 {
            break;
        }
        let span = hi.0.number - lo.0.number;
        // Interpolation that stopped halving the bracket (uneven block times) gives way to bisection.
        let bisect = !from_head && span > last_span / 2;
        last_span = span;
        let guess = if bisect {
            lo.0.number + span / 2
        } else if from_head {
            hi.0.number
                .saturating_sub((hi.1 - target).div_ceil(BLOCK_MS))
        } else {
            let (dt, into) = (
                u128::from(hi.1.saturating_sub(lo.1).max(1)),
                u128::from(target - lo.1),
            );
            lo.0.number + u64::try_from(into * u128::from(span) / dt).unwrap_or(span)
        };
        from_head = false;
        let guess = guess.clamp(lo.0.number + 1, hi.0.number - 1);
        let block = reader.blocks(&[guess]).await?[0];
        let ts = time_of(reader, cache, coldkey, block).await?;
        if ts <= target {
            lo = (block, ts);
        } else {
            hi = (block, ts);
        }
    }
    Ok(lo.0)
}

async fn time_of(
    reader: &PastReader,
    cache: Option<&PastCache>,
    coldkey: [u8; 32],
    block: BlockRef,
) -> Result<u64, PastError> {
    if let Some(m) = cache.and_then(|c| c.mark(coldkey, block.number))
        && m.block.hash == block.hash
    {
        return Ok(m.timestamp_ms);
    }
    let m = reader.marks_at(coldkey, &[], &[block]).await?;
    Ok(m.first().map_or(0, |m| m.timestamp_ms))
}

/// `alpha` at `price` in rao, rounded toward zero; 0 where there is no price.
fn value(alpha: i128, price: Option<Price>) -> i128 {
    let Some(price) = price else { return 0 };
    let magnitude = u64::try_from(alpha.unsigned_abs()).unwrap_or(u64::MAX);
    let tao = alpha_to_tao(AlphaRao(magnitude), price).map_or(0, Rao::get);
    if alpha < 0 {
        -i128::from(tao)
    } else {
        i128::from(tao)
    }
}

/// The per-position arithmetic (pure): see the module docs.
pub fn per_position(
    a: &PastState,
    b: &PastState,
    events: &[AccountEvent],
) -> Vec<PositionEarnings> {
    let deltas = account_history::own_deltas(events);
    let flows = account_history::own_tao_flows(events);
    let hexed = |h: &[u8; 32]| format!("0x{}", hex::encode(h));
    let mut keys: BTreeSet<(String, u16)> = a
        .positions
        .keys()
        .chain(b.positions.keys())
        .map(|(h, n)| (hexed(h), *n))
        .collect();
    keys.extend(account_history::positions_in(events));
    let alpha_of = |s: &PastState, h: &str, n: u16| {
        s.positions
            .iter()
            .find(|((k, m), _)| *m == n && hexed(k) == h)
            .map_or(0, |(_, a)| a.get())
    };
    let mut out = Vec::new();
    for (h, n) in keys {
        if !deltas.contains_key(&(h.clone(), n))
            && alpha_of(a, &h, n) == 0
            && alpha_of(b, &h, n) == 0
        {
            continue;
        }
        let (alpha_start, alpha_end) = (alpha_of(a, &h, n), alpha_of(b, &h, n));
        let own_alpha = deltas.get(&(h.clone(), n)).copied().unwrap_or(0);
        let net_tao_in = flows.get(&(h.clone(), n)).copied().unwrap_or(0);
        let earned_alpha = i128::from(alpha_end) - i128::from(alpha_start) - own_alpha;
        let (pa, pb) = (a.prices.get(&n).copied(), b.prices.get(&n).copied());
        let value_start = value(i128::from(alpha_start), pa);
        let value_end = value(i128::from(alpha_end), pb);
        let reward_tao = value(earned_alpha, pb);
        let price_effect_tao = value_end - value_start - net_tao_in - reward_tao;
        let rao = |p: Option<Price>| {
            p.and_then(|p| p.rao_per_alpha(crate::amount::Rounding::Nearest).ok())
        };
        out.push(PositionEarnings {
            hotkey: h,
            netuid: n,
            alpha_start,
            alpha_end,
            own_alpha,
            earned_alpha,
            price_start_rao: rao(pa),
            price_end_rao: rao(pb),
            value_start: u64::try_from(value_start).unwrap_or(0),
            value_end: u64::try_from(value_end).unwrap_or(0),
            net_tao_in,
            reward_tao,
            price_effect_tao,
        });
    }
    out
}

pub fn totals(positions: &[PositionEarnings]) -> Totals {
    let mut t = Totals::default();
    for p in positions {
        t.value_start = t.value_start.saturating_add(p.value_start);
        t.value_end = t.value_end.saturating_add(p.value_end);
        t.net_tao_in += p.net_tao_in;
        t.reward_tao += p.reward_tao;
        t.price_effect_tao += p.price_effect_tao;
    }
    t
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::chain::account_history::EventKind;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const TAO: u64 = 1_000_000_000;

    fn st(alpha: u64, price_rao: u64) -> PastState {
        let mut positions = BTreeMap::new();
        positions.insert(([1; 32], 2), AlphaRao(alpha));
        let mut prices = BTreeMap::new();
        prices.insert(2, Price::from_rao_per_alpha(price_rao));
        PastState {
            block: BlockRef {
                number: 1,
                hash: [0; 32],
            },
            timestamp_ms: 0,
            positions,
            prices,
            free: Rao(0),
            reserved: Rao(0),
            nonce: 0,
        }
    }

    fn ev(kind: EventKind, alpha: u64, tao: u64) -> AccountEvent {
        AccountEvent {
            block: 2,
            block_hash: String::new(),
            timestamp_ms: 0,
            extrinsic_index: Some(1),
            extrinsic_hash: None,
            kind,
            netuid: Some(2),
            hotkey: Some(format!("0x{}", hex::encode([1u8; 32]))),
            alpha: Some(alpha),
            tao: Some(tao),
            fee: None,
            counterparty: None,
        }
    }

    #[test]
    fn rewards_and_price_move_are_apart() {
        // 100 α at 0.5 τ → 110 α at 0.6 τ, having added 5 α for 2.5 τ: 5 α earned, worth 3 τ at the end price.
        let a = st(100 * TAO, TAO / 2);
        let b = st(110 * TAO, 6 * TAO / 10);
        let p = &per_position(&a, &b, &[ev(EventKind::StakeAdded, 5 * TAO, 5 * TAO / 2)])[0];
        assert_eq!(p.earned_alpha, i128::from(5 * TAO));
        assert_eq!(p.reward_tao, i128::from(3 * TAO));
        // 66 − 50 − 2.5 − 3 = 10.5 τ from the price (100 α × +0.1 τ, plus the added 5 α's +0.1 τ).
        assert_eq!(p.price_effect_tao, i128::from(10 * TAO + TAO / 2));
    }

    #[test]
    fn since_parses_ranges_blocks_and_dates() {
        assert_eq!("24h".parse(), Ok(Since::Last(86_400_000)));
        assert_eq!("7d".parse(), Ok(Since::Last(7 * 86_400_000)));
        assert_eq!("123".parse(), Ok(Since::Block(123)));
        assert_eq!("1970-01-02".parse(), Ok(Since::Time(86_400_000)));
        assert_eq!(
            "2026-11-29T12:00:00Z".parse::<Since>().map(|s| match s {
                Since::Time(ms) => format_utc(ms),
                _ => String::new(),
            }),
            Ok("2026-11-29T12:00:00Z".to_owned())
        );
        assert!("7x".parse::<Since>().is_err());
        assert!("2026-13-01".parse::<Since>().is_err());
    }

    proptest! {
        /// Whatever the amounts, the parts add up to the value change exactly (no rao lost to rounding), and the
        /// earned alpha is what the state and the own deltas say.
        #[test]
        fn the_parts_add_up_to_the_value_change(
            a0 in 0u64..1_000_000 * TAO, b0 in 0u64..1_000_000 * TAO,
            pa in 1u64..10 * TAO, pb in 1u64..10 * TAO,
            added in 0u64..1_000 * TAO, removed in 0u64..1_000 * TAO,
        ) {
            let events = [ev(EventKind::StakeAdded, added, added / 2), ev(EventKind::StakeRemoved, removed, removed / 3)];
            let p = &per_position(&st(a0, pa), &st(b0, pb), &events)[0];
            prop_assert_eq!(p.earned_alpha, i128::from(b0) - i128::from(a0) - i128::from(added) + i128::from(removed));
            prop_assert_eq!(
                i128::from(p.value_end) - i128::from(p.value_start),
                p.net_tao_in + p.reward_tao + p.price_effect_tao
            );
            // With an unchanged price, the price effect is only rounding (at most one rao per valued amount).
            let same = &per_position(&st(a0, pa), &st(b0, pa), &events)[0];
            prop_assert!((same.price_effect_tao + same.net_tao_in - value(i128::from(added) - i128::from(removed), Some(Price::from_rao_per_alpha(pa)))).abs() <= 3);
        }
    }
}
