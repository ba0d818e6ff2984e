//! `update` tested without a terminal: every flow, its cancel paths and its errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/rebalance_fixtures.rs"]
mod rebalance_fixtures;
#[path = "common/ui_fixtures.rs"]
mod ui_fixtures;

use crossterm::event::{KeyCode, KeyModifiers};
use secrecy::ExposeSecret;
use taotui::action::{
    Action, Connection, Effect, KeyFileFormat, KeyPress, RequestId, StakeKind, TxProgress,
};
use taotui::model::form::FormKind;
use taotui::model::stake::StakeStep;
use taotui::model::wizard::CreateStep;
use taotui::model::{Modal, Screen, update};
use ui_fixtures::*;

const STRONG: &str = "violet tractor ninety lantern";

fn wizard_step(m: &taotui::model::Model) -> Option<CreateStep> {
    match &m.modal {
        Some(Modal::Wizard(w)) => Some(w.step),
        _ => None,
    }
}

fn wizard_error(m: &taotui::model::Model) -> Option<String> {
    match &m.modal {
        Some(Modal::Wizard(w)) => w.error.clone(),
        _ => None,
    }
}

fn writes(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            Effect::CreateWallet { .. }
                | Effect::RestoreColdkey { .. }
                | Effect::WatchOnly { .. }
                | Effect::NewHotkey { .. }
                | Effect::ChangePassword { .. }
                | Effect::Convert { .. }
        )
    })
}

/// Drives the wizard to `stop` (inclusive), collecting every effect.
fn wizard_to(m: &mut taotui::model::Model, stop: CreateStep) -> Vec<Effect> {
    let mut all = char_key(m, 'n');
    let step = |m: &taotui::model::Model| wizard_step(m).unwrap();
    if step(m) == stop {
        return all;
    }
    type_text(m, "bob");
    all.extend(enter(m));
    if step(m) == stop {
        return all;
    }
    let effects = enter(m);
    let id = match effects.first() {
        Some(Effect::GenerateMnemonic { id, .. }) => *id,
        other => panic!("expected GenerateMnemonic, got {other:?}"),
    };
    all.extend(effects);
    if stop == CreateStep::Generating {
        return all;
    }
    all.extend(update(
        m,
        Action::MnemonicGenerated {
            id,
            mnemonic: dev_mnemonic(),
            check_positions: vec![0, 5, 11],
        },
    ));
    if step(m) == stop {
        return all;
    }
    all.extend(enter(m));
    if step(m) == stop {
        return all;
    }
    for word in ["bottom", "smoke", "walk"] {
        type_text(m, word);
        all.extend(enter(m));
    }
    if step(m) == stop {
        return all;
    }
    type_text(m, STRONG);
    all.extend(enter(m));
    type_text(m, STRONG);
    all.extend(enter(m));
    if step(m) == stop {
        return all;
    }
    all.extend(press(m, KeyPress::plain(KeyCode::Right)));
    all.extend(enter(m));
    if step(m) == stop {
        return all;
    }
    all.extend(enter(m));
    all
}

#[test]
fn create_wallet_writes_only_after_the_review_is_confirmed() {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    let before = wizard_to(&mut m, CreateStep::Review);
    assert!(!writes(&before), "nothing may be written before the review");
    assert_eq!(wizard_step(&m), Some(CreateStep::Review));
    let effects = enter(&mut m);
    let (id, name, password, format) = match effects.as_slice() {
        [
            Effect::CreateWallet {
                id,
                name,
                mnemonic,
                password,
                format,
            },
        ] => {
            assert_eq!(mnemonic.phrase(), DEV_PHRASE);
            (
                *id,
                name.clone(),
                password.expose_secret().to_owned(),
                *format,
            )
        }
        other => panic!("expected one CreateWallet, got {other:?}"),
    };
    assert_eq!(name, "bob");
    assert_eq!(password, STRONG);
    assert_eq!(format, KeyFileFormat::Btcli);
    assert_eq!(wizard_step(&m), Some(CreateStep::Writing));

    let effects = update(
        &mut m,
        Action::KeystoreDone {
            id,
            result: Ok("Wallet bob created.".to_owned()),
        },
    );
    assert!(matches!(effects.as_slice(), [Effect::ScanWallets { .. }]));
    match &m.modal {
        Some(Modal::Wizard(w)) => {
            assert_eq!(w.step, CreateStep::Done);
            assert!(w.mnemonic.is_none(), "the mnemonic is dropped once written");
        }
        other => panic!("{other:?}"),
    }
    enter(&mut m);
    assert!(m.modal.is_none());
}

#[test]
fn esc_at_every_step_cancels_with_nothing_written() {
    for stop in [
        CreateStep::Name,
        CreateStep::Words,
        CreateStep::Generating,
        CreateStep::ShowMnemonic,
        CreateStep::ConfirmWords,
        CreateStep::Password,
        CreateStep::Format,
        CreateStep::Review,
    ] {
        let mut m = model();
        with_wallets(&mut m, Vec::new());
        let mut effects = wizard_to(&mut m, stop);
        assert_eq!(wizard_step(&m), Some(stop));
        effects.extend(esc(&mut m));
        assert!(m.modal.is_none(), "Esc at {stop:?} closes the wizard");
        assert!(!writes(&effects), "Esc at {stop:?} writes nothing");
        let notice = m.notice.clone().unwrap();
        assert!(notice.text.contains("nothing was written"), "{notice:?}");
    }
}

#[test]
fn wizard_refuses_bad_and_duplicate_names() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    m.screen = Screen::Wallets;
    char_key(&mut m, 'n');
    type_text(&mut m, "alice");
    enter(&mut m);
    assert_eq!(wizard_step(&m), Some(CreateStep::Name));
    assert!(wizard_error(&m).unwrap().contains("exists already"));
    for _ in 0..5 {
        press(&mut m, KeyPress::plain(KeyCode::Backspace));
    }
    type_text(&mut m, "a/b");
    enter(&mut m);
    assert_eq!(wizard_step(&m), Some(CreateStep::Name));
    assert!(wizard_error(&m).is_some());
}

#[test]
fn wrong_words_three_times_end_the_wizard_without_writing() {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    let mut effects = wizard_to(&mut m, CreateStep::ConfirmWords);
    type_text(&mut m, "drive");
    effects.extend(enter(&mut m));
    assert!(wizard_error(&m).unwrap().contains("2 attempts left"));
    for _ in 0..2 {
        type_text(&mut m, "nope");
        effects.extend(enter(&mut m));
    }
    assert_eq!(wizard_step(&m), Some(CreateStep::Done));
    assert!(wizard_error(&m).unwrap().contains("nothing was written"));
    assert!(!writes(&effects));
    match &m.modal {
        Some(Modal::Wizard(w)) => assert!(w.mnemonic.is_none()),
        _ => panic!(),
    }
}

#[test]
fn passwords_must_match_be_long_enough_and_weak_ones_need_a_second_enter() {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    wizard_to(&mut m, CreateStep::Password);
    type_text(&mut m, "short");
    enter(&mut m);
    type_text(&mut m, "short");
    enter(&mut m);
    assert_eq!(wizard_step(&m), Some(CreateStep::Password));
    assert!(wizard_error(&m).unwrap().contains("too short"));

    let mut m = model();
    with_wallets(&mut m, Vec::new());
    wizard_to(&mut m, CreateStep::Password);
    type_text(&mut m, STRONG);
    enter(&mut m);
    type_text(&mut m, "something else entirely");
    enter(&mut m);
    assert!(wizard_error(&m).unwrap().contains("differ"));

    let mut m = model();
    with_wallets(&mut m, Vec::new());
    wizard_to(&mut m, CreateStep::Password);
    type_text(&mut m, "password1");
    enter(&mut m);
    type_text(&mut m, "password1");
    enter(&mut m);
    assert_eq!(wizard_step(&m), Some(CreateStep::Password));
    assert!(wizard_error(&m).unwrap().contains("weak"));
    enter(&mut m);
    assert_eq!(wizard_step(&m), Some(CreateStep::Format));
}

#[test]
fn a_failed_write_is_shown_and_can_be_retried() {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    wizard_to(&mut m, CreateStep::Writing);
    let id = match &m.modal {
        Some(Modal::Wizard(w)) => w.pending.unwrap(),
        _ => panic!(),
    };
    // A stale answer is ignored.
    update(
        &mut m,
        Action::KeystoreDone {
            id: RequestId(999),
            result: Ok("x".to_owned()),
        },
    );
    assert_eq!(wizard_step(&m), Some(CreateStep::Writing));
    update(
        &mut m,
        Action::KeystoreDone {
            id,
            result: Err("the disk is full".to_owned()),
        },
    );
    assert_eq!(wizard_step(&m), Some(CreateStep::Review));
    assert_eq!(wizard_error(&m).as_deref(), Some("the disk is full"));
    assert!(matches!(
        enter(&mut m).as_slice(),
        [Effect::CreateWallet { .. }]
    ));
}

#[test]
fn stale_mnemonic_answers_are_dropped() {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    wizard_to(&mut m, CreateStep::Generating);
    update(
        &mut m,
        Action::MnemonicGenerated {
            id: RequestId(12345),
            mnemonic: dev_mnemonic(),
            check_positions: vec![0, 1, 2],
        },
    );
    assert_eq!(wizard_step(&m), Some(CreateStep::Generating));
}

#[test]
fn ctrl_c_quits_even_inside_a_text_field_and_q_is_typed() {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    char_key(&mut m, 'n');
    char_key(&mut m, 'q');
    assert!(!m.quit);
    match &m.modal {
        Some(Modal::Wizard(w)) => assert_eq!(w.name.as_str(), "q"),
        _ => panic!(),
    }
    let effects = press(&mut m, KeyPress::ctrl('c'));
    assert!(m.quit);
    assert!(matches!(effects.as_slice(), [Effect::Quit]));
}

fn form_kind(m: &taotui::model::Model) -> Option<FormKind> {
    match &m.modal {
        Some(Modal::Form(f)) => Some(f.kind.clone()),
        _ => None,
    }
}

fn form_error(m: &taotui::model::Model) -> Option<String> {
    match &m.modal {
        Some(Modal::Form(f)) => f.error.clone(),
        _ => None,
    }
}

#[test]
fn restore_form_submits_only_on_the_last_field_and_esc_writes_nothing() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    m.screen = Screen::Wallets;
    press(
        &mut m,
        KeyPress::new(KeyCode::Char('R'), KeyModifiers::SHIFT),
    );
    assert_eq!(form_kind(&m), Some(FormKind::Restore));
    type_text(&mut m, "restored");
    enter(&mut m);
    update(&mut m, Action::Paste(DEV_PHRASE.to_owned()));
    enter(&mut m);
    type_text(&mut m, STRONG);
    enter(&mut m);
    type_text(&mut m, STRONG);
    assert!(
        !writes(&enter(&mut m)),
        "Enter moves to the format field first"
    );
    let effects = enter(&mut m);
    match effects.as_slice() {
        [
            Effect::RestoreColdkey {
                name,
                secret,
                format,
                ..
            },
        ] => {
            assert_eq!(name, "restored");
            assert_eq!(secret.expose_secret(), DEV_PHRASE);
            assert_eq!(*format, KeyFileFormat::Native);
        }
        other => panic!("{other:?}"),
    }

    let mut m = model();
    with_wallets(&mut m, wallets());
    m.screen = Screen::Wallets;
    press(&mut m, KeyPress::char('R'));
    type_text(&mut m, "restored");
    let effects = esc(&mut m);
    assert!(m.modal.is_none() && !writes(&effects));
}

#[test]
fn watch_only_refuses_a_bad_address() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    m.screen = Screen::Wallets;
    char_key(&mut m, 'w');
    type_text(&mut m, "watch2");
    enter(&mut m);
    type_text(&mut m, "5notanaddress");
    assert!(enter(&mut m).is_empty());
    assert!(form_error(&m).unwrap().contains("not a valid SS58"));
    for _ in 0..13 {
        press(&mut m, KeyPress::plain(KeyCode::Backspace));
    }
    type_text(&mut m, ALICE);
    assert!(matches!(enter(&mut m).as_slice(), [Effect::WatchOnly { ss58, .. }] if ss58 == ALICE));
}

#[test]
fn key_actions_follow_the_selected_row() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    m.screen = Screen::Wallets;
    // Row 0: alice's coldkey (native, encrypted).
    let effects = char_key(&mut m, 'c');
    assert!(matches!(effects.as_slice(), [Effect::CopyToClipboard(a)] if a == ALICE));
    char_key(&mut m, 'v');
    assert_eq!(
        form_kind(&m),
        Some(FormKind::Convert {
            wallet: "alice".to_owned(),
            target: taotui_keystore::wallet::KeyTarget::Coldkey,
            to: KeyFileFormat::Btcli
        })
    );
    esc(&mut m);
    // Row 1: alice's unencrypted hotkey: no password to change.
    char_key(&mut m, 'j');
    char_key(&mut m, 'p');
    assert!(m.modal.is_none());
    assert!(m.notice.clone().unwrap().error);
    char_key(&mut m, 'o');
    assert!(matches!(&m.modal, Some(Modal::Qr { ss58, .. }) if ss58 == BOB));
    esc(&mut m);
    char_key(&mut m, 'h');
    assert_eq!(
        form_kind(&m),
        Some(FormKind::NewHotkey {
            wallet: "alice".to_owned()
        })
    );
    type_text(&mut m, "miner2");
    assert!(
        matches!(enter(&mut m).as_slice(), [Effect::NewHotkey { hotkey, .. }] if hotkey == "miner2")
    );
}

#[test]
fn change_password_sends_old_and_new() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    m.screen = Screen::Wallets;
    char_key(&mut m, 'p');
    type_text(&mut m, "old password");
    enter(&mut m);
    type_text(&mut m, STRONG);
    enter(&mut m);
    type_text(&mut m, STRONG);
    match enter(&mut m).as_slice() {
        [
            Effect::ChangePassword {
                old, new, wallet, ..
            },
        ] => {
            assert_eq!(old.expose_secret(), "old password");
            assert_eq!(new.expose_secret(), STRONG);
            assert_eq!(wallet, "alice");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn portfolio_is_home_once_a_wallet_exists_and_connecting_reads_everything() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    assert_eq!(m.screen, Screen::Portfolio);
    let effects = connect(&mut m);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchOverview { .. }))
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchSubnets { .. }))
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchValidators { netuid: 0, .. }))
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPositions { coldkey, .. } if coldkey == ALICE))
    );
}

