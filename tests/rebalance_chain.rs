//! The Portfolio's rebalance on the real spec-293 runtime: the dialog's keys make the effects, the app's real worker
//! previews, signs and sends them as one `Utility.batch_all`; a batch with a leg that fails on chain changes no
//! position and the dialog names the failed leg.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::sync::Mutex;

use common::chain_reads;
use common::world::{self, Shared, TAO};
use crossterm::event::KeyCode;
use secrecy::SecretString;
use subxt::dynamic::Value;
use taotui::action::{Action, Effect, KeyFileFormat, KeyPress};
use taotui::chain::tx::{self, SubmitOptions};
use taotui::model::IdGen;
use taotui::model::rebalance::{Choice, Dest, Rebalance, RebalanceOutcome, RebalanceStep, Row};
use taotui::worker::{EffectRunner, Worker};

const PASSWORD: &str = "correct horse battery staple 42";

/// Both tests trade on the same pools: a price moved by one would fail the other's limit. One at a time.
static CHAIN: Mutex<()> = Mutex::new(());

fn opts() -> SubmitOptions {
    SubmitOptions {
        wait_for_finalized: false,
        ..SubmitOptions::default()
    }
}

fn stake_call(
    name: &str,
    hotkey: [u8; 32],
    netuid: u16,
    rao: u64,
) -> subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>> {
    tx::call(
        "SubtensorModule",
        name,
        [
            tx::account_arg(hotkey),
            Value::u128(u128::from(netuid)),
            Value::u128(u128::from(rao)),
        ],
    )
}

fn ss58(a: &[u8; 32]) -> String {
    taotui_keystore::ss58::encode(a, 42)
}

/// A funded coldkey with 10 TAO staked to bob-v1 on the second and third subnets, its wallet in a fresh wallet
/// folder, and the app's worker connected to the chain.
struct Setup {
    suri: String,
    me: [u8; 32],
    worker: Worker,
    rx: tokio::sync::mpsc::UnboundedReceiver<Action>,
    data: std::path::PathBuf,
    _home: tempfile::TempDir,
}

fn setup(s: &Shared, name: &str) -> Setup {
    let suri = format!("//{name}{}", std::process::id());
    let me = world::account(&suri);
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let [n2, n3] = [s.world.netuids()[1], s.world.netuids()[2]];
    let home = tempfile::tempdir().unwrap();
    let root = taotui_keystore::wallet::WalletRoot::new(home.path().join("wallets"));
    taotui::worker::restore_coldkey(
        &root,
        "w",
        &SecretString::from(suri.clone()),
        &SecretString::from(PASSWORD.to_owned()),
        KeyFileFormat::Native,
    )
    .unwrap();
    let data = home.path().join("data");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let network: taotui::chain::network::Network = s.ws_url().parse().unwrap();
    let worker = s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, me, 100 * TAO).await;
        let who = world::signer(&suri);
        for n in [n2, n3] {
            tx::submit(
                &api,
                &rpc,
                &who,
                &stake_call("add_stake", bob_v1, n, 10 * TAO),
                &opts(),
            )
            .await
            .unwrap();
        }
        let worker = Worker::new(root, network, None, tx).with_data_dir(data.clone());
        worker.start_chain();
        answer(&mut rx, "connection", |a| {
            matches!(
                a,
                Action::ConnectionChanged(taotui::action::Connection::Connected { .. })
            )
            .then_some(())
        })
        .await;
        worker
    });
    Setup {
        suri,
        me,
        worker,
        rx,
        data,
        _home: home,
    }
}

/// Waits for the worker's first answer that `pick` takes, ignoring the rest (blocks, connection news).
async fn answer<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>,
    what: &str,
    mut pick: impl FnMut(Action) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 180 s"))
            .expect("the worker is gone");
        if let Some(t) = pick(action) {
            return t;
        }
    }
}

fn row(hotkey: [u8; 32], netuid: u16, held: u64) -> Row {
    Row {
        hotkey: ss58(&hotkey),
        name: None,
        netuid,
        symbol: "α".to_owned(),
        held,
        choice: Choice::Keep,
        amount: taotui::model::input::TextInput::new(),
        dest: None,
    }
}

fn alpha_text(a: u64) -> String {
    format!("{}.{:09}", a / TAO, a % TAO)
}

fn effects_of(outcome: RebalanceOutcome) -> Vec<Effect> {
    match outcome {
        RebalanceOutcome::Stay(effects) => effects,
        _ => panic!("the dialog closed or asked for the picker"),
    }
}

