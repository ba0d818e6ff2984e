//! A one-line text field. Its text lives in a zeroizing buffer because passwords, mnemonics and
//! seeds are typed into it.

use std::fmt;

use secrecy::SecretString;
use zeroize::Zeroizing;

#[derive(Clone, Default)]
pub struct TextInput {
    value: Zeroizing<String>,
    /// Shown as bullets and never in Debug output.
    pub secret: bool,
}

impl fmt::Debug for TextInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.secret {
            write!(f, "TextInput(<redacted>)")
        } else {
            write!(f, "TextInput({:?})", self.value.as_str())
        }
    }
}

impl TextInput {
    pub fn new() -> Self {
        TextInput::default()
    }

    pub fn secret() -> Self {
        TextInput {
            value: Zeroizing::new(String::new()),
            secret: true,
        }
    }

    pub fn with_text(text: &str) -> Self {
        TextInput {
            value: Zeroizing::new(text.to_owned()),
            secret: false,
        }
    }

    pub fn push(&mut self, c: char) {
        if !c.is_control() {
            self.value.push(c);
        }
    }

    /// Pasted text: newlines become spaces so a pasted phrase stays one line.
    pub fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push(if c == '\n' || c == '\r' { ' ' } else { c });
        }
    }

    pub fn pop(&mut self) {
        self.value.pop();
    }

    pub fn clear(&mut self) {
        self.value.clear();
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn trimmed(&self) -> &str {
        self.value.trim()
    }

    pub fn is_empty(&self) -> bool {
        self.value.trim().is_empty()
    }

    pub fn to_secret(&self) -> SecretString {
        SecretString::from(self.value.as_str().to_owned())
    }

    /// What the screen shows: the text, or one bullet per character for secrets.
    pub fn display(&self) -> String {
        if self.secret {
            "•".repeat(self.value.chars().count())
        } else {
            self.value.as_str().to_owned()
        }
    }
}
