//! Risk labels shown before staking: how long a validator and a subnet have been around, whether the validator
//! can earn dividends at all (a validator permit), and where a subnet stands for deregistration under the rule of
//! the runtime at hand. Pure: the chain reads fill in the figures, the screens and the CLI show them.

use std::collections::BTreeMap;

/// Blocks per day at Subtensor's 12-second block time.
pub const BLOCKS_PER_DAY: u64 = 7_200;
const BLOCKS_PER_HOUR: u64 = 300;
const BLOCKS_PER_MINUTE: u64 = 5;

/// How many of the lowest-priced subnets outside immunity are flagged once the subnet list is full: one is pruned
/// per registration, and registrations can follow each other a rate limit apart, so the next few are at risk.
pub const DEREG_RISK_RANKS: u16 = 3;

/// The first runtime that prunes subnets: it brought `SubtensorModule.SubnetLimitReached`, the price rule in
/// `do_register_network` and `SubnetInfoRuntimeApi.get_subnet_to_prune` together (opentensor/subtensor, Sep 2025).
/// Before it a new subnet always took a free netuid and none was ever deregistered.
pub const FIRST_PRUNING_SPEC: u32 = 320;

/// `1.0` as the raw bits of Subtensor's `I96F32` moving price: root and stable subnets are priced 1 by the rule.
pub const MOVING_PRICE_ONE: u128 = 1 << 32;

/// What the connected runtime does to existing subnets when a new one registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeregRule {
    /// A new subnet takes a free netuid; no subnet is ever pruned (runtimes before [`FIRST_PRUNING_SPEC`]).
    NoPruning,
    /// Once `limit` subnets (root left out) exist, registering another prunes the subnet outside its immunity
    /// (`immunity_period` blocks from registration) with the lowest moving price; on a tie the earliest registered.
    LowestPrice { limit: u16, immunity_period: u64 },
    /// The rule cannot be told on this runtime; the sentence says what is missing.
    Unknown(String),
}

/// What the rule looks at for one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetDeregFacts {
    pub netuid: u16,
    /// `NetworkRegisteredAt`.
    pub registered_at: u64,
    /// `SubnetMovingPrice` as raw `I96F32` bits ([`MOVING_PRICE_ONE`] for stable subnets).
    pub moving_price: u128,
}

/// Where one subnet stands for deregistration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeregStanding {
    /// The root subnet is never pruned.
    Root,
    /// This runtime never prunes subnets.
    NotPruned,
    /// Inside its immunity after registration: it cannot be pruned for `blocks_left` more blocks.
    Immune { blocks_left: u64 },
    /// Outside immunity, `rank` among `of` such subnets from the lowest moving price (1 is pruned next);
    /// `full` when the subnet list is at its limit, so the next registration prunes one.
    Ranked { rank: u16, of: u16, full: bool },
    /// Not known here; the sentence says why.
    Unknown(String),
}

impl DeregStanding {
    /// Whether a stake into this subnet should be flagged: the list is full and it is among the next to go.
    pub fn at_risk(&self) -> bool {
        matches!(self, DeregStanding::Ranked { rank, full: true, .. } if *rank <= DEREG_RISK_RANKS)
    }

    /// Stable identifier for JSON.
    pub fn code(&self) -> &'static str {
        match self {
            DeregStanding::Root => "root",
            DeregStanding::NotPruned => "not_pruned",
            DeregStanding::Immune { .. } => "immune",
            DeregStanding::Ranked { .. } => "ranked",
            DeregStanding::Unknown(_) => "unknown",
        }
    }

    /// A table cell: "never", "immune 4d", "1/12 next", "5/12", "?".
    pub fn short(&self) -> String {
        match self {
            DeregStanding::Root | DeregStanding::NotPruned => "never".to_owned(),
            DeregStanding::Immune { blocks_left } => format!("immune {}", age_text(*blocks_left)),
            DeregStanding::Ranked { rank, of, full } => {
                let mark = if self.at_risk() {
                    if *rank == 1 { " next" } else { " risk" }
                } else if *full {
                    ""
                } else {
                    " ok"
                };
                format!("{rank}/{of}{mark}")
            }
            DeregStanding::Unknown(_) => "?".to_owned(),
        }
    }

    /// One sentence for the stake preview and the help text.
    pub fn sentence(&self) -> String {
        match self {
            DeregStanding::Root => "the root subnet is never deregistered".to_owned(),
            DeregStanding::NotPruned => {
                "this runtime never deregisters subnets (a new subnet takes a free netuid)"
                    .to_owned()
            }
            DeregStanding::Immune { blocks_left } => format!(
                "it is in its registration immunity for {} more and cannot be deregistered before",
                age_text(*blocks_left)
            ),
            DeregStanding::Ranked { rank, of, full } => {
                let place = if *rank == 1 {
                    format!("it has the lowest moving price of the {of} subnets outside immunity")
                } else {
                    format!(
                        "it has the {} lowest moving price of the {of} subnets outside immunity",
                        ordinal(*rank)
                    )
                };
                if *full {
                    format!(
                        "{place}; the subnet list is full, so each new subnet prunes the lowest-priced one"
                    )
                } else {
                    format!(
                        "{place}; the subnet list has room, so no subnet is pruned until it fills up"
                    )
                }
            }
            DeregStanding::Unknown(why) => format!("its deregistration standing is unknown: {why}"),
        }
    }
}

