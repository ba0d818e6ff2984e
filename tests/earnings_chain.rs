//! Earnings and account history on the real spec-293 runtime: a fresh nominator stakes, epochs pass (tempo 10 on
//! the dev chain, so dividends accrue every 11 blocks), it stakes more, unstakes part and receives a transfer. For
//! every range the report's earned alpha must equal what the chain paid, computed here independently: the
//! positions at both ends from the runtime API through subxt's own dynamic decoding (and checked against the
//! `Alpha` shares in storage), minus the account's own deltas from the blocks' events as subxt decodes them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::collections::BTreeMap;

use std::process::Command;
use std::time::Instant;

use common::chain_reads::{self, account32, number};
use common::fault_proxy::Proxy;
use common::world::{self, TAO};
use subxt::dynamic::{At, Value};
use subxt::{OnlineClient, SubstrateConfig};
use taotui::chain::account_history::EventKind;
use taotui::chain::earnings::{self, EarningsReport, Options, Since};
use taotui::chain::past::{PastError, PastReader};
use taotui::chain::past_cache::PastCache;
use taotui::chain::tx::{self, SubmitOptions, TxOutcome};
use taotui::cli::earnings_cmds::earnings_rows;
use taotui::export_csv::{parse_csv, to_csv};

type Positions = BTreeMap<([u8; 32], u16), u64>;

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
    amount: u64,
) -> subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>> {
    tx::call(
        "SubtensorModule",
        name,
        [
            tx::account_arg(hotkey),
            Value::u128(u128::from(netuid)),
            Value::u128(u128::from(amount)),
        ],
    )
}

/// The coldkey's positions at block `at` from `StakeInfoRuntimeApi` through subxt's dynamic runtime API call.
async fn api_positions(
    api: &OnlineClient<SubstrateConfig>,
    coldkey: [u8; 32],
    at: u64,
) -> Positions {
    let block = api.at_block(at).await.unwrap();
    let payload = subxt::dynamic::runtime_api_call::<_, Value>(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        (Value::from_bytes(coldkey),),
    );
    let list = block.runtime_apis().call(payload).await.unwrap();
    let mut out = Positions::new();
    let mut i = 0;
    while let Some(info) = list.at(i) {
        let hotkey = account32(info.at("hotkey").unwrap()).unwrap();
        let netuid = u16::try_from(number(info.at("netuid").unwrap())).unwrap();
        let stake = u64::try_from(number(info.at("stake").unwrap())).unwrap();
        *out.entry((hotkey, netuid)).or_default() += stake;
        i += 1;
    }
    out
}

/// The alpha from the `Alpha` shares in storage: shares × TotalHotkeyAlpha / TotalHotkeyShares.
async fn storage_alpha(
    api: &OnlineClient<SubstrateConfig>,
    coldkey: [u8; 32],
    (hotkey, netuid): ([u8; 32], u16),
    at: u64,
) -> u128 {
    let read = async |entry: &str, keys: Vec<Value>| -> u128 {
        let v = match keys.len() {
            3 => {
                chain_reads::read_at(
                    api,
                    Some(at),
                    "SubtensorModule",
                    entry,
                    (hotkey, coldkey, netuid),
                )
                .await
            }
            _ => {
                chain_reads::read_at(api, Some(at), "SubtensorModule", entry, (hotkey, netuid))
                    .await
            }
        };
        v.map_or(0, |v| number(&v))
    };
    let shares = read("Alpha", vec![Value::u128(0); 3]).await;
    let total = read("TotalHotkeyAlpha", vec![Value::u128(0); 2]).await;
    let total_shares = read("TotalHotkeyShares", vec![Value::u128(0); 2]).await;
    if total_shares == 0 {
        return 0;
    }
    // f64 is exact to far below one rao at these sizes (as in tests/chain_read.rs).
    (shares as f64 * total as f64 / total_shares as f64).floor() as u128
}

