//! The local history of submitted transactions: one JSON object per line in `history.jsonl` in the data folder.
//!
//! A record is appended *before* the transaction is sent (status `submitting`), so that even a crash or a dropped
//! connection leaves the extrinsic hash on disk; every later status is appended as a new line for the same hash
//! (append-only: an older line is never rewritten, so a crash mid-write can at worst lose the last line, never
//! corrupt earlier ones). Readers fold the lines by hash, the last status winning. Each append is one `write` of a
//! whole line to a file opened with `O_APPEND`, followed by `fsync`.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The file name inside the data folder.
pub const HISTORY_FILE: &str = "history.jsonl";
/// Overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "TAOTUI_DATA_DIR";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "Could not write the transaction history at {path}: {source}. Check that the folder is writable (or set {DATA_DIR_ENV})."
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Could not read the transaction history at {path}: {source}.")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("No data folder is known on this system; set {DATA_DIR_ENV} to a writable folder.")]
    NoDataDir,
}

/// Where a transaction stands, as far as taotui knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxStatus {
    /// Recorded, about to be sent (or the send's outcome is not known yet).
    Submitting,
    /// In a block, dispatched successfully.
    InBlock,
    Finalized,
    /// In a block, but the call failed (the fee was paid).
    Failed,
    /// The node refused it; nothing happened on chain.
    Rejected,
    /// The connection broke or the watch ended before an outcome was known; it may still land until its era ends.
    Unknown,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Submitting => "submitting",
            TxStatus::InBlock => "in_block",
            TxStatus::Finalized => "finalized",
            TxStatus::Failed => "failed",
            TxStatus::Rejected => "rejected",
            TxStatus::Unknown => "unknown",
        }
    }
}

/// One line of the history file. Amounts are integers in rao (alpha rao for alpha).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// 0x-hex blake2-256 of the extrinsic bytes.
    pub hash: String,
    /// `Pallet.call`, e.g. `SubtensorModule.add_stake_limit`.
    pub call: String,
    /// The coldkey the call acts for (SS58): the signer's, or the real account a proxy signed for (the
    /// delegate is then `details.proxy_delegate`).
    pub coldkey: String,
    /// The network's name or URL.
    pub network: String,
    pub status: TxStatus,
    /// Seconds since the Unix epoch when this line was written.
    pub time: u64,
    /// The call's amounts and targets, by name (e.g. `amount_staked`, `netuid`, `hotkey`, `limit_price`).
    #[serde(default)]
    pub details: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_number: Option<u64>,
    /// Last block at which the transaction can still be included (its mortal era's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<u64>,
    /// Error name and sentence for failed or rejected transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HistoryRecord {
    /// The same transaction with a new status, stamped now.
    pub fn with_status(&self, status: TxStatus) -> HistoryRecord {
        HistoryRecord {
            status,
            time: now_secs(),
            ..self.clone()
        }
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The history file of one data folder.
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
}

/// `$XDG_DATA_HOME/taotui`, else `~/.local/share/taotui` (the XDG default on Linux).
fn platform_data_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
        })?;
    Some(base.join("taotui"))
}

impl History {
    pub fn at(dir: impl AsRef<Path>) -> History {
        History {
            path: dir.as_ref().join(HISTORY_FILE),
        }
    }

    /// `$TAOTUI_DATA_DIR`, else the platform data folder (`$XDG_DATA_HOME/taotui`).
    pub fn default_location() -> Result<History, HistoryError> {
        let dir = std::env::var_os(DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(platform_data_dir)
            .ok_or(HistoryError::NoDataDir)?;
        Ok(History::at(dir))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and fsyncs it.
    pub fn append(&self, record: &HistoryRecord) -> Result<(), HistoryError> {
        let err = |source| HistoryError::Write {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            crate::config::private_fs::create_private_dir(dir).map_err(err)?;
        }
        let mut line = serde_json::to_vec(record)
            .map_err(|e| err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        line.push(b'\n');
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path).map_err(err)?;
        // One write of the whole line: with O_APPEND, concurrent writers never interleave inside it.
        file.write_all(&line).map_err(err)?;
        file.sync_all().map_err(err)
    }

    /// Every line, oldest first; lines that do not parse (a torn last line after a crash) are skipped.
    pub fn lines(&self) -> Result<Vec<HistoryRecord>, HistoryError> {
        let file = match fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(HistoryError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut out = Vec::new();
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|source| HistoryError::Read {
                path: self.path.clone(),
                source,
            })?;
            if let Ok(record) = serde_json::from_str::<HistoryRecord>(&line) {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// One record per transaction (the latest line for each hash), in the order they were first recorded.
    pub fn transactions(&self) -> Result<Vec<HistoryRecord>, HistoryError> {
        Ok(fold(self.lines()?))
    }
}

/// Folds lines by hash: the first line fixes the position, the last line the content.
pub fn fold(lines: Vec<HistoryRecord>) -> Vec<HistoryRecord> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<HistoryRecord> = Vec::new();
    for record in lines {
        match index.get(&record.hash) {
            Some(&i) => out[i] = record,
            None => {
                index.insert(record.hash.clone(), out.len());
                out.push(record);
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn record(hash: &str, status: TxStatus) -> HistoryRecord {
        HistoryRecord {
            hash: hash.to_owned(),
            call: "Balances.transfer_keep_alive".to_owned(),
            coldkey: "5Grw".to_owned(),
            network: "local".to_owned(),
            status,
            time: 1,
            details: serde_json::Map::new(),
            block_hash: None,
            block_number: None,
            valid_until: Some(70),
            error: None,
        }
    }

    #[test]
    fn appends_fold_to_the_latest_status_per_hash() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::at(dir.path().join("nested"));
        assert!(h.transactions().unwrap().is_empty());
        h.append(&record("0x01", TxStatus::Submitting)).unwrap();
        h.append(&record("0x02", TxStatus::Submitting)).unwrap();
        h.append(&record("0x01", TxStatus::InBlock)).unwrap();
        assert_eq!(h.lines().unwrap().len(), 3);
        let txs = h.transactions().unwrap();
        assert_eq!(txs.len(), 2);
        assert_eq!(txs[0].hash, "0x01");
        assert_eq!(txs[0].status, TxStatus::InBlock);
        assert_eq!(txs[1].status, TxStatus::Submitting);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_earlier_lines_survive() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::at(dir.path());
        h.append(&record("0x01", TxStatus::Finalized)).unwrap();
        let mut f = OpenOptions::new().append(true).open(h.path()).unwrap();
        f.write_all(b"{\"hash\":\"0x02\",\"ca").unwrap();
        drop(f);
        let txs = h.transactions().unwrap();
        assert_eq!(txs.len(), 1);
        assert_eq!(txs[0].status, TxStatus::Finalized);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let h = History::at(dir.path());
        h.append(&record("0x01", TxStatus::Submitting)).unwrap();
        let mode = fs::metadata(h.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