#[test]
fn offline_start_reads_nothing_and_says_so_on_refresh() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Offline {
            reason: "no route".to_owned(),
        }),
    );
    let effects = char_key(&mut m, 'r');
    assert!(effects.is_empty());
    assert!(m.notice.clone().unwrap().text.contains("Not connected"));
}

#[test]
fn stale_validator_answers_are_dropped_and_subnet_switch_rereads() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    let effects = connect(&mut m);
    let (sid, vid) = effects.iter().fold((None, None), |acc, e| match e {
        Effect::FetchSubnets { id } => (Some(*id), acc.1),
        Effect::FetchValidators { id, .. } => (acc.0, Some(*id)),
        _ => acc,
    });
    update(
        &mut m,
        Action::SubnetsLoaded {
            id: sid.unwrap(),
            fetched_at: NOW,
            result: Ok(subnets()),
        },
    );
    m.screen = Screen::Validators;
    let effects = char_key(&mut m, ']');
    let new_id = match effects.as_slice() {
        [Effect::FetchValidators { id, netuid: 1 }] => *id,
        other => panic!("{other:?}"),
    };
    // The answer for root arrives late: dropped.
    update(
        &mut m,
        Action::ValidatorsLoaded {
            id: vid.unwrap(),
            netuid: 0,
            fetched_at: NOW,
            result: Ok(validators(3, 0)),
        },
    );
    assert!(m.validators.validators.data.is_none());
    update(
        &mut m,
        Action::ValidatorsLoaded {
            id: new_id,
            netuid: 1,
            fetched_at: NOW,
            result: Ok(validators(8, 1)),
        },
    );
    assert_eq!(m.validators.visible().len(), 8);
}

#[test]
fn validators_filter_and_sort() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    let effects = connect(&mut m);
    let vid = effects.iter().find_map(|e| match e {
        Effect::FetchValidators { id, .. } => Some(*id),
        _ => None,
    });
    update(
        &mut m,
        Action::ValidatorsLoaded {
            id: vid.unwrap(),
            netuid: 0,
            fetched_at: NOW,
            result: Ok(validators(20, 0)),
        },
    );
    m.screen = Screen::Validators;
    char_key(&mut m, '/');
    type_text(&mut m, "0012");
    assert_eq!(m.validators.visible().len(), 1);
    esc(&mut m);
    assert_eq!(m.validators.visible().len(), 20);
    let first_by_stake = m.validators.visible()[0].total_stake;
    assert!(
        m.validators
            .visible()
            .iter()
            .all(|v| v.total_stake <= first_by_stake)
    );
    char_key(&mut m, 's');
    let names: Vec<_> = m
        .validators
        .visible()
        .iter()
        .map(|v| v.name.clone())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

fn stake_model() -> taotui::model::Model {
    loaded_with(5, 3, 0)
}

fn stake_step(m: &taotui::model::Model) -> Option<StakeStep> {
    match &m.modal {
        Some(Modal::Stake(s)) => Some(s.step),
        _ => None,
    }
}

#[test]
fn stake_flow_amount_confirm_password_then_submit() {
    let mut m = stake_model();
    m.screen = Screen::Validators;
    enter(&mut m);
    assert_eq!(stake_step(&m), Some(StakeStep::Edit));
    type_text(&mut m, "5000");
    enter(&mut m);
    assert_eq!(
        stake_step(&m),
        Some(StakeStep::Edit),
        "more than the free balance"
    );
    match &m.modal {
        Some(Modal::Stake(s)) => assert!(s.error.clone().unwrap().contains("more than")),
        _ => panic!(),
    }
    char_key(&mut m, 'm');
    match &m.modal {
        Some(Modal::Stake(s)) => assert_eq!(s.parsed_amount(), Ok(1_234_567_890_123)),
        _ => panic!(),
    }
    for _ in 0..20 {
        press(&mut m, KeyPress::plain(KeyCode::Backspace));
    }
    type_text(&mut m, "10");
    let effects = enter(&mut m);
    assert_eq!(stake_step(&m), Some(StakeStep::Previewing));
    assert!(
        matches!(effects.as_slice(), [Effect::PreviewStake { request, .. }] if request.amount == 10_000_000_000)
    );
    answer_preview(&mut m, &effects, Vec::new());
    assert_eq!(stake_step(&m), Some(StakeStep::Confirm));
    esc(&mut m);
    assert_eq!(
        stake_step(&m),
        Some(StakeStep::Edit),
        "Esc on confirm goes back to the amount"
    );
    enter_and_preview(&mut m);
    enter(&mut m);
    assert_eq!(stake_step(&m), Some(StakeStep::Password));
    type_text(&mut m, "pw");
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [
            Effect::SubmitStake {
                id,
                request,
                password,
                ..
            },
        ] => {
            assert_eq!(request.kind, StakeKind::Stake);
            assert_eq!(request.amount, 10_000_000_000);
            assert_eq!(request.netuid, 0);
            assert_eq!(request.tolerance_bps, 50);
            assert_eq!(password.expose_secret(), "pw");
            *id
        }
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::TxDone {
            id,
            result: Err("SubtensorModule::NotEnoughBalanceToStake: top up".to_owned()),
        },
    );
    assert_eq!(stake_step(&m), Some(StakeStep::Done));
    esc(&mut m);
    assert!(m.modal.is_none());
}

#[test]
fn a_refused_preview_cannot_be_signed_and_a_preview_error_returns_to_the_amount() {
    let mut m = stake_model();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "1");
    let effects = enter(&mut m);
    answer_preview(
        &mut m,
        &effects,
        vec!["the balance does not cover the amount and the fee".to_owned()],
    );
    assert_eq!(stake_step(&m), Some(StakeStep::Confirm));
    assert!(enter(&mut m).is_empty());
    assert_eq!(
        stake_step(&m),
        Some(StakeStep::Confirm),
        "a refused call never reaches the password"
    );
    esc(&mut m);
    let id = match enter(&mut m).as_slice() {
        [Effect::PreviewStake { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::StakePreviewed {
            id,
            result: Err("not connected".to_owned()),
        },
    );
    assert_eq!(stake_step(&m), Some(StakeStep::Edit));
    match &m.modal {
        Some(Modal::Stake(s)) => assert_eq!(s.error.as_deref(), Some("not connected")),
        _ => panic!(),
    }
}

#[test]
fn history_is_read_when_its_screen_opens() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    let effects = char_key(&mut m, '5');
    let id = match effects.as_slice() {
        [Effect::LoadHistory { id }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::HistoryLoaded {
            id: RequestId(id.0 + 100),
            result: Ok(Vec::new()),
        },
    );
    assert!(m.history.pending.is_some(), "a stale answer is dropped");
    update(
        &mut m,
        Action::HistoryLoaded {
            id,
            result: Err("the history file is damaged".to_owned()),
        },
    );
    assert_eq!(
        m.history.error.as_deref(),
        Some("the history file is damaged")
    );
}

#[test]
fn unstake_from_a_position_offers_the_positions_alpha() {
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'u');
    match &m.modal {
        Some(Modal::Stake(s)) => {
            assert_eq!(s.kind, StakeKind::Unstake);
            // Sorted by value: the largest position (index 2, 120 alpha) is first.
            assert_eq!(s.available, 120_000_000_000);
        }
        other => panic!("{other:?}"),
    }
    let effects = esc(&mut m);
    assert!(m.modal.is_none() && effects.is_empty());
}

#[test]
fn clicking_a_tab_switches_screen() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    update(&mut m, Action::Click { column: 40, row: 0 });
    assert_eq!(m.screen, Screen::Validators);
    update(&mut m, Action::Click { column: 9, row: 0 });
    assert_eq!(m.screen, Screen::Wallets);
}

#[test]
fn move_needs_a_destination_validator() {
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'm');
    type_text(&mut m, "1");
    assert!(enter(&mut m).is_empty(), "no destination yet");
    match &m.modal {
        Some(Modal::Stake(s)) => {
            assert_eq!(s.kind, StakeKind::Move);
            assert_eq!(s.focus, taotui::model::stake::Focus::Destination);
            assert!(s.error.clone().unwrap().contains("SS58"));
        }
        other => panic!("{other:?}"),
    }
    update(&mut m, Action::Paste(ALICE.to_owned()));
    match enter(&mut m).as_slice() {
        [Effect::PreviewStake { request, .. }] => {
            assert_eq!(request.kind, StakeKind::Move);
            assert_eq!(request.destination.as_deref(), Some(ALICE));
            assert_eq!(request.amount, 1_000_000_000);
        }
        other => panic!("{other:?}"),
    }
}

fn form(m: &taotui::model::Model) -> &taotui::model::stake::StakeForm {
    match &m.modal {
        Some(Modal::Stake(s)) => s,
        other => panic!("expected a signing form, got {other:?}"),
    }
}

fn submits(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::SubmitStake { .. }))
}

fn clear_field(m: &mut taotui::model::Model) {
    for _ in 0..60 {
        press(m, KeyPress::plain(KeyCode::Backspace));
    }
}

/// Opens the transfer form on Portfolio and fills a valid recipient and 10 TAO.
fn transfer_filled() -> taotui::model::Model {
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(BOB.to_owned()));
    tab(&mut m);
    type_text(&mut m, "10");
    m
}

#[test]
fn transfer_flow_address_amount_quote_confirm_password_submit_reread() {
    use taotui::model::stake::Focus;
    let mut m = stake_model();
    m.screen = Screen::Wallets;
    assert!(char_key(&mut m, 't').is_empty());
    let f = form(&m);
    assert_eq!(f.kind, StakeKind::Transfer);
    assert_eq!(f.focus, Focus::Destination, "the recipient comes first");
    assert_eq!(f.available, 1_234_567_890_123);

    // A bad address is flagged as it is typed and stops the review.
    type_text(&mut m, "5bad");
    assert!(
        form(&m)
            .address_status()
            .unwrap()
            .unwrap_err()
            .contains("valid SS58 address")
    );
    assert!(enter(&mut m).is_empty());
    assert_eq!(form(&m).step, StakeStep::Edit);
    assert!(form(&m).error.clone().unwrap().contains("valid SS58"));
    clear_field(&mut m);
    update(&mut m, Action::Paste(BOB.to_owned()));
    assert_eq!(form(&m).address_status(), Some(Ok(())));

    // No amount yet: the review points at the amount.
    assert!(enter(&mut m).is_empty());
    assert_eq!(form(&m).focus, Focus::Amount);
    assert_eq!(form(&m).error.as_deref(), Some("type an amount"));
    type_text(&mut m, "10");

    // The live preview asks the chain once the inputs settle; one quote at a time.
    let effects = update(&mut m, Action::Tick(NOW));
    let quote = match effects.as_slice() {
        [Effect::QuoteStake { id, request }] => {
            assert_eq!(request.kind, StakeKind::Transfer);
            assert_eq!(request.destination.as_deref(), Some(BOB));
            *id
        }
        other => panic!("{other:?}"),
    };
    assert!(update(&mut m, Action::Tick(NOW + 1)).is_empty());
    update(
        &mut m,
        Action::StakeQuoted {
            id: quote,
            result: Ok(taotui::action::ChainPreview {
                facts: transfer_facts(0, 0),
                ..Default::default()
            }),
        },
    );
    let p = form(&m).transfer_preview().unwrap();
    assert_eq!(p.send, Some(10_000_000_000));
    assert_eq!(p.fee, Some(125_000));
    assert_eq!(
        p.balance_after,
        Some(1_234_567_890_123 - 10_000_000_000 - 125_000)
    );
    assert!(p.checks.iter().all(|c| c.ok), "{:?}", p.checks);
    assert!(
        update(&mut m, Action::Tick(NOW + 2)).is_empty(),
        "nothing changed: no new quote"
    );

    let effects = enter(&mut m);
    match effects.as_slice() {
        [Effect::PreviewStake { request, .. }] => {
            assert_eq!(request.kind, StakeKind::Transfer);
            assert_eq!(request.amount, 10_000_000_000);
            assert!(!request.all);
            assert_eq!(request.destination.as_deref(), Some(BOB));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(form(&m).step, StakeStep::Previewing);
    answer_transfer_preview(&mut m, &effects, "Balances.transfer_keep_alive", Vec::new());
    assert_eq!(form(&m).step, StakeStep::Confirm);
    assert!(enter(&mut m).is_empty());
    assert_eq!(form(&m).step, StakeStep::Password);
    type_text(&mut m, "pw");
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [
            Effect::SubmitStake {
                id,
                request,
                password,
                ..
            },
        ] => {
            assert_eq!(request.kind, StakeKind::Transfer);
            assert_eq!(request.amount, 10_000_000_000);
            assert_eq!(password.expose_secret(), "pw");
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(form(&m).step, StakeStep::Progress);
    // (Esc here leaves the transaction to the background: tests/ui_stalls.rs.)
    for progress in [
        taotui::action::TxProgress::Submitted,
        taotui::action::TxProgress::InBlock { block: 7 },
    ] {
        update(&mut m, Action::TxProgress { id, progress });
    }
    assert_eq!(form(&m).progress.len(), 3);
    let effects = update(
        &mut m,
        Action::TxDone {
            id,
            result: Ok("Done: Balances.transfer_keep_alive in block #7.".to_owned()),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPositions { coldkey, .. } if coldkey == ALICE)),
        "the portfolio is read again: {effects:?}"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadHistory { .. }))
    );
    assert_eq!(form(&m).step, StakeStep::Done);
    enter(&mut m);
    assert!(m.modal.is_none());
    // The recipient is no longer a first-time one for the rest of the session.
    assert!(m.used_recipients.iter().any(|u| u == BOB));
}

