//! Several calls as one all-or-nothing extrinsic (`Utility.batch_all`): one signature, one fee, and if any leg
//! fails the runtime reverts every leg, so a rebalance never stops halfway.

use subxt::dynamic::Value;
use subxt::ext::scale_value::Composite;
use subxt::transactions::DynamicPayload;

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
