//! What the reads in this folder need from the runtime, one [`Feature`] per screen-level read. The reads ask
//! `client.require(&FEATURE)` before they run, so a runtime that lacks an item switches off only these.

use crate::chain::features::{Feature, Need};
use crate::chain::runtime_check::{Item, Shape, subtensor_storage as sm};

const U: Shape = Shape::Uint;
const A: Shape = Shape::Account;

const fn api(
    api: &'static str,
    method: &'static str,
    inputs: &'static [Shape],
    output: Shape,
) -> Item {
    Item::Api {
        api,
        method,
        inputs,
        output,
    }
}

const STAKE_INFO: Shape =
    Shape::Struct(&[("hotkey", A), ("coldkey", A), ("netuid", U), ("stake", U)]);
const DYNAMIC_INFO: Shape = Shape::Struct(&[
    ("netuid", U),
    ("owner_hotkey", A),
    ("owner_coldkey", A),
    ("subnet_name", Shape::Bytes),
    ("token_symbol", Shape::Bytes),
    ("tempo", U),
    ("emission", U),
    ("alpha_in", U),
    ("alpha_out", U),
    ("tao_in", U),
]);
const DELEGATE_INFO: Shape = Shape::Struct(&[
    ("delegate_ss58", A),
    ("take", U),
    ("nominators", Shape::Seq(&Shape::Any)),
    ("owner_ss58", A),
]);
const IDENTITY: Shape = Shape::Struct(&[("name", Shape::Bytes)]);
const SUBNET_IDENTITY: Shape = Shape::Struct(&[("subnet_name", Shape::Bytes)]);

pub const ACCOUNT: Item = Item::Storage {
    pallet: "System",
    name: "Account",
    keys: &[A],
    value: Shape::Struct(&[
        ("nonce", U),
        (
            "data",
            Shape::Struct(&[("free", U), ("reserved", U), ("frozen", U)]),
        ),
    ]),
};
pub const STAKE_INFO_FOR_COLDKEY: Item = api(
    "StakeInfoRuntimeApi",
    "get_stake_info_for_coldkey",
    &[A],
    Shape::Seq(&STAKE_INFO),
);
pub const STAKE_INFO_FOR_COLDKEYS: Item = api(
    "StakeInfoRuntimeApi",
    "get_stake_info_for_coldkeys",
    &[Shape::Seq(&A)],
    Shape::Seq(&Shape::Tuple(&[A, Shape::Seq(&STAKE_INFO)])),
);
/// Locked and available stake per position (424+); the inputs are the coldkeys and an optional netuid filter.
pub const STAKE_AVAILABILITY: Item = api(
    "StakeInfoRuntimeApi",
    "get_stake_availability_for_coldkeys",
    &[Shape::Seq(&A), Shape::Option(&Shape::Seq(&U))],
    Shape::Any,
);
pub const CURRENT_ALPHA_PRICE_ALL: Item = api(
    "SwapRuntimeApi",
    "current_alpha_price_all",
    &[],
    Shape::Seq(&Shape::Struct(&[("netuid", U), ("price", U)])),
);
pub const CURRENT_ALPHA_PRICE: Item = api("SwapRuntimeApi", "current_alpha_price", &[U], U);
pub const SUBNET_MECHANISM: Item = sm("SubnetMechanism", &[U], U);
pub const SUBNET_TAO: Item = sm("SubnetTAO", &[U], U);
pub const SUBNET_ALPHA_IN: Item = sm("SubnetAlphaIn", &[U], U);
pub const SWAP_V3_INITIALIZED: Item = Item::Storage {
    pallet: "Swap",
    name: "SwapV3Initialized",
    keys: &[U],
    value: Shape::Bool,
};
pub const ALPHA_SQRT_PRICE: Item = Item::Storage {
    pallet: "Swap",
    name: "AlphaSqrtPrice",
    keys: &[U],
    value: U,
};
pub const OWNER: Item = sm("Owner", &[A], A);
pub const TOTAL_HOTKEY_ALPHA: Item = sm("TotalHotkeyAlpha", &[A, U], U);
pub const ALPHA_DIVIDENDS: Item = sm("AlphaDividendsPerSubnet", &[U, A], U);
pub const TOTAL_HOTKEY_ALPHA_LAST_EPOCH: Item = sm("TotalHotkeyAlphaLastEpoch", &[A, U], U);
pub const TAO_DIVIDENDS: Item = sm("TaoDividendsPerSubnet", &[U, A], U);
pub const ROOT_ALPHA_DIVIDENDS: Item = sm("RootAlphaDividendsPerSubnet", &[U, A], U);
pub const TEMPO: Item = sm("Tempo", &[U], U);
pub const TOKEN_SYMBOL: Item = sm("TokenSymbol", &[U], Shape::Bytes);
pub const IDENTITIES_V2: Item = sm("IdentitiesV2", &[A], IDENTITY);
pub const IDENTITIES: Item = sm("Identities", &[A], IDENTITY);
pub const SUBNET_IDENTITIES_V3: Item = sm("SubnetIdentitiesV3", &[U], SUBNET_IDENTITY);
pub const SUBNET_IDENTITIES_V2: Item = sm("SubnetIdentitiesV2", &[U], SUBNET_IDENTITY);

