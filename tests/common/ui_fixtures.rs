//! Fixed data and helpers for the UI tests and the draw bench: no clocks, paths or random
//! mnemonics, so the snapshots are the same on every machine. Included with `#[path]` by
//! tests/ui_update.rs, tests/ui_snapshots.rs and benches/tui_draw.rs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use taotui::action::{Action, Connection, Effect, KeyPress, RequestId};
use taotui::amount::{AlphaRao, Mechanism, Price, Rao};
use taotui::chain::apy::Halving;
use taotui::chain::queries::{
    AccountBalance, AccountId, NetworkOverview, PositionView, SubnetView, ValidatorView,
};
use taotui::config::keymap::Keymap;
use taotui::config::theme::Theme;
use taotui::model::wallets::{KeyEntry, WalletEntry};
use taotui::model::{Model, Prefs, update};
use taotui::risk::DeregStanding;
use taotui_keystore::mnemonic::Mnemonic;
use taotui_keystore::wallet::KeyFormat;

/// A fixed "now": 2023-11-14.
pub const NOW: u64 = 1_700_000_000;
/// The well-known Substrate development phrase (never holds real funds).
pub const DEV_PHRASE: &str =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
pub const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
pub const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
pub const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

pub fn dev_mnemonic() -> Mnemonic {
    Mnemonic::parse(DEV_PHRASE).unwrap()
}

pub fn account(ss58: &str) -> AccountId {
    AccountId::from_ss58(ss58).unwrap()
}

pub fn tao(whole: u64) -> Rao {
    Rao(whole * 1_000_000_000)
}

pub fn alpha(whole: u64) -> AlphaRao {
    AlphaRao(whole * 1_000_000_000)
}

pub fn model() -> Model {
    let mut m = Model::new(Keymap::default(), Prefs::default());
    m.now = NOW;
    m
}

pub fn theme() -> Theme {
    Theme::builtin("default").unwrap()
}

pub fn press(m: &mut Model, key: KeyPress) -> Vec<Effect> {
    update(m, Action::Key(key))
}

pub fn char_key(m: &mut Model, c: char) -> Vec<Effect> {
    press(m, KeyPress::char(c))
}

pub fn enter(m: &mut Model) -> Vec<Effect> {
    press(m, KeyPress::plain(KeyCode::Enter))
}

pub fn esc(m: &mut Model) -> Vec<Effect> {
    press(m, KeyPress::plain(KeyCode::Esc))
}

pub fn tab(m: &mut Model) -> Vec<Effect> {
    press(m, KeyPress::plain(KeyCode::Tab))
}

pub fn type_text(m: &mut Model, text: &str) {
    for c in text.chars() {
        char_key(m, c);
    }
}

pub fn key_entry(name: &str, ss58: &str, format: KeyFormat) -> KeyEntry {
    KeyEntry {
        name: name.to_owned(),
        ss58: Some(ss58.to_owned()),
        format,
        problem: None,
    }
}

pub fn wallets() -> Vec<WalletEntry> {
    vec![
        WalletEntry {
            name: "alice".to_owned(),
            coldkey: Some(key_entry("coldkey", ALICE, KeyFormat::Native)),
            hotkeys: vec![key_entry("default", BOB, KeyFormat::Plain)],
        },
        WalletEntry {
            name: "btcli-wallet".to_owned(),
            coldkey: Some(key_entry("coldkey", CHARLIE, KeyFormat::Nacl)),
            hotkeys: Vec::new(),
        },
        WalletEntry {
            name: "watched".to_owned(),
            coldkey: Some(key_entry("coldkey", BOB, KeyFormat::PubOnly)),
            hotkeys: Vec::new(),
        },
    ]
}

/// Feeds the first scan's answer (the model asked for it in `init`).
pub fn with_wallets(m: &mut Model, entries: Vec<WalletEntry>) -> Vec<Effect> {
    let id = match m.init().first() {
        Some(Effect::ScanWallets { id }) => *id,
        _ => RequestId(0),
    };
    update(
        m,
        Action::WalletsScanned {
            id,
            result: Ok(entries),
        },
    )
}

