//! A node that stalls must never hold the terminal app: a read in flight shows its age and Esc stops waiting for
//! it; a transaction being sent can be left to finish in the background, its outcome arriving as a notice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/ui_fixtures.rs"]
mod ui_fixtures;

use taotui::action::{Action, Effect, RequestId, TxProgress};
use taotui::model::stake::StakeStep;
use taotui::model::{Modal, Screen, update};
use ui_fixtures::*;

fn position_read(effects: &[Effect]) -> RequestId {
    let ids: Vec<RequestId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPositions { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 1, "one portfolio read: {effects:?}");
    ids[0]
}

fn tick(m: &mut taotui::model::Model, now: u64) -> Vec<Effect> {
    update(m, Action::Tick(now))
}

/// The portfolio on screen with a read in flight since `NOW`, nothing shown yet.
fn portfolio_waiting() -> (taotui::model::Model, RequestId) {
    let mut m = loaded_with(3, 0, 0);
    m.screen = Screen::Portfolio;
    m.portfolio.listing = Default::default();
    let id = position_read(&char_key(&mut m, 'r'));
    (m, id)
}

#[test]
fn a_read_in_flight_shows_its_age_once_it_is_more_than_a_moment() {
    let (mut m, _) = portfolio_waiting();
    let theme = theme();
    let screen = text(&render(&m, &theme, 120, 30));
    assert!(
        screen.contains("Reading positions from the chain"),
        "{screen}"
    );
    assert!(
        !screen.contains("Esc stops waiting"),
        "a fresh read is not worth a word: {screen}"
    );
    tick(&mut m, NOW + 17);
    let screen = text(&render(&m, &theme, 120, 30));
    assert!(
        screen.contains("Reading positions from the chain… 17 s (Esc stops waiting)"),
        "{screen}"
    );
}

#[test]
fn esc_stops_waiting_tells_the_worker_and_ignores_the_late_answer() {
    let (mut m, id) = portfolio_waiting();
    tick(&mut m, NOW + 40);
    let effects = esc(&mut m);
    assert!(
        matches!(effects.as_slice(), [Effect::Cancel { ids }] if ids == &vec![id]),
        "{effects:?}"
    );
    assert!(m.portfolio.listing.pending.is_none());
    let error = m.portfolio.listing.error.clone().unwrap();
    assert!(error.contains("stopped waiting after 40 s"), "{error}");
    assert!(error.contains("press r"), "{error}");
    // The stalled answer that finally comes is not shown as fresh data.
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW + 90,
            result: Ok(positions(2)),
        },
    );
    assert!(m.portfolio.listing.data.is_none());
    // r asks again, as a new request.
    let again = position_read(&char_key(&mut m, 'r'));
    assert_ne!(again, id);
    assert!(m.portfolio.listing.error.is_some() && m.portfolio.listing.pending == Some(again));
}

#[test]
fn esc_with_nothing_in_flight_does_nothing() {
    let (mut m, id) = portfolio_waiting();
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW,
            result: Ok(positions(2)),
        },
    );
    assert!(esc(&mut m).is_empty());
    assert!(m.portfolio.listing.error.is_none());
}

#[test]
fn a_stuck_refresh_over_shown_data_says_so_and_can_be_stopped() {
    let mut m = loaded_with(3, 2, 0);
    m.screen = Screen::Network;
    let effects = char_key(&mut m, 'r');
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchOverview { id } => Some(*id),
            _ => None,
        })
        .expect("r reads the network figures");
    tick(&mut m, NOW + 8);
    let screen = text(&render(&m, &theme(), 120, 30));
    assert!(
        screen.contains("8 s (Esc stops waiting)"),
        "the age of the refresh is shown: {screen}"
    );
    let effects = esc(&mut m);
    assert!(matches!(effects.as_slice(), [Effect::Cancel { ids }] if ids == &vec![id]));
    assert!(
        m.network.overview.data.is_some(),
        "what was shown stays shown"
    );
}

