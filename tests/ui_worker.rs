//! The worker's keystore side on a real wallet folder, and the worker answering effects with
//! actions tagged with the request id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

#[path = "common/ui_fixtures.rs"]
mod ui_fixtures;

use secrecy::SecretString;
use taotui::action::{Action, Effect, KeyFileFormat, RequestId};
use taotui::chain::network::Network;
use taotui::worker::{self, EffectRunner, Worker};
use taotui_keystore::mnemonic::{Mnemonic, WordCount};
use taotui_keystore::wallet::{KeyFormat, KeyTarget, WalletRoot};

const DEV_PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

#[test]
fn keystore_operations_write_what_the_dialogs_promise() {
    let dir = tempfile::tempdir().unwrap();
    let root = WalletRoot::new(dir.path());
    assert!(worker::scan_wallets(&root).unwrap().is_empty());

    let mnemonic = Mnemonic::parse(DEV_PHRASE).unwrap();
    let msg = worker::create_wallet(
        &root,
        "dev",
        &mnemonic,
        &pw("first password"),
        KeyFileFormat::Btcli,
    )
    .unwrap();
    assert!(msg.contains("Wallet dev created"), "{msg}");
    let err = worker::create_wallet(
        &root,
        "dev",
        &mnemonic,
        &pw("first password"),
        KeyFileFormat::Native,
    )
    .unwrap_err();
    assert!(!err.is_empty(), "a second create must refuse to overwrite");

    let msg = worker::restore_coldkey(
        &root,
        "alice",
        &pw("//Alice"),
        &pw("second password"),
        KeyFileFormat::Native,
    )
    .unwrap();
    assert!(msg.contains(ALICE), "{msg}");
    worker::watch_only(&root, "watched", ALICE).unwrap();
    assert!(worker::watch_only(&root, "bad", "5notanaddress").is_err());
    worker::new_hotkey(&root, "dev", "miner", WordCount::W12).unwrap();

    let wallets = worker::scan_wallets(&root).unwrap();
    let names: Vec<&str> = wallets.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["alice", "dev", "watched"]);
    let dev = &wallets[1];
    assert_eq!(dev.coldkey.as_ref().unwrap().format, KeyFormat::Nacl);
    assert_eq!(dev.hotkeys.len(), 1);
    assert_eq!(dev.hotkeys[0].format, KeyFormat::Plain);
    assert_eq!(
        wallets[2].coldkey.as_ref().unwrap().format,
        KeyFormat::PubOnly
    );
    assert_eq!(
        wallets[0].coldkey.as_ref().unwrap().ss58.as_deref(),
        Some(ALICE)
    );

    // Wrong old password: refused, file unchanged.
    assert!(
        worker::change_password(
            &root,
            "dev",
            &KeyTarget::Coldkey,
            &pw("nope"),
            &pw("x y z w v")
        )
        .is_err()
    );
    worker::change_password(
        &root,
        "dev",
        &KeyTarget::Coldkey,
        &pw("first password"),
        &pw("third password"),
    )
    .unwrap();
    let w = root.wallet("dev").unwrap();
    assert!(
        w.unlock(&KeyTarget::Coldkey, Some(&pw("third password")))
            .is_ok()
    );

    worker::convert(
        &root,
        "dev",
        &KeyTarget::Coldkey,
        &pw("third password"),
        KeyFileFormat::Native,
    )
    .unwrap();
    assert_eq!(
        w.key_format(&KeyTarget::Coldkey).unwrap(),
        Some(KeyFormat::Native)
    );
    let err = worker::convert(
        &root,
        "dev",
        &KeyTarget::Coldkey,
        &pw("third password"),
        KeyFileFormat::Native,
    )
    .unwrap_err();
    assert!(err.contains("already"), "{err}");
}

#[test]
fn generated_mnemonics_ask_three_distinct_sorted_positions() {
    for words in WordCount::ALL {
        let (m, positions) = worker::generate_mnemonic(words);
        assert_eq!(m.word_count(), words.count());
        assert_eq!(positions.len(), worker::WORDS_TO_CONFIRM);
        assert!(positions.windows(2).all(|p| p[0] < p[1]));
        assert!(positions.iter().all(|&p| p < words.count()));
    }
}

fn transfer_request() -> taotui::action::StakeRequest {
    taotui::action::StakeRequest {
        kind: taotui::action::StakeKind::Transfer,
        wallet: "dev".to_owned(),
        hotkey: String::new(),
        netuid: 0,
        amount: 1_000_000_000,
        destination: Some(ALICE.to_owned()),
        destination_netuid: None,
        all: false,
        tolerance_bps: 50,
        allow_partial: false,
        proxy: None,
        mev_shield: true,
    }
}

