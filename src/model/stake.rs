//! The signing forms: stake, unstake, move (to another validator), swap (to another subnet) and
//! transfer (TAO to another account). Each has an amount with max and percentage shortcuts and a
//! live preview, then a confirm screen, the password prompt, and progress until the chain answers.

use crossterm::event::{KeyCode, KeyModifiers};

use super::IdGen;
use super::input::TextInput;
use super::picker::ValidatorPicker;
use super::recipient::{Recipients, confirm_tail};
use crate::action::{
    ChainPreview, Effect, KeyPress, PreviewFacts, RequestId, StakeKind, StakeRequest, TxProgress,
};
use crate::address_book::Resolved;
use crate::amount::{
    AlphaRao, Mechanism, Pool, Rao, Rounding, SwapFee, Tolerance, TradeSide, limit_price,
};
use crate::chain::extrinsics::plan::{move_bps, relative_price};
use crate::chain::queries::{SubnetView, ValidatorView};
use crate::config::keymap::{Command, Context, Keymap};
use crate::risk::{Permit, RiskFlag, StakeTarget, stake_flags};

/// The tolerances the form steps through, in basis points (0.1 % to 10 %).
pub const TOLERANCE_STEPS_BPS: [u32; 6] = [10, 50, 100, 200, 500, 1000];

/// The chain layer's code for a trade that alone moves the price past the tolerance.
const BEYOND_TOLERANCE: &str = "beyond_tolerance";

/// The worker's code for a shielded send the chain cannot take (no key, fee short, too large).
const MEV_SHIELD: &str = "mev_shield";

/// The key names that change the limit, as the user's keymap binds them (for hints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitKeys {
    pub up: String,
    pub down: String,
    pub partial: String,
    pub shield: String,
}

impl LimitKeys {
    pub fn from_keymap(keymap: &Keymap) -> LimitKeys {
        let key = |c| keymap.key_for(Context::StakeForm, c);
        LimitKeys {
            up: key(Command::ToleranceUp),
            down: key(Command::ToleranceDown),
            partial: key(Command::TogglePartial),
            shield: key(Command::ToggleShield),
        }
    }
}

/// A tolerance as the form shows it, e.g. "0.50%".
pub fn percent_text(bps: u32) -> String {
    format!("{}.{:02}%", bps / 100, bps % 100)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StakeStep {
    Edit,
    /// Waiting for the chain's preview.
    Previewing,
    Confirm,
    /// The worker writes the unsigned transaction for offline signing (`o` on the confirm step).
    Writing,
    Password,
    Progress,
    Done,
}

/// Which field of the form gets the typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Amount,
    /// The recipient (transfer), the validator picker (move) or the subnet (swap).
    Destination,
}

/// What the preview shows, computed from the subnets' pools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakePreview {
    /// Amount in, as text with its unit.
    pub pay: String,
    /// Expected amount out, with its unit.
    pub receive: String,
    pub swap_fee: String,
    /// Average price impact: the trade's average price against the current one.
    pub price_impact_bps: u32,
    /// How far the price itself moves (what the limit price is checked against).
    pub price_move_bps: u32,
    /// Limit price in rao per alpha (or destination alpha per origin alpha for a swap).
    pub limit_price: Option<u64>,
    /// The unit of the limit price, e.g. "τ/α".
    pub limit_unit: String,
}

/// One line of the transfer checks: fine or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub text: String,
}

/// The live transfer preview; figures the chain has not told yet are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferPreview {
    /// What leaves the balance besides the fee (and what the recipient gets).
    pub send: Option<u64>,
    pub fee: Option<u64>,
    pub balance_after: Option<u64>,
    pub checks: Vec<Check>,
}

#[derive(Debug)]
pub struct StakeForm {
    pub kind: StakeKind,
    pub wallet: String,
    /// The proxy wallet that signs for `wallet` (the wallet's `proxy` setting), if any.
    pub proxy: Option<String>,
    /// The signing key is not on this machine (a watch-only wallet without a proxy): the confirm step can only
    /// write the transaction for offline signing.
    pub watch_only: bool,
    /// The sending coldkey's address, when known (a transfer to it is refused).
    pub coldkey: Option<String>,
    pub hotkey: String,
    pub hotkey_name: Option<String>,
    pub netuid: u16,
    pub subnet: Option<SubnetView>,
    /// Stake: the validator as the validator list read it (permit, age), for the risk flags.
    pub validator: Option<ValidatorView>,
    pub symbol: String,
    /// What can be spent: free TAO (stake, transfer) or the position's alpha (the others).
    pub available: u64,
    pub amount: TextInput,
    /// Transfer: everything except the existential deposit (`transfer_all`).
    pub all: bool,
    /// The recipient's address or name (transfer, give stake) or the typed netuid (swap).
    pub destination: TextInput,
    /// What a typed recipient is checked against (address book, own wallets, past recipients).
    pub recipients: Recipients,
    /// A look-alike recipient: the user types its last characters here to send to it anyway.
    pub lookalike_confirm: Option<TextInput>,
    /// The look-alike address the user confirmed.
    pub lookalike_confirmed: Option<String>,
    pub focus: Focus,
    /// Move: the subnet's validators to pick the destination from.
    pub picker: Option<ValidatorPicker>,
    /// Swap: the subnets to choose from, and the chosen one.
    pub subnets: Vec<SubnetView>,
    pub to_netuid: Option<u16>,
    pub tolerance: Tolerance,
    pub tolerance_bps: u32,
    /// Limit calls: fill what fits within the tolerance rather than refuse the whole trade.
    pub allow_partial: bool,
    /// Stake trades go through the MEV shield where the runtime has it (`false`: in the clear, as asked).
    pub mev_shield: bool,
    pub password: TextInput,
    pub step: StakeStep,
    pub error: Option<String>,
    pub progress: Vec<TxProgress>,
    pub pending: Option<RequestId>,
    /// The chain's preview shown on the confirm screen, and the request that produced it.
    pub chain_preview: Option<(RequestId, ChainPreview)>,
    /// The background quote in flight (transfer's live preview) and the last one answered.
    pub quote_pending: Option<(RequestId, StakeRequest)>,
    pub quote: Option<(StakeRequest, ChainPreview)>,
    /// The inputs changed since the last quote was asked.
    pub quote_dirty: bool,
    pub result: Option<Result<String, String>>,
    /// The model's clock (seconds since the Unix epoch), kept current by the model.
    pub now: u64,
    /// When signing and sending started, for the age shown while it waits.
    pub progress_since: u64,
}

