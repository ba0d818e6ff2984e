//! What the rebalance dialog turns into legs: a choice per position, the destination validators, the new stake,
//! and each leg with its words and the stake request that plans it.

use super::Rebalance;
use crate::action::{StakeKind, StakeRequest};
use crate::amount::{AlphaRao, Rao, Rounding};
use crate::chain::queries::PositionView;
use crate::model::input::TextInput;
use crate::risk::{Permit, RiskFlag, StakeTarget, stake_flags};

/// What happens to one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Keep,
    UnstakeAll,
    UnstakePart,
    MoveAll,
    MovePart,
}

impl Choice {
    const ORDER: [Choice; 5] = [
        Choice::Keep,
        Choice::UnstakeAll,
        Choice::UnstakePart,
        Choice::MoveAll,
        Choice::MovePart,
    ];

    pub(super) fn step(self, delta: isize) -> Choice {
        let n = Choice::ORDER.len();
        let i = Choice::ORDER.iter().position(|c| *c == self).unwrap_or(0);
        let next = (i + n).saturating_add_signed(delta) % n;
        Choice::ORDER.get(next).copied().unwrap_or(Choice::Keep)
    }

    pub fn label(self) -> &'static str {
        match self {
            Choice::Keep => "keep",
            Choice::UnstakeAll => "unstake all",
            Choice::UnstakePart => "unstake",
            Choice::MoveAll => "move all",
            Choice::MovePart => "move",
        }
    }

    pub fn takes_amount(self) -> bool {
        matches!(self, Choice::UnstakePart | Choice::MovePart)
    }

    pub fn moves(self) -> bool {
        matches!(self, Choice::MoveAll | Choice::MovePart)
    }
}

/// A validator on a subnet, chosen with the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub hotkey: String,
    pub name: Option<String>,
    pub netuid: u16,
    /// Its validator permit as the picker's list read it (for the new stake's risk flags).
    pub permit: Permit,
}

impl Dest {
    pub fn label(&self) -> String {
        format!(
            "{} on SN{}",
            name_or_short(&self.name, &self.hotkey),
            self.netuid
        )
    }
}

fn name_or_short(name: &Option<String>, hotkey: &str) -> String {
    name.clone()
        .unwrap_or_else(|| crate::ui::widgets::fmt::short(hotkey))
}

/// One marked position and what the user chose for it.
#[derive(Debug, Clone)]
pub struct Row {
    pub hotkey: String,
    pub name: Option<String>,
    pub netuid: u16,
    pub symbol: String,
    /// Alpha that can be unstaked or moved now (without the locked part on runtimes with locks).
    pub held: u64,
    pub choice: Choice,
    pub amount: TextInput,
    pub dest: Option<Dest>,
}

impl Row {
    pub fn from_position(p: &PositionView) -> Row {
        Row {
            hotkey: p.hotkey.ss58(),
            name: p.hotkey_name.clone(),
            netuid: p.netuid,
            symbol: p.symbol.clone(),
            held: p.available.unwrap_or(p.alpha).get(),
            choice: Choice::Keep,
            amount: TextInput::new(),
            dest: None,
        }
    }

    pub fn label(&self) -> String {
        format!(
            "{} on SN{}",
            name_or_short(&self.name, &self.hotkey),
            self.netuid
        )
    }

    pub fn alpha_text(&self, rao: u64) -> String {
        format!(
            "{} {}",
            AlphaRao(rao).format_alpha(4, Rounding::Down),
            self.symbol
        )
    }
}

/// The optional new stake: TAO to a validator on a subnet.
#[derive(Debug, Clone, Default)]
pub struct NewStake {
    pub amount: TextInput,
    pub dest: Option<Dest>,
}

impl NewStake {
    pub fn is_set(&self) -> bool {
        !self.amount.is_empty() || self.dest.is_some()
    }
}

/// One leg as the preview describes it, with the request that plans it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub words: String,
    pub request: StakeRequest,
    /// The symbols of the alpha the leg sells and receives, for its figures.
    pub sold_symbol: String,
    pub received_symbol: String,
}

impl Rebalance {
    fn symbol_of(&self, netuid: u16) -> String {
        self.subnets
            .iter()
            .find(|s| s.netuid == netuid)
            .map_or_else(|| "α".to_owned(), |s| s.symbol.clone())
    }

    /// The risks worth a warning before signing, as the stake form shows them, of every validator stake goes
    /// to: each move's destination and the new stake's.
    pub fn risk_flags(&self) -> Vec<RiskFlag> {
        let moved = self
            .rows
            .iter()
            .filter(|r| r.choice.moves())
            .filter_map(|r| r.dest.as_ref());
        let staked = self
            .new_stake
            .dest
            .as_ref()
            .filter(|_| self.new_stake.is_set());
        let mut flags: Vec<RiskFlag> = Vec::new();
        for d in moved.chain(staked) {
            let label = d.label();
            let target = StakeTarget {
                label: &label,
                netuid: d.netuid,
                permit: d.permit,
            };
            let standing = self
                .subnets
                .iter()
                .find(|s| s.netuid == d.netuid)
                .map(|s| &s.dereg);
            for flag in stake_flags(&target, standing) {
                // Two legs into the same validator or subnet are flagged once.
                if !flags.contains(&flag) {
                    flags.push(flag);
                }
            }
        }
        flags
    }

