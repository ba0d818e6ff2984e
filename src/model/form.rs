//! Small keystore forms: restore, watch-only, new hotkey, change password, convert. Each is a
//! list of fields; nothing is written until the last field is confirmed with Enter.

use crossterm::event::KeyCode;
use taotui_keystore::mnemonic::WordCount;
use taotui_keystore::password::{PasswordVerdict, judge_new_password};
use taotui_keystore::wallet::KeyTarget;

use super::input::TextInput;
use super::{IdGen, password_context};
use crate::action::{Effect, KeyFileFormat, KeyPress, RequestId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Restore,
    WatchOnly,
    /// Name an address in the address book (`<config>/addresses.toml`).
    AddAddress,
    RemoveAddress,
    NewHotkey {
        wallet: String,
    },
    ChangePassword {
        wallet: String,
        target: KeyTarget,
    },
    Convert {
        wallet: String,
        target: KeyTarget,
        to: KeyFileFormat,
    },
}

#[derive(Debug, Clone)]
pub enum FieldValue {
    Text(TextInput),
    Format(KeyFileFormat),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub value: FieldValue,
}

impl Field {
    fn text(label: &'static str) -> Field {
        Field {
            label,
            value: FieldValue::Text(TextInput::new()),
        }
    }

    fn secret(label: &'static str) -> Field {
        Field {
            label,
            value: FieldValue::Text(TextInput::secret()),
        }
    }

