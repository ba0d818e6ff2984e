//! Stake / unstake / move form: amount with max and percentage shortcuts and a live preview,
//! then a confirm screen, the password prompt, and progress until the chain answers.

use crossterm::event::KeyCode;

use super::IdGen;
use super::input::TextInput;
use crate::action::{
    ChainPreview, Effect, KeyPress, RequestId, StakeKind, StakeRequest, TxProgress,
};
use crate::amount::{AlphaRao, Mechanism, Pool, Rao, SwapFee, Tolerance, TradeSide, limit_price};
use crate::chain::queries::SubnetView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StakeStep {
    Edit,
    /// Waiting for the chain's preview.
    Previewing,
    Confirm,
    Password,
    Progress,
    Done,
}

/// What the preview shows, computed from the subnet's pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakePreview {
    /// Amount in, as text with its unit.
    pub pay: String,
    /// Expected amount out, with its unit.
    pub receive: String,
    pub swap_fee: String,
    pub price_impact_bps: u32,
    /// Limit price in rao per alpha.
    pub limit_price: Option<u64>,
}

#[derive(Debug)]
pub struct StakeForm {
    pub kind: StakeKind,
    pub wallet: String,
    pub hotkey: String,
    pub hotkey_name: Option<String>,
    pub netuid: u16,
    pub subnet: Option<SubnetView>,
    pub symbol: String,
    /// What can be spent: free TAO (stake) or the position's alpha (unstake / move).
    pub available: u64,
    pub amount: TextInput,
    pub destination: TextInput,
    /// Move only: typing goes to the destination field.
    pub destination_focused: bool,
    pub tolerance: Tolerance,
    pub tolerance_bps: u32,
    pub password: TextInput,
    pub step: StakeStep,
    pub error: Option<String>,
    pub progress: Vec<TxProgress>,
    pub pending: Option<RequestId>,
    /// The chain's preview shown on the confirm screen, and the request that produced it.
    pub chain_preview: Option<(RequestId, ChainPreview)>,
    pub result: Option<Result<String, String>>,
}

pub enum StakeOutcome {
    Stay(Vec<Effect>),
    Close { refresh: bool },
}

