//! Questions to the user. Prompts and anything secret that must be shown (a new mnemonic) go to
//! stderr so that stdout carries only results and a redirected stdout never captures a secret.
//! Answers come from stdin, so scripts and tests can drive every flow; passwords come from a
//! file or the terminal without echo, never from a plain stdin line.

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use secrecy::{ExposeSecret, SecretString};
use taotui_keystore::password::{PasswordVerdict, judge_new_password};
use zeroize::Zeroizing;

pub struct Prompter {
    password_file: Option<PathBuf>,
    assume_yes: bool,
}

impl Prompter {
    pub fn new(password_file: Option<PathBuf>, assume_yes: bool) -> Self {
        Prompter {
            password_file,
            assume_yes,
        }
    }

    /// A line for the user on stderr (previews included: amounts masked under `--hide-balances`).
    pub fn say(&self, text: &str) {
        let text = crate::privacy::masked(text);
        let mut err = io::stderr().lock();
        let _ = writeln!(err, "{text}");
        let _ = err.flush();
    }

    /// Clears the terminal and its scrollback (used after a mnemonic was shown).
    pub fn clear_screen(&self) {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\x1b[3J\x1b[2J\x1b[H");
        let _ = err.flush();
    }

    /// Reads one line from stdin after printing `prompt`; the line is wrapped at once so it can
    /// hold a mnemonic.
    pub fn line(&self, prompt: &str) -> Result<SecretString> {
        {
            let mut err = io::stderr().lock();
            write!(err, "{prompt}")?;
            err.flush()?;
        }
        let mut buf = Zeroizing::new(String::new());
        let n = io::stdin().lock().read_line(&mut buf)?;
        if n == 0 {
            bail!("no answer: standard input is closed");
        }
        let trimmed = buf.trim_end_matches(['\n', '\r']).to_owned();
        Ok(SecretString::from(trimmed))
    }

    /// A yes/no question; `-y` answers yes. Without a terminal and without `-y` the answer is no.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        if self.assume_yes {
            return Ok(true);
        }
        let answer = self.line(&format!("{question} [y/N] "));
        Ok(match answer {
            Ok(a) => matches!(
                a.expose_secret().trim().to_ascii_lowercase().as_str(),
                "y" | "yes"
            ),
            Err(_) => false,
        })
    }

    /// The password of an existing key: from `--password-file`/`TAOTUI_PASSWORD_FILE`, else the
    /// terminal without echo.
    pub fn password(&self, what: &str) -> Result<SecretString> {
        match &self.password_file {
            Some(path) => read_password_file(path),
            None => ask_hidden(&format!("Password for {what}: ")),
        }
    }

    /// A new password: from `file` (first line) or typed twice on the terminal; too-short ones
    /// are refused, weak ones need `allow_weak` or a confirmation on the terminal.
    pub fn new_password(
        &self,
        file: Option<&Path>,
        what: &str,
        context: &[&str],
        allow_weak: bool,
    ) -> Result<SecretString> {
        let from_file = file.is_some();
        loop {
            let password = match file {
                Some(path) => read_password_file(path)?,
                None => {
                    let first = ask_hidden(&format!("New password for {what}: "))?;
                    let second = ask_hidden("Type it again: ")?;
                    if first.expose_secret() != second.expose_secret() {
                        self.say("The two passwords differ; try again.");
                        continue;
                    }
                    first
                }
            };
            let verdict = judge_new_password(&password, context);
            match verdict {
                PasswordVerdict::Strong { .. } => {
                    self.say(&format!("Password strength: {}.", verdict.describe()));
                    return Ok(password);
                }
                PasswordVerdict::TooShort { .. } => {
                    if from_file {
                        bail!("the new password is {}", verdict.describe());
                    }
                    self.say(&format!("That password is {}.", verdict.describe()));
                }
                PasswordVerdict::Weak { .. } => {
                    if allow_weak {
                        self.say(&format!(
                            "Warning: the password is {} (accepted: --allow-weak-password).",
                            verdict.describe()
                        ));
                        return Ok(password);
                    }
                    if from_file || !io::stdin().is_terminal() {
                        bail!(
                            "the new password is {}; choose a stronger one or pass --allow-weak-password",
                            verdict.describe()
                        );
                    }
                    self.say(&format!("Warning: the password is {}.", verdict.describe()));
                    if self.confirm("Use it anyway?")? {
                        return Ok(password);
                    }
                }
            }
        }
    }
}

fn ask_hidden(prompt: &str) -> Result<SecretString> {
    if !io::stdin().is_terminal() {
        bail!(
            "no terminal to ask for a password; pass --password-file PATH or set TAOTUI_PASSWORD_FILE"
        );
    }
    let typed = rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|e| anyhow!("could not read the password from the terminal: {e}"))?;
    Ok(typed)
}

/// The first line of a password file, trailing newline (and CR) stripped, nothing else.
pub fn read_password_file(path: &Path) -> Result<SecretString> {
    let content = Zeroizing::new(
        fs::read(path)
            .with_context(|| format!("could not read password file {}", path.display()))?,
    );
    let text = std::str::from_utf8(&content)
        .map_err(|_| anyhow!("password file {} is not UTF-8 text", path.display()))?;
    let first = text.split('\n').next().unwrap_or("");
    let first = first.strip_suffix('\r').unwrap_or(first);
    if first.is_empty() {
        bail!("password file {} is empty", path.display());
    }
    Ok(SecretString::from(first.to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn password_file_takes_first_line_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        fs::write(&p, "  spaced pässwörd \r\nsecond line\n").unwrap();
        assert_eq!(
            read_password_file(&p).unwrap().expose_secret(),
            "  spaced pässwörd "
        );
        fs::write(&p, "\nx").unwrap();
        assert!(read_password_file(&p).is_err());
        let err = read_password_file(&dir.path().join("missing")).unwrap_err();
        assert!(format!("{err:#}").contains("could not read password file"));
    }
}