/// The account's own alpha deltas per position in blocks `(from, to]`, from the events subxt decodes.
async fn own_deltas(
    api: &OnlineClient<SubstrateConfig>,
    coldkey: [u8; 32],
    blocks: &[u64],
    from: u64,
    to: u64,
) -> BTreeMap<([u8; 32], u16), i128> {
    let mut out = BTreeMap::new();
    for &b in blocks.iter().filter(|b| **b > from && **b <= to) {
        for e in chain_reads::events_of(api, b, coldkey).await {
            let sign = if e.is("SubtensorModule", "StakeAdded") {
                1
            } else if e.is("SubtensorModule", "StakeRemoved") {
                -1
            } else {
                continue;
            };
            let key = (e.account(1), u16::try_from(e.num(4)).unwrap());
            *out.entry(key).or_insert(0i128) += sign * i128::from(e.num(3));
        }
    }
    out
}

fn hex(h: [u8; 32]) -> String {
    format!("0x{}", hex::encode(h))
}

/// Checks one report against the independent reads; returns the total alpha the chain paid in its range.
async fn check_report(
    api: &OnlineClient<SubstrateConfig>,
    coldkey: [u8; 32],
    report: &EarningsReport,
    action_blocks: &[u64],
) -> i128 {
    let (a, b) = (report.start.block, report.end.block);
    let at_a = api_positions(api, coldkey, a).await;
    let at_b = api_positions(api, coldkey, b).await;
    let deltas = own_deltas(api, coldkey, action_blocks, a, b).await;
    let mut keys: Vec<_> = at_a
        .keys()
        .chain(at_b.keys())
        .chain(deltas.keys())
        .copied()
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        report.positions.len(),
        keys.len(),
        "{}: {:#?}",
        report.range,
        report.positions
    );
    let mut paid = 0i128;
    for key in keys {
        let (start, end) = (
            at_a.get(&key).copied().unwrap_or(0),
            at_b.get(&key).copied().unwrap_or(0),
        );
        let own = deltas.get(&key).copied().unwrap_or(0);
        let expected = i128::from(end) - i128::from(start) - own;
        let p = report
            .positions
            .iter()
            .find(|p| p.hotkey == hex(key.0) && p.netuid == key.1)
            .unwrap_or_else(|| panic!("{}: no row for {key:?}", report.range));
        assert_eq!(
            (p.alpha_start, p.alpha_end),
            (start, end),
            "{}: alpha at the ends",
            report.range
        );
        assert_eq!(p.own_alpha, own, "{}: own deltas", report.range);
        assert_eq!(
            p.earned_alpha, expected,
            "{}: earned alpha on {}",
            report.range, key.1
        );
        // The shares in storage give the same alpha (within the share pool's rounding of 2 rao).
        for (at, alpha) in [(a, start), (b, end)] {
            let from_shares = storage_alpha(api, coldkey, key, at).await;
            assert!(
                from_shares.abs_diff(u128::from(alpha)) <= 2,
                "block {at}: {from_shares} vs {alpha}"
            );
        }
        paid += expected;
    }
    // The parts add up to the value change, to the rao.
    let t = &report.total;
    assert_eq!(
        i128::from(t.value_end) - i128::from(t.value_start),
        t.net_tao_in + t.reward_tao + t.price_effect_tao
    );
    paid
}