#[test]
fn transfer_esc_at_every_step_signs_nothing() {
    // Edit: Esc closes.
    let mut m = transfer_filled();
    assert!(esc(&mut m).is_empty());
    assert!(m.modal.is_none());

    // Previewing: Esc back to the amount; the late answer is dropped.
    let mut m = transfer_filled();
    let effects = enter(&mut m);
    assert!(esc(&mut m).is_empty());
    assert_eq!(form(&m).step, StakeStep::Edit);
    answer_transfer_preview(&mut m, &effects, "Balances.transfer_keep_alive", Vec::new());
    assert_eq!(form(&m).step, StakeStep::Edit, "a stale preview is dropped");

    // Confirm and password: Esc steps back; a second Esc closes; nothing is submitted.
    let mut m = transfer_filled();
    let effects = enter(&mut m);
    answer_transfer_preview(&mut m, &effects, "Balances.transfer_keep_alive", Vec::new());
    enter(&mut m);
    type_text(&mut m, "secret");
    let mut all = esc(&mut m);
    assert_eq!(form(&m).step, StakeStep::Confirm);
    assert!(
        form(&m).password.as_str().is_empty(),
        "the password is wiped"
    );
    all.extend(esc(&mut m));
    assert_eq!(form(&m).step, StakeStep::Edit);
    all.extend(esc(&mut m));
    assert!(m.modal.is_none());
    assert!(!submits(&all) && all.is_empty(), "{all:?}");
}

#[test]
fn transfer_max_is_transfer_all_and_errors_are_shown() {
    let mut m = transfer_filled();
    char_key(&mut m, 'm');
    assert!(form(&m).all);
    match enter(&mut m).as_slice() {
        [Effect::PreviewStake { request, .. }] => {
            assert!(
                request.all,
                "m sends everything that keeps the account alive"
            );
        }
        other => panic!("{other:?}"),
    }
    esc(&mut m);
    // Typing a digit leaves "all"; alt-2 is half the balance.
    char_key(&mut m, '5');
    assert!(!form(&m).all);
    press(&mut m, KeyPress::new(KeyCode::Char('2'), KeyModifiers::ALT));
    assert_eq!(form(&m).parsed_amount(), Ok(1_234_567_890_123 / 2));

    // More than the balance.
    clear_field(&mut m);
    type_text(&mut m, "5000");
    assert!(enter(&mut m).is_empty());
    assert!(form(&m).error.clone().unwrap().contains("more than"));

    // A preview error returns to the form with the sentence.
    clear_field(&mut m);
    type_text(&mut m, "1");
    let id = match enter(&mut m).as_slice() {
        [Effect::PreviewStake { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::StakePreviewed {
            id,
            result: Err("wallet alice is watch-only: it cannot sign".to_owned()),
        },
    );
    assert_eq!(form(&m).step, StakeStep::Edit);
    assert!(form(&m).error.clone().unwrap().contains("watch-only"));

    // The chain's refusal keeps the form on the confirm screen.
    let effects = enter(&mut m);
    answer_transfer_preview(
        &mut m,
        &effects,
        "Balances.transfer_keep_alive",
        vec!["The destination account is empty".to_owned()],
    );
    assert!(enter(&mut m).is_empty());
    assert_eq!(form(&m).step, StakeStep::Confirm);
}

#[test]
fn transfer_refuses_own_address_and_watch_only_wallets() {
    let mut m = stake_model();
    m.screen = Screen::Wallets;
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(ALICE.to_owned()));
    assert!(
        form(&m)
            .address_status()
            .unwrap()
            .unwrap_err()
            .contains("own address")
    );
    assert!(enter(&mut m).is_empty());
    esc(&mut m);

    // The watch-only wallet (third) has no key here: its form opens marked so, to write for offline signing.
    char_key(&mut m, 'j');
    char_key(&mut m, 'j');
    char_key(&mut m, 'j');
    assert_eq!(m.wallets.selected_wallet().unwrap().name, "watched");
    char_key(&mut m, 't');
    assert!(form(&m).watch_only);
}

#[test]
fn transfer_from_another_wallet_reads_its_balance_first() {
    let mut m = stake_model();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'j');
    char_key(&mut m, 'j');
    assert_eq!(m.wallets.selected_wallet().unwrap().name, "btcli-wallet");
    let effects = char_key(&mut m, 't');
    let id = match effects.as_slice() {
        [Effect::FetchPositions { id, coldkey }] => {
            assert_eq!(coldkey, CHARLIE);
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(form(&m).available, 0, "not read yet");
    let (mut balance, list) = positions(1);
    balance.free = tao(7);
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW,
            result: Ok((balance, list)),
        },
    );
    assert_eq!(form(&m).available, 7_000_000_000);
}

