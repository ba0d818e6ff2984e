//! Drives the real `taotui` binary in a real terminal (tmux) against the local Subtensor runtime:
//! restore the seeded nominator's wallet, stake to a validator, see the result, unstake.
//! Skipped (with the reason printed) where tmux or the local chain is not available.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(unused_imports)] // the shared support re-exports a macro this test does not use
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::world::{NOMINATOR_MNEMONIC, shared_or_skip};

const PASSWORD: &str = "violet tractor ninety lantern";

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
        std::thread::sleep(Duration::from_millis(150));
    }

    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("`{needle}` did not appear within {timeout:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

#[test]
fn stake_and_unstake_from_the_terminal_app() {
    if Command::new("tmux").arg("-V").output().is_err() {
        // Under CI a missing tool is a failure, never a silent pass (scripts/test.sh installs it).
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tmux is not installed; scripts/test.sh installs it"
        );
        println!("SKIPPED: stake_and_unstake_from_the_terminal_app: tmux is not installed");
        return;
    }
    let Some(shared) = shared_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wallets = dir.path().join("wallets");
    let cmd = format!(
        "XDG_CONFIG_HOME={d}/config XDG_DATA_HOME={d}/data XDG_CACHE_HOME={d}/cache {bin} --wallet-path {w} --network {url}",
        d = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_taotui"),
        w = wallets.display(),
        url = shared.ws_url(),
    );
    let tmux = Tmux {
        socket: format!("taotui-e2e-{}", std::process::id()),
    };
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    tmux.wait_for("No wallets yet", Duration::from_secs(10));

    // Restore the seeded, funded nominator.
    tmux.keys(&["R"]);
    tmux.text("nominator");
    tmux.keys(&["Enter"]);
    tmux.text(NOMINATOR_MNEMONIC);
    tmux.keys(&["Enter"]);
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    tmux.text(PASSWORD);
    tmux.keys(&["Enter", "Enter"]);
    tmux.wait_for("restored", Duration::from_secs(30));
    tmux.keys(&["Escape"]);
    tmux.wait_for("connected (runtime", Duration::from_secs(60));

    // Portfolio shows the seeded positions.
    tmux.keys(&["2"]);
    let before = tmux.wait_for("Positions (", Duration::from_secs(60));

    // Stake 1 TAO to the first validator on root.
    tmux.keys(&["3"]);
    tmux.wait_for("Nominators", Duration::from_secs(60));
    tmux.keys(&["Enter"]);
    tmux.wait_for("Amount (TAO)", Duration::from_secs(5));
    tmux.text("1");
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "This is exactly what will be signed",
        Duration::from_secs(60),
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Coldkey password", Duration::from_secs(5));
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for("Enter or Esc close", Duration::from_secs(120));
    assert!(done.contains("Done: SubtensorModule.add_stake"), "{done}");
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));

    // The portfolio is read again; unstake 0.5 alpha from the largest position.
    tmux.keys(&["2"]);
    tmux.keys(&["r"]);
    std::thread::sleep(Duration::from_secs(2));
    let after = tmux.wait_for("Positions (", Duration::from_secs(60));
    tmux.keys(&["u"]);
    tmux.wait_for("Unstake", Duration::from_secs(5));
    tmux.text("0.5");
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "This is exactly what will be signed",
        Duration::from_secs(60),
    );
    tmux.keys(&["Enter"]);
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for("Enter or Esc close", Duration::from_secs(120));
    assert!(
        done.contains("Done: SubtensorModule.remove_stake"),
        "{done}"
    );
    // Esc and a digit in one write would arrive as Alt-digit.
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["5"]);
    let history = tmux.wait_for("add_stake", Duration::from_secs(10));
    assert!(history.contains("remove_stake"), "{history}");
    tmux.keys(&["q"]);
    println!("before:\n{before}\nafter:\n{after}\nhistory:\n{history}");
}
