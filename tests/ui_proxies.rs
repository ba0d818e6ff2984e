//! `update` for proxies on the Wallets screen, without a terminal: the pane's reads, the grant and revoke dialog
//! (every step, its cancel paths and refusals) and the wallet proxy setting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/proxy_fixtures.rs"]
mod proxy_fixtures;
#[path = "common/ui_fixtures.rs"]
mod ui_fixtures;

use crossterm::event::KeyCode;
use proxy_fixtures::*;
use secrecy::ExposeSecret;
use taotui::action::{Action, Effect, GrantRequest, KeyPress, TxProgress};
use taotui::model::proxies::{GrantField, GrantStep};
use taotui::model::{Modal, Model, Screen, update};
use ui_fixtures::*;

fn dialog(m: &Model) -> &taotui::model::proxies::GrantDialog {
    match &m.modal {
        Some(Modal::Grant(d)) => d,
        other => panic!("no grant dialog: {other:?}"),
    }
}

fn key(m: &mut Model, code: KeyCode) -> Vec<Effect> {
    press(m, KeyPress::plain(code))
}

#[test]
fn entering_the_wallets_screen_reads_the_selected_coldkeys_proxies_once_and_a_new_selection_reads_its_own()
 {
    let mut m = loaded_with(30, 5, 5);
    assert_eq!(m.screen, Screen::Portfolio);
    let effects = char_key(&mut m, '1');
    let (id, coldkey) = proxies_read(&effects).expect("read on entry");
    assert_eq!(coldkey, ALICE);
    // Coming back while the read is in flight or shown does not read again; r does.
    char_key(&mut m, '2');
    assert!(proxies_read(&char_key(&mut m, '1')).is_none());
    update(
        &mut m,
        Action::ProxiesLoaded {
            id,
            coldkey: ALICE.to_owned(),
            result: Ok(proxy_list(alice_grants())),
        },
    );
    assert_eq!(m.proxies.list.as_ref().unwrap().grants.len(), 2);
    assert!(proxies_read(&char_key(&mut m, '2')).is_none());
    assert!(proxies_read(&char_key(&mut m, '1')).is_none());
    assert!(proxies_read(&char_key(&mut m, 'r')).is_some());

    // alice's hotkey row keeps alice's list; the next wallet reads its own, and a late answer for alice is dropped.
    assert!(proxies_read(&char_key(&mut m, 'j')).is_none());
    let effects = char_key(&mut m, 'j');
    let (id2, coldkey) = proxies_read(&effects).expect("read for the new wallet");
    assert_eq!(coldkey, CHARLIE);
    assert!(
        m.proxies.list.is_none(),
        "alice's grants are not shown for btcli-wallet"
    );
    update(
        &mut m,
        Action::ProxiesLoaded {
            id,
            coldkey: ALICE.to_owned(),
            result: Ok(proxy_list(alice_grants())),
        },
    );
    assert!(m.proxies.list.is_none());
    update(
        &mut m,
        Action::ProxiesLoaded {
            id: id2,
            coldkey: CHARLIE.to_owned(),
            result: Err("the node did not answer in 30 s".to_owned()),
        },
    );
    assert_eq!(
        m.proxies.error.as_deref(),
        Some("the node did not answer in 30 s")
    );
    assert!(m.proxies.pending.is_none());
}

