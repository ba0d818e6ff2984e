//! Which features work on the connected runtime.
//!
//! Each feature (balances, positions, prices, each call the app signs, ...) declares what it needs from the runtime
//! as a [`Feature`] static next to the code that reads or calls those items (`queries::needs`, `extrinsics::needs`,
//! ...). At connect, and again after every runtime upgrade, [`FeatureTable::build`] checks every declared item once
//! and gives each feature a verdict. Only [`CONNECT`] (what every screen needs) can stop a connection; any other
//! missing or reshaped item switches off just the features that need it, and those features say in one sentence
//! what is missing on which runtime (`positions need StakeInfoRuntimeApi.get_stake_info_for_coldkey on runtime
//! 480: ...`). Code asks [`FeatureTable::require`] where it acts and again before signing.

use std::collections::{BTreeMap, BTreeSet};

use subxt::Metadata;

use super::error::{ChainError, RuntimeMismatch};
use super::runtime_check::{Item, Problem, Shape, check_item};

/// One thing a feature needs from the runtime.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// This item, in this shape.
    Item(Item),
    /// One of several ways to do the same thing, best first: the first alternative whose items all check out is
    /// used. `label` names the need in sentences ("a price source").
    AnyOf {
        label: &'static str,
        alternatives: &'static [&'static [Item]],
    },
    /// Used when the runtime has it (a better or richer path); without it the feature still works.
    Optional(Item),
}

/// A feature of the app and what it needs from the runtime.
#[derive(Debug)]
pub struct Feature {
    /// Stable identifier for `doctor --json` and tests: "positions", "stake.add", ...
    pub id: &'static str,
    /// Plural-agnostic noun phrase used in sentences: "positions", "staking (add_stake)".
    pub name: &'static str,
    /// Part of the nominator's core (balances, positions, prices, stake/unstake/transfer): `doctor` fails without it.
    pub core: bool,
    pub needs: &'static [Need],
}

/// Whether a feature works on a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Works,
    /// Works without some optional items (each note names the item and why).
    Reduced(Vec<String>),
    /// Does not work; each reason names the item and why.
    Off(Vec<String>),
}

impl Status {
    pub fn works(&self) -> bool {
        !matches!(self, Status::Off(_))
    }

    /// "works", "reduced" or "off" (for JSON).
    pub fn label(&self) -> &'static str {
        match self {
            Status::Works => "works",
            Status::Reduced(_) => "reduced",
            Status::Off(_) => "off",
        }
    }
}

/// What every screen needs: without these the app cannot even show a balance, so connecting fails.
pub static CONNECT: Feature = Feature {
    id: "connect",
    name: "the connection",
    core: true,
    needs: &[
        Need::Item(Item::Storage {
            pallet: "System",
            name: "Number",
            keys: &[],
            value: Shape::Uint,
        }),
        Need::Item(Item::Constant {
            pallet: "System",
            name: "SS58Prefix",
            shape: Shape::Uint,
        }),
        Need::Item(Item::Constant {
            pallet: "Balances",
            name: "ExistentialDeposit",
            shape: Shape::Uint,
        }),
    ],
};

/// Every feature the app has, in the order `doctor` lists them.
pub fn all() -> Vec<&'static Feature> {
    let mut all = vec![&CONNECT];
    all.extend(super::queries::needs::FEATURES.iter().copied());
    all.extend(super::extrinsics::needs::FEATURES.iter().copied());
    all
}

/// The verdict for every item and feature on one runtime.
#[derive(Debug, Clone)]
pub struct FeatureTable {
    spec_version: u32,
    /// Item path ("SubtensorModule.add_stake") -> why it cannot be used; absent when it can.
    problems: BTreeMap<String, Problem>,
    /// Every item path checked (usable or not).
    checked: BTreeSet<String>,
    statuses: Vec<(&'static Feature, Status)>,
}

impl FeatureTable {
    /// Checks every item of every feature in [`all`] against `metadata` (of runtime `spec_version`).
    pub fn build(metadata: &Metadata, spec_version: u32) -> FeatureTable {
        Self::build_for(metadata, spec_version, &all())
    }