impl StakeForm {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: StakeKind,
        wallet: String,
        hotkey: String,
        hotkey_name: Option<String>,
        netuid: u16,
        subnet: Option<SubnetView>,
        available: u64,
        tolerance_bps: u32,
    ) -> StakeForm {
        let tolerance = Tolerance::from_bps(tolerance_bps).unwrap_or(Tolerance::DEFAULT);
        let symbol = subnet
            .as_ref()
            .map(|s| s.symbol.clone())
            .unwrap_or_else(|| "α".to_owned());
        StakeForm {
            kind,
            wallet,
            hotkey,
            hotkey_name,
            netuid,
            subnet,
            symbol,
            available,
            amount: TextInput::new(),
            destination: TextInput::new(),
            destination_focused: false,
            tolerance,
            tolerance_bps,
            password: TextInput::secret(),
            step: StakeStep::Edit,
            error: None,
            progress: Vec::new(),
            pending: None,
            chain_preview: None,
            result: None,
        }
    }

    fn request(&self, amount: u64) -> StakeRequest {
        StakeRequest {
            kind: self.kind,
            wallet: self.wallet.clone(),
            hotkey: self.hotkey.clone(),
            netuid: self.netuid,
            amount,
            destination_hotkey: (!self.destination.is_empty())
                .then(|| self.destination.trimmed().to_owned()),
            tolerance_bps: self.tolerance_bps,
        }
    }

    /// The chain answered the preview request.
    pub fn on_previewed(&mut self, id: RequestId, result: Result<ChainPreview, String>) {
        if self.pending != Some(id) || self.step != StakeStep::Previewing {
            return;
        }
        self.pending = None;
        match result {
            Ok(preview) => {
                self.chain_preview = Some((id, preview));
                self.step = StakeStep::Confirm;
            }
            Err(e) => {
                self.error = Some(e);
                self.step = StakeStep::Edit;
            }
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            StakeKind::Stake => "Stake",
            StakeKind::Unstake => "Unstake",
            StakeKind::Move => "Move stake",
        }
    }

    /// Stake spends TAO; unstake and move spend alpha.
    pub fn spends_tao(&self) -> bool {
        self.kind == StakeKind::Stake
    }

    pub fn unit(&self) -> &str {
        if self.spends_tao() {
            "TAO"
        } else {
            &self.symbol
        }
    }

    /// The typed amount in rao (TAO or alpha).
    pub fn parsed_amount(&self) -> Result<u64, String> {
        let text = self.amount.trimmed();
        if text.is_empty() {
            return Err("type an amount".to_owned());
        }
        let value = if self.spends_tao() {
            Rao::parse_tao(text).map(u64::from)
        } else {
            AlphaRao::parse_alpha(text).map(u64::from)
        }
        .map_err(|e| format!("{e}"))?;
        if value == 0 {
            return Err("the amount must be more than zero".to_owned());
        }
        if value > self.available {
            return Err(format!(
                "that is more than the {} available; press m for the maximum",
                self.format_amount(self.available)
            ));
        }
        Ok(value)
    }

    pub fn format_amount(&self, rao: u64) -> String {
        if self.spends_tao() {
            format!(
                "{} TAO",
                Rao(rao).format_tao(4, crate::amount::Rounding::Down)
            )
        } else {
            format!(
                "{} {}",
                AlphaRao(rao).format_alpha(4, crate::amount::Rounding::Down),
                self.symbol
            )
        }
    }

    fn pool(&self) -> Option<Pool> {
        let s = self.subnet.as_ref()?;
        Some(match s.mechanism {
            Mechanism::Stable => Pool::stable(),
            Mechanism::Dynamic => Pool::dynamic(s.tao_in, s.alpha_in, SwapFee::DEFAULT),
        })
    }

    /// The live preview for the typed amount; `None` until the amount and the pool are known.
    pub fn preview(&self) -> Option<StakePreview> {
        let amount = self.parsed_amount().ok()?;
        let pool = self.pool()?;
        let price = self.subnet.as_ref()?.price;
        match self.kind {
            StakeKind::Stake => {
                let sim = pool.sim_stake(Rao(amount)).ok()?;
                Some(StakePreview {
                    pay: self.format_amount(amount),
                    receive: format!(
                        "{} {}",
                        sim.alpha_out.format_alpha(4, crate::amount::Rounding::Down),
                        self.symbol
                    ),
                    swap_fee: format!("{} TAO", sim.fee.format_tao(6, crate::amount::Rounding::Up)),
                    price_impact_bps: sim.price_impact_bps,
                    limit_price: limit_price(price, self.tolerance, TradeSide::Buy).ok(),
                })
            }
            // A move on the same subnet swaps nothing; the chain's preview shows what arrives.
            StakeKind::Move => None,
            StakeKind::Unstake => {
                let sim = pool.sim_unstake(AlphaRao(amount)).ok()?;
                Some(StakePreview {
                    pay: self.format_amount(amount),
                    receive: format!(
                        "{} TAO",
                        sim.tao_out.format_tao(4, crate::amount::Rounding::Down)
                    ),
                    swap_fee: format!(
                        "{} {}",
                        sim.fee.format_alpha(6, crate::amount::Rounding::Up),
                        self.symbol
                    ),
                    price_impact_bps: sim.price_impact_bps,
                    limit_price: limit_price(price, self.tolerance, TradeSide::Sell).ok(),
                })
            }
        }
    }

    fn set_fraction(&mut self, percent: u64) {
        let rao = u128::from(self.available) * u128::from(percent) / 100;
        let rao = u64::try_from(rao).unwrap_or(self.available);
        let text = if self.spends_tao() {
            Rao(rao).format_tao(9, crate::amount::Rounding::Down)
        } else {
            AlphaRao(rao).format_alpha(9, crate::amount::Rounding::Down)
        };
        self.amount = TextInput::with_text(&text);
        self.error = None;
    }

    pub fn on_paste(&mut self, text: &str) {
        match self.step {
            StakeStep::Edit if self.destination_focused => self.destination.push_str(text.trim()),
            StakeStep::Edit => self.amount.push_str(text.trim()),
            StakeStep::Password => self.password.push_str(text),
            _ => {}
        }
    }

    pub fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> StakeOutcome {
        let stay = StakeOutcome::Stay(Vec::new());
        match (self.step, key.code) {
            (StakeStep::Progress, _) => stay,
            (StakeStep::Previewing, KeyCode::Esc) => {
                self.pending = None;
                self.step = StakeStep::Edit;
                stay
            }
            (StakeStep::Previewing, _) => stay,
            (StakeStep::Done, KeyCode::Esc | KeyCode::Enter) => StakeOutcome::Close {
                refresh: matches!(self.result, Some(Ok(_))),
            },
            (StakeStep::Done, _) => stay,
            (_, KeyCode::Esc) => match self.step {
                // Esc steps back from the password prompt and the confirm screen; from the
                // amount it closes. Nothing is signed before the password is confirmed.
                StakeStep::Password => {
                    self.password.clear();
                    self.step = StakeStep::Confirm;
                    stay
                }
                StakeStep::Confirm => {
                    self.step = StakeStep::Edit;
                    stay
                }
                _ => StakeOutcome::Close { refresh: false },
            },
            (StakeStep::Edit, KeyCode::Char('m')) => {
                self.set_fraction(100);
                stay
            }
            (StakeStep::Edit, KeyCode::Char(c @ '1'..='4'))
                if key.modifiers.contains(crossterm::event::KeyModifiers::ALT) =>
            {
                self.set_fraction(u64::from(c as u8 - b'0') * 25);
                stay
            }
            (StakeStep::Edit, KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down)
                if self.kind == StakeKind::Move =>
            {
                self.destination_focused = !self.destination_focused;
                stay
            }
            (StakeStep::Edit, KeyCode::Char(c)) if self.destination_focused => {
                self.destination.push(c);
                self.error = None;
                stay
            }
            (StakeStep::Edit, KeyCode::Backspace) if self.destination_focused => {
                self.destination.pop();
                self.error = None;
                stay
            }
            (StakeStep::Edit, KeyCode::Char(c)) if c.is_ascii_digit() || c == '.' => {
                self.amount.push(c);
                self.error = None;
                stay
            }
            (StakeStep::Edit, KeyCode::Backspace) => {
                self.amount.pop();
                self.error = None;
                stay
            }
            (StakeStep::Edit, KeyCode::Enter)
                if self.kind == StakeKind::Move
                    && !taotui_keystore::ss58::is_valid(self.destination.trimmed()) =>
            {
                self.destination_focused = true;
                self.error =
                    Some("type or paste the SS58 address of the validator to move to".to_owned());
                stay
            }
            (StakeStep::Edit, KeyCode::Enter) => match self.parsed_amount() {
                Ok(amount) => {
                    let id = ids.fresh();
                    self.pending = Some(id);
                    self.chain_preview = None;
                    self.step = StakeStep::Previewing;
                    StakeOutcome::Stay(vec![Effect::PreviewStake {
                        id,
                        request: self.request(amount),
                    }])
                }
                Err(e) => {
                    self.error = Some(e);
                    stay
                }
            },
            (StakeStep::Confirm, KeyCode::Enter) => {
                match &self.chain_preview {
                    Some((_, p)) if !p.is_allowed() => {
                        self.error = Some(
                            "the chain refuses this as it is; press Esc and change the amount"
                                .to_owned(),
                        );
                    }
                    _ => self.step = StakeStep::Password,
                }
                stay
            }
            (StakeStep::Password, KeyCode::Char(c)) => {
                self.password.push(c);
                stay
            }
            (StakeStep::Password, KeyCode::Backspace) => {
                self.password.pop();
                stay
            }
            (StakeStep::Password, KeyCode::Enter) => {
                let amount = match self.parsed_amount() {
                    Ok(a) => a,
                    Err(e) => {
                        self.error = Some(e);
                        self.step = StakeStep::Edit;
                        return stay;
                    }
                };
                let Some((preview, _)) = &self.chain_preview else {
                    self.step = StakeStep::Edit;
                    return stay;
                };
                let preview = *preview;
                let id = ids.fresh();
                self.pending = Some(id);
                self.step = StakeStep::Progress;
                self.progress = vec![TxProgress::Unlocking];
                let password = self.password.to_secret();
                self.password.clear();
                StakeOutcome::Stay(vec![Effect::SubmitStake {
                    id,
                    preview,
                    request: self.request(amount),
                    password,
                }])
            }
            _ => stay,
        }
    }

    pub fn on_progress(&mut self, id: RequestId, progress: TxProgress) {
        if self.pending == Some(id) {
            self.progress.push(progress);
        }
    }

    pub fn on_done(&mut self, id: RequestId, result: Result<String, String>) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        self.step = StakeStep::Done;
        self.result = Some(result);
        true
    }
}
