//! Checks at connect time that the runtime provides every item the app uses, in the shape the code expects.
//!
//! Subtensor upgrades often, and the app decodes values dynamically; a changed item must be reported by name at
//! connect ("runtime 394 changed SubtensorModule.add_stake: ...") rather than as a decode failure later.
//!
//! Shapes are deliberately loose where an encoding-compatible change is routine: an integer may be any unsigned
//! width and may be wrapped in single-field newtypes or `Compact` (Subtensor moved netuid u16 -> `NetUid(u16)` and
//! amounts u64 -> `TaoCurrency(u64)`/`AlphaCurrency(u64)`), because dynamic encoding follows the metadata.
//! What breaks the app — a missing item, a different number of arguments, an integer becoming an account or a
//! struct losing a field the app reads — is a mismatch.
//!
//! What exists where (metadata of spec 293 from the local dev chain, 346 devnet, 365 and 393 finney):
//! `TaoDividendsPerSubnet` only in 293, `RootAlphaDividendsPerSubnet` from 365, `SwapRuntimeApi.sim_swap_*` from
//! 346, `SubnetIdentitiesV2` up to 346; everything marked required exists in all four.

use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};
use subxt::Metadata;

pub use super::error::RuntimeMismatch;

/// The shape of a value as far as the app relies on it.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Anything (the app does not interpret the value, e.g. an opaque extrinsic).
    Any,
    /// An unsigned integer of any width, possibly inside newtypes or `Compact`.
    Uint,
    Bool,
    /// A 32-byte account id (`[u8; 32]` or a newtype of it).
    Account,
    /// `MultiAddress`: an enum with an `Id(account)` variant.
    Address,
    /// `Vec<u8>` or `Vec<Compact<u8>>`.
    Bytes,
    Option(&'static Shape),
    Seq(&'static Shape),
    /// A tuple with these element shapes.
    Tuple(&'static [Shape]),
    /// A struct having (at least) these named fields.
    Struct(&'static [(&'static str, Shape)]),
}

/// A runtime item the app uses.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// An extrinsic call; arguments are checked by name, order and shape.
    Call {
        pallet: &'static str,
        name: &'static str,
        args: &'static [(&'static str, Shape)],
    },
    /// A storage entry with its key shapes (in order) and value shape.
    Storage {
        pallet: &'static str,
        name: &'static str,
        keys: &'static [Shape],
        value: Shape,
    },
    Constant {
        pallet: &'static str,
        name: &'static str,
        shape: Shape,
    },
    /// A runtime API method; inputs are positional (SCALE), so only their shapes are checked.
    Api {
        api: &'static str,
        method: &'static str,
        inputs: &'static [Shape],
        output: Shape,
    },
}

impl Item {
    /// "SubtensorModule.add_stake", "StakeInfoRuntimeApi.get_stake_info_for_coldkey".
    pub fn path(&self) -> String {
        match self {
            Item::Call { pallet, name, .. }
            | Item::Storage { pallet, name, .. }
            | Item::Constant { pallet, name, .. } => format!("{pallet}.{name}"),
            Item::Api { api, method, .. } => format!("{api}.{method}"),
        }
    }
}

/// Optional items: each present one sets a flag in [`Capabilities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    SimSwapTaoForAlpha,
    SimSwapAlphaForTao,
    CurrentAlphaPrice,
    CurrentAlphaPriceAll,
    TaoDividendsPerSubnet,
    RootAlphaDividendsPerSubnet,
    SubnetIdentitiesV2,
    TransferStake,
    RemoveStakeFullLimit,
    StakeFee,
    TokenSymbol,
    SwapV3Initialized,
    AlphaSqrtPrice,
}

/// Whether the app cannot work without an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional(Capability),
}

#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    pub item: Item,
    pub need: Need,
}