    /// The legs in order (the positions top to bottom, then the new stake), or the sentence saying what to fix.
    pub fn build_legs(&self) -> Result<Vec<Leg>, String> {
        let mut legs = Vec::new();
        let request = |kind, hotkey: &str, netuid, amount, all| StakeRequest {
            kind,
            wallet: self.wallet.clone(),
            hotkey: hotkey.to_owned(),
            netuid,
            amount,
            destination: None,
            destination_netuid: None,
            all,
            tolerance_bps: self.tolerance_bps,
            allow_partial: self.allow_partial,
            proxy: self.proxy.clone(),
            mev_shield: self.mev_shield,
        };
        for row in &self.rows {
            let label = row.label();
            let amount = || -> Result<u64, String> {
                let text = row.amount.trimmed();
                if text.is_empty() {
                    return Err(format!(
                        "{label}: type how much alpha to {}, or choose “{} all” with ←/→.",
                        row.choice.label(),
                        row.choice.label()
                    ));
                }
                let value = AlphaRao::parse_alpha(text)
                    .map_err(|e| {
                        format!("{label}: `{text}` is not an amount ({e}); type e.g. 12.5.")
                    })?
                    .get();
                if value == 0 {
                    return Err(format!("{label}: the amount must be more than zero."));
                }
                if value > row.held {
                    return Err(format!(
                        "{label}: {} is more than the {} it holds; type at most that, or choose “{} all”.",
                        row.alpha_text(value),
                        row.alpha_text(row.held),
                        row.choice.label()
                    ));
                }
                Ok(value)
            };
            let dest = || -> Result<&Dest, String> {
                let d = row.dest.as_ref().ok_or_else(|| {
                    format!("{label}: press Tab to choose the validator to move to.")
                })?;
                if d.hotkey == row.hotkey && d.netuid == row.netuid {
                    return Err(format!(
                        "{label}: that is where the stake already is; choose another validator or subnet."
                    ));
                }
                Ok(d)
            };
            let leg = match row.choice {
                Choice::Keep => continue,
                Choice::UnstakeAll => Leg {
                    words: format!("Unstake all {} of {label}", row.alpha_text(row.held)),
                    request: request(StakeKind::Unstake, &row.hotkey, row.netuid, row.held, true),
                    sold_symbol: row.symbol.clone(),
                    received_symbol: row.symbol.clone(),
                },
                Choice::UnstakePart => {
                    let a = amount()?;
                    Leg {
                        words: format!("Unstake {} from {label}", row.alpha_text(a)),
                        request: request(StakeKind::Unstake, &row.hotkey, row.netuid, a, false),
                        sold_symbol: row.symbol.clone(),
                        received_symbol: row.symbol.clone(),
                    }
                }
                Choice::MoveAll | Choice::MovePart => {
                    let all = row.choice == Choice::MoveAll;
                    let a = if all { row.held } else { amount()? };
                    let d = dest()?;
                    let mut r = request(StakeKind::Move, &row.hotkey, row.netuid, a, all);
                    r.destination = Some(d.hotkey.clone());
                    r.destination_netuid = (d.netuid != row.netuid).then_some(d.netuid);
                    Leg {
                        words: format!(
                            "Move {}{} from {label} to {}",
                            if all { "all " } else { "" },
                            row.alpha_text(a),
                            d.label()
                        ),
                        request: r,
                        sold_symbol: row.symbol.clone(),
                        received_symbol: if d.netuid == row.netuid {
                            row.symbol.clone()
                        } else {
                            self.symbol_of(d.netuid)
                        },
                    }
                }
            };
            legs.push(leg);
        }
        if self.new_stake.is_set() {
            let n = &self.new_stake;
            let text = n.amount.trimmed();
            if text.is_empty() {
                return Err("New stake: type how much TAO to stake, or clear it.".to_owned());
            }
            let value = Rao::parse_tao(text)
                .map_err(|e| format!("New stake: `{text}` is not an amount ({e}); type e.g. 2.5."))?
                .get();
            if value == 0 {
                return Err("New stake: the amount must be more than zero.".to_owned());
            }
            if value > self.free {
                return Err(format!(
                    "New stake: {} TAO is more than the {} TAO free; type less.",
                    Rao(value).format_tao(4, Rounding::Down),
                    Rao(self.free).format_tao(4, Rounding::Down)
                ));
            }
            let d = n.dest.as_ref().ok_or_else(|| {
                "New stake: press Tab to choose the validator to stake to.".to_owned()
            })?;
            legs.push(Leg {
                words: format!(
                    "Stake {} TAO to {}",
                    Rao(value).format_tao(4, Rounding::Down),
                    d.label()
                ),
                request: request(StakeKind::Stake, &d.hotkey, d.netuid, value, false),
                sold_symbol: self.symbol_of(d.netuid),
                received_symbol: self.symbol_of(d.netuid),
            });
        }
        if legs.is_empty() {
            return Err(
                "Nothing to do: every position is set to keep. Choose what happens to one with ←/→, or add a new \
                 stake on the last row."
                    .to_owned(),
            );
        }
        Ok(legs)
    }
}
