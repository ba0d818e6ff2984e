//! Many runtime API calls (and optionally one storage batch) in ONE request: a JSON-RPC batch of `state_call`s,
//! each decoded with the live metadata's output type. Keeps a read's request count fixed as the runtime grows
//! APIs that have to be asked separately (prices, locks).

use subxt::Metadata;

use crate::chain::client::{ChainClient, to_hex};
use crate::chain::error::ChainError;

use super::batch::StorageBatch;
use super::decode::{Val, decode, decode_error, runtime_api_output};

/// A handle to one answer of a [`RuntimeCalls`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSlot(usize);

struct Call {
    label: String,
    method: String,
    args: Vec<u8>,
    output_ty: u32,
}

/// Collects runtime API calls, sends them in one request, and hands back decoded answers.
pub struct RuntimeCalls<'m> {
    metadata: &'m Metadata,
    calls: Vec<Call>,
    answers: Vec<Option<Result<Val, ChainError>>>,
}

/// Whether the runtime has runtime API method `api.method`.
pub fn has_runtime_api(metadata: &Metadata, api: &str, method: &str) -> bool {
    metadata
        .runtime_api_trait_by_name(api)
        .and_then(|t| t.method_by_name(method))
        .is_some()
}

impl<'m> RuntimeCalls<'m> {
    pub fn new(metadata: &'m Metadata) -> Self {
        RuntimeCalls {
            metadata,
            calls: Vec::new(),
            answers: Vec::new(),
        }
    }

    pub fn has(&self, api: &str, method: &str) -> bool {
        has_runtime_api(self.metadata, api, method)
    }

    /// Adds `api.method(args)`; `args` are the SCALE-encoded arguments.
    pub fn add(&mut self, api: &str, method: &str, args: Vec<u8>) -> Result<CallSlot, ChainError> {
        let output_ty = runtime_api_output(self.metadata, api, method)?;
        self.calls.push(Call {
            label: format!("{api}.{method}"),
            method: format!("{api}_{method}"),
            args,
            output_ty,
        });
        Ok(CallSlot(self.calls.len() - 1))
    }

    /// Like [`RuntimeCalls::add`], but `None` where the runtime lacks the method.
    pub fn add_optional(&mut self, api: &str, method: &str, args: Vec<u8>) -> Option<CallSlot> {
        if self.has(api, method) {
            self.add(api, method, args).ok()
        } else {
            None
        }
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    fn requests(&self, at: Option<[u8; 32]>) -> Vec<(&'static str, Vec<serde_json::Value>)> {
        self.calls
            .iter()
            .map(|c| {
                let mut params = vec![
                    serde_json::Value::String(c.method.clone()),
                    serde_json::Value::String(to_hex(&c.args)),
                ];
                if let Some(hash) = at {
                    params.push(serde_json::Value::String(to_hex(&hash)));
                }
                ("state_call", params)
            })
            .collect()
    }

    fn accept(&mut self, answers: Vec<Result<serde_json::Value, ChainError>>) {
        let mut decoded = Vec::with_capacity(self.calls.len());
        for (call, answer) in self.calls.iter().zip(answers) {
            let value = answer
                .map_err(|e| match e {
                    ChainError::Rpc { message, .. } => ChainError::Rpc {
                        method: call.label.clone(),
                        message,
                    },
                    other => other,
                })
                .and_then(|json| {
                    let hex = json
                        .as_str()
                        .ok_or_else(|| {
                            decode_error(&call.label, "the node's answer is not a hex string")
                        })?
                        .to_owned();
                    let bytes = crate::chain::client::from_hex(&call.label, &hex)?;
                    decode(self.metadata, call.output_ty, &bytes, &call.label)
                });
            decoded.push(Some(value));
        }
        decoded.resize_with(self.calls.len(), || None);
        self.answers = decoded;
    }

    /// One request for every call added (none when there are none). A refused call is an error of its slot only.
    pub async fn fetch(&mut self, client: &ChainClient) -> Result<(), ChainError> {
        self.fetch_at(client, None).await
    }

    /// Like [`RuntimeCalls::fetch`], at block `at` (best block when `None`).
    pub async fn fetch_at(
        &mut self,
        client: &ChainClient,
        at: Option<[u8; 32]>,
    ) -> Result<(), ChainError> {
        if self.calls.is_empty() {
            return Ok(());
        }
        // A single call goes as a plain `state_call`, as on runtimes without the price and lock APIs.
        let answers = if let [only] = self.calls.as_slice() {
            vec![
                client
                    .state_call(&only.method, &only.args, at)
                    .await
                    .map(|bytes| serde_json::Value::String(to_hex(&bytes))),
            ]
        } else {
            client.batch(&self.requests(at)).await?
        };
        self.accept(answers);
        Ok(())
    }

    /// The decoded answer of `slot`, taken out (a second take answers an error). A call the node refused, or
    /// whose answer does not decode, is its error.
    pub fn take(&mut self, slot: CallSlot) -> Result<Val, ChainError> {
        let label = self
            .calls
            .get(slot.0)
            .map_or_else(|| "a runtime API call".to_owned(), |c| c.label.clone());
        self.answers
            .get_mut(slot.0)
            .and_then(Option::take)
            .unwrap_or_else(|| {
                Err(decode_error(
                    &label,
                    "no answer (not fetched, or taken already)",
                ))
            })
    }
}

/// Fetches a storage batch and runtime calls together in ONE request (a JSON-RPC batch); a plain storage request
/// when there are no calls.
pub async fn fetch_together(
    client: &ChainClient,
    storage: &mut StorageBatch<'_>,
    calls: &mut RuntimeCalls<'_>,
) -> Result<(), ChainError> {
    fetch_together_at(client, storage, calls, None).await
}

/// Like [`fetch_together`], at block `at` (best block when `None`).
pub async fn fetch_together_at(
    client: &ChainClient,
    storage: &mut StorageBatch<'_>,
    calls: &mut RuntimeCalls<'_>,
    at: Option<[u8; 32]>,
) -> Result<(), ChainError> {
    if calls.is_empty() {
        return storage.fetch_at(client, at).await;
    }
    if storage.is_empty() {
        return calls.fetch_at(client, at).await;
    }
    let mut requests = vec![storage.request(at)];
    requests.extend(calls.requests(at));
    let mut answers = client.batch(&requests).await?.into_iter();
    let stored = answers
        .next()
        .ok_or_else(|| decode_error("state_queryStorageAt", "no answer in the batch"))??;
    storage.accept(stored)?;
    calls.accept(answers.collect());
    Ok(())
}
