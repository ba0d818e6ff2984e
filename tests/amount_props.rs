//! Property tests for `taotui::amount`: parsing, formatting, prices and the pool model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use taotui::amount::{
    AlphaRao, FormatOptions, Pool, Price, RAO_PER_TAO, Rao, Rounding, SwapFee, Tolerance,
    TradeSide, alpha_to_tao, limit_price, tao_to_alpha,
};

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::Down),
        Just(Rounding::Nearest),
        Just(Rounding::Up)
    ]
}

/// A formatted amount read back as an exact number of rao, in u128 so `Up` past `u64::MAX`
/// is still comparable. Independent of the crate's parser.
fn rao_of(text: &str) -> u128 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let int: u128 = int.replace(['_', ','], "").parse().unwrap();
    let mut frac = frac.to_owned();
    assert!(frac.len() <= 9, "{text}");
    while frac.len() < 9 {
        frac.push('0');
    }
    int * u128::from(RAO_PER_TAO) + frac.parse::<u128>().unwrap()
}

/// Pools with enough liquidity to be realistic and some with almost none.
fn pool() -> impl Strategy<Value = Pool> {
    (
        1u64..,
        1u64..,
        prop_oneof![Just(0u16), Just(196u16), any::<u16>()],
    )
        .prop_map(|(t, a, f)| Pool::dynamic(Rao(t), AlphaRao(a), SwapFee(f)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn full_precision_format_parses_back(x in any::<u64>()) {
        let digits = Rao(x).format_tao(9, Rounding::Down);
        prop_assert_eq!(Rao::parse_tao(&digits), Ok(Rao(x)));
        prop_assert_eq!(Rao::parse_tao(&Rao(x).to_string()), Ok(Rao(x)));
        prop_assert_eq!(AlphaRao::parse_alpha(&AlphaRao(x).to_string()), Ok(AlphaRao(x)));
        let grouped = FormatOptions::new(9, Rounding::Down).with_thousands('_').trimmed();
        prop_assert_eq!(Rao::parse_tao(&Rao(x).format(&grouped)), Ok(Rao(x)));
    }

    #[test]
    fn rounding_brackets_the_exact_value(x in any::<u64>(), decimals in 0u8..=9) {
        let step = 10u128.pow(9 - u32::from(decimals));
        let exact = u128::from(x);
        let down = rao_of(&Rao(x).format_tao(decimals, Rounding::Down));
        let up = rao_of(&Rao(x).format_tao(decimals, Rounding::Up));
        let near = rao_of(&Rao(x).format_tao(decimals, Rounding::Nearest));
        prop_assert!(down <= exact && exact - down < step);
        prop_assert!(up >= exact && up - exact < step);
        prop_assert!(near == down || near == up);
        // Nearest is at least as close as the other candidate (halves go up).
        prop_assert!(near.abs_diff(exact) <= down.abs_diff(exact).min(up.abs_diff(exact)));
    }

    #[test]
    fn thousands_grouping_keeps_the_digits(x in any::<u64>(), decimals in 0u8..=9, r in rounding()) {
        let plain = Rao(x).format(&FormatOptions::new(decimals, r));
        let grouped = Rao(x).format(&FormatOptions::new(decimals, r).with_thousands(','));
        prop_assert_eq!(grouped.replace(',', ""), plain);
        let int = grouped.split('.').next().unwrap();
        for (i, group) in int.split(',').enumerate() {
            let ok = if i == 0 { (1..=3).contains(&group.len()) } else { group.len() == 3 };
            prop_assert!(ok, "bad group {:?} in {}", group, grouped);
        }
    }

    #[test]
    fn parses_generated_decimals_exactly(int in 0u64..18_446_744_073, frac in 0u64..1_000_000_000,
                                         width in 1usize..=9, pad in 0usize..3) {
        // `frac` written with `width` digits (the leading ones may be truncated away), then
        // `pad` trailing zeros, which must not matter.
        let frac = frac % 10u64.pow(width as u32);
        let text = format!("{int}.{frac:0width$}{}", "0".repeat(pad));
        let expected = u128::from(int) * u128::from(RAO_PER_TAO)
            + u128::from(frac) * 10u128.pow(9 - width as u32);
        prop_assert_eq!(Rao::parse_tao(&text).map(|r| u128::from(r.0)), Ok(expected));
    }

    #[test]
    fn parser_never_panics(s in any::<String>()) {
        let _ = Rao::parse_tao(&s);
        let _ = AlphaRao::parse_alpha(&s);
        let _ = AlphaRao::parse_alpha_with_symbol(&s, "β");
        let _ = Tolerance::parse_percent(&s);
    }

    #[test]
    fn parser_never_panics_on_number_like_text(s in "[0-9._eE+τα% ,-]{0,40}") {
        if let Ok(r) = Rao::parse_tao(&s) {
            // Whatever it accepts is a plain decimal whose value formats back.
            prop_assert_eq!(Rao::parse_tao(&r.to_string()), Ok(r));
        }
        let _ = AlphaRao::parse_alpha(&s);
        let _ = Tolerance::parse_percent(&s);
    }

    #[test]
    fn round_trip_through_alpha_never_gains_tao(tao in any::<u64>(), t in 1u64.., a in 1u64..) {
        let price = Price::from_reserves(Rao(t), AlphaRao(a)).unwrap();
        if let Ok(alpha) = tao_to_alpha(Rao(tao), price) {
            let back = alpha_to_tao(alpha, price).unwrap();
            prop_assert!(back <= Rao(tao));
        }
    }

    #[test]
    fn round_trip_through_tao_never_gains_alpha(alpha in any::<u64>(), t in 1u64.., a in 1u64..) {
        let price = Price::from_reserves(Rao(t), AlphaRao(a)).unwrap();
        if let Ok(tao) = alpha_to_tao(AlphaRao(alpha), price)
            && let Ok(back) = tao_to_alpha(tao, price)
        {
            prop_assert!(back <= AlphaRao(alpha));
        }
    }

    #[test]
    fn limit_prices_are_never_looser_than_asked(t in 1u64.., a in 1u64.., bps in 0u32..=10_000) {
        let price = Price::from_reserves(Rao(t), AlphaRao(a)).unwrap();
        let tol = Tolerance::from_bps(bps).unwrap();
        let (num, den) = (price.numerator(), price.denominator());
        // Exact limits in rao per alpha as fractions, compared against the integer answers.
        let buy_exact = Price::from_ratio(num * u128::from(RAO_PER_TAO) * u128::from(10_000 + bps), den * 10_000).unwrap();
        let sell_exact = Price::from_ratio(num * u128::from(RAO_PER_TAO) * u128::from(10_000 - bps), den * 10_000).unwrap();
        let as_price = |v: u64| Price::from_ratio(u128::from(v), 1).unwrap();
        if let Ok(buy) = limit_price(price, tol, TradeSide::Buy) {
            prop_assert!(as_price(buy) <= buy_exact);
            prop_assert!(Price::from_ratio(u128::from(buy) + 1, 1).unwrap() > buy_exact);
        }
        if let Ok(sell) = limit_price(price, tol, TradeSide::Sell) {
            prop_assert!(as_price(sell) >= sell_exact);
            prop_assert!(sell == 0 || Price::from_ratio(u128::from(sell) - 1, 1).unwrap() < sell_exact);
        }
    }

    #[test]
    fn stake_sim_never_drains_and_keeps_k(pool in pool(), tao in any::<u64>()) {
        if let Ok(sim) = pool.sim_stake(Rao(tao)) {
            prop_assert!(sim.alpha_out < pool.alpha_in);
            prop_assert!(sim.alpha_out <= sim.alpha_at_spot);
            prop_assert!(sim.pool_after.k() >= pool.k());
            prop_assert_eq!(sim.fee.0 + (sim.pool_after.tao_in.0 - pool.tao_in.0), tao);
            prop_assert!(sim.price_impact_bps <= 10_000);
            // The price only rises on a buy.
            prop_assert!(sim.pool_after.spot_price().unwrap() >= pool.spot_price().unwrap());
        }
    }

    #[test]
    fn unstake_sim_never_drains_and_keeps_k(pool in pool(), alpha in any::<u64>()) {
        if let Ok(sim) = pool.sim_unstake(AlphaRao(alpha)) {
            prop_assert!(sim.tao_out < pool.tao_in);
            prop_assert!(sim.tao_out <= sim.tao_at_spot);
            prop_assert!(sim.pool_after.k() >= pool.k());
            prop_assert!(sim.pool_after.spot_price().unwrap() <= pool.spot_price().unwrap());
        }
    }

    #[test]
    fn stake_sim_is_monotonic(pool in pool(), x in any::<u64>(), y in any::<u64>()) {
        let (small, large) = (x.min(y), x.max(y));
        if let (Ok(s), Ok(l)) = (pool.sim_stake(Rao(small)), pool.sim_stake(Rao(large))) {
            prop_assert!(s.alpha_out <= l.alpha_out);
            prop_assert!(s.price_impact_bps <= l.price_impact_bps + 1);
        }
        if let (Ok(s), Ok(l)) = (pool.sim_unstake(AlphaRao(small)), pool.sim_unstake(AlphaRao(large))) {
            prop_assert!(s.tao_out <= l.tao_out);
        }
    }

    #[test]
    fn stake_sim_matches_the_constant_product_formula(t in 1u64.., a in 1u64.., tao in any::<u64>()) {
        // alpha_out = alpha_in - ceil(k / (tao_in + tao)), the textbook form, with no fee.
        let pool = Pool::dynamic(Rao(t), AlphaRao(a), SwapFee::ZERO);
        if let Ok(sim) = pool.sim_stake(Rao(tao)) {
            let k = u128::from(t) * u128::from(a);
            let x = u128::from(t) + u128::from(tao);
            let expected = u128::from(a) - k.div_ceil(x);
            prop_assert_eq!(u128::from(sim.alpha_out.0), expected);
        }
    }
}
