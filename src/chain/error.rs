//! Errors from talking to the chain. Every message is a sentence that says what went wrong and what to do.

use std::time::Duration;

use thiserror::Error;

/// One item the app relies on that the connected runtime does not provide in the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeMismatch {
    /// "SubtensorModule.add_stake", "StakeInfoRuntimeApi.get_stake_info_for_coldkey", ...
    pub item: String,
    /// What is different, e.g. "argument 2 (netuid) is now a struct with 2 fields; expected an integer".
    pub detail: String,
}

impl std::fmt::Display for RuntimeMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.item, self.detail)
    }
}

/// Anything that can go wrong between taotui and a Subtensor node.
#[derive(Debug, Error)]
pub enum ChainError {
    #[error(
        "cannot reach the chain at {url}: {reason}. Check the URL and your internet connection, or pick another \
         endpoint with --network (finney, test, local or a ws:// / wss:// URL)."
    )]
    Unreachable { url: String, reason: String },

    #[error(
        "{what} did not answer within {} s. The node may be overloaded or the connection is poor; try again or \
         use another endpoint with --network.",
        after.as_secs_f32()
    )]
    Timeout { what: String, after: Duration },

    #[error(
        "the connection to the chain was lost; taotui is reconnecting in the background. Try again in a moment."
    )]
    Disconnected,

    #[error(
        "runtime {spec_version} changed {item}: {detail}. This taotui version does not understand the new \
         runtime; upgrade taotui before using it on this network."
    )]
    RuntimeChanged {
        spec_version: u32,
        item: String,
        detail: String,
    },

    #[error(
        "{feature} need {reasons} on runtime {spec_version}. Everything else keeps working; `taotui doctor` \
         lists what this runtime supports, and a newer taotui may support it."
    )]
    FeatureUnavailable {
        feature: String,
        spec_version: u32,
        reasons: String,
    },

    #[error(
        "could not decode {what} from the chain: {detail}. The runtime may have changed; upgrade taotui or report \
         this as a bug."
    )]
    Decode { what: String, detail: String },

    #[error(
        "the node rejected the request {method}: {message}. Try again, or use another endpoint with --network."
    )]
    Rpc { method: String, message: String },

    #[error("{pallet}::{variant}: {sentence}")]
    Dispatch {
        pallet: String,
        variant: String,
        sentence: String,
    },

    #[error(
        "the chain refused the transaction as invalid: {reason}. Nothing was submitted; {hint}"
    )]
    InvalidTransaction { reason: String, hint: String },

    #[error(
        "{0} is not a network taotui knows: use finney, test, local or a ws://, wss://, http:// or https:// URL \
         (several, separated by commas, are tried in order)."
    )]
    InvalidNetwork(String),

    #[error(
        "the metadata cache at {path} could not be used: {reason}. Delete the directory to rebuild it."
    )]
    MetadataCache { path: String, reason: String },
}

/// The node's own words for a failed request: its message, code and data for a JSON-RPC error (subxt's `Display`
/// drops the data, which is where a node puts the reason, e.g. "Transaction has a bad signature").
pub fn node_words(err: &subxt::rpcs::Error) -> String {
    match err {
        subxt::rpcs::Error::User(user) => {
            let data = user.data.as_ref().map(|d| {
                serde_json::from_str::<String>(d.get()).unwrap_or_else(|_| d.get().to_owned())
            });
            match data {
                Some(data) if !data.is_empty() && data != "null" => {
                    format!("{} (code {}): {data}", user.message, user.code)
                }
                _ => format!("{} (code {})", user.message, user.code),
            }
        }
        other => other.to_string(),
    }
}

impl ChainError {
    /// Builds [`ChainError::RuntimeChanged`] from every mismatch found, so one message names them all.
    pub fn runtime_changed(spec_version: u32, mismatches: &[RuntimeMismatch]) -> ChainError {
        let item = mismatches
            .iter()
            .map(|m| m.item.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        // One item is already named before the colon; several need their names beside each detail.
        let detail = match mismatches {
            [only] => only.detail.clone(),
            _ => mismatches
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        };
        ChainError::RuntimeChanged {
            spec_version,
            item,
            detail,
        }
    }

    /// True when retrying later may succeed (connection trouble rather than a wrong request).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ChainError::Unreachable { .. } | ChainError::Timeout { .. } | ChainError::Disconnected
        )
    }
}