#[test]
fn earnings_equal_the_dividends_the_chain_paid_and_history_lists_every_action() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let who = world::signer(&format!("//EarningsTest{}", std::process::id()));
    let coldkey = who.public_key();
    let bob_v1 = s.world.validator("bob-v1").hotkey;
    let (n2, n3) = (s.world.netuids()[0], s.world.netuids()[1]);
    let charlie = s
        .world
        .validators
        .iter()
        .find(|v| v.label.starts_with("charlie") && v.netuids.contains(&n3))
        .unwrap()
        .hotkey;
    let cache_dir = tempfile::tempdir().unwrap();
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, coldkey, 1_000 * TAO).await;
        let funded = chain_reads::head_number(&rpc).await;
        let send = async |call| -> TxOutcome { tx::submit(&api, &rpc, &who, &call, &opts()).await.unwrap() };

        let s1 = send(stake_call("add_stake", bob_v1, n2, 100 * TAO)).await;
        world::new_blocks(&rpc, 23).await;
        let s2 = send(stake_call("add_stake", bob_v1, n2, 50 * TAO)).await;
        let s2b = send(stake_call("add_stake", charlie, n3, 20 * TAO)).await;
        world::new_blocks(&rpc, 23).await;
        let c = chain_reads::taotui_client(s.ws_url()).await;
        let held = chain_reads::alpha_of(&c, coldkey, bob_v1, n2).await;
        let s3 = send(stake_call("remove_stake", bob_v1, n2, held / 2)).await;
        world::fund_from_alice(&api, &rpc, coldkey, 7 * TAO).await;
        let s4 = chain_reads::head_number(&rpc).await;
        world::new_blocks(&rpc, 23).await;
        let actions: Vec<u64> = [&s1, &s2, &s2b, &s3].iter().map(|o| o.block_number).chain([s4]).collect();

        let reader = PastReader::new(c.clone(), None);
        let opts = Options {
            cache: Some(PastCache::at(cache_dir.path())),
            ..Options::default()
        };
        let ts_s2 = reader
            .marks_at(coldkey, &[], &reader.blocks(&[s2.block_number]).await.unwrap())
            .await
            .unwrap()[0]
            .timestamp_ms;
        let ranges = [
            Since::Last(24 * 3_600_000),
            Since::Last(7 * 86_400_000),
            Since::Last(30 * 86_400_000),
            Since::Block(funded),
            Since::Block(s2.block_number),
            Since::Time(ts_s2),
        ];
        for since in ranges {
            let started = Instant::now();
            let report = earnings::compute(&reader, coldkey, since, &opts).await.unwrap();
            let paid = check_report(&api, coldkey, &report, &actions).await;
            eprintln!(
                "MEASURE earnings {}: blocks #{}..#{}, earned {paid} alpha rao, rewards {} rao, price effect {} rao, \
                 {} requests, {} blocks sampled, {:?}",
                report.range,
                report.start.block,
                report.end.block,
                report.total.reward_tao,
                report.total.price_effect_tao,
                report.requests,
                report.blocks_read,
                started.elapsed()
            );
            if report.start.block <= s1.block_number {
                assert!(paid > 0, "{}: epochs passed, so dividends were paid", report.range);
            }
        }
        // A time range ends at the last block at or before the time asked.
        let by_time = earnings::compute(&reader, coldkey, Since::Time(ts_s2), &opts).await.unwrap();
        assert_eq!(by_time.start.block, s2.block_number);

        // History: every action with the right block and amounts.
        let full = earnings::compute(&reader, coldkey, Since::Block(funded), &opts).await.unwrap();
        for (outcome, kind) in [
            (&s1, EventKind::StakeAdded),
            (&s2, EventKind::StakeAdded),
            (&s2b, EventKind::StakeAdded),
            (&s3, EventKind::StakeRemoved),
        ] {
            let chain = chain_reads::events_of(&api, outcome.block_number, coldkey).await;
            let ev = chain
                .iter()
                .find(|e| e.is("SubtensorModule", if kind == EventKind::StakeAdded { "StakeAdded" } else { "StakeRemoved" }))
                .unwrap();
            let row = full
                .events
                .iter()
                .find(|e| e.block == outcome.block_number && e.kind == kind)
                .unwrap_or_else(|| panic!("no {kind:?} at #{}: {:#?}", outcome.block_number, full.events));
            assert_eq!(
                (row.alpha, row.tao, row.netuid, row.hotkey.clone()),
                (Some(ev.num(3)), Some(ev.num(2)), Some(u16::try_from(ev.num(4)).unwrap()), Some(hex(ev.account(1))))
            );
            assert_eq!(row.extrinsic_hash.as_deref(), Some(hex(outcome.extrinsic_hash).as_str()));
            let fee = chain.iter().find(|e| e.is("TransactionPayment", "TransactionFeePaid")).unwrap();
            assert!(full
                .events
                .iter()
                .any(|e| e.block == outcome.block_number && e.kind == EventKind::Fee && e.fee == Some(fee.num(1))));
        }
        let incoming = full.events.iter().find(|e| e.kind == EventKind::TransferIn && e.block == s4).unwrap();
        assert_eq!(incoming.tao, Some(7 * TAO));
        assert_eq!(incoming.counterparty.as_deref(), Some(hex(world::account("//Alice")).as_str()));

        // The CSV parses back to the same rows.
        let rows = earnings_rows(&full);
        assert!(rows.len() >= full.events.len() + full.positions.len());
        assert_eq!(parse_csv(&to_csv(&rows)).unwrap(), rows);

        // A second look at the same blocks costs no request (other tests may move the head meanwhile, so the
        // range is given by its blocks; `compute` adds the head and the start block's hash, 2 requests).
        let block = |e: &earnings::End| taotui::chain::client::BlockRef { number: e.block, hash: e.hash };
        let again = earnings::compute_between(&reader, coldkey, block(&full.start), block(&full.end), "again", &opts)
            .await
            .unwrap();
        eprintln!("MEASURE earnings second look: {} requests (first: {})", again.requests, full.requests);
        assert_eq!(again.requests, 0);
        assert_eq!(again.positions, full.positions);
        assert_eq!(again.events, full.events);
    });
}