/// Risk labels (see `crate::risk`): how long a neuron has been registered and the subnet's immunity for it.
pub const BLOCK_AT_REGISTRATION: Item = sm("BlockAtRegistration", &[U, U], U);
pub const IMMUNITY_PERIOD: Item = sm("ImmunityPeriod", &[U], U);
/// A subnet's registration block, its moving (EMA) price, and the subnet-wide pruning settings.
pub const NETWORK_REGISTERED_AT: Item = sm("NetworkRegisteredAt", &[U], U);
/// An `I96F32`: compared by its raw bits, so only its presence is checked.
pub const SUBNET_MOVING_PRICE: Item = sm("SubnetMovingPrice", &[U], Shape::Any);
pub const NETWORK_IMMUNITY_PERIOD: Item = sm("NetworkImmunityPeriod", &[], U);
pub const SUBNET_LIMIT: Item = sm("SubnetLimit", &[], U);
/// A hotkey's uid on a subnet and the subnet's permit flags by uid (the permit check before a stake).
pub const UIDS: Item = sm("Uids", &[U, A], U);
pub const VALIDATOR_PERMIT: Item = sm("ValidatorPermit", &[U], Shape::Seq(&Shape::Bool));
/// The runtime's own answer to "which subnet would the next registration prune" (spec 320+, with the rule).
pub const GET_SUBNET_TO_PRUNE: Item = api(
    "SubnetInfoRuntimeApi",
    "get_subnet_to_prune",
    &[],
    Shape::Option(&U),
);

/// Free, reserved and frozen TAO of an account.
pub static BALANCES: Feature = Feature {
    id: "balances",
    name: "balances",
    core: true,
    needs: &[Need::Item(ACCOUNT)],
};

/// Where the price of alpha comes from, best first: the runtime's own price (its pool may be a weighted one whose
/// price is not the reserve ratio), else the pool storage of runtimes without the Swap API (spec 293).
pub static PRICES: Feature = Feature {
    id: "prices",
    name: "prices",
    core: true,
    needs: &[
        Need::AnyOf {
            label: "a price source",
            alternatives: &[
                &[CURRENT_ALPHA_PRICE_ALL],
                &[CURRENT_ALPHA_PRICE],
                &[SUBNET_MECHANISM, SUBNET_TAO, SUBNET_ALPHA_IN],
            ],
        },
        Need::Optional(SWAP_V3_INITIALIZED),
        Need::Optional(ALPHA_SQRT_PRICE),
    ],
};

/// Every stake position of a coldkey, with its value and share of the validator.
pub static POSITIONS: Feature = Feature {
    id: "positions",
    name: "positions",
    core: true,
    needs: &[
        Need::Item(STAKE_INFO_FOR_COLDKEY),
        Need::Item(STAKE_INFO_FOR_COLDKEYS),
        Need::Optional(OWNER),
        Need::Optional(TOTAL_HOTKEY_ALPHA),
        Need::Optional(TOKEN_SYMBOL),
    ],
};

/// Locked and available stake (conviction locks, 424+). Off on runtimes without locks, where nothing is locked.
pub static LOCKS: Feature = Feature {
    id: "locks",
    name: "stake locks",
    core: false,
    needs: &[Need::Item(STAKE_AVAILABILITY)],
};

/// APY and daily earnings from the last epoch's dividends.
pub static APY: Feature = Feature {
    id: "apy",
    name: "APY figures",
    core: false,
    needs: &[
        Need::Item(ALPHA_DIVIDENDS),
        Need::Item(TOTAL_HOTKEY_ALPHA_LAST_EPOCH),
        Need::Item(TEMPO),
        Need::Optional(TAO_DIVIDENDS),
        Need::Optional(ROOT_ALPHA_DIVIDENDS),
    ],
};

/// Names of validators (their owners' identities) and subnets.
pub static IDENTITY_NAMES: Feature = Feature {
    id: "identities",
    name: "validator and subnet names",
    core: false,
    needs: &[
        Need::AnyOf {
            label: "an identity store",
            alternatives: &[&[IDENTITIES_V2], &[IDENTITIES]],
        },
        Need::AnyOf {
            label: "a subnet identity store",
            alternatives: &[&[SUBNET_IDENTITIES_V3], &[SUBNET_IDENTITIES_V2]],
        },
    ],
};