    pub fn text_value(&self) -> Option<&TextInput> {
        match &self.value {
            FieldValue::Text(t) => Some(t),
            FieldValue::Format(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    /// A sentence under the title saying what the form does.
    pub intro: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
    pub result: Option<String>,
    pub weak_acknowledged: bool,
}

pub enum FormOutcome {
    Stay(Vec<Effect>),
    Close { rescan: bool },
}

impl FormKind {
    /// The form writes the address book rather than the wallet folder.
    pub fn edits_address_book(&self) -> bool {
        matches!(self, FormKind::AddAddress | FormKind::RemoveAddress)
    }
}

impl Form {
    pub fn new(kind: FormKind, default_format: KeyFileFormat) -> Form {
        let (title, intro, fields) = match &kind {
            FormKind::Restore => (
                "Restore a coldkey".to_owned(),
                "From a mnemonic, a 0x seed or a secret URI (phrase//path). The key is encrypted with the new password.".to_owned(),
                vec![
                    Field::text("Wallet name"),
                    Field::secret("Mnemonic, seed or URI"),
                    Field::secret("New password"),
                    Field::secret("Password again"),
                    Field {
                        label: "Format",
                        value: FieldValue::Format(default_format),
                    },
                ],
            ),
            FormKind::WatchOnly => (
                "Add a watch-only wallet".to_owned(),
                "Only the address is stored: balances and positions can be seen, nothing can be signed.".to_owned(),
                vec![Field::text("Wallet name"), Field::text("SS58 address")],
            ),
            FormKind::AddAddress => (
                "Add to the address book".to_owned(),
                "A name to send to instead of the address. A look-alike of a known address is refused.".to_owned(),
                vec![Field::text("Name"), Field::text("SS58 address")],
            ),
            FormKind::RemoveAddress => (
                "Remove from the address book".to_owned(),
                "The name is forgotten; nothing on chain changes.".to_owned(),
                vec![Field::text("Name")],
            ),
            FormKind::NewHotkey { wallet } => (
                format!("New hotkey for wallet {wallet}"),
                "Hotkeys hold no funds; like btcli, taotui stores them unencrypted.".to_owned(),
                vec![Field::text("Hotkey name")],
            ),
            FormKind::ChangePassword { wallet, target } => (
                format!("Change the password of the {target} of {wallet}"),
                "The old file is kept under backups/ in the wallet folder.".to_owned(),
                vec![
                    Field::secret("Current password"),
                    Field::secret("New password"),
                    Field::secret("Password again"),
                ],
            ),
            FormKind::Convert { wallet, target, to } => (
                format!("Convert the {target} of {wallet}"),
                match to {
                    KeyFileFormat::Native => "To taotui's native format (argon2id + AES-256-GCM); btcli will no longer read it.".to_owned(),
                    KeyFileFormat::Btcli => "To btcli's $NACL format, so btcli can use the key too. Same password.".to_owned(),
                },
                vec![Field::secret("Password")],
            ),
        };
        Form {
            kind,
            title,
            intro,
            fields,
            focus: 0,
            error: None,
            pending: None,
            result: None,
            weak_acknowledged: false,
        }
    }

    /// The strength of the "New password" field, for the meter.
    pub fn verdict(&self) -> Option<PasswordVerdict> {
        let field = self.fields.iter().find(|f| f.label == "New password")?;
        let input = field.text_value()?;
        if input.as_str().is_empty() {
            return None;
        }
        Some(judge_new_password(
            &input.to_secret(),
            &password_context(self.wallet_name(), None),
        ))
    }

    fn wallet_name(&self) -> &str {
        match &self.kind {
            FormKind::Restore | FormKind::WatchOnly => {
                self.field_text("Wallet name").unwrap_or_default()
            }
            FormKind::AddAddress | FormKind::RemoveAddress => "",
            FormKind::NewHotkey { wallet }
            | FormKind::ChangePassword { wallet, .. }
            | FormKind::Convert { wallet, .. } => wallet,
        }
    }

    fn field_text(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .and_then(Field::text_value)
            .map(TextInput::trimmed)
    }

    fn field_input(&self, label: &str) -> Option<&TextInput> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .and_then(Field::text_value)
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(FieldValue::Text(t)) = self.fields.get_mut(self.focus).map(|f| &mut f.value) {
            t.push_str(text.trim());
        }
    }

    pub fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> FormOutcome {
        if key.code == KeyCode::Esc {
            return FormOutcome::Close {
                rescan: self.result.is_some(),
            };
        }
        if self.result.is_some() {
            if key.code == KeyCode::Enter {
                return FormOutcome::Close { rescan: true };
            }
            return FormOutcome::Stay(Vec::new());
        }
        if self.pending.is_some() {
            return FormOutcome::Stay(Vec::new());
        }
        let last = self.fields.len().saturating_sub(1);
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1).min(last),
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1),
            KeyCode::Enter if self.focus < last => self.focus += 1,
            KeyCode::Enter => return self.submit(ids),
            code => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    match (&mut field.value, code) {
                        (FieldValue::Text(t), KeyCode::Char(c)) => t.push(c),
                        (FieldValue::Text(t), KeyCode::Backspace) => t.pop(),
                        (
                            FieldValue::Format(f),
                            KeyCode::Left | KeyCode::Right | KeyCode::Char(' '),
                        ) => {
                            *f = match f {
                                KeyFileFormat::Native => KeyFileFormat::Btcli,
                                KeyFileFormat::Btcli => KeyFileFormat::Native,
                            }
                        }
                        _ => {}
                    }
                    self.weak_acknowledged = false;
                    self.error = None;
                }
            }
        }
        FormOutcome::Stay(Vec::new())
    }

    /// Checks the new password pair; `Err` holds the sentence to show.
    fn check_new_password(&mut self) -> Result<(), String> {
        let (Some(a), Some(b)) = (
            self.field_input("New password"),
            self.field_input("Password again"),
        ) else {
            return Ok(());
        };
        if a.as_str() != b.as_str() {
            return Err("the two new passwords differ; type the same password twice".to_owned());
        }
        match self.verdict() {
            None => Err("type a new password".to_owned()),
            Some(v @ PasswordVerdict::TooShort { .. }) => {
                Err(format!("the password is {}", v.describe()))
            }
            Some(PasswordVerdict::Weak { .. }) if !self.weak_acknowledged => {
                self.weak_acknowledged = true;
                Err("this password is weak: press Enter again to use it anyway, or type a stronger one".to_owned())
            }
            Some(_) => Ok(()),
        }
    }

    fn submit(&mut self, ids: &mut IdGen) -> FormOutcome {
        if let Err(e) = self.check_new_password() {
            self.error = Some(e);
            return FormOutcome::Stay(Vec::new());
        }
        let id = ids.fresh();
        let effect = match &self.kind {
            FormKind::Restore => {
                let name = self
                    .field_text("Wallet name")
                    .unwrap_or_default()
                    .to_owned();
                if let Err(e) = taotui_keystore::wallet::validate_name("wallet", &name) {
                    self.error = Some(e.to_string());
                    return FormOutcome::Stay(Vec::new());
                }
                let Some(secret) = self
                    .field_input("Mnemonic, seed or URI")
                    .filter(|s| !s.is_empty())
                else {
                    self.error = Some(
                        "type the mnemonic, seed (0x…) or secret URI to restore from".to_owned(),
                    );
                    return FormOutcome::Stay(Vec::new());
                };
                let format = self
                    .fields
                    .iter()
                    .find_map(|f| match f.value {
                        FieldValue::Format(f) => Some(f),
                        FieldValue::Text(_) => None,
                    })
                    .unwrap_or(KeyFileFormat::Native);
                Effect::RestoreColdkey {
                    id,
                    name,
                    secret: secret.to_secret(),
                    password: self
                        .field_input("New password")
                        .map(TextInput::to_secret)
                        .unwrap_or_default(),
                    format,
                }
            }
            FormKind::WatchOnly => {
                let name = self
                    .field_text("Wallet name")
                    .unwrap_or_default()
                    .to_owned();
                if let Err(e) = taotui_keystore::wallet::validate_name("wallet", &name) {
                    self.error = Some(e.to_string());
                    return FormOutcome::Stay(Vec::new());
                }
                let ss58 = self
                    .field_text("SS58 address")
                    .unwrap_or_default()
                    .to_owned();
                if !taotui_keystore::ss58::is_valid(&ss58) {
                    self.error = Some(format!(
                        "`{ss58}` is not a valid SS58 address; copy it again (it starts with 5 and has 48 characters)"
                    ));
                    return FormOutcome::Stay(Vec::new());
                }
                Effect::WatchOnly { id, name, ss58 }
            }
            FormKind::AddAddress => {
                let name = self.field_text("Name").unwrap_or_default().to_owned();
                let ss58 = self
                    .field_text("SS58 address")
                    .unwrap_or_default()
                    .to_owned();
                if name.is_empty() || !taotui_keystore::ss58::is_valid(&ss58) {
                    self.error = Some(
                        "give a name and a valid SS58 address (it starts with 5 and has 48 characters)"
                            .to_owned(),
                    );
                    return FormOutcome::Stay(Vec::new());
                }
                Effect::AddAddress { id, name, ss58 }
            }
            FormKind::RemoveAddress => {
                let name = self.field_text("Name").unwrap_or_default().to_owned();
                if name.is_empty() {
                    self.error = Some("type the name to remove".to_owned());
                    return FormOutcome::Stay(Vec::new());
                }
                Effect::RemoveAddress { id, name }
            }
            FormKind::NewHotkey { wallet } => {
                let hotkey = self
                    .field_text("Hotkey name")
                    .unwrap_or_default()
                    .to_owned();
                if let Err(e) = taotui_keystore::wallet::validate_name("hotkey", &hotkey) {
                    self.error = Some(e.to_string());
                    return FormOutcome::Stay(Vec::new());
                }
                Effect::NewHotkey {
                    id,
                    wallet: wallet.clone(),
                    hotkey,
                    words: WordCount::W12,
                }
            }
            FormKind::ChangePassword { wallet, target } => Effect::ChangePassword {
                id,
                wallet: wallet.clone(),
                target: target.clone(),
                old: self
                    .field_input("Current password")
                    .map(TextInput::to_secret)
                    .unwrap_or_default(),
                new: self
                    .field_input("New password")
                    .map(TextInput::to_secret)
                    .unwrap_or_default(),
            },
            FormKind::Convert { wallet, target, to } => Effect::Convert {
                id,
                wallet: wallet.clone(),
                target: target.clone(),
                password: self
                    .field_input("Password")
                    .map(TextInput::to_secret)
                    .unwrap_or_default(),
                to: *to,
            },
        };
        self.error = None;
        self.pending = Some(id);
        FormOutcome::Stay(vec![effect])
    }

    /// The worker finished the write this form asked for.
    pub fn done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(msg) => {
                for f in &mut self.fields {
                    if let FieldValue::Text(t) = &mut f.value {
                        t.clear();
                    }
                }
                self.result = Some(msg);
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}