#[test]
fn stale_quotes_are_dropped_and_a_changed_input_asks_again() {
    let mut m = transfer_filled();
    let first = match update(&mut m, Action::Tick(NOW)).as_slice() {
        [Effect::QuoteStake { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::StakeQuoted {
            id: RequestId(first.0 + 50),
            result: Ok(taotui::action::ChainPreview::default()),
        },
    );
    assert!(form(&m).quote.is_none(), "an answer nobody waits for");
    update(
        &mut m,
        Action::StakeQuoted {
            id: first,
            result: Err("not connected".to_owned()),
        },
    );
    assert!(form(&m).quote.is_none() && form(&m).quote_pending.is_none());
    char_key(&mut m, '0');
    assert!(matches!(
        update(&mut m, Action::Tick(NOW + 1)).as_slice(),
        [Effect::QuoteStake { request, .. }] if request.amount == 100_000_000_000
    ));
}

#[test]
fn swap_flow_picks_a_subnet_and_signs_swap_stake_with_the_tolerance() {
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    assert!(char_key(&mut m, 'x').is_empty());
    let f = form(&m);
    assert_eq!(f.kind, StakeKind::Swap);
    assert_eq!(f.netuid, 2, "the largest position is on subnet 2");
    assert_eq!(f.available, 120_000_000_000);
    let choices: Vec<u16> = f.subnets.iter().map(|s| s.netuid).collect();
    assert_eq!(choices, [0, 1], "the origin subnet is not offered");

    type_text(&mut m, "2.5");
    assert!(enter(&mut m).is_empty());
    assert!(form(&m).error.clone().unwrap().contains("pick the subnet"));
    type_text(&mut m, "7");
    assert!(enter(&mut m).is_empty());
    assert!(form(&m).error.clone().unwrap().contains("no subnet 7"));
    press(&mut m, KeyPress::plain(KeyCode::Backspace));
    press(&mut m, KeyPress::plain(KeyCode::Down));
    press(&mut m, KeyPress::plain(KeyCode::Down));
    assert_eq!(form(&m).to_netuid, Some(1));
    assert!(form(&m).destination_subnet().is_some());

    let effects = enter(&mut m);
    match effects.as_slice() {
        [Effect::PreviewStake { request, .. }] => {
            assert_eq!(request.kind, StakeKind::Swap);
            assert_eq!(request.netuid, 2);
            assert_eq!(request.destination_netuid, Some(1));
            assert_eq!(request.amount, 2_500_000_000);
            assert_eq!(request.tolerance_bps, 50);
        }
        other => panic!("{other:?}"),
    }
    answer_preview(&mut m, &effects, Vec::new());
    assert_eq!(form(&m).step, StakeStep::Confirm);
    // Esc from confirm and password goes back; nothing is signed.
    let mut all = esc(&mut m);
    all.extend(enter_and_preview(&mut m));
    all.extend(enter(&mut m));
    all.extend(esc(&mut m));
    assert!(!submits(&all));
    enter(&mut m);
    type_text(&mut m, "pw");
    match enter(&mut m).as_slice() {
        [Effect::SubmitStake { request, .. }] => {
            assert_eq!(request.kind, StakeKind::Swap);
            assert_eq!(request.destination_netuid, Some(1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn swap_preview_comes_from_both_pools() {
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    // Sorted by subnet, the first position is on root (stable); swap it into apex.
    char_key(&mut m, 's');
    assert_eq!(m.portfolio.sort.label(), "subnet");
    char_key(&mut m, 'x');
    type_text(&mut m, "10");
    tab(&mut m);
    type_text(&mut m, "1");
    let p = form(&m).preview().unwrap();
    // 10 TAO into a 10,000 τ / 200,000 α pool: about 200 α, less the fee and slippage.
    assert!(p.receive.starts_with("19"), "{p:?}");
    assert!(p.receive.ends_with('α'));
    assert!(p.limit_price.is_some());
    assert_eq!(p.limit_unit, "α/τ");
}

#[test]
fn move_picks_the_destination_from_the_subnets_validators() {
    use taotui::model::stake::Focus;
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    let effects = char_key(&mut m, 'm');
    let netuid = match effects.as_slice() {
        [Effect::FetchValidators { netuid, .. }] => *netuid,
        other => panic!("{other:?}"),
    };
    assert_eq!(netuid, 2, "the validators of the position's subnet");
    answer_picker(&mut m, &effects, validators(9, 2));
    assert_eq!(m.validators.netuid, 0);
    assert_eq!(
        m.validators.validators.data.as_ref().unwrap().len(),
        5,
        "the Validators screen keeps its own list"
    );
    let origin = form(&m).hotkey.clone();
    let picker = form(&m).picker.clone().unwrap();
    assert!(
        picker.visible().iter().all(|v| v.hotkey.ss58() != origin),
        "the current validator is not a destination"
    );
    assert_eq!(picker.visible().len(), 6);

    type_text(&mut m, "1");
    tab(&mut m);
    assert_eq!(form(&m).focus, Focus::Destination);
    // 'm' typed in the picker filters; it is not the max shortcut there.
    char_key(&mut m, 'm');
    assert_eq!(form(&m).parsed_amount(), Ok(1_000_000_000));
    assert_eq!(form(&m).picker.as_ref().unwrap().filter.as_str(), "m");
    press(&mut m, KeyPress::plain(KeyCode::Backspace));
    type_text(&mut m, "validator 000");
    press(&mut m, KeyPress::plain(KeyCode::Down));
    let chosen = form(&m).picker.as_ref().unwrap().chosen().unwrap();
    assert_eq!(
        form(&m).picker.as_ref().unwrap().selected,
        1,
        "Down moves in the list"
    );
    match enter(&mut m).as_slice() {
        [Effect::PreviewStake { request, .. }] => {
            assert_eq!(request.kind, StakeKind::Move);
            assert_eq!(request.destination.as_deref(), Some(chosen.as_str()));
            assert_ne!(chosen, origin);
        }
        other => panic!("{other:?}"),
    }
    esc(&mut m);
    // A filter that matches nothing and is no address: the review says what to do.
    for _ in 0..20 {
        press(&mut m, KeyPress::plain(KeyCode::Backspace));
    }
    type_text(&mut m, "nobody");
    assert!(enter(&mut m).is_empty());
    assert!(
        form(&m)
            .error
            .clone()
            .unwrap()
            .contains("pick the validator")
    );
    assert!(esc(&mut m).is_empty());
    assert!(m.modal.is_none());
}

#[test]
fn chart_splits_by_subnet_or_validator() {
    use taotui::model::chain::SplitBy;
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    let by_subnet = m.portfolio.split_parts();
    assert_eq!(by_subnet.len(), 3);
    char_key(&mut m, 'g');
    assert_eq!(m.portfolio.split, SplitBy::Validator);
    let by_validator = m.portfolio.split_parts();
    // Three positions with two hotkeys (BOB holds the first and third).
    assert_eq!(by_validator.len(), 2);
    assert_eq!(by_validator[0].value, tao(50 + 60).get());
    assert_eq!(
        by_validator.iter().map(|p| p.value).sum::<u64>(),
        by_subnet.iter().map(|p| p.value).sum::<u64>()
    );
    char_key(&mut m, 'g');
    assert_eq!(m.portfolio.split, SplitBy::Subnet);
}

#[test]
fn swap_opened_before_the_subnets_are_read_gets_them_when_they_arrive() {
    let mut m = model();
    with_wallets(&mut m, wallets());
    let mut positions_id = None;
    for e in connect(&mut m) {
        if let Effect::FetchPositions { id, .. } = e {
            positions_id = Some(id);
        }
    }
    update(
        &mut m,
        Action::PositionsLoaded {
            id: positions_id.unwrap(),
            fetched_at: NOW,
            result: Ok(positions(3)),
        },
    );
    m.screen = Screen::Portfolio;
    // The subnets asked at connect are still in flight; the form asks again.
    let effects = char_key(&mut m, 'x');
    let id = match effects.as_slice() {
        [Effect::FetchSubnets { id }] => *id,
        other => panic!("{other:?}"),
    };
    assert!(form(&m).subnets.is_empty());
    type_text(&mut m, "1");
    tab(&mut m);
    type_text(&mut m, "1");
    assert_eq!(form(&m).to_netuid, None, "no subnet is known yet");
    update(
        &mut m,
        Action::SubnetsLoaded {
            id,
            fetched_at: NOW,
            result: Ok(subnets()),
        },
    );
    assert_eq!(form(&m).subnets.len(), 2);
    assert_eq!(
        form(&m).to_netuid,
        Some(1),
        "the typed number now names a subnet"
    );
}

fn alt(c: char) -> KeyPress {
    KeyPress::new(KeyCode::Char(c), KeyModifiers::ALT)
}

#[test]
fn the_tolerance_steps_within_its_bounds_and_partial_fill_toggles_without_typing() {
    let mut m = stake_model();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    assert_eq!(form(&m).tolerance_bps, 50);
    assert!(!form(&m).allow_partial);
    let mut seen = Vec::new();
    for _ in 0..8 {
        assert!(
            press(&mut m, alt('+')).is_empty(),
            "no chain call while editing"
        );
        seen.push(form(&m).tolerance_bps);
    }
    assert_eq!(seen, [100, 200, 500, 1000, 1000, 1000, 1000, 1000]);
    assert_eq!(form(&m).tolerance.bps(), 1000);
    let mut seen = Vec::new();
    for _ in 0..7 {
        press(&mut m, alt('-'));
        seen.push(form(&m).tolerance_bps);
    }
    assert_eq!(seen, [500, 200, 100, 50, 10, 10, 10]);
    press(&mut m, alt('+'));
    assert_eq!(form(&m).tolerance_bps, 50);
    press(&mut m, alt('p'));
    assert!(form(&m).allow_partial);
    press(&mut m, alt('p'));
    assert!(!form(&m).allow_partial);
    assert_eq!(
        form(&m).amount.trimmed(),
        "10",
        "the limit keys type nothing into the amount"
    );
    // The plain characters still type (or do nothing), they never change the limit.
    char_key(&mut m, 'p');
    char_key(&mut m, '-');
    assert_eq!(form(&m).tolerance_bps, 50);
    assert!(!form(&m).allow_partial);
}

#[test]
fn a_changed_limit_asks_the_chain_again_and_the_signed_call_carries_it() {
    let mut m = stake_model();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    let first = enter(&mut m);
    let first_id = match first.as_slice() {
        [Effect::PreviewStake { id, request }] => {
            assert_eq!((request.tolerance_bps, request.allow_partial), (50, false));
            *id
        }
        other => panic!("{other:?}"),
    };
    answer_limit_preview(
        &mut m,
        &first,
        vec![("beyond_tolerance", CLI_BEYOND_TOLERANCE)],
    );
    assert_eq!(stake_step(&m), Some(StakeStep::Confirm));
    assert!(enter(&mut m).is_empty(), "refused: no password");

    // On the confirm screen: a new preview with the raised tolerance.
    let raised = press(&mut m, alt('+'));
    let raised_id = match raised.as_slice() {
        [Effect::PreviewStake { id, request }] => {
            assert_eq!((request.tolerance_bps, request.allow_partial), (100, false));
            assert_eq!(request.amount, 10_000_000_000);
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_ne!(raised_id, first_id);
    assert_eq!(stake_step(&m), Some(StakeStep::Previewing));
    assert!(form(&m).chain_preview.is_none());
    // While it is asked, partial fill on: asked again; the answer to the older one is dropped.
    let partial = press(&mut m, alt('p'));
    let partial_id = match partial.as_slice() {
        [Effect::PreviewStake { id, request }] => {
            assert_eq!((request.tolerance_bps, request.allow_partial), (100, true));
            *id
        }
        other => panic!("{other:?}"),
    };
    answer_limit_preview(
        &mut m,
        &raised,
        vec![("beyond_tolerance", CLI_BEYOND_TOLERANCE)],
    );
    assert_eq!(
        stake_step(&m),
        Some(StakeStep::Previewing),
        "a stale answer is dropped"
    );
    answer_limit_preview(&mut m, &partial, Vec::new());
    assert_eq!(stake_step(&m), Some(StakeStep::Confirm));
    let (id, shown) = form(&m).chain_preview.clone().unwrap();
    assert_eq!(id, partial_id);
    assert!(
        shown
            .rows
            .contains(&("Tolerance".to_owned(), "1.00%".to_owned()))
    );
    assert!(
        shown
            .rows
            .contains(&("Partial fill".to_owned(), "allowed".to_owned()))
    );

    enter(&mut m);
    assert_eq!(stake_step(&m), Some(StakeStep::Password));
    // No limit key while the password is typed.
    assert!(press(&mut m, alt('+')).is_empty());
    type_text(&mut m, "pw");
    match enter(&mut m).as_slice() {
        [
            Effect::SubmitStake {
                preview, request, ..
            },
        ] => {
            assert_eq!(*preview, partial_id);
            assert_eq!(request.tolerance_bps, 100);
            assert!(request.allow_partial);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_beyond_tolerance_refusal_names_the_keys_and_other_refusals_stay() {
    let mut m = stake_model();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    let effects = enter(&mut m);
    let other = "The free balance does not cover 10 TAO plus the fee; stake less.";
    answer_limit_preview(
        &mut m,
        &effects,
        vec![
            ("beyond_tolerance", CLI_BEYOND_TOLERANCE),
            ("insufficient_balance", other),
        ],
    );
    let keys = taotui::model::stake::LimitKeys::from_keymap(&m.keymap);
    let sentences = form(&m).refusal_sentences(&keys);
    assert_eq!(
        sentences,
        [
            "This trade alone moves the price past the 0.50% tolerance: raise it with alt-+, allow a partial fill with alt-p, or use a smaller amount.",
            other
        ]
    );
    assert!(sentences.iter().all(|s| !s.contains("--")));
}

#[test]
fn unstake_and_swap_carry_the_limit_and_move_and_transfer_have_none() {
    // Unstake.
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'u');
    assert_eq!(form(&m).kind, StakeKind::Unstake);
    press(&mut m, alt('+'));
    press(&mut m, alt('p'));
    type_text(&mut m, "1");
    match enter(&mut m).as_slice() {
        [Effect::PreviewStake { request, .. }] => {
            assert_eq!((request.tolerance_bps, request.allow_partial), (100, true));
        }
        other => panic!("{other:?}"),
    }
    // Move: no limit variant, the keys do nothing.
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'm');
    assert_eq!(form(&m).kind, StakeKind::Move);
    assert!(press(&mut m, alt('+')).is_empty());
    press(&mut m, alt('p'));
    assert_eq!(form(&m).tolerance_bps, 50);
    assert!(!form(&m).allow_partial);
}

#[test]
fn esc_after_changing_the_limit_sends_and_writes_nothing() {
    let mut m = stake_model();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    let effects = enter(&mut m);
    answer_limit_preview(
        &mut m,
        &effects,
        vec![("beyond_tolerance", CLI_BEYOND_TOLERANCE)],
    );
    let mut all = press(&mut m, alt('+'));
    all.extend(esc(&mut m));
    assert_eq!(stake_step(&m), Some(StakeStep::Edit));
    all.extend(press(&mut m, alt('p')));
    all.extend(esc(&mut m));
    assert!(m.modal.is_none());
    assert!(
        all.iter().all(|e| matches!(e, Effect::PreviewStake { .. })),
        "only previews were asked: {all:?}"
    );
}

/// The positions read each `FetchPositions` in `effects` asks for (its id).
fn position_reads(effects: &[Effect]) -> Vec<RequestId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPositions { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

fn answer_positions(m: &mut taotui::model::Model, id: RequestId, fetched_at: u64) -> Vec<Effect> {
    update(
        m,
        Action::PositionsLoaded {
            id,
            fetched_at,
            result: Ok(positions(2)),
        },
    )
}

fn new_block(m: &mut taotui::model::Model, number: u64) -> Vec<Effect> {
    update(m, Action::NewBlock { number })
}

/// The portfolio on screen, connected, read at block 100.
fn following_portfolio() -> taotui::model::Model {
    let mut m = loaded_with(3, 2, 0);
    m.screen = Screen::Portfolio;
    let reads = position_reads(&new_block(&mut m, 100));
    assert_eq!(reads.len(), 1, "the first head makes the portfolio read");
    assert!(answer_positions(&mut m, reads[0], NOW).is_empty());
    assert_eq!(m.portfolio.listing.block, Some(100));
    m
}

#[test]
fn a_new_block_rereads_the_portfolio_on_screen() {
    let mut m = following_portfolio();
    assert!(
        new_block(&mut m, 100).is_empty(),
        "the same head again reads nothing"
    );
    let reads = position_reads(&new_block(&mut m, 101));
    assert_eq!(reads.len(), 1, "a new block reads the portfolio again");
    answer_positions(&mut m, reads[0], NOW + 12);
    assert_eq!(m.portfolio.listing.block, Some(101));
    assert_eq!(m.portfolio.listing.fetched_at, NOW + 12);
}

#[test]
fn blocks_during_a_read_coalesce_into_one_more_read() {
    let mut m = following_portfolio();
    let first = position_reads(&new_block(&mut m, 101));
    assert_eq!(first.len(), 1);
    // Three blocks and a manual refresh while the read is in flight: nothing overlaps.
    for n in 102..=104 {
        assert!(new_block(&mut m, n).is_empty(), "block {n} while reading");
    }
    assert!(char_key(&mut m, 'r').is_empty(), "r while reading");
    let again = position_reads(&answer_positions(&mut m, first[0], NOW + 12));
    assert_eq!(
        again.len(),
        1,
        "one read for everything that came meanwhile"
    );
    assert_eq!(
        m.portfolio.listing.block,
        Some(101),
        "the answer of block 101"
    );
    assert!(
        answer_positions(&mut m, again[0], NOW + 40).is_empty(),
        "nothing more is owed"
    );
    assert_eq!(m.portfolio.listing.block, Some(104));
    assert!(!m.portfolio.again);
}

#[test]
fn the_portfolio_is_stale_only_when_disconnected_or_far_behind() {
    use taotui::model::chain::DataState;
    let mut m = following_portfolio();
    // An idle chain (no new block for an hour) is not stale: the data is the chain's state.
    m.now = NOW + 3_600;
    assert_eq!(
        m.portfolio.listing.state(m.now, m.connected()),
        DataState::Ready
    );
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Reconnecting { attempt: 1 }),
    );
    assert_eq!(
        m.portfolio.listing.state(m.now, m.connected()),
        DataState::Stale
    );
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Connected { spec_version: 293 }),
    );
    // Reads that keep failing while the chain moves on: stale once 5 blocks behind.
    for n in 101..=106 {
        for id in position_reads(&new_block(&mut m, n)) {
            update(
                &mut m,
                Action::PositionsLoaded {
                    id,
                    fetched_at: NOW,
                    result: Err("the node did not answer within 30 s".to_owned()),
                },
            );
        }
    }
    assert_eq!(m.portfolio.listing.behind, 6);
    assert_eq!(
        m.portfolio.listing.state(m.now, m.connected()),
        DataState::Stale
    );
}

#[test]
fn off_screen_the_portfolio_waits_and_catches_up_when_shown() {
    let mut m = following_portfolio();
    m.screen = Screen::Network;
    assert!(position_reads(&new_block(&mut m, 101)).is_empty());
    assert!(position_reads(&new_block(&mut m, 102)).is_empty());
    let reads = position_reads(&char_key(&mut m, '2'));
    assert_eq!(reads.len(), 1, "showing the portfolio catches up");
    answer_positions(&mut m, reads[0], NOW);
    assert_eq!(m.portfolio.listing.block, Some(102));
    m.screen = Screen::Network;
    assert!(
        position_reads(&char_key(&mut m, '2')).is_empty(),
        "nothing to catch up"
    );
}

#[test]
fn the_status_bar_says_which_block_the_portfolio_shows() {
    let mut m = following_portfolio();
    m.now = NOW + 7;
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(screen.contains("data 7 s old, block 100"), "{screen}");
}

#[test]
fn star_hides_and_shows_every_amount() {
    let mut m = loaded_with(3, 2, 0);
    m.screen = Screen::Portfolio;
    assert!(char_key(&mut m, '*').is_empty());
    assert!(m.prefs.hide_balances);
    assert!(m.notice.as_ref().unwrap().text.contains("hidden"));
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(screen.contains("Free  ••• τ"), "{screen}");
    char_key(&mut m, '*');
    assert!(!m.prefs.hide_balances);
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(!screen.contains("•••"), "{screen}");
}

#[test]
fn a_copied_address_is_cleared_from_the_clipboard_after_a_minute() {
    let mut m = loaded_with(3, 2, 0);
    m.screen = Screen::Wallets;
    update(&mut m, Action::Tick(NOW));
    let effects = char_key(&mut m, 'c');
    assert!(
        matches!(effects.as_slice(), [Effect::CopyToClipboard(s)] if s == ALICE),
        "{effects:?}"
    );
    let notice = m.notice.clone().unwrap().text;
    assert!(notice.contains("Copied; clears in 60 s"), "{notice}");
    let clears = |e: &[Effect]| e.iter().any(|e| matches!(e, Effect::ClearClipboard));
    assert!(!clears(&update(&mut m, Action::Tick(NOW + 59))));
    assert!(clears(&update(&mut m, Action::Tick(NOW + 60))));
    assert!(
        !clears(&update(&mut m, Action::Tick(NOW + 61))),
        "only once"
    );

    // Quitting before the minute is up clears it on the way out.
    char_key(&mut m, 'c');
    let effects = char_key(&mut m, 'q');
    assert!(
        matches!(effects.as_slice(), [Effect::ClearClipboard, Effect::Quit]),
        "{effects:?}"
    );
}

#[test]
fn the_wallets_screen_reads_the_address_book_at_start_and_on_r() {
    let mut m = model();
    let effects = m.init();
    // The history's past recipients are read once at start too, for the transfer checks.
    let first = match effects.as_slice() {
        [
            Effect::ScanWallets { .. },
            Effect::LoadAddressBook { id },
            Effect::LoadUsedRecipients,
        ] => *id,
        other => panic!("{other:?}"),
    };
    let effects = char_key(&mut m, 'r');
    let second = match effects.as_slice() {
        [Effect::ScanWallets { .. }, Effect::LoadAddressBook { id }] => *id,
        other => panic!("{other:?}"),
    };
    let entries = vec![("bob".to_owned(), BOB.to_owned())];
    update(
        &mut m,
        Action::AddressBookLoaded {
            id: first,
            result: Ok(Vec::new()),
        },
    );
    assert!(m.wallets.addresses.is_empty(), "an older answer is dropped");
    update(
        &mut m,
        Action::AddressBookLoaded {
            id: second,
            result: Ok(entries.clone()),
        },
    );
    assert_eq!(m.wallets.addresses, entries);
}

#[test]
fn a_watch_only_wallet_with_a_proxy_setting_opens_its_forms_and_signs_through_the_proxy() {
    let mut m = stake_model();
    m.prefs
        .wallet_proxies
        .insert("watched".to_owned(), "alice".to_owned());
    m.screen = Screen::Wallets;
    for _ in 0..3 {
        char_key(&mut m, 'j');
    }
    assert_eq!(m.wallets.selected_wallet().unwrap().name, "watched");
    // The form opens (its balance is read first, as for any other wallet) and knows its proxy.
    let effects = char_key(&mut m, 't');
    let id = match effects.as_slice() {
        [Effect::FetchPositions { id, coldkey }] if coldkey == BOB => *id,
        other => panic!("{other:?}"),
    };
    let (mut balance, list) = positions(1);
    balance.free = tao(7);
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW,
            result: Ok((balance, list)),
        },
    );
    assert_eq!(form(&m).wallet, "watched");
    assert_eq!(form(&m).proxy.as_deref(), Some("alice"));
    // The request the worker previews and signs carries it: the watched coldkey acts, the proxy signs.
    update(&mut m, Action::Paste(CHARLIE.to_owned()));
    tab(&mut m);
    type_text(&mut m, "1");
    let effects = update(&mut m, Action::Tick(NOW));
    match effects.as_slice() {
        [Effect::QuoteStake { request, .. }] => {
            assert_eq!(request.wallet, "watched");
            assert_eq!(request.proxy.as_deref(), Some("alice"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!form(&m).watch_only, "the proxy signs here");
    esc(&mut m);

    // Without the setting the same wallet cannot sign here: its form only writes for offline signing.
    m.prefs.wallet_proxies.clear();
    char_key(&mut m, 't');
    assert!(form(&m).watch_only);
    assert_eq!(form(&m).proxy, None);
}

/// Issue 12 §3: a stake from the validator list into a validator without a permit, on a subnet that is full and
/// lowest-priced, carries both flags; one with a permit on a subnet with room carries none; unstaking none.
#[test]
fn staking_flags_a_validator_without_permit_and_a_subnet_at_deregistration_risk() {
    use taotui::risk::DeregStanding;
    let open = |permit: bool, standing: DeregStanding| {
        let mut m = loaded_with(3, 2, 5);
        if let Some(list) = m.validators.subnets.data.as_mut() {
            for s in list.iter_mut().filter(|s| s.netuid == 1) {
                s.dereg = standing.clone();
            }
        }
        m.screen = Screen::Validators;
        char_key(&mut m, ']');
        let id = m.validators.validators.pending.unwrap();
        let mut list = validators(1, 1);
        list[0].validator_permit = permit;
        update(
            &mut m,
            Action::ValidatorsLoaded {
                id,
                netuid: 1,
                fetched_at: NOW,
                result: Ok(list),
            },
        );
        enter(&mut m);
        match &m.modal {
            Some(Modal::Stake(form)) => {
                assert_eq!(form.kind, StakeKind::Stake);
                form.risk_flags().iter().map(|f| f.code).collect::<Vec<_>>()
            }
            other => panic!("stake form expected, got {other:?}"),
        }
    };
    let at_risk = DeregStanding::Ranked {
        rank: 2,
        of: 30,
        full: true,
    };
    assert_eq!(
        open(false, at_risk.clone()),
        ["no_validator_permit", "subnet_deregistration_risk"]
    );
    assert_eq!(open(true, at_risk), ["subnet_deregistration_risk"]);
    let room = DeregStanding::Ranked {
        rank: 1,
        of: 30,
        full: false,
    };
    assert!(open(true, room).is_empty());
    assert_eq!(
        open(false, DeregStanding::NotPruned),
        ["no_validator_permit"]
    );
}

fn stake_form(m: &taotui::model::Model) -> &taotui::model::stake::StakeForm {
    match &m.modal {
        Some(Modal::Stake(form)) => form,
        other => panic!("stake form expected, got {other:?}"),
    }
}

fn previewed_destination(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::PreviewStake { request, .. } => request.destination.clone(),
        _ => None,
    })
}

/// Issue 12 §2: the transfer form takes an address-book name or a wallet's name, and what is sent to the chain is
/// the address it stands for; an unknown name is refused with a sentence.
#[test]
fn transfer_recipient_may_be_a_book_name_or_a_wallet_name() {
    for (typed, address) in [("exchange", CHARLIE), ("watched", BOB)] {
        let mut m = loaded_with(30, 5, 5);
        m.wallets.addresses = vec![("exchange".to_owned(), CHARLIE.to_owned())];
        char_key(&mut m, 't');
        type_text(&mut m, typed);
        assert_eq!(stake_form(&m).address_status(), Some(Ok(())), "{typed}");
        tab(&mut m);
        type_text(&mut m, "1");
        let effects = enter(&mut m);
        assert_eq!(previewed_destination(&effects).as_deref(), Some(address));
    }
    let mut m = loaded_with(30, 5, 5);
    char_key(&mut m, 't');
    type_text(&mut m, "nobody");
    let status = stake_form(&m).address_status();
    assert!(
        matches!(&status, Some(Err(e)) if e.contains("neither a valid SS58 address nor a name")),
        "{status:?}"
    );
    tab(&mut m);
    type_text(&mut m, "1");
    assert_eq!(previewed_destination(&enter(&mut m)), None);
}

/// A recipient never sent to from this machine (not in the book, not a wallet, not in the history) is pointed out;
/// one found in the history is not.
#[test]
fn a_first_time_recipient_is_pointed_out() {
    // //Dave: neither in the book nor a wallet of the fixtures.
    const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
    let mut m = loaded_with(30, 5, 5);
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(DAVE.to_owned()));
    let warnings = stake_form(&m).recipient_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("never sent to"), "{warnings:?}");

    let mut m = loaded_with(30, 5, 5);
    update(&mut m, Action::UsedRecipientsLoaded(vec![DAVE.to_owned()]));
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(DAVE.to_owned()));
    assert!(stake_form(&m).recipient_warnings().is_empty());
}

/// A look-alike of a known address (same first and last 4 characters, as address poisoning crafts them) is held
/// back: nothing is previewed until the user types its last 8 characters; a wrong confirmation keeps it held.
#[test]
fn a_lookalike_recipient_needs_its_last_characters_typed() {
    // The book holds an address sharing CHARLIE's ends; CHARLIE then imitates it.
    let poisoned = format!("{}{}{}", &CHARLIE[..4], &ALICE[4..44], &CHARLIE[44..]);
    let mut m = loaded_with(30, 5, 5);
    m.wallets.addresses = vec![("exchange".to_owned(), poisoned)];
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(CHARLIE.to_owned()));
    assert!(
        stake_form(&m)
            .recipient_warnings()
            .iter()
            .any(|w| w.contains("looks like")),
    );
    tab(&mut m);
    type_text(&mut m, "1");
    assert_eq!(previewed_destination(&enter(&mut m)), None);
    assert!(stake_form(&m).lookalike_confirm.is_some());
    type_text(&mut m, "wrongchr");
    assert_eq!(previewed_destination(&enter(&mut m)), None);
    assert!(
        stake_form(&m)
            .error
            .as_deref()
            .unwrap()
            .contains("not its last 8")
    );
    // Esc leaves the confirmation, not the form.
    esc(&mut m);
    assert!(stake_form(&m).lookalike_confirm.is_none());
    assert_eq!(previewed_destination(&enter(&mut m)), None);
    type_text(&mut m, &CHARLIE[40..]);
    let effects = enter(&mut m);
    assert_eq!(previewed_destination(&effects).as_deref(), Some(CHARLIE));
}

/// Issue 12 §2, the Addresses pane: `A` on the Wallets screen names an address, `D` removes a name; each writes
/// through the worker, and a success reads the book again (the list under the wallets).
#[test]
fn the_wallets_screen_adds_and_removes_address_book_names() {
    use taotui::model::form::FormKind;
    let mut m = loaded_with(3, 2, 5);
    m.screen = Screen::Wallets;
    char_key(&mut m, 'A');
    assert!(matches!(&m.modal, Some(Modal::Form(f)) if f.kind == FormKind::AddAddress));
    type_text(&mut m, "exchange");
    enter(&mut m);
    type_text(&mut m, "5bad");
    assert!(enter(&mut m).is_empty(), "a bad address writes nothing");
    match &m.modal {
        Some(Modal::Form(f)) => assert!(f.error.as_deref().unwrap().contains("valid SS58")),
        other => panic!("{other:?}"),
    }
    for _ in 0.."5bad".len() {
        update(
            &mut m,
            Action::Key(KeyPress::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
    }
    type_text(&mut m, CHARLIE);
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [Effect::AddAddress { id, name, ss58 }] if name == "exchange" && ss58 == CHARLIE => *id,
        other => panic!("{other:?}"),
    };
    let effects = update(
        &mut m,
        Action::KeystoreDone {
            id,
            result: Ok("exchange is in the address book.".to_owned()),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::LoadAddressBook { .. }]),
        "{effects:?}"
    );
    esc(&mut m);

    char_key(&mut m, 'D');
    assert!(matches!(&m.modal, Some(Modal::Form(f)) if f.kind == FormKind::RemoveAddress));
    type_text(&mut m, "exchange");
    let effects = enter(&mut m);
    assert!(
        matches!(effects.as_slice(), [Effect::RemoveAddress { name, .. }] if name == "exchange"),
        "{effects:?}"
    );
}

fn journal_loads(effects: &[Effect]) -> Vec<(RequestId, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadJournal { id, coldkey } => Some((*id, coldkey.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn value_view_reads_the_journal_once_and_switches_ranges() {
    use taotui::model::value::Range;
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    let effects = char_key(&mut m, 'v');
    assert!(m.value.open);
    let loads = journal_loads(&effects);
    assert_eq!(loads.len(), 1);
    assert_eq!(loads[0].1, ALICE);
    // 8 days, one snapshot every 3 hours.
    let effects = update(
        &mut m,
        Action::JournalLoaded {
            id: loads[0].0,
            coldkey: ALICE.to_owned(),
            result: Ok(journal(5, 64, 3 * 3_600)),
        },
    );
    assert!(effects.is_empty(), "the 7 d range has data: no backfill");
    assert_eq!(m.value.range, Range::Week);
    assert_eq!(m.value.window(NOW).len(), 57);
    assert_eq!(m.value.positions.len(), 5);
    // Totals are free plus alpha x price, in integers.
    let last = journal(5, 64, 3 * 3_600).pop().unwrap();
    assert_eq!(*m.value.totals.last().unwrap(), last.total_value());
    char_key(&mut m, ']');
    assert_eq!(m.value.range, Range::Month);
    assert_eq!(m.value.window(NOW).len(), 64);
    char_key(&mut m, ']');
    assert_eq!(m.value.range, Range::All);
    char_key(&mut m, ']');
    assert_eq!(m.value.range, Range::Day);
    assert_eq!(m.value.window(NOW).len(), 9);
    char_key(&mut m, '[');
    assert_eq!(m.value.range, Range::All);
    // Closing and opening again does not read the file again.
    char_key(&mut m, 'v');
    assert!(!m.value.open);
    assert!(journal_loads(&char_key(&mut m, 'v')).is_empty());
}

#[test]
fn a_stale_or_foreign_journal_answer_is_ignored() {
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    let (id, _) = journal_loads(&char_key(&mut m, 'v'))[0].clone();
    update(
        &mut m,
        Action::JournalLoaded {
            id: RequestId(id.0 + 100),
            coldkey: ALICE.to_owned(),
            result: Ok(journal(5, 10, 3_600)),
        },
    );
    update(
        &mut m,
        Action::JournalLoaded {
            id,
            coldkey: BOB.to_owned(),
            result: Ok(journal(5, 10, 3_600)),
        },
    );
    assert!(m.value.times.is_empty());
    assert!(m.value.pending.is_some());
    update(
        &mut m,
        Action::JournalLoaded {
            id,
            coldkey: ALICE.to_owned(),
            result: Err("Could not read the value journal".to_owned()),
        },
    );
    assert!(m.value.error.is_some());
    // Asking again after a failure reads again.
    char_key(&mut m, 'v');
    assert_eq!(journal_loads(&char_key(&mut m, 'v')).len(), 1);
}

#[test]
fn an_empty_range_asks_for_a_backfill_once_while_connected() {
    use taotui::model::value::Range;
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    let (id, _) = journal_loads(&char_key(&mut m, 'v'))[0].clone();
    // Two snapshots two days apart: 7 d has both, 24 h only one.
    update(
        &mut m,
        Action::JournalLoaded {
            id,
            coldkey: ALICE.to_owned(),
            result: Ok(journal(5, 2, 2 * 86_400)),
        },
    );
    let effects = char_key(&mut m, '[');
    assert_eq!(m.value.range, Range::Day);
    let (bid, span) = match effects.as_slice() {
        [
            Effect::BackfillJournal {
                id,
                coldkey,
                span_secs,
            },
        ] if coldkey == ALICE => (*id, *span_secs),
        other => panic!("{other:?}"),
    };
    assert_eq!(span, Some(86_400));
    update(
        &mut m,
        Action::BackfillProgress {
            id: bid,
            done: 3,
            total: 24,
        },
    );
    assert_eq!(m.value.backfill.map(|b| (b.done, b.total)), Some((3, 24)));
    // Leaving the range and coming back does not ask again while one runs or once it ran.
    assert!(char_key(&mut m, ']').is_empty());
    assert!(char_key(&mut m, '[').is_empty());
    let effects = update(
        &mut m,
        Action::BackfillDone {
            id: bid,
            result: Ok(24),
        },
    );
    assert!(m.value.backfill.is_none());
    assert_eq!(
        journal_loads(&effects).len(),
        1,
        "the journal is read again"
    );
    assert!(m.notice.as_ref().unwrap().text.contains("24"));
    char_key(&mut m, ']');
    let effects = char_key(&mut m, '[');
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::BackfillJournal { .. }))
    );
}

#[test]
fn since_you_last_looked_compares_the_first_read_with_the_journal_once() {
    let mut m = loaded_with(5, 5, 0);
    let earlier = journal(5, 1, 1).remove(0);
    let mut first = earlier.clone();
    first.block += 10;
    first.free += 2_000_000_000;
    update(
        &mut m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: first.clone(),
            previous: Some(earlier.clone()),
        },
    );
    let since = m.value.since_last[ALICE];
    assert_eq!(since.change, 2_000_000_000);
    assert_eq!(since.then_block, earlier.block);
    // Later reads this session do not move the baseline.
    let mut second = first.clone();
    second.block += 1;
    second.free -= 5_000_000_000;
    update(
        &mut m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: second,
            previous: Some(first),
        },
    );
    assert_eq!(m.value.since_last[ALICE].change, 2_000_000_000);
    // A first read with nothing journaled before says nothing.
    update(
        &mut m,
        Action::JournalRecorded {
            coldkey: BOB.to_owned(),
            snapshot: earlier,
            previous: None,
        },
    );
    assert!(!m.value.since_last.contains_key(BOB));
}