/// Enter on the dialog, the worker's preview fed back: the confirm step.
fn preview(s: &Shared, setup: &mut Setup, r: &mut Rebalance, ids: &mut IdGen) {
    let effects = effects_of(r.on_key(KeyPress::plain(KeyCode::Enter), ids));
    let [Effect::PreviewBatch { id, .. }] = effects.as_slice() else {
        panic!("one batch preview: {effects:?} ({:?})", r.error)
    };
    let id = *id;
    let result = s.block_on(async {
        for e in effects {
            setup.worker.run(e);
        }
        answer(&mut setup.rx, "batch preview", |a| match a {
            Action::BatchPreviewed { id: got, result } if got == id => Some(result),
            _ => None,
        })
        .await
    });
    r.on_previewed(id, result);
    assert_eq!(r.step, RebalanceStep::Confirm, "{:?}", r.error);
}

/// Enter, the password, Enter: the worker signs once and sends; its outcome fed back.
fn sign(
    s: &Shared,
    setup: &mut Setup,
    r: &mut Rebalance,
    ids: &mut IdGen,
) -> Result<String, String> {
    effects_of(r.on_key(KeyPress::plain(KeyCode::Enter), ids));
    assert_eq!(r.step, RebalanceStep::Password, "{:?}", r.error);
    for c in PASSWORD.chars() {
        effects_of(r.on_key(KeyPress::char(c), ids));
    }
    let effects = effects_of(r.on_key(KeyPress::plain(KeyCode::Enter), ids));
    let [Effect::SubmitBatch { id, .. }] = effects.as_slice() else {
        panic!("one batch submission: {effects:?}")
    };
    let id = *id;
    let result = s.block_on(async {
        for e in effects {
            setup.worker.run(e);
        }
        answer(&mut setup.rx, "batch outcome", |a| match a {
            Action::TxDone { id: got, result } if got == id => Some(result),
            _ => None,
        })
        .await
    });
    assert!(r.on_done(id, result.clone()));
    assert_eq!(r.step, RebalanceStep::Done);
    result
}

