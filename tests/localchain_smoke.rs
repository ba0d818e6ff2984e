//! Smoke test for the local chain harness: a fresh chain starts, subxt reads genesis state from it, and
//! blocks can be produced on demand.
//!
//! Backend choice: subxt's default `OnlineClient::from_url` builds a `CombinedBackend`, which sees chopsticks
//! advertise `chainHead_v1_*` and `archive_v1_*` and tries them first. Chopsticks lacks
//! `transactionWatch_v1_submitAndWatch`, and the combined backend reports the error of the LAST backend it tried,
//! so a transaction the runtime rejects surfaces as "Method not found: `transactionWatch_v1_submitAndWatch`"
//! instead of the runtime's reason (measured: the legacy backend reports `{"unknown":{"noUnsignedValidator":null}}`
//! for the same transaction). The legacy backend uses only
//! `chain_*`/`state_*`/`author_*` methods that both chopsticks and real Subtensor nodes serve, and passes the
//! runtime's rejection through; `invalid_transaction_error_is_the_runtimes_own` pins that down.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::local_chain_or_skip;
use subxt::backend::LegacyBackend;
use subxt::dynamic::{self, At, Value};
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::{OnlineClient, SubstrateConfig};

/// //Alice's account id (5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY).
const ALICE: [u8; 32] = [
    0xd4, 0x35, 0x93, 0xc7, 0x15, 0xfd, 0xd3, 0x1c, 0x61, 0x14, 0x1a, 0xbd, 0x04, 0xa9, 0x9f, 0xd6,
    0x82, 0x2c, 0x85, 0x58, 0x85, 0x4c, 0xcd, 0xe3, 0x9a, 0x56, 0x84, 0xe7, 0xa5, 0x6d, 0xa2, 0x7d,
];
/// The spec's genesis patch funds //Alice with 1e6 TAO (1e15 rao).
const ALICE_GENESIS_FREE: u128 = 1_000_000_000_000_000;
/// No single RPC step here should take this long even on a loaded two-core machine.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

async fn step<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP_TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {} s", STEP_TIMEOUT.as_secs()))
}

async fn legacy_client(rpc: &RpcClient) -> OnlineClient<SubstrateConfig> {
    let backend = LegacyBackend::<SubstrateConfig>::builder().build(rpc.clone());
    step(
        "building the subxt client",
        OnlineClient::from_backend(Arc::new(backend)),
    )
    .await
    .expect("subxt client over the legacy backend")
}

async fn block_number_and_alice_free(client: &OnlineClient<SubstrateConfig>) -> (u64, u32, u128) {
    let at = step("reading the current block", client.at_current_block())
        .await
        .expect("current block");
    let number = step(
        "reading System.Number",
        at.storage()
            .fetch(dynamic::storage::<(), u32>("System", "Number"), ()),
    )
    .await
    .expect("System.Number")
    .decode()
    .expect("System.Number decodes as u32");
    let account = step(
        "reading System.Account",
        at.storage().fetch(
            dynamic::storage::<([u8; 32],), Value>("System", "Account"),
            (ALICE,),
        ),
    )
    .await
    .expect("System.Account of //Alice")
    .decode()
    .expect("System.Account decodes");
    let free = account
        .at("data")
        .at("free")
        .and_then(Value::as_u128)
        .unwrap_or_else(|| panic!("System.Account has no data.free: {account}"));
    (at.block_number(), number, free)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_chain_serves_genesis_state_and_produces_blocks() {
    let chain = local_chain_or_skip!();
    let rpc = step("connecting", RpcClient::from_insecure_url(chain.ws_url()))
        .await
        .expect("websocket connection to the local chain");
    let client = legacy_client(&rpc).await;

    let (head, number, free) = block_number_and_alice_free(&client).await;
    assert_eq!(
        u64::from(number),
        head,
        "System.Number disagrees with the header's block number"
    );
    assert_eq!(
        free,
        ALICE_GENESIS_FREE,
        "//Alice's genesis balance; chain log:\n{}",
        chain.log_tail()
    );

    let _: serde_json::Value = step(
        "dev_newBlock",
        rpc.request(
            "dev_newBlock",
            rpc_params![serde_json::json!({ "count": 2 })],
        ),
    )
    .await
    .expect("dev_newBlock");

    let (head_after, number_after, free_after) = block_number_and_alice_free(&client).await;
    assert_eq!(head_after, head + 2, "two new blocks were asked for");
    assert_eq!(u64::from(number_after), head_after);
    assert_eq!(
        free_after, free,
        "empty blocks must not move //Alice's balance"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_transaction_error_is_the_runtimes_own() {
    let chain = local_chain_or_skip!();
    let rpc = step("connecting", RpcClient::from_insecure_url(chain.ws_url()))
        .await
        .expect("websocket connection to the local chain");
    let client = legacy_client(&rpc).await;
    let at = step("reading the current block", client.at_current_block())
        .await
        .expect("current block");

    // An unsigned transfer: no pallet validates unsigned balance calls, so every runtime rejects it.
    let call = dynamic::tx(
        "Balances",
        "transfer_keep_alive",
        (
            Value::unnamed_variant("Id", [Value::from_bytes(ALICE)]),
            1u128,
        ),
    );
    let tx = at
        .transactions()
        .create_unsigned(&call)
        .expect("unsigned transaction");
    let outcome = step("submitting an invalid transaction", async {
        match tx.submit_and_watch().await {
            Err(err) => Err(err.to_string()),
            Ok(progress) => progress
                .wait_for_finalized_success()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    })
    .await;
    let message = outcome.expect_err("an unsigned transfer must be rejected");
    assert!(
        !message.contains("Method not found"),
        "the backend hid the runtime's reason behind a missing RPC method: {message}"
    );
    // The runtime's verdict, TransactionValidityError::Unknown(NoUnsignedValidator), as chopsticks spells it.
    assert!(
        message.contains("noUnsignedValidator"),
        "expected the runtime's transaction-validity error, got: {message}"
    );
}
