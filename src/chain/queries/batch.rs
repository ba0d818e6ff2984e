//! Many storage reads in one `state_queryStorageAt`: keys are built from the live metadata's
//! hashers (`twox128(pallet) ++ twox128(item) ++ hasher(key)...`, via frame-decode), values are
//! decoded with its types, and unset keys fall back to the item's declared default.

use subxt::Metadata;
use subxt::ext::frame_decode::storage::{IntoEncodableValues, StorageTypeInfo, encode_storage_key};

use crate::chain::client::{ChainClient, to_hex, values_in_key_order};
use crate::chain::error::ChainError;
use crate::chain::features::FeatureTable;
use crate::chain::runtime_check::Item;

use super::decode::{Val, decode, decode_error};

/// A handle to one value of a [`StorageBatch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(usize);

struct Entry {
    label: String,
    key: Vec<u8>,
    value_ty: u32,
    default: Option<Vec<u8>>,
}

/// Collects storage keys, fetches them in one request, and hands back decoded values.
pub struct StorageBatch<'m> {
    metadata: &'m Metadata,
    entries: Vec<Entry>,
    values: Vec<Option<Val>>,
}

impl<'m> StorageBatch<'m> {
    pub fn new(metadata: &'m Metadata) -> Self {
        StorageBatch {
            metadata,
            entries: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Whether the runtime has `pallet.item` at all.
    pub fn has(&self, pallet: &str, item: &str) -> bool {
        self.metadata.storage_info(pallet, item).is_ok()
    }

    /// Adds `pallet.item[keys]`; the keys are encoded as the metadata's key types, so a `u16`
    /// fits a `NetUid` key and a `[u8; 32]` an `AccountId32` key.
    pub fn add<K: IntoEncodableValues>(
        &mut self,
        pallet: &str,
        item: &str,
        keys: K,
    ) -> Result<Slot, ChainError> {
        let label = format!("{pallet}.{item}");
        let info = self
            .metadata
            .storage_info(pallet, item)
            .map_err(|_| decode_error(&label, "this runtime has no such storage item"))?;
        let key = encode_storage_key(pallet, item, keys, self.metadata, self.metadata.types())
            .map_err(|e| decode_error(&format!("a key of {label}"), e.to_string()))?;
        self.entries.push(Entry {
            label,
            key,
            value_ty: info.value_id,
            default: info.default_value.map(|d| d.into_owned()),
        });
        Ok(Slot(self.entries.len() - 1))
    }

    /// Like [`StorageBatch::add`], but `None` where the runtime lacks the item.
    pub fn add_optional<K: IntoEncodableValues>(
        &mut self,
        pallet: &str,
        item: &str,
        keys: K,
    ) -> Result<Option<Slot>, ChainError> {
        if self.has(pallet, item) {
            self.add(pallet, item, keys).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Like [`StorageBatch::add`] for a declared storage `item`, but `None` where the feature table found it
    /// missing or reshaped: the read then goes without that value instead of failing or misreading it.
    pub fn add_usable<K: IntoEncodableValues>(
        &mut self,
        features: &FeatureTable,
        item: &Item,
        keys: K,
    ) -> Result<Option<Slot>, ChainError> {
        match item {
            Item::Storage { pallet, name, .. } if features.usable(&item.path()) => {
                self.add(pallet, name, keys).map(Some)
            }
            _ => Ok(None),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// One request for every key added (none when there are no keys).
    pub async fn fetch(&mut self, client: &ChainClient) -> Result<(), ChainError> {
        self.fetch_at(client, None).await
    }

    /// Like [`StorageBatch::fetch`], at block `at` (best block when `None`).
    pub async fn fetch_at(
        &mut self,
        client: &ChainClient,
        at: Option<[u8; 32]>,
    ) -> Result<(), ChainError> {
        let keys: Vec<Vec<u8>> = self.entries.iter().map(|e| e.key.clone()).collect();
        let raw = client.query_storage_at(&keys, at).await?;
        self.accept_raw(raw)
    }

    /// The `state_queryStorageAt` request for every key added at `at` (best block when `None`), for a JSON-RPC
    /// batch (see `calls::fetch_together`).
    pub(crate) fn request(&self, at: Option<[u8; 32]>) -> (&'static str, Vec<serde_json::Value>) {
        let keys: Vec<serde_json::Value> = self
            .entries
            .iter()
            .map(|e| serde_json::Value::String(to_hex(&e.key)))
            .collect();
        let mut params = vec![serde_json::Value::Array(keys)];
        if let Some(hash) = at {
            params.push(serde_json::Value::String(to_hex(&hash)));
        }
        ("state_queryStorageAt", params)
    }

    /// Takes the node's answer to [`StorageBatch::request`].
    pub(crate) fn accept(&mut self, answer: serde_json::Value) -> Result<(), ChainError> {
        let keys: Vec<Vec<u8>> = self.entries.iter().map(|e| e.key.clone()).collect();
        let raw = values_in_key_order(answer, &keys)?;
        self.accept_raw(raw)
    }

    fn accept_raw(&mut self, raw: Vec<Option<Vec<u8>>>) -> Result<(), ChainError> {
        let mut values = Vec::with_capacity(self.entries.len());
        for (entry, bytes) in self.entries.iter().zip(raw) {
            let bytes = bytes.or_else(|| entry.default.clone());
            values.push(match bytes {
                Some(b) => Some(decode(self.metadata, entry.value_ty, &b, &entry.label)?),
                None => None,
            });
        }
        self.values = values;
        Ok(())
    }

    /// The decoded value (the item's default where unset); `None` for an unset optional item.
    pub fn get(&self, slot: Slot) -> Option<&Val> {
        self.values.get(slot.0).and_then(Option::as_ref)
    }

    pub fn get_opt(&self, slot: Option<Slot>) -> Option<&Val> {
        slot.and_then(|s| self.get(s))
    }
}

/// Fetches several storage batches, each at its own block, in ONE request (a JSON-RPC batch of
/// `state_queryStorageAt`): reading the same keys at many past blocks costs one round trip. A block the node
/// refuses (e.g. pruned) fails the whole read with that block's error.
pub async fn fetch_each_at(
    client: &ChainClient,
    batches: &mut [(StorageBatch<'_>, [u8; 32])],
) -> Result<(), ChainError> {
    let requests: Vec<_> = batches
        .iter()
        .filter(|(b, _)| !b.is_empty())
        .map(|(b, at)| b.request(Some(*at)))
        .collect();
    if requests.is_empty() {
        return Ok(());
    }
    let mut answers = client.batch(&requests).await?.into_iter();
    for (batch, _) in batches.iter_mut().filter(|(b, _)| !b.is_empty()) {
        let answer = answers
            .next()
            .ok_or_else(|| decode_error("state_queryStorageAt", "no answer in the batch"))??;
        batch.accept(answer)?;
    }
    Ok(())
}
