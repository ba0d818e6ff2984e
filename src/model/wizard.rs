//! The create-wallet wizard: name, word count, the mnemonic shown once, re-typing chosen words,
//! password twice with a strength meter, format, review. Nothing is written before the review
//! is confirmed; Esc at any step drops the wizard (and the mnemonic) with nothing written.

use crossterm::event::KeyCode;
use taotui_keystore::mnemonic::{Mnemonic, WordCount};
use taotui_keystore::password::{PasswordVerdict, judge_new_password};

use super::input::TextInput;
use super::{IdGen, password_context};
use crate::action::{Effect, KeyFileFormat, KeyPress, RequestId};

/// Attempts per word before the wizard gives up (the words were not written down correctly).
pub const ATTEMPTS_PER_WORD: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateStep {
    Name,
    Words,
    Generating,
    ShowMnemonic,
    ConfirmWords,
    Password,
    Format,
    Review,
    Writing,
    Done,
}

impl CreateStep {
    /// Step number and total for the title ("step 3 of 7").
    pub fn number(self) -> (u8, u8) {
        let n = match self {
            CreateStep::Name => 1,
            CreateStep::Words | CreateStep::Generating => 2,
            CreateStep::ShowMnemonic => 3,
            CreateStep::ConfirmWords => 4,
            CreateStep::Password => 5,
            CreateStep::Format => 6,
            CreateStep::Review | CreateStep::Writing | CreateStep::Done => 7,
        };
        (n, 7)
    }
}

#[derive(Debug)]
pub struct CreateWizard {
    pub step: CreateStep,
    pub name: TextInput,
    pub words: WordCount,
    pub mnemonic: Option<Mnemonic>,
    pub check_positions: Vec<usize>,
    /// Which of `check_positions` is being asked.
    pub check_index: usize,
    pub check_input: TextInput,
    pub attempts: u8,
    pub password: TextInput,
    pub password_again: TextInput,
    /// Focus on the second password field.
    pub second_focused: bool,
    pub verdict: Option<PasswordVerdict>,
    /// A weak password was seen and Enter pressed once: a second Enter accepts it.
    pub weak_acknowledged: bool,
    pub format: KeyFileFormat,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
    pub result: Option<String>,
    /// Wallet names that exist already, to refuse a duplicate at step 1.
    pub existing: Vec<String>,
}

/// What the wizard wants from its owner after a key.
pub enum WizardOutcome {
    Stay(Vec<Effect>),
    /// Close the wizard; `rescan` when something was written.
    Close {
        rescan: bool,
    },
}

impl CreateWizard {
    pub fn new(existing: Vec<String>, format: KeyFileFormat) -> Self {
        CreateWizard {
            step: CreateStep::Name,
            name: TextInput::new(),
            words: WordCount::W12,
            mnemonic: None,
            check_positions: Vec::new(),
            check_index: 0,
            check_input: TextInput::new(),
            attempts: 0,
            password: TextInput::secret(),
            password_again: TextInput::secret(),
            second_focused: false,
            verdict: None,
            weak_acknowledged: false,
            format,
            error: None,
            pending: None,
            result: None,
            existing,
        }
    }

    /// The word the user is asked to type now (1-based position).
    pub fn asked_position(&self) -> Option<usize> {
        self.check_positions.get(self.check_index).map(|p| p + 1)
    }

    pub fn on_paste(&mut self, text: &str) {
        match self.step {
            CreateStep::Name => self.name.push_str(text.trim()),
            CreateStep::ConfirmWords => self.check_input.push_str(text.trim()),
            CreateStep::Password => {
                self.focused_password().push_str(text);
                self.password_changed();
            }
            _ => {}
        }
    }

    fn focused_password(&mut self) -> &mut TextInput {
        if self.second_focused {
            &mut self.password_again
        } else {
            &mut self.password
        }
    }

    fn password_changed(&mut self) {
        self.weak_acknowledged = false;
        self.error = None;
        self.verdict = if self.password.as_str().is_empty() {
            None
        } else {
            Some(judge_new_password(
                &self.password.to_secret(),
                &password_context(self.name.trimmed(), None),
            ))
        };
    }