pub enum StakeOutcome {
    Stay(Vec<Effect>),
    Close {
        refresh: bool,
    },
    /// The user stopped watching a transaction that is already on its way: it goes on in the background and its
    /// outcome arrives as a notice (it is never sent again).
    Detach {
        id: RequestId,
    },
}

fn tao_text(rao: u64, decimals: u8) -> String {
    format!("{} TAO", Rao(rao).format_tao(decimals, Rounding::Down))
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
            proxy: None,
            watch_only: false,
            coldkey: None,
            hotkey,
            hotkey_name,
            netuid,
            subnet,
            validator: None,
            symbol,
            available,
            amount: TextInput::new(),
            all: false,
            destination: TextInput::new(),
            recipients: Recipients::default(),
            lookalike_confirm: None,
            lookalike_confirmed: None,
            focus: Focus::Amount,
            picker: None,
            subnets: Vec::new(),
            to_netuid: None,
            tolerance,
            tolerance_bps,
            allow_partial: false,
            mev_shield: true,
            password: TextInput::secret(),
            step: StakeStep::Edit,
            error: None,
            progress: Vec::new(),
            pending: None,
            chain_preview: None,
            quote_pending: None,
            quote: None,
            quote_dirty: false,
            result: None,
            now: 0,
            progress_since: 0,
        }
    }

    /// A transfer of TAO from `wallet` (address `coldkey`, `free` spendable); the recipient first.
    pub fn transfer(
        wallet: String,
        coldkey: Option<String>,
        free: u64,
        tolerance_bps: u32,
    ) -> StakeForm {
        let mut f = StakeForm::new(
            StakeKind::Transfer,
            wallet,
            String::new(),
            None,
            0,
            None,
            free,
            tolerance_bps,
        );
        f.coldkey = coldkey;
        f.symbol = "TAO".to_owned();
        f.focus = Focus::Destination;
        f
    }

    /// Stake: the validator's risk figures, for the flags in the preview.
    pub fn with_validator(mut self, validator: Option<ValidatorView>) -> StakeForm {
        self.validator = validator;
        self
    }

    /// Stake: the risks worth a warning before signing (no validator permit, subnet at deregistration risk).
    pub fn risk_flags(&self) -> Vec<RiskFlag> {
        if self.kind != StakeKind::Stake {
            return Vec::new();
        }
        let permit = self
            .validator
            .as_ref()
            .filter(|v| v.netuid == self.netuid && v.hotkey.ss58() == self.hotkey)
            .map_or(Permit::Unknown, |v| Permit::from(v.validator_permit));
        let label = self.hotkey_name.clone().unwrap_or_else(|| {
            let chars: Vec<char> = self.hotkey.chars().collect();
            if chars.len() > 12 {
                let head: String = chars[..6].iter().collect();
                let tail: String = chars[chars.len() - 4..].iter().collect();
                format!("{head}…{tail}")
            } else {
                self.hotkey.clone()
            }
        });
        let target = StakeTarget {
            label: &label,
            netuid: self.netuid,
            permit,
        };
        stake_flags(&target, self.subnet.as_ref().map(|s| &s.dereg))
    }

    /// Move: the destination is picked from `picker`.
    pub fn with_picker(mut self, picker: ValidatorPicker) -> StakeForm {
        self.picker = Some(picker);
        self
    }

    /// Swap: the destination is one of `subnets` (the origin is left out).
    pub fn with_subnets(mut self, subnets: Vec<SubnetView>) -> StakeForm {
        self.set_subnets(subnets);
        self
    }

    /// The subnets read from the chain: the destinations, and the origin's pool if it was missing.
    pub fn set_subnets(&mut self, subnets: Vec<SubnetView>) {
        let (origin, others): (Vec<SubnetView>, Vec<SubnetView>) =
            subnets.into_iter().partition(|s| s.netuid == self.netuid);
        if self.subnet.is_none()
            && let Some(o) = origin.into_iter().next()
        {
            self.symbol = o.symbol.clone();
            self.subnet = Some(o);
        }
        self.subnets = others;
        self.pick_typed_subnet();
    }

    fn request(&self, amount: u64) -> StakeRequest {
        let destination = match self.kind {
            StakeKind::Move => self.picker.as_ref().and_then(ValidatorPicker::chosen),
            StakeKind::Transfer | StakeKind::TransferStake => Some(self.recipient_ss58()),
            _ => None,
        };
        StakeRequest {
            kind: self.kind,
            wallet: self.wallet.clone(),
            hotkey: self.hotkey.clone(),
            netuid: self.netuid,
            amount,
            destination,
            destination_netuid: (self.kind == StakeKind::Swap)
                .then_some(self.to_netuid)
                .flatten(),
            all: self.all,
            tolerance_bps: self.tolerance_bps,
            allow_partial: self.has_limit() && self.allow_partial,
            proxy: self.proxy.clone(),
            mev_shield: self.mev_shield,
        }
    }

    /// Whether the call is a limit call whose tolerance and partial fill the user can set
    /// (move and transfer have no limit variant).
    pub fn has_limit(&self) -> bool {
        matches!(
            self.kind,
            StakeKind::Stake | StakeKind::Unstake | StakeKind::Swap
        )
    }

    /// The next tolerance step above (`up`) or below the current one, bounded by the steps.
    fn stepped_tolerance(&self, up: bool) -> u32 {
        let current = self.tolerance_bps;
        let next = if up {
            TOLERANCE_STEPS_BPS.iter().find(|&&b| b > current)
        } else {
            TOLERANCE_STEPS_BPS.iter().rev().find(|&&b| b < current)
        };
        next.copied().unwrap_or(current)
    }

    /// Tolerance up/down or partial fill on/off. The chain's preview, when one is shown or
    /// asked for, is asked again with the new limit; the older answer is then dropped by id.
    pub fn on_limit_command(&mut self, command: Command, ids: &mut IdGen) -> StakeOutcome {
        let stay = StakeOutcome::Stay(Vec::new());
        let applies = if command == Command::ToggleShield {
            self.kind.trades_stake()
        } else {
            self.has_limit()
        };
        if !applies
            || !matches!(
                self.step,
                StakeStep::Edit | StakeStep::Previewing | StakeStep::Confirm
            )
        {
            return stay;
        }
        match command {
            Command::ToleranceUp | Command::ToleranceDown => {
                let bps = self.stepped_tolerance(command == Command::ToleranceUp);
                let Ok(tolerance) = Tolerance::from_bps(bps) else {
                    return stay;
                };
                if bps == self.tolerance_bps {
                    return stay;
                }
                self.tolerance = tolerance;
                self.tolerance_bps = bps;
            }
            Command::TogglePartial => self.allow_partial = !self.allow_partial,
            Command::ToggleShield => self.mev_shield = !self.mev_shield,
            _ => return stay,
        }
        self.error = None;
        self.quote_dirty = true;
        if self.step == StakeStep::Edit {
            return stay;
        }
        match self.parsed_amount() {
            Ok(amount) => self.ask_preview(amount, ids),
            Err(e) => {
                self.pending = None;
                self.error = Some(e);
                self.step = StakeStep::Edit;
                stay
            }
        }
    }

    fn ask_preview(&mut self, amount: u64, ids: &mut IdGen) -> StakeOutcome {
        let id = ids.fresh();
        self.pending = Some(id);
        self.chain_preview = None;
        self.step = StakeStep::Previewing;
        StakeOutcome::Stay(vec![Effect::PreviewStake {
            id,
            request: self.request(amount),
        }])
    }

    /// The chain preview's refusals as sentences; a trade past the tolerance says which keys
    /// change the limit (the chain layer's own sentence names command-line flags).
    pub fn refusal_sentences(&self, keys: &LimitKeys) -> Vec<String> {
        let Some((_, preview)) = &self.chain_preview else {
            return Vec::new();
        };
        preview
            .refusals
            .iter()
            .enumerate()
            .map(|(i, sentence)| {
                let code = preview.refusal_codes.get(i).map(String::as_str);
                if code == Some(MEV_SHIELD) {
                    // The chain layer's sentence names the command-line flag; here a key does it.
                    sentence.replace(
                        crate::chain::mev_shield::decision::HOW_TO_SEND_CLEAR,
                        &format!("to send it in the clear instead, press {}", keys.shield),
                    )
                } else if code == Some(BEYOND_TOLERANCE) {
                    format!(
                        "This trade alone moves the price past the {} tolerance: raise it with {}, allow a partial fill with {}, or use a smaller amount.",
                        percent_text(self.tolerance_bps),
                        keys.up,
                        keys.partial
                    )
                } else {
                    sentence.clone()
                }
            })
            .collect()
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

    /// The chain answered a background quote; only the one in flight is kept.
    pub fn on_quoted(&mut self, id: RequestId, result: Result<ChainPreview, String>) {
        let Some((pending, request)) = self.quote_pending.take() else {
            return;
        };
        if pending != id {
            self.quote_pending = Some((pending, request));
            return;
        }
        // A failed quote keeps the last figures; the review asks the chain again anyway.
        if let Ok(preview) = result {
            self.quote = Some((request, preview));
        }
    }

    /// Called on every tick: asks for a quote once the inputs settled (at most one in flight).
    pub fn on_tick(&mut self, ids: &mut IdGen, connected: bool) -> Vec<Effect> {
        if self.kind != StakeKind::Transfer
            || self.step != StakeStep::Edit
            || !connected
            || !self.quote_dirty
            || self.quote_pending.is_some()
            || self.address_status() != Some(Ok(()))
        {
            return Vec::new();
        }
        let Ok(amount) = self.parsed_amount() else {
            return Vec::new();
        };
        self.quote_dirty = false;
        let id = ids.fresh();
        let request = self.request(amount);
        self.quote_pending = Some((id, request.clone()));
        vec![Effect::QuoteStake { id, request }]
    }

    /// The worker read the validators of the picker's subnet.
    pub fn on_validators(
        &mut self,
        id: RequestId,
        fetched_at: u64,
        result: Result<Vec<crate::chain::queries::ValidatorView>, String>,
    ) -> bool {
        match &mut self.picker {
            Some(p) if p.list.pending == Some(id) => {
                p.list.answer(id, fetched_at, result);
                p.reorder();
                true
            }
            _ => false,
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            StakeKind::Stake => "Stake",
            StakeKind::Unstake => "Unstake",
            StakeKind::Move => "Move stake",
            StakeKind::Swap => "Swap stake to another subnet",
            StakeKind::Transfer => "Transfer TAO",
            StakeKind::TransferStake => "Give stake to another coldkey",
        }
    }

    /// Stake and transfer spend TAO; the others spend alpha.
    pub fn spends_tao(&self) -> bool {
        matches!(self.kind, StakeKind::Stake | StakeKind::Transfer)
    }

    pub fn unit(&self) -> &str {
        if self.spends_tao() {
            "TAO"
        } else {
            &self.symbol
        }
    }

    /// Whether the form has a second field (recipient, validator or subnet).
    pub fn has_destination(&self) -> bool {
        matches!(
            self.kind,
            StakeKind::Move | StakeKind::Swap | StakeKind::Transfer | StakeKind::TransferStake
        )
    }

    /// The typed amount in rao (TAO or alpha); a transfer of everything counts the whole balance.
    pub fn parsed_amount(&self) -> Result<u64, String> {
        if self.all {
            return Ok(self.available);
        }
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
            let hint = if self.kind == StakeKind::Transfer {
                "press m to send everything that keeps the account alive"
            } else {
                "press m for the maximum"
            };
            return Err(format!(
                "that is more than the {} available; {hint}",
                self.format_amount(self.available)
            ));
        }
        Ok(value)
    }

    /// The amount as the form shows it.
    pub fn amount_text(&self) -> String {
        if self.all {
            "all (keeps the existential deposit)".to_owned()
        } else {
            self.amount.display()
        }
    }

    pub fn format_amount(&self, rao: u64) -> String {
        if self.spends_tao() {
            tao_text(rao, 4)
        } else {
            format!(
                "{} {}",
                AlphaRao(rao).format_alpha(4, Rounding::Down),
                self.symbol
            )
        }
    }

    /// Transfer: `None` while the address is empty, else whether it can receive.
    pub fn address_status(&self) -> Option<Result<(), String>> {
        let text = self.destination.trimmed();
        if text.is_empty() {
            return None;
        }
        let resolved = match self.recipient() {
            Some(Ok(r)) => r,
            // A long run of base-58 characters was meant as an address: say what is wrong with it.
            _ if text.len() >= 40 && text.chars().all(|c| c.is_ascii_alphanumeric()) => {
                return Some(Err(format!(
                    "`{}` is not a valid SS58 address; copy it again (it starts with 5 and has 48 characters)",
                    crate::ui::widgets::fmt::short(text)
                )));
            }
            Some(Err(_)) => {
                return Some(Err(format!(
                    "`{}` is neither a valid SS58 address nor a name in the address book or a wallet; copy the address again or add the name with `taotui address add`",
                    crate::ui::widgets::fmt::short(text)
                )));
            }
            None => return None,
        };
        if self.coldkey.as_deref() == Some(resolved.ss58.as_str()) {
            return Some(Err(
                "that is this wallet's own address; give another one".to_owned()
            ));
        }
        Some(Ok(()))
    }

    /// Transfer and give stake: what the typed recipient stands for (an address, a book name or a wallet name).
    pub fn recipient(&self) -> Option<Result<Resolved, String>> {
        let text = self.destination.trimmed();
        if text.is_empty() || !matches!(self.kind, StakeKind::Transfer | StakeKind::TransferStake) {
            return None;
        }
        Some(self.recipients.resolve(text))
    }

    /// The recipient's address (the typed text where it resolves to none).
    fn recipient_ss58(&self) -> String {
        match self.recipient() {
            Some(Ok(r)) => r.ss58,
            _ => self.destination.trimmed().to_owned(),
        }
    }

    /// The recipient checks as sentences: never sent to before, a look-alike of a known address.
    pub fn recipient_warnings(&self) -> Vec<String> {
        match self.recipient() {
            Some(Ok(r)) => self.recipients.check(&r.ss58).warnings(&r.ss58),
            _ => Vec::new(),
        }
    }

    /// The resolved recipient imitates a known address and the user has not confirmed it.
    fn unconfirmed_lookalike(&self) -> Option<String> {
        let Some(Ok(r)) = self.recipient() else {
            return None;
        };
        let check = self.recipients.check(&r.ss58);
        (check.lookalike.is_some() && self.lookalike_confirmed.as_deref() != Some(r.ss58.as_str()))
            .then_some(r.ss58)
    }

    /// Keys while the look-alike confirmation is open: the last characters, Enter checks them, Esc goes back.
    fn on_lookalike_key(&mut self, key: KeyPress, ids: &mut IdGen) -> StakeOutcome {
        let stay = StakeOutcome::Stay(Vec::new());
        let Some(input) = self.lookalike_confirm.as_mut() else {
            return stay;
        };
        match key.code {
            KeyCode::Char(c) => input.push(c),
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Esc => {
                self.lookalike_confirm = None;
                self.error = None;
            }
            KeyCode::Enter => {
                let typed = input.trimmed().to_owned();
                let ss58 = self.recipient_ss58();
                if typed == confirm_tail(&ss58) {
                    self.lookalike_confirm = None;
                    self.lookalike_confirmed = Some(ss58);
                    self.error = None;
                    return self.on_edit_key(key, ids);
                }
                self.error = Some(format!(
                    "that is not its last {} characters; check the address, or Esc to change it",
                    crate::address_book::CONFIRM_CHARS
                ));
            }
            _ => {}
        }
        stay
    }

    /// Swap: the chosen destination subnet.
    pub fn destination_subnet(&self) -> Option<&SubnetView> {
        let n = self.to_netuid?;
        self.subnets.iter().find(|s| s.netuid == n)
    }

    /// How far a trade moves the pool's price, in basis points.
    fn moved(before: Pool, after: Pool) -> u32 {
        before
            .spot_price()
            .ok()
            .zip(after.spot_price().ok())
            .and_then(|(b, a)| move_bps(b, a).ok())
            .unwrap_or(0)
    }

    fn pool_of(s: &SubnetView) -> Pool {
        match s.mechanism {
            Mechanism::Stable => Pool::stable(),
            Mechanism::Dynamic => Pool::dynamic(s.tao_in, s.alpha_in, SwapFee::DEFAULT),
        }
    }

    /// The live preview for the typed amount; `None` until the amount and the pools are known.
    pub fn preview(&self) -> Option<StakePreview> {
        let amount = self.parsed_amount().ok()?;
        let subnet = self.subnet.as_ref()?;
        let pool = StakeForm::pool_of(subnet);
        let price = subnet.price;
        let alpha =
            |a: AlphaRao, symbol: &str| format!("{} {symbol}", a.format_alpha(4, Rounding::Down));
        match self.kind {
            StakeKind::Stake => {
                let sim = pool.sim_stake(Rao(amount)).ok()?;
                Some(StakePreview {
                    pay: self.format_amount(amount),
                    receive: alpha(sim.alpha_out, &self.symbol),
                    swap_fee: format!("{} TAO", sim.fee.format_tao(6, Rounding::Up)),
                    price_impact_bps: sim.price_impact_bps,
                    price_move_bps: StakeForm::moved(pool, sim.pool_after),
                    limit_price: limit_price(price, self.tolerance, TradeSide::Buy).ok(),
                    limit_unit: format!("τ/{}", self.symbol),
                })
            }
            // A move on the same subnet swaps nothing, a transfer has no pool: the chain's
            // preview (and the transfer preview) show what arrives.
            StakeKind::Move | StakeKind::Transfer | StakeKind::TransferStake => None,
            StakeKind::Unstake => {
                let sim = pool.sim_unstake(AlphaRao(amount)).ok()?;
                Some(StakePreview {
                    pay: self.format_amount(amount),
                    receive: tao_text(sim.tao_out.get(), 4),
                    swap_fee: alpha(AlphaRao(sim.fee.get()), &self.symbol),
                    price_impact_bps: sim.price_impact_bps,
                    price_move_bps: StakeForm::moved(pool, sim.pool_after),
                    limit_price: limit_price(price, self.tolerance, TradeSide::Sell).ok(),
                    limit_unit: format!("τ/{}", self.symbol),
                })
            }
            StakeKind::Swap => {
                let dest = self.destination_subnet()?;
                let sell = pool.sim_unstake(AlphaRao(amount)).ok()?;
                let dest_pool = StakeForm::pool_of(dest);
                let buy = dest_pool.sim_stake(sell.tao_out).ok()?;
                let relative = relative_price(price, dest.price).ok()?;
                let relative_of = |o: Pool, d: Pool| {
                    relative_price(o.spot_price().ok()?, d.spot_price().ok()?).ok()
                };
                let price_move_bps = relative_of(pool, dest_pool)
                    .zip(relative_of(sell.pool_after, buy.pool_after))
                    .and_then(|(before, after)| move_bps(before, after).ok())
                    .unwrap_or(0);
                Some(StakePreview {
                    pay: self.format_amount(amount),
                    receive: alpha(buy.alpha_out, &dest.symbol),
                    // Each leg pays its pool's fee; a stable pool (root) takes none.
                    swap_fee: if buy.fee.is_zero() {
                        alpha(AlphaRao(sell.fee.get()), &self.symbol)
                    } else {
                        format!(
                            "{} + {} TAO",
                            alpha(AlphaRao(sell.fee.get()), &self.symbol),
                            buy.fee.format_tao(6, Rounding::Up)
                        )
                    },
                    price_impact_bps: sell.price_impact_bps.saturating_add(buy.price_impact_bps),
                    price_move_bps,
                    limit_price: limit_price(relative, self.tolerance, TradeSide::Sell).ok(),
                    limit_unit: format!("{}/{}", dest.symbol, self.symbol),
                })
            }
        }
    }

    /// The balance figures the chain last told, and whether they were read for this recipient.
    fn facts(&self) -> Option<(PreviewFacts, bool)> {
        let (request, preview) = self.quote.as_ref()?;
        let same_recipient = request.destination.as_deref() == Some(self.recipient_ss58().as_str());
        Some((preview.facts, same_recipient))
    }

    /// Transfer: what is sent, the fee, the balance after and the existential-deposit checks.
    pub fn transfer_preview(&self) -> Option<TransferPreview> {
        if self.kind != StakeKind::Transfer {
            return None;
        }
        let facts = self.facts();
        let typed = self.parsed_amount().ok();
        let send = match (self.all, facts) {
            (true, Some((f, _))) => Some(
                f.spendable
                    .saturating_sub(f.existential_deposit)
                    .saturating_sub(f.fee),
            ),
            (true, None) => None,
            (false, _) => typed,
        };
        let fee = facts.map(|(f, _)| f.fee);
        let spendable = facts.map_or(self.available, |(f, _)| f.spendable);
        let balance_after = match (send, fee) {
            (Some(s), Some(f)) => Some(spendable.saturating_sub(s).saturating_sub(f)),
            (Some(s), None) => Some(spendable.saturating_sub(s)),
            _ => None,
        };
        let mut checks = Vec::new();
        if let Some((f, same_recipient)) = facts {
            let ed = f.existential_deposit;
            let needed = send.unwrap_or(0).saturating_add(f.fee).saturating_add(ed);
            if !self.all && send.is_some() && spendable < needed {
                checks.push(Check {
                    ok: false,
                    text: format!(
                        "This leaves less than the existential deposit ({}) after the fee; send at most {} (m sends everything it can).",
                        tao_text(ed, 9),
                        tao_text(spendable.saturating_sub(f.fee).saturating_sub(ed), 9)
                    ),
                });
            } else if send.is_some_and(|s| s > 0) {
                checks.push(Check {
                    ok: true,
                    text: format!(
                        "Keeps the existential deposit of {} in this account.",
                        tao_text(ed, 9)
                    ),
                });
            }
            if same_recipient && f.dest_free == Some(0) && send.is_some_and(|s| s < ed) {
                checks.push(Check {
                    ok: false,
                    text: format!(
                        "The recipient's account is empty: send at least the existential deposit of {} or it cannot exist.",
                        tao_text(ed, 9)
                    ),
                });
            }
        }
        Some(TransferPreview {
            send,
            fee,
            balance_after,
            checks,
        })
    }

    fn set_fraction(&mut self, percent: u64) {
        self.error = None;
        self.quote_dirty = true;
        // Sending the whole balance would leave nothing for the fee and the existential
        // deposit; transfer_all (keep-alive) sends everything that can go.
        if self.kind == StakeKind::Transfer && percent == 100 {
            self.all = true;
            self.amount.clear();
            return;
        }
        self.all = false;
        let rao = u128::from(self.available) * u128::from(percent) / 100;
        let rao = u64::try_from(rao).unwrap_or(self.available);
        let text = if self.spends_tao() {
            Rao(rao).format_tao(9, Rounding::Down)
        } else {
            AlphaRao(rao).format_alpha(9, Rounding::Down)
        };
        self.amount = TextInput::with_text(&text);
    }

    pub fn on_paste(&mut self, text: &str) {
        match self.step {
            StakeStep::Edit if self.focus == Focus::Destination => {
                self.type_destination(text.trim())
            }
            StakeStep::Edit => {
                self.all = false;
                self.amount.push_str(text.trim());
                self.quote_dirty = true;
            }
            StakeStep::Password => self.password.push_str(text),
            _ => {}
        }
    }

    fn type_destination(&mut self, text: &str) {
        self.error = None;
        self.lookalike_confirm = None;
        self.quote_dirty = true;
        match (&mut self.picker, self.kind) {
            (Some(p), StakeKind::Move) => {
                p.filter.push_str(text);
                p.selected = 0;
                p.reorder();
            }
            (_, StakeKind::Swap) => {
                self.destination.push_str(text);
                self.pick_typed_subnet();
            }
            _ => self.destination.push_str(text),
        }
    }

    fn pop_destination(&mut self) {
        self.error = None;
        self.quote_dirty = true;
        match (&mut self.picker, self.kind) {
            (Some(p), StakeKind::Move) => {
                p.filter.pop();
                p.selected = 0;
                p.reorder();
            }
            (_, StakeKind::Swap) => {
                self.destination.pop();
                self.pick_typed_subnet();
            }
            _ => self.destination.pop(),
        }
    }

    fn pick_typed_subnet(&mut self) {
        self.to_netuid = self
            .destination
            .trimmed()
            .parse::<u16>()
            .ok()
            .filter(|n| self.subnets.iter().any(|s| s.netuid == *n));
    }

    /// Up/Down on the destination: through the picker's list or the subnets.
    fn step_destination(&mut self, delta: isize) {
        if let Some(p) = &mut self.picker {
            p.step(delta);
            return;
        }
        if self.kind == StakeKind::Swap && !self.subnets.is_empty() {
            let n = self.subnets.len();
            let next = match self
                .to_netuid
                .and_then(|t| self.subnets.iter().position(|s| s.netuid == t))
            {
                Some(i) => i.saturating_add_signed(delta).min(n - 1),
                None => 0,
            };
            if let Some(s) = self.subnets.get(next) {
                self.to_netuid = Some(s.netuid);
                self.destination = TextInput::with_text(&s.netuid.to_string());
                self.error = None;
            }
        }
    }

    /// The destination is missing or wrong: the sentence to show.
    fn destination_problem(&self) -> Option<String> {
        match self.kind {
            StakeKind::Transfer => match self.address_status() {
                None => Some("type or paste the SS58 address to send to".to_owned()),
                Some(Err(e)) => Some(e),
                Some(Ok(())) => None,
            },
            StakeKind::TransferStake => match self.address_status() {
                None => Some(
                    "type or paste the address of the coldkey that receives the stake".to_owned(),
                ),
                Some(Err(e)) => Some(e),
                Some(Ok(())) => None,
            },
            StakeKind::Move => {
                let chosen = self.picker.as_ref().and_then(ValidatorPicker::chosen);
                match chosen {
                    None => Some(
                        "pick the validator to move to: type to filter, ↑↓ to choose, or paste its SS58 address"
                            .to_owned(),
                    ),
                    Some(h) if h == self.hotkey => Some(
                        "that is the validator the stake is already with; pick another one"
                            .to_owned(),
                    ),
                    Some(_) => None,
                }
            }
            StakeKind::Swap => match self.to_netuid {
                None if self.destination.is_empty() => {
                    Some("pick the subnet to swap to: ↑↓ or type its number".to_owned())
                }
                None => Some(format!(
                    "there is no subnet {} to swap to; ↑↓ lists the subnets",
                    self.destination.trimmed()
                )),
                Some(_) => None,
            },
            StakeKind::Stake | StakeKind::Unstake => None,
        }
    }

    fn on_edit_key(&mut self, key: KeyPress, ids: &mut IdGen) -> StakeOutcome {
        let stay = StakeOutcome::Stay(Vec::new());
        let on_destination = self.focus == Focus::Destination;
        match key.code {
            KeyCode::Tab | KeyCode::BackTab if self.has_destination() => {
                self.focus = if on_destination {
                    Focus::Amount
                } else {
                    Focus::Destination
                };
            }
            KeyCode::Down if self.has_destination() && !on_destination => {
                self.focus = Focus::Destination;
            }
            KeyCode::Up | KeyCode::Down if on_destination => {
                self.step_destination(if key.code == KeyCode::Up { -1 } else { 1 });
            }
            KeyCode::Up if self.has_destination() => self.focus = Focus::Destination,
            KeyCode::Char(c) if on_destination => self.type_destination(&c.to_string()),
            KeyCode::Backspace if on_destination => self.pop_destination(),
            KeyCode::Char('m') => self.set_fraction(100),
            KeyCode::Char(c @ '1'..='4') if key.modifiers.contains(KeyModifiers::ALT) => {
                self.set_fraction(u64::from(c as u8 - b'0') * 25);
            }
            KeyCode::Char(c) if c.is_ascii_digit() || c == '.' => {
                self.all = false;
                self.amount.push(c);
                self.error = None;
                self.quote_dirty = true;
            }
            KeyCode::Backspace => {
                if self.all {
                    self.all = false;
                } else {
                    self.amount.pop();
                }
                self.error = None;
                self.quote_dirty = true;
            }
            KeyCode::Enter => {
                if let Some(problem) = self.destination_problem() {
                    self.focus = Focus::Destination;
                    self.error = Some(problem);
                    return stay;
                }
                if self.unconfirmed_lookalike().is_some() {
                    self.focus = Focus::Destination;
                    self.lookalike_confirm = Some(TextInput::new());
                    self.error = Some(format!(
                        "this address looks like a known one; to send to it anyway, type its last {} characters and Enter",
                        crate::address_book::CONFIRM_CHARS
                    ));
                    return stay;
                }
                match self.parsed_amount() {
                    Ok(amount) => return self.ask_preview(amount, ids),
                    Err(e) => {
                        self.focus = Focus::Amount;
                        self.error = Some(e);
                    }
                }
            }
            _ => {}
        }
        stay
    }

    pub fn on_key(&mut self, key: KeyPress, ids: &mut IdGen) -> StakeOutcome {
        let stay = StakeOutcome::Stay(Vec::new());
        match (self.step, key.code) {
            (StakeStep::Progress, KeyCode::Esc) => match self.pending {
                Some(id) => StakeOutcome::Detach { id },
                None => stay,
            },
            (StakeStep::Edit, _) if self.lookalike_confirm.is_some() => {
                self.on_lookalike_key(key, ids)
            }
            (StakeStep::Progress, _) => stay,
            (StakeStep::Previewing, KeyCode::Esc) => {
                self.pending = None;
                self.step = StakeStep::Edit;
                stay
            }
            (StakeStep::Previewing, _) => stay,
            // Stop waiting for a stalled node; an unsigned file written anyway holds no signature.
            (StakeStep::Writing, KeyCode::Esc) => {
                self.pending = None;
                self.step = StakeStep::Confirm;
                stay
            }
            (StakeStep::Writing, _) => stay,
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
                    self.error = None;
                    self.step = StakeStep::Edit;
                    stay
                }
                _ => StakeOutcome::Close { refresh: false },
            },
            (StakeStep::Edit, _) => self.on_edit_key(key, ids),
            (StakeStep::Confirm, KeyCode::Enter) => {
                match &self.chain_preview {
                    Some((_, p)) if !p.is_allowed() => {
                        self.error = Some(
                            "the chain refuses this as it is; press Esc and change it".to_owned(),
                        );
                    }
                    _ if self.watch_only => {
                        self.error = Some(format!(
                            "wallet {} is watch-only: its key is not on this machine; press o to write the \
                             transaction for offline signing",
                            self.wallet
                        ));
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
                self.progress_since = self.now;
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

    /// `o` on the confirm step: the worker writes what the preview showed as an unsigned transaction, for the
    /// offline machine to sign, instead of asking for the password.
    pub fn write_offline(&mut self, ids: &mut IdGen) -> StakeOutcome {
        let stay = StakeOutcome::Stay(Vec::new());
        if self.step != StakeStep::Confirm {
            return stay;
        }
        let preview = match &self.chain_preview {
            Some((_, p)) if !p.is_allowed() => {
                self.error =
                    Some("the chain refuses this as it is; press Esc and change it".to_owned());
                return stay;
            }
            Some((id, _)) => *id,
            None => {
                self.step = StakeStep::Edit;
                return stay;
            }
        };
        let amount = match self.parsed_amount() {
            Ok(a) => a,
            Err(e) => {
                self.error = Some(e);
                self.step = StakeStep::Edit;
                return stay;
            }
        };
        let id = ids.fresh();
        self.pending = Some(id);
        self.error = None;
        self.step = StakeStep::Writing;
        StakeOutcome::Stay(vec![Effect::WriteUnsigned {
            id,
            preview,
            request: self.request(amount),
        }])
    }

    /// The worker wrote the unsigned file (the model then shows it) or says why not; `true` if it was this form's.
    pub fn on_written(
        &mut self,
        id: RequestId,
        result: &Result<crate::action::OfflineFile, String>,
    ) -> bool {
        if self.pending != Some(id) || self.step != StakeStep::Writing {
            return false;
        }
        self.pending = None;
        match result {
            Ok(_) => self.step = StakeStep::Done,
            Err(e) => {
                self.error = Some(e.clone());
                self.step = StakeStep::Confirm;
            }
        }
        true
    }

    pub fn on_progress(&mut self, id: RequestId, progress: TxProgress) {
        if self.pending != Some(id) {
            return;
        }
        push_progress(&mut self.progress, progress);
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

/// Adds a step to a send's progress; only the latest word on what it waits for is worth a line.
pub fn push_progress(list: &mut Vec<TxProgress>, progress: TxProgress) {
    if matches!(progress, TxProgress::Waiting(_))
        && matches!(list.last(), Some(TxProgress::Waiting(_)))
    {
        list.pop();
    }
    list.push(progress);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn form(kind: StakeKind, tolerance_bps: u32) -> StakeForm {
        StakeForm::new(
            kind,
            "w".to_owned(),
            "hk".to_owned(),
            None,
            1,
            None,
            1_000_000_000_000,
            tolerance_bps,
        )
    }

    fn step(f: &mut StakeForm, command: Command) -> u32 {
        let mut ids = IdGen::default();
        let _ = f.on_limit_command(command, &mut ids);
        f.tolerance_bps
    }

    #[test]
    fn a_configured_tolerance_between_steps_steps_to_its_neighbours() {
        let mut f = form(StakeKind::Stake, 30);
        assert_eq!(step(&mut f, Command::ToleranceUp), 50);
        let mut f = form(StakeKind::Stake, 30);
        assert_eq!(step(&mut f, Command::ToleranceDown), 10);
        // Above the last step only down moves it, and back into the steps.
        let mut f = form(StakeKind::Unstake, 2000);
        assert_eq!(step(&mut f, Command::ToleranceUp), 2000);
        assert_eq!(step(&mut f, Command::ToleranceDown), 1000);
        assert_eq!(f.tolerance.bps(), 1000);
        let mut f = form(StakeKind::Swap, 5);
        assert_eq!(step(&mut f, Command::ToleranceDown), 5);
        assert_eq!(step(&mut f, Command::ToleranceUp), 10);
    }

    fn key(code: KeyCode) -> KeyPress {
        KeyPress {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    fn type_text(f: &mut StakeForm, text: &str, ids: &mut IdGen) {
        for c in text.chars() {
            let _ = f.on_key(key(KeyCode::Char(c)), ids);
        }
    }

    #[test]
    fn giving_stake_asks_for_the_coldkey_then_previews_transfer_stake() {
        let me = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let friend = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
        let mut ids = IdGen::default();
        let mut f = form(StakeKind::TransferStake, 50);
        f.coldkey = Some(me.to_owned());
        f.focus = Focus::Destination;
        assert!(f.has_destination() && !f.has_limit() && !f.spends_tao());
        assert_eq!(f.title(), "Give stake to another coldkey");
        // Its own coldkey is refused before anything is asked.
        type_text(&mut f, me, &mut ids);
        let _ = f.on_key(key(KeyCode::Tab), &mut ids);
        type_text(&mut f, "2.5", &mut ids);
        let StakeOutcome::Stay(effects) = f.on_key(key(KeyCode::Enter), &mut ids) else {
            panic!("the form stays open")
        };
        assert!(effects.is_empty());
        assert!(
            f.error.as_deref().unwrap_or("").contains("own address"),
            "{:?}",
            f.error
        );
        // Another coldkey: the chain is asked for the transfer_stake preview with it.
        f.destination.clear();
        type_text(&mut f, friend, &mut ids);
        f.focus = Focus::Amount;
        let StakeOutcome::Stay(effects) = f.on_key(key(KeyCode::Enter), &mut ids) else {
            panic!("the form stays open")
        };
        let [Effect::PreviewStake { request, .. }] = effects.as_slice() else {
            panic!("one preview request: {effects:?}")
        };
        assert_eq!(request.kind, StakeKind::TransferStake);
        assert_eq!(request.destination.as_deref(), Some(friend));
        assert_eq!((request.netuid, request.amount), (1, 2_500_000_000));
        assert_eq!(f.step, StakeStep::Previewing);
    }

    #[test]
    fn only_limit_calls_take_the_limit_and_the_request_carries_it() {
        let mut swap = form(StakeKind::Swap, 50);
        step(&mut swap, Command::ToleranceUp);
        step(&mut swap, Command::TogglePartial);
        let r = swap.request(5);
        assert_eq!((r.tolerance_bps, r.allow_partial), (100, true));
        for kind in [StakeKind::Move, StakeKind::Transfer] {
            let mut f = form(kind, 50);
            step(&mut f, Command::ToleranceUp);
            step(&mut f, Command::TogglePartial);
            let r = f.request(5);
            assert_eq!((r.tolerance_bps, r.allow_partial), (50, false), "{kind:?}");
        }
    }

    #[test]
    fn the_shield_toggle_is_for_stake_trades_and_asks_the_chain_again() {
        let mut ids = IdGen::default();
        let mut f = form(StakeKind::Move, 50);
        assert!(f.request(5).mev_shield, "shielded by default");
        // On the edit step it only flips the setting; on the confirm step the preview is asked again.
        let _ = f.on_limit_command(Command::ToggleShield, &mut ids);
        assert!(!f.request(5).mev_shield);
        f.step = StakeStep::Confirm;
        f.amount = TextInput::with_text("1");
        let StakeOutcome::Stay(effects) = f.on_limit_command(Command::ToggleShield, &mut ids)
        else {
            panic!("the form stays open")
        };
        let [Effect::PreviewStake { request, .. }] = effects.as_slice() else {
            panic!("a fresh preview: {effects:?}")
        };
        assert!(request.mev_shield);
        assert_eq!(f.step, StakeStep::Previewing);
        // A TAO transfer moves no price: nothing to shield, the key does nothing.
        let mut t = form(StakeKind::Transfer, 50);
        let _ = t.on_limit_command(Command::ToggleShield, &mut ids);
        assert!(t.request(5).mev_shield);
    }

    #[test]
    fn a_shield_refusal_names_the_key_instead_of_the_flag() {
        let mut f = form(StakeKind::Stake, 50);
        let refusal = crate::chain::mev_shield::decision::Refusal::NoKey.sentence();
        f.chain_preview = Some((
            RequestId(1),
            ChainPreview {
                refusals: vec![refusal],
                refusal_codes: vec![MEV_SHIELD.to_owned()],
                ..ChainPreview::default()
            },
        ));
        let keys = LimitKeys {
            up: "alt-+".to_owned(),
            down: "alt--".to_owned(),
            partial: "alt-p".to_owned(),
            shield: "alt-m".to_owned(),
        };
        let [sentence] = f.refusal_sentences(&keys).try_into().unwrap();
        assert!(sentence.contains("press alt-m"), "{sentence}");
        assert!(!sentence.contains("--no-mev-shield"), "{sentence}");
    }
}