/// The subnet list: pools, tempo, emission.
pub static SUBNETS: Feature = Feature {
    id: "subnets",
    name: "subnet figures",
    core: false,
    needs: &[
        Need::Item(api(
            "SubnetInfoRuntimeApi",
            "get_all_dynamic_info",
            &[],
            Shape::Seq(&Shape::Option(&DYNAMIC_INFO)),
        )),
        Need::Item(api(
            "SubnetInfoRuntimeApi",
            "get_dynamic_info",
            &[U],
            Shape::Option(&DYNAMIC_INFO),
        )),
    ],
};

/// A subnet's validators with take, stake, nominators and APY.
pub static VALIDATORS: Feature = Feature {
    id: "validators",
    name: "validator lists",
    core: false,
    needs: &[
        Need::Item(api(
            "SubnetInfoRuntimeApi",
            "get_metagraph",
            &[U],
            Shape::Option(&Shape::Struct(&[
                ("hotkeys", Shape::Seq(&A)),
                ("coldkeys", Shape::Seq(&A)),
                ("validator_permit", Shape::Seq(&Shape::Bool)),
                ("identities", Shape::Seq(&Shape::Option(&IDENTITY))),
            ])),
        )),
        Need::Item(api(
            "DelegateInfoRuntimeApi",
            "get_delegates",
            &[],
            Shape::Seq(&DELEGATE_INFO),
        )),
        Need::Item(sm("Delegates", &[A], U)),
        Need::Item(TOTAL_HOTKEY_ALPHA),
        Need::Optional(TEMPO),
        Need::Optional(ALPHA_DIVIDENDS),
        Need::Optional(TOTAL_HOTKEY_ALPHA_LAST_EPOCH),
    ],
};

/// Block, issuance, stake, emission and the halving countdown.
pub static NETWORK: Feature = Feature {
    id: "network",
    name: "network figures",
    core: false,
    needs: &[
        Need::Item(Item::Storage {
            pallet: "Timestamp",
            name: "Now",
            keys: &[],
            value: U,
        }),
        Need::Item(sm("TotalIssuance", &[], U)),
        Need::Item(sm("TotalStake", &[], U)),
        Need::Item(sm("BlockEmission", &[], U)),
        Need::Item(sm("TotalNetworks", &[], U)),
        Need::Optional(Item::Storage {
            pallet: "Balances",
            name: "TotalIssuance",
            keys: &[],
            value: U,
        }),
    ],
};

/// Validator risk labels: how long it has been registered and whether it is still in immunity. Take, identity,
/// stake share and permit come with [`VALIDATORS`].
pub static RISK_VALIDATOR: Feature = Feature {
    id: "risk.validator",
    name: "validator age and immunity labels",
    core: false,
    needs: &[
        Need::Item(BLOCK_AT_REGISTRATION),
        Need::Item(IMMUNITY_PERIOD),
    ],
};

/// The permit check of a stake preview (the CLI reads it for the one validator staked to).
pub static RISK_PERMIT: Feature = Feature {
    id: "risk.permit",
    name: "the validator permit check before staking",
    core: false,
    needs: &[Need::Item(UIDS), Need::Item(VALIDATOR_PERMIT)],
};

/// Subnet risk labels: age and pool depth.
pub static RISK_SUBNET: Feature = Feature {
    id: "risk.subnet",
    name: "subnet age and pool depth labels",
    core: false,
    needs: &[Need::Item(NETWORK_REGISTERED_AT), Need::Item(SUBNET_TAO)],
};

/// Where each subnet stands for deregistration. The runtime API names the next subnet pruned where the runtime
/// prunes at all; runtimes older than `crate::risk::FIRST_PRUNING_SPEC` never prune.
pub static RISK_DEREG: Feature = Feature {
    id: "risk.dereg",
    name: "subnet deregistration standing",
    core: false,
    needs: &[
        Need::Item(NETWORK_REGISTERED_AT),
        Need::Item(SUBNET_MOVING_PRICE),
        Need::Item(NETWORK_IMMUNITY_PERIOD),
        // Spec 293 has neither (it never prunes); the pruning runtimes have both.
        Need::Optional(SUBNET_LIMIT),
        Need::Optional(GET_SUBNET_TO_PRUNE),
    ],
};

/// The read features, in the order `doctor` lists them.
pub static FEATURES: &[&Feature] = &[
    &BALANCES,
    &POSITIONS,
    &PRICES,
    &LOCKS,
    &APY,
    &IDENTITY_NAMES,
    &SUBNETS,
    &VALIDATORS,
    &NETWORK,
    &RISK_VALIDATOR,
    &RISK_PERMIT,
    &RISK_SUBNET,
    &RISK_DEREG,
];
