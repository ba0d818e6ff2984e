//! The value journal against the real spec-293 runtime: `stake list` and `balance` journal exactly what
//! they print (one snapshot per block, values = alpha x price as listed), and a backfill from past
//! chain state gives the same snapshot as a read made at that block.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::world::{self, Shared};
use taotui::chain::client::{ChainClient, ConnectOptions};
use taotui::chain::network::Network;
use taotui::chain::past::PastReader;
use taotui::journal::backfill::backfill_at;
use taotui::journal::{Journal, parse};

fn shared() -> Option<&'static Shared> {
    world::shared_or_skip()
}

fn taotui_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .env("TAOTUI_DATA_DIR", data)
        .env("XDG_CACHE_HOME", data.join("cache"))
        .env_remove("TAOTUI_NETWORK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "taotui {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one journal file under `data`.
fn journal_file(data: &Path) -> PathBuf {
    let dir = data.join("journal");
    let mut files = Vec::new();
    for net in std::fs::read_dir(&dir).unwrap() {
        for f in std::fs::read_dir(net.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    assert_eq!(files.len(), 1, "{files:?}");
    files.remove(0)
}

async fn client(url: &str) -> ChainClient {
    let network: Network = url.parse().unwrap();
    let opts = ConnectOptions {
        watch_runtime_upgrades: false,
        ..ConnectOptions::default()
    };
    ChainClient::connect(&network, opts).await.unwrap()
}

#[test]
fn stake_list_and_balance_journal_what_they_print_once_per_block() {
    let Some(shared) = shared() else { return };
    let data = tempfile::tempdir().unwrap();
    let who = shared.world.nominator.ss58.clone();
    let url = shared.ws_url().to_owned();
    let listed = taotui_json(
        data.path(),
        &["--network", &url, "stake", "list", "--ss58", &who, "--json"],
    );
    let path = journal_file(data.path());
    let snaps = parse(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(snaps.len(), 1);
    let s = &snaps[0];
    assert_eq!(s.free, listed["free"].as_u64().unwrap());
    let positions = listed["positions"].as_array().unwrap();
    assert!(positions.len() >= 8, "{} positions", positions.len());
    assert_eq!(s.positions.len(), positions.len());
    for p in positions {
        let (hotkey, netuid) = (p["hotkey"].as_str().unwrap(), p["netuid"].as_u64().unwrap());
        let e = s
            .positions
            .iter()
            .find(|e| e.hotkey == hotkey && u64::from(e.netuid) == netuid)
            .unwrap_or_else(|| panic!("{hotkey}/{netuid} not journaled"));
        assert_eq!(e.alpha, p["alpha"].as_u64().unwrap());
        assert_eq!(
            e.value(),
            p["tao_value"].as_u64().unwrap(),
            "alpha x price, rounded down"
        );
    }
    assert_eq!(
        s.total_value(),
        listed["free"].as_u64().unwrap() + listed["staked_value"].as_u64().unwrap()
    );
    // The head has not moved (the local chain makes blocks on demand): no second snapshot.
    let balance = taotui_json(
        data.path(),
        &["--network", &url, "balance", "--ss58", &who, "--json"],
    );
    assert_eq!(parse(&std::fs::read_to_string(&path).unwrap()).len(), 1);
    assert_eq!(
        s.total_value(),
        balance[0]["free"].as_u64().unwrap() + balance[0]["staked_value"].as_u64().unwrap()
    );
    // One block later `balance` journals the same account with the same figures.
    shared.block_on(async {
        let (_, rpc) = world::connect(&url).await;
        world::new_blocks(&rpc, 1).await;
    });
    let balance = taotui_json(
        data.path(),
        &["--network", &url, "balance", "--ss58", &who, "--json"],
    );
    let snaps = parse(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[1].block, snaps[0].block + 1);
    let row = &balance[0];
    assert_eq!(
        snaps[1].total_value(),
        row["free"].as_u64().unwrap() + row["staked_value"].as_u64().unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn backfill_reads_the_same_snapshot_as_a_read_at_that_block() {
    let Some(shared) = shared() else { return };
    let data = tempfile::tempdir().unwrap();
    let url = shared.ws_url().to_owned();
    let who = shared.world.nominator.ss58.clone();
    // A read at the head, journaled by the CLI...
    taotui_json(
        data.path(),
        &["--network", &url, "stake", "list", "--ss58", &who, "--json"],
    );
    let path = journal_file(data.path());
    let at_head = parse(&std::fs::read_to_string(&path).unwrap()).remove(0);
    shared.block_on(async {
        let client = client(&url).await;
        let journal = Journal::at(data.path(), client.genesis_hash(), &who);
        assert_eq!(journal.path(), path);
        let reader = PastReader::new(client, None);
        let before = reader.request_count();
        let seen = std::sync::Mutex::new(Vec::new());
        let numbers = [at_head.block, at_head.block - 1, shared.world.head / 2];
        let outcome = backfill_at(
            &reader,
            shared.world.nominator.coldkey,
            &numbers,
            |done, total| seen.lock().unwrap().push((done, total)),
        )
        .await;
        assert_eq!(outcome.stopped, None);
        assert_eq!(outcome.snapshots.len(), 3);
        // 1 request for the hashes, 1 for the runtimes the blocks ran (the outermost two vouch for the third), 2 per
        // block.
        assert!(reader.request_count() - before <= 8);
        assert_eq!(seen.lock().unwrap().last(), Some(&(3, 3)));
        // ...and the backfilled state of the same block: same balance, alpha and prices.
        let back = &outcome.snapshots[0];
        assert_eq!(back.block, at_head.block);
        assert_eq!(back.free, at_head.free);
        let mut a = back.positions.clone();
        let mut b = at_head.positions.clone();
        a.sort_by(|x, y| (&x.hotkey, x.netuid).cmp(&(&y.hotkey, y.netuid)));
        b.sort_by(|x, y| (&x.hotkey, x.netuid).cmp(&(&y.hotkey, y.netuid)));
        assert_eq!(a, b);
        // An older block has an older timestamp.
        assert!(outcome.snapshots[2].time < back.time || outcome.snapshots[2].block < back.block);
        // Only the blocks the journal lacks are added.
        assert_eq!(journal.insert(&outcome.snapshots).unwrap(), 2);
        let blocks: BTreeSet<u64> = journal.read().unwrap().iter().map(|s| s.block).collect();
        assert_eq!(blocks, numbers.into_iter().collect());
    });
}
