//! Staking yield and emission schedule arithmetic.
//!
//! APY comes from the chain's own last-epoch figures, not a model: in the epoch that last ran
//! on subnet `n`, hotkey `h` earned `AlphaDividendsPerSubnet[n][h]` alpha on a stake of
//! `TotalHotkeyAlphaLastEpoch[h][n]` alpha. Its per-epoch rate is
//!
//! ```text
//! r   = AlphaDividendsPerSubnet[n][h] / TotalHotkeyAlphaLastEpoch[h][n]
//! APY = (1 + r) ^ (365 * 7200 / (tempo + 1)) - 1
//! ```
//!
//! with 7200 blocks a day (12 s blocks) and an epoch every `tempo + 1` blocks. It is
//! alpha-denominated: it says how fast the alpha position grows, not its TAO value (which also
//! moves with the subnet's price). Nominators receive it after the validator's take; the chain's
//! dividend figure is the validator's total, so this is the rate of the hotkey's whole stake.
//! `None` where the chain has no data yet (no epoch with stake has run).
//!
//! Emission halves each time the total issuance reaches the next of 10.5M, 15.75M, 18.375M...
//! TAO (21M x (1 - 2^-k)); [`next_halving`] estimates when from the current block emission.

use crate::amount::{AlphaRao, RAO_PER_TAO, Rao};

/// Blocks per day at Subtensor's 12-second block time.
pub const BLOCKS_PER_DAY: u64 = 7_200;
/// Milliseconds per block, for date estimates.
pub const BLOCK_MS: u64 = 12_000;
/// The supply cap: 21M TAO in rao.
pub const MAX_SUPPLY: Rao = Rao(21_000_000 * RAO_PER_TAO);

/// Epochs per year for a subnet with this tempo.
pub fn epochs_per_year(tempo: u16) -> f64 {
    (365 * BLOCKS_PER_DAY) as f64 / (f64::from(tempo) + 1.0)
}

/// The per-epoch rate from last epoch's dividends and stake; `None` without stake.
pub fn epoch_rate(dividends: AlphaRao, stake_last_epoch: AlphaRao) -> Option<f64> {
    if stake_last_epoch.is_zero() {
        return None;
    }
    Some(dividends.get() as f64 / stake_last_epoch.get() as f64)
}

/// APY as a fraction (0.18 = 18 %) from the per-epoch rate, compounded every epoch.
pub fn apy_from_rate(rate: f64, tempo: u16) -> f64 {
    // exp(n * ln(1 + r)) keeps precision for the tiny rates of short tempos.
    (epochs_per_year(tempo) * rate.ln_1p()).exp_m1()
}

/// APY for a hotkey on a subnet; `None` where no epoch with stake has run yet.
pub fn apy(dividends: AlphaRao, stake_last_epoch: AlphaRao, tempo: u16) -> Option<f64> {
    epoch_rate(dividends, stake_last_epoch).map(|r| apy_from_rate(r, tempo))
}

/// The alpha `position` earns in a day at per-epoch `rate` (display estimate, rounded down);
/// `None` where compounding overflows: a young dev chain's rates can make the estimate exceed
/// every alpha there is, and a saturated `u64::MAX` would be shown as if it were a figure.
pub fn daily_earnings(position: AlphaRao, rate: f64, tempo: u16) -> Option<AlphaRao> {
    let epochs_per_day = BLOCKS_PER_DAY as f64 / (f64::from(tempo) + 1.0);
    let growth = (epochs_per_day * rate.ln_1p()).exp_m1();
    let earned = position.get() as f64 * growth;
    if !earned.is_finite() || earned >= u64::MAX as f64 {
        return None;
    }
    // A negative rate (never read from a chain) earns nothing.
    Some(AlphaRao(earned.max(0.0).floor() as u64))
}

/// When the next emission halving is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Halving {
    /// The issuance at which emission halves next.
    pub threshold: Rao,
    /// TAO still to be issued until then.
    pub remaining: Rao,
    /// Blocks until then at the current block emission (rounded up).
    pub blocks: u64,
    /// The estimated block number.
    pub block: u64,
    /// The estimated time, milliseconds since the Unix epoch (12 s blocks).
    pub timestamp_ms: u64,
}

/// The first threshold 21M x (1 - 2^-k), k >= 1, strictly above `issuance`; `None` once the
/// thresholds collapse onto the cap (k > 30, below one rao apart in practice).
pub fn next_halving_threshold(issuance: Rao) -> Option<Rao> {
    (1..=30u32).map(halving_threshold).find(|t| *t > issuance)
}

/// 21M x (1 - 2^-k) TAO in rao.
pub fn halving_threshold(k: u32) -> Rao {
    let cap = MAX_SUPPLY.get();
    Rao(cap - (cap >> k.min(63)))
}

