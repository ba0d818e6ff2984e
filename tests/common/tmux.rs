//! A real terminal for the terminal app: a private tmux server with one session running a command.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    /// Whether tmux can run here. Under CI a missing tool is a failure, never a silent pass (scripts/test.sh
    /// installs it); elsewhere the caller skips with a `SKIPPED:` line.
    pub fn available(test: &str) -> bool {
        if Command::new("tmux").arg("-V").output().is_ok() {
            return true;
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tmux is not installed; scripts/test.sh installs it"
        );
        println!("SKIPPED: {test}: tmux is not installed");
        false
    }

    /// A new server (named after `name` and this process) whose one session runs `command` in a `width` x
    /// `height` terminal.
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        // A fresh server each time: one just killed may still be going away under the same name.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmux = Tmux {
            socket: format!("taotui-{name}-{}-{n}", std::process::id()),
            session: name.to_owned(),
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Named keys ("Enter", "Escape"); a short pause lets the app read them as separate key presses
    /// (Esc followed at once by a digit would arrive as Alt-digit).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", &self.session, key]);
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    pub fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", text]);
        std::thread::sleep(Duration::from_millis(120));
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.session])
    }

    /// Polls the screen until `ready` accepts it, or gives the last screen after `timeout`.
    pub fn try_wait_until(
        &self,
        timeout: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return Ok(screen);
            }
            if start.elapsed() > timeout {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls the screen until `ready` accepts it; panics with the last screen after `timeout`.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> String {
        self.try_wait_until(timeout, ready)
            .unwrap_or_else(|screen| {
                panic!("{what}: not seen within {timeout:?}; the screen:\n{screen}")
            })
    }

    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        self.wait_until(&format!("`{needle}`"), timeout, |s| s.contains(needle))
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