pub fn connect(m: &mut Model) -> Vec<Effect> {
    update(
        m,
        Action::ConnectionChanged(Connection::Connected { spec_version: 293 }),
    )
}

pub fn subnets() -> Vec<SubnetView> {
    vec![
        SubnetView {
            netuid: 0,
            name: "root".to_owned(),
            symbol: "τ".to_owned(),
            tempo: 100,
            mechanism: Mechanism::Stable,
            tao_in: Rao(0),
            alpha_in: AlphaRao(0),
            alpha_out: AlphaRao(0),
            emission: Rao(0),
            price: Price::from_rao_per_alpha(1_000_000_000),
            registered_at: Some(0),
            age_blocks: Some(7_200 * 900),
            pool_tao: Some(Rao(0)),
            dereg: DeregStanding::Root,
        },
        SubnetView {
            netuid: 1,
            name: "apex".to_owned(),
            symbol: "α".to_owned(),
            tempo: 360,
            mechanism: Mechanism::Dynamic,
            tao_in: tao(10_000),
            alpha_in: alpha(200_000),
            alpha_out: alpha(300_000),
            emission: Rao(50_000_000),
            price: Price::from_reserves(tao(10_000), alpha(200_000)).unwrap(),
            registered_at: Some(1_000),
            age_blocks: Some(7_200 * 45),
            pool_tao: Some(tao(10_000)),
            dereg: DeregStanding::Ranked {
                rank: 7,
                of: 40,
                full: true,
            },
        },
    ]
}

pub fn validators(n: usize, netuid: u16) -> Vec<ValidatorView> {
    let hotkeys = [ALICE, BOB, CHARLIE];
    (0..n)
        .map(|i| ValidatorView {
            netuid,
            uid: u16::try_from(i % 65_535).unwrap(),
            hotkey: account(hotkeys[i % 3]),
            owner: account(hotkeys[(i + 1) % 3]),
            name: if i % 4 == 3 {
                None
            } else {
                Some(format!("Validator {i:04}"))
            },
            take: 11_796,
            total_stake: alpha(1_000 + (i as u64 * 37) % 5_000),
            nominators: Some(u32::try_from(i * 3 % 97).unwrap()),
            validator_permit: true,
            epoch_rate: Some(0.0004),
            apy: if i % 5 == 4 {
                None
            } else {
                Some(0.05 + (i % 10) as f64 / 100.0)
            },
            registered_at: Some(100 + i as u64),
            age_blocks: Some(7_200 * (i as u64 % 60 + 1)),
            immune: Some(false),
            stake_share_bps: Some(u32::try_from(10_000 / n.max(1)).unwrap()),
        })
        .collect()
}

pub fn positions(n: usize) -> (AccountBalance, Vec<PositionView>) {
    let hotkeys = [BOB, CHARLIE];
    // Every value is the alpha times its price, as the chain reads give it: root stake is TAO
    // (price 1), the subnets' alpha is worth 0.5 TAO.
    let list: Vec<PositionView> = (0..n)
        .map(|i| {
            let root = i % 3 == 0;
            let value = tao(50 + i as u64 * 5);
            PositionView {
                hotkey: account(hotkeys[i % 2]),
                hotkey_name: Some(format!("Validator {i:04}")),
                netuid: u16::try_from(i % 3).unwrap(),
                subnet_name: ["root", "apex", ""][i % 3].to_owned(),
                symbol: ["τ", "α", "β"][i % 3].to_owned(),
                alpha: AlphaRao(if root { value.get() } else { value.get() * 2 }),
                tao_value: value,
                locked: None,
                available: None,
                price: Price::from_rao_per_alpha(if root { 1_000_000_000 } else { 500_000_000 }),
                share_of_validator: Some(0.0123),
                epoch_rate: Some(0.0004),
                apy: if i % 3 == 2 { None } else { Some(0.1834) },
                daily_alpha: Some(AlphaRao(48_000_000)),
            }
        })
        .collect();
    let staked: u64 = list.iter().map(|p| p.tao_value.get()).sum();
    let balance = AccountBalance {
        coldkey: account(ALICE),
        free: Rao(1_234_567_890_123),
        reserved: Rao(0),
        frozen: Rao(0),
        staked_value: Rao(staked),
    };
    (balance, list)
}

