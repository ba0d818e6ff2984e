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
    let found = suspects(legs, error);
    let name = |i: usize| {
        legs.get(i - 1)
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
