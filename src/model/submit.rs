//! Submitting a transaction signed on an offline machine (`taotui sign`): its file's path, what it does as the
//! chain decodes it, confirmation, then progress until the chain answers, like any transaction sent here.

use crossterm::event::KeyCode;

use super::IdGen;
use super::input::TextInput;
use crate::action::{Effect, KeyPress, RequestId, SignedFileView, TxProgress};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitStep {
    /// Typing (or pasting) the signed file's path or the signature's text.
    Path,
    /// The worker reads the file and checks it against the chain.
    Opening,
    Confirm,
    Sending,
    Done,
}

#[derive(Debug)]
pub struct SubmitSigned {
    pub path: TextInput,
    pub step: SubmitStep,
    pub pending: Option<RequestId>,
    pub view: Option<SignedFileView>,
    pub error: Option<String>,
    pub progress: Vec<TxProgress>,
    pub result: Option<Result<String, String>>,
}

pub enum SubmitOutcome {
    Stay(Vec<Effect>),
    Close {
        refresh: bool,
    },
    /// Already sent: it goes on in the background and its outcome arrives as a notice (never sent twice).
    Detach {
        id: RequestId,
    },
}

impl Default for SubmitSigned {
    fn default() -> Self {
        SubmitSigned::new()
    }
}

impl SubmitSigned {
    pub fn new() -> SubmitSigned {
        SubmitSigned {
            path: TextInput::new(),
            step: SubmitStep::Path,
            pending: None,
            view: None,
            error: None,
            progress: Vec::new(),
            result: None,
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        if self.step == SubmitStep::Path {
            // A path pasted from a file manager often comes quoted or with a newline.
            self.path
                .push_str(text.trim().trim_matches(|c| c == '\'' || c == '"'));
            self.error = None;
        }
    }

    pub fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> SubmitOutcome {
        let stay = SubmitOutcome::Stay(Vec::new());
        match (self.step, key.code) {
            (SubmitStep::Path, KeyCode::Esc) => SubmitOutcome::Close { refresh: false },
            (SubmitStep::Path, KeyCode::Char(c)) => {
                self.path.push(c);
                self.error = None;
                stay
            }
            (SubmitStep::Path, KeyCode::Backspace) => {
                self.path.pop();
                self.error = None;
                stay
            }
            (SubmitStep::Path, KeyCode::Enter) => {
                let path = self.path.trimmed().to_owned();
                if path.is_empty() {
                    self.error = Some(
                        "type the path of the signed file (`taotui sign` wrote it next to the unsigned one) or paste \
                         the signature's text it printed"
                            .to_owned(),
                    );
                    return stay;
                }
                let id = ids.fresh();
                self.pending = Some(id);
                self.error = None;
                self.view = None;
                self.step = SubmitStep::Opening;
                SubmitOutcome::Stay(vec![Effect::OpenSigned { id, path }])
            }
            // A stalled node must never hold the dialog: stop waiting, nothing was sent.
            (SubmitStep::Opening | SubmitStep::Confirm, KeyCode::Esc) => {
                self.pending = None;
                self.view = None;
                self.step = SubmitStep::Path;
                stay
            }
            (SubmitStep::Confirm, KeyCode::Enter) => {
                let Some(view) = &self.view else {
                    self.step = SubmitStep::Path;
                    return stay;
                };
                let path = view.path.clone();
                let id = ids.fresh();
                self.pending = Some(id);
                self.step = SubmitStep::Sending;
                // The worker checks the file again first, then says when it is submitted.
                self.progress = Vec::new();
                SubmitOutcome::Stay(vec![Effect::SubmitSigned { id, path }])
            }
            (SubmitStep::Sending, KeyCode::Esc) => match self.pending {
                Some(id) => SubmitOutcome::Detach { id },
                None => stay,
            },
            (SubmitStep::Done, KeyCode::Esc | KeyCode::Enter) => SubmitOutcome::Close {
                refresh: matches!(self.result, Some(Ok(_))),
            },
            _ => stay,
        }
    }

    /// The worker read and checked the file.
    pub fn on_opened(&mut self, id: RequestId, result: Result<SignedFileView, String>) {
        if self.pending != Some(id) || self.step != SubmitStep::Opening {
            return;
        }
        self.pending = None;
        match result {
            Ok(view) => {
                self.view = Some(view);
                self.step = SubmitStep::Confirm;
            }
            Err(e) => {
                self.error = Some(e);
                self.step = SubmitStep::Path;
            }
        }
    }

    pub fn on_progress(&mut self, id: RequestId, progress: TxProgress) {
        if self.pending != Some(id) {
            return;
        }
        super::stake::push_progress(&mut self.progress, progress);
    }

    pub fn on_done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        self.step = SubmitStep::Done;
        self.result = Some(result);
        true
    }
}