/// Optional runtime items found in the connected runtime.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `SwapRuntimeApi.sim_swap_tao_for_alpha` and `sim_swap_alpha_for_tao` both exist (spec 346+).
    pub sim_swap: bool,
    /// `SwapRuntimeApi.current_alpha_price`.
    pub current_alpha_price: bool,
    /// `SwapRuntimeApi.current_alpha_price_all` (one call for every subnet's price).
    pub current_alpha_price_all: bool,
    /// `SubtensorModule.TaoDividendsPerSubnet` (root dividends in TAO; spec 293).
    pub tao_dividends_per_subnet: bool,
    /// `SubtensorModule.RootAlphaDividendsPerSubnet` (root dividends in alpha; spec 365+).
    pub root_alpha_dividends_per_subnet: bool,
    /// `SubtensorModule.SubnetIdentitiesV2` (older subnet identities, up to spec 346).
    pub subnet_identities_v2: bool,
    /// `SubtensorModule.transfer_stake`.
    pub transfer_stake: bool,
    /// `SubtensorModule.remove_stake_full_limit`.
    pub remove_stake_full_limit: bool,
    /// `StakeInfoRuntimeApi.get_stake_fee`.
    pub stake_fee: bool,
    /// `SubtensorModule.TokenSymbol` (a subnet's own symbol).
    pub token_symbol: bool,
    /// `Swap.SwapV3Initialized` and `Swap.AlphaSqrtPrice` (concentrated-liquidity pool price).
    pub swap_v3_price: bool,
}

impl Capabilities {
    fn set(&mut self, capability: Capability, present: bool) {
        match capability {
            // sim_swap needs both directions: set on the first, cleared by a missing second.
            Capability::SimSwapTaoForAlpha => self.sim_swap = present,
            Capability::SimSwapAlphaForTao => self.sim_swap &= present,
            Capability::CurrentAlphaPrice => self.current_alpha_price = present,
            Capability::CurrentAlphaPriceAll => self.current_alpha_price_all = present,
            Capability::TaoDividendsPerSubnet => self.tao_dividends_per_subnet = present,
            Capability::RootAlphaDividendsPerSubnet => {
                self.root_alpha_dividends_per_subnet = present
            }
            Capability::SubnetIdentitiesV2 => self.subnet_identities_v2 = present,
            Capability::TransferStake => self.transfer_stake = present,
            Capability::RemoveStakeFullLimit => self.remove_stake_full_limit = present,
            Capability::StakeFee => self.stake_fee = present,
            Capability::TokenSymbol => self.token_symbol = present,
            // Like sim_swap, the price needs both items: set on the first, cleared by a missing second.
            Capability::SwapV3Initialized => self.swap_v3_price = present,
            Capability::AlphaSqrtPrice => self.swap_v3_price &= present,
        }
    }
}

const SM: &str = "SubtensorModule";
const U: Shape = Shape::Uint;
const A: Shape = Shape::Account;
const B: Shape = Shape::Bool;
const NEED: Need = Need::Required;

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
const SIM_SWAP_RESULT: Shape = Shape::Struct(&[("tao_amount", U), ("alpha_amount", U)]);

const fn call(
    name: &'static str,
    args: &'static [(&'static str, Shape)],
    need: Need,
) -> Requirement {
    Requirement {
        item: Item::Call {
            pallet: SM,
            name,
            args,
        },
        need,
    }
}

const fn storage(
    pallet: &'static str,
    name: &'static str,
    keys: &'static [Shape],
    value: Shape,
    need: Need,
) -> Requirement {
    Requirement {
        item: Item::Storage {
            pallet,
            name,
            keys,
            value,
        },
        need,
    }
}

const fn api(
    api: &'static str,
    method: &'static str,
    inputs: &'static [Shape],
    output: Shape,
    need: Need,
) -> Requirement {
    Requirement {
        item: Item::Api {
            api,
            method,
            inputs,
            output,
        },
        need,
    }
}

