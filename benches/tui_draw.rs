//! Terminal app speed: the first frame with 20 wallets on disk, a 1,000-row validator table,
//! and frames with 10,000 validators or 1,000 positions loaded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/ui_support/mod.rs"]
mod ui_support;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taotui::action::{Action, Effect};
use taotui::model::{Model, Screen, update};
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::wallet::{KeyTarget, WalletRoot, WriteMode};
use ui_support::*;

fn wallets_on_disk(n: usize) -> (tempfile::TempDir, WalletRoot) {
    let dir = tempfile::tempdir().unwrap();
    let root = WalletRoot::new(dir.path());
    for i in 0..n {
        let w = root.wallet(&format!("wallet{i:02}")).unwrap();
        let cold = Keypair::from_seed(&[i as u8; 32], CryptoType::Sr25519);
        w.write_watch_only(
            &cold.public_key(),
            CryptoType::Sr25519,
            WriteMode::CreateNew,
        )
        .unwrap();
        let hot = Keypair::from_seed(&[100 + i as u8; 32], CryptoType::Sr25519);
        w.write_key(
            &KeyTarget::Hotkey("default".to_owned()),
            &hot,
            None,
            WriteMode::CreateNew,
        )
        .unwrap();
    }
    (dir, root)
}

fn loaded(validator_count: usize, position_count: usize, screen: Screen) -> Model {
    let mut m = model();
    with_wallets(&mut m, wallets());
    for e in connect(&mut m) {
        match e {
            Effect::FetchSubnets { id } => {
                update(
                    &mut m,
                    Action::SubnetsLoaded {
                        id,
                        fetched_at: NOW,
                        result: Ok(subnets()),
                    },
                );
            }
            Effect::FetchPositions { id, .. } => {
                update(
                    &mut m,
                    Action::PositionsLoaded {
                        id,
                        fetched_at: NOW,
                        result: Ok(positions(position_count)),
                    },
                );
            }
            Effect::FetchValidators { id, .. } => {
                update(
                    &mut m,
                    Action::ValidatorsLoaded {
                        id,
                        netuid: 0,
                        fetched_at: NOW,
                        result: Ok(validators(validator_count, 0)),
                    },
                );
            }
            _ => {}
        }
    }
    m.screen = screen;
    m
}

fn benches(c: &mut Criterion) {
    let theme = theme();
    let (_dir, root) = wallets_on_disk(20);
    c.bench_function("first_frame_20_wallets_on_disk", |b| {
        b.iter(|| {
            let mut m = model();
            let entries = taotui::worker::scan_wallets(&root).unwrap();
            assert_eq!(entries.len(), 20);
            with_wallets(&mut m, entries);
            m.screen = Screen::Wallets;
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        })
    });

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let m = loaded(1_000, 10, Screen::Validators);
    c.bench_function("draw_validators_1000_rows", |b| {
        b.iter(|| {
            terminal.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
    let m = loaded(10_000, 10, Screen::Validators);
    c.bench_function("draw_validators_10000_rows", |b| {
        b.iter(|| {
            terminal.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
    let m = loaded(10, 1_000, Screen::Portfolio);
    c.bench_function("draw_portfolio_1000_positions", |b| {
        b.iter(|| {
            terminal.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
}

criterion_group!(tui, benches);
criterion_main!(tui);