    pub fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> WizardOutcome {
        if key.code == KeyCode::Esc {
            // Dropping the wizard drops (and zeroizes) the mnemonic and passwords.
            let rescan = self.step == CreateStep::Done;
            return WizardOutcome::Close { rescan };
        }
        let stay = WizardOutcome::Stay(Vec::new());
        match self.step {
            CreateStep::Name => match key.code {
                KeyCode::Char(c) => {
                    self.name.push(c);
                    self.error = None;
                }
                KeyCode::Backspace => self.name.pop(),
                KeyCode::Enter => {
                    let name = self.name.trimmed().to_owned();
                    if let Err(e) = taotui_keystore::wallet::validate_name("wallet", &name) {
                        self.error = Some(e.to_string());
                    } else if self.existing.contains(&name) {
                        self.error = Some(format!(
                            "a wallet named {name} exists already; choose another name"
                        ));
                    } else {
                        self.error = None;
                        self.step = CreateStep::Words;
                    }
                }
                _ => {}
            },
            CreateStep::Words => match key.code {
                KeyCode::Left | KeyCode::Up | KeyCode::Char('k') | KeyCode::Char('h') => {
                    self.words = cycle_words(self.words, -1)
                }
                KeyCode::Right | KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('l') => {
                    self.words = cycle_words(self.words, 1)
                }
                KeyCode::Enter => {
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.step = CreateStep::Generating;
                    return WizardOutcome::Stay(vec![Effect::GenerateMnemonic {
                        id,
                        words: self.words,
                    }]);
                }
                _ => {}
            },
            CreateStep::Generating | CreateStep::Writing => {}
            CreateStep::ShowMnemonic => {
                if key.code == KeyCode::Enter {
                    self.step = CreateStep::ConfirmWords;
                }
            }
            CreateStep::ConfirmWords => match key.code {
                KeyCode::Char(c) => self.check_input.push(c),
                KeyCode::Backspace => self.check_input.pop(),
                KeyCode::Enter => return self.check_word(),
                _ => {}
            },
            CreateStep::Password => match key.code {
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                    self.second_focused = !self.second_focused
                }
                KeyCode::Char(c) => {
                    self.focused_password().push(c);
                    self.password_changed();
                }
                KeyCode::Backspace => {
                    self.focused_password().pop();
                    self.password_changed();
                }
                KeyCode::Enter => {
                    if !self.second_focused {
                        self.second_focused = true;
                    } else {
                        self.accept_password();
                    }
                }
                _ => {}
            },
            CreateStep::Format => match key.code {
                KeyCode::Left | KeyCode::Right | KeyCode::Up | KeyCode::Down | KeyCode::Tab => {
                    self.format = match self.format {
                        KeyFileFormat::Native => KeyFileFormat::Btcli,
                        KeyFileFormat::Btcli => KeyFileFormat::Native,
                    }
                }
                KeyCode::Enter => self.step = CreateStep::Review,
                _ => {}
            },
            CreateStep::Review => {
                if key.code == KeyCode::Enter {
                    let Some(mnemonic) = self.mnemonic.clone() else {
                        self.error =
                            Some("the mnemonic is missing; press Esc and start again".to_owned());
                        return stay;
                    };
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.error = None;
                    self.step = CreateStep::Writing;
                    return WizardOutcome::Stay(vec![Effect::CreateWallet {
                        id,
                        name: self.name.trimmed().to_owned(),
                        mnemonic,
                        password: self.password.to_secret(),
                        format: self.format,
                    }]);
                }
            }
            CreateStep::Done => {
                if key.code == KeyCode::Enter {
                    return WizardOutcome::Close { rescan: true };
                }
            }
        }
        stay
    }

    fn check_word(&mut self) -> WizardOutcome {
        let (Some(mnemonic), Some(&pos)) =
            (&self.mnemonic, self.check_positions.get(self.check_index))
        else {
            return WizardOutcome::Close { rescan: false };
        };
        let expected = mnemonic.word(pos).unwrap_or_default();
        if self.check_input.trimmed().eq_ignore_ascii_case(expected) {
            self.check_input.clear();
            self.attempts = 0;
            self.error = None;
            self.check_index += 1;
            if self.check_index >= self.check_positions.len() {
                self.step = CreateStep::Password;
            }
        } else {
            self.check_input.clear();
            self.attempts += 1;
            if self.attempts >= ATTEMPTS_PER_WORD {
                self.mnemonic = None;
                self.step = CreateStep::Done;
                self.error = Some(format!(
                    "word #{} was not typed correctly {ATTEMPTS_PER_WORD} times; nothing was written. Start again and copy the words carefully.",
                    pos + 1
                ));
                self.result = None;
                return WizardOutcome::Stay(Vec::new());
            }
            self.error = Some(format!(
                "that is not word #{}; look at your copy again ({} attempts left)",
                pos + 1,
                ATTEMPTS_PER_WORD - self.attempts
            ));
        }
        WizardOutcome::Stay(Vec::new())
    }

    fn accept_password(&mut self) {
        if self.password.as_str() != self.password_again.as_str() {
            self.error = Some("the two passwords differ; type the same password twice".to_owned());
            self.password_again.clear();
            return;
        }
        match &self.verdict {
            None | Some(PasswordVerdict::TooShort { .. }) => {
                let v = judge_new_password(&self.password.to_secret(), &[]);
                self.error = Some(format!("the password is {}", v.describe()));
            }
            Some(PasswordVerdict::Weak { .. }) if !self.weak_acknowledged => {
                self.weak_acknowledged = true;
                self.error = Some(
                    "this password is weak: press Enter again to use it anyway, or type a stronger one".to_owned(),
                );
            }
            Some(_) => {
                self.error = None;
                self.step = CreateStep::Format;
            }
        }
    }

    /// The worker generated the mnemonic this wizard asked for.
    pub fn mnemonic_ready(&mut self, id: RequestId, mnemonic: Mnemonic, positions: Vec<usize>) {
        if self.pending != Some(id) || self.step != CreateStep::Generating {
            return;
        }
        self.pending = None;
        self.mnemonic = Some(mnemonic);
        self.check_positions = positions;
        self.check_index = 0;
        self.step = CreateStep::ShowMnemonic;
    }

    /// The write finished. Returns whether the wallet list should be rescanned.
    pub fn write_done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(msg) => {
                self.mnemonic = None;
                self.password.clear();
                self.password_again.clear();
                self.result = Some(msg);
                self.error = None;
                self.step = CreateStep::Done;
                true
            }
            Err(e) => {
                self.error = Some(e);
                self.step = CreateStep::Review;
                false
            }
        }
    }
}

fn cycle_words(current: WordCount, delta: isize) -> WordCount {
    let all = WordCount::ALL;
    let i = all.iter().position(|w| *w == current).unwrap_or(0);
    let n = all.len();
    let next = (i as isize + delta).rem_euclid(n as isize) as usize;
    all.get(next).copied().unwrap_or(WordCount::W12)
}
