//! Air-gapped signing on the real spec-293 runtime: the online side (`--sign-offline`, `taotui submit`) talks to
//! the local chain, the offline side (`taotui sign`) is a separate process whose network is unreachable
//! (ws://127.0.0.1:1) and holds only the metadata imported from a file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[allow(unused_imports)]
use common::local_chain_or_skip as _;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use common::chain_reads;
use common::world::{self, Shared, TAO};

/// A network nothing listens on: any connection the offline side tried would fail.
const NO_NETWORK: &str = "ws://127.0.0.1:1";
const PASSWORD: &str = "correct horse battery staple 42\n";

/// The tests mine blocks (an expired era) and read nonces: one at a time.
static CHAIN: Mutex<()> = Mutex::new(());

struct Machine {
    home: PathBuf,
    network: String,
}

impl Machine {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taotui"))
            .args(args)
            .arg("--wallet-path")
            .arg(self.home.join("wallets"))
            .arg("--password-file")
            .arg(self.home.join("pw"))
            .current_dir(&self.home)
            .env("TAOTUI_NETWORK", &self.network)
            .env("TAOTUI_DATA_DIR", self.home.join("data"))
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env_remove("TAOTUI_PASSWORD_FILE")
            .output()
            .expect("running taotui")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = text(&out);
        assert!(out.status.success(), "{args:?} failed:\n{text}");
        text
    }

    /// Runs with `input` on stdin (what a scanner's text pasted into `taotui sign -` is).
    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_taotui"))
            .args(args)
            .arg("--wallet-path")
            .arg(self.home.join("wallets"))
            .arg("--password-file")
            .arg(self.home.join("pw"))
            .current_dir(&self.home)
            .env("TAOTUI_NETWORK", &self.network)
            .env("TAOTUI_DATA_DIR", self.home.join("data"))
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env_remove("TAOTUI_PASSWORD_FILE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("running taotui");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = text(&out);
        assert!(
            !out.status.success(),
            "{args:?} should have failed:\n{text}"
        );
        text
    }

    fn path(&self, name: &str) -> String {
        self.home.join(name).to_str().unwrap().to_owned()
    }
}

fn text_of(out: &Output) -> String {
    text(out)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Two installs with the same coldkey: online (talks to the chain) and offline (no network).
fn machines(s: &Shared, dir: &Path, suri: &str) -> (Machine, Machine) {
    let make = |name: &str, network: &str| {
        let home = dir.join(name);
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join("pw"), PASSWORD).unwrap();
        std::fs::write(home.join("suri"), format!("{suri}\n")).unwrap();
        let m = Machine {
            home,
            network: network.to_owned(),
        };
        m.ok(&[
            "wallet",
            "regen-coldkey",
            "-w",
            "cold",
            "--secret-file",
            &m.path("suri"),
            "--allow-weak-password",
        ]);
        std::fs::remove_file(m.home.join("suri")).unwrap();
        m
    };
    let online = make("online", s.ws_url());
    let offline = make("offline", NO_NETWORK);
    // The metadata crosses once per runtime.
    online.ok(&["metadata", "export", &online.path("runtime.scale")]);
    std::fs::copy(
        online.home.join("runtime.scale"),
        offline.home.join("runtime.scale"),
    )
    .unwrap();
    let imported = offline.ok(&["metadata", "import", &offline.path("runtime.scale")]);
    assert!(imported.contains("spec 293"), "{imported}");
    // The digest the offline side would sign with is polkadot-api's for the same metadata.
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/interop/fixtures/metadata_digests.json").unwrap(),
    )
    .unwrap();
    let digest = fixture["digests"]["293"].as_str().unwrap();
    assert!(
        imported.contains(&format!("its metadata digest is {digest}")),
        "{imported}"
    );
    (online, offline)
}

/// Copies `name` from one machine to the other (the USB stick).
fn carry(from: &Machine, to: &Machine, name: &str) {
    std::fs::copy(from.home.join(name), to.home.join(name)).unwrap();
}

