//! Several calls as one all-or-nothing extrinsic (`Utility.batch_all`): one signature, one fee, and if any leg
//! fails the runtime reverts every leg, so a rebalance never stops halfway.

use subxt::dynamic::Value;
use subxt::ext::scale_value::Composite;
use subxt::transactions::DynamicPayload;

use crate::chain::tx;

/// `Utility.batch_all(calls)`.
pub fn batch_all(calls: Vec<DynamicPayload<Composite<()>>>) -> DynamicPayload<Composite<()>> {
    subxt::dynamic::tx(
        "Utility",
        "batch_all",
        Composite::named([(
            "calls".to_owned(),
            Value::unnamed_composite(calls.into_iter().map(DynamicPayload::into_value)),
        )]),
    )
}

/// Legs per `Utility.batch_all` taotui sends: newer runtimes cap `unstake_all`-style work at 16 positions per
/// call, and a longer batch is split only when the user agrees (the parts are then not atomic together).
pub const MAX_LEGS: usize = 16;

/// The legs (numbered from 1) that can have failed a `batch_all` with `error`. `batch_all` reverts everything
/// and reports only the error, not the leg (spec 293 has no dry-run API to replay legs unsigned), so this is
/// read from the preview: a leg the preview already doubted comes first; otherwise every leg whose kind can
/// fail that way.
pub fn suspects(legs: &[crate::chain::extrinsics::Preview], error: &tx::ChainError) -> Vec<usize> {
    let doubted: Vec<usize> = legs
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.refusals.is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    if !doubted.is_empty() {
        return doubted;
    }
    let v = error.variant.as_str();
    let spends_tao = |l: &crate::chain::extrinsics::Preview| !l.tao_spent.is_zero();
    let sells_alpha = |l: &crate::chain::extrinsics::Preview| !l.alpha_sold.is_zero();
    let limited = |l: &crate::chain::extrinsics::Preview| l.limit_price.is_some();
    let fits: Box<dyn Fn(&crate::chain::extrinsics::Preview) -> bool> = match v {
        "NotEnoughBalanceToStake" | "BalanceWithdrawalError" | "InsufficientBalance" => {
            Box::new(spends_tao)
        }
        "NotEnoughStakeToWithdraw" | "StakeUnavailable" | "InsufficientLiquidity" => {
            Box::new(sells_alpha)
        }
        "SlippageTooHigh" | "ZeroMaxStakeAmount" | "PriceLimitExceeded" => Box::new(limited),
        _ => Box::new(|_| true),
    };
    legs.iter()
        .enumerate()
        .filter(|(_, l)| fits(l))
        .map(|(i, _)| i + 1)
        .collect()
}

/// The sentence naming the leg(s) a failed batch points at.
pub fn failed_leg_sentence(
    legs: &[crate::chain::extrinsics::Preview],
    error: &tx::ChainError,
) -> String {
    failed_leg_sentence_from(legs, error, 1)
}

/// [`failed_leg_sentence`] for legs numbered from `first` (one batch of several, numbered as the preview did).
pub fn failed_leg_sentence_from(
    legs: &[crate::chain::extrinsics::Preview],
    error: &tx::ChainError,
    first: usize,
) -> String {
    let found: Vec<usize> = suspects(legs, error)
        .into_iter()
        .map(|i| i + first - 1)
        .collect();
    let name = |i: usize| {
        legs.get(i - first)
            .map_or_else(String::new, |l| format!(" ({})", l.call.path()))
    };
    match found.as_slice() {
        [one] => format!(
            "Leg {one}{} failed ({}), so the whole batch was reverted: no leg took effect, only the fee was paid.",
            name(*one),
            error.name()
        ),
        [] => format!(
            "A leg failed ({}), so the whole batch was reverted: no leg took effect, only the fee was paid.",
            error.name()
        ),
        many => format!(
            "One of legs {} failed ({}), so the whole batch was reverted: no leg took effect, only the fee was \
             paid. The runtime does not say which; send the suspect legs alone to find it.",
            many.iter()
                .map(|i| format!("{i}{}", name(*i)))
                .collect::<Vec<_>>()
                .join(", "),
            error.name()
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::amount::{AlphaRao, Rao};
    use crate::chain::extrinsics::{PlannedCall, Preview, QuoteSource, Refusal};

    fn leg(name: &'static str, spent: u64, sold: u64, limit: Option<u64>) -> Preview {
        Preview {
            kind: "leg",
            call: PlannedCall {
                pallet: "SubtensorModule",
                name,
                args: Vec::new(),
                proxy: None,
                legs: Vec::new(),
            },
            fee: Rao::ZERO,
            tao_spent: Rao(spent),
            tao_received: Rao::ZERO,
            alpha_sold: AlphaRao(sold),
            alpha_received: AlphaRao::ZERO,
            price: None,
            price_after: None,
            price_impact_bps: 0,
            price_move_bps: 0,
            swap_fee: 0,
            limit_price: limit,
            tolerance_bps: None,
            allow_partial: false,
            quote: QuoteSource::None,
            refusals: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn error(variant: &str) -> tx::ChainError {
        tx::ChainError {
            pallet: "SubtensorModule".into(),
            variant: variant.into(),
            sentence: "x".into(),
        }
    }

    #[test]
    fn the_failed_leg_is_the_one_the_preview_doubted_else_the_ones_that_fail_that_way() {
        let mut legs = vec![
            leg("remove_stake", 0, 5, None),
            leg("add_stake_limit", 3, 0, Some(9)),
            leg("remove_stake", 0, 1, None),
        ];
        assert_eq!(suspects(&legs, &error("NotEnoughBalanceToStake")), vec![2]);
        assert_eq!(
            suspects(&legs, &error("NotEnoughStakeToWithdraw")),
            vec![1, 3]
        );
        assert_eq!(suspects(&legs, &error("SlippageTooHigh")), vec![2]);
        assert_eq!(suspects(&legs, &error("SomethingElse")), vec![1, 2, 3]);
        let s = failed_leg_sentence(&legs, &error("NotEnoughBalanceToStake"));
        assert!(
            s.starts_with("Leg 2 (SubtensorModule.add_stake_limit) failed"),
            "{s}"
        );
        let s = failed_leg_sentence(&legs, &error("NotEnoughStakeToWithdraw"));
        assert!(
            s.starts_with("One of legs 1 (SubtensorModule.remove_stake), 3 ("),
            "{s}"
        );
        // The second batch of a rebalance: its legs keep the preview's numbers (17, 18, 19).
        let s = failed_leg_sentence_from(&legs, &error("NotEnoughBalanceToStake"), 17);
        assert!(
            s.starts_with("Leg 18 (SubtensorModule.add_stake_limit) failed"),
            "{s}"
        );
        legs[2].refusals.push(Refusal {
            code: "insufficient_stake",
            sentence: "no stake left".into(),
        });
        assert_eq!(suspects(&legs, &error("NotEnoughStakeToWithdraw")), vec![3]);
    }
}