pub fn overview() -> NetworkOverview {
    NetworkOverview {
        block: 5_123_456,
        timestamp_ms: 1_699_999_000_000,
        block_emission: Rao(1_000_000_000),
        total_issuance: tao(8_400_000),
        total_stake: tao(6_100_000),
        subnet_count: 64,
        halving: Some(Halving {
            threshold: tao(10_500_000),
            remaining: tao(2_100_000),
            blocks: 2_100_000,
            block: 7_223_456,
            timestamp_ms: 1_725_199_000_000,
        }),
    }
}

/// A connected model with the wallets, the subnets, `validator_count` root validators,
/// `position_count` positions and the overview answered (read `age` seconds before `NOW`).
pub fn loaded_with(validator_count: usize, position_count: usize, age: u64) -> Model {
    let mut m = model();
    with_wallets(&mut m, wallets());
    for e in connect(&mut m) {
        let fetched_at = NOW - age;
        let action = match e {
            Effect::FetchSubnets { id } => Action::SubnetsLoaded {
                id,
                fetched_at: NOW,
                result: Ok(subnets()),
            },
            Effect::FetchPositions { id, .. } => Action::PositionsLoaded {
                id,
                fetched_at,
                result: Ok(positions(position_count)),
            },
            Effect::FetchValidators { id, .. } => Action::ValidatorsLoaded {
                id,
                netuid: 0,
                fetched_at,
                result: Ok(validators(validator_count, 0)),
            },
            Effect::FetchOverview { id } => Action::OverviewLoaded {
                id,
                fetched_at,
                result: Ok(overview()),
            },
            _ => continue,
        };
        update(&mut m, action);
    }
    m
}

/// Draws the model into a test terminal of `w` x `h`.
pub fn render(m: &Model, theme: &Theme, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| taotui::ui::draw(f, m, theme)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Positions (x, y) where `needle` starts in the rendered text.
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let mut line = String::new();
        let mut xs = Vec::new();
        for x in 0..area.width {
            let s = buf[(x, y)].symbol();
            for _ in s.chars() {
                xs.push(x);
            }
            line.push_str(s);
        }
        if let Some(byte) = line.find(needle) {
            let idx = line[..byte].chars().count();
            return Some((xs[idx], y));
        }
    }
    None
}

/// Answers the chain preview the dialog asked for, if it asked, with the call and rows the
/// worker shows for that kind of request.
pub fn answer_preview(m: &mut Model, effects: &[Effect], refusals: Vec<String>) {
    let coded = refusals
        .into_iter()
        .map(|r| ("insufficient_balance".to_owned(), r))
        .collect();
    answer_preview_coded(m, effects, coded, false);
}

/// The CLI sentence the chain layer gives a trade past the tolerance.
pub const CLI_BEYOND_TOLERANCE: &str = "This trade alone moves the price by 9.93 % (from 0.100000 to 0.109930), past the limit of 0.100500 that the 0.5% tolerance allows; raise --tolerance, allow a partial fill with --partial, or use a smaller amount.";

/// Like [`answer_preview`], the refusals with their codes, and the tolerance and partial-fill
/// rows the worker adds for a limit call (from the request, as the chain layer plans it).
pub fn answer_limit_preview(m: &mut Model, effects: &[Effect], refusals: Vec<(&str, &str)>) {
    let coded = refusals
        .into_iter()
        .map(|(c, r)| (c.to_owned(), r.to_owned()))
        .collect();
    answer_preview_coded(m, effects, coded, true);
}

