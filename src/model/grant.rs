//! The dialog that grants or revokes a proxy of a wallet's coldkey: the delegate (resolved and checked like a
//! transfer's recipient), type and delay, or which grant to revoke; then the chain's preview with the deposit,
//! the password and the progress to a block.

use crossterm::event::KeyCode;

use super::IdGen;
use super::input::TextInput;
use super::recipient::{Recipients, confirm_tail};
use crate::action::{Effect, GrantRequest, KeyPress, RequestId, TxProgress};
use crate::chain::proxy::{DEFAULT_PROXY_TYPE, Grant};
use crate::chain::proxy_grant::GrantPreview;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantStep {
    /// Add: the delegate, type and delay; remove: which grant.
    Edit,
    Previewing,
    Confirm,
    Password,
    /// Writing the unsigned file for the offline machine.
    Writing,
    Sending,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantField {
    Delegate,
    Type,
    Delay,
}

/// Granting (`add`) or revoking a proxy of `wallet`'s coldkey.
#[derive(Debug)]
pub struct GrantDialog {
    pub add: bool,
    pub wallet: String,
    pub coldkey: String,
    /// The coldkey is not on this machine: only `o` (write for offline signing) can carry the grant.
    pub watch_only: bool,
    pub delegate: TextInput,
    pub types: Vec<String>,
    pub type_index: usize,
    pub delay: TextInput,
    pub field: GrantField,
    /// Remove: the grants to pick from.
    pub grants: Vec<Grant>,
    pub selected: usize,
    pub recipients: Recipients,
    pub lookalike_confirm: Option<TextInput>,
    pub lookalike_confirmed: Option<String>,
    pub step: GrantStep,
    pub pending: Option<RequestId>,
    /// The request the preview (and so the signature) is for.
    pub request: Option<GrantRequest>,
    pub preview: Option<GrantPreview>,
    /// The preview the worker keeps for signing.
    pub preview_id: Option<RequestId>,
    pub password: TextInput,
    pub progress: Vec<TxProgress>,
    pub result: Option<Result<String, String>>,
    pub error: Option<String>,
}

pub enum GrantOutcome {
    Stay(Vec<Effect>),
    Close { changed: bool },
    Detach { id: RequestId },
}

impl GrantDialog {
    fn new(add: bool, wallet: String, coldkey: String, watch_only: bool) -> GrantDialog {
        GrantDialog {
            add,
            wallet,
            coldkey,
            watch_only,
            delegate: TextInput::new(),
            types: vec![DEFAULT_PROXY_TYPE.to_owned()],
            type_index: 0,
            delay: TextInput::with_text("0"),
            field: GrantField::Delegate,
            grants: Vec::new(),
            selected: 0,
            recipients: Recipients::default(),
            lookalike_confirm: None,
            lookalike_confirmed: None,
            step: GrantStep::Edit,
            pending: None,
            request: None,
            preview: None,
            preview_id: None,
            password: TextInput::secret(),
            progress: Vec::new(),
            result: None,
            error: None,
        }
    }

    /// Add: the runtime's types (the default `Staking` chosen when it has one).
    pub fn adding(
        wallet: String,
        coldkey: String,
        watch_only: bool,
        types: Vec<String>,
        recipients: Recipients,
    ) -> GrantDialog {
        let mut d = GrantDialog::new(true, wallet, coldkey, watch_only);
        if !types.is_empty() {
            d.type_index = types
                .iter()
                .position(|t| t == DEFAULT_PROXY_TYPE)
                .unwrap_or(0);
            d.types = types;
        }
        d.recipients = recipients;
        d
    }

    pub fn removing(
        wallet: String,
        coldkey: String,
        watch_only: bool,
        grants: Vec<Grant>,
    ) -> GrantDialog {
        let mut d = GrantDialog::new(false, wallet, coldkey, watch_only);
        d.grants = grants;
        d
    }

    pub fn proxy_type(&self) -> &str {
        self.types
            .get(self.type_index)
            .map_or(DEFAULT_PROXY_TYPE, String::as_str)
    }

    pub fn on_paste(&mut self, text: &str) {
        if self.step != GrantStep::Edit {
            if self.step == GrantStep::Password {
                self.password.push_str(text);
            }
            return;
        }
        match (&mut self.lookalike_confirm, self.field) {
            (Some(input), _) => input.push_str(text.trim()),
            (None, GrantField::Delegate) => self.delegate.push_str(text.trim()),
            (None, GrantField::Delay) => self.delay.push_str(text.trim()),
            (None, GrantField::Type) => {}
        }
        self.error = None;
    }

    /// The delegate's address, or the sentence saying why the typed text is none.
    pub fn delegate_ss58(&self) -> Result<String, String> {
        let text = self.delegate.trimmed();
        if text.is_empty() {
            return Err(
                "type the delegate: an own wallet's name, an address-book name or an SS58 address"
                    .into(),
            );
        }
        let r = self.recipients.resolve(text).map_err(|_| {
            format!(
                "`{}` is neither a valid SS58 address nor a wallet or address-book name; copy the address again",
                crate::ui::widgets::fmt::short(text)
            )
        })?;
        if r.ss58 == self.coldkey {
            return Err(
                "that is this wallet's own coldkey: a coldkey cannot be its own proxy; give the delegate key"
                    .into(),
            );
        }
        Ok(r.ss58)
    }

    /// The look-alike and first-time checks of the typed delegate, as sentences.
    pub fn delegate_warnings(&self) -> Vec<String> {
        match self.delegate_ss58() {
            Ok(ss58) => self.recipients.check(&ss58).warnings(&ss58),
            Err(_) => Vec::new(),
        }
    }

    fn request(&self) -> Result<GrantRequest, String> {
        if self.add {
            let delegate = self.delegate_ss58()?;
            let delay = self.delay.trimmed().parse::<u32>().map_err(|_| {
                "the delay is a whole number of blocks (0: the delegate acts at once)".to_owned()
            })?;
            Ok(GrantRequest {
                add: true,
                wallet: self.wallet.clone(),
                delegate,
                proxy_type: self.proxy_type().to_owned(),
                delay,
            })
        } else {
            let g = self
                .grants
                .get(self.selected)
                .ok_or("this wallet has no proxy to revoke")?;
            Ok(GrantRequest {
                add: false,
                wallet: self.wallet.clone(),
                delegate: taotui_keystore::ss58::encode(&g.delegate, 42),
                proxy_type: g.proxy_type.clone(),
                delay: g.delay,
            })
        }
    }

    fn preview(&mut self, ids: &mut IdGen) -> GrantOutcome {
        let request = match self.request() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e);
                return GrantOutcome::Stay(Vec::new());
            }
        };
        if self.add
            && self.recipients.check(&request.delegate).lookalike.is_some()
            && self.lookalike_confirmed.as_deref() != Some(request.delegate.as_str())
        {
            // A look-alike of a known address: its last characters typed before it is granted anything.
            self.lookalike_confirm = Some(TextInput::new());
            return GrantOutcome::Stay(Vec::new());
        }
        let id = ids.fresh();
        self.pending = Some(id);
        self.preview = None;
        self.error = None;
        self.step = GrantStep::Previewing;
        self.request = Some(request.clone());
        GrantOutcome::Stay(vec![Effect::PreviewGrant { id, request }])
    }

    /// `offline`: the key is the sign-offline key (only taken on the confirm step).
    pub fn on_key(&mut self, key: KeyPress, offline: bool, ids: &mut IdGen) -> GrantOutcome {
        let stay = || GrantOutcome::Stay(Vec::new());
        match self.step {
            GrantStep::Edit if self.lookalike_confirm.is_some() => self.on_lookalike_key(key, ids),
            GrantStep::Edit => self.on_edit_key(key, ids),
            GrantStep::Previewing | GrantStep::Writing => {
                if key.code == KeyCode::Esc {
                    // A stalled node never holds the dialog; nothing was signed.
                    self.pending = None;
                    self.step = if self.step == GrantStep::Writing {
                        GrantStep::Confirm
                    } else {
                        GrantStep::Edit
                    };
                }
                stay()
            }
            GrantStep::Confirm => match key.code {
                _ if offline => {
                    let Some(request) = self.request.clone() else {
                        return stay();
                    };
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.step = GrantStep::Writing;
                    self.error = None;
                    GrantOutcome::Stay(vec![Effect::WriteGrantUnsigned { id, request }])
                }
                KeyCode::Esc => {
                    self.step = GrantStep::Edit;
                    self.preview = None;
                    self.error = None;
                    stay()
                }
                KeyCode::Enter => {
                    if self.watch_only {
                        self.error = Some(format!(
                            "Wallet {} is watch-only: its coldkey must sign this. Press o to write it for the \
                             offline machine that holds the key.",
                            self.wallet
                        ));
                    } else if self.preview.as_ref().is_some_and(|p| p.refusals.is_empty()) {
                        self.step = GrantStep::Password;
                        self.error = None;
                    }
                    stay()
                }
                _ => stay(),
            },
            GrantStep::Password => match key.code {
                KeyCode::Esc => {
                    self.password.clear();
                    self.step = GrantStep::Confirm;
                    stay()
                }
                KeyCode::Backspace => {
                    self.password.pop();
                    stay()
                }
                KeyCode::Char(c) => {
                    self.password.push(c);
                    stay()
                }
                KeyCode::Enter => {
                    let (Some(request), Some(preview)) = (self.request.clone(), self.preview_id)
                    else {
                        self.step = GrantStep::Edit;
                        return stay();
                    };
                    let password = self.password.to_secret();
                    self.password.clear();
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.progress = vec![TxProgress::Unlocking];
                    self.step = GrantStep::Sending;
                    GrantOutcome::Stay(vec![Effect::SubmitGrant {
                        id,
                        preview,
                        request,
                        password,
                    }])
                }
                _ => stay(),
            },
            GrantStep::Sending => match (key.code, self.pending) {
                (KeyCode::Esc, Some(id)) => GrantOutcome::Detach { id },
                _ => stay(),
            },
            GrantStep::Done => match key.code {
                KeyCode::Esc | KeyCode::Enter => GrantOutcome::Close {
                    changed: matches!(self.result, Some(Ok(_))),
                },
                _ => stay(),
            },
        }
    }

    fn on_edit_key(&mut self, key: KeyPress, ids: &mut IdGen) -> GrantOutcome {
        let stay = || GrantOutcome::Stay(Vec::new());
        if key.code == KeyCode::Esc {
            return GrantOutcome::Close { changed: false };
        }
        if key.code == KeyCode::Enter {
            return self.preview(ids);
        }
        if !self.add {
            match key.code {
                KeyCode::Up => self.selected = self.selected.saturating_sub(1),
                KeyCode::Down => {
                    self.selected = (self.selected + 1).min(self.grants.len().saturating_sub(1))
                }
                _ => {}
            }
            return stay();
        }
        let order = [GrantField::Delegate, GrantField::Type, GrantField::Delay];
        let at = order.iter().position(|f| *f == self.field).unwrap_or(0);
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.field = order[(at + 1) % order.len()],
            KeyCode::BackTab | KeyCode::Up => {
                self.field = order[(at + order.len() - 1) % order.len()]
            }
            KeyCode::Left | KeyCode::Right if self.field == GrantField::Type => {
                let n = self.types.len().max(1);
                self.type_index = if key.code == KeyCode::Right {
                    (self.type_index + 1) % n
                } else {
                    (self.type_index + n - 1) % n
                };
            }
            KeyCode::Backspace => match self.field {
                GrantField::Delegate => self.delegate.pop(),
                GrantField::Delay => self.delay.pop(),
                GrantField::Type => {}
            },
            KeyCode::Char(c) => match self.field {
                GrantField::Delegate => self.delegate.push(c),
                GrantField::Delay if c.is_ascii_digit() => self.delay.push(c),
                _ => {}
            },
            _ => {}
        }
        self.error = None;
        stay()
    }

    fn on_lookalike_key(&mut self, key: KeyPress, ids: &mut IdGen) -> GrantOutcome {
        let stay = || GrantOutcome::Stay(Vec::new());
        let Some(input) = self.lookalike_confirm.as_mut() else {
            return stay();
        };
        match key.code {
            KeyCode::Char(c) => input.push(c),
            KeyCode::Backspace => input.pop(),
            KeyCode::Esc => {
                self.lookalike_confirm = None;
                self.error = None;
            }
            KeyCode::Enter => {
                let typed = input.trimmed().to_owned();
                let ss58 = self.delegate_ss58().unwrap_or_default();
                if typed == confirm_tail(&ss58) {
                    self.lookalike_confirm = None;
                    self.lookalike_confirmed = Some(ss58);
                    self.error = None;
                    return self.preview(ids);
                }
                self.error = Some(format!(
                    "that is not its last {} characters; check the address, or Esc to change it",
                    crate::address_book::CONFIRM_CHARS
                ));
            }
            _ => {}
        }
        stay()
    }

    pub fn on_previewed(&mut self, id: RequestId, result: Result<GrantPreview, String>) {
        if self.pending != Some(id) || self.step != GrantStep::Previewing {
            return;
        }
        self.pending = None;
        match result {
            Ok(p) => {
                self.preview = Some(p);
                self.preview_id = Some(id);
                self.step = GrantStep::Confirm;
            }
            Err(e) => {
                self.error = Some(e);
                self.step = GrantStep::Edit;
            }
        }
    }

    /// The unsigned file was written (`true`: the dialog gives way to it) or not (the sentence is shown).
    pub fn on_written(
        &mut self,
        id: RequestId,
        result: &Result<crate::action::OfflineFile, String>,
    ) -> bool {
        if self.pending != Some(id) || self.step != GrantStep::Writing {
            return false;
        }
        self.pending = None;
        self.step = GrantStep::Confirm;
        match result {
            Ok(_) => true,
            Err(e) => {
                self.error = Some(e.clone());
                false
            }
        }
    }

    pub fn on_progress(&mut self, id: RequestId, progress: TxProgress) {
        if self.pending == Some(id) {
            super::stake::push_progress(&mut self.progress, progress);
        }
    }

    pub fn on_done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        self.step = GrantStep::Done;
        self.result = Some(result);
        true
    }
}
