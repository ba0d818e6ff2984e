//! `Utility.batch_all` on the real spec-293 runtime: unstake + stake + a leg that fails land all-or-nothing, so
//! every position and the free balance (but for the fee) are as before.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use common::chain_reads;
use common::world::{self, TAO};
use subxt::dynamic::Value;
use taotui::chain::batch;
use taotui::chain::tx::{self, SubmitOptions, TxError};

fn opts() -> SubmitOptions {
    SubmitOptions {
        wait_for_finalized: false,
        ..SubmitOptions::default()
    }
}

fn add_stake(
    hotkey: [u8; 32],
    netuid: u16,
    rao: u64,
) -> subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>> {
    tx::call(
        "SubtensorModule",
        "add_stake",
        [
            tx::account_arg(hotkey),
            Value::u128(u128::from(netuid)),
            Value::u128(u128::from(rao)),
        ],
    )
}

#[test]
fn one_failing_leg_leaves_every_position_and_the_balance_unchanged() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let who = world::signer(&format!("//BatchTest{}", std::process::id()));
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, who.public_key(), 100 * TAO).await;
        let c = chain_reads::taotui_client(s.ws_url()).await;
        tx::submit(
            &api,
            &rpc,
            &who,
            &add_stake(bob_v1, netuid, 10 * TAO),
            &opts(),
        )
        .await
        .unwrap();
        let alpha_before = chain_reads::alpha_of(&c, who.public_key(), bob_v1, netuid).await;
        let free_before = chain_reads::free_at(&api, None, who.public_key()).await;
        assert!(alpha_before > 0);

        let legs = vec![
            tx::call(
                "SubtensorModule",
                "remove_stake",
                [
                    tx::account_arg(bob_v1),
                    Value::u128(u128::from(netuid)),
                    Value::u128(u128::from(alpha_before / 2)),
                ],
            ),
            add_stake(bob_v1, netuid, 5 * TAO),
            // A hotkey nobody registered: this leg fails, so the whole batch must.
            add_stake([0xee; 32], netuid, 5 * TAO),
        ];
        let err = tx::submit(&api, &rpc, &who, &batch::batch_all(legs), &opts())
            .await
            .unwrap_err();
        let TxError::Dispatch { error, .. } = &err else {
            panic!("expected the batch to fail on chain, got {err}");
        };
        assert_eq!(error.pallet, "SubtensorModule", "{error}");
        assert_eq!(
            chain_reads::alpha_of(&c, who.public_key(), bob_v1, netuid).await,
            alpha_before,
            "the unstake leg was not reverted"
        );
        let free_after = chain_reads::free_at(&api, None, who.public_key()).await;
        let fee = free_before - free_after;
        assert!(fee > 0 && fee < TAO / 10, "only the fee may leave: {fee}");

        // The same batch without the failing leg lands whole.
        let legs = vec![
            tx::call(
                "SubtensorModule",
                "remove_stake",
                [
                    tx::account_arg(bob_v1),
                    Value::u128(u128::from(netuid)),
                    Value::u128(u128::from(alpha_before / 2)),
                ],
            ),
            add_stake(bob_v1, netuid, 5 * TAO),
        ];
        let outcome = tx::submit(&api, &rpc, &who, &batch::batch_all(legs), &opts())
            .await
            .unwrap();
        assert!(outcome.has_event("Utility", "BatchCompleted"));
        assert!(outcome.has_event("SubtensorModule", "StakeRemoved"));
        assert!(outcome.has_event("SubtensorModule", "StakeAdded"));
    });
}