fn answer_preview_coded(
    m: &mut Model,
    effects: &[Effect],
    refusals: Vec<(String, String)>,
    limit_rows: bool,
) {
    use taotui::action::StakeKind;
    for e in effects {
        if let Effect::PreviewStake { id, request } = e {
            let (call, rows) = match request.kind {
                StakeKind::Stake | StakeKind::Transfer => (
                    "SubtensorModule.add_stake_limit",
                    [
                        ("You pay", "10.000000 TAO"),
                        ("You receive ≈", "199.401234 α"),
                    ],
                ),
                StakeKind::Unstake => (
                    "SubtensorModule.remove_stake_limit",
                    [
                        ("You sell", "1.000000 α"),
                        ("You receive ≈", "0.049875 TAO"),
                    ],
                ),
                StakeKind::Move => (
                    "SubtensorModule.move_stake",
                    [("Moved", "2.500000 α"), ("Arrives ≈", "2.500000 α")],
                ),
                StakeKind::Swap => (
                    "SubtensorModule.swap_stake_limit",
                    [("Moved", "2.500000 α"), ("Arrives ≈", "0.124626 α")],
                ),
                StakeKind::TransferStake => (
                    "SubtensorModule.transfer_stake",
                    [("Sent", "2.500000 α"), ("Arrives ≈", "2.492500 α")],
                ),
            };
            let mut rows: Vec<(String, String)> = rows
                .iter()
                .map(|(l, v)| ((*l).to_owned(), (*v).to_owned()))
                .collect();
            rows.insert(0, ("Fee".to_owned(), "0.000123 TAO".to_owned()));
            if limit_rows {
                let t = request.tolerance_bps;
                rows.push((
                    "Tolerance".to_owned(),
                    format!("{}.{:02}%", t / 100, t % 100),
                ));
                rows.push((
                    "Partial fill".to_owned(),
                    if request.allow_partial {
                        "allowed"
                    } else {
                        "not allowed"
                    }
                    .to_owned(),
                ));
            }
            update(
                m,
                Action::StakePreviewed {
                    id: *id,
                    result: Ok(taotui::action::ChainPreview {
                        call: call.to_owned(),
                        rows,
                        refusals: refusals.iter().map(|(_, r)| r.clone()).collect(),
                        refusal_codes: refusals.iter().map(|(c, _)| c.clone()).collect(),
                        warnings: Vec::new(),
                        facts: Default::default(),
                    }),
                },
            );
        }
    }
}

/// Enter on the amount, with the chain's preview answered.
pub fn enter_and_preview(m: &mut Model) -> Vec<Effect> {
    let effects = enter(m);
    answer_preview(m, &effects, Vec::new());
    effects
}

/// The balance facts a transfer quote carries: 1,234.567890123 TAO spendable, a 0.000000500
/// TAO existential deposit, a 0.000125 TAO fee, and the recipient's balance.
pub fn transfer_facts(sent: u64, dest_free: u64) -> taotui::action::PreviewFacts {
    taotui::action::PreviewFacts {
        fee: 125_000,
        spendable: 1_234_567_890_123,
        existential_deposit: 500,
        tao_spent: sent,
        dest_free: Some(dest_free),
    }
}

/// A tick: the transfer form asks for a quote once its inputs settled; answers it with `facts`.
pub fn tick_and_quote(m: &mut Model, facts: taotui::action::PreviewFacts) -> Vec<Effect> {
    let effects = update(m, Action::Tick(NOW));
    for e in &effects {
        if let Effect::QuoteStake { id, .. } = e {
            update(
                m,
                Action::StakeQuoted {
                    id: *id,
                    result: Ok(taotui::action::ChainPreview {
                        call: "Balances.transfer_keep_alive".to_owned(),
                        facts,
                        ..Default::default()
                    }),
                },
            );
        }
    }
    effects
}