#[test]
fn a_pruned_node_gives_the_archive_sentence_and_the_archive_answers() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let coldkey = s.world.nominator.coldkey;
    let mut proxy = Proxy::start(s.ws_url());
    s.block_on(async {
        let pruned = chain_reads::taotui_client(&proxy.url).await;
        let direct = chain_reads::taotui_client(s.ws_url()).await;
        // What a Substrate node with state pruning answers for a block it no longer keeps.
        proxy.set(&serde_json::json!({
            "method": "state_call",
            "fault": "error",
            "code": 4003,
            "message": "Client error: Api called for an unknown Block: State already discarded for 0x1234",
        }));
        let opts = Options { cache: None, ..Options::default() };
        let start = s.world.head;
        let err = earnings::compute(&PastReader::new(pruned.clone(), None), coldkey, Since::Block(start), &opts)
            .await
            .unwrap_err();
        let sentence = err.to_string();
        eprintln!("MEASURE pruned sentence: {sentence}");
        assert!(matches!(err, PastError::Pruned { .. }), "{err:?}");
        assert!(sentence.contains("--archive URL") && sentence.contains("archive = ["), "{sentence}");
        assert!(sentence.contains(&format!("#{start}")), "{sentence}");

        // With an archive, the same reads go there and give what the node itself gives.
        let with_archive = PastReader::new(pruned, Some(direct.clone()));
        let report = earnings::compute(&with_archive, coldkey, Since::Block(start), &opts).await.unwrap();
        let reference = earnings::compute(&PastReader::new(direct, None), coldkey, Since::Block(start), &opts)
            .await
            .unwrap();
        if report.end.block == reference.end.block {
            assert_eq!(report.positions, reference.positions);
        }
        assert!(!report.positions.is_empty());
    });
}