#[test]
fn a_new_read_joins_the_open_chart() {
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    let (id, _) = journal_loads(&char_key(&mut m, 'v'))[0].clone();
    let mut snaps = journal(5, 10, 3_600);
    let newest = snaps.pop().unwrap();
    update(
        &mut m,
        Action::JournalLoaded {
            id,
            coldkey: ALICE.to_owned(),
            result: Ok(snaps.clone()),
        },
    );
    assert_eq!(m.value.times.len(), 9);
    for _ in 0..2 {
        update(
            &mut m,
            Action::JournalRecorded {
                coldkey: ALICE.to_owned(),
                snapshot: newest.clone(),
                previous: snaps.last().cloned(),
            },
        );
    }
    assert_eq!(m.value.times.len(), 10, "the same block joins once");
    assert_eq!(*m.value.totals.last().unwrap(), newest.total_value());
}

#[test]
fn value_keys_do_nothing_off_the_portfolio() {
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Wallets;
    // `v` converts a key on the Wallets screen; `]` means nothing there.
    char_key(&mut m, ']');
    assert!(!m.value.open);
    m.screen = Screen::Network;
    assert!(char_key(&mut m, 'v').is_empty());
    assert!(!m.value.open);
}

fn earnings_asks(effects: &[Effect]) -> Vec<(RequestId, u64)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchEarnings { id, span_secs, .. } => Some((*id, *span_secs)),
            _ => None,
        })
        .collect()
}