/// Answers the preview a transfer asked for with the rows the worker shows for a transfer.
pub fn answer_transfer_preview(
    m: &mut Model,
    effects: &[Effect],
    call: &str,
    refusals: Vec<String>,
) {
    for e in effects {
        if let Effect::PreviewStake { id, request } = e {
            let sent = if request.all {
                1_234_567_890_123 - 500 - 125_000
            } else {
                request.amount
            };
            let tao = |r: u64| {
                format!(
                    "{} TAO",
                    Rao(r).format_tao(9, taotui::amount::Rounding::Down)
                )
            };
            update(
                m,
                Action::StakePreviewed {
                    id: *id,
                    result: Ok(taotui::action::ChainPreview {
                        call: call.to_owned(),
                        rows: vec![
                            ("Fee".to_owned(), tao(125_000)),
                            (
                                "To".to_owned(),
                                request.destination.clone().unwrap_or_default(),
                            ),
                            ("You send".to_owned(), tao(sent)),
                            ("Recipient gets".to_owned(), tao(sent)),
                            (
                                "Balance after".to_owned(),
                                tao(1_234_567_890_123 - sent - 125_000),
                            ),
                            (
                                "Exist. deposit".to_owned(),
                                format!("{} stays (keep-alive)", tao(500)),
                            ),
                        ]
                        .into_iter()
                        .chain(
                            request
                                .all
                                .then(|| ("keep_alive".to_owned(), "true".to_owned())),
                        )
                        .collect(),
                        refusal_codes: vec!["insufficient_balance".to_owned(); refusals.len()],
                        refusals: refusals.clone(),
                        warnings: Vec::new(),
                        facts: transfer_facts(sent, 0),
                    }),
                },
            );
        }
    }
}

/// Answers the validator list the move picker asked for.
pub fn answer_picker(m: &mut Model, effects: &[Effect], list: Vec<ValidatorView>) {
    for e in effects {
        if let Effect::FetchValidators { id, netuid } = e {
            update(
                m,
                Action::ValidatorsLoaded {
                    id: *id,
                    netuid: *netuid,
                    fetched_at: NOW,
                    result: Ok(list.clone()),
                },
            );
        }
    }
}

/// A value journal matching `positions(n)`: `count` snapshots `step` seconds apart ending at `NOW`;
/// alpha grows by 0.01 per snapshot (rewards) and the subnet price wanders by up to 3 %.
pub fn journal(n: usize, count: u64, step: u64) -> Vec<taotui::journal::Snapshot> {
    let (balance, list) = positions(n);
    (0..count)
        .map(|i| taotui::journal::Snapshot {
            block: 4_000_000 + i * (step / 12).max(1),
            time: NOW - (count - 1 - i) * step,
            free: balance.free.get(),
            positions: list
                .iter()
                .map(|p| {
                    let root = p.netuid == 0;
                    let wobble = (i * 7 + u64::from(p.netuid)) % 13;
                    taotui::journal::PositionEntry {
                        hotkey: p.hotkey.ss58(),
                        netuid: p.netuid,
                        alpha: p.alpha.get() - (count - 1 - i) * 10_000_000,
                        price: if root {
                            Price::ONE
                        } else {
                            Price::from_rao_per_alpha(485_000_000 + wobble * 2_500_000)
                        },
                    }
                })
                .collect(),
        })
        .collect()
}

/// Opens the Portfolio's value view (`v`) and answers the journal read with `snapshots`.
pub fn with_journal(m: &mut Model, snapshots: Vec<taotui::journal::Snapshot>) -> Vec<Effect> {
    m.screen = taotui::model::Screen::Portfolio;
    let effects = char_key(m, 'v');
    let Some((id, coldkey)) = effects.iter().find_map(|e| match e {
        Effect::LoadJournal { id, coldkey } => Some((*id, coldkey.clone())),
        _ => None,
    }) else {
        return effects;
    };
    update(
        m,
        Action::JournalLoaded {
            id,
            coldkey,
            result: Ok(snapshots),
        },
    )
}

