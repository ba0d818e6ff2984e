//! Whether a call is shielded, sent in the clear, or refused: a pure function of what the chain and the user said.
//!
//! Shielding never falls back to the clear on its own: when the runtime has `MevShield` but shielding cannot be
//! done, the answer is a refusal that says how to send in the clear on purpose.

use crate::amount::Rao;

use super::blob::{KEY_LEN, MAX_BLOB_LEN};

/// The one line every refusal ends with.
pub const HOW_TO_SEND_CLEAR: &str = "to send it in the clear instead, pass --no-mev-shield (or set mev_shield = false in the config)";

/// What the runtime offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PalletShape {
    /// No `MevShield` pallet (spec 293).
    Absent,
    /// `submit_encrypted(ciphertext)` (393 and later).
    Carrier,
    /// `submit_encrypted` with arguments taotui does not build (365's `(commitment, ciphertext)`, whose payload
    /// was not a signed extrinsic).
    UnsupportedCarrier { args: Vec<String> },
}

/// Everything the decision needs; amounts in rao.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub opted_out: bool,
    pub pallet: PalletShape,
    /// `MevShield.NextKey` at the block the preview is built on.
    pub next_key_len: Option<usize>,
    /// Length of the blob the signed inner extrinsic makes.
    pub blob_len: usize,
    /// Free balance that can pay (free minus frozen).
    pub spendable: Rao,
    /// What the inner call takes from it: its fee plus the TAO it spends.
    pub inner_cost: Rao,
    /// The carrier's fee (`TransactionPaymentApi.query_info` on the carrier).
    pub carrier_fee: Rao,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Shield,
    Clear(ClearReason),
    Refuse(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearReason {
    OptedOut,
    NoPallet,
    /// Only stake-trading calls are shielded (a TAO transfer has no price to move).
    NotStakeTrading,
}

impl ClearReason {
    /// The line the preview shows.
    pub fn sentence(self) -> &'static str {
        match self {
            ClearReason::OptedOut => "not shielded: sent in the clear as asked",
            ClearReason::NoPallet => "not shielded: this runtime has no MevShield",
            ClearReason::NotStakeTrading => "not shielded: only stake trades need it",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoKey,
    BadKey { len: usize },
    TooLarge { len: usize },
    FeeShort { carrier_fee: Rao, available: Rao },
    UnsupportedCarrier { args: Vec<String> },
}

impl Refusal {
    /// One sentence: why, then how to send in the clear.
    pub fn sentence(&self) -> String {
        let why = match self {
            Refusal::NoKey => {
                "The chain has no MEV shield key this block (MevShield.NextKey is empty), so the \
                 transaction cannot be shielded; try again in a few blocks, or"
                    .to_owned()
            }
            Refusal::BadKey { len } => format!(
                "The chain's MEV shield key is {len} bytes, not the {KEY_LEN} of an ML-KEM-768 key, so the \
                 transaction cannot be shielded;"
            ),
            Refusal::TooLarge { len } => format!(
                "The shielded transaction would be {len} bytes, over the MEV shield limit of {MAX_BLOB_LEN};"
            ),
            Refusal::FeeShort {
                carrier_fee,
                available,
            } => format!(
                "Shielding costs an extra fee of {carrier_fee} that the free balance cannot pay ({available} left \
                 after the transaction itself);"
            ),
            Refusal::UnsupportedCarrier { args } => format!(
                "This runtime's MevShield.submit_encrypted takes ({}), an older format taotui does not build;",
                args.join(", ")
            ),
        };
        format!("{why} {HOW_TO_SEND_CLEAR}.")
    }
}

pub fn decide(f: &Facts) -> Decision {
    if f.opted_out {
        return Decision::Clear(ClearReason::OptedOut);
    }
    match &f.pallet {
        PalletShape::Absent => return Decision::Clear(ClearReason::NoPallet),
        PalletShape::UnsupportedCarrier { args } => {
            return Decision::Refuse(Refusal::UnsupportedCarrier { args: args.clone() });
        }
        PalletShape::Carrier => {}
    }
    match f.next_key_len {
        None | Some(0) => return Decision::Refuse(Refusal::NoKey),
        Some(len) if len != KEY_LEN => return Decision::Refuse(Refusal::BadKey { len }),
        Some(_) => {}
    }
    if f.blob_len > MAX_BLOB_LEN {
        return Decision::Refuse(Refusal::TooLarge { len: f.blob_len });
    }
    let available = f.spendable.saturating_sub(f.inner_cost);
    if available < f.carrier_fee {
        return Decision::Refuse(Refusal::FeeShort {
            carrier_fee: f.carrier_fee,
            available,
        });
    }
    Decision::Shield
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn ok() -> Facts {
        Facts {
            opted_out: false,
            pallet: PalletShape::Carrier,
            next_key_len: Some(KEY_LEN),
            blob_len: 1400,
            spendable: Rao(10_000_000_000),
            inner_cost: Rao(2_000_000_000),
            carrier_fee: Rao(100_000),
        }
    }

    #[test]
    fn the_decision_table() {
        let cases: Vec<(Facts, Decision)> = vec![
            (ok(), Decision::Shield),
            (
                Facts {
                    opted_out: true,
                    next_key_len: None,
                    ..ok()
                },
                Decision::Clear(ClearReason::OptedOut),
            ),
            (
                Facts {
                    pallet: PalletShape::Absent,
                    next_key_len: None,
                    ..ok()
                },
                Decision::Clear(ClearReason::NoPallet),
            ),
            (
                Facts {
                    next_key_len: None,
                    ..ok()
                },
                Decision::Refuse(Refusal::NoKey),
            ),
            (
                Facts {
                    next_key_len: Some(0),
                    ..ok()
                },
                Decision::Refuse(Refusal::NoKey),
            ),
            (
                Facts {
                    next_key_len: Some(800),
                    ..ok()
                },
                Decision::Refuse(Refusal::BadKey { len: 800 }),
            ),
            (
                Facts {
                    blob_len: MAX_BLOB_LEN,
                    ..ok()
                },
                Decision::Shield,
            ),
            (
                Facts {
                    blob_len: MAX_BLOB_LEN + 1,
                    ..ok()
                },
                Decision::Refuse(Refusal::TooLarge {
                    len: MAX_BLOB_LEN + 1,
                }),
            ),
            // Exactly enough for both fees.
            (
                Facts {
                    spendable: Rao(2_000_100_000),
                    ..ok()
                },
                Decision::Shield,
            ),
            (
                Facts {
                    spendable: Rao(2_000_099_999),
                    ..ok()
                },
                Decision::Refuse(Refusal::FeeShort {
                    carrier_fee: Rao(100_000),
                    available: Rao(99_999),
                }),
            ),
            // Less than the inner call needs: nothing left for the carrier (the plan refuses the call itself too).
            (
                Facts {
                    spendable: Rao(1),
                    ..ok()
                },
                Decision::Refuse(Refusal::FeeShort {
                    carrier_fee: Rao(100_000),
                    available: Rao(0),
                }),
            ),
            (
                Facts {
                    pallet: PalletShape::UnsupportedCarrier {
                        args: vec!["commitment".into(), "ciphertext".into()],
                    },
                    ..ok()
                },
                Decision::Refuse(Refusal::UnsupportedCarrier {
                    args: vec!["commitment".into(), "ciphertext".into()],
                }),
            ),
        ];
        for (i, (facts, want)) in cases.into_iter().enumerate() {
            assert_eq!(decide(&facts), want, "case {i}: {facts:?}");
        }
    }

    #[test]
    fn every_refusal_says_why_and_how_to_send_in_the_clear() {
        let refusals = [
            Refusal::NoKey,
            Refusal::BadKey { len: 3 },
            Refusal::TooLarge { len: 9000 },
            Refusal::FeeShort {
                carrier_fee: Rao(1_500_000),
                available: Rao(0),
            },
            Refusal::UnsupportedCarrier {
                args: vec!["commitment".into(), "ciphertext".into()],
            },
        ];
        for r in refusals {
            let s = r.sentence();
            assert!(s.contains("--no-mev-shield"), "{s}");
            assert!(s.contains("mev_shield = false"), "{s}");
            assert!(s.ends_with('.'), "{s}");
        }
        assert!(
            Refusal::TooLarge { len: 9000 }
                .sentence()
                .contains("9000 bytes")
        );
        assert!(
            Refusal::FeeShort {
                carrier_fee: Rao(1_500_000),
                available: Rao(0)
            }
            .sentence()
            .contains("0.0015")
        );
        assert_eq!(
            ClearReason::NoPallet.sentence(),
            "not shielded: this runtime has no MevShield"
        );
    }
}