/// The first journaled read of the session: it asks for the week's earnings (once).
fn with_week_earnings(m: &mut taotui::model::Model) {
    let snap = journal(5, 1, 1).remove(0);
    let effects = update(
        m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: snap.clone(),
            previous: None,
        },
    );
    let asks = earnings_asks(&effects);
    assert_eq!(asks.len(), 1);
    assert_eq!(asks[0].1, 7 * 86_400);
    let again = update(
        m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: snap,
            previous: None,
        },
    );
    assert!(earnings_asks(&again).is_empty(), "asked once per session");
    update(
        m,
        Action::EarningsLoaded {
            id: asks[0].0,
            coldkey: ALICE.to_owned(),
            result: Ok(earnings_report(5, "7 d")),
        },
    );
}

#[test]
fn the_week_earnings_are_read_after_the_first_read_and_feed_the_column() {
    use taotui::model::value::Range;
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    with_week_earnings(&mut m);
    let slot = &m.value.earnings[&(ALICE.to_owned(), Range::Week)];
    let first = m.portfolio.sorted()[0].clone();
    let earned = slot.position(&first.hotkey.0, first.netuid).unwrap();
    assert!(earned.reward_tao > 0);
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(screen.contains("Earned 7 d"), "{screen}");
}

#[test]
fn enter_on_a_position_opens_its_earnings_and_reads_the_other_ranges() {
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    with_week_earnings(&mut m);
    let effects = enter(&mut m);
    assert!(matches!(m.modal, Some(Modal::Position(_))));
    let mut spans: Vec<u64> = earnings_asks(&effects).iter().map(|a| a.1).collect();
    spans.sort_unstable();
    assert_eq!(spans, [86_400, 30 * 86_400], "7 d is read already");
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(screen.contains("rewards"), "{screen}");
    assert!(screen.contains("reading past chain state"), "{screen}");
    // Closing and opening again asks for nothing new.
    esc(&mut m);
    assert!(m.modal.is_none());
    assert!(earnings_asks(&enter(&mut m)).is_empty());
}

#[test]
fn e_exports_the_week_earnings_once_read_and_the_history_on_its_screen() {
    let mut m = loaded_with(5, 5, 0);
    m.screen = Screen::Portfolio;
    // Before the earnings are read: a sentence, no file.
    assert!(char_key(&mut m, 'e').is_empty());
    assert!(m.notice.as_ref().unwrap().error);
    with_week_earnings(&mut m);
    let effects = char_key(&mut m, 'e');
    let id = match effects.as_slice() {
        [
            Effect::ExportEarnings {
                id,
                coldkey,
                report,
            },
        ] if coldkey == ALICE && report.positions.len() == 5 => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::Exported {
            id,
            result: Ok("Exported 5 rows to /data/exports/earnings-7d.csv".to_owned()),
        },
    );
    assert!(m.notice.as_ref().unwrap().text.contains("/data/exports"));
    m.screen = Screen::History;
    assert!(matches!(
        char_key(&mut m, 'e').as_slice(),
        [Effect::ExportHistory { .. }]
    ));
}

fn watched_transfer_confirmed() -> taotui::model::Model {
    let mut m = stake_model();
    m.screen = Screen::Wallets;
    for _ in 0..3 {
        char_key(&mut m, 'j');
    }
    assert_eq!(m.wallets.selected_wallet().unwrap().name, "watched");
    let effects = char_key(&mut m, 't');
    if let [Effect::FetchPositions { id, .. }] = effects.as_slice() {
        let (mut balance, list) = positions(1);
        balance.free = tao(7);
        update(
            &mut m,
            Action::PositionsLoaded {
                id: *id,
                fetched_at: NOW,
                result: Ok((balance, list)),
            },
        );
    }
    update(&mut m, Action::Paste(CHARLIE.to_owned()));
    tab(&mut m);
    type_text(&mut m, "1");
    let effects = enter(&mut m);
    answer_transfer_preview(&mut m, &effects, "Balances.transfer_keep_alive", Vec::new());
    assert_eq!(form(&m).step, StakeStep::Confirm);
    m
}

fn offline_file(path: &str) -> taotui::action::OfflineFile {
    taotui::action::OfflineFile {
        path: path.to_owned(),
        call: "Balances.transfer_keep_alive".to_owned(),
        signer: BOB.to_owned(),
        nonce: 4,
        valid_until: 1_064,
        qr_data: "{\"format\":\"taotui-unsigned-transaction\"}".to_owned(),
        notes: vec!["not shielded: this call is not a stake trade".to_owned()],
    }
}