fn free_of(s: &Shared, account: [u8; 32]) -> u64 {
    s.block_on(async {
        let (api, _) = world::connect(s.ws_url()).await;
        chain_reads::free_at(&api, None, account).await
    })
}

#[test]
fn a_stake_and_a_transfer_signed_by_an_offline_process_land() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let suri = format!("//AirgapLand{}", std::process::id());
    let cold = world::account(&suri);
    let dest = world::account(&format!("//AirgapDest{}", std::process::id()));
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, cold, 100 * TAO).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let (online, offline) = machines(s, dir.path(), &suri);
    let hotkey = s.world.validator("bob-v1").hotkey;
    let netuid = s.world.netuids()[0];
    let hotkey_ss58 = taotui_keystore::ss58::encode(&hotkey, 42);
    let c = s.block_on(chain_reads::taotui_client(s.ws_url()));
    let alpha_before = s.block_on(chain_reads::alpha_of(&c, cold, hotkey, netuid));

    let out = online.ok(&[
        "stake",
        "add",
        "-w",
        "cold",
        "--hotkey",
        &hotkey_ss58,
        "--netuid",
        &netuid.to_string(),
        "--amount",
        "5",
        "--unsafe",
        "--sign-offline",
        &online.path("stake.json"),
        "-y",
    ]);
    assert!(out.contains("Not signed"), "{out}");
    print_sizes(&online.home.join("stake.json"));
    print_qr_size("unsigned stake", &qr_text(&out, "TAOTUI:U1:"));
    carry(&online, &offline, "stake.json");
    // This runtime was built without a metadata hash: the online side saw the chain refuse mode 1, and the
    // offline side says so and signs only when told to sign without the check.
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(online.home.join("stake.json")).unwrap()).unwrap();
    assert_eq!(file["metadata_hash_refused"], true, "{file}");
    assert_eq!(file["metadata_hash"]["mode"], 1, "{file}");
    let refused = offline.fails(&["sign", &offline.path("stake.json"), "-w", "cold", "-y"]);
    assert!(
        refused.contains("refuses the metadata check") && refused.contains("--no-metadata-hash"),
        "{refused}"
    );
    assert!(!offline.home.join("stake.signed.json").exists());
    let signed = offline.ok(&[
        "sign",
        &offline.path("stake.json"),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
    ]);
    println!("{signed}");
    assert!(
        signed.contains("metadata check: off (--no-metadata-hash)"),
        "{signed}"
    );
    assert!(signed.contains("no network connection is made"), "{signed}");
    assert!(signed.contains("SubtensorModule.add_stake"), "{signed}");
    assert!(signed.contains("5 τ"), "{signed}");
    assert!(signed.contains(&hotkey_ss58), "{signed}");
    assert!(!signed.contains("DIFFERENT"), "{signed}");
    print_sizes(&offline.home.join("stake.signed.json"));
    carry(&offline, &online, "stake.signed.json");
    let sent = online.ok(&["submit", &online.path("stake.signed.json")]);
    println!("{sent}");
    assert!(sent.contains("in block #"), "{sent}");
    let alpha_after = s.block_on(chain_reads::alpha_of(&c, cold, hotkey, netuid));
    assert!(
        alpha_after > alpha_before,
        "{alpha_before} -> {alpha_after}"
    );

    // The same signed file again: its nonce is used now, said before anything is sent.
    let again = online.fails(&["submit", &online.path("stake.signed.json")]);
    assert!(again.contains("stale nonce"), "{again}");

    let dest_ss58 = taotui_keystore::ss58::encode(&dest, 42);
    let dest_before = free_of(s, dest);
    let written = online.ok(&[
        "transfer",
        "-w",
        "cold",
        "--dest",
        &dest_ss58,
        "--amount",
        "1.25",
        "--sign-offline",
        &online.path("transfer.json"),
        "-y",
    ]);
    // Said once, by the preview: signing offline changes nothing for a call that is not shielded.
    assert_eq!(
        written
            .matches("not shielded: only stake trades need it")
            .count(),
        1,
        "{written}"
    );
    carry(&online, &offline, "transfer.json");
    let signed = offline.ok(&[
        "sign",
        &offline.path("transfer.json"),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
    ]);
    assert!(signed.contains("Balances.transfer_keep_alive"), "{signed}");
    assert!(
        signed.contains("1.25 τ") && signed.contains(&dest_ss58),
        "{signed}"
    );
    carry(&offline, &online, "transfer.signed.json");
    let sent = online.ok(&["submit", &online.path("transfer.signed.json")]);
    assert!(sent.contains("in block #"), "{sent}");
    assert_eq!(free_of(s, dest) - dest_before, 1_250_000_000);
    // Tracked like any transaction: in the history with its block.
    let history = online.ok(&["history", "--json"]);
    assert!(
        history.contains("Balances.transfer_keep_alive"),
        "{history}"
    );
    // Recorded by the runtime's argument names, as a transfer sent online is (the recipient is then known).
    assert!(history.contains("\"dest\""), "{history}");

    // A call built outside the staking planner (a proxy grant) goes the same way.
    online.ok(&[
        "proxy",
        "add",
        &dest_ss58,
        "-w",
        "cold",
        "--sign-offline",
        &online.path("proxy.json"),
        "-y",
    ]);
    carry(&online, &offline, "proxy.json");
    let signed = offline.ok(&[
        "sign",
        &offline.path("proxy.json"),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
    ]);
    assert!(
        signed.contains("Proxy.add_proxy") && signed.contains(&dest_ss58),
        "{signed}"
    );
    assert!(!signed.contains("DIFFERENT"), "{signed}");
    carry(&offline, &online, "proxy.signed.json");
    online.ok(&["submit", &online.path("proxy.signed.json")]);
    let listed: serde_json::Value =
        serde_json::from_str(&online.ok(&["proxy", "list", "-w", "cold", "--json"])).unwrap();
    assert_eq!(
        listed["grants"][0]["delegate"],
        dest_ss58.as_str(),
        "{listed}"
    );
}

