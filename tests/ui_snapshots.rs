//! Whole-screen snapshots of every screen and dialog at 80x24 and 120x40 (ratatui TestBackend),
//! plus checks of the cells whose colour carries meaning.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/rebalance_fixtures.rs"]
mod rebalance_fixtures;
#[path = "common/ui_fixtures.rs"]
mod ui_fixtures;

use crossterm::event::{KeyCode, KeyModifiers};
use taotui::action::{Action, Connection, Effect, KeyPress, TxProgress};
use taotui::amount::AlphaRao;
use taotui::config::theme::Theme;
use taotui::model::chain::HistoryEntry;
use taotui::model::{Modal, Model, Screen, update};
use taotui::risk::DeregStanding;
use ui_fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// A connected model with wallets, subnets, validators, positions and the overview loaded.
fn loaded() -> Model {
    loaded_with(30, 5, 5)
}

/// The transfer form on Portfolio with Bob as the recipient and `amount` typed ("m": all).
fn transfer_typed(amount: &str) -> Model {
    let mut m = loaded();
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(BOB.to_owned()));
    tab(&mut m);
    if amount == "m" {
        char_key(&mut m, 'm');
    } else {
        type_text(&mut m, amount);
    }
    m
}

/// `transfer_typed`, reviewed: the confirm screen with the chain's preview.
fn transfer_confirmed(amount: &str) -> Model {
    let mut m = transfer_typed(amount);
    let effects = enter(&mut m);
    let call = if amount == "m" {
        "Balances.transfer_all"
    } else {
        "Balances.transfer_keep_alive"
    };
    answer_transfer_preview(&mut m, &effects, call, Vec::new());
    m
}

/// Subnet 1 on the Validators screen, full and lowest-priced (at deregistration risk), where the most staked
/// validator has no permit and another is still in its immunity.
fn validators_at_risk() -> Model {
    let mut m = loaded();
    if let Some(list) = m.validators.subnets.data.as_mut() {
        for s in list.iter_mut().filter(|s| s.netuid == 1) {
            s.dereg = DeregStanding::Ranked {
                rank: 1,
                of: 40,
                full: true,
            };
        }
    }
    m.screen = Screen::Validators;
    char_key(&mut m, ']');
    let id = m.validators.validators.pending.unwrap();
    let mut list = validators(4, 1);
    list[3].validator_permit = false;
    list[2].immune = Some(true);
    list[2].age_blocks = Some(900);
    update(
        &mut m,
        Action::ValidatorsLoaded {
            id,
            netuid: 1,
            fetched_at: NOW,
            result: Ok(list),
        },
    );
    m
}

fn wizard_at(steps: usize) -> Model {
    let mut m = model();
    with_wallets(&mut m, Vec::new());
    char_key(&mut m, 'n');
    if steps >= 1 {
        type_text(&mut m, "bob");
        enter(&mut m);
    }
    if steps >= 2 {
        let id = match enter(&mut m).first() {
            Some(Effect::GenerateMnemonic { id, .. }) => *id,
            _ => panic!(),
        };
        update(
            &mut m,
            Action::MnemonicGenerated {
                id,
                mnemonic: dev_mnemonic(),
                check_positions: vec![0, 5, 11],
            },
        );
    }
    if steps >= 3 {
        enter(&mut m);
        type_text(&mut m, "bot");
    }
    if steps >= 4 {
        for _ in 0..3 {
            press(&mut m, KeyPress::plain(KeyCode::Backspace));
        }
        for w in ["bottom", "smoke", "walk"] {
            type_text(&mut m, w);
            enter(&mut m);
        }
        type_text(&mut m, "password1");
    }
    if steps >= 5 {
        for _ in 0..9 {
            press(&mut m, KeyPress::plain(KeyCode::Backspace));
        }
        type_text(&mut m, "violet tractor ninety lantern");
        enter(&mut m);
        type_text(&mut m, "violet tractor ninety lantern");
        enter(&mut m);
    }
    if steps >= 6 {
        enter(&mut m);
    }
    m
}

