//! Terminal app speed: the first frame with 20 wallets on disk, a 1,000-row validator table,
//! and frames with 10,000 validators or 1,000 positions loaded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/common/ui_fixtures.rs"]
mod ui_fixtures;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taotui::model::{Model, Screen};
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::wallet::{KeyTarget, WalletRoot, WriteMode};
use ui_fixtures::*;

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
    let mut m = loaded_with(validator_count, position_count, 0);
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

/// A frame as the user sees it after a key: `update` (which may filter or re-sort every row) and then
/// `draw`, with 10,000 validators or 1,000 positions loaded. The frame budget (16 ms) covers both.
fn frames_after_keys(c: &mut Criterion) {
    use crossterm::event::KeyCode;
    use taotui::action::KeyPress;

    let theme = theme();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let frame = |terminal: &mut Terminal<TestBackend>, m: &Model| {
        terminal.draw(|f| taotui::ui::draw(f, m, &theme)).unwrap();
    };

    let mut m = loaded(10_000, 10, Screen::Validators);
    c.bench_function("key_and_frame_scroll_10000_validators", |b| {
        b.iter(|| {
            press(&mut m, KeyPress::plain(KeyCode::Down));
            frame(&mut terminal, &m);
        });
    });
    let mut m = loaded(10_000, 10, Screen::Validators);
    c.bench_function("key_and_frame_sort_10000_validators", |b| {
        b.iter(|| {
            char_key(&mut m, 's');
            frame(&mut terminal, &m);
        });
    });
    // Typing into the filter re-filters all rows on each key; a character and its erasure per
    // iteration keep the filter from running out of matches.
    let mut m = loaded(10_000, 10, Screen::Validators);
    char_key(&mut m, '/');
    c.bench_function("two_keys_and_frames_filter_10000_validators", |b| {
        b.iter(|| {
            char_key(&mut m, '5');
            frame(&mut terminal, &m);
            press(&mut m, KeyPress::plain(KeyCode::Backspace));
            frame(&mut terminal, &m);
        });
    });
    let mut m = loaded(10, 1_000, Screen::Portfolio);
    c.bench_function("key_and_frame_sort_1000_positions", |b| {
        b.iter(|| {
            char_key(&mut m, 's');
            frame(&mut terminal, &m);
        });
    });

    // A large terminal shows more rows, so more are built per frame.
    let mut big = Terminal::new(TestBackend::new(250, 70)).unwrap();
    let m = loaded(10_000, 10, Screen::Validators);
    c.bench_function("draw_validators_10000_rows_250x70", |b| {
        b.iter(|| {
            big.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
    let m = loaded(10, 1_000, Screen::Portfolio);
    c.bench_function("draw_portfolio_1000_positions_250x70", |b| {
        b.iter(|| {
            big.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
}

/// The Portfolio's value chart over a year of daily snapshots of 10 positions ("all"), and a range key
/// with its frame (the range slices precomputed values; nothing is recomputed per frame).
fn value_chart_frames(c: &mut Criterion) {
    let theme = theme();
    let mut m = loaded(10, 10, Screen::Portfolio);
    with_journal(&mut m, journal(10, 365, 86_400));
    m.value.range = taotui::model::value::Range::All;
    assert_eq!(m.value.times.len(), 365);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("draw_value_chart_year_daily_10_positions", |b| {
        b.iter(|| {
            terminal.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
    let mut big = Terminal::new(TestBackend::new(250, 70)).unwrap();
    c.bench_function("draw_value_chart_year_daily_10_positions_250x70", |b| {
        b.iter(|| {
            big.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
    c.bench_function("key_and_frame_value_range_year_daily", |b| {
        b.iter(|| {
            char_key(&mut m, ']');
            terminal.draw(|f| taotui::ui::draw(f, &m, &theme)).unwrap();
        });
    });
    // Loading the year (values computed once per snapshot and position).
    let year = journal(10, 365, 86_400);
    c.bench_function("load_value_journal_year_daily_10_positions", |b| {
        b.iter(|| {
            let mut s = taotui::model::value::ValueState::default();
            s.set_snapshots(year.clone());
            s
        });
    });
}

criterion_group!(tui, benches, frames_after_keys, value_chart_frames);
criterion_main!(tui);
