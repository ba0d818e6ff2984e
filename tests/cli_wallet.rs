//! Drives the real `taotui` binary on temporary wallet folders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_taotui");
const DEV_PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const STRONG: &str = "violet-anvil-nimbus-93-harbor";
const STRONG2: &str = "copper-lantern-orbit-57-meadow";

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    pw: PathBuf,
    pw2: PathBuf,
}

impl Env {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("wallets");
        let pw = tmp.path().join("pw");
        let pw2 = tmp.path().join("pw2");
        fs::write(&pw, format!("{STRONG}\n")).unwrap();
        fs::write(&pw2, format!("{STRONG2}\n")).unwrap();
        Env {
            _tmp: tmp,
            root,
            pw,
            pw2,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--wallet-path")
            .arg(&self.root)
            .args(args)
            .env_remove("TAOTUI_PASSWORD_FILE")
            .env_remove("TAOTUI_NEW_PASSWORD_FILE")
            .env_remove("BT_WALLET_PATH")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "taotui {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fail(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "taotui {args:?} unexpectedly succeeded"
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn pw(&self) -> &str {
        self.pw.to_str().unwrap()
    }

    /// A file holding `secret` (secrets never go on the command line).
    fn secret(&self, secret: &str) -> String {
        let n = fs::read_dir(self._tmp.path()).unwrap().count();
        let path = self._tmp.path().join(format!("secret{n}"));
        fs::write(&path, format!("{secret}\n")).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// Runs with `input` piped on standard input.
    fn with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn pw2(&self) -> &str {
        self.pw2.to_str().unwrap()
    }

    fn wallet(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Restores //Alice as the coldkey of `name` in the given format.
    fn alice(&self, name: &str, format: &str) {
        let uri = self.secret(&format!("{DEV_PHRASE}//Alice"));
        self.ok(&[
            "wallet",
            "regen-coldkey",
            "--wallet-name",
            name,
            "--secret-file",
            &uri,
            "--format",
            format,
            "--password-file",
            self.pw(),
        ]);
    }
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Reads stderr of a running `wallet create` until it asks for a word, answers from the shown
/// mnemonic (or with `wrong` words), and returns the mnemonic and the whole stderr.
fn drive_create(env: &Env, name: &str, words: &str, wrong: bool) -> (Output, Vec<String>) {
    let mut child = env
        .cmd(&[
            "wallet",
            "create",
            "--wallet-name",
            name,
            "--words",
            words,
            "--password-file",
            env.pw(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<u8>();
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        while let Ok(1) = stderr.read(&mut byte) {
            if tx.send(byte[0]).is_err() {
                break;
            }
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let mut seen = String::new();
    let mut mnemonic: Vec<String> = Vec::new();
    let mut answered = 0;
    while let Ok(b) = rx.recv_timeout(Duration::from_secs(30)) {
        seen.push(b as char);
        if mnemonic.is_empty() && seen.contains("WARNING") {
            // The grid is "   1. word      2. word ..." lines before the warning.
            let grid = &seen[..seen.find("WARNING").unwrap()];
            let mut numbered: Vec<(usize, String)> = Vec::new();
            let tokens: Vec<&str> = grid.split_whitespace().collect();
            for pair in tokens.windows(2) {
                if let Some(n) = pair[0].strip_suffix('.').and_then(|n| n.parse().ok()) {
                    numbered.push((n, pair[1].to_owned()));
                }
            }
            numbered.sort();
            mnemonic = numbered.into_iter().map(|(_, w)| w).collect();
        }
        let asked = seen
            .rfind("Word #")
            .filter(|_| seen.ends_with(": "))
            .and_then(|pos| seen[pos + 6..].strip_suffix(": ")?.parse::<usize>().ok());
        if let Some(n) = asked {
            let word = if wrong {
                "zzz".to_owned()
            } else {
                mnemonic[n - 1].clone()
            };
            writeln!(stdin, "{}", word.to_uppercase()).unwrap();
            answered += 1;
            seen.push('\n');
        }
    }
    drop(stdin);
    let mut out = child.wait_with_output().unwrap();
    out.stderr = seen.into_bytes();
    assert!(
        answered >= 3,
        "expected word prompts, stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out, mnemonic)
}

#[test]
fn create_shows_mnemonic_confirms_words_and_writes_private_files() {
    let env = Env::new();
    let (out, mnemonic) = drive_create(&env, "alpha", "24", false);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "create failed: {stderr}");
    assert_eq!(mnemonic.len(), 24);
    // The mnemonic went to stderr only: stdout carries results.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(&mnemonic[0..4].join(" ")));
    assert!(stdout.contains("Wallet created"));

    let w = env.wallet("alpha");
    assert_eq!(mode(&w.join("coldkey")), 0o600);
    assert_eq!(mode(&w), 0o700);
    assert!(fs::read(w.join("coldkey")).unwrap().starts_with(b"taotui"));

    let show = env.json(&["wallet", "show", "--wallet-name", "alpha"]);
    assert_eq!(show["name"], "alpha");
    assert_eq!(show["coldkey"]["format"], "native");
    assert_eq!(show["coldkey"]["encrypted"], true);
    let ss58 = show["coldkey"]["ss58"].as_str().unwrap().to_owned();

    // The words shown are the key written: verify-backup and key inspect agree.
    let secret = env._tmp.path().join("mnemonic");
    fs::write(&secret, mnemonic.join(" ")).unwrap();
    env.ok(&[
        "wallet",
        "verify-backup",
        "--wallet-name",
        "alpha",
        "--secret-file",
        secret.to_str().unwrap(),
    ]);
    let inspected = env.json(&["key", "inspect", "--secret-file", secret.to_str().unwrap()]);
    assert_eq!(inspected["ss58Address"], ss58.as_str());

    // Right password unlocks; a wrong one fails with a clear message.
    let unlocked = env.json(&[
        "wallet",
        "show",
        "--wallet-name",
        "alpha",
        "--unlock",
        "--password-file",
        env.pw(),
    ]);
    assert_eq!(unlocked["unlocked"], true);
    let err = env.fail(&[
        "wallet",
        "show",
        "--wallet-name",
        "alpha",
        "--unlock",
        "--password-file",
        env.pw2(),
    ]);
    assert!(err.to_lowercase().contains("password"), "{err}");
}

#[test]
fn create_with_wrong_words_writes_nothing() {
    let env = Env::new();
    let (out, _) = drive_create(&env, "beta", "12", true);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was written"));
    assert!(!env.wallet("beta").join("coldkey").exists());
}

#[test]
fn regen_refuses_to_overwrite_and_backs_up_when_asked() {
    let env = Env::new();
    env.alice("w", "native");
    let show = env.json(&["wallet", "show", "--wallet-name", "w"]);
    assert_eq!(show["coldkey"]["ss58"], ALICE);
    let before = fs::read(env.wallet("w").join("coldkey")).unwrap();

    let bob = env.secret(&format!("{DEV_PHRASE}//Bob"));
    let args = [
        "wallet",
        "regen-coldkey",
        "--wallet-name",
        "w",
        "--secret-file",
        &bob,
        "--password-file",
        env.pw(),
    ];
    let err = env.fail(&args);
    assert!(err.contains("--overwrite"), "{err}");
    assert_eq!(fs::read(env.wallet("w").join("coldkey")).unwrap(), before);

    // --overwrite without confirmation (no terminal, no -y) is refused too.
    let mut with_overwrite = args.to_vec();
    with_overwrite.push("--overwrite");
    let err = env.fail(&with_overwrite);
    assert!(err.contains("not confirmed"), "{err}");
    assert_eq!(fs::read(env.wallet("w").join("coldkey")).unwrap(), before);

    with_overwrite.push("-y");
    env.ok(&with_overwrite);
    let show = env.json(&["wallet", "show", "--wallet-name", "w"]);
    assert_eq!(show["coldkey"]["ss58"], BOB);
    let backups: Vec<_> = fs::read_dir(env.wallet("w").join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        backups.iter().any(|b| fs::read(b).unwrap() == before),
        "old coldkey not kept: {backups:?}"
    );
}

#[test]
fn change_password_and_convert_keep_the_key() {
    let env = Env::new();
    env.alice("w", "native");
    env.ok(&[
        "wallet",
        "change-password",
        "--wallet-name",
        "w",
        "--password-file",
        env.pw(),
        "--new-password-file",
        env.pw2(),
    ]);
    env.fail(&[
        "wallet",
        "show",
        "-w",
        "w",
        "--unlock",
        "--password-file",
        env.pw(),
    ]);
    env.ok(&[
        "wallet",
        "show",
        "-w",
        "w",
        "--unlock",
        "--password-file",
        env.pw2(),
    ]);

    env.ok(&[
        "wallet",
        "convert",
        "-w",
        "w",
        "--to",
        "btcli",
        "--password-file",
        env.pw2(),
    ]);
    let bytes = fs::read(env.wallet("w").join("coldkey")).unwrap();
    assert!(bytes.starts_with(b"$NACL"));
    let show = env.json(&[
        "wallet",
        "show",
        "-w",
        "w",
        "--unlock",
        "--password-file",
        env.pw2(),
    ]);
    assert_eq!(show["coldkey"]["format"], "nacl");
    assert_eq!(show["coldkey"]["ss58"], ALICE);
}

#[test]
fn weak_and_short_passwords_from_a_file_are_refused() {
    let env = Env::new();
    let weak = env._tmp.path().join("weak");
    for pw in ["password1", "x7#qZ"] {
        fs::write(&weak, pw).unwrap();
        let uri = env.secret(&format!("{DEV_PHRASE}//Alice"));
        let err = env.fail(&[
            "wallet",
            "regen-coldkey",
            "-w",
            "w",
            "--secret-file",
            &uri,
            "--password-file",
            weak.to_str().unwrap(),
        ]);
        assert!(err.contains("weak") || err.contains("too short"), "{err}");
        assert!(
            !err.contains(pw),
            "the password leaked into the error: {err}"
        );
        assert!(!env.wallet("w").join("coldkey").exists());
    }
}

#[test]
fn hotkeys_watch_only_list_and_show() {
    let env = Env::new();
    env.alice("w", "native");
    env.ok(&["wallet", "new-hotkey", "-w", "w", "--hotkey", "hk1"]);
    let bob = format!("{DEV_PHRASE}//Bob");
    let out = env.with_stdin(
        &[
            "wallet",
            "regen-hotkey",
            "-w",
            "w",
            "--hotkey",
            "hk2",
            "--secret-file",
            "-",
        ],
        &format!("{bob}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.ok(&[
        "wallet",
        "regen-coldkey",
        "-w",
        "watch",
        "--watch-only",
        BOB,
    ]);

    let show = env.json(&["wallet", "show", "-w", "w"]);
    let hotkeys = show["hotkeys"].as_array().unwrap();
    assert_eq!(hotkeys.len(), 2);
    assert_eq!(hotkeys[1]["name"], "hk2");
    assert_eq!(hotkeys[1]["ss58"], BOB);
    assert_eq!(hotkeys[1]["format"], "plain");
    assert_eq!(hotkeys[1]["encrypted"], false);

    let watch = env.json(&["wallet", "show", "-w", "watch"]);
    assert_eq!(watch["coldkey"]["format"], "pub-only");
    assert_eq!(watch["coldkey"]["ss58"], BOB);

    let list = env.json(&["wallet", "list"]);
    let names: Vec<&str> = list["wallets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["w", "watch"]);
    let human = env.ok(&["wallet", "list"]);
    assert!(
        human.contains(ALICE) && human.contains("hk1, hk2"),
        "{human}"
    );
}

#[test]
fn verify_backup_rejects_the_wrong_words() {
    let env = Env::new();
    env.alice("w", "native");
    let bob = env.secret(&format!("{DEV_PHRASE}//Bob"));
    let err = env.fail(&["wallet", "verify-backup", "-w", "w", "--secret-file", &bob]);
    assert!(err.contains("does NOT match"), "{err}");
    let alice = env.secret(&format!("{DEV_PHRASE}//Alice"));
    env.ok(&[
        "wallet",
        "verify-backup",
        "-w",
        "w",
        "--secret-file",
        &alice,
    ]);
}

#[test]
fn bad_input_gets_clear_errors() {
    let env = Env::new();
    let typo = env.secret("bottom drive obey lake curtain smoke basket hold race lonely fit wallk");
    let err = env.fail(&["key", "inspect", "--secret-file", &typo]);
    assert!(err.contains("word 12"), "{err}");
    let err = env.fail(&[
        "wallet",
        "regen-coldkey",
        "-w",
        "x",
        "--watch-only",
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ",
    ]);
    assert!(err.contains("checksum"), "{err}");
    let err = env.fail(&["wallet", "show", "-w", "../escape"]);
    assert!(err.contains("invalid wallet name"), "{err}");
    let err = env.fail(&["wallet", "show", "-w", "missing"]);
    assert!(err.contains("no wallet named missing"), "{err}");
    // No terminal and no password file: say how to give one.
    env.alice("w", "native");
    let err = env.fail(&["wallet", "show", "-w", "w", "--unlock"]);
    assert!(err.contains("--password-file"), "{err}");
}

#[test]
fn key_inspect_matches_subkey() {
    let env = Env::new();
    let out = env.with_stdin(&["key", "inspect", "-", "--json"], "//Alice\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alice: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        alice,
        serde_json::json!({
            "publicKey": "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
            "accountId": "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
            "ss58Address": ALICE,
        })
    );
    let secret = env.secret("//Alice");
    let ed = env.json(&[
        "key",
        "inspect",
        "--secret-file",
        &secret,
        "--scheme",
        "ed25519",
    ]);
    assert_eq!(
        ed["publicKey"],
        "0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Wallets made by the real bittensor-wallet (and legacy formats) work untouched: shown with the
/// right format and address, unlocked with their password, and never modified by reading.
#[test]
fn btcli_made_wallets_show_and_unlock_untouched() {
    let env = Env::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/fixtures");
    copy_tree(&fixtures.join("wallets"), &env.root);
    let cases: Value =
        serde_json::from_str(&fs::read_to_string(fixtures.join("wallets.json")).unwrap()).unwrap();
    for case in cases.as_array().unwrap() {
        let wallet = case["wallet"].as_str().unwrap();
        let key = case["key"].as_str().unwrap();
        let show = env.json(&["wallet", "show", "-w", wallet]);
        let entry = if key == "coldkey" {
            show["coldkey"].clone()
        } else {
            show["hotkeys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["name"] == key)
                .cloned()
                .unwrap_or_else(|| panic!("{wallet}: hotkey {key} not listed: {show}"))
        };
        assert_eq!(entry["ss58"], case["ss58Address"], "{wallet}/{key}");
        assert_eq!(entry["format"], case["format"], "{wallet}/{key}");
        if key != "coldkey" {
            continue;
        }
        let before = fs::read(env.root.join(wallet).join("coldkey")).unwrap();
        let args = ["wallet", "show", "-w", wallet, "--unlock"];
        match case["password"].as_str() {
            Some(password) => {
                let pw = env._tmp.path().join(format!("{wallet}.pw"));
                fs::write(&pw, password).unwrap();
                let mut with_pw = args.to_vec();
                with_pw.extend(["--password-file", pw.to_str().unwrap()]);
                let unlocked = env.json(&with_pw);
                assert_eq!(unlocked["unlocked"], true, "{wallet}");
                fs::write(&pw, "not-the-password-at-all").unwrap();
                let err = env.fail(&with_pw);
                assert!(err.contains("password"), "{wallet}: {err}");
            }
            None => {
                let unlocked = env.json(&args);
                assert_eq!(unlocked["unlocked"], true, "{wallet}");
            }
        }
        assert_eq!(
            fs::read(env.root.join(wallet).join("coldkey")).unwrap(),
            before,
            "{wallet}: reading changed the file"
        );
    }
}

/// The CLI reads the same config file as the terminal app: its network and wallet path apply
/// unless an option or environment variable says otherwise.
#[test]
fn cli_uses_the_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let wallets = tmp.path().join("from-config");
    fs::create_dir_all(config.join("taotui")).unwrap();
    fs::create_dir_all(wallets.join("cfgwallet")).unwrap();
    fs::write(
        config.join("taotui/config.toml"),
        format!(
            "network = \"ws://127.0.0.1:9\"\nwallet_path = \"{}\"\n",
            wallets.display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("XDG_CONFIG_HOME", &config)
            .env_remove("BT_WALLET_PATH")
            .env_remove("TAOTUI_NETWORK")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["wallet", "list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["wallets"][0]["name"], "cfgwallet");
    let out = run(&["overview"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ws://127.0.0.1:9"), "{err}");
    // An option still wins over the file.
    let out = run(&["--network", "ws://127.0.0.1:7", "overview"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("ws://127.0.0.1:7"));
}

#[test]
fn secrets_on_the_command_line_are_refused_with_what_to_use_instead() {
    let env = Env::new();
    let uri = format!("{DEV_PHRASE}//Alice");
    for args in [
        vec!["wallet", "regen-coldkey", "-w", "w", "--uri", &uri],
        vec![
            "wallet",
            "regen-coldkey",
            "-w",
            "w",
            "--mnemonic",
            DEV_PHRASE,
        ],
        vec![
            "wallet",
            "regen-coldkey",
            "-w",
            "w",
            "--seed",
            "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e",
        ],
        vec!["wallet", "regen-hotkey", "-w", "w", "--uri", "//Bob"],
        vec!["wallet", "verify-backup", "-w", "w", "--uri", "//Bob"],
        vec!["key", "inspect", "//Alice"],
        vec!["key", "inspect", DEV_PHRASE],
    ] {
        let out = env.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(
            err.contains("--secret-file") && err.contains("shell history"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("bottom drive"),
            "{args:?} echoed the secret: {err}"
        );
        assert!(!env.wallet("w").join("coldkey").exists());
    }
    // An address is public: inspecting one on the command line still works.
    let info = env.json(&["key", "inspect", ALICE]);
    assert_eq!(info["ss58Address"], ALICE);
    // The hidden options stay out of the help.
    let help = env.ok(&["wallet", "regen-coldkey", "--help"]);
    assert!(
        help.contains("--secret-file") && !help.contains("--uri"),
        "{help}"
    );
}

#[test]
fn files_taotui_writes_are_private() {
    let env = Env::new();
    let data = env._tmp.path().join("data");
    let config = env._tmp.path().join("config");
    // The terminal app: without a terminal it stops at once (or is stopped), after opening its log.
    env.cmd(&["--network", "ws://127.0.0.1:9"])
        .env("TAOTUI_DATA_DIR", &data)
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_CACHE_HOME", env._tmp.path().join("cache"))
        .timeout_output(Duration::from_secs(20));
    let log = data.join("taotui.log");
    assert!(log.exists(), "the app writes its log under TAOTUI_DATA_DIR");
    assert_eq!(mode(&log), 0o600, "taotui.log");
    assert_eq!(mode(&data), 0o700, "the data folder");

    // A log left world-readable by an older version is narrowed at the next start.
    fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
    env.cmd(&["--network", "ws://127.0.0.1:9"])
        .env("TAOTUI_DATA_DIR", &data)
        .env("XDG_CONFIG_HOME", &config)
        .timeout_output(Duration::from_secs(20));
    assert_eq!(mode(&log), 0o600, "taotui.log after a restart");
}

trait RunFor {
    fn timeout_output(&mut self, limit: Duration);
}

impl RunFor for Command {
    /// Runs to the end or for at most `limit`, output discarded.
    fn timeout_output(&mut self, limit: Duration) {
        let mut child = self
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + limit;
        while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `env.cmd` with the config and data folders inside the test's folder.
fn isolated(env: &Env, args: &[&str]) -> Command {
    let mut c = env.cmd(args);
    c.env("XDG_CONFIG_HOME", env._tmp.path().join("config"))
        .env("TAOTUI_DATA_DIR", env._tmp.path().join("data"))
        .env_remove("TAOTUI_NETWORK");
    c
}

#[test]
fn address_book_add_list_remove_in_a_private_file() {
    let env = Env::new();
    let run = |args: &[&str]| isolated(&env, args).output().unwrap();
    let out = run(&["address", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("empty"));
    assert!(run(&["address", "add", "exchange", BOB]).status.success());
    let out = run(&["address", "add", "exchange", ALICE]);
    assert!(!out.status.success(), "a name is not silently replaced");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already in the address book"));
    let out = run(&[
        "address",
        "add",
        "typo",
        "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694tz",
    ]);
    assert!(!out.status.success());
    let out = run(&["address", "list", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list, serde_json::json!([{"name": "exchange", "ss58": BOB}]));
    let file = env._tmp.path().join("config/taotui/addresses.toml");
    assert_eq!(mode(&file), 0o600, "addresses.toml");
    assert_eq!(mode(file.parent().unwrap()), 0o700, "the config folder");
    assert!(fs::read_to_string(&file).unwrap().contains(BOB));
    assert!(run(&["address", "remove", "exchange"]).status.success());
    let out = run(&["address", "list", "--json"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        serde_json::json!([])
    );
    assert!(!run(&["address", "remove", "exchange"]).status.success());
}

#[test]
fn transfer_names_a_recipient_and_warns_before_anything_is_built() {
    let env = Env::new();
    env.alice("main", "native");
    let run = |args: &[&str], stdin: &str| {
        let mut child = isolated(&env, args)
            .args(["--network", "ws://127.0.0.1:9"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let transfer = ["transfer", "-w", "main", "--amount", "1", "--dest"];

    // A new address: said before the chain is even asked.
    let err = run(&[&transfer[..], &[BOB]].concat(), "");
    assert!(err.contains("never sent to"), "{err}");
    assert!(!err.contains("looks like"), "{err}");

    // A name from the book resolves; an unknown name is a clear error.
    isolated(&env, &["address", "add", "bob", BOB])
        .output()
        .unwrap();
    let err = run(&[&transfer[..], &["bob"]].concat(), "");
    assert!(err.contains(&format!("Recipient: bob = {BOB}")), "{err}");
    assert!(
        !err.contains("never sent to"),
        "a book entry is known: {err}"
    );
    let err = run(&[&transfer[..], &["nobody"]].concat(), "");
    assert!(err.contains("neither an SS58 address nor a name"), "{err}");
    // Own wallets are names too.
    let err = run(&[&transfer[..], &["main"]].concat(), "");
    assert!(err.contains(&format!("Recipient: main = {ALICE}")), "{err}");

    // A valid address with Alice's first 9 and last 4 characters (found by search): refused
    // unless its last 8 characters are typed, -y or not.
    let fake = LOOKALIKE_OF_ALICE;
    let err = run(&[&transfer[..], &[fake, "-y"]].concat(), "");
    assert!(err.contains(&format!("looks like {ALICE} (main)")), "{err}");
    assert!(err.contains("not sent"), "{err}");
    let err = run(&[&transfer[..], &[fake]].concat(), "wrong\n");
    assert!(err.contains("not sent"), "{err}");
    let err = run(
        &[&transfer[..], &[fake]].concat(),
        &format!("{}\n", &fake[40..]),
    );
    assert!(
        !err.contains("not sent"),
        "confirmed, it goes on to the chain: {err}"
    );
    // Nor can it be given a name.
    let out = isolated(&env, &["address", "add", "fake", fake])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("looks like"));
}

/// Shares `ALICE`'s first 9 and last 4 characters; a different key (search by script).
const LOOKALIKE_OF_ALICE: &str = "5GrwvaEF5ymZPtUz7TRBExuDRpVgbBtnaquRY4u266TsutQY";
