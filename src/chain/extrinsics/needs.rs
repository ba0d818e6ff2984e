//! What each call the app signs needs from the runtime (the call, with its arguments by name, order and shape),
//! and what its preview reads. `prepare` requires the action's feature before previewing and `send` again before
//! signing, so a reshaped call is refused with a sentence instead of being signed wrongly.

use super::plan::Action;
use crate::chain::features::{Feature, Need};
use crate::chain::runtime_check::{Item, Shape, subtensor_storage as sm};

const SM: &str = "SubtensorModule";
const U: Shape = Shape::Uint;
const A: Shape = Shape::Account;
const B: Shape = Shape::Bool;

const fn call(name: &'static str, args: &'static [(&'static str, Shape)]) -> Item {
    Item::Call {
        pallet: SM,
        name,
        args,
    }
}

const SIM_SWAP_RESULT: Shape = Shape::Struct(&[("tao_amount", U), ("alpha_amount", U)]);

pub const ADD_STAKE: Item = call(
    "add_stake",
    &[("hotkey", A), ("netuid", U), ("amount_staked", U)],
);
pub const ADD_STAKE_LIMIT: Item = call(
    "add_stake_limit",
    &[
        ("hotkey", A),
        ("netuid", U),
        ("amount_staked", U),
        ("limit_price", U),
        ("allow_partial", B),
    ],
);
pub const REMOVE_STAKE: Item = call(
    "remove_stake",
    &[("hotkey", A), ("netuid", U), ("amount_unstaked", U)],
);
pub const REMOVE_STAKE_LIMIT: Item = call(
    "remove_stake_limit",
    &[
        ("hotkey", A),
        ("netuid", U),
        ("amount_unstaked", U),
        ("limit_price", U),
        ("allow_partial", B),
    ],
);
pub const REMOVE_STAKE_FULL_LIMIT: Item = call(
    "remove_stake_full_limit",
    &[
        ("hotkey", A),
        ("netuid", U),
        ("limit_price", Shape::Option(&U)),
    ],
);
pub const MOVE_STAKE: Item = call(
    "move_stake",
    &[
        ("origin_hotkey", A),
        ("destination_hotkey", A),
        ("origin_netuid", U),
        ("destination_netuid", U),
        ("alpha_amount", U),
    ],
);
pub const MOVE_STAKE_LIMIT: Item = call(
    "move_stake_limit",
    &[
        ("origin_hotkey", A),
        ("destination_hotkey", A),
        ("origin_netuid", U),
        ("destination_netuid", U),
        ("alpha_amount", U),
        ("limit_price", U),
        ("allow_partial", B),
    ],
);
pub const SWAP_STAKE: Item = call(
    "swap_stake",
    &[
        ("hotkey", A),
        ("origin_netuid", U),
        ("destination_netuid", U),
        ("alpha_amount", U),
    ],
);
pub const SWAP_STAKE_LIMIT: Item = call(
    "swap_stake_limit",
    &[
        ("hotkey", A),
        ("origin_netuid", U),
        ("destination_netuid", U),
        ("alpha_amount", U),
        ("limit_price", U),
        ("allow_partial", B),
    ],
);
pub const TRANSFER_STAKE: Item = call(
    "transfer_stake",
    &[
        ("destination_coldkey", A),
        ("hotkey", A),
        ("origin_netuid", U),
        ("destination_netuid", U),
        ("alpha_amount", U),
    ],
);
pub const UNSTAKE_ALL: Item = call("unstake_all", &[("hotkey", A)]);
pub const UNSTAKE_ALL_ALPHA: Item = call("unstake_all_alpha", &[("hotkey", A)]);
pub const TRANSFER_KEEP_ALIVE: Item = Item::Call {
    pallet: "Balances",
    name: "transfer_keep_alive",
    args: &[("dest", Shape::Address), ("value", U)],
};
pub const TRANSFER_ALL: Item = Item::Call {
    pallet: "Balances",
    name: "transfer_all",
    args: &[("dest", Shape::Address), ("keep_alive", B)],
};
pub const QUERY_INFO: Item = Item::Api {
    api: "TransactionPaymentApi",
    method: "query_info",
    inputs: &[Shape::Any, U],
    output: Shape::Struct(&[("partial_fee", U)]),
};
pub const STAKE_FEE: Item = Item::Api {
    api: "StakeInfoRuntimeApi",
    method: "get_stake_fee",
    inputs: &[
        Shape::Option(&Shape::Tuple(&[A, U])),
        A,
        Shape::Option(&Shape::Tuple(&[A, U])),
        A,
        U,
    ],
    output: U,
};
pub const SIM_SWAP_TAO_FOR_ALPHA: Item = Item::Api {
    api: "SwapRuntimeApi",
    method: "sim_swap_tao_for_alpha",
    inputs: &[U, U],
    output: SIM_SWAP_RESULT,
};
pub const SIM_SWAP_ALPHA_FOR_TAO: Item = Item::Api {
    api: "SwapRuntimeApi",
    method: "sim_swap_alpha_for_tao",
    inputs: &[U, U],
    output: SIM_SWAP_RESULT,
};
pub const SWAP_FEE_RATE: Item = Item::Storage {
    pallet: "Swap",
    name: "FeeRate",
    keys: &[U],
    value: U,
};

/// What every preview reads besides prices: the fee, whether the subnet exists and trades, whether the hotkey is
/// registered on it, the minimum stake; the runtime's own swap simulation where it has one.
pub static PREVIEWS: Feature = Feature {
    id: "previews",
    name: "transaction previews",
    core: true,
    needs: &[
        Need::Item(QUERY_INFO),
        Need::Item(Item::Storage {
            pallet: "System",
            name: "Account",
            keys: &[A],
            value: Shape::Any,
        }),
        Need::Item(sm("NetworksAdded", &[U], B)),
        Need::Item(sm("SubtokenEnabled", &[U], B)),
        Need::Item(sm("NominatorMinRequiredStake", &[], U)),
        Need::Item(sm("Uids", &[U, A], U)),
        Need::Optional(SWAP_FEE_RATE),
        Need::Optional(STAKE_FEE),
        Need::Optional(SIM_SWAP_TAO_FOR_ALPHA),
        Need::Optional(SIM_SWAP_ALPHA_FOR_TAO),
    ],
};

pub static STAKE_ADD: Feature = Feature {
    id: "stake.add",
    name: "stake additions (add_stake, add_stake_limit)",
    core: true,
    needs: &[Need::Item(ADD_STAKE), Need::Item(ADD_STAKE_LIMIT)],
};

pub static STAKE_REMOVE: Feature = Feature {
    id: "stake.remove",
    name: "unstakes (remove_stake, remove_stake_limit)",
    core: true,
    needs: &[
        Need::Item(REMOVE_STAKE),
        Need::Item(REMOVE_STAKE_LIMIT),
        Need::Optional(REMOVE_STAKE_FULL_LIMIT),
    ],
};

pub static STAKE_MOVE: Feature = Feature {
    id: "stake.move",
    name: "stake moves (move_stake)",
    core: false,
    needs: &[Need::Item(MOVE_STAKE), Need::Optional(MOVE_STAKE_LIMIT)],
};

pub static STAKE_SWAP: Feature = Feature {
    id: "stake.swap",
    name: "subnet swaps (swap_stake, swap_stake_limit)",
    core: false,
    needs: &[Need::Item(SWAP_STAKE), Need::Item(SWAP_STAKE_LIMIT)],
};

pub static STAKE_TRANSFER: Feature = Feature {
    id: "stake.transfer",
    name: "stake transfers to another coldkey (transfer_stake)",
    core: false,
    needs: &[Need::Item(TRANSFER_STAKE)],
};

pub static UNSTAKE_ALL_FEATURE: Feature = Feature {
    id: "stake.unstake_all",
    name: "unstake-all (unstake_all, unstake_all_alpha)",
    core: false,
    needs: &[Need::Item(UNSTAKE_ALL), Need::Item(UNSTAKE_ALL_ALPHA)],
};

pub static TRANSFER: Feature = Feature {
    id: "transfer",
    name: "TAO transfers (transfer_keep_alive, transfer_all)",
    core: true,
    needs: &[Need::Item(TRANSFER_KEEP_ALIVE), Need::Item(TRANSFER_ALL)],
};

/// The call features, in the order `doctor` lists them.
pub static FEATURES: &[&Feature] = &[
    &PREVIEWS,
    &STAKE_ADD,
    &STAKE_REMOVE,
    &STAKE_MOVE,
    &STAKE_SWAP,
    &STAKE_TRANSFER,
    &UNSTAKE_ALL_FEATURE,
    &TRANSFER,
];

/// The feature an action needs: required before its preview and again before signing.
pub fn feature_of(action: &Action) -> &'static Feature {
    match action {
        Action::AddStake { .. } => &STAKE_ADD,
        Action::RemoveStake { .. } => &STAKE_REMOVE,
        Action::UnstakeAll { .. } => &UNSTAKE_ALL_FEATURE,
        Action::MoveStake { .. } => &STAKE_MOVE,
        Action::SwapStake { .. } => &STAKE_SWAP,
        Action::TransferStake { .. } => &STAKE_TRANSFER,
        Action::Transfer { .. } | Action::TransferAll { .. } => &TRANSFER,
    }
}