#[test]
fn granting_a_staking_proxy_goes_from_the_delegate_to_the_preview_password_and_progress_and_reads_again()
 {
    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'a');
    let d = dialog(&m);
    assert!(d.add);
    assert_eq!(d.proxy_type(), "Staking", "Staking is the default type");
    assert_eq!(d.delay.as_str(), "0");
    // An own wallet's name stands for its coldkey.
    type_text(&mut m, "watched");
    assert_eq!(dialog(&m).delegate_ss58().unwrap(), BOB);
    tab(&mut m);
    assert_eq!(dialog(&m).field, GrantField::Type);
    key(&mut m, KeyCode::Right);
    assert_eq!(dialog(&m).proxy_type(), "Registration");
    key(&mut m, KeyCode::Left);
    key(&mut m, KeyCode::Left);
    assert_eq!(dialog(&m).proxy_type(), "Governance");
    key(&mut m, KeyCode::Right);
    tab(&mut m);
    // The delay takes digits only.
    key(&mut m, KeyCode::Backspace);
    type_text(&mut m, "x5");
    assert_eq!(dialog(&m).delay.as_str(), "5");
    let effects = enter(&mut m);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::PreviewGrant { request, .. } => Some(request.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        request,
        GrantRequest {
            add: true,
            wallet: "alice".to_owned(),
            delegate: BOB.to_owned(),
            proxy_type: "Staking".to_owned(),
            delay: 5,
        }
    );
    assert_eq!(dialog(&m).step, GrantStep::Previewing);
    answer_grant(&mut m, &effects, grant_preview(true, 2, Vec::new()));
    assert_eq!(dialog(&m).step, GrantStep::Confirm);
    enter(&mut m);
    assert_eq!(dialog(&m).step, GrantStep::Password);
    // Esc goes back a step and forgets what was typed.
    type_text(&mut m, "wrong");
    esc(&mut m);
    assert_eq!(dialog(&m).step, GrantStep::Confirm);
    enter(&mut m);
    assert!(dialog(&m).password.is_empty());
    type_text(&mut m, "hunter2");
    let effects = enter(&mut m);
    let (id, password) = match effects.as_slice() {
        [
            Effect::SubmitGrant {
                id,
                request: r,
                password,
                ..
            },
        ] if *r == request => (*id, password.expose_secret().to_owned()),
        other => panic!("{other:?}"),
    };
    assert_eq!(password, "hunter2");
    assert_eq!(dialog(&m).step, GrantStep::Sending);
    update(
        &mut m,
        Action::TxProgress {
            id,
            progress: TxProgress::InBlock { block: 42 },
        },
    );
    assert!(
        dialog(&m)
            .progress
            .contains(&TxProgress::InBlock { block: 42 })
    );
    let effects = update(
        &mut m,
        Action::TxDone {
            id,
            result: Ok("Done: Proxy.add_proxy in block #42.".to_owned()),
        },
    );
    assert_eq!(dialog(&m).step, GrantStep::Done);
    // After the change the list and the balance are read again, and the history.
    assert_eq!(proxies_read(&effects).unwrap().1, ALICE);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadHistory { .. }))
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPositions { .. }))
    );
    enter(&mut m);
    assert!(m.modal.is_none());
}

#[test]
fn a_bad_delegate_is_a_sentence_and_a_look_alike_needs_its_last_characters() {
    let mut m = on_wallets_with(Vec::new());
    char_key(&mut m, 'a');
    let effects = enter(&mut m);
    assert!(effects.is_empty());
    assert!(
        dialog(&m)
            .error
            .as_ref()
            .unwrap()
            .starts_with("type the delegate")
    );
    type_text(&mut m, "alice");
    assert!(enter(&mut m).is_empty());
    assert!(
        dialog(&m)
            .error
            .as_ref()
            .unwrap()
            .contains("cannot be its own proxy"),
        "{:?}",
        dialog(&m).error
    );
    for _ in 0..5 {
        key(&mut m, KeyCode::Backspace);
    }
    type_text(&mut m, "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694t");
    assert!(enter(&mut m).is_empty());
    assert!(
        dialog(&m)
            .error
            .as_ref()
            .unwrap()
            .contains("neither a valid SS58 address")
    );

    // The book holds an address sharing DAVE's ends (as address poisoning crafts them): DAVE then imitates it and
    // is held until its tail is typed.
    let poisoned = format!("{}{}{}", &DAVE[..4], &ALICE[4..44], &DAVE[44..]);
    let mut m = on_wallets_with(Vec::new());
    m.wallets.addresses = vec![("exchange".to_owned(), poisoned)];
    char_key(&mut m, 'a');
    let lookalike = DAVE.to_owned();
    update(&mut m, Action::Paste(lookalike.clone()));
    assert!(dialog(&m).delegate_warnings()[0].contains("looks like"));
    assert!(enter(&mut m).is_empty());
    assert!(dialog(&m).lookalike_confirm.is_some());
    type_text(&mut m, "wrongchr");
    assert!(enter(&mut m).is_empty());
    assert!(
        dialog(&m)
            .error
            .as_ref()
            .unwrap()
            .contains("not its last 8")
    );
    for _ in 0..8 {
        key(&mut m, KeyCode::Backspace);
    }
    let tail = &DAVE[DAVE.len() - 8..];
    type_text(&mut m, tail);
    let effects = enter(&mut m);
    assert!(
        matches!(effects.as_slice(), [Effect::PreviewGrant { request, .. }] if request.delegate == lookalike),
        "{effects:?}"
    );
}