#[test]
fn an_altered_call_is_shown_as_it_is_and_an_expired_era_is_said_before_sending() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let suri = format!("//AirgapAltered{}", std::process::id());
    let cold = world::account(&suri);
    let dest = world::account(&format!("//AirgapAlteredDest{}", std::process::id()));
    let dest_ss58 = taotui_keystore::ss58::encode(&dest, 42);
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, cold, 100 * TAO).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let (online, offline) = machines(s, dir.path(), &suri);
    let transfer = |amount: &str, file: &str| {
        online.ok(&[
            "transfer",
            "-w",
            "cold",
            "--dest",
            &dest_ss58,
            "--amount",
            amount,
            "--sign-offline",
            &online.path(file),
            "-y",
        ]);
    };
    transfer("1", "one.json");
    transfer("7", "seven.json");
    // A lying online machine: the description says 1 TAO, the call bytes send 7.
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(online.home.join(name)).unwrap()).unwrap()
    };
    let mut altered = read("one.json");
    altered["call"]["bytes"] = read("seven.json")["call"]["bytes"].clone();
    std::fs::write(
        offline.home.join("altered.json"),
        serde_json::to_string_pretty(&altered).unwrap(),
    )
    .unwrap();
    let refused = offline.fails(&[
        "sign",
        &offline.path("altered.json"),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
    ]);
    assert!(refused.contains("DIFFERENT"), "{refused}");
    assert!(
        refused.contains("the online machine said value (amount (TAO)): 1 τ, but the call really has value (amount (TAO)): 7 τ"),
        "{refused}"
    );
    assert!(refused.contains("not signed"), "{refused}");
    assert!(!offline.home.join("altered.signed.json").exists());

    // Signed anyway, the signature is of the 7 TAO call: attached to the 1 TAO call, the chain refuses it.
    let signed = offline.ok(&[
        "sign",
        &offline.path("altered.json"),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
        "--accept-differences",
    ]);
    assert!(signed.contains("7 τ"), "{signed}");
    carry(&offline, &online, "altered.signed.json");
    let dest_before = free_of(s, dest);
    let out = online.fails(&[
        "submit",
        &online.path("one.json"),
        "--signature",
        &online.path("altered.signed.json"),
    ]);
    assert!(
        out.contains("signature was made for a different transaction"),
        "{out}"
    );
    assert!(
        out.contains("BadProof") || out.contains("signature"),
        "{out}"
    );
    assert_eq!(free_of(s, dest), dest_before, "nothing was transferred");

    // Signed properly, but submitted after its era: said before anything is sent.
    carry(&online, &offline, "one.json");
    offline.ok(&[
        "sign",
        &offline.path("one.json"),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
    ]);
    carry(&offline, &online, "one.signed.json");
    let valid_until = read("one.json")["era"]["birth_number"].as_u64().unwrap() + 64;
    s.block_on(async {
        let (_, rpc) = world::connect(s.ws_url()).await;
        let head = chain_reads::head_number(&rpc).await;
        world::new_blocks(&rpc, u32::try_from(valid_until + 1 - head).unwrap()).await;
    });
    let out = online.fails(&["submit", &online.path("one.signed.json")]);
    assert!(out.contains("the transaction expired"), "{out}");
    assert!(
        out.contains(&format!("its era ended at block #{valid_until}")),
        "{out}"
    );
    assert_eq!(free_of(s, dest), dest_before);
}