/// The next halving from the current issuance, block emission, block number and time.
pub fn next_halving(
    issuance: Rao,
    block_emission: Rao,
    block: u64,
    now_ms: u64,
) -> Option<Halving> {
    let threshold = next_halving_threshold(issuance)?;
    if block_emission.is_zero() {
        return None;
    }
    let remaining = threshold.saturating_sub(issuance);
    let blocks = remaining.get().div_ceil(block_emission.get());
    Some(Halving {
        threshold,
        remaining,
        blocks,
        block: block.saturating_add(blocks),
        timestamp_ms: now_ms.saturating_add(blocks.saturating_mul(BLOCK_MS)),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn apy_compounds_per_epoch() {
        // tempo 360: 7200 / 361 epochs a day, 7279.77 a year.
        let n = 365.0 * 7200.0 / 361.0;
        let r = 0.0001;
        let expected = (1.0f64 + r).powf(n) - 1.0;
        let got = apy(AlphaRao(1_000), AlphaRao(10_000_000), 360).unwrap();
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
        assert!((got - 1.0702).abs() < 1e-3, "about 107 %: {got}");
    }

    #[test]
    fn no_stake_means_no_apy() {
        assert_eq!(apy(AlphaRao(5), AlphaRao::ZERO, 10), None);
        assert_eq!(apy(AlphaRao::ZERO, AlphaRao(5), 10), Some(0.0));
    }

    #[test]
    fn daily_earnings_match_the_rate() {
        // tempo 9: 720 epochs a day at 0.01 % each.
        let d = daily_earnings(AlphaRao(1_000_000_000_000), 0.0001, 9).unwrap();
        let expected = 1e12 * ((1.0001f64).powi(720) - 1.0);
        assert!(
            (d.get() as f64 - expected).abs() <= 1.0,
            "{d:?} vs {expected}"
        );
    }

    #[test]
    fn daily_earnings_that_overflow_are_unknown_not_u64_max() {
        // Tempo 10 on the local chain with a rate of 50 % an epoch: 654 epochs a day.
        assert_eq!(daily_earnings(AlphaRao(1_000_000_000), 0.5, 10), None);
        assert_eq!(daily_earnings(AlphaRao(1), f64::INFINITY, 10), None);
        assert_eq!(daily_earnings(AlphaRao(1), f64::NAN, 10), None);
        assert_eq!(
            daily_earnings(AlphaRao::ZERO, 0.5, 10),
            Some(AlphaRao::ZERO)
        );
        assert_eq!(
            daily_earnings(AlphaRao(1_000), 0.0, 10),
            Some(AlphaRao::ZERO)
        );
    }

    proptest! {
        #[test]
        fn daily_earnings_never_saturate(alpha in 0u64..u64::MAX, rate in 0.0f64..10.0, tempo in 0u16..1000) {
            if let Some(d) = daily_earnings(AlphaRao(alpha), rate, tempo) {
                prop_assert!(d.get() < u64::MAX);
            }
        }
    }

    #[test]
    fn halving_thresholds() {
        assert_eq!(halving_threshold(1), Rao(10_500_000 * RAO_PER_TAO));
        assert_eq!(halving_threshold(2), Rao(15_750_000 * RAO_PER_TAO));
        assert_eq!(halving_threshold(3), Rao(18_375_000 * RAO_PER_TAO));
        assert_eq!(next_halving_threshold(Rao(0)), Some(halving_threshold(1)));
        assert_eq!(
            next_halving_threshold(halving_threshold(1)),
            Some(halving_threshold(2)),
            "reaching a threshold exactly means the next one is ahead"
        );
    }

    #[test]
    fn halving_estimate() {
        // 3M TAO issued, 1 TAO a block: 7.5M blocks to go, 12 s each.
        let h = next_halving(Rao(3_000_000 * RAO_PER_TAO), Rao(RAO_PER_TAO), 100, 1_000).unwrap();
        assert_eq!(h.threshold, Rao(10_500_000 * RAO_PER_TAO));
        assert_eq!(h.blocks, 7_500_000);
        assert_eq!(h.block, 7_500_100);
        assert_eq!(h.timestamp_ms, 1_000 + 7_500_000 * 12_000);
        // A remainder rounds up to a whole block.
        let h = next_halving(Rao(10_500_000 * RAO_PER_TAO - 1), Rao(2), 0, 0).unwrap();
        assert_eq!(h.blocks, 1);
        assert_eq!(next_halving(Rao(0), Rao::ZERO, 0, 0), None);
    }

    proptest! {
        #[test]
        fn next_threshold_is_above_and_minimal(issuance in 0u64..MAX_SUPPLY.get()) {
            let issuance = Rao(issuance);
            if let Some(t) = next_halving_threshold(issuance) {
                prop_assert!(t > issuance);
                prop_assert!(t <= MAX_SUPPLY);
                let k = (1..=30).find(|k| halving_threshold(*k) == t).unwrap();
                if k > 1 { prop_assert!(halving_threshold(k - 1) <= issuance); }
            }
        }

        #[test]
        fn apy_is_monotonic_in_dividends(d1 in 0u64..1_000_000, d2 in 0u64..1_000_000, tempo in 1u16..1000) {
            let (lo, hi) = (d1.min(d2), d1.max(d2));
            let a = apy(AlphaRao(lo), AlphaRao(1_000_000_000), tempo).unwrap();
            let b = apy(AlphaRao(hi), AlphaRao(1_000_000_000), tempo).unwrap();
            prop_assert!(a <= b);
            prop_assert!(a >= 0.0);
        }
    }
}