/// Every runtime item the app uses. Add an entry here whenever code starts using a new item.
pub const REQUIREMENTS: &[Requirement] = &[
    // Staking calls.
    call(
        "add_stake",
        &[("hotkey", A), ("netuid", U), ("amount_staked", U)],
        NEED,
    ),
    call(
        "add_stake_limit",
        &[
            ("hotkey", A),
            ("netuid", U),
            ("amount_staked", U),
            ("limit_price", U),
            ("allow_partial", B),
        ],
        NEED,
    ),
    call(
        "remove_stake",
        &[("hotkey", A), ("netuid", U), ("amount_unstaked", U)],
        NEED,
    ),
    call(
        "remove_stake_limit",
        &[
            ("hotkey", A),
            ("netuid", U),
            ("amount_unstaked", U),
            ("limit_price", U),
            ("allow_partial", B),
        ],
        NEED,
    ),
    call(
        "remove_stake_full_limit",
        &[
            ("hotkey", A),
            ("netuid", U),
            ("limit_price", Shape::Option(&U)),
        ],
        Need::Optional(Capability::RemoveStakeFullLimit),
    ),
    call(
        "move_stake",
        &[
            ("origin_hotkey", A),
            ("destination_hotkey", A),
            ("origin_netuid", U),
            ("destination_netuid", U),
            ("alpha_amount", U),
        ],
        NEED,
    ),
    call(
        "swap_stake",
        &[
            ("hotkey", A),
            ("origin_netuid", U),
            ("destination_netuid", U),
            ("alpha_amount", U),
        ],
        NEED,
    ),
    call(
        "swap_stake_limit",
        &[
            ("hotkey", A),
            ("origin_netuid", U),
            ("destination_netuid", U),
            ("alpha_amount", U),
            ("limit_price", U),
            ("allow_partial", B),
        ],
        NEED,
    ),
    call("unstake_all", &[("hotkey", A)], NEED),
    call("unstake_all_alpha", &[("hotkey", A)], NEED),
    call(
        "transfer_stake",
        &[
            ("destination_coldkey", A),
            ("hotkey", A),
            ("origin_netuid", U),
            ("destination_netuid", U),
            ("alpha_amount", U),
        ],
        Need::Optional(Capability::TransferStake),
    ),
    // Balance transfers.
    Requirement {
        item: Item::Call {
            pallet: "Balances",
            name: "transfer_keep_alive",
            args: &[("dest", Shape::Address), ("value", U)],
        },
        need: NEED,
    },
    Requirement {
        item: Item::Call {
            pallet: "Balances",
            name: "transfer_all",
            args: &[("dest", Shape::Address), ("keep_alive", B)],
        },
        need: NEED,
    },
    // Storage.
    storage(
        "System",
        "Account",
        &[A],
        Shape::Struct(&[
            ("nonce", U),
            (
                "data",
                Shape::Struct(&[("free", U), ("reserved", U), ("frozen", U)]),
            ),
        ]),
        NEED,
    ),
    storage("System", "Number", &[], U, NEED),
    storage("Timestamp", "Now", &[], U, NEED),
    storage("Balances", "TotalIssuance", &[], U, NEED),
    storage(SM, "Delegates", &[A], U, NEED),
    storage(SM, "Owner", &[A], A, NEED),
    storage(SM, "TotalHotkeyAlpha", &[A, U], U, NEED),
    storage(SM, "TotalHotkeyAlphaLastEpoch", &[A, U], U, NEED),
    storage(SM, "Alpha", &[A, A, U], U, NEED),
    storage(SM, "TotalHotkeyShares", &[A, U], U, NEED),
    storage(SM, "AlphaDividendsPerSubnet", &[U, A], U, NEED),
    storage(
        SM,
        "TaoDividendsPerSubnet",
        &[U, A],
        U,
        Need::Optional(Capability::TaoDividendsPerSubnet),
    ),
    storage(
        SM,
        "RootAlphaDividendsPerSubnet",
        &[U, A],
        U,
        Need::Optional(Capability::RootAlphaDividendsPerSubnet),
    ),
    storage(SM, "Tempo", &[U], U, NEED),
    storage(SM, "SubnetTAO", &[U], U, NEED),
    storage(SM, "SubnetAlphaIn", &[U], U, NEED),
    storage(SM, "SubnetAlphaOut", &[U], U, NEED),
    storage(SM, "SubnetMechanism", &[U], U, NEED),
    storage(SM, "TotalIssuance", &[], U, NEED),
    storage(SM, "TotalStake", &[], U, NEED),
    storage(SM, "BlockEmission", &[], U, NEED),
    storage(SM, "TotalNetworks", &[], U, NEED),
    storage(SM, "NetworksAdded", &[U], B, NEED),
    storage(SM, "SubtokenEnabled", &[U], B, NEED),
    storage(SM, "NominatorMinRequiredStake", &[], U, NEED),
    // The write side's preview: is the hotkey registered on the subnet (a UID), and the pool's swap fee.
    storage(SM, "Uids", &[U, A], U, NEED),
    storage("Swap", "FeeRate", &[U], U, NEED),
    storage(SM, "IdentitiesV2", &[A], IDENTITY, NEED),
    storage(SM, "SubnetIdentitiesV3", &[U], SUBNET_IDENTITY, NEED),
    storage(
        SM,
        "SubnetIdentitiesV2",
        &[U],
        SUBNET_IDENTITY,
        Need::Optional(Capability::SubnetIdentitiesV2),
    ),
    storage(
        SM,
        "TokenSymbol",
        &[U],
        Shape::Bytes,
        Need::Optional(Capability::TokenSymbol),
    ),
    storage(
        "Swap",
        "SwapV3Initialized",
        &[U],
        B,
        Need::Optional(Capability::SwapV3Initialized),
    ),
    storage(
        "Swap",
        "AlphaSqrtPrice",
        &[U],
        U,
        Need::Optional(Capability::AlphaSqrtPrice),
    ),
    // Constants.
    Requirement {
        item: Item::Constant {
            pallet: "Balances",
            name: "ExistentialDeposit",
            shape: U,
        },
        need: NEED,
    },
    Requirement {
        item: Item::Constant {
            pallet: "System",
            name: "SS58Prefix",
            shape: U,
        },
        need: NEED,
    },
    // Runtime APIs.
    api(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        &[A],
        Shape::Seq(&STAKE_INFO),
        NEED,
    ),
    api(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkeys",
        &[Shape::Seq(&A)],
        Shape::Seq(&Shape::Tuple(&[A, Shape::Seq(&STAKE_INFO)])),
        NEED,
    ),
    api(
        "StakeInfoRuntimeApi",
        "get_stake_fee",
        &[
            Shape::Option(&Shape::Tuple(&[A, U])),
            A,
            Shape::Option(&Shape::Tuple(&[A, U])),
            A,
            U,
        ],
        U,
        Need::Optional(Capability::StakeFee),
    ),
    api(
        "SubnetInfoRuntimeApi",
        "get_all_dynamic_info",
        &[],
        Shape::Seq(&Shape::Option(&DYNAMIC_INFO)),
        NEED,
    ),
    api(
        "SubnetInfoRuntimeApi",
        "get_dynamic_info",
        &[U],
        Shape::Option(&DYNAMIC_INFO),
        NEED,
    ),
    api(
        "SubnetInfoRuntimeApi",
        "get_metagraph",
        &[U],
        Shape::Option(&Shape::Struct(&[
            ("hotkeys", Shape::Seq(&A)),
            ("coldkeys", Shape::Seq(&A)),
            ("validator_permit", Shape::Seq(&B)),
            ("identities", Shape::Seq(&Shape::Option(&IDENTITY))),
        ])),
        NEED,
    ),
    api(
        "DelegateInfoRuntimeApi",
        "get_delegates",
        &[],
        Shape::Seq(&DELEGATE_INFO),
        NEED,
    ),
    api(
        "DelegateInfoRuntimeApi",
        "get_delegate",
        &[A],
        Shape::Option(&DELEGATE_INFO),
        NEED,
    ),
    api(
        "TransactionPaymentApi",
        "query_info",
        &[Shape::Any, U],
        Shape::Struct(&[("partial_fee", U)]),
        NEED,
    ),
    api(
        "SwapRuntimeApi",
        "current_alpha_price",
        &[U],
        U,
        Need::Optional(Capability::CurrentAlphaPrice),
    ),
    api(
        "SwapRuntimeApi",
        "current_alpha_price_all",
        &[],
        Shape::Seq(&Shape::Struct(&[("netuid", U), ("price", U)])),
        Need::Optional(Capability::CurrentAlphaPriceAll),
    ),
    api(
        "SwapRuntimeApi",
        "sim_swap_tao_for_alpha",
        &[U, U],
        SIM_SWAP_RESULT,
        Need::Optional(Capability::SimSwapTaoForAlpha),
    ),
    api(
        "SwapRuntimeApi",
        "sim_swap_alpha_for_tao",
        &[U, U],
        SIM_SWAP_RESULT,
        Need::Optional(Capability::SimSwapAlphaForTao),
    ),
];