/// The QR text (prefix `prefix`) a command printed.
fn qr_text(out: &str, prefix: &str) -> String {
    out.split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} text in:\n{out}"))
        .to_owned()
}

/// How large a QR text's code is: its characters, modules, and terminal cells (half blocks, 2 modules of quiet
/// border each side), and whether it fits 80x24 and 120x40 (with a dialog's frame).
fn print_qr_size(what: &str, text: &str) {
    let rows = taotui::ui::widgets::qr::transaction_qr_rows(text.as_bytes()).unwrap();
    let width = rows[0].chars().count();
    let fits = |w: usize, h: usize| width + 2 <= w && rows.len() + 2 <= h;
    println!(
        "QR {what}: {} characters, {} modules, {width}x{} cells; fits 80x24: {}, 120x40: {}",
        text.len(),
        width - 4,
        rows.len(),
        fits(80, 24),
        fits(120, 40)
    );
}

/// The QR route end to end on the command line: the unsigned transfer crosses as its QR text, a separate offline
/// process signs it from stdin, and only the signature's text comes back, paired with the unsigned file online.
/// A signature given with another unsigned file, or altered, is refused with a sentence and nothing is sent.
#[test]
fn a_transfer_crossing_as_qr_text_lands_from_its_signature_text_alone() {
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let suri = format!("//AirgapQr{}", std::process::id());
    let cold = world::account(&suri);
    let dest = world::account(&format!("//AirgapQrDest{}", std::process::id()));
    let dest_ss58 = taotui_keystore::ss58::encode(&dest, 42);
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, cold, 100 * TAO).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let (online, offline) = machines(s, dir.path(), &suri);
    let write = |name: &str, amount: &str| {
        let out = online.ok(&[
            "transfer",
            "-w",
            "cold",
            "--dest",
            &dest_ss58,
            "--amount",
            amount,
            "--sign-offline",
            &online.path(name),
            "-y",
        ]);
        qr_text(&out, "TAOTUI:U1:")
    };
    let text = write("transfer.json", "1.25");
    // Another unsigned transaction, for a signature that is not its own.
    write("other.json", "2");
    print_qr_size("unsigned transfer", &text);
    // Exactly what the file says the signer payload is built from.
    let file =
        taotui::chain::offline::UnsignedTx::read(&online.home.join("transfer.json")).unwrap();
    let read = taotui::chain::offline::compact::parse_unsigned(&text).unwrap();
    assert_eq!(
        (read.signer.as_str(), read.nonce, read.era, &read.call.bytes),
        (file.signer.as_str(), file.nonce, file.era, &file.call.bytes)
    );

    // Offline, from the scanned text on stdin (no file crosses): the same refusal of the metadata check as for
    // the file, then the call in the same words.
    let args = ["sign", "-", "-w", "cold", "-y"];
    let refused = text_of(&offline.run_with_stdin(&args, &format!("{text}\n")));
    assert!(refused.contains("refuses the metadata check"), "{refused}");
    let out = offline.run_with_stdin(
        &["sign", "-", "-w", "cold", "-y", "--no-metadata-hash"],
        &format!("{text}\n"),
    );
    let signed = text_of(&out);
    assert!(out.status.success(), "{signed}");
    println!("{signed}");
    assert!(signed.contains("no network connection is made"), "{signed}");
    assert!(signed.contains("Balances.transfer_keep_alive"), "{signed}");
    assert!(
        signed.contains("1.25 τ") && signed.contains(&dest_ss58),
        "{signed}"
    );
    assert!(!signed.contains("DIFFERENT"), "{signed}");
    // The full signed file is written as for a file, named after the call.
    assert!(
        offline
            .home
            .join("Balances.transfer_keep_alive.signed.json")
            .exists()
    );
    let signature = qr_text(&signed, "TAOTUI:S1:");
    print_qr_size("signature", &signature);

    let dest_before = free_of(s, dest);
    let wrong = online.fails(&[
        "submit",
        &online.path("other.json"),
        "--signature",
        &signature,
    ]);
    assert!(
        wrong.contains("made for another unsigned transaction than")
            && wrong.contains("nothing was submitted"),
        "{wrong}"
    );
    // Right binding, altered signature: it does not verify, said before sending.
    let mut altered = taotui::chain::offline::compact::CompactSignature::parse(&signature).unwrap();
    altered.signature[0] ^= 1;
    let bad = online.fails(&[
        "submit",
        &online.path("transfer.json"),
        "--signature",
        &altered.text(),
    ]);
    assert!(
        bad.contains("does not verify") && bad.contains("nothing was submitted"),
        "{bad}"
    );
    assert_eq!(free_of(s, dest), dest_before, "nothing was transferred");

    // The signature's text alone (in a file here, as a scanner saves it), with the unsigned file it names.
    std::fs::write(online.home.join("signature.txt"), format!("{signature}\n")).unwrap();
    let sent = online.ok(&[
        "submit",
        &online.path("transfer.json"),
        "--signature",
        &online.path("signature.txt"),
    ]);
    assert!(sent.contains("in block #"), "{sent}");
    assert_eq!(free_of(s, dest) - dest_before, 1_250_000_000);
    let history = online.ok(&["history", "--json"]);
    assert!(
        history.contains("Balances.transfer_keep_alive"),
        "{history}"
    );
}