fn scenes() -> Vec<(&'static str, Model)> {
    let mut scenes = Vec::new();

    let mut m = model();
    m.init();
    scenes.push(("wallets_loading", m));

    let mut m = model();
    with_wallets(&mut m, Vec::new());
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Offline {
            reason: "cannot reach the chain".to_owned(),
        }),
    );
    scenes.push(("wallets_empty_offline", m));

    let mut m = model();
    m.init();
    let id = m.wallets.scanning.unwrap();
    update(
        &mut m,
        Action::WalletsScanned {
            id,
            result: Err("could not read the wallet folder: permission denied".to_owned()),
        },
    );
    scenes.push(("wallets_error", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    scenes.push(("wallets_list", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'j');
    scenes.push(("wallets_hotkey_selected", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    let id = match char_key(&mut m, 'r').as_slice() {
        [_, Effect::LoadAddressBook { id }, ..] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::AddressBookLoaded {
            id,
            result: Ok(vec![
                ("bob".to_owned(), BOB.to_owned()),
                ("exchange".to_owned(), CHARLIE.to_owned()),
            ]),
        },
    );
    scenes.push(("wallets_addresses", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'c');
    scenes.push(("wallets_copied", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'o');
    scenes.push(("dialog_qr", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, '?');
    scenes.push(("dialog_help_wallets", m));

    let names = [
        "wizard_name",
        "wizard_words",
        "wizard_mnemonic",
        "wizard_confirm_words",
        "wizard_password",
        "wizard_format",
        "wizard_review",
    ];
    for (i, name) in names.iter().enumerate() {
        scenes.push((name, wizard_at(i)));
    }
    let mut m = wizard_at(0);
    type_text(&mut m, "a/b");
    enter(&mut m);
    scenes.push(("wizard_name_error", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'R');
    type_text(&mut m, "restored");
    enter(&mut m);
    type_text(&mut m, "secret words");
    scenes.push(("form_restore", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'w');
    type_text(&mut m, "watch");
    enter(&mut m);
    type_text(&mut m, "5bad");
    enter(&mut m);
    scenes.push(("form_watch_only_error", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'p');
    type_text(&mut m, "old");
    scenes.push(("form_change_password", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'v');
    scenes.push(("form_convert", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 'h');
    type_text(&mut m, "miner");
    scenes.push(("form_new_hotkey", m));

    let mut m = model();
    with_wallets(&mut m, Vec::new());
    m.screen = Screen::Portfolio;
    scenes.push(("portfolio_no_wallet", m));

    let mut m = model();
    with_wallets(&mut m, wallets());
    scenes.push(("portfolio_connecting", m));

    let mut m = model();
    with_wallets(&mut m, wallets());
    connect(&mut m);
    scenes.push(("portfolio_loading", m));

    let mut m = model();
    with_wallets(&mut m, wallets());
    for e in connect(&mut m) {
        if let Effect::FetchPositions { id, .. } = e {
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
    scenes.push(("portfolio_failed", m));

    scenes.push(("portfolio_positions", loaded()));

    // Spec 424+: one position holds 40 of its alpha under a stake lock; a Locked column appears.
    let mut m = loaded();
    if let Some((_, positions)) = m.portfolio.listing.data.as_mut() {
        let first_on_1 = positions.iter().position(|p| p.netuid == 1);
        for (i, p) in positions.iter_mut().enumerate() {
            let locked = if Some(i) == first_on_1 {
                AlphaRao(40_000_000_000.min(p.alpha.get()))
            } else {
                AlphaRao::ZERO
            };
            p.locked = Some(locked);
            p.available = Some(p.alpha.saturating_sub(locked));
        }
    }
    scenes.push(("portfolio_locked", m));

    let mut m = loaded();
    m.prefs.hide_balances = true;
    scenes.push(("portfolio_hidden", m));

    let mut m = loaded();
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Reconnecting { attempt: 2 }),
    );
    m.now = NOW + 300;
    scenes.push(("portfolio_stale", m));

    // The value view over a fixed journal: 8 days, one snapshot every 3 hours.
    let mut m = loaded();
    with_journal(&mut m, journal(5, 64, 3 * 3_600));
    scenes.push(("value_week", m));

    let mut m = loaded();
    with_journal(&mut m, journal(5, 64, 3 * 3_600));
    char_key(&mut m, '[');
    scenes.push(("value_day", m));

    let mut m = loaded();
    with_journal(&mut m, journal(5, 64, 3 * 3_600));
    m.prefs.hide_balances = true;
    scenes.push(("value_week_hidden", m));

    // Only one snapshot in the last 24 h: nothing to draw yet, a backfill reading past state.
    let mut m = loaded();
    with_journal(&mut m, journal(5, 2, 2 * 86_400));
    char_key(&mut m, '[');
    scenes.push(("value_day_thin", m));

    // The first read of the session against the journal's last snapshot, 3 hours earlier.
    let mut m = loaded();
    let earlier = journal(5, 1, 1).remove(0);
    let mut now = earlier.clone();
    now.block += 900;
    now.free += 1_500_000_000;
    update(
        &mut m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: now,
            previous: Some(taotui::journal::Snapshot {
                time: NOW - 3 * 3_600,
                ..earlier
            }),
        },
    );
    scenes.push(("portfolio_since_last_look", m));

    // The week's earnings read: an "Earned 7 d" column; Enter opens the position's earnings.
    let mut m = loaded();
    let effects = update(
        &mut m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: journal(5, 1, 1).remove(0),
            previous: None,
        },
    );
    for e in effects {
        if let Effect::FetchEarnings { id, .. } = e {
            update(
                &mut m,
                Action::EarningsLoaded {
                    id,
                    coldkey: ALICE.to_owned(),
                    result: Ok(earnings_report(5, "7 d")),
                },
            );
        }
    }
    scenes.push(("portfolio_earned", m));
    let mut m = loaded();
    let effects = update(
        &mut m,
        Action::JournalRecorded {
            coldkey: ALICE.to_owned(),
            snapshot: journal(5, 1, 1).remove(0),
            previous: None,
        },
    );
    for e in effects {
        if let Effect::FetchEarnings { id, .. } = e {
            update(
                &mut m,
                Action::EarningsLoaded {
                    id,
                    coldkey: ALICE.to_owned(),
                    result: Ok(earnings_report(5, "7 d")),
                },
            );
        }
    }
    enter(&mut m);
    scenes.push(("position_earnings", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    scenes.push(("validators_table", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    char_key(&mut m, '/');
    type_text(&mut m, "001");
    scenes.push(("validators_filter", m));

    let mut m = model();
    with_wallets(&mut m, wallets());
    connect(&mut m);
    m.screen = Screen::Validators;
    scenes.push(("validators_loading", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    char_key(&mut m, ']');
    let id = m.validators.validators.pending.unwrap();
    update(
        &mut m,
        Action::ValidatorsLoaded {
            id,
            netuid: 1,
            fetched_at: NOW,
            result: Ok(Vec::new()),
        },
    );
    scenes.push(("validators_empty_subnet", m));

    scenes.push(("validators_risk", validators_at_risk()));

    let mut m = validators_at_risk();
    enter(&mut m);
    type_text(&mut m, "10");
    scenes.push(("stake_risk_flags", m));

    let mut m = validators_at_risk();
    char_key(&mut m, '?');
    scenes.push(("dialog_help_validators", m));

    let mut m = loaded();
    m.screen = Screen::Network;
    scenes.push(("network_overview", m));

    let mut m = model();
    with_wallets(&mut m, wallets());
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Offline {
            reason: "cannot reach the chain at ws://127.0.0.1:9944".to_owned(),
        }),
    );
    m.screen = Screen::Network;
    scenes.push(("network_offline", m));

    let mut m = loaded();
    m.screen = Screen::History;
    scenes.push(("history_empty", m));

    let mut m = loaded();
    m.screen = Screen::History;
    m.history.entries = vec![
        HistoryEntry {
            time: "2023-11-14 22:13".to_owned(),
            call: "add_stake_limit".to_owned(),
            amount: "10 τ".to_owned(),
            status: "finalized".to_owned(),
            failed: false,
        },
        HistoryEntry {
            time: "2023-11-14 22:20".to_owned(),
            call: "remove_stake_limit".to_owned(),
            amount: "5 α".to_owned(),
            status: "failed: SlippageTooHigh".to_owned(),
            failed: true,
        },
    ];
    scenes.push(("history_entries", m));

    // The chain's history of the last 7 days read and merged with this machine's records.
    let mut m = loaded();
    let id = match char_key(&mut m, '5').as_slice() {
        [_, Effect::ScanHistory { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut m,
        Action::ChainHistoryLoaded {
            id,
            coldkey: ALICE.to_owned(),
            fetched_at: NOW,
            result: Ok(chain_history()),
        },
    );
    scenes.push(("history_chain", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    scenes.push(("stake_edit_preview", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    char_key(&mut m, ']');
    let id = m.validators.validators.pending.unwrap();
    update(
        &mut m,
        Action::ValidatorsLoaded {
            id,
            netuid: 1,
            fetched_at: NOW,
            result: Ok(validators(4, 1)),
        },
    );
    enter(&mut m);
    type_text(&mut m, "1000");
    enter(&mut m);
    scenes.push(("stake_previewing", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    enter_and_preview(&mut m);
    scenes.push(("stake_confirm", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "1");
    let effects = enter(&mut m);
    answer_preview(
        &mut m,
        &effects,
        vec![
            "The free balance (1,234.5678 TAO) does not cover 10 TAO plus the fee; stake less."
                .to_owned(),
        ],
    );
    scenes.push(("stake_refused", m));

    let alt = |c| KeyPress::new(KeyCode::Char(c), KeyModifiers::ALT);
    let mut m = loaded();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    press(&mut m, alt('+'));
    press(&mut m, alt('+'));
    press(&mut m, alt('p'));
    scenes.push(("stake_limit_changed", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    let effects = enter(&mut m);
    answer_limit_preview(
        &mut m,
        &effects,
        vec![("beyond_tolerance", CLI_BEYOND_TOLERANCE)],
    );
    scenes.push(("stake_beyond_tolerance", m));

    let mut m = loaded();
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    enter_and_preview(&mut m);
    enter(&mut m);
    type_text(&mut m, "pw");
    scenes.push(("stake_password", m));

    let mut m = loaded();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'u');
    type_text(&mut m, "1");
    enter_and_preview(&mut m);
    enter(&mut m);
    let effects = enter(&mut m);
    let id = match effects.first() {
        Some(Effect::SubmitStake { id, .. }) => *id,
        _ => panic!(),
    };
    update(
        &mut m,
        Action::TxProgress {
            id,
            progress: TxProgress::Submitted,
        },
    );
    update(
        &mut m,
        Action::TxProgress {
            id,
            progress: TxProgress::InBlock { block: 120 },
        },
    );
    scenes.push(("unstake_progress", m));

    let mut m = loaded();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'u');
    type_text(&mut m, "1");
    enter_and_preview(&mut m);
    enter(&mut m);
    let id = match enter(&mut m).first() {
        Some(Effect::SubmitStake { id, .. }) => *id,
        _ => panic!(),
    };
    update(
        &mut m,
        Action::TxDone {
            id,
            result: Err(
                "SubtensorModule::SlippageTooHigh: the price moved beyond the tolerance".to_owned(),
            ),
        },
    );
    scenes.push(("unstake_failed", m));

    let mut m = loaded();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'm');
    type_text(&mut m, "2.5");
    tab(&mut m);
    type_text(&mut m, "5FHneW46");
    scenes.push(("move_edit", m));

    let mut m = loaded();
    m.screen = Screen::Portfolio;
    char_key(&mut m, '?');
    scenes.push(("dialog_help_portfolio", m));

    // Scrolled to its end (on 80x24 it holds more rows than fit; on 120x40 it all fits and does not scroll).
    let mut m = loaded();
    m.screen = Screen::Portfolio;
    char_key(&mut m, '?');
    press(&mut m, KeyPress::new(KeyCode::End, KeyModifiers::NONE));
    scenes.push(("dialog_help_portfolio_end", m));

    let mut m = loaded();
    char_key(&mut m, 'g');
    scenes.push(("portfolio_split_validator", m));

    let m = loaded_with(30, 40, 5);
    scenes.push(("portfolio_many_positions", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 't');
    scenes.push(("transfer_empty", m));

    let mut m = loaded();
    m.screen = Screen::Wallets;
    char_key(&mut m, 't');
    type_text(&mut m, "5bad0address");
    scenes.push(("transfer_bad_address", m));

    for (name, amount) in [
        ("transfer_preview", "10"),
        ("transfer_ed_warning", "1234.5678"),
        ("transfer_recipient_empty", "0.0000001"),
    ] {
        let mut m = transfer_typed(amount);
        tick_and_quote(&mut m, transfer_facts(0, 0));
        scenes.push((name, m));
    }
    // A recipient imitating an address-book entry (same first and last 4 characters), never sent to: both
    // warnings, and the confirmation of its last 8 characters being typed.
    const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
    let mut m = loaded();
    m.wallets.addresses = vec![(
        "exchange".to_owned(),
        format!("{}{}{}", &DAVE[..4], &ALICE[4..44], &DAVE[44..]),
    )];
    char_key(&mut m, 't');
    update(&mut m, Action::Paste(DAVE.to_owned()));
    tab(&mut m);
    type_text(&mut m, "1");
    enter(&mut m);
    type_text(&mut m, "Yum3");
    scenes.push(("transfer_lookalike", m));

    scenes.push(("transfer_all_asking", transfer_typed("m")));
    scenes.push(("transfer_all_confirm", transfer_confirmed("m")));
    scenes.push(("transfer_confirm", transfer_confirmed("10")));

    let password = || {
        let mut m = transfer_confirmed("10");
        enter(&mut m);
        type_text(&mut m, "pw");
        m
    };
    scenes.push(("transfer_password", password()));

    let mut m = password();
    let id = match enter(&mut m).first() {
        Some(Effect::SubmitStake { id, .. }) => *id,
        _ => panic!(),
    };
    for progress in [
        TxProgress::Submitted,
        TxProgress::InBlock { block: 120 },
        TxProgress::Finalized { block: 120 },
    ] {
        update(&mut m, Action::TxProgress { id, progress });
    }
    update(
        &mut m,
        Action::TxDone {
            id,
            result: Ok(
                "Done: Balances.transfer_keep_alive in block #120 (extrinsic 0xabcd).".to_owned(),
            ),
        },
    );
    scenes.push(("transfer_done", m));

    let mut m = loaded();
    char_key(&mut m, 'x');
    type_text(&mut m, "2.5");
    tab(&mut m);
    scenes.push(("swap_edit", m));

    let mut m = loaded();
    char_key(&mut m, 'x');
    type_text(&mut m, "2.5");
    tab(&mut m);
    press(&mut m, KeyPress::plain(KeyCode::Down));
    scenes.push(("swap_preview", m));

    let mut m = loaded();
    char_key(&mut m, 'x');
    type_text(&mut m, "2.5");
    tab(&mut m);
    type_text(&mut m, "7");
    enter(&mut m);
    scenes.push(("swap_unknown_subnet", m));

    let mut m = loaded();
    char_key(&mut m, 'x');
    type_text(&mut m, "2.5");
    tab(&mut m);
    press(&mut m, KeyPress::plain(KeyCode::Down));
    let effects = enter(&mut m);
    answer_preview(&mut m, &effects, Vec::new());
    scenes.push(("swap_confirm", m));

    let mut m = loaded();
    let effects = char_key(&mut m, 'm');
    answer_picker(&mut m, &effects, validators(12, 1));
    type_text(&mut m, "2.5");
    tab(&mut m);
    press(&mut m, KeyPress::plain(KeyCode::Down));
    scenes.push(("move_picker", m));

    let mut m = loaded();
    let effects = char_key(&mut m, 'm');
    answer_picker(&mut m, &effects, validators(12, 1));
    tab(&mut m);
    type_text(&mut m, "0009");
    scenes.push(("move_picker_filtered", m));

    let mut m = loaded();
    let effects = char_key(&mut m, 'm');
    answer_picker(&mut m, &effects, validators(12, 1));
    type_text(&mut m, "2.5");
    tab(&mut m);
    let effects = enter(&mut m);
    answer_preview(&mut m, &effects, Vec::new());
    scenes.push(("move_confirm", m));

    // Air-gapped signing: a watch-only wallet's confirm step, the file being written, then the dialogs.
    let m = watched_transfer_confirmed();
    scenes.push(("offline_watch_only_confirm", m));

    let mut m = watched_transfer_confirmed();
    char_key(&mut m, 'o');
    scenes.push(("offline_writing", m));

    for (name, qr_data) in [
        ("offline_written_qr", compact_transfer_text()),
        ("offline_written_large_qr", text_of(1_600)),
        ("offline_written_too_big", text_of(4_000)),
    ] {
        let mut m = loaded();
        m.modal = Some(Modal::OfflineWritten(Box::new(offline_file(qr_data))));
        scenes.push((name, m));
    }

    let mut m = loaded();
    m.screen = Screen::History;
    char_key(&mut m, 's');
    type_text(&mut m, "/media/usb/t.unsigned.json");
    let effects = enter(&mut m);
    if let [Effect::OpenSigned { id, .. }] = effects.as_slice() {
        update(
            &mut m,
            Action::SignedOpened {
                id: *id,
                result: Err("/media/usb/t.unsigned.json is not signed yet: sign it on the offline machine with `taotui sign /media/usb/t.unsigned.json` and submit the signed file (or give it with --signature)".to_owned()),
            },
        );
    }
    scenes.push(("submit_signed_refused", m));

    scenes.push(("submit_signed_confirm", submit_confirmed()));
    let mut m = submit_confirmed();
    let effects = enter(&mut m);
    if let [Effect::SubmitSigned { id, .. }] = effects.as_slice() {
        update(
            &mut m,
            Action::TxProgress {
                id: *id,
                progress: TxProgress::InBlock { block: 1_001 },
            },
        );
    }
    scenes.push(("submit_signed_sending", m));

    // Rebalance: two positions marked; the dialog's choices; the picker; the one preview of the batch.
    scenes.push(("portfolio_marked", rebalance_fixtures::marked_model()));
    let mut m = rebalance_fixtures::marked_model();
    char_key(&mut m, 'b');
    rebalance_fixtures::down(&mut m);
    for _ in 0..3 {
        rebalance_fixtures::right(&mut m);
    }
    let effects = tab(&mut m);
    rebalance_fixtures::answer_picker_list(&mut m, &effects, 1);
    scenes.push(("rebalance_picker", m));
    let mut m = rebalance_fixtures::rebalance_filled();
    rebalance_fixtures::down(&mut m);
    type_text(&mut m, "2.5");
    scenes.push(("rebalance_edit", m));
    let mut m = rebalance_fixtures::rebalance_filled();
    let effects = enter(&mut m);
    rebalance_fixtures::answer_batch(&mut m, &effects, Vec::new());
    scenes.push(("rebalance_preview", m));

    let mut m = loaded();
    m.modal = Some(Modal::Message {
        title: "Error".to_owned(),
        text: "The wallet folder is not writable.".to_owned(),
        error: true,
    });
    scenes.push(("dialog_message", m));

    scenes
}

#[test]
fn every_screen_and_dialog_at_both_sizes() {
    let theme = theme();
    for (name, m) in scenes() {
        for (w, h) in SIZES {
            let buf = render(&m, &theme, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buf));
        }
    }
}

#[test]
fn errors_are_drawn_in_the_warning_colour() {
    let theme = theme();
    let scenes = scenes();
    let get = |n: &str| &scenes.iter().find(|(name, _)| *name == n).unwrap().1;
    for (scene, needle) in [
        ("wallets_error", "! could not read"),
        ("wizard_name_error", "! "),
        ("form_watch_only_error", "! `5bad`"),
        ("portfolio_failed", "! Could not read positions"),
        ("portfolio_stale", "! Stale"),
        ("unstake_failed", "! SubtensorModule::SlippageTooHigh"),
        ("history_entries", "failed: SlippageTooHigh"),
        ("stake_refused", "! The free balance"),
        ("stake_beyond_tolerance", "! This trade alone"),
        ("transfer_bad_address", "! `5bad0a"),
        ("transfer_ed_warning", "! This leaves less"),
        (
            "transfer_recipient_empty",
            "! The recipient's account is empty",
        ),
        ("swap_unknown_subnet", "! there is no subnet 7"),
        ("transfer_lookalike", "⚠ 5DAAnrj7"),
        ("stake_risk_flags", "⚠ No validator permit on subnet 1"),
        ("stake_risk_flags", "⚠ Subnet 1 at deregistration risk"),
        ("validators_risk", "1/40 next"),
    ] {
        let buf = render(get(scene), &theme, 120, 40);
        let (x, y) = find(&buf, needle).unwrap_or_else(|| panic!("{scene}: `{needle}` not drawn"));
        assert_eq!(
            buf[(x, y)].fg,
            theme.warning,
            "{scene}: `{needle}` must be in the warning colour"
        );
    }
    // The mnemonic warning too.
    let buf = render(get("wizard_mnemonic"), &theme, 120, 40);
    let (x, y) = find(&buf, "WARNING").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.warning);
}

#[test]
fn connection_state_colours_in_the_status_bar() {
    let theme = theme();
    let buf = render(&loaded(), &theme, 80, 24);
    let (x, y) = find(&buf, "● connected").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.positive);
    let mut m = loaded();
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Reconnecting { attempt: 1 }),
    );
    let buf = render(&m, &theme, 80, 24);
    let (x, y) = find(&buf, "● reconnecting").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.warning);
}

#[test]
fn secrets_never_reach_the_screen_after_the_mnemonic_step() {
    let theme = theme();
    for steps in [3, 4, 5, 6] {
        let m = wizard_at(steps);
        let screen = text(&render(&m, &theme, 120, 40));
        assert!(
            !screen.contains("smoke basket"),
            "mnemonic visible at step {steps}"
        );
        assert!(
            !screen.contains("violet tractor"),
            "password visible at step {steps}"
        );
    }
}

#[test]
fn no_color_theme_keeps_meaning_through_modifiers() {
    let theme = Theme::monochrome("default");
    let scenes = scenes();
    let m = &scenes
        .iter()
        .find(|(n, _)| *n == "portfolio_failed")
        .unwrap()
        .1;
    let buf = render(m, &theme, 80, 24);
    let (x, y) = find(&buf, "! Could not read").unwrap();
    assert!(
        buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
    assert_eq!(buf[(x, y)].fg, ratatui::style::Color::Reset);
}

#[test]
fn tiny_terminals_do_not_panic() {
    let theme = theme();
    for (_, m) in scenes() {
        for (w, h) in [(1, 1), (20, 5), (40, 10), (79, 23)] {
            render(&m, &theme, w, h);
        }
    }
}

#[test]
fn transfer_checks_are_green_when_fine_and_in_the_warning_colour_when_not() {
    let theme = theme();
    let scenes = scenes();
    let get = |n: &str| &scenes.iter().find(|(name, _)| *name == n).unwrap().1;
    for (w, h) in SIZES {
        let buf = render(get("transfer_preview"), &theme, w, h);
        // The recipient is shown in groups of four to compare by eye.
        for needle in ["✓ watched: 5FHn eW46", "✓ Keeps the existential deposit"] {
            let (x, y) = find(&buf, needle).unwrap_or_else(|| panic!("`{needle}` not drawn"));
            assert_eq!(buf[(x, y)].fg, theme.positive, "{needle} at {w}x{h}");
        }
        let buf = render(get("transfer_bad_address"), &theme, w, h);
        let (x, y) = find(&buf, "! `5bad0a").unwrap();
        assert_eq!(buf[(x, y)].fg, theme.warning, "bad address at {w}x{h}");
        // The picker's selected row is drawn in the selection style.
        let buf = render(get("move_picker"), &theme, w, h);
        let (x, y) = find(&buf, "▸ Validator 0009").unwrap();
        assert_eq!(buf[(x, y)].bg, theme.selection_bg);
    }
}

#[test]
fn hidden_balances_leave_no_amount_on_any_screen() {
    let theme = theme();
    for screen in [Screen::Portfolio, Screen::Network, Screen::Validators] {
        let mut m = loaded();
        m.screen = screen;
        if screen == Screen::Portfolio {
            with_journal(&mut m, journal(5, 64, 3 * 3_600));
        }
        let shown = text(&render(&m, &theme, 120, 40));
        m.prefs.hide_balances = true;
        let hidden = text(&render(&m, &theme, 120, 40));
        assert!(shown.contains(" τ"), "{screen:?} shows amounts:\n{shown}");
        assert!(hidden.contains("••• τ"), "{screen:?} masked:\n{hidden}");
        assert_eq!(
            taotui::privacy::mask_amounts(&hidden),
            hidden,
            "{screen:?}: an amount is still readable:\n{hidden}"
        );
    }
    // The transfer form's figures and the typed amount too.
    let mut m = transfer_confirmed("1.5");
    m.prefs.hide_balances = true;
    let hidden = text(&render(&m, &theme, 120, 40));
    assert!(!hidden.contains("1.5"), "{hidden}");
    assert_eq!(taotui::privacy::mask_amounts(&hidden), hidden, "{hidden}");
}

/// A watch-only wallet's transfer on the confirm step (it has no key here: `o` is its way).
fn watched_transfer_confirmed() -> Model {
    let mut m = loaded();
    m.screen = Screen::Wallets;
    for _ in 0..3 {
        char_key(&mut m, 'j');
    }
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
    m
}

/// A QR text `bytes` long (as the whole JSON file was before the compact text).
fn text_of(bytes: usize) -> String {
    let head = "{\"format\":\"taotui-unsigned-transaction\",\"pad\":\"";
    let pad = "x".repeat(bytes.saturating_sub(head.len() + 2));
    format!("{head}{pad}\"}}")
}

/// The compact QR text of a transfer as the app writes it (TAOTUI:U1:…): a call of 42 bytes, a local chain's
/// block numbers.
fn compact_transfer_text() -> String {
    use taotui::chain::offline::{Era, MetadataHashMode, UnsignedCall, UnsignedTx};
    let mut call = vec![5, 3, 0];
    call.extend_from_slice(&[0x8e; 32]);
    call.extend_from_slice(&[0x0b, 0x00, 0x20, 0x4a, 0xa9, 0xd1, 0x01]);
    let tx = UnsignedTx {
        format: taotui::chain::offline::UNSIGNED_FORMAT.to_owned(),
        version: 1,
        network: "local".to_owned(),
        genesis_hash: [0x45; 32],
        spec_name: "node-subtensor".to_owned(),
        spec_version: 293,
        transaction_version: 1,
        signer: BOB.to_owned(),
        crypto: "sr25519".to_owned(),
        nonce: 4,
        tip: 0,
        era: Era {
            birth_number: 1_000,
            birth_hash: [0x11; 32],
            period: 64,
        },
        metadata_hash: MetadataHashMode {
            mode: 1,
            digest: Some([0x22; 32]),
        },
        metadata_hash_refused: true,
        call: UnsignedCall {
            pallet: "Balances".to_owned(),
            name: "transfer_keep_alive".to_owned(),
            bytes: call,
        },
        description: Vec::new(),
        mev_shield: String::new(),
        preview: serde_json::Value::Null,
    };
    taotui::chain::offline::compact::unsigned_text(&tx).unwrap()
}

/// A written unsigned file whose QR code carries `qr_data`.
fn offline_file(qr_data: String) -> taotui::action::OfflineFile {
    taotui::action::OfflineFile {
        path: "/home/u/.local/share/taotui/offline/20231114T221320Z-Balances.transfer_keep_alive.unsigned.json"
            .to_owned(),
        call: "Balances.transfer_keep_alive".to_owned(),
        signer: BOB.to_owned(),
        nonce: 4,
        valid_until: 1_064,
        qr_data,
        notes: vec!["not shielded: this call is not a stake trade".to_owned()],
    }
}

#[test]
fn the_qr_code_is_drawn_whole_where_it_fits_and_a_sentence_says_why_not_elsewhere() {
    let theme = theme();
    let mut small = loaded();
    small.modal = Some(Modal::OfflineWritten(Box::new(offline_file(
        compact_transfer_text(),
    ))));
    // 120x40 holds the compact text's code whole, beside the text; 80x24 does not, and says what it needs.
    let big = render(&small, &theme, 120, 40);
    let drawn = text(&big);
    assert!(drawn.contains('▀') || drawn.contains('▄'), "{drawn}");
    assert!(!drawn.contains("The QR code needs"), "{drawn}");
    // Every row of the code is there, uncut.
    let rows =
        taotui::ui::widgets::qr::transaction_qr_rows(compact_transfer_text().as_bytes()).unwrap();
    for row in &rows {
        assert!(drawn.contains(row.as_str()), "{row}\n{drawn}");
    }
    let cramped = text(&render(&small, &theme, 80, 24));
    assert!(cramped.contains("The QR code needs"), "{cramped}");
    assert!(!cramped.contains('▀'), "{cramped}");
    // Past what one QR code holds: the sentence, and the path still shown.
    let mut huge = loaded();
    huge.modal = Some(Modal::OfflineWritten(Box::new(offline_file(text_of(
        4_000,
    )))));
    let drawn = text(&render(&huge, &theme, 120, 40));
    assert!(
        drawn.contains("The unsigned transaction is 4000 bytes, more than one QR code holds (2953"),
        "{drawn}"
    );
    assert!(drawn.contains("20231114T221320Z-Balances"), "{drawn}");
    // Hidden amounts hide the code that carries them.
    small.prefs.hide_balances = true;
    let drawn = text(&render(&small, &theme, 120, 40));
    assert!(!drawn.contains('▀'), "{drawn}");
    assert!(
        drawn.contains("The QR code is hidden while amounts are"),
        "{drawn}"
    );
    // Its sentence is a warning.
    let buf = render(&huge, &theme, 120, 40);
    let (x, y) = find(&buf, "4000 bytes").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.warning().fg.unwrap());
}

/// The History screen's submit dialog on its confirm step, with a checked signed transfer.
fn submit_confirmed() -> Model {
    let mut m = loaded();
    m.screen = Screen::History;
    char_key(&mut m, 's');
    type_text(&mut m, "/media/usb/t.signed.json");
    let effects = enter(&mut m);
    if let [Effect::OpenSigned { id, .. }] = effects.as_slice() {
        update(
            &mut m,
            Action::SignedOpened {
                id: *id,
                result: Ok(taotui::action::SignedFileView {
                    path: "/media/usb/t.signed.json".to_owned(),
                    call: "Balances.transfer_keep_alive".to_owned(),
                    lines: vec![
                        ("call".to_owned(), "Balances.transfer_keep_alive".to_owned()),
                        ("dest".to_owned(), CHARLIE.to_owned()),
                        ("value".to_owned(), "1.25 τ".to_owned()),
                    ],
                    signer: BOB.to_owned(),
                    nonce: 4,
                    valid_until: 1_064,
                    notes: vec!["not shielded: this call is not a stake trade".to_owned()],
                }),
            },
        );
    }
    m
}

#[test]
fn a_pasted_signature_is_shown_short_with_the_unsigned_file_it_names() {
    let theme = theme();
    let sig = taotui::chain::offline::compact::CompactSignature {
        crypto: taotui_keystore::derive::CryptoType::Sr25519,
        metadata_hash_mode: 0,
        signature: [7; 64],
        binding: [1; 8],
    }
    .text();
    let mut m = loaded();
    m.screen = Screen::History;
    char_key(&mut m, 's');
    update(&mut m, Action::Paste(format!("{sig}\n")));
    let effects = enter(&mut m);
    let [Effect::OpenSigned { id, path }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(path, &sig);
    update(
        &mut m,
        Action::SignedOpened {
            id: *id,
            result: Ok(taotui::action::SignedFileView {
                path: sig.clone(),
                call: "Balances.transfer_keep_alive".to_owned(),
                lines: vec![("value".to_owned(), "1.25 τ".to_owned())],
                signer: BOB.to_owned(),
                nonce: 4,
                valid_until: 1_064,
                notes: vec![
                    "the signature is for the unsigned transaction in /d/offline/x.unsigned.json"
                        .to_owned(),
                ],
            }),
        },
    );
    for (w, h) in [(80, 24), (120, 40)] {
        let drawn = text(&render(&m, &theme, w, h));
        assert!(drawn.contains("Signature"), "{drawn}");
        assert!(drawn.contains(&format!("{}…", &sig[..24])), "{drawn}");
        // The whole text is not drawn as a file name.
        assert!(!drawn.contains(&sig[..40]), "{drawn}");
        assert!(drawn.contains("/d/offline/x.unsigned.json"), "{drawn}");
    }
}

#[test]
fn a_sends_outcome_is_masked_while_amounts_are_hidden() {
    let theme = theme();
    let mut m = loaded();
    m.screen = Screen::Portfolio;
    char_key(&mut m, 'u');
    type_text(&mut m, "1");
    enter_and_preview(&mut m);
    enter(&mut m);
    let id = match enter(&mut m).first() {
        Some(Effect::SubmitStake { id, .. }) => *id,
        _ => panic!(),
    };
    update(
        &mut m,
        Action::TxDone {
            id,
            result: Ok("Unstaked 1.0000 α for 0.0498 τ in block #121.".to_owned()),
        },
    );
    let shown = render(&m, &theme, 120, 40);
    assert!(find(&shown, "0.0498 τ").is_some(), "{}", text(&shown));
    m.prefs.hide_balances = true;
    let hidden = render(&m, &theme, 120, 40);
    assert!(find(&hidden, "0.0498").is_none(), "{}", text(&hidden));
    assert!(find(&hidden, "block #121").is_some(), "{}", text(&hidden));
}

/// The fault matrix and users alike rely on the help saying how to close it, scrolled or not.
#[test]
fn the_help_says_how_to_close_it_at_every_size_and_scroll() {
    let theme = theme();
    let helps: Vec<_> = scenes()
        .into_iter()
        .filter(|(name, _)| name.starts_with("dialog_help"))
        .collect();
    assert!(helps.len() >= 4, "{}", helps.len());
    for (name, m) in helps {
        for (w, h) in SIZES {
            let buf = render(&m, &theme, w, h);
            assert!(
                find(&buf, "Esc, Enter or ? closes this").is_some(),
                "{name} at {w}x{h}:\n{}",
                text(&buf)
            );
        }
    }
}
