//! Rules for new passwords: a hard minimum length plus a zxcvbn strength estimate.
//!
//! The length floor is absolute; a password that is long enough but guessable is reported as
//! [`PasswordVerdict::Weak`] so the caller can ask the user to confirm or refuse it outright.

use secrecy::{ExposeSecret, SecretString};

/// Shorter passwords are refused whatever their estimated strength: even a random 7-character
/// password falls quickly to an offline attack on a stolen keyfile.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// zxcvbn scores run 0..=4; 3 means "safely unguessable: moderate protection from offline
/// slow-hash scenario", which is exactly the threat for an encrypted keyfile.
pub const STRONG_SCORE: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordVerdict {
    Strong { score: u8 },
    Weak { score: u8, advice: String },
    TooShort { chars: usize },
}

impl PasswordVerdict {
    pub fn is_acceptable_without_confirmation(&self) -> bool {
        matches!(self, PasswordVerdict::Strong { .. })
    }

    /// A sentence for the user; never contains the password.
    pub fn describe(&self) -> String {
        match self {
            PasswordVerdict::Strong { score } => format!("strong (score {score}/4)"),
            PasswordVerdict::Weak { score, advice } => {
                if advice.is_empty() {
                    format!("weak (score {score}/4): it could be guessed offline")
                } else {
                    format!("weak (score {score}/4): {advice}")
                }
            }
            PasswordVerdict::TooShort { chars } => format!(
                "too short ({chars} characters): use at least {MIN_PASSWORD_CHARS}, a few random words work well"
            ),
        }
    }
}

/// Judges a new password. `context` holds words the attacker may know (wallet and hotkey
/// names); a password built from them is weaker than it looks.
pub fn judge_new_password(password: &SecretString, context: &[&str]) -> PasswordVerdict {
    let pw = password.expose_secret();
    let chars = pw.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return PasswordVerdict::TooShort { chars };
    }
    let estimate = zxcvbn::zxcvbn(pw, context);
    let score = u8::from(estimate.score());
    if score >= STRONG_SCORE {
        return PasswordVerdict::Strong { score };
    }
    let advice = estimate
        .feedback()
        .map(|f| {
            let mut parts: Vec<String> = Vec::new();
            if let Some(w) = f.warning() {
                parts.push(w.to_string());
            }
            parts.extend(f.suggestions().iter().map(|s| s.to_string()));
            parts.join(" ")
        })
        .unwrap_or_default();
    PasswordVerdict::Weak { score, advice }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn judge(pw: &str) -> PasswordVerdict {
        judge_new_password(&SecretString::from(pw.to_owned()), &["mywallet"])
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(judge("abc123!"), PasswordVerdict::TooShort { chars: 7 });
        // Counted in characters, not bytes.
        assert_eq!(judge("пароль1"), PasswordVerdict::TooShort { chars: 7 });
    }

    #[test]
    fn common_passwords_are_weak() {
        for pw in [
            "password",
            "password1",
            "12345678",
            "qwertyuiop",
            "mywallet1",
        ] {
            assert!(
                matches!(judge(pw), PasswordVerdict::Weak { .. }),
                "{pw} judged {:?}",
                judge(pw)
            );
        }
    }

    #[test]
    fn random_passphrases_are_strong() {
        assert!(judge("correct-horse-violet-anvil-93").is_acceptable_without_confirmation());
        assert!(judge("pässwörd-密码-Zebra-Nimbus").is_acceptable_without_confirmation());
    }

    #[test]
    fn description_never_contains_the_password() {
        let verdict = judge("password1");
        assert!(!verdict.describe().contains("password1"));
    }
}