/// How large a transaction file is, as written and as its QR code carries it (JSON without indentation).
fn print_sizes(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    println!(
        "{}: {} bytes as written, {} bytes in its QR code",
        path.file_name().unwrap().to_string_lossy(),
        text.len(),
        serde_json::to_string(&value).unwrap().len()
    );
}

/// Waits for the worker's first answer that `pick` takes, ignoring the rest (blocks, connection news).
async fn answer<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<taotui::action::Action>,
    what: &str,
    mut pick: impl FnMut(taotui::action::Action) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 180 s"))
            .expect("the worker is gone");
        if let Some(t) = pick(action) {
            return t;
        }
    }
}

/// The app's path end to end: a watch-only wallet's transfer is previewed and written by the worker (`o`), signed
/// by the offline `taotui sign` process, then opened, checked and submitted by the worker (History's `s`).
#[test]
fn the_apps_watch_only_wallet_writes_a_transfer_the_offline_process_signs_and_the_app_submits() {
    use taotui::action::{Action, Effect, RequestId, StakeKind, StakeRequest};
    use taotui::worker::{EffectRunner, Worker};
    let Some(s) = world::shared_or_skip() else {
        return;
    };
    let _one = CHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let suri = format!("//AirgapApp{}", std::process::id());
    let cold = world::account(&suri);
    let cold_ss58 = taotui_keystore::ss58::encode(&cold, 42);
    let dest = world::account(&format!("//AirgapAppDest{}", std::process::id()));
    let dest_ss58 = taotui_keystore::ss58::encode(&dest, 42);
    s.block_on(async {
        let (api, rpc) = world::connect(s.ws_url()).await;
        world::fund_from_alice(&api, &rpc, cold, 100 * TAO).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let (_, offline) = machines(s, dir.path(), &suri);
    // The app's machine holds only the address: the coldkey never comes online.
    let app_home = dir.path().join("app");
    let root = taotui_keystore::wallet::WalletRoot::new(app_home.join("wallets"));
    taotui::worker::watch_only(&root, "cold", &cold_ss58).unwrap();
    let data = app_home.join("data");
    let request = StakeRequest {
        kind: StakeKind::Transfer,
        wallet: "cold".to_owned(),
        hotkey: String::new(),
        netuid: 0,
        amount: 1_250_000_000,
        destination: Some(dest_ss58.clone()),
        destination_netuid: None,
        all: false,
        tolerance_bps: 50,
        allow_partial: false,
        proxy: None,
        mev_shield: true,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let network: taotui::chain::network::Network = s.ws_url().parse().unwrap();
    let worker = runtime.block_on(async {
        let worker = Worker::new(root, network, None, tx).with_data_dir(data.clone());
        worker.start_chain();
        answer(&mut rx, "connection", |a| {
            matches!(
                a,
                Action::ConnectionChanged(taotui::action::Connection::Connected { .. })
            )
            .then_some(())
        })
        .await;
        worker
    });

    // Preview, then `o`: the worker writes what the preview showed.
    let file = runtime.block_on(async {
        worker.run(Effect::PreviewStake {
            id: RequestId(1),
            request: request.clone(),
        });
        let preview = answer(&mut rx, "preview", |a| match a {
            Action::StakePreviewed {
                id: RequestId(1),
                result,
            } => Some(result),
            _ => None,
        })
        .await
        .unwrap();
        assert_eq!(preview.call, "Balances.transfer_keep_alive");
        worker.run(Effect::WriteUnsigned {
            id: RequestId(2),
            preview: RequestId(1),
            request: request.clone(),
        });
        answer(&mut rx, "unsigned file", |a| match a {
            Action::UnsignedWritten {
                id: RequestId(2),
                result,
            } => Some(result),
            _ => None,
        })
        .await
        .unwrap()
    });
    let unsigned_path = PathBuf::from(&file.path);
    println!(
        "unsigned transfer file: {} bytes pretty, {} bytes compact (QR)",
        std::fs::metadata(&unsigned_path).unwrap().len(),
        file.qr_data.len()
    );
    assert_eq!(unsigned_path.parent(), Some(data.join("offline").as_path()));
    assert!(
        file.path
            .ends_with("-Balances.transfer_keep_alive.unsigned.json"),
        "{}",
        file.path
    );
    assert_eq!(file.signer, cold_ss58);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&unsigned_path), 0o600);
        assert_eq!(mode(&data.join("offline")), 0o700);
    }
    // The QR code carries the compact text, which names the file's transaction.
    let written = taotui::chain::offline::UnsignedTx::read(&unsigned_path).unwrap();
    let from_qr = taotui::chain::offline::compact::parse_unsigned(&file.qr_data).unwrap();
    assert_eq!(
        taotui::chain::offline::compact::binding(&from_qr).unwrap(),
        taotui::chain::offline::compact::binding(&written).unwrap()
    );
    print_qr_size("unsigned transfer (app)", &file.qr_data);

    // The offline machine signs the scanned text, saved as a file.
    let name = unsigned_path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .replace(".unsigned.json", ".txt");
    std::fs::write(offline.home.join(&name), &file.qr_data).unwrap();
    let signed = offline.ok(&[
        "sign",
        &offline.path(&name),
        "-w",
        "cold",
        "-y",
        "--no-metadata-hash",
    ]);
    let signature = qr_text(&signed, "TAOTUI:S1:");
    assert!(signed.contains("Balances.transfer_keep_alive"), "{signed}");
    assert!(
        signed.contains("1.25 τ") && signed.contains(&dest_ss58),
        "{signed}"
    );
    assert!(!signed.contains("DIFFERENT"), "{signed}");
    // Not a terminal: no QR code drawn into the output.
    assert!(!signed.contains('▀'), "{signed}");
    let signed_name = name.replace(".txt", ".signed.json");
    let signed_path = app_home.join(&signed_name);
    std::fs::copy(offline.home.join(&signed_name), &signed_path).unwrap();
    print_sizes(&signed_path);
    // The compact text fits one QR code that fits 120x40.
    assert!(file.qr_data.len() <= 400, "{}", file.qr_data.len());

    let dest_before = free_of(s, dest);
    let (refused, view, done, again) = runtime.block_on(async {
        // The unsigned file is refused with a sentence; the signed one is shown as the chain decodes it.
        worker.run(Effect::OpenSigned {
            id: RequestId(3),
            path: file.path.clone(),
        });
        let refused = answer(&mut rx, "refusal", |a| match a {
            Action::SignedOpened {
                id: RequestId(3),
                result,
            } => Some(result),
            _ => None,
        })
        .await;
        worker.run(Effect::OpenSigned {
            id: RequestId(4),
            path: signed_path.display().to_string(),
        });
        let view = answer(&mut rx, "signed file", |a| match a {
            Action::SignedOpened {
                id: RequestId(4),
                result,
            } => Some(result),
            _ => None,
        })
        .await;
        // The pasted signature's text, paired with the unsigned file the app wrote: shown, then submitted.
        worker.run(Effect::OpenSigned {
            id: RequestId(7),
            path: signature.clone(),
        });
        let pasted = answer(&mut rx, "signature text", |a| match a {
            Action::SignedOpened {
                id: RequestId(7),
                result,
            } => Some(result),
            _ => None,
        })
        .await;
        let pasted = pasted.unwrap();
        assert_eq!(pasted.call, "Balances.transfer_keep_alive");
        assert!(
            pasted
                .notes
                .iter()
                .any(|n| n.contains(&format!("unsigned transaction in {}", file.path))),
            "{pasted:?}"
        );
        worker.run(Effect::SubmitSigned {
            id: RequestId(5),
            path: signature.clone(),
        });
        let done = answer(&mut rx, "submission", |a| match a {
            Action::TxDone {
                id: RequestId(5),
                result,
            } => Some(result),
            _ => None,
        })
        .await;
        // The same file again: its nonce is used, said before anything is sent.
        worker.run(Effect::OpenSigned {
            id: RequestId(6),
            path: signed_path.display().to_string(),
        });
        let again = answer(&mut rx, "second opening", |a| match a {
            Action::SignedOpened {
                id: RequestId(6),
                result,
            } => Some(result),
            _ => None,
        })
        .await;
        (refused, view, done, again)
    });
    let refused = refused.unwrap_err();
    assert!(refused.contains("is not signed yet"), "{refused}");
    let view = view.unwrap();
    assert_eq!(view.call, "Balances.transfer_keep_alive");
    assert_eq!(view.signer, cold_ss58);
    assert!(
        view.lines.iter().any(|(_, v)| v.contains(&dest_ss58)),
        "{view:?}"
    );
    let done = done.unwrap();
    assert!(done.contains("in block #"), "{done}");
    assert_eq!(free_of(s, dest) - dest_before, 1_250_000_000);
    let again = again.unwrap_err();
    assert!(again.contains("stale nonce"), "{again}");
    // Tracked like any transaction sent here: in this machine's history.
    let history = std::fs::read_to_string(data.join("history.jsonl")).unwrap_or_default();
    assert!(
        history.contains("Balances.transfer_keep_alive") && history.contains("\"dest\""),
        "{history}"
    );
    drop(worker);
    runtime.shutdown_background();
}