fn ordinal(n: u16) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The standing of every subnet in `subnets` at block `now` under `rule`. `runtime_next` is the runtime's own
/// answer to "which subnet would be pruned" (`get_subnet_to_prune`) where it has one: it wins over this
/// computation if the two disagree, since the runtime applies its rule and ours may lag a change of it.
pub fn dereg_standings(
    rule: &DeregRule,
    now: u64,
    subnets: &[SubnetDeregFacts],
    runtime_next: Option<u16>,
) -> BTreeMap<u16, DeregStanding> {
    let mut out = BTreeMap::new();
    let (limit, immunity_period) = match rule {
        DeregRule::NoPruning => {
            for s in subnets {
                let standing = if s.netuid == 0 {
                    DeregStanding::Root
                } else {
                    DeregStanding::NotPruned
                };
                out.insert(s.netuid, standing);
            }
            return out;
        }
        DeregRule::Unknown(why) => {
            for s in subnets {
                let standing = if s.netuid == 0 {
                    DeregStanding::Root
                } else {
                    DeregStanding::Unknown(why.clone())
                };
                out.insert(s.netuid, standing);
            }
            return out;
        }
        DeregRule::LowestPrice {
            limit,
            immunity_period,
        } => (*limit, *immunity_period),
    };
    let count = subnets.iter().filter(|s| s.netuid != 0).count();
    let full = count >= usize::from(limit);
    let mut candidates: Vec<&SubnetDeregFacts> = Vec::new();
    for s in subnets {
        if s.netuid == 0 {
            out.insert(0, DeregStanding::Root);
            continue;
        }
        let immune_until = s.registered_at.saturating_add(immunity_period);
        if now < immune_until {
            out.insert(
                s.netuid,
                DeregStanding::Immune {
                    blocks_left: immune_until - now,
                },
            );
        } else {
            candidates.push(s);
        }
    }
    candidates.sort_by_key(|s| (s.moving_price, s.registered_at, s.netuid));
    if let Some(next) = runtime_next
        && let Some(pos) = candidates.iter().position(|s| s.netuid == next)
    {
        let chosen = candidates.remove(pos);
        candidates.insert(0, chosen);
    }
    let of = u16::try_from(candidates.len()).unwrap_or(u16::MAX);
    for (i, s) in candidates.iter().enumerate() {
        out.insert(
            s.netuid,
            DeregStanding::Ranked {
                rank: u16::try_from(i + 1).unwrap_or(u16::MAX),
                of,
                full,
            },
        );
    }
    out
}

/// Whether a neuron registered at `registered_at` is still in its subnet's immunity at block `now` (the runtime's
/// test: fewer than `immunity_period` blocks since registration).
pub fn neuron_immune(now: u64, registered_at: u64, immunity_period: u64) -> bool {
    now.saturating_sub(registered_at) < immunity_period
}

/// `part` of `total` in basis points, rounded down; `None` when the total is zero.
pub fn share_bps(part: u64, total: u128) -> Option<u32> {
    if total == 0 {
        return None;
    }
    let bps = u128::from(part) * 10_000 / total;
    Some(u32::try_from(bps.min(10_000)).unwrap_or(10_000))
}

/// Whole days in `blocks`, rounded down.
pub fn days(blocks: u64) -> u64 {
    blocks / BLOCKS_PER_DAY
}

/// A span of blocks as "12d", "5h" or "40m" (rounded down to the largest whole unit).
pub fn age_text(blocks: u64) -> String {
    if blocks >= BLOCKS_PER_DAY {
        format!("{}d", blocks / BLOCKS_PER_DAY)
    } else if blocks >= BLOCKS_PER_HOUR {
        format!("{}h", blocks / BLOCKS_PER_HOUR)
    } else {
        format!("{}m", blocks / BLOCKS_PER_MINUTE)
    }
}

/// Basis points as "12.34 %".
pub fn bps_text(bps: u32) -> String {
    format!("{}.{:02} %", bps / 100, bps % 100)
}