    /// [`FeatureTable::build`] for an explicit list of features (tests, and callers with their own features).
    pub fn build_for(
        metadata: &Metadata,
        spec_version: u32,
        features: &[&'static Feature],
    ) -> FeatureTable {
        let mut table = FeatureTable {
            spec_version,
            problems: BTreeMap::new(),
            checked: BTreeSet::new(),
            statuses: Vec::new(),
        };
        for feature in features {
            for need in feature.needs {
                for item in need_items(need) {
                    let path = item.path();
                    if table.checked.insert(path.clone())
                        && let Err(problem) = check_item(metadata, item)
                    {
                        table.problems.insert(path, problem);
                    }
                }
            }
        }
        for feature in features {
            let status = table.status_of(feature);
            table.statuses.push((*feature, status));
        }
        table
    }

    fn status_of(&self, feature: &Feature) -> Status {
        let mut off = Vec::new();
        let mut reduced = Vec::new();
        for need in feature.needs {
            match need {
                Need::Item(item) => {
                    if let Some(p) = self.problems.get(&item.path()) {
                        off.push(format!("{} ({p})", item.path()));
                    }
                }
                Need::AnyOf {
                    label,
                    alternatives,
                } => {
                    if !alternatives
                        .iter()
                        .any(|alt| alt.iter().all(|i| self.usable_item(i)))
                    {
                        let tried: Vec<String> = alternatives
                            .iter()
                            .map(|alt| {
                                alt.iter()
                                    .filter_map(|i| {
                                        self.problems
                                            .get(&i.path())
                                            .map(|p| format!("{} ({p})", i.path()))
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            })
                            .collect();
                        off.push(format!("{label}: {}", tried.join(", or ")));
                    }
                }
                Need::Optional(item) => {
                    if let Some(p) = self.problems.get(&item.path()) {
                        // A missing optional item is normal on older or newer runtimes; a reshaped one is worth a note.
                        if let Problem::Changed(_) = p {
                            reduced.push(format!("{} is not used ({p})", item.path()));
                        }
                    }
                }
            }
        }
        if !off.is_empty() {
            Status::Off(off)
        } else if !reduced.is_empty() {
            Status::Reduced(reduced)
        } else {
            Status::Works
        }
    }

    fn usable_item(&self, item: &Item) -> bool {
        !self.problems.contains_key(&item.path())
    }

    pub fn spec_version(&self) -> u32 {
        self.spec_version
    }

    /// Whether the runtime has the item at `path` ("SwapRuntimeApi.current_alpha_price_all") in the expected shape.
    /// False for items no feature declares: declare an item before deciding a code path on it.
    pub fn usable(&self, path: &str) -> bool {
        self.checked.contains(path) && !self.problems.contains_key(path)
    }

    /// The status of `feature` (Off when it was not part of the table).
    pub fn status(&self, feature: &Feature) -> Status {
        self.statuses
            .iter()
            .find(|(f, _)| f.id == feature.id)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| Status::Off(vec!["not checked on this runtime".into()]))
    }

    /// Every feature with its status, in declaration order.
    pub fn statuses(&self) -> &[(&'static Feature, Status)] {
        &self.statuses
    }

    /// Ok when `feature` works here; otherwise the sentence saying what is missing on which runtime.
    pub fn require(&self, feature: &Feature) -> Result<(), ChainError> {
        match self.status(feature) {
            Status::Off(reasons) => Err(ChainError::FeatureUnavailable {
                feature: feature.name.to_string(),
                spec_version: self.spec_version,
                reasons: reasons.join("; "),
            }),
            _ => Ok(()),
        }
    }

    /// One sentence per feature that is off, for status lines and logs.
    pub fn off_sentences(&self) -> Vec<String> {
        self.statuses
            .iter()
            .filter_map(|(f, s)| match s {
                Status::Off(reasons) => Some(format!(
                    "{} need {} on runtime {}",
                    f.name,
                    reasons.join("; "),
                    self.spec_version
                )),
                _ => None,
            })
            .collect()
    }

    /// The features that are off (ids).
    pub fn off_ids(&self) -> Vec<&'static str> {
        self.statuses
            .iter()
            .filter(|(_, s)| !s.works())
            .map(|(f, _)| f.id)
            .collect()
    }

    /// Whether every core feature works (balances, positions, prices, stake/unstake/transfer calls).
    pub fn core_works(&self) -> bool {
        self.statuses.iter().all(|(f, s)| !f.core || s.works())
    }

    /// The problems of [`CONNECT`]'s items, as the mismatches of a runtime the app cannot use at all.
    pub fn connect_mismatches(&self) -> Vec<RuntimeMismatch> {
        CONNECT
            .needs
            .iter()
            .flat_map(need_items)
            .filter_map(|item| {
                self.problems.get(&item.path()).map(|p| RuntimeMismatch {
                    item: item.path(),
                    detail: p.to_string(),
                })
            })
            .collect()
    }
}

fn need_items(need: &Need) -> Vec<&Item> {
    match need {
        Need::Item(item) | Need::Optional(item) => vec![item],
        Need::AnyOf { alternatives, .. } => alternatives.iter().flat_map(|a| a.iter()).collect(),
    }
}

/// Optional runtime items found in the connected runtime, as flags for the code paths that choose between them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `SwapRuntimeApi.sim_swap_tao_for_alpha` and `sim_swap_alpha_for_tao` both usable (spec 346+).
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
    /// `SubtensorModule.move_stake_limit` (after 424).
    pub move_stake_limit: bool,
    /// `StakeInfoRuntimeApi.get_stake_fee`.
    pub stake_fee: bool,
    /// `StakeInfoRuntimeApi.get_stake_availability_for_coldkeys` (locks, 424+).
    pub stake_availability: bool,
    /// `SubtensorModule.TokenSymbol` (a subnet's own symbol).
    pub token_symbol: bool,
    /// `Swap.SwapV3Initialized` and `Swap.AlphaSqrtPrice` (concentrated-liquidity pool price).
    pub swap_v3_price: bool,
}

impl FeatureTable {
    /// The optional items as flags.
    pub fn capabilities(&self) -> Capabilities {
        use super::extrinsics::needs as x;
        use super::queries::needs as q;
        let has = |item: &Item| self.usable(&item.path());
        Capabilities {
            sim_swap: has(&x::SIM_SWAP_TAO_FOR_ALPHA) && has(&x::SIM_SWAP_ALPHA_FOR_TAO),
            current_alpha_price: has(&q::CURRENT_ALPHA_PRICE),
            current_alpha_price_all: has(&q::CURRENT_ALPHA_PRICE_ALL),
            tao_dividends_per_subnet: has(&q::TAO_DIVIDENDS),
            root_alpha_dividends_per_subnet: has(&q::ROOT_ALPHA_DIVIDENDS),
            subnet_identities_v2: has(&q::SUBNET_IDENTITIES_V2),
            transfer_stake: has(&x::TRANSFER_STAKE),
            remove_stake_full_limit: has(&x::REMOVE_STAKE_FULL_LIMIT),
            move_stake_limit: has(&x::MOVE_STAKE_LIMIT),
            stake_fee: has(&x::STAKE_FEE),
            stake_availability: has(&q::STAKE_AVAILABILITY),
            token_symbol: has(&q::TOKEN_SYMBOL),
            swap_v3_price: has(&q::SWAP_V3_INITIALIZED) && has(&q::ALPHA_SQRT_PRICE),
        }
    }
}