#[test]
fn a_rebalance_of_two_positions_lands_in_one_extrinsic_as_previewed() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let mut setup = setup(s, "RebalanceLands");
    let me = setup.me;
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let bob_v2 = s.world.validator("bob-v2").hotkey;
    let [n2, n3] = [s.world.netuids()[1], s.world.netuids()[2]];
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let alpha = |h: [u8; 32], n: u16| s.block_on(chain_reads::alpha_of(&c, me, h, n));
    let free = || {
        s.block_on(async {
            let (api, _) = world::connect(s.ws_url()).await;
            chain_reads::free_at(&api, None, me).await
        })
    };
    let (a_move, a_unstake, a_v2) = (alpha(bob_v1, n2), alpha(bob_v1, n3), alpha(bob_v2, n2));
    assert!(a_move > 0 && a_unstake > 0);
    let half = a_unstake / 2;

    // Move all of bob-v1 on the second subnet to bob-v2; unstake half of bob-v1 on the third.
    let mut r = Rebalance::new(
        "w".to_owned(),
        vec![row(bob_v1, n2, a_move), row(bob_v1, n3, a_unstake)],
        100 * TAO,
        200,
    );
    let mut ids = IdGen::default();
    r.rows[0].choice = Choice::MoveAll;
    r.rows[0].dest = Some(Dest {
        hotkey: ss58(&bob_v2),
        name: None,
        netuid: n2,
        permit: taotui::risk::Permit::Unknown,
    });
    r.rows[1].choice = Choice::UnstakePart;
    r.selected = 1;
    for ch in alpha_text(half).chars() {
        effects_of(r.on_key(KeyPress::char(ch), &mut ids));
    }
    preview(s, &mut setup, &mut r, &mut ids);
    let p = r.preview.clone().unwrap().1;
    println!("{p:#?}");
    assert!(p.is_allowed(), "{:?}", p.refusals);
    assert_eq!(p.call, "Utility.batch_all");
    assert_eq!(p.legs.len(), 2);
    assert_eq!(p.legs[0].call, "SubtensorModule.move_stake");
    assert_eq!(p.legs[0].alpha_sold, a_move);
    assert!(p.legs[1].call.starts_with("SubtensorModule.remove_stake"));
    assert_eq!(p.legs[1].alpha_sold, half);
    assert!(p.legs[1].limit_price.is_some() && p.legs[1].tolerance_bps == Some(200));
    assert!(p.tao_received > 0 && p.fee > 0 && !p.shield.is_empty());
    // A move within one subnet and a trade on another share no pool.
    assert!(
        p.warnings.iter().all(|w| !w.contains("same subnet")),
        "{:?}",
        p.warnings
    );
    assert!(
        r.legs[0].words.starts_with("Move all"),
        "{}",
        r.legs[0].words
    );

    // `o` writes the same batch for offline signing (and leaves the preview to sign here).
    let effects = effects_of(r.write_offline(&mut ids));
    let [Effect::WriteUnsignedBatch { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let id = *id;
    let written = s.block_on(async {
        for e in effects {
            setup.worker.run(e);
        }
        answer(&mut setup.rx, "unsigned file", |a| match a {
            Action::UnsignedWritten { id: got, result } if got == id => Some(result),
            _ => None,
        })
        .await
    });
    assert!(r.on_written(id, &written));
    let file = written.unwrap();
    assert_eq!(file.call, "Utility.batch_all");
    assert_eq!(file.signer, ss58(&me));
    assert!(
        file.path.ends_with("-Utility.batch_all.unsigned.json"),
        "{}",
        file.path
    );
    r.step = RebalanceStep::Confirm;

    let free_0 = free();
    let done = sign(s, &mut setup, &mut r, &mut ids).unwrap();
    assert!(done.starts_with("2 legs landed together."), "{done}");
    assert!(done.contains("Utility.batch_all in block #"), "{done}");

    // As previewed: the whole first position moved, half the second sold for about the TAO shown.
    assert_eq!(alpha(bob_v1, n2), 0);
    let arrived = alpha(bob_v2, n2) - a_v2;
    assert!(
        arrived.abs_diff(p.legs[0].alpha_received) <= p.legs[0].alpha_received / 1000,
        "moved {arrived}, previewed {}",
        p.legs[0].alpha_received
    );
    let left = alpha(bob_v1, n3);
    assert!(
        left.abs_diff(a_unstake - half) <= 1,
        "{left} left of {a_unstake}"
    );
    let got = free() + p.fee - free_0;
    assert!(
        got.abs_diff(p.tao_received) <= p.tao_received / 200,
        "received {got}, previewed {}",
        p.tao_received
    );
    // One extrinsic, recorded in this machine's history like any stake.
    let history = std::fs::read_to_string(setup.data.join("history.jsonl")).unwrap();
    let hashes: std::collections::BTreeSet<String> = history
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["hash"].to_string())
        .collect();
    assert_eq!(hashes.len(), 1, "{history}");
    assert!(history.contains("Utility.batch_all"), "{history}");
    drop(setup.worker);
}

#[test]
fn a_rebalance_whose_leg_fails_on_chain_changes_no_position_and_names_the_leg() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let mut setup = setup(s, "RebalanceFails");
    let me = setup.me;
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let bob_v2 = s.world.validator("bob-v2").hotkey;
    let [n2, n3] = [s.world.netuids()[1], s.world.netuids()[2]];
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let alpha = |h: [u8; 32], n: u16| s.block_on(chain_reads::alpha_of(&c, me, h, n));
    let (a_move, a_unstake) = (alpha(bob_v1, n2), alpha(bob_v1, n3));
    let half = a_unstake / 2;

    // Move part of one position, unstake half of the other: fine when previewed.
    let mut r = Rebalance::new(
        "w".to_owned(),
        vec![row(bob_v1, n2, a_move), row(bob_v1, n3, a_unstake)],
        100 * TAO,
        200,
    );
    let mut ids = IdGen::default();
    r.rows[0].choice = Choice::MovePart;
    r.rows[0].amount = taotui::model::input::TextInput::with_text(&alpha_text(a_move / 3));
    r.rows[0].dest = Some(Dest {
        hotkey: ss58(&bob_v2),
        name: None,
        netuid: n2,
        permit: taotui::risk::Permit::Unknown,
    });
    r.rows[1].choice = Choice::UnstakePart;
    r.rows[1].amount = taotui::model::input::TextInput::with_text(&alpha_text(half));
    preview(s, &mut setup, &mut r, &mut ids);
    assert!(r.preview.as_ref().unwrap().1.is_allowed());

    // Before the password, the position shrinks below what the second leg unstakes (the coldkey unstakes
    // elsewhere): that leg is now above the position and fails on chain.
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        tx::submit(
            &api,
            &rpc,
            &world::signer(&setup.suri),
            &stake_call("remove_stake", bob_v1, n3, a_unstake - half / 2),
            &opts(),
        )
        .await
        .unwrap();
    });
    let before = (alpha(bob_v1, n2), alpha(bob_v2, n2), alpha(bob_v1, n3));
    assert!(before.2 < half);
    let free_before = s.block_on(async {
        let (api, _) = world::connect(s.ws_url()).await;
        chain_reads::free_at(&api, None, me).await
    });

    let err = sign(s, &mut setup, &mut r, &mut ids).unwrap_err();
    println!("{err}");
    assert!(
        err.starts_with("Leg 2 (SubtensorModule.remove_stake"),
        "{err}"
    );
    assert!(err.contains("no leg took effect"), "{err}");
    assert_eq!(
        (alpha(bob_v1, n2), alpha(bob_v2, n2), alpha(bob_v1, n3)),
        before,
        "the move leg was not reverted"
    );
    let free_after = s.block_on(async {
        let (api, _) = world::connect(s.ws_url()).await;
        chain_reads::free_at(&api, None, me).await
    });
    let fee = free_before - free_after;
    assert!(fee > 0 && fee < TAO / 10, "only the fee may leave: {fee}");
    drop(setup.worker);
}