#[test]
fn a_watch_only_wallet_cannot_sign_but_o_writes_the_previewed_call_for_offline_signing() {
    let mut m = watched_transfer_confirmed();
    // Enter would ask for a password the machine has no key for: refused with the way out.
    assert!(enter(&mut m).is_empty());
    assert_eq!(form(&m).step, StakeStep::Confirm);
    let e = form(&m).error.clone().unwrap();
    assert!(e.contains("watch-only") && e.contains("press o"), "{e}");

    // o asks the worker to write exactly what the preview showed.
    let preview = form(&m).chain_preview.as_ref().unwrap().0;
    let effects = char_key(&mut m, 'o');
    let id = match effects.as_slice() {
        [
            Effect::WriteUnsigned {
                id,
                preview: p,
                request,
            },
        ] => {
            assert_eq!(*p, preview);
            assert_eq!(request.wallet, "watched");
            assert_eq!(request.destination.as_deref(), Some(CHARLIE));
            assert_eq!(request.amount, 1_000_000_000);
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(form(&m).step, StakeStep::Writing);
    assert!(form(&m).error.is_none());
    // Keys other than Esc do nothing while it writes; an answer to another request is not this one.
    assert!(enter(&mut m).is_empty());
    update(
        &mut m,
        Action::UnsignedWritten {
            id: RequestId(id.0 + 100),
            result: Ok(offline_file("/other")),
        },
    );
    assert_eq!(form(&m).step, StakeStep::Writing);

    // Written: the dialog shows the file; Enter closes it.
    let file = offline_file("/data/offline/x.unsigned.json");
    update(
        &mut m,
        Action::UnsignedWritten {
            id,
            result: Ok(file.clone()),
        },
    );
    match &m.modal {
        Some(Modal::OfflineWritten(shown)) => assert_eq!(**shown, file),
        other => panic!("{other:?}"),
    }
    assert!(char_key(&mut m, 'o').is_empty(), "other keys keep it open");
    assert!(matches!(m.modal, Some(Modal::OfflineWritten(_))));
    enter(&mut m);
    assert!(m.modal.is_none());
}

#[test]
fn a_failed_write_returns_to_the_confirm_step_with_the_sentence_and_esc_stops_waiting() {
    let mut m = watched_transfer_confirmed();
    let effects = char_key(&mut m, 'o');
    let [Effect::WriteUnsigned { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut m,
        Action::UnsignedWritten {
            id: *id,
            result: Err("not connected to local yet".to_owned()),
        },
    );
    assert_eq!(form(&m).step, StakeStep::Confirm);
    assert_eq!(
        form(&m).error.as_deref(),
        Some("not connected to local yet")
    );
    // Esc while writing stops waiting; a late answer then changes nothing.
    let effects = char_key(&mut m, 'o');
    let [Effect::WriteUnsigned { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    esc(&mut m);
    assert_eq!(form(&m).step, StakeStep::Confirm);
    update(
        &mut m,
        Action::UnsignedWritten {
            id: *id,
            result: Ok(offline_file("/late")),
        },
    );
    assert!(matches!(m.modal, Some(Modal::Stake(_))));
}

#[test]
fn o_is_typed_into_the_recipient_and_only_the_confirm_step_writes_offline() {
    // A wallet with its key: Enter still leads to the password; o on the edit step is text, not a command.
    let mut m = stake_model();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 't');
    assert!(char_key(&mut m, 'o').is_empty());
    assert_eq!(form(&m).destination.trimmed(), "o");
    assert!(!form(&m).watch_only);
    let mut m = transfer_filled();
    let effects = enter(&mut m);
    answer_transfer_preview(&mut m, &effects, "Balances.transfer_keep_alive", Vec::new());
    // A refused preview cannot be written either.
    let mut refused = transfer_filled();
    let effects = enter(&mut refused);
    answer_transfer_preview(
        &mut refused,
        &effects,
        "Balances.transfer_keep_alive",
        vec!["The destination account is empty".to_owned()],
    );
    assert!(char_key(&mut refused, 'o').is_empty());
    assert!(form(&refused).error.clone().unwrap().contains("refuses"));
    // An allowed one: o writes, and a signing wallet can still choose the password instead.
    assert!(matches!(
        char_key(&mut m, 'o').as_slice(),
        [Effect::WriteUnsigned { .. }]
    ));
    esc(&mut m);
    enter(&mut m);
    assert_eq!(form(&m).step, StakeStep::Password);
}

fn submit_dialog(m: &taotui::model::Model) -> &taotui::model::submit::SubmitSigned {
    match &m.modal {
        Some(Modal::Submit(d)) => d,
        other => panic!("expected the submit dialog, got {other:?}"),
    }
}

fn signed_view(path: &str) -> taotui::action::SignedFileView {
    taotui::action::SignedFileView {
        path: path.to_owned(),
        call: "Balances.transfer_keep_alive".to_owned(),
        lines: vec![("amount".to_owned(), "1 τ".to_owned())],
        signer: BOB.to_owned(),
        nonce: 4,
        valid_until: 1_064,
        notes: Vec::new(),
    }
}

#[test]
fn s_on_history_opens_a_signed_file_checks_it_then_submits_and_tracks_it() {
    use taotui::model::submit::SubmitStep;
    let mut m = stake_model();
    m.screen = Screen::History;
    assert!(char_key(&mut m, 's').is_empty());
    assert_eq!(submit_dialog(&m).step, SubmitStep::Path);
    // Nothing typed: a sentence, no request.
    assert!(enter(&mut m).is_empty());
    assert!(submit_dialog(&m).error.is_some());
    update(
        &mut m,
        Action::Paste("'/media/usb/t.signed.json'\n".to_owned()),
    );
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [Effect::OpenSigned { id, path }] => {
            assert_eq!(path, "/media/usb/t.signed.json");
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(submit_dialog(&m).step, SubmitStep::Opening);
    // Refused (unsigned, corrupt, other network): back to the path with the sentence.
    update(
        &mut m,
        Action::SignedOpened {
            id,
            result: Err("/media/usb/t.signed.json is not signed yet".to_owned()),
        },
    );
    assert_eq!(submit_dialog(&m).step, SubmitStep::Path);
    assert!(
        submit_dialog(&m)
            .error
            .clone()
            .unwrap()
            .contains("not signed yet")
    );
    let effects = enter(&mut m);
    let [Effect::OpenSigned { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let view = signed_view("/media/usb/t.signed.json");
    update(
        &mut m,
        Action::SignedOpened {
            id: *id,
            result: Ok(view.clone()),
        },
    );
    assert_eq!(submit_dialog(&m).step, SubmitStep::Confirm);
    assert_eq!(submit_dialog(&m).view.as_ref(), Some(&view));
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [Effect::SubmitSigned { id, path }] => {
            assert_eq!(path, "/media/usb/t.signed.json");
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(submit_dialog(&m).step, SubmitStep::Sending);
    update(
        &mut m,
        Action::TxProgress {
            id,
            progress: TxProgress::InBlock { block: 900 },
        },
    );
    assert_eq!(
        submit_dialog(&m).progress.last(),
        Some(&TxProgress::InBlock { block: 900 })
    );
    // The outcome is shown and History is read again, as for any transaction sent here.
    let effects = update(
        &mut m,
        Action::TxDone {
            id,
            result: Ok("Done: Balances.transfer_keep_alive in block #900.".to_owned()),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadHistory { .. })),
        "{effects:?}"
    );
    assert_eq!(submit_dialog(&m).step, SubmitStep::Done);
    enter(&mut m);
    assert!(m.modal.is_none());
}

#[test]
fn s_on_history_takes_a_pasted_signature_text_and_submits_it_as_pasted() {
    use taotui::model::submit::SubmitStep;
    let text = taotui::chain::offline::compact::CompactSignature {
        crypto: taotui_keystore::derive::CryptoType::Sr25519,
        metadata_hash_mode: 0,
        signature: [7; 64],
        binding: [1, 2, 3, 4, 5, 6, 7, 8],
    }
    .text();
    let mut m = stake_model();
    m.screen = Screen::History;
    char_key(&mut m, 's');
    // As a scanner or a terminal hands it over: with a line break.
    update(&mut m, Action::Paste(format!("{text}\n")));
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [Effect::OpenSigned { id, path }] => {
            assert_eq!(path, &text);
            *id
        }
        other => panic!("{other:?}"),
    };
    // The worker pairs it with its unsigned file and says which one.
    let mut view = signed_view(&text);
    view.notes = vec![
        "the signature is for the unsigned transaction in /d/offline/x.unsigned.json".to_owned(),
    ];
    update(
        &mut m,
        Action::SignedOpened {
            id,
            result: Ok(view.clone()),
        },
    );
    assert_eq!(submit_dialog(&m).step, SubmitStep::Confirm);
    // Submitting checks the same text again (the chain moved since it was shown).
    let effects = enter(&mut m);
    match effects.as_slice() {
        [Effect::SubmitSigned { path, .. }] => assert_eq!(path, &text),
        other => panic!("{other:?}"),
    }
    assert_eq!(submit_dialog(&m).step, SubmitStep::Sending);
}

#[test]
fn a_submission_left_with_esc_reports_its_outcome_as_a_notice() {
    let mut m = stake_model();
    m.screen = Screen::History;
    char_key(&mut m, 's');
    type_text(&mut m, "/t.signed.json");
    let effects = enter(&mut m);
    let [Effect::OpenSigned { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut m,
        Action::SignedOpened {
            id: *id,
            result: Ok(signed_view("/t.signed.json")),
        },
    );
    let effects = enter(&mut m);
    let [Effect::SubmitSigned { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let id = *id;
    esc(&mut m);
    assert!(m.modal.is_none());
    update(
        &mut m,
        Action::TxDone {
            id,
            result: Err("stale nonce".to_owned()),
        },
    );
    let notice = m.notice.clone().unwrap();
    assert!(
        notice.error && notice.text.contains("stale nonce"),
        "{notice:?}"
    );
}

/// The chain-history scans among `effects`: (id, coldkey, span in seconds).
fn history_scans(effects: &[Effect]) -> Vec<(RequestId, String, u64)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::ScanHistory {
                id,
                coldkey,
                span_secs,
            } => Some((*id, coldkey.clone(), *span_secs)),
            _ => None,
        })
        .collect()
}

fn answer_history(
    m: &mut taotui::model::Model,
    id: RequestId,
    result: Result<Box<taotui::history_merge::MergedHistory>, String>,
) {
    update(
        m,
        Action::ChainHistoryLoaded {
            id,
            coldkey: ALICE.to_owned(),
            fetched_at: NOW,
            result,
        },
    );
}

const WEEK: u64 = 7 * 86_400;

#[test]
fn history_reads_the_chain_once_per_wallet_and_range_and_r_reads_again() {
    let mut m = loaded_with(5, 5, 0);
    let effects = char_key(&mut m, '5');
    assert!(matches!(effects.first(), Some(Effect::LoadHistory { .. })));
    let id = match history_scans(&effects).as_slice() {
        [(id, coldkey, WEEK)] if coldkey == ALICE => *id,
        other => panic!("{other:?}"),
    };
    // In flight: neither coming back to the screen nor r asks again.
    char_key(&mut m, '1');
    assert!(history_scans(&char_key(&mut m, '5')).is_empty());
    assert!(history_scans(&char_key(&mut m, 'r')).is_empty());
    // A stale answer is dropped; the awaited one fills the rows, newest first as the worker sorted them.
    answer_history(&mut m, RequestId(id.0 + 100), Err("late".to_owned()));
    assert!(m.history.chain.pending.is_some());
    answer_history(&mut m, id, Ok(chain_history()));
    let shown = m.history.shown_chain(Some(ALICE)).unwrap();
    let kinds: Vec<&str> = shown.rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "stake_added",
            "failed: remove_stake_limit",
            "transfer_in",
            "fee"
        ]
    );
    let staked = &shown.rows[0];
    assert_eq!(
        (staked.block.as_str(), staked.subnet.as_str(), staked.source),
        ("1490", "1", "chain+local")
    );
    assert_eq!(
        (staked.alpha.as_str(), staked.tao.as_str()),
        ("20.0000 α", "10.0000 τ")
    );
    assert_eq!(staked.fee, "0.000050 τ");
    let mut tiny = chain_history();
    if let Some(e) = tiny.entries[3].event.as_mut() {
        e.fee = Some(999);
    }
    assert_eq!(
        taotui::model::history::chain_row(&tiny.entries[3]).fee,
        "<0.000001 τ"
    );
    assert_eq!(staked.date, "2023-11-14 22:11");
    assert!(shown.rows[1].failed && !staked.failed);
    assert_eq!(m.history.shown_len(Some(ALICE)), 4);
    // Read: coming back asks nothing; r reads again.
    char_key(&mut m, '1');
    assert!(history_scans(&char_key(&mut m, '5')).is_empty());
    let again = history_scans(&char_key(&mut m, 'r'));
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(
        m.history.shown_chain(Some(ALICE)).is_some(),
        "the rows stay while reading again"
    );
}

#[test]
fn history_ranges_switch_with_the_brackets_and_are_read_once_each() {
    let mut m = loaded_with(5, 5, 0);
    let id = history_scans(&char_key(&mut m, '5'))[0].0;
    answer_history(&mut m, id, Ok(chain_history()));
    let month = history_scans(&char_key(&mut m, ']'));
    assert_eq!(month.iter().map(|s| s.2).collect::<Vec<_>>(), [30 * 86_400]);
    assert!(
        m.history.shown_chain(Some(ALICE)).is_none(),
        "the week's rows are not the month's"
    );
    // Back to the week (two steps: 30 d -> 24 h -> 7 d): read again, as only the last range read is kept. The
    // month's scan, still under way, is stopped when the range moves on.
    let effects = char_key(&mut m, ']');
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Cancel { ids } if ids == &[month[0].0])),
        "{effects:?}"
    );
    let day = history_scans(&effects);
    assert_eq!(day.iter().map(|s| s.2).collect::<Vec<_>>(), [86_400]);
    let week = history_scans(&char_key(&mut m, ']'));
    assert_eq!(week.iter().map(|s| s.2).collect::<Vec<_>>(), [WEEK]);
    // The month's late answer is for another range and is dropped.
    answer_history(&mut m, month[0].0, Ok(chain_history()));
    assert!(m.history.chain.data.is_none() && m.history.chain.pending == Some(week[0].0));
}

#[test]
fn a_failed_chain_history_keeps_the_local_one_and_says_why() {
    let mut m = loaded_with(5, 5, 0);
    let effects = char_key(&mut m, '5');
    let local = match effects.first() {
        Some(Effect::LoadHistory { id }) => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::HistoryLoaded {
            id: local,
            result: Ok(vec![taotui::model::chain::HistoryEntry {
                time: "2023-11-14 22:13".to_owned(),
                call: "SubtensorModule.add_stake_limit".to_owned(),
                amount: "10 τ".to_owned(),
                status: "failed: SlippageTooHigh".to_owned(),
                failed: true,
            }]),
        },
    );
    let why = "the node at ws://127.0.0.1:9944 no longer keeps the state of block #7 (it keeps the last 256 \
               blocks). To read further back, set an archive node: --archive URL, or `archive = [\"wss://…\"]` in \
               config.toml.";
    answer_history(&mut m, history_scans(&effects)[0].0, Err(why.to_owned()));
    assert_eq!(m.history.chain.error.as_deref(), Some(why));
    assert!(m.history.shown_chain(Some(ALICE)).is_none());
    assert_eq!(m.history.shown_len(Some(ALICE)), 1);
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(
        screen.contains("! Could not read the chain's history: the node at ws://127.0.0.1:9944"),
        "{screen}"
    );
    assert!(screen.contains("failed: SlippageTooHigh"), "{screen}");
    // Not retried by coming back (it would fail the same way); r retries.
    char_key(&mut m, '1');
    assert!(history_scans(&char_key(&mut m, '5')).is_empty());
    assert_eq!(history_scans(&char_key(&mut m, 'r')).len(), 1);
}

#[test]
fn esc_stops_waiting_for_the_chain_history_and_offline_nothing_is_asked() {
    let mut m = loaded_with(5, 5, 0);
    let id = history_scans(&char_key(&mut m, '5'))[0].0;
    m.now = NOW + 4;
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(
        screen.contains("Reading the chain's history for the last 7 days… 4 s (Esc stops waiting)"),
        "{screen}"
    );
    match esc(&mut m).as_slice() {
        [Effect::Cancel { ids }] => assert_eq!(ids, &[id]),
        other => panic!("{other:?}"),
    }
    answer_history(&mut m, id, Ok(chain_history()));
    assert!(m.history.chain.data.is_none(), "a late answer is dropped");
    assert!(
        m.history
            .chain
            .error
            .as_deref()
            .unwrap()
            .contains("press r")
    );

    // Offline (a watch-only wallet the same): the local history only, and no scan.
    let mut offline = model();
    with_wallets(&mut offline, wallets());
    assert!(history_scans(&char_key(&mut offline, '5')).is_empty());
    let screen = text(&render(&offline, &theme(), 120, 40));
    assert!(
        screen.contains("the chain's history is read once connected"),
        "{screen}"
    );
}

#[test]
fn e_on_history_exports_the_merged_rows_once_read_and_the_local_ones_before() {
    let mut m = loaded_with(5, 5, 0);
    let id = history_scans(&char_key(&mut m, '5'))[0].0;
    assert!(matches!(
        char_key(&mut m, 'e').as_slice(),
        [Effect::ExportHistory { merged: None, .. }]
    ));
    answer_history(&mut m, id, Ok(chain_history()));
    match char_key(&mut m, 'e').as_slice() {
        [
            Effect::ExportHistory {
                merged: Some(merged),
                ..
            },
        ] => {
            assert_eq!(merged.entries.len(), 4);
            assert_eq!((merged.from_block, merged.to_block), (1000, 1500));
        }
        other => panic!("{other:?}"),
    }
    // Another range not read yet: this machine's records again.
    char_key(&mut m, '[');
    assert!(matches!(
        char_key(&mut m, 'e').as_slice(),
        [Effect::ExportHistory { merged: None, .. }]
    ));
}

mod rebalance {
    use super::*;
    use taotui::model::rebalance::{Choice, RebalanceStep};

    use crate::rebalance_fixtures::*;

    fn error(m: &taotui::model::Model) -> String {
        dialog(m).error.clone().unwrap_or_default()
    }

    #[test]
    fn space_marks_and_unmarks_positions_and_marks_survive_a_reread_while_the_position_exists() {
        let mut m = marked_model();
        let keys: Vec<_> = m
            .portfolio
            .sorted()
            .iter()
            .map(|p| (p.hotkey.0, p.netuid))
            .collect();
        assert_eq!(m.portfolio.marks.iter().copied().collect::<Vec<_>>(), {
            let mut k = keys[..2].to_vec();
            k.sort();
            k
        });
        assert_eq!(
            m.portfolio.selected, 2,
            "each mark moves to the next position"
        );
        // Space on a marked position unmarks it.
        press(&mut m, KeyPress::plain(KeyCode::Up));
        char_key(&mut m, ' ');
        assert_eq!(m.portfolio.marks.len(), 1);
        char_key(&mut m, 'k');
        char_key(&mut m, ' ');
        assert_eq!(m.portfolio.marks.len(), 2);
        // A read without the second position keeps the mark of the first only.
        let id = match char_key(&mut m, 'r').as_slice() {
            [Effect::FetchPositions { id, .. }] => *id,
            other => panic!("{other:?}"),
        };
        let (balance, mut list) = positions(3);
        list.retain(|p| (p.hotkey.0, p.netuid) != keys[1]);
        update(
            &mut m,
            Action::PositionsLoaded {
                id,
                fetched_at: NOW,
                result: Ok((balance, list)),
            },
        );
        assert_eq!(
            m.portfolio.marks.iter().copied().collect::<Vec<_>>(),
            vec![keys[0]]
        );
        // Another wallet's portfolio starts unmarked.
        char_key(&mut m, '1');
        for _ in 0..5 {
            if m.selected_coldkey().as_deref() != Some(ALICE) {
                break;
            }
            char_key(&mut m, 'j');
        }
        assert_ne!(m.selected_coldkey().as_deref(), Some(ALICE));
        char_key(&mut m, '2');
        assert!(m.portfolio.marks.is_empty());
    }

    #[test]
    fn b_opens_the_dialog_for_the_marked_positions_or_else_the_selected_one() {
        let mut m = loaded_with(5, 3, 0);
        m.screen = Screen::Portfolio;
        // Nothing marked: the selected position alone.
        assert!(char_key(&mut m, 'b').is_empty());
        let r = dialog(&m);
        assert_eq!(r.rows.len(), 1);
        assert_eq!((r.rows[0].netuid, r.rows[0].held), (2, 120_000_000_000));
        assert_eq!(r.rows[0].choice, Choice::Keep);
        assert_eq!(r.tolerance_bps, 50);
        assert!(esc(&mut m).is_empty());
        assert!(m.modal.is_none(), "Esc closes it and nothing is sent");
        // Marked: those, in the table's order.
        let mut m = marked_model();
        char_key(&mut m, 'b');
        let r = dialog(&m);
        assert_eq!(
            r.rows.iter().map(|r| r.netuid).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(r.wallet, "alice");
        // No positions at all: a sentence, no dialog.
        let mut m = loaded_with(5, 0, 0);
        m.screen = Screen::Portfolio;
        char_key(&mut m, 'b');
        assert!(m.modal.is_none());
        let notice = m.notice.clone().unwrap();
        assert!(
            notice.error && notice.text.starts_with("Nothing to rebalance"),
            "{notice:?}"
        );
    }

    #[test]
    fn bad_choices_and_amounts_are_refused_with_sentences_before_anything_is_asked() {
        let mut m = marked_model();
        char_key(&mut m, 'b');
        // Everything kept: nothing to do.
        assert!(enter(&mut m).is_empty());
        assert!(
            error(&m).starts_with("Nothing to do: every position is set to keep"),
            "{}",
            error(&m)
        );
        // An amount typed into a kept position says how to get one.
        char_key(&mut m, '5');
        assert!(error(&m).contains("takes no amount"), "{}", error(&m));
        right(&mut m);
        right(&mut m);
        assert_eq!(dialog(&m).rows[0].choice, Choice::UnstakePart);
        assert!(enter(&mut m).is_empty());
        assert!(
            error(&m).contains("type how much alpha to unstake"),
            "{}",
            error(&m)
        );
        type_text(&mut m, "500");
        assert!(enter(&mut m).is_empty());
        assert!(
            error(&m).contains("500.0000 β is more than the 120.0000 β it holds"),
            "{}",
            error(&m)
        );
        for _ in 0..3 {
            press(&mut m, KeyPress::plain(KeyCode::Backspace));
        }
        type_text(&mut m, "1.2.3");
        assert!(enter(&mut m).is_empty());
        assert!(
            error(&m).contains("`1.2.3` is not an amount"),
            "{}",
            error(&m)
        );
        for _ in 0..5 {
            press(&mut m, KeyPress::plain(KeyCode::Backspace));
        }
        type_text(&mut m, "0");
        assert!(enter(&mut m).is_empty());
        assert!(error(&m).contains("more than zero"), "{}", error(&m));
        press(&mut m, KeyPress::plain(KeyCode::Backspace));
        type_text(&mut m, "10");
        // A move without a destination; Tab on a kept position has none to choose.
        down(&mut m);
        assert!(tab(&mut m).is_empty());
        assert!(
            error(&m).contains("only a move has a destination"),
            "{}",
            error(&m)
        );
        for _ in 0..3 {
            right(&mut m);
        }
        assert_eq!(dialog(&m).rows[1].choice, Choice::MoveAll);
        assert!(enter(&mut m).is_empty());
        assert!(
            error(&m).contains("press Tab to choose the validator to move to"),
            "{}",
            error(&m)
        );
        // A new stake above the free balance (the move set back to keep).
        for _ in 0..3 {
            press(&mut m, KeyPress::plain(KeyCode::Left));
        }
        down(&mut m);
        type_text(&mut m, "99999");
        assert!(enter(&mut m).is_empty());
        assert!(error(&m).starts_with("New stake:"), "{}", error(&m));
        assert_eq!(dialog(&m).step, RebalanceStep::Edit);
    }

    #[test]
    fn one_preview_one_confirmation_one_password_one_submission_for_the_whole_batch() {
        let mut m = rebalance_filled();
        let dest = dialog(&m).rows[1].dest.clone().unwrap();
        assert_eq!(dest.netuid, 1);
        assert_ne!(
            dest.hotkey, CHARLIE,
            "the position's own validator is no destination"
        );
        let effects = enter(&mut m);
        let [Effect::PreviewBatch { request, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(request.wallet, "alice");
        assert_eq!(request.proxy, None);
        let [unstake, mv] = request.legs.as_slice() else {
            panic!("{request:?}")
        };
        assert_eq!(
            (unstake.kind, unstake.netuid, unstake.amount, unstake.all),
            (StakeKind::Unstake, 2, 10_000_000_000, false)
        );
        assert_eq!(unstake.hotkey, BOB);
        assert_eq!(
            (mv.kind, mv.netuid, mv.all, mv.destination_netuid),
            (StakeKind::Move, 1, true, None)
        );
        assert_eq!(mv.destination.as_deref(), Some(dest.hotkey.as_str()));
        assert_eq!(dialog(&m).step, RebalanceStep::Previewing);
        // A stale answer is dropped.
        update(
            &mut m,
            Action::BatchPreviewed {
                id: RequestId(9_999),
                result: Err("late".to_owned()),
            },
        );
        assert_eq!(dialog(&m).step, RebalanceStep::Previewing);
        // Refused by the chain: no password.
        answer_batch(
            &mut m,
            &effects,
            vec!["Leg 1: the position holds less than asked".to_owned()],
        );
        assert_eq!(dialog(&m).step, RebalanceStep::Confirm);
        assert!(enter(&mut m).is_empty());
        assert_eq!(dialog(&m).step, RebalanceStep::Confirm);
        assert!(error(&m).contains("refuses this batch"), "{}", error(&m));
        esc(&mut m);
        assert_eq!(dialog(&m).step, RebalanceStep::Edit);
        let effects = enter(&mut m);
        answer_batch(&mut m, &effects, Vec::new());
        enter(&mut m);
        assert_eq!(dialog(&m).step, RebalanceStep::Password);
        type_text(&mut m, "pw");
        let effects = enter(&mut m);
        let id = match effects.as_slice() {
            [
                Effect::SubmitBatch {
                    id,
                    request,
                    password,
                    preview,
                },
            ] => {
                assert_eq!(request.legs.len(), 2);
                assert_eq!(password.expose_secret(), "pw");
                assert_eq!(Some(*preview), dialog(&m).preview.as_ref().map(|p| p.0));
                *id
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(dialog(&m).step, RebalanceStep::Progress);
        update(
            &mut m,
            Action::TxProgress {
                id,
                progress: TxProgress::InBlock { block: 7 },
            },
        );
        let effects = update(
            &mut m,
            Action::TxDone {
                id,
                result: Err("Leg 2 (SubtensorModule.move_stake) failed (x), so the whole batch was reverted".to_owned()),
            },
        );
        assert!(
            matches!(effects.as_slice(), [Effect::LoadHistory { .. }]),
            "{effects:?}"
        );
        assert_eq!(dialog(&m).step, RebalanceStep::Done);
        assert!(
            dialog(&m)
                .result
                .clone()
                .unwrap()
                .unwrap_err()
                .starts_with("Leg 2")
        );
        assert!(
            esc(&mut m).is_empty(),
            "a failed batch changed nothing to read again"
        );
        assert!(m.modal.is_none());
    }

    #[test]
    fn the_tolerance_keys_reach_every_leg_and_a_shown_preview_is_asked_again() {
        let mut m = rebalance_filled();
        let alt = |c| KeyPress::new(KeyCode::Char(c), KeyModifiers::ALT);
        press(&mut m, alt('+'));
        press(&mut m, alt('p'));
        let effects = enter(&mut m);
        answer_batch(&mut m, &effects, Vec::new());
        let effects = press(&mut m, alt('+'));
        let [Effect::PreviewBatch { request, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert!(
            request
                .legs
                .iter()
                .all(|l| l.tolerance_bps == 200 && l.allow_partial && l.mev_shield)
        );
        assert_eq!(dialog(&m).step, RebalanceStep::Previewing);
        // alt-m sends the whole batch in the clear (the stake form's toggle), asked again.
        answer_batch(&mut m, &effects, Vec::new());
        let effects = press(&mut m, alt('m'));
        let [Effect::PreviewBatch { request, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert!(request.legs.iter().all(|l| !l.mev_shield));
    }

    #[test]
    fn a_proxied_wallet_signs_through_its_proxy_and_a_watch_only_one_can_only_write_the_batch() {
        let mut m = marked_model();
        m.prefs
            .wallet_proxies
            .insert("alice".to_owned(), "btcli-wallet".to_owned());
        char_key(&mut m, 'b');
        right(&mut m);
        let effects = enter(&mut m);
        let [Effect::PreviewBatch { request, .. }] = effects.as_slice() else {
            panic!("{effects:?} {:?}", dialog(&m).error)
        };
        assert_eq!(request.proxy.as_deref(), Some("btcli-wallet"));
        assert!(
            request
                .legs
                .iter()
                .all(|l| l.proxy.as_deref() == Some("btcli-wallet"))
        );
        assert!(request.legs[0].all, "unstake all");
        esc(&mut m);
        esc(&mut m);
        assert!(m.modal.is_none());
        // A watch-only wallet without a proxy: Enter on the confirm step says o; o writes the batch.
        m.prefs.wallet_proxies.clear();
        if let Some(c) = m.wallets.entries[0].coldkey.as_mut() {
            c.format = taotui_keystore::wallet::KeyFormat::PubOnly;
        }
        char_key(&mut m, 'b');
        assert!(dialog(&m).watch_only);
        right(&mut m);
        let effects = enter(&mut m);
        answer_batch(&mut m, &effects, Vec::new());
        assert!(enter(&mut m).is_empty());
        assert!(
            error(&m).contains("press o to write the batch"),
            "{}",
            error(&m)
        );
        let effects = char_key(&mut m, 'o');
        let [Effect::WriteUnsignedBatch { id, request, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(request.legs.len(), 1);
        update(
            &mut m,
            Action::UnsignedWritten {
                id: *id,
                result: Ok(taotui::action::OfflineFile {
                    path: "/data/offline/x.unsigned.json".to_owned(),
                    call: "Utility.batch_all".to_owned(),
                    signer: ALICE.to_owned(),
                    nonce: 3,
                    valid_until: 99,
                    qr_data: "{}".to_owned(),
                    notes: Vec::new(),
                }),
            },
        );
        assert!(matches!(m.modal, Some(Modal::OfflineWritten(_))));
    }

    #[test]
    fn more_than_sixteen_legs_are_previewed_as_batches_and_only_one_batch_can_be_written_offline() {
        let mut m = loaded_with(5, 17, 0);
        m.screen = Screen::Portfolio;
        // The fixture's positions repeat their (hotkey, subnet) pairs: marking the pairs marks all 17.
        m.portfolio.marks = m
            .portfolio
            .sorted()
            .iter()
            .map(|p| (p.hotkey.0, p.netuid))
            .collect();
        char_key(&mut m, 'b');
        assert_eq!(dialog(&m).rows.len(), 17);
        for _ in 0..17 {
            right(&mut m);
            down(&mut m);
        }
        let effects = enter(&mut m);
        let [Effect::PreviewBatch { request, .. }] = effects.as_slice() else {
            panic!("{effects:?} {:?}", dialog(&m).error)
        };
        assert_eq!(request.legs.len(), 17);
        assert!(
            request
                .legs
                .iter()
                .all(|l| l.all && l.kind == StakeKind::Unstake)
        );
        answer_batch(&mut m, &effects, Vec::new());
        assert_eq!(dialog(&m).preview.as_ref().unwrap().1.parts, 2);
        assert!(char_key(&mut m, 'o').is_empty());
        assert!(error(&m).contains("makes 2 batches"), "{}", error(&m));
        enter(&mut m);
        assert_eq!(dialog(&m).step, RebalanceStep::Password);
    }

    #[test]
    fn a_new_stake_is_one_more_leg_and_carries_the_stake_forms_risk_flags() {
        let mut m = marked_model();
        char_key(&mut m, 'b');
        down(&mut m);
        down(&mut m);
        type_text(&mut m, "2.5");
        // Tab on the new stake opens the picker on the first position's subnet; `]` steps to the next one.
        let effects = tab(&mut m);
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::FetchValidators { netuid: 2, .. }]
            ),
            "{effects:?}"
        );
        assert_eq!(dialog(&m).step, RebalanceStep::Picking);
        let effects = char_key(&mut m, '[');
        answer_picker_list(&mut m, &effects, 1);
        enter(&mut m);
        let dest = dialog(&m).new_stake.dest.clone().unwrap();
        assert_eq!(dest.netuid, 1);
        assert_eq!(dest.permit, taotui::risk::Permit::Holds);
        assert!(dialog(&m).risk_flags().is_empty());
        let effects = enter(&mut m);
        let [Effect::PreviewBatch { request, .. }] = effects.as_slice() else {
            panic!("{effects:?} {:?}", dialog(&m).error)
        };
        let [stake] = request.legs.as_slice() else {
            panic!("{request:?}")
        };
        assert_eq!(
            (stake.kind, stake.netuid, stake.amount),
            (StakeKind::Stake, 1, 2_500_000_000)
        );
        assert_eq!(stake.hotkey, dest.hotkey);
        // A validator without a permit is flagged as the stake form flags it.
        if let Some(Modal::Rebalance(r)) = &mut m.modal
            && let Some(d) = r.new_stake.dest.as_mut()
        {
            d.permit = taotui::risk::Permit::Lacks;
        }
        assert!(!dialog(&m).risk_flags().is_empty());
    }

    #[test]
    fn a_move_to_a_validator_without_a_permit_is_flagged_like_a_stake() {
        let mut m = rebalance_filled();
        assert!(dialog(&m).rows[1].choice.moves());
        assert!(dialog(&m).risk_flags().is_empty());
        if let Some(Modal::Rebalance(r)) = &mut m.modal
            && let Some(d) = r.rows[1].dest.as_mut()
        {
            d.permit = taotui::risk::Permit::Lacks;
        }
        let flags = dialog(&m).risk_flags();
        let [flag] = flags.as_slice() else {
            panic!("{flags:?}")
        };
        assert_eq!(flag.code, "no_validator_permit");
        // Kept, the position moves nowhere: no flag.
        if let Some(Modal::Rebalance(r)) = &mut m.modal {
            r.rows[1].choice = Choice::Keep;
        }
        assert!(dialog(&m).risk_flags().is_empty());
    }
}

#[test]
fn the_help_overlay_scrolls_when_the_terminal_is_too_short_and_not_otherwise() {
    let scroll = |m: &taotui::model::Model| match &m.modal {
        Some(Modal::Help { scroll }) => Some(*scroll),
        _ => None,
    };
    let mut m = model();
    m.screen = Screen::Portfolio;
    update(
        &mut m,
        Action::Resize {
            columns: 80,
            rows: 24,
        },
    );
    char_key(&mut m, '?');
    assert_eq!(scroll(&m), Some(0));
    press(&mut m, KeyPress::new(KeyCode::Down, KeyModifiers::NONE));
    assert_eq!(scroll(&m), Some(1));
    press(&mut m, KeyPress::new(KeyCode::End, KeyModifiers::NONE));
    let end = scroll(&m).unwrap();
    let rows = taotui::model::help::help_rows(&m, taotui::model::help::inner_width(80)).len();
    // The last page shows the last row: 22 rows inside the frame.
    assert_eq!(usize::from(end), rows - 22, "{rows} rows");
    // Past the end it stays; one step up moves at once (no hidden overshoot).
    press(&mut m, KeyPress::new(KeyCode::Down, KeyModifiers::NONE));
    assert_eq!(scroll(&m), Some(end));
    press(&mut m, KeyPress::new(KeyCode::Up, KeyModifiers::NONE));
    assert_eq!(scroll(&m), Some(end - 1));
    update(&mut m, Action::ScrollUp);
    assert_eq!(scroll(&m), Some(end - 2));
    // A taller terminal needs less scrolling: the offset shrinks to what is still hidden.
    update(
        &mut m,
        Action::Resize {
            columns: 80,
            rows: 40,
        },
    );
    assert!(scroll(&m).unwrap() <= end.saturating_sub(16));
    press(&mut m, KeyPress::new(KeyCode::PageUp, KeyModifiers::NONE));
    assert_eq!(scroll(&m), Some(0));
    esc(&mut m);
    assert!(m.modal.is_none());
    // Everything fits at 120x40 on the Wallets screen: nothing scrolls.
    let mut m = model();
    update(
        &mut m,
        Action::Resize {
            columns: 120,
            rows: 60,
        },
    );
    char_key(&mut m, '?');
    press(&mut m, KeyPress::new(KeyCode::End, KeyModifiers::NONE));
    assert_eq!(scroll(&m), Some(0));
}
