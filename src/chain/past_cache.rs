//! What was read at a past block, kept on disk per (coldkey, block) in the data folder (`past/<coldkey>/<block>.json`)
//! so a second look at the same range costs no request. A past block's state never changes once final; an entry is
//! used only when its block hash matches where the caller knows the hash. Writing is best effort: a cache that
//! cannot be written costs requests, never correctness.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::amount::{AlphaRao, Price, Rao};
use crate::chain::account_history::AccountEvent;
use crate::chain::client::BlockRef;
use crate::chain::history::History;
use crate::chain::past::{AccountMark, MarkedBlock, PastState};
use crate::config::private_fs;

/// The folder inside the data folder.
pub const CACHE_DIR: &str = "past";

#[derive(Debug, Clone)]
pub struct PastCache {
    dir: PathBuf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Entry {
    hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mark: Option<AccountMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    events: Option<Vec<AccountEvent>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<StateEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StateEntry {
    /// (hotkey hex, netuid, alpha rao).
    positions: Vec<(String, u16, u64)>,
    /// (netuid, numerator, denominator) as decimal strings (u128 does not survive every JSON reader).
    prices: Vec<(u16, String, String)>,
    free: u64,
    reserved: u64,
    nonce: u64,
}

impl PastCache {
    pub fn at(dir: impl AsRef<Path>) -> PastCache {
        PastCache {
            dir: dir.as_ref().join(CACHE_DIR),
        }
    }

    /// In the data folder (`$TAOTUI_DATA_DIR`, else the platform's); `None` where there is none.
    pub fn default_location() -> Option<PastCache> {
        let history = History::default_location().ok()?;
        history.path().parent().map(PastCache::at)
    }

    fn path(&self, coldkey: [u8; 32], number: u64) -> PathBuf {
        self.dir
            .join(hex::encode(coldkey))
            .join(format!("{number}.json"))
    }

    fn load(&self, coldkey: [u8; 32], number: u64) -> Option<Entry> {
        let text = std::fs::read_to_string(self.path(coldkey, number)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn update(&self, coldkey: [u8; 32], block: BlockRef, f: impl FnOnce(&mut Entry)) {
        let hash = hex::encode(block.hash);
        let mut entry = self
            .load(coldkey, block.number)
            .filter(|e| e.hash == hash)
            .unwrap_or_else(|| Entry {
                hash,
                ..Entry::default()
            });
        f(&mut entry);
        let path = self.path(coldkey, block.number);
        let Some(parent) = path.parent() else {
            return;
        };
        let Ok(text) = serde_json::to_string(&entry) else {
            return;
        };
        // Written aside under a name of this process (the app and the CLI may write the same entry), then renamed:
        // a reader never sees half an entry. Private like every file taotui writes: it holds balances and positions.
        let tmp = parent.join(format!(".{}.{}.tmp", block.number, std::process::id()));
        let written = (|| {
            private_fs::create_private_dir(parent)?;
            private_fs::create_private(&tmp)?.write_all(text.as_bytes())?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    pub fn mark(&self, coldkey: [u8; 32], number: u64) -> Option<MarkedBlock> {
        let e = self.load(coldkey, number)?;
        let hash = <[u8; 32]>::try_from(hex::decode(&e.hash).ok()?.as_slice()).ok()?;
        Some(MarkedBlock {
            block: BlockRef { number, hash },
            timestamp_ms: e.timestamp_ms?,
            mark: e.mark?,
        })
    }

    pub fn put_mark(&self, coldkey: [u8; 32], m: &MarkedBlock) {
        self.update(coldkey, m.block, |e| {
            e.timestamp_ms = Some(m.timestamp_ms);
            e.mark = Some(m.mark.clone());
        });
    }

    pub fn events(&self, coldkey: [u8; 32], block: BlockRef) -> Option<Vec<AccountEvent>> {
        self.load(coldkey, block.number)
            .filter(|e| e.hash == hex::encode(block.hash))?
            .events
    }

    pub fn put_events(&self, coldkey: [u8; 32], block: BlockRef, events: &[AccountEvent]) {
        self.update(coldkey, block, |e| e.events = Some(events.to_vec()));
    }

    pub fn state(&self, coldkey: [u8; 32], block: BlockRef) -> Option<PastState> {
        let e = self
            .load(coldkey, block.number)
            .filter(|e| e.hash == hex::encode(block.hash))?;
        let s = e.state?;
        let mut positions = BTreeMap::new();
        for (h, n, a) in s.positions {
            let h = <[u8; 32]>::try_from(hex::decode(h).ok()?.as_slice()).ok()?;
            positions.insert((h, n), AlphaRao(a));
        }
        let mut prices = BTreeMap::new();
        for (n, num, den) in s.prices {
            let p = Price::from_ratio(num.parse().ok()?, den.parse().ok()?).ok()?;
            prices.insert(n, p);
        }
        Some(PastState {
            block,
            timestamp_ms: e.timestamp_ms?,
            positions,
            prices,
            free: Rao(s.free),
            reserved: Rao(s.reserved),
            nonce: s.nonce,
        })
    }

    pub fn put_state(&self, coldkey: [u8; 32], state: &PastState) {
        self.update(coldkey, state.block, |e| {
            e.timestamp_ms = Some(state.timestamp_ms);
            e.state = Some(StateEntry {
                positions: state
                    .positions
                    .iter()
                    .map(|((h, n), a)| (hex::encode(h), *n, a.get()))
                    .collect(),
                prices: state
                    .prices
                    .iter()
                    .map(|(n, p)| (*n, p.numerator().to_string(), p.denominator().to_string()))
                    .collect(),
                free: state.free.get(),
                reserved: state.reserved.get(),
                nonce: state.nonce,
            });
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_state_and_a_mark_come_back_as_stored_and_only_for_the_same_hash() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PastCache::at(dir.path());
        let block = BlockRef {
            number: 42,
            hash: [3; 32],
        };
        let mut positions = BTreeMap::new();
        positions.insert(([9; 32], 2), AlphaRao(123));
        let mut prices = BTreeMap::new();
        prices.insert(2, Price::from_u64f64_bits(u128::MAX / 3));
        let state = PastState {
            block,
            timestamp_ms: 1_700_000_000_000,
            positions,
            prices,
            free: Rao(5),
            reserved: Rao(1),
            nonce: 7,
        };
        cache.put_state([1; 32], &state);
        let mark = MarkedBlock {
            block,
            timestamp_ms: state.timestamp_ms,
            mark: AccountMark {
                nonce: 7,
                free: 5,
                reserved: 1,
                shares: vec![(hex::encode([9; 32]), 2, u128::MAX)],
            },
        };
        cache.put_mark([1; 32], &mark);
        assert_eq!(cache.state([1; 32], block), Some(state));
        assert_eq!(cache.mark([1; 32], 42), Some(mark));
        let other = BlockRef {
            number: 42,
            hash: [4; 32],
        };
        assert_eq!(cache.state([1; 32], other), None);
        assert_eq!(cache.state([2; 32], block), None);
    }

    #[cfg(unix)]
    #[test]
    fn entries_are_private_and_no_temporary_file_is_left() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = PastCache::at(dir.path());
        let block = BlockRef {
            number: 7,
            hash: [3; 32],
        };
        cache.put_events([1; 32], block, &[]);
        let folder = dir.path().join(CACHE_DIR).join(hex::encode([1; 32]));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder.join("7.json")), 0o600);
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&dir.path().join(CACHE_DIR)), 0o700);
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    }
}