/// A node that keeps only recent state (a stand-in answering reads at older blocks with a pruning node's
/// error): the sentence names the oldest block it answers, found by the search; a range within what it keeps
/// works without an archive; with one, an older range is read there.
#[test]
fn a_node_keeping_recent_state_only_says_how_far_back_it_reaches() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let coldkey = s.world.nominator.coldkey;
    s.block_on(async {
        let (_, rpc) = world::connect(s.ws_url()).await;
        let head = chain_reads::head_number(&rpc).await;
        let oldest = head - 10;
        let proxy = Proxy::start_script(
            "pruned_proxy.mjs",
            s.ws_url(),
            &["--oldest", &oldest.to_string()],
            "PRUNED_PROXY_READY ",
        );
        let node = chain_reads::taotui_client(&proxy.url).await;
        let direct = chain_reads::taotui_client(s.ws_url()).await;
        let opts = Options {
            cache: None,
            ..Options::default()
        };
        let start = oldest - 20;
        let before = node.request_count();
        let err = earnings::compute(
            &PastReader::new(node.clone(), None),
            coldkey,
            Since::Block(start),
            &opts,
        )
        .await
        .unwrap_err();
        let sentence = err.to_string();
        eprintln!(
            "MEASURE pruned sentence: {sentence} ({} requests)",
            node.request_count() - before
        );
        match &err {
            PastError::Pruned {
                block,
                oldest: found,
                ..
            } => {
                assert_eq!((*block, *found), (start, Some(oldest)), "{sentence}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            sentence.contains(&format!("from block #{oldest} on")),
            "{sentence}"
        );
        assert!(sentence.contains("--archive URL"), "{sentence}");

        // Within what the node keeps, no archive is needed.
        earnings::compute(
            &PastReader::new(node.clone(), None),
            coldkey,
            Since::Block(oldest + 1),
            &opts,
        )
        .await
        .unwrap();
        // Further back, the archive answers.
        let report = earnings::compute(
            &PastReader::new(node, Some(direct)),
            coldkey,
            Since::Block(start),
            &opts,
        )
        .await
        .unwrap();
        assert_eq!(report.start.block, start);
        assert_eq!(report.positions.len(), s.world.positions.len());
        drop(proxy);
    });
}

/// Earnings over 30 sampled blocks for 10 positions: requests and time, first look and second (cached) look.
/// Run by benches/earnings.sh.
#[test]
#[ignore = "benchmark: benches/earnings.sh"]
fn bench_earnings_30_samples_10_positions() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let who = world::signer(&format!("//EarningsBench{}", std::process::id()));
    let coldkey = who.public_key();
    let mut targets: Vec<([u8; 32], u16)> = Vec::new();
    for v in &s.world.validators {
        if v.on_root {
            targets.push((v.hotkey, 0));
        }
        targets.extend(v.netuids.iter().map(|n| (v.hotkey, *n)));
    }
    targets.truncate(10);
    assert_eq!(
        targets.len(),
        10,
        "the seeded world has at least 10 (hotkey, netuid) pairs"
    );
    let cache_dir = tempfile::tempdir().unwrap();
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, coldkey, 1_000 * TAO).await;
        let from = chain_reads::head_number(&rpc).await;
        let legs = targets.iter().map(|(h, n)| stake_call("add_stake", *h, *n, 10 * TAO)).collect();
        tx::submit(&api, &rpc, &who, &taotui::chain::batch::batch_all(legs), &opts()).await.unwrap();
        world::new_blocks(&rpc, 30).await;
        let (h, n) = targets[1];
        tx::submit(&api, &rpc, &who, &stake_call("add_stake", h, n, 5 * TAO), &opts()).await.unwrap();
        world::new_blocks(&rpc, 30).await;
        let c = chain_reads::taotui_client(s.ws_url()).await;
        let reader = PastReader::new(c, None);
        let opts = Options { samples: 30, cache: Some(PastCache::at(cache_dir.path())) };
        let started = Instant::now();
        let first = earnings::compute(&reader, coldkey, Since::Block(from), &opts).await.unwrap();
        let first_time = started.elapsed();
        let started = Instant::now();
        let second = earnings::compute(&reader, coldkey, Since::Block(from), &opts).await.unwrap();
        let second_time = started.elapsed();
        assert_eq!(first.positions.len(), 10);
        println!(
            "BENCH earnings: {} positions over blocks #{}..#{} ({} blocks), 30 samples: first look {} requests, \
             {} blocks marked, {} own events, {:?}; second look (cache) {} requests, {:?}",
            first.positions.len(),
            first.start.block,
            first.end.block,
            first.end.block - first.start.block,
            first.requests,
            first.blocks_read,
            first.events.len(),
            first_time,
            second.requests,
            second_time
        );
    });
}