/// What `positions(n)` earned over a range: position i earned (i+1)/10 alpha, worth half that in TAO on
/// subnets (price 0.5) and the same on root; the price cost the subnets 0.01 TAO each.
pub fn earnings_report(n: usize, range: &str) -> Box<taotui::chain::earnings::EarningsReport> {
    use taotui::chain::earnings::{EarningsReport, End, PositionEarnings, Totals};
    let (_, list) = positions(n);
    let end = End {
        block: 4_000_000,
        hash: [1; 32],
        timestamp_ms: NOW * 1000,
    };
    Box::new(EarningsReport {
        coldkey: format!("0x{}", hex::encode(account(ALICE).0)),
        range: range.to_owned(),
        start: End {
            block: 3_950_000,
            ..end
        },
        end,
        positions: list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let earned = (i as i128 + 1) * 100_000_000;
                let root = p.netuid == 0;
                let reward = if root { earned } else { earned / 2 };
                PositionEarnings {
                    hotkey: format!("0x{}", hex::encode(p.hotkey.0)),
                    netuid: p.netuid,
                    alpha_start: p.alpha.get() - earned as u64,
                    alpha_end: p.alpha.get(),
                    own_alpha: 0,
                    earned_alpha: earned,
                    price_start_rao: None,
                    price_end_rao: None,
                    value_start: p.tao_value.get() - reward as u64,
                    value_end: p.tao_value.get(),
                    net_tao_in: 0,
                    reward_tao: reward,
                    price_effect_tao: if root { 0 } else { -10_000_000 },
                }
            })
            .collect(),
        total: Totals::default(),
        events: Vec::new(),
        requests: 0,
        blocks_read: 2,
        notes: Vec::new(),
    })
}

/// Alice's chain history of blocks #1000 to #1500, merged and newest first: a stake she sent from here (the
/// chain's line, matched with the local record), a local record the chain does not show (it failed), a transfer
/// in and a fee.
pub fn chain_history() -> Box<taotui::history_merge::MergedHistory> {
    use taotui::chain::account_history::{AccountEvent, EventKind};
    use taotui::chain::history::{HistoryRecord, TxStatus};
    use taotui::history_merge::{MergedEntry, MergedHistory};
    let event = |block: u64, kind: EventKind, hash: &str| AccountEvent {
        block,
        block_hash: format!("0x{block:064x}"),
        // 12 s blocks from 2023-11-14T22:13:20Z (NOW) back.
        timestamp_ms: (NOW - (1500 - block) * 12) * 1000,
        extrinsic_index: Some(2),
        extrinsic_hash: Some(hash.to_owned()),
        kind,
        netuid: None,
        hotkey: None,
        alpha: None,
        tao: None,
        fee: None,
        counterparty: None,
    };
    let local = |hash: &str, call: &str, status: TxStatus, block: Option<u64>| HistoryRecord {
        hash: hash.to_owned(),
        call: call.to_owned(),
        coldkey: ALICE.to_owned(),
        network: "local".to_owned(),
        status,
        time: NOW - 100,
        details: serde_json::Map::new(),
        block_hash: None,
        block_number: block,
        valid_until: None,
        error: None,
    };
    let staked = AccountEvent {
        netuid: Some(1),
        hotkey: Some(format!("0x{}", hex::encode(account(BOB).0))),
        alpha: Some(alpha(20).get()),
        tao: Some(tao(10).get()),
        fee: Some(50_000),
        ..event(1490, EventKind::StakeAdded, "0xaa")
    };
    let transfer = AccountEvent {
        tao: Some(tao(5).get()),
        counterparty: Some(format!("0x{}", hex::encode(account(CHARLIE).0))),
        ..event(1200, EventKind::TransferIn, "0xcc")
    };
    let fee = AccountEvent {
        fee: Some(125_000),
        ..event(1100, EventKind::Fee, "0xdd")
    };
    Box::new(MergedHistory {
        from_block: 1000,
        to_block: 1500,
        entries: vec![
            MergedEntry {
                source: "chain+local",
                event: Some(staked),
                local: Some(local(
                    "0xaa",
                    "SubtensorModule.add_stake_limit",
                    TxStatus::Finalized,
                    Some(1490),
                )),
            },
            MergedEntry {
                source: "local",
                event: None,
                local: Some(local(
                    "0xbb",
                    "SubtensorModule.remove_stake_limit",
                    TxStatus::Failed,
                    None,
                )),
            },
            MergedEntry {
                source: "chain",
                event: Some(transfer),
                local: None,
            },
            MergedEntry {
                source: "chain",
                event: Some(fee),
                local: None,
            },
        ],
    })
}