#[test]
fn the_worker_answers_with_the_request_id_and_chain_reads_fail_clearly_when_offline() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let network: Network = "ws://127.0.0.1:1".parse().unwrap();
        let worker = Worker::new(WalletRoot::new(dir.path()), network, None, tx);
        worker.run(Effect::ScanWallets { id: RequestId(7) });
        worker.run(Effect::FetchSubnets { id: RequestId(8) });
        worker.run(Effect::QuoteStake {
            id: RequestId(9),
            request: transfer_request(),
        });
        let mut seen = 0;
        while seen < 3 {
            let action = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .unwrap()
                .unwrap();
            match action {
                Action::WalletsScanned { id, result } => {
                    assert_eq!(id, RequestId(7));
                    assert!(result.unwrap().is_empty());
                    seen += 1;
                }
                Action::SubnetsLoaded { id, result, .. } => {
                    assert_eq!(id, RequestId(8));
                    assert!(result.unwrap_err().contains("not connected"));
                    seen += 1;
                }
                Action::StakeQuoted { id, result } => {
                    assert_eq!(id, RequestId(9));
                    assert!(result.unwrap_err().contains("not connected"));
                    seen += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    });
}

#[test]
fn writing_for_offline_signing_and_opening_a_signed_file_say_why_not_without_a_chain() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let network: Network = "ws://127.0.0.1:1".parse().unwrap();
        let worker = Worker::new(WalletRoot::new(dir.path()), network, None, tx)
            .with_data_dir(dir.path().join("data"));
        worker.run(Effect::WriteUnsigned {
            id: RequestId(1),
            preview: RequestId(0),
            request: transfer_request(),
        });
        worker.run(Effect::OpenSigned {
            id: RequestId(2),
            path: dir.path().join("x.signed.json").display().to_string(),
        });
        let mut seen = 0;
        while seen < 2 {
            let action = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .unwrap()
                .unwrap();
            match action {
                Action::UnsignedWritten { id, result } => {
                    assert_eq!(id, RequestId(1));
                    assert!(result.unwrap_err().contains("not connected"));
                    seen += 1;
                }
                Action::SignedOpened { id, result } => {
                    assert_eq!(id, RequestId(2));
                    assert!(result.unwrap_err().contains("not connected"));
                    seen += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    });
    // Nothing was written without a chain to read the nonce from.
    assert!(!dir.path().join("data").join("offline").exists());
}

/// History's `e`: the merged rows (the chain's history with this machine's records) once read, in the export
/// column set, and this machine's records alone before; each notice says which it wrote.
#[test]
fn history_export_writes_the_merged_rows_or_the_local_ones_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let merged = ui_fixtures::chain_history();
    let (chain_notice, local_notice) = runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let network: Network = "ws://127.0.0.1:1".parse().unwrap();
        let worker =
            Worker::new(WalletRoot::new(dir.path()), network, None, tx).with_data_dir(data.clone());
        let mut notices = Vec::new();
        for (id, merged) in [(RequestId(1), Some(merged.clone())), (RequestId(2), None)] {
            worker.run(Effect::ExportHistory { id, merged });
            let action = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .unwrap()
                .unwrap();
            match action {
                Action::Exported { id: got, result } if got == id => notices.push(result.unwrap()),
                other => panic!("unexpected {other:?}"),
            }
        }
        (notices.remove(0), notices.remove(0))
    });
    assert!(
        chain_notice.starts_with("Exported 4 rows to")
            && chain_notice.contains("the chain's history (blocks #1000 to #1500)"),
        "{chain_notice}"
    );
    assert!(
        local_notice.starts_with("Exported 0 rows to")
            && local_notice.contains("this machine's records only"),
        "{local_notice}"
    );
    let files: Vec<_> = std::fs::read_dir(data.join("exports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let chain_file = files
        .iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("history-chain-")
        })
        .unwrap();
    let rows =
        taotui::export_csv::parse_csv(&std::fs::read_to_string(chain_file).unwrap()).unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "stake_added",
            "local:SubtensorModule.remove_stake_limit (failed)",
            "transfer_in",
            "fee"
        ]
    );
    assert_eq!(rows[0].block, 1490);
    assert_eq!(rows[0].tao, Some(10_000_000_000));
    assert_eq!(rows[0].alpha, Some(20_000_000_000));
    assert_eq!(rows[3].fee, Some(125_000));
}
