//! The value journal: a compact snapshot of the account (block, time, free balance, every position's
//! alpha and price) written at each portfolio read, so the value over time and "since you last
//! looked" come from this machine without an indexer.
//!
//! One text file per network (genesis hash) and coldkey in the data folder, one snapshot per line:
//!
//! ```text
//! v1 <block> <unix secs> <free rao> [<hotkey ss58>,<netuid>,<alpha rao>,<price num>,<price den> ...] #<fnv32>
//! ```
//!
//! Integers only (the price is the exact fraction, reduced). A line is accepted only whole: it must end
//! in a newline and carry a matching checksum, so a write torn by a crash (or a disk that returned
//! garbage) loses that one snapshot and nothing else. Appends are one `write` with `O_APPEND` and an
//! `fsync`, like the transaction history. Growth is bounded by thinning: older snapshots keep one per
//! 5 minutes, then one per hour, then one per day (see [`thin`]); the file is rewritten atomically when
//! thinning would drop enough lines to be worth it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::amount::{AlphaRao, Price, Rao, alpha_to_tao};
use crate::chain::queries::{AccountBalance, PositionView};
use crate::config::private_fs;

pub mod backfill;
pub mod record;

/// The folder inside the data folder.
pub const JOURNAL_DIR: &str = "journal";
const VERSION_TAG: &str = "v1";

/// Snapshots newer than this (before the newest) are all kept.
const KEEP_ALL_SECS: u64 = 10 * 60;
/// Up to this age: one per 5 minutes (the 24 h chart's resolution).
const FIVE_MINUTE_SECS: u64 = 2 * 86_400;
/// Up to this age: one per hour (the 7 d and 30 d charts); older: one per day.
const HOURLY_SECS: u64 = 60 * 86_400;
/// Rewrite the file once thinning would drop this many lines.
const COMPACT_SLACK: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "Could not write the value journal at {path}: {source}. Check that the folder is writable (or set TAOTUI_DATA_DIR)."
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "Could not read the value journal at {path}: {source}. Check its permissions (or set TAOTUI_DATA_DIR)."
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("No data folder is known on this system; set TAOTUI_DATA_DIR to a writable folder.")]
    NoDataDir,
}

/// One position at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionEntry {
    /// The validator's hotkey (SS58).
    pub hotkey: String,
    pub netuid: u16,
    pub alpha: u64,
    pub price: Price,
}

impl PositionEntry {
    /// alpha x price in rao, rounded down like the portfolio's values.
    pub fn value(&self) -> u64 {
        alpha_to_tao(AlphaRao(self.alpha), self.price)
            .map(Rao::get)
            .unwrap_or(u64::MAX)
    }
}

/// The account at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub block: u64,
    /// Seconds since the Unix epoch (UTC).
    pub time: u64,
    /// Free balance in rao.
    pub free: u64,
    pub positions: Vec<PositionEntry>,
}

impl Snapshot {
    /// What a portfolio read shows, at `block` and `time`.
    pub fn from_listing(
        block: u64,
        time: u64,
        balance: &AccountBalance,
        positions: &[PositionView],
    ) -> Snapshot {
        Snapshot {
            block,
            time,
            free: balance.free.get(),
            positions: positions
                .iter()
                .map(|p| PositionEntry {
                    hotkey: p.hotkey.ss58(),
                    netuid: p.netuid,
                    alpha: p.alpha.get(),
                    price: p.price,
                })
                .collect(),
        }
    }

    /// Free balance plus every position's value, in rao.
    pub fn total_value(&self) -> u64 {
        self.positions
            .iter()
            .fold(self.free, |sum, p| sum.saturating_add(p.value()))
    }

    /// The value of the position (hotkey, netuid) in rao; 0 when the account held none then.
    pub fn position_value(&self, hotkey: &str, netuid: u16) -> u64 {
        self.positions
            .iter()
            .filter(|p| p.netuid == netuid && p.hotkey == hotkey)
            .fold(0u64, |sum, p| sum.saturating_add(p.value()))
    }