/// The commands themselves: `earnings --json`, the human table, and `history --since --csv` merged with the
/// local history, for the seeded nominator (nine positions staked while seeding).
#[test]
fn the_cli_prints_earnings_and_the_chain_history() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let wallets = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_taotui"))
            .args(["--network", s.ws_url(), "--wallet-path"])
            .arg(wallets.path())
            .args(args)
            .env("TAOTUI_DATA_DIR", data.path())
            .env("XDG_CONFIG_HOME", data.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let who = &s.world.nominator.ss58;
    let json: serde_json::Value =
        serde_json::from_str(&run(&["earnings", "--ss58", who, "--since", "1", "--json"])).unwrap();
    let positions = json["positions"].as_array().unwrap();
    assert_eq!(positions.len(), s.world.positions.len(), "{json:#}");
    assert!(
        json["total"]["reward_tao"].as_i64().unwrap() > 0,
        "{json:#}"
    );
    let table = run(&["earnings", "--ss58", who, "--since", "1"]);
    assert!(
        table.contains("total") && table.contains("price effect"),
        "{table}"
    );
    // `-w NAME` names a wallet as in the other commands: a watch-only one holds only the address.
    run(&[
        "wallet",
        "regen-coldkey",
        "-w",
        "nominee",
        "--watch-only",
        who,
    ]);
    let by_wallet: serde_json::Value = serde_json::from_str(&run(&[
        "earnings", "-w", "nominee", "--since", "1", "--json",
    ]))
    .unwrap();
    assert_eq!(by_wallet["coldkey"], json["coldkey"], "{by_wallet:#}");
    assert_eq!(
        by_wallet["positions"].as_array().map(Vec::len),
        Some(positions.len())
    );

    let csv = run(&["history", "--ss58", who, "--since", "1", "--csv"]);
    let rows = parse_csv(&csv).unwrap();
    let staked = rows.iter().filter(|r| r.kind == "stake_added").count();
    assert_eq!(staked, s.world.positions.len(), "{csv}");
    assert!(rows.iter().any(|r| r.kind == "transfer_in"), "{csv}");
    assert!(
        rows.iter()
            .any(|r| r.kind == "fee" && r.fee.is_some_and(|f| f > 0)),
        "{csv}"
    );
    // Every staking row names the extrinsic and the block time.
    assert!(
        rows.iter()
            .filter(|r| r.kind.starts_with("stake"))
            .all(|r| r.extrinsic_hash.is_some() && r.time_ms > 0)
    );
}

/// Finney upgrades every few days, so a month of earnings crosses runtimes, and a type the reads decode can change
/// in any of them: each block must be read as the runtime it ran. Here the client claims to run finney's spec 393
/// (its real metadata), as a client connected after an upgrade is to the blocks before it, while the local chain's
/// blocks run 293: the reader must learn that, load 293's metadata and report exactly what a 293 client reports.
#[test]
fn past_blocks_are_read_as_the_runtime_they_ran() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/chain/subtensor-finney-spec393.metadata.scale");
    let m393 = match std::fs::read(&path) {
        Ok(bytes) => subxt::Metadata::decode_from(&bytes[..]).unwrap(),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{}: {e}",
                path.display()
            );
            eprintln!("SKIPPED: {} unreadable: {e}", path.display());
            return;
        }
    };
    s.block_on(async {
        let c = chain_reads::taotui_client(s.ws_url()).await;
        assert_eq!(c.spec_version(), 293);
        let newer = c.as_runtime(&taotui::chain::client::PastRuntime::new(393, m393));
        assert_eq!(newer.spec_version(), 393);
        let coldkey = s.world.nominator.coldkey;
        let opts = Options {
            cache: None,
            ..Options::default()
        };
        let by_293 = PastReader::new(c.clone(), None);
        let ends = by_293.blocks(&[1, s.world.head]).await.unwrap();
        let reference =
            earnings::compute_between(&by_293, coldkey, ends[0], ends[1], "test", &opts)
                .await
                .unwrap();
        let reader = PastReader::new(newer, None);
        let started = Instant::now();
        let report = earnings::compute_between(&reader, coldkey, ends[0], ends[1], "test", &opts)
            .await
            .unwrap();
        eprintln!(
            "MEASURE past runtime: {} requests as 393 reading 293 blocks, {} as 293, {:?}",
            report.requests,
            reference.requests,
            started.elapsed()
        );
        assert_eq!(
            reader.runtimes_read(),
            vec![293],
            "every block was read as the runtime it ran"
        );
        assert!(!report.positions.is_empty());
        assert_eq!(
            serde_json::to_value(&report.positions).unwrap(),
            serde_json::to_value(&reference.positions).unwrap()
        );
        assert_eq!(
            serde_json::to_value(&report.events).unwrap(),
            serde_json::to_value(&reference.events).unwrap()
        );
    });
}

