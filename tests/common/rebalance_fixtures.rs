//! The rebalance dialog driven by keys, and the worker's batch preview answered with fixed figures (for
//! tests/ui_update.rs and tests/ui_snapshots.rs; included with `#[path]` after ui_fixtures.rs).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::KeyCode;
use taotui::action::{Action, BatchPreview, Effect, KeyPress, LegFigures};
use taotui::model::rebalance::Rebalance;
use taotui::model::{Modal, Model, Screen, update};

use super::ui_fixtures::*;

/// The loaded model on the Portfolio with its two largest positions marked (SN2 and SN1, by value).
pub fn marked_model() -> Model {
    let mut m = loaded_with(5, 3, 0);
    m.screen = Screen::Portfolio;
    char_key(&mut m, ' ');
    char_key(&mut m, ' ');
    m
}

pub fn dialog(m: &Model) -> &Rebalance {
    match &m.modal {
        Some(Modal::Rebalance(r)) => r,
        other => panic!("no rebalance dialog: {other:?}"),
    }
}

pub fn right(m: &mut Model) -> Vec<Effect> {
    press(m, KeyPress::plain(KeyCode::Right))
}

pub fn down(m: &mut Model) -> Vec<Effect> {
    press(m, KeyPress::plain(KeyCode::Down))
}

/// `b` on the marked model, then: unstake 10 α of the first position, move all of the second to the first
/// validator the picker lists on its subnet (read for it: `validators(5, 1)`).
pub fn rebalance_filled() -> Model {
    let mut m = marked_model();
    char_key(&mut m, 'b');
    right(&mut m);
    right(&mut m);
    type_text(&mut m, "10");
    down(&mut m);
    for _ in 0..3 {
        right(&mut m);
    }
    let effects = tab(&mut m);
    answer_picker_list(&mut m, &effects, 1);
    enter(&mut m);
    m
}

/// Answers the picker's validator read with `validators(5, netuid)`.
pub fn answer_picker_list(m: &mut Model, effects: &[Effect], netuid: u16) {
    for e in effects {
        if let Effect::FetchValidators { id, netuid: n } = e {
            assert_eq!(*n, netuid);
            update(
                m,
                Action::ValidatorsLoaded {
                    id: *id,
                    netuid,
                    fetched_at: NOW,
                    result: Ok(validators(5, netuid)),
                },
            );
        }
    }
}

/// Answers the batch preview the effects asked for with fixed figures per leg and `refusals`.
pub fn answer_batch(m: &mut Model, effects: &[Effect], refusals: Vec<String>) {
    let [Effect::PreviewBatch { id, request }] = effects else {
        panic!("one batch preview: {effects:?}")
    };
    let legs: Vec<LegFigures> = request
        .legs
        .iter()
        .enumerate()
        .map(|(i, leg)| match leg.kind {
            taotui::action::StakeKind::Unstake => LegFigures {
                call: "SubtensorModule.remove_stake_limit".to_owned(),
                tao_received: 4_975_124_378,
                alpha_sold: leg.amount,
                price_impact_bps: 12,
                limit_price: Some(497_500_000),
                tolerance_bps: Some(leg.tolerance_bps),
                refused: refusals
                    .iter()
                    .any(|r| r.starts_with(&format!("Leg {}:", i + 1))),
                ..LegFigures::default()
            },
            _ => LegFigures {
                call: "SubtensorModule.move_stake".to_owned(),
                alpha_sold: 110_000_000_000,
                alpha_received: 110_000_000_000,
                refused: refusals
                    .iter()
                    .any(|r| r.starts_with(&format!("Leg {}:", i + 1))),
                ..LegFigures::default()
            },
        })
        .collect();
    let tao_received = legs.iter().map(|l| l.tao_received).sum();
    update(
        m,
        Action::BatchPreviewed {
            id: *id,
            result: Ok(BatchPreview {
                call: "Utility.batch_all".to_owned(),
                parts: request.legs.len().div_ceil(16),
                legs,
                fee: 123_456,
                tao_spent: 0,
                tao_received,
                shield: "not shielded: this runtime has no MevShield".to_owned(),
                signed_by: None,
                refusals,
                warnings: Vec::new(),
            }),
        },
    );
}