/// Checks `metadata` (of runtime `spec_version`) against [`REQUIREMENTS`].
///
/// A missing optional item clears its capability; an optional item that exists in a different shape is a
/// mismatch like a required one (the app would otherwise use it and fail later).
pub fn check(metadata: &Metadata, spec_version: u32) -> Result<Capabilities, Vec<RuntimeMismatch>> {
    check_against(metadata, spec_version, REQUIREMENTS)
}

/// [`check`] with an explicit list (for tests and for callers adding their own items).
pub fn check_against(
    metadata: &Metadata,
    _spec_version: u32,
    requirements: &[Requirement],
) -> Result<Capabilities, Vec<RuntimeMismatch>> {
    let mut capabilities = Capabilities::default();
    let mut mismatches = Vec::new();
    for requirement in requirements {
        let outcome = check_item(metadata, &requirement.item);
        match (requirement.need, outcome) {
            (Need::Optional(cap), Ok(())) => capabilities.set(cap, true),
            (Need::Optional(cap), Err(Problem::Missing(_))) => capabilities.set(cap, false),
            (_, Ok(())) => {}
            (_, Err(problem)) => mismatches.push(RuntimeMismatch {
                item: requirement.item.path(),
                detail: problem.to_string(),
            }),
        }
    }
    if mismatches.is_empty() {
        Ok(capabilities)
    } else {
        Err(mismatches)
    }
}