/// A risk worth a warning before staking: a stable code for JSON and the sentence users read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RiskFlag {
    pub code: &'static str,
    pub sentence: String,
    /// The same in a few words, for a dialog line.
    #[serde(skip)]
    pub short: String,
}

/// The validator being staked to, as far as the flags need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakeTarget<'a> {
    /// Its identity name, or its address.
    pub label: &'a str,
    pub netuid: u16,
    pub permit: Permit,
}

/// Whether a hotkey holds a validator permit on a subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Holds,
    Lacks,
    /// The hotkey has no uid on the subnet.
    NotRegistered,
    /// The runtime could not tell (the items are missing).
    Unknown,
}

impl From<bool> for Permit {
    fn from(holds: bool) -> Permit {
        if holds { Permit::Holds } else { Permit::Lacks }
    }
}

/// The flags for a stake into `target` on a subnet standing at `standing`.
pub fn stake_flags(target: &StakeTarget<'_>, standing: Option<&DeregStanding>) -> Vec<RiskFlag> {
    let mut flags = Vec::new();
    let n = target.netuid;
    // Root (0) has its own validator set; its permits are not per-subnet weights.
    if n != 0 {
        match target.permit {
            Permit::Lacks => flags.push(RiskFlag {
                code: "no_validator_permit",
                sentence: format!(
                    "{} holds no validator permit on subnet {n}: it earns no validator dividends, so this stake \
                     earns nothing until it wins one.",
                    target.label
                ),
                short: format!("No validator permit on subnet {n}: no dividends until it wins one."),
            }),
            Permit::NotRegistered => flags.push(RiskFlag {
                code: "not_registered",
                sentence: format!(
                    "{} is not registered on subnet {n}: it earns no dividends there.",
                    target.label
                ),
                short: format!("Not registered on subnet {n}: no dividends there."),
            }),
            Permit::Holds | Permit::Unknown => {}
        }
    }
    if let Some(s) = standing
        && s.at_risk()
    {
        flags.push(RiskFlag {
            code: "subnet_deregistration_risk",
            sentence: format!(
                "Subnet {n} is at deregistration risk: {}. A pruned subnet is dissolved and its stakers are paid \
                 out from its pool.",
                s.sentence()
            ),
            short: format!(
                "Subnet {n} at deregistration risk ({}): a new subnet can get it pruned.",
                s.short()
            ),
        });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(netuid: u16, registered_at: u64, price: u128) -> SubnetDeregFacts {
        SubnetDeregFacts {
            netuid,
            registered_at,
            moving_price: price,
        }
    }

    const RULE: DeregRule = DeregRule::LowestPrice {
        limit: 3,
        immunity_period: 100,
    };

    #[test]
    fn lowest_moving_price_outside_immunity_is_next_and_root_is_never_ranked() {
        let subnets = [
            facts(0, 0, MOVING_PRICE_ONE),
            facts(1, 10, 50),
            facts(2, 20, 10),
            facts(3, 950, 1),
        ];
        let s = dereg_standings(&RULE, 1_000, &subnets, None);
        assert_eq!(s[&0], DeregStanding::Root);
        // Subnet 3 is the cheapest but registered 50 blocks ago: immune, not ranked.
        assert_eq!(s[&3], DeregStanding::Immune { blocks_left: 50 });
        assert_eq!(
            s[&2],
            DeregStanding::Ranked {
                rank: 1,
                of: 2,
                full: true
            }
        );
        assert_eq!(
            s[&1],
            DeregStanding::Ranked {
                rank: 2,
                of: 2,
                full: true
            }
        );
        assert!(s[&2].at_risk() && s[&1].at_risk());
        assert!(!s[&3].at_risk() && !s[&0].at_risk());
        assert_eq!(s[&2].short(), "1/2 next");
    }

    #[test]
    fn a_tie_on_price_goes_to_the_earliest_registered() {
        let subnets = [facts(5, 30, 7), facts(4, 20, 7), facts(6, 10, 8)];
        let s = dereg_standings(&RULE, 1_000, &subnets, None);
        assert_eq!(
            s[&4],
            DeregStanding::Ranked {
                rank: 1,
                of: 3,
                full: true
            }
        );
        assert_eq!(
            s[&5],
            DeregStanding::Ranked {
                rank: 2,
                of: 3,
                full: true
            }
        );
    }

    #[test]
    fn a_list_with_room_flags_nothing() {
        let rule = DeregRule::LowestPrice {
            limit: 10,
            immunity_period: 100,
        };
        let s = dereg_standings(&rule, 1_000, &[facts(1, 0, 1), facts(2, 0, 2)], None);
        assert_eq!(
            s[&1],
            DeregStanding::Ranked {
                rank: 1,
                of: 2,
                full: false
            }
        );
        assert!(!s[&1].at_risk());
        assert_eq!(s[&1].short(), "1/2 ok");
        assert!(s[&1].sentence().contains("has room"));
    }

    #[test]
    fn only_the_lowest_few_are_at_risk() {
        let subnets: Vec<_> = (1..=6).map(|n| facts(n, 0, u128::from(n))).collect();
        let rule = DeregRule::LowestPrice {
            limit: 6,
            immunity_period: 0,
        };
        let s = dereg_standings(&rule, 10, &subnets, None);
        let at_risk: Vec<u16> = (1..=6).filter(|n| s[n].at_risk()).collect();
        assert_eq!(at_risk, vec![1, 2, 3]);
        assert_eq!(s[&4].short(), "4/6");
    }

    #[test]
    fn the_runtime_answer_wins_over_the_computed_one() {
        let subnets = [facts(1, 0, 1), facts(2, 0, 2), facts(3, 0, 3)];
        let s = dereg_standings(&RULE, 1_000, &subnets, Some(3));
        assert_eq!(
            s[&3],
            DeregStanding::Ranked {
                rank: 1,
                of: 3,
                full: true
            }
        );
        assert_eq!(
            s[&1],
            DeregStanding::Ranked {
                rank: 2,
                of: 3,
                full: true
            }
        );
        // An answer naming a subnet we do not rank (immune, unknown) changes nothing.
        let s = dereg_standings(&RULE, 1_000, &subnets, Some(9));
        assert_eq!(
            s[&1],
            DeregStanding::Ranked {
                rank: 1,
                of: 3,
                full: true
            }
        );
    }

    #[test]
    fn a_runtime_without_pruning_or_an_unknown_rule_flags_nothing() {
        let subnets = [facts(0, 0, 0), facts(1, 0, 0)];
        let s = dereg_standings(&DeregRule::NoPruning, 1_000, &subnets, None);
        assert_eq!(s[&0], DeregStanding::Root);
        assert_eq!(s[&1], DeregStanding::NotPruned);
        assert_eq!(s[&1].short(), "never");
        let s = dereg_standings(&DeregRule::Unknown("why".into()), 1_000, &subnets, None);
        assert_eq!(s[&1], DeregStanding::Unknown("why".into()));
        assert!(!s[&1].at_risk());
        assert!(s[&1].sentence().ends_with("why"));
    }

    #[test]
    fn neuron_immunity_is_fewer_blocks_than_the_period() {
        assert!(neuron_immune(1_099, 1_000, 100));
        assert!(!neuron_immune(1_100, 1_000, 100));
        assert!(!neuron_immune(5, 0, 0));
        // A registration block after `now` (a stale read) counts as just registered.
        assert!(neuron_immune(10, 20, 1));
    }

    #[test]
    fn shares_ages_and_percentages_are_rounded_down() {
        assert_eq!(share_bps(1, 3), Some(3_333));
        assert_eq!(share_bps(5, 5), Some(10_000));
        assert_eq!(share_bps(0, 0), None);
        assert_eq!(bps_text(3_333), "33.33 %");
        assert_eq!(bps_text(5), "0.05 %");
        assert_eq!(age_text(7_199), "23h");
        assert_eq!(age_text(7_200 * 12 + 5), "12d");
        assert_eq!(age_text(299), "59m");
        assert_eq!(days(7_199), 0);
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(23), "23rd");
    }

    #[test]
    fn a_stake_is_flagged_for_a_missing_permit_and_a_subnet_at_risk() {
        let at_risk = DeregStanding::Ranked {
            rank: 1,
            of: 4,
            full: true,
        };
        let target = StakeTarget {
            label: "Alpha",
            netuid: 3,
            permit: Permit::Lacks,
        };
        let flags = stake_flags(&target, Some(&at_risk));
        let codes: Vec<_> = flags.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["no_validator_permit", "subnet_deregistration_risk"]);
        assert!(
            flags[1]
                .sentence
                .starts_with("Subnet 3 is at deregistration risk: it has the lowest")
        );
        let fine = StakeTarget {
            permit: Permit::Holds,
            ..target.clone()
        };
        assert!(stake_flags(&fine, Some(&DeregStanding::NotPruned)).is_empty());
        assert_eq!(
            stake_flags(
                &StakeTarget {
                    permit: Permit::NotRegistered,
                    ..target.clone()
                },
                None
            )[0]
            .code,
            "not_registered"
        );
        let unknown = StakeTarget {
            permit: Permit::Unknown,
            ..target.clone()
        };
        assert!(stake_flags(&unknown, None).is_empty());
        // Root: permits are not flagged.
        assert!(
            stake_flags(
                &StakeTarget {
                    netuid: 0,
                    ..target
                },
                Some(&DeregStanding::Root)
            )
            .is_empty()
        );
    }
}