    /// One journal line, newline included.
    pub fn encode(&self) -> String {
        let mut body = format!("{VERSION_TAG} {} {} {}", self.block, self.time, self.free);
        for p in &self.positions {
            let (num, den) = reduced(p.price);
            let _ = write!(body, " {},{},{},{num},{den}", p.hotkey, p.netuid, p.alpha);
        }
        let sum = fnv1a(body.as_bytes());
        format!("{body} #{sum:08x}\n")
    }

    /// Parses one line (without its newline); `None` for anything not written whole by `encode`.
    pub fn decode(line: &str) -> Option<Snapshot> {
        let (body, sum) = line.rsplit_once(" #")?;
        if sum.len() != 8 || u32::from_str_radix(sum, 16).ok()? != fnv1a(body.as_bytes()) {
            return None;
        }
        let mut words = body.split(' ');
        if words.next()? != VERSION_TAG {
            return None;
        }
        let block = words.next()?.parse().ok()?;
        let time = words.next()?.parse().ok()?;
        let free = words.next()?.parse().ok()?;
        let positions = words
            .map(|w| {
                let mut f = w.split(',');
                let hotkey = f.next().filter(|h| is_ss58_like(h))?.to_owned();
                let netuid = f.next()?.parse().ok()?;
                let alpha = f.next()?.parse().ok()?;
                let num = f.next()?.parse().ok()?;
                let den = f.next()?.parse().ok()?;
                if f.next().is_some() {
                    return None;
                }
                Some(PositionEntry {
                    hotkey,
                    netuid,
                    alpha,
                    price: Price::from_ratio(num, den).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Snapshot {
            block,
            time,
            free,
            positions,
        })
    }
}

/// The price as its lowest-terms fraction, so the journal stays short (a U64F64 price is n/2^64).
fn reduced(p: Price) -> (u128, u128) {
    let (n, d) = (p.numerator(), p.denominator());
    let g = gcd(n, d).max(1);
    (n / g, d / g)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A checksum over the line, so garbage that happens to parse is still refused.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn is_ss58_like(s: &str) -> bool {
    (40..=50).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Parses a whole journal: whole, valid lines only, sorted by block, one snapshot per block (the
/// first written wins: a block's state never changes).
pub fn parse(text: &str) -> Vec<Snapshot> {
    let mut by_block: BTreeMap<u64, Snapshot> = BTreeMap::new();
    let mut lines = text.split('\n');
    // The piece after the last newline is a torn write (or empty).
    let _ = lines.next_back();
    for line in lines {
        if let Some(s) = Snapshot::decode(line) {
            by_block.entry(s.block).or_insert(s);
        }
    }
    by_block.into_values().collect()
}

/// The snapshots kept as the journal ages, from `snapshots` sorted by block: every one in the last
/// 10 minutes before the newest, then the latest of each 5 minutes up to 2 days, of each hour up to 60
/// days, and of each day before that. A year of use stays under ~3,000 lines.
pub fn thin(snapshots: &[Snapshot]) -> Vec<Snapshot> {
    let Some(newest) = snapshots.iter().map(|s| s.time).max() else {
        return Vec::new();
    };
    let bucket = |s: &Snapshot| -> Option<(u64, u64)> {
        let age = newest.saturating_sub(s.time);
        if age <= KEEP_ALL_SECS {
            None
        } else if age <= FIVE_MINUTE_SECS {
            Some((300, s.time / 300))
        } else if age <= HOURLY_SECS {
            Some((3_600, s.time / 3_600))
        } else {
            Some((86_400, s.time / 86_400))
        }
    };
    let mut out: Vec<Snapshot> = Vec::with_capacity(snapshots.len());
    for s in snapshots {
        // Sorted by block, so a later snapshot of the same bucket replaces the one before.
        match (out.last().and_then(bucket), bucket(s)) {
            (Some(prev), Some(cur)) if prev == cur => {
                if let Some(last) = out.last_mut() {
                    *last = s.clone();
                }
            }
            _ => out.push(s.clone()),
        }
    }
    out
}

/// What recording a snapshot did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The newest snapshot before this one (what "since you last looked" compares with).
    pub previous: Option<Snapshot>,
    /// False when the journal already had that block.
    pub written: bool,
}

/// The journal of one coldkey on one network.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The journal under `data_dir` for the chain with `genesis` and `coldkey` (SS58).
    pub fn at(data_dir: impl AsRef<Path>, genesis: [u8; 32], coldkey: &str) -> Journal {
        let network: String = genesis[..8].iter().map(|b| format!("{b:02x}")).collect();
        let name: String = coldkey
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        Journal {
            path: data_dir
                .as_ref()
                .join(JOURNAL_DIR)
                .join(network)
                .join(format!("{name}.v1")),
        }
    }

    /// In `$TAOTUI_DATA_DIR`, else the platform data folder (where the transaction history is).
    pub fn default_location(genesis: [u8; 32], coldkey: &str) -> Result<Journal, JournalError> {
        let history = crate::chain::history::History::default_location()
            .map_err(|_| JournalError::NoDataDir)?;
        let dir = history.path().parent().ok_or(JournalError::NoDataDir)?;
        Ok(Journal::at(dir, genesis, coldkey))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_err(&self) -> impl Fn(std::io::Error) -> JournalError + '_ {
        |source| JournalError::Read {
            path: self.path.clone(),
            source,
        }
    }

    fn write_err(&self) -> impl Fn(std::io::Error) -> JournalError + '_ {
        |source| JournalError::Write {
            path: self.path.clone(),
            source,
        }
    }

    /// Every snapshot, oldest first; an absent journal is empty.
    pub fn read(&self) -> Result<Vec<Snapshot>, JournalError> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(parse(&String::from_utf8_lossy(&bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(self.read_err()(e)),
        }
    }

    /// Appends `snapshot` unless its block is there already, then thins the file when it has grown.
    pub fn record(&self, snapshot: &Snapshot) -> Result<Recorded, JournalError> {
        let existing = self.read()?;
        let previous = existing
            .iter()
            .rev()
            .find(|s| s.block < snapshot.block)
            .cloned();
        if existing.iter().any(|s| s.block == snapshot.block) {
            return Ok(Recorded {
                previous,
                written: false,
            });
        }
        self.append_lines(&snapshot.encode())?;
        let mut all = existing;
        let at = all.partition_point(|s| s.block < snapshot.block);
        all.insert(at, snapshot.clone());
        self.compact_if_grown(&all)?;
        Ok(Recorded {
            previous,
            written: true,
        })
    }

    /// Adds snapshots read from past chain state (the backfill); blocks already present are skipped.
    /// Returns how many were added.
    pub fn insert(&self, snapshots: &[Snapshot]) -> Result<usize, JournalError> {
        let existing = self.read()?;
        let known: std::collections::BTreeSet<u64> = existing.iter().map(|s| s.block).collect();
        let fresh: Vec<&Snapshot> = snapshots
            .iter()
            .filter(|s| !known.contains(&s.block))
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let text: String = fresh.iter().map(|s| s.encode()).collect();
        self.append_lines(&text)?;
        Ok(fresh.len())
    }

    /// One write of whole lines with O_APPEND, then fsync. A torn last line is closed first, so the
    /// new lines never glue onto it.
    fn append_lines(&self, text: &str) -> Result<(), JournalError> {
        let err = self.write_err();
        let mut file = private_fs::open_private_append(&self.path).map_err(&err)?;
        let mut bytes = Vec::with_capacity(text.len() + 1);
        if !ends_with_newline(&self.path).map_err(&err)? {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(text.as_bytes());
        file.write_all(&bytes).map_err(&err)?;
        file.sync_all().map_err(&err)
    }

    /// Rewrites the file thinned once enough lines would go. A snapshot another process appends
    /// between the read and the rename is lost; the next read writes a newer one.
    fn compact_if_grown(&self, all: &[Snapshot]) -> Result<(), JournalError> {
        let kept = thin(all);
        if all.len() < kept.len() + COMPACT_SLACK {
            return Ok(());
        }
        let text: String = kept.iter().map(Snapshot::encode).collect();
        private_fs::write_private_atomic(&self.path, text.as_bytes()).map_err(self.write_err())
    }
}

/// Whether the file is empty or ends with a newline.
fn ends_with_newline(path: &Path) -> std::io::Result<bool> {
    let mut file = fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HK: &str = "5FFApaS75bv5pJHfAp2FVLBj9ZaXuFDjEypsaBNc1wCfe52v";

    fn snap(block: u64, time: u64, free: u64) -> Snapshot {
        Snapshot {
            block,
            time,
            free,
            positions: vec![PositionEntry {
                hotkey: HK.to_owned(),
                netuid: 3,
                alpha: 2_000_000_000,
                price: Price::from_rao_per_alpha(250_000_000),
            }],
        }
    }

    fn entry() -> impl Strategy<Value = PositionEntry> {
        (
            prop::sample::select(vec![HK, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"]),
            any::<u16>(),
            any::<u64>(),
            any::<u128>(),
            1u128..,
        )
            .prop_map(|(h, netuid, alpha, n, d)| PositionEntry {
                hotkey: h.to_owned(),
                netuid,
                alpha,
                price: Price::from_ratio(n, d).unwrap(),
            })
    }

    fn snapshot() -> impl Strategy<Value = Snapshot> {
        (
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            prop::collection::vec(entry(), 0..6),
        )
            .prop_map(|(block, time, free, positions)| Snapshot {
                block,
                time,
                free,
                positions,
            })
    }

    proptest! {
        #[test]
        fn a_line_decodes_to_the_same_snapshot(s in snapshot()) {
            let line = s.encode();
            prop_assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
            let back = Snapshot::decode(line.trim_end_matches('\n')).unwrap();
            prop_assert_eq!(back.block, s.block);
            prop_assert_eq!(back.free, s.free);
            prop_assert_eq!(back.positions.len(), s.positions.len());
            for (a, b) in back.positions.iter().zip(&s.positions) {
                // Same value exactly (the fraction is stored reduced).
                prop_assert_eq!(a, b);
                prop_assert_eq!(a.value(), b.value());
            }
        }

        #[test]
        fn every_cut_of_a_journal_keeps_exactly_the_whole_lines(
            snaps in prop::collection::vec(snapshot(), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut snaps = snaps;
            for (i, s) in snaps.iter_mut().enumerate() {
                s.block = i as u64;
            }
            let text: String = snaps.iter().map(Snapshot::encode).collect();
            let at = cut.index(text.len() + 1);
            let whole = text[..at].matches('\n').count();
            prop_assert_eq!(parse(&text[..at]), snaps[..whole].to_vec());
        }

        #[test]
        fn a_changed_byte_never_yields_a_different_snapshot(
            s in snapshot(), at in any::<prop::sample::Index>(), byte in 0x20u8..0x7f,
        ) {
            let line = s.encode();
            let mut bytes = line.trim_end_matches('\n').as_bytes().to_vec();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            let changed = String::from_utf8(bytes).unwrap();
            if let Some(back) = Snapshot::decode(&changed) {
                prop_assert_eq!(back, s);
            }
        }

        #[test]
        fn thinning_keeps_the_newest_and_one_snapshot_per_bucket(
            gaps in prop::collection::vec(1u64..40_000, 1..400),
        ) {
            let mut time = 1_700_000_000;
            let snaps: Vec<Snapshot> = gaps.iter().enumerate().map(|(i, g)| {
                time += g;
                snap(i as u64, time, i as u64)
            }).collect();
            let kept = thin(&snaps);
            let newest = snaps.last().unwrap().time;
            prop_assert_eq!(kept.last(), snaps.last());
            prop_assert!(kept.windows(2).all(|w| w[0].block < w[1].block));
            prop_assert_eq!(thin(&kept), kept.clone(), "thinning twice changes nothing");
            let bucket = |t: u64| {
                let age = newest - t;
                let width = if age <= KEEP_ALL_SECS { return None }
                    else if age <= FIVE_MINUTE_SECS { 300 }
                    else if age <= HOURLY_SECS { 3_600 } else { 86_400 };
                Some((width, t / width))
            };
            let buckets: Vec<_> = kept.iter().filter_map(|s| bucket(s.time)).collect();
            let mut unique = buckets.clone();
            unique.dedup();
            prop_assert_eq!(&unique, &buckets, "two kept snapshots share a bucket");
            // Nothing is lost without a newer snapshot of its bucket kept in its place.
            for s in &snaps {
                if !kept.contains(s) {
                    let b = bucket(s.time);
                    prop_assert!(b.is_some());
                    prop_assert!(kept.iter().any(|k| k.block > s.block && bucket(k.time) == b));
                }
            }
        }
    }

    #[test]
    fn a_year_of_snapshots_every_block_thins_to_a_few_thousand() {
        let start = 1_700_000_000;
        // Every 12 s for the last day, every 10 minutes before that, over a year.
        let mut snaps = Vec::new();
        let mut t = start;
        let end = start + 365 * 86_400;
        let mut block = 0;
        while t < end {
            snaps.push(snap(block, t, block));
            block += 1;
            t += if end - t < 86_400 { 12 } else { 600 };
        }
        let kept = thin(&snaps);
        assert!(kept.len() < 2_800, "{}", kept.len());
        assert!(kept.len() > 2_000, "{}", kept.len());
        assert_eq!(kept.last(), snaps.last());
    }

    #[test]
    fn recording_skips_a_known_block_and_reports_the_previous_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path(), [7; 32], HK);
        let first = j.record(&snap(10, 1_000, 5)).unwrap();
        assert_eq!(
            first,
            Recorded {
                previous: None,
                written: true
            }
        );
        let again = j.record(&snap(10, 1_001, 6)).unwrap();
        assert!(!again.written);
        let next = j.record(&snap(11, 1_012, 7)).unwrap();
        assert_eq!(next.previous.unwrap().free, 5);
        let all = j.read().unwrap();
        assert_eq!(all.iter().map(|s| s.block).collect::<Vec<_>>(), [10, 11]);
        assert!(
            j.path()
                .starts_with(dir.path().join("journal").join("0707070707070707"))
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_next_append_starts_on_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path(), [1; 32], HK);
        j.record(&snap(1, 100, 1)).unwrap();
        let torn = snap(2, 112, 2).encode();
        let mut f = fs::OpenOptions::new().append(true).open(j.path()).unwrap();
        f.write_all(&torn.as_bytes()[..torn.len() / 2]).unwrap();
        drop(f);
        assert_eq!(j.read().unwrap().len(), 1);
        j.record(&snap(3, 124, 3)).unwrap();
        let blocks: Vec<u64> = j.read().unwrap().iter().map(|s| s.block).collect();
        assert_eq!(blocks, [1, 3]);
    }

    #[test]
    fn backfill_inserts_only_new_blocks_and_readers_sort_them() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path(), [1; 32], HK);
        j.record(&snap(500, 6_000, 1)).unwrap();
        let added = j
            .insert(&[
                snap(100, 1_200, 9),
                snap(500, 6_000, 9),
                snap(300, 3_600, 9),
            ])
            .unwrap();
        assert_eq!(added, 2);
        assert_eq!(j.insert(&[snap(100, 1_200, 9)]).unwrap(), 0);
        let blocks: Vec<u64> = j.read().unwrap().iter().map(|s| s.block).collect();
        assert_eq!(blocks, [100, 300, 500]);
        assert_eq!(
            j.read().unwrap()[2].free,
            1,
            "the recorded block keeps its first state"
        );
    }

    #[test]
    fn the_file_is_rewritten_thinned_once_it_has_grown() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path(), [1; 32], HK);
        // Every 12 s for 3 days: thinning keeps ~one per 5 min / hour.
        let mut lines = 0;
        for i in 0..1_000u64 {
            j.record(&snap(i, 1_000_000 + i * 300, i)).unwrap();
            lines = fs::read_to_string(j.path()).unwrap().lines().count();
        }
        assert!(lines < 1_000, "{lines}");
        let all = j.read().unwrap();
        assert_eq!(all.last().unwrap().block, 999);
        assert_eq!(all.len(), lines);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path(), [1; 32], HK);
        j.record(&snap(1, 1, 1)).unwrap();
        let mode = fs::metadata(j.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = fs::metadata(j.path().parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
    }
}