#[test]
fn more_than_sixteen_legs_go_as_two_batches_with_one_password_and_the_preview_says_so() {
    use taotui::action::{BatchRequest, RequestId, StakeKind, StakeRequest};
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let mut setup = setup(s, "RebalanceSplit");
    let me = setup.me;
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let [n2, n3] = [s.world.netuids()[1], s.world.netuids()[2]];
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let alpha = |h: [u8; 32], n: u16| s.block_on(chain_reads::alpha_of(&c, me, h, n));
    let (a2, a3) = (alpha(bob_v1, n2), alpha(bob_v1, n3));
    // 17 small unstakes, alternating between the two positions.
    let legs: Vec<StakeRequest> = (0..17)
        .map(|i| StakeRequest {
            kind: StakeKind::Unstake,
            wallet: "w".to_owned(),
            hotkey: ss58(&bob_v1),
            netuid: if i % 2 == 0 { n2 } else { n3 },
            amount: TAO / 10,
            destination: None,
            destination_netuid: None,
            all: false,
            tolerance_bps: 500,
            allow_partial: false,
            proxy: None,
            mev_shield: true,
        })
        .collect();
    let request = BatchRequest {
        wallet: "w".to_owned(),
        proxy: None,
        legs,
    };
    let (preview, done) = s.block_on(async {
        setup.worker.run(Effect::PreviewBatch {
            id: RequestId(1),
            request: request.clone(),
        });
        let preview = answer(&mut setup.rx, "preview", |a| match a {
            Action::BatchPreviewed {
                id: RequestId(1),
                result,
            } => Some(result),
            _ => None,
        })
        .await
        .unwrap();
        setup.worker.run(Effect::SubmitBatch {
            id: RequestId(2),
            preview: RequestId(1),
            request,
            password: SecretString::from(PASSWORD.to_owned()),
        });
        let done = answer(&mut setup.rx, "outcome", |a| match a {
            Action::TxDone {
                id: RequestId(2),
                result,
            } => Some(result),
            _ => None,
        })
        .await;
        (preview, done)
    });
    assert_eq!((preview.parts, preview.legs.len()), (2, 17));
    assert!(preview.is_allowed(), "{:?}", preview.refusals);
    assert!(
        preview.warnings[0].contains("go as 2 batches, each all-or-nothing but not together"),
        "{:?}",
        preview.warnings
    );
    let done = done.unwrap();
    assert!(done.starts_with("17 legs landed in 2 batches."), "{done}");
    // Every leg took effect (alpha shares round by a rao per leg at most).
    assert!((a2 - alpha(bob_v1, n2)).abs_diff(9 * (TAO / 10)) <= 9);
    assert!((a3 - alpha(bob_v1, n3)).abs_diff(8 * (TAO / 10)) <= 8);
    let history = std::fs::read_to_string(setup.data.join("history.jsonl")).unwrap();
    let hashes: std::collections::BTreeSet<String> = history
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["hash"].to_string())
        .collect();
    assert_eq!(hashes.len(), 2, "{history}");
    drop(setup.worker);
}
