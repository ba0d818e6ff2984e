//! Following the inner extrinsic after its carrier landed: it is either in a block by the end of its era, or it
//! never will be. The loop that reads blocks lives with the rest of the submission code (`send`); this is its
//! pure bookkeeping, so the "expired" verdict never comes while the extrinsic could still land.

use super::carrier::Shielded;
use super::{ShieldError, hex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InnerWatch {
    inner_hash: [u8; 32],
    carrier_hash: [u8; 32],
    next_from: u64,
    valid_until: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// In this block: read its events for the outcome (dispatched or failed).
    Landed { block_hash: [u8; 32], number: u64 },
    /// Not in any block yet and still within its era: look again after the next block.
    Wait,
    /// Its era is over and it is in no block: it can no longer land.
    Expired,
}

impl InnerWatch {
    pub fn new(shielded: &Shielded) -> Self {
        InnerWatch {
            inner_hash: shielded.inner_hash,
            carrier_hash: shielded.carrier.hash,
            // The inner extrinsic is built on its birth block, so the first block that can hold it is the next.
            next_from: shielded.inner_birth.saturating_add(1),
            valid_until: shielded.inner_valid_until,
        }
    }

    /// The hash to look for.
    pub fn inner_hash(&self) -> [u8; 32] {
        self.inner_hash
    }

    /// The first block not searched yet (pass to `find_in_blocks`).
    pub fn search_from(&self) -> u64 {
        self.next_from
    }

    /// After searching `search_from()..=head`: what `found` means.
    pub fn step(&mut self, head: u64, found: Option<([u8; 32], u64)>) -> Step {
        if let Some((block_hash, number)) = found {
            return Step::Landed { block_hash, number };
        }
        self.next_from = self.next_from.max(head.saturating_add(1));
        if head > self.valid_until {
            Step::Expired
        } else {
            Step::Wait
        }
    }

    /// The error for [`Step::Expired`].
    pub fn expired(&self) -> ShieldError {
        ShieldError::InnerExpired {
            inner_hash: hex(&self.inner_hash),
            carrier_hash: hex(&self.carrier_hash),
            valid_until: self.valid_until,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::chain::mev_shield::carrier::{INNER_ERA_BLOCKS, Signed};

    fn shielded(birth: u64) -> Shielded {
        Shielded {
            carrier: Signed {
                bytes: vec![],
                hash: [1; 32],
            },
            inner_hash: [2; 32],
            inner_len: 150,
            blob_len: 1296,
            nonce: 5,
            inner_birth: birth,
            inner_valid_until: birth + INNER_ERA_BLOCKS,
        }
    }

    #[test]
    fn waits_through_the_era_then_expires() {
        let mut w = InnerWatch::new(&shielded(100));
        assert_eq!(w.search_from(), 101);
        assert_eq!(w.step(101, None), Step::Wait);
        assert_eq!(w.search_from(), 102);
        assert_eq!(w.step(108, None), Step::Wait);
        assert_eq!(w.step(109, None), Step::Expired);
        let e = w.expired().to_string();
        assert!(e.contains(&format!("0x{}", "02".repeat(32))), "{e}");
        assert!(e.contains("#108"), "{e}");
        assert!(e.contains("Preview again"), "{e}");
    }

    #[test]
    fn a_found_block_is_the_answer_even_after_the_era() {
        let mut w = InnerWatch::new(&shielded(100));
        assert_eq!(
            w.step(120, Some(([9; 32], 104))),
            Step::Landed {
                block_hash: [9; 32],
                number: 104
            }
        );
    }

    #[test]
    fn the_search_never_goes_back() {
        let mut w = InnerWatch::new(&shielded(100));
        w.step(105, None);
        // A node that answers with an older head (another RPC node behind) does not rewind the search.
        w.step(103, None);
        assert_eq!(w.search_from(), 106);
    }
}