#[test]
fn a_refused_preview_cannot_be_signed_and_esc_goes_back_at_every_step() {
    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'a');
    type_text(&mut m, DAVE);
    let effects = enter(&mut m);
    // Esc while the chain is asked: back to editing, the late answer is dropped.
    esc(&mut m);
    assert_eq!(dialog(&m).step, GrantStep::Edit);
    answer_grant(&mut m, &effects, grant_preview(true, 2, Vec::new()));
    assert_eq!(dialog(&m).step, GrantStep::Edit);
    let effects = enter(&mut m);
    answer_grant(
        &mut m,
        &effects,
        grant_preview(
            true,
            2,
            vec!["The coldkey can spend 0.01 TAO but needs 0.033 TAO; add TAO to it.".to_owned()],
        ),
    );
    assert_eq!(dialog(&m).step, GrantStep::Confirm);
    assert!(enter(&mut m).is_empty());
    assert_eq!(
        dialog(&m).step,
        GrantStep::Confirm,
        "a refusal is not signed"
    );
    esc(&mut m);
    assert_eq!(dialog(&m).step, GrantStep::Edit);
    let effects = enter(&mut m);
    update(
        &mut m,
        Action::GrantPreviewed {
            id: match effects.as_slice() {
                [Effect::PreviewGrant { id, .. }] => *id,
                other => panic!("{other:?}"),
            },
            result: Err("Not connected to the chain; it reconnects on its own.".to_owned()),
        },
    );
    assert_eq!(dialog(&m).step, GrantStep::Edit);
    assert!(
        dialog(&m)
            .error
            .as_ref()
            .unwrap()
            .starts_with("Not connected")
    );
    esc(&mut m);
    assert!(m.modal.is_none());
}

#[test]
fn revoking_picks_a_grant_and_previews_it_with_its_own_type_and_delay() {
    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'x');
    assert!(!dialog(&m).add);
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Down);
    assert_eq!(dialog(&m).selected, 1);
    let effects = enter(&mut m);
    assert!(
        matches!(effects.as_slice(), [Effect::PreviewGrant { request, .. }] if *request == GrantRequest {
            add: false,
            wallet: "alice".to_owned(),
            delegate: DAVE.to_owned(),
            proxy_type: "Any".to_owned(),
            delay: 10,
        }),
        "{effects:?}"
    );
    // No grants: nothing to revoke, said as a sentence.
    let mut m = on_wallets_with(Vec::new());
    char_key(&mut m, 'x');
    assert!(m.modal.is_none());
    assert_eq!(
        m.notice.unwrap().text,
        "This wallet has granted no proxies."
    );
}