/// A stake form that has been signed and is being sent (request `id`).
fn sending() -> (taotui::model::Model, RequestId) {
    let mut m = loaded_with(5, 3, 0);
    m.screen = Screen::Validators;
    enter(&mut m);
    type_text(&mut m, "10");
    let effects = enter(&mut m);
    answer_preview(&mut m, &effects, Vec::new());
    enter(&mut m);
    type_text(&mut m, "pw");
    let effects = enter(&mut m);
    let id = match effects.as_slice() {
        [Effect::SubmitStake { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    (m, id)
}

fn stake_step(m: &taotui::model::Model) -> Option<StakeStep> {
    match &m.modal {
        Some(Modal::Stake(s)) => Some(s.step),
        _ => None,
    }
}

#[test]
fn sending_shows_what_it_waits_for_and_how_long() {
    let (mut m, id) = sending();
    for p in [
        TxProgress::Submitted,
        TxProgress::Waiting("looking for the transaction in blocks #10..#12".into()),
        TxProgress::Waiting("looking for the transaction in blocks #10..#14".into()),
    ] {
        update(&mut m, Action::TxProgress { id, progress: p });
    }
    tick(&mut m, NOW + 75);
    let screen = text(&render(&m, &theme(), 120, 40));
    assert!(screen.contains("blocks #10..#14"), "{screen}");
    assert!(
        !screen.contains("blocks #10..#12"),
        "only the latest word on the search: {screen}"
    );
    assert!(
        screen.contains("75 s (Esc: keep watching in the background)"),
        "{screen}"
    );
}

#[test]
fn esc_while_sending_leaves_it_to_the_background_and_its_outcome_arrives_as_a_notice() {
    let (mut m, id) = sending();
    update(
        &mut m,
        Action::TxProgress {
            id,
            progress: TxProgress::Submitted,
        },
    );
    let effects = esc(&mut m);
    assert!(
        effects.is_empty(),
        "nothing is cancelled or sent again: {effects:?}"
    );
    assert!(m.modal.is_none(), "the form closed");
    assert_eq!(stake_step(&m), None);
    assert!(m.notice.as_ref().unwrap().text.contains("never sent twice"));
    let effects = update(
        &mut m,
        Action::TxDone {
            id,
            result: Err("the chain refused it: NotEnoughBalanceToStake".into()),
        },
    );
    let notice = m.notice.clone().unwrap();
    assert!(notice.error && notice.text.contains("NotEnoughBalanceToStake"));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadHistory { .. }))
    );
    assert!(m.background_txs.is_empty());
    // A second answer for the same request is not news.
    m.notice = None;
    update(
        &mut m,
        Action::TxDone {
            id,
            result: Ok("Done".into()),
        },
    );
    assert!(m.notice.is_none());
}

#[test]
fn after_a_reconnect_the_portfolio_follows_the_new_nodes_blocks_even_when_they_are_lower() {
    use taotui::action::Connection;
    let mut m = loaded_with(3, 2, 0);
    m.screen = Screen::Portfolio;
    let id = position_read(&update(&mut m, Action::NewBlock { number: 500 }));
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW,
            result: Ok(positions(2)),
        },
    );
    assert_eq!(m.portfolio.listing.block, Some(500));
    // The node restarts (or the app fails over to one that is behind): its head is #12.
    update(
        &mut m,
        Action::ConnectionChanged(Connection::Reconnecting { attempt: 1 }),
    );
    let id = position_read(&update(
        &mut m,
        Action::ConnectionChanged(Connection::Connected { spec_version: 293 }),
    ));
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW + 30,
            result: Ok(positions(2)),
        },
    );
    let id = position_read(&update(&mut m, Action::NewBlock { number: 12 }));
    update(
        &mut m,
        Action::PositionsLoaded {
            id,
            fetched_at: NOW + 31,
            result: Ok(positions(2)),
        },
    );
    assert_eq!(m.portfolio.listing.block, Some(12));
    position_read(&update(&mut m, Action::NewBlock { number: 13 }));
    assert_eq!(m.head, Some(13));
}