enum Problem {
    Missing(String),
    Changed(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Missing(s) | Problem::Changed(s) => f.write_str(s),
        }
    }
}

fn check_item(metadata: &Metadata, item: &Item) -> Result<(), Problem> {
    let types = metadata.types();
    match *item {
        Item::Call { pallet, name, args } => {
            let p = metadata
                .pallet_by_name(pallet)
                .ok_or_else(|| Problem::Missing(format!("pallet {pallet} no longer exists")))?;
            let variant = p
                .call_variant_by_name(name)
                .ok_or_else(|| Problem::Missing("the call no longer exists".into()))?;
            if variant.fields.len() != args.len() {
                return Err(Problem::Changed(format!(
                    "it now takes {} arguments ({}); expected {} ({})",
                    variant.fields.len(),
                    variant
                        .fields
                        .iter()
                        .map(|f| f.name.as_deref().unwrap_or("_"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    args.len(),
                    args.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                )));
            }
            for (i, (field, (arg_name, shape))) in variant.fields.iter().zip(args).enumerate() {
                let actual_name = field.name.as_deref().unwrap_or("_");
                if actual_name != *arg_name {
                    return Err(Problem::Changed(format!(
                        "argument {} is now named {actual_name}; expected {arg_name}",
                        i + 1
                    )));
                }
                matches_shape(types, field.ty.id, shape, 0).map_err(|why| {
                    Problem::Changed(format!("argument {} ({arg_name}) {why}", i + 1))
                })?;
            }
            Ok(())
        }
        Item::Storage {
            pallet,
            name,
            keys,
            value,
        } => {
            let entry = metadata
                .pallet_by_name(pallet)
                .and_then(|p| p.storage())
                .and_then(|s| s.entry_by_name(name))
                .ok_or_else(|| Problem::Missing("the storage item no longer exists".into()))?;
            let actual_keys: Vec<u32> = entry.keys().map(|k| k.key_id).collect();
            if actual_keys.len() != keys.len() {
                return Err(Problem::Changed(format!(
                    "it now has {} keys; expected {}",
                    actual_keys.len(),
                    keys.len()
                )));
            }
            for (i, (id, shape)) in actual_keys.iter().zip(keys.iter()).enumerate() {
                matches_shape(types, *id, shape, 0)
                    .map_err(|why| Problem::Changed(format!("key {} {why}", i + 1)))?;
            }
            matches_shape(types, entry.value_ty(), &value, 0)
                .map_err(|why| Problem::Changed(format!("the value {why}")))
        }
        Item::Constant {
            pallet,
            name,
            shape,
        } => {
            let constant = metadata
                .pallet_by_name(pallet)
                .and_then(|p| p.constant_by_name(name))
                .ok_or_else(|| Problem::Missing("the constant no longer exists".into()))?;
            matches_shape(types, constant.ty(), &shape, 0)
                .map_err(|why| Problem::Changed(format!("the value {why}")))
        }
        Item::Api {
            api,
            method,
            inputs,
            output,
        } => {
            let m = metadata
                .runtime_api_trait_by_name(api)
                .ok_or_else(|| Problem::Missing(format!("runtime API {api} no longer exists")))?
                .method_by_name(method)
                .ok_or_else(|| {
                    Problem::Missing("the runtime API method no longer exists".into())
                })?;
            let actual: Vec<u32> = m.inputs().map(|i| i.id).collect();
            if actual.len() != inputs.len() {
                return Err(Problem::Changed(format!(
                    "it now takes {} inputs; expected {}",
                    actual.len(),
                    inputs.len()
                )));
            }
            for (i, (id, shape)) in actual.iter().zip(inputs.iter()).enumerate() {
                matches_shape(types, *id, shape, 0)
                    .map_err(|why| Problem::Changed(format!("input {} {why}", i + 1)))?;
            }
            matches_shape(types, m.output_ty(), &output, 0)
                .map_err(|why| Problem::Changed(format!("the result {why}")))
        }
    }
}

/// Nested types deeper than this are not followed (no shape in the list needs it; guards against cycles).
const MAX_DEPTH: usize = 16;

/// Ok when type `id` has `shape`; otherwise a phrase like "is now bool; expected an unsigned integer".
fn matches_shape(
    types: &PortableRegistry,
    id: u32,
    shape: &Shape,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH || matches!(shape, Shape::Any) {
        return Ok(());
    }
    let id = unwrap_newtypes(types, id, shape);
    let Some(ty) = types.resolve(id) else {
        return Err(format!("refers to type {id}, which the metadata lacks"));
    };
    let wrong = |expected: &str| {
        Err(format!(
            "is now {}; expected {expected}",
            describe(types, id)
        ))
    };
    match (shape, &ty.type_def) {
        (Shape::Uint, TypeDef::Primitive(p)) if is_unsigned(p) => Ok(()),
        (Shape::Uint, _) => wrong("an unsigned integer"),
        (Shape::Bool, TypeDef::Primitive(TypeDefPrimitive::Bool)) => Ok(()),
        (Shape::Bool, _) => wrong("a bool"),
        (Shape::Account, TypeDef::Array(a)) if a.len == 32 && is_u8(types, a.type_param.id) => {
            Ok(())
        }
        (Shape::Account, _) => wrong("a 32-byte account id"),
        // Runtime-API structs carry names as Vec<Compact<u8>>; both decode to the same bytes.
        (Shape::Bytes, TypeDef::Sequence(s))
            if is_u8(types, unwrap_newtypes(types, s.type_param.id, &Shape::Uint)) =>
        {
            Ok(())
        }
        (Shape::Bytes, _) => wrong("bytes"),
        (Shape::Address, TypeDef::Variant(v)) => {
            let id_variant = v.variants.iter().find(|v| v.name == "Id");
            match id_variant.map(|v| v.fields.as_slice()) {
                Some([field]) => matches_shape(types, field.ty.id, &Shape::Account, depth + 1)
                    .map_err(|why| format!("has an Id variant that {why}")),
                _ => wrong("an address enum with an Id(account) variant"),
            }
        }
        (Shape::Address, _) => wrong("an address enum with an Id(account) variant"),
        (Shape::Option(inner), TypeDef::Variant(v)) if is_option(ty.path.segments.last(), v) => {
            let Some(some_ty) = v
                .variants
                .iter()
                .find(|v| v.name == "Some")
                .and_then(|v| v.fields.first())
            else {
                return wrong("an Option");
            };
            matches_shape(types, some_ty.ty.id, inner, depth + 1)
                .map_err(|why| format!("(inside Option) {why}"))
        }
        (Shape::Option(_), _) => wrong("an Option"),
        (Shape::Seq(inner), TypeDef::Sequence(s)) => {
            matches_shape(types, s.type_param.id, inner, depth + 1)
                .map_err(|why| format!("(list element) {why}"))
        }
        (Shape::Seq(_), _) => wrong("a list"),
        (Shape::Tuple(elems), TypeDef::Tuple(t)) if t.fields.len() == elems.len() => {
            for (i, (f, s)) in t.fields.iter().zip(elems.iter()).enumerate() {
                matches_shape(types, f.id, s, depth + 1)
                    .map_err(|why| format!("(tuple element {}) {why}", i + 1))?;
            }
            Ok(())
        }
        (Shape::Tuple(elems), _) => wrong(&format!("a tuple of {}", elems.len())),
        (Shape::Struct(fields), TypeDef::Composite(c)) => {
            for (name, s) in fields.iter() {
                let field = c.fields.iter().find(|f| f.name.as_deref() == Some(*name));
                let Some(field) = field else {
                    return Err(format!(
                        "is now {} without a field {name}",
                        describe(types, id)
                    ));
                };
                matches_shape(types, field.ty.id, s, depth + 1)
                    .map_err(|why| format!("(field {name}) {why}"))?;
            }
            Ok(())
        }
        (Shape::Struct(_), _) => wrong("a struct"),
        (Shape::Any, _) => Ok(()),
    }
}

/// Follows `Compact<T>` and single-field structs (newtypes like `NetUid(u16)`, `AccountId32([u8; 32])`,
/// `FixedU128 { bits: u128 }`) down to what they wrap, unless the expected shape is itself a struct.
fn unwrap_newtypes(types: &PortableRegistry, mut id: u32, shape: &Shape) -> u32 {
    for _ in 0..MAX_DEPTH {
        let Some(ty) = types.resolve(id) else {
            return id;
        };
        match &ty.type_def {
            TypeDef::Compact(c) => id = c.type_param.id,
            TypeDef::Composite(c) if c.fields.len() == 1 && !matches!(shape, Shape::Struct(_)) => {
                if let Some(f) = c.fields.first() {
                    id = f.ty.id;
                }
            }
            TypeDef::Tuple(t) if t.fields.len() == 1 && !matches!(shape, Shape::Tuple(_)) => {
                if let Some(f) = t.fields.first() {
                    id = f.id;
                }
            }
            _ => return id,
        }
    }
    id
}

fn is_unsigned(p: &TypeDefPrimitive) -> bool {
    matches!(
        p,
        TypeDefPrimitive::U8
            | TypeDefPrimitive::U16
            | TypeDefPrimitive::U32
            | TypeDefPrimitive::U64
            | TypeDefPrimitive::U128
            | TypeDefPrimitive::U256
    )
}

fn is_u8(types: &PortableRegistry, id: u32) -> bool {
    types
        .resolve(id)
        .is_some_and(|t| matches!(t.type_def, TypeDef::Primitive(TypeDefPrimitive::U8)))
}

fn is_option(
    last_segment: Option<&String>,
    v: &scale_info::TypeDefVariant<scale_info::form::PortableForm>,
) -> bool {
    last_segment.is_some_and(|s| s == "Option")
        || (v.variants.len() == 2
            && v.variants.iter().any(|v| v.name == "None")
            && v.variants.iter().any(|v| v.name == "Some"))
}

/// A short human name for a type: "bool", "u64", "struct StakeInfo", "enum MultiAddress", "list", ...
fn describe(types: &PortableRegistry, id: u32) -> String {
    let Some(ty) = types.resolve(id) else {
        return format!("type {id}");
    };
    let name = ty.path.segments.last().cloned();
    match &ty.type_def {
        TypeDef::Primitive(p) => format!("{p:?}").to_lowercase(),
        TypeDef::Composite(c) => format!(
            "a struct {}with {} field{}",
            name.map(|n| format!("{n} ")).unwrap_or_default(),
            c.fields.len(),
            if c.fields.len() == 1 { "" } else { "s" }
        ),
        TypeDef::Variant(_) => format!("an enum {}", name.unwrap_or_default()),
        TypeDef::Sequence(_) => "a list".into(),
        TypeDef::Array(a) => format!("an array of {}", a.len),
        TypeDef::Tuple(t) => format!("a tuple of {}", t.fields.len()),
        TypeDef::Compact(_) => "a compact integer".into(),
        TypeDef::BitSequence(_) => "a bit sequence".into(),
    }
}