#[test]
fn a_watch_only_coldkey_must_sign_so_o_writes_the_grant_for_the_offline_machine() {
    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'j');
    char_key(&mut m, 'j');
    let effects = char_key(&mut m, 'j');
    assert_eq!(m.selected_coldkey().as_deref(), Some(BOB));
    answer_proxies(&mut m, &effects, Vec::new());
    char_key(&mut m, 'a');
    assert!(dialog(&m).watch_only);
    type_text(&mut m, "alice");
    let effects = enter(&mut m);
    answer_grant(&mut m, &effects, grant_preview(true, 0, Vec::new()));
    assert!(enter(&mut m).is_empty());
    assert_eq!(dialog(&m).step, GrantStep::Confirm);
    assert!(
        dialog(&m)
            .error
            .as_ref()
            .unwrap()
            .contains("watch-only: its coldkey must sign")
    );
    let effects = char_key(&mut m, 'o');
    let id = match effects.as_slice() {
        [Effect::WriteGrantUnsigned { id, request }]
            if request.wallet == "watched" && request.delegate == ALICE =>
        {
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(dialog(&m).step, GrantStep::Writing);
    // A failed write is said and can be retried; a written one shows the file and its QR code.
    update(
        &mut m,
        Action::UnsignedWritten {
            id,
            result: Err("no data folder to write the file in".to_owned()),
        },
    );
    assert_eq!(dialog(&m).step, GrantStep::Confirm);
    let id = match char_key(&mut m, 'o').as_slice() {
        [Effect::WriteGrantUnsigned { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::UnsignedWritten {
            id,
            result: Ok(taotui::action::OfflineFile {
                path: "/tmp/x.unsigned.json".to_owned(),
                call: "Proxy.add_proxy".to_owned(),
                signer: BOB.to_owned(),
                nonce: 0,
                valid_until: 100,
                qr_data: "{}".to_owned(),
                notes: Vec::new(),
            }),
        },
    );
    assert!(matches!(m.modal, Some(Modal::OfflineWritten(_))));
}

#[test]
fn the_proxy_wallet_setting_is_saved_and_the_next_stake_form_signs_through_it() {
    let mut m = on_wallets_with(Vec::new());
    char_key(&mut m, 'P');
    let Some(Modal::WalletProxy(d)) = &m.modal else {
        panic!("{:?}", m.modal)
    };
    // Only wallets that can sign, not alice herself and not the watch-only one.
    assert_eq!(d.candidates.len(), 1);
    key(&mut m, KeyCode::Down);
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [Effect::SaveWalletProxy { id, wallet, proxy }]
            if wallet == "alice" && proxy.as_deref() == Some("btcli-wallet") =>
        {
            *id
        }
        other => panic!("{other:?}"),
    };
    // btcli-wallet holds no grant of alice: the pane says so once saved.
    update(
        &mut m,
        Action::WalletProxySaved {
            id,
            wallet: "alice".to_owned(),
            proxy: Some("btcli-wallet".to_owned()),
            result: Ok(()),
        },
    );
    assert!(m.modal.is_none());
    assert_eq!(
        m.prefs.wallet_proxies.get("alice").map(String::as_str),
        Some("btcli-wallet")
    );
    assert!(
        taotui::model::proxies::setting_warning(&m, "alice")
            .unwrap()
            .contains("has no grant of this coldkey that allows staking")
    );
    // A grant that does not let it stake (a transfer type, or one with a delay) still warns; a Staking one does not.
    let effects = char_key(&mut m, 'r');
    let mut transfer_only = alice_grants();
    transfer_only[0].proxy_type = "Transfer".to_owned();
    answer_proxies(&mut m, &effects, transfer_only);
    assert!(taotui::model::proxies::setting_warning(&m, "alice").is_some());
    let effects = char_key(&mut m, 'r');
    answer_proxies(&mut m, &effects, alice_grants());
    assert_eq!(taotui::model::proxies::setting_warning(&m, "alice"), None);

    char_key(&mut m, '2');
    char_key(&mut m, 'a');
    match &m.modal {
        Some(Modal::Stake(s)) => assert_eq!(s.proxy.as_deref(), Some("btcli-wallet")),
        other => panic!("{other:?}"),
    }
    esc(&mut m);

    // Clearing: an empty field signs with the coldkey again; a failed write keeps the dialog with the sentence.
    char_key(&mut m, '1');
    char_key(&mut m, 'P');
    for _ in 0.."btcli-wallet".len() {
        key(&mut m, KeyCode::Backspace);
    }
    let id = match enter(&mut m).as_slice() {
        [
            Effect::SaveWalletProxy {
                id, proxy: None, ..
            },
        ] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::WalletProxySaved {
            id,
            wallet: "alice".to_owned(),
            proxy: None,
            result: Err("could not write config.toml: read-only file system".to_owned()),
        },
    );
    match &m.modal {
        Some(Modal::WalletProxy(d)) => assert!(d.error.as_ref().unwrap().contains("read-only")),
        other => panic!("{other:?}"),
    }
    assert!(m.prefs.wallet_proxies.contains_key("alice"));
    let id = match enter(&mut m).as_slice() {
        [Effect::SaveWalletProxy { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::WalletProxySaved {
            id,
            wallet: "alice".to_owned(),
            proxy: None,
            result: Ok(()),
        },
    );
    assert!(!m.prefs.wallet_proxies.contains_key("alice"));
    // A name that is no signing wallet here is refused before anything is written.
    char_key(&mut m, 'P');
    type_text(&mut m, "watched");
    assert!(enter(&mut m).is_empty());
}

#[test]
fn esc_stops_waiting_for_a_stalled_proxies_read_and_r_asks_again() {
    let mut m = loaded_with(30, 5, 5);
    let (id, _) = proxies_read(&char_key(&mut m, '1')).unwrap();
    let effects = esc(&mut m);
    assert!(
        matches!(effects.as_slice(), [Effect::Cancel { ids }] if *ids == vec![id]),
        "{effects:?}"
    );
    assert!(m.proxies.pending.is_none() && m.proxies.list.is_none());
    assert!(proxies_read(&char_key(&mut m, 'r')).is_some());
}