/// The History screen's scan, run by the app's worker as the TUI asks for it (`Effect::ScanHistory`, the last 7 d):
/// the seeded nominator's nine `add_stake`s are listed with their blocks and amounts, newest first, from the
/// chain alone (this machine sent none of them), for a wallet known by its address only.
#[test]
fn the_worker_reads_the_history_screens_chain_history() {
    use taotui::action::{Action, Effect, RequestId};
    use taotui::worker::{EffectRunner, Worker};
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let root = taotui_keystore::wallet::WalletRoot::new(home.path().join("wallets"));
    let who = s.world.nominator.ss58.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let network: taotui::chain::network::Network = s.ws_url().parse().unwrap();
    let started = Instant::now();
    let merged = s.block_on(async {
        let worker = Worker::new(root, network, None, tx).with_data_dir(home.path().join("data"));
        worker.start_chain();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(180);
        let mut asked = false;
        loop {
            let action = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .expect("no answer within 180 s")
                .expect("the worker is gone");
            match action {
                Action::ConnectionChanged(taotui::action::Connection::Connected { .. })
                    if !asked =>
                {
                    asked = true;
                    worker.run(Effect::ScanHistory {
                        id: RequestId(7),
                        coldkey: who.clone(),
                        span_secs: 7 * 86_400,
                    });
                }
                Action::ChainHistoryLoaded {
                    id: RequestId(7),
                    coldkey,
                    result,
                    ..
                } => {
                    assert_eq!(coldkey, who);
                    break result.unwrap_or_else(|e| panic!("the scan failed: {e}"));
                }
                _ => {}
            }
        }
    });
    eprintln!(
        "history scan: {} lines in {:?}",
        merged.entries.len(),
        started.elapsed()
    );
    assert!(merged.from_block < merged.to_block, "{merged:?}");
    let added: Vec<_> = merged
        .entries
        .iter()
        .filter_map(|m| m.event.as_ref())
        .filter(|e| e.kind == EventKind::StakeAdded)
        .collect();
    assert!(merged.entries.iter().all(|m| m.source == "chain"));
    for p in &s.world.positions {
        let hotkey = hex(p.hotkey);
        let row = added
            .iter()
            .find(|e| e.netuid == Some(p.netuid) && e.hotkey.as_deref() == Some(hotkey.as_str()))
            .unwrap_or_else(|| panic!("no stake_added for SN{} {hotkey}: {added:#?}", p.netuid));
        assert!(row.block > merged.from_block && row.block <= merged.to_block);
        assert!(row.extrinsic_hash.is_some() && row.timestamp_ms > 0);
        let tao = row.tao.unwrap();
        assert!(tao > 0 && tao <= p.tao_staked, "{row:?} for {p:?}");
        assert!(row.alpha.unwrap() > 0, "{row:?}");
    }
    // Newest first, as the screen lists them.
    let blocks: Vec<u64> = merged
        .entries
        .iter()
        .filter_map(|m| m.event.as_ref().map(|e| e.block))
        .collect();
    assert!(blocks.windows(2).all(|w| w[0] >= w[1]), "{blocks:?}");
    // The screen's rows carry the same amounts.
    let row = taotui::model::history::chain_row(&merged.entries[0]);
    assert!(!row.date.is_empty() && !row.block.is_empty(), "{row:?}");
}
