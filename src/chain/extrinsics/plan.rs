//! What the user asked for ([`Action`]), the chain facts a preview needs ([`ChainView`]) and the pure computation
//! from the two to the call to sign and the preview to confirm ([`plan`], [`finish_preview`]). No I/O here, so the
//! TUI and the tests can compute previews from any state.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::amount::{
    AlphaRao, AmountError, Mechanism, Pool, Price, Rao, Rounding, SwapFee, Tolerance, TradeSide,
    alpha_to_tao, limit_price, tao_to_alpha,
};

pub type AccountKey = [u8; 32];

/// Whether a trade is guarded by a limit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StakeMode {
    /// The `*_limit` call: refused (or partly filled with `allow_partial`) beyond the tolerance.
    Limit {
        tolerance: Tolerance,
        allow_partial: bool,
    },
    /// The plain call: any price (`--unsafe`).
    Unsafe,
}

impl Default for StakeMode {
    fn default() -> Self {
        StakeMode::Limit {
            tolerance: Tolerance::DEFAULT,
            allow_partial: false,
        }
    }
}

/// An amount of a position: alpha, a TAO value converted at the current price, or everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlphaAmount {
    Alpha(AlphaRao),
    TaoValue(Rao),
    All,
}

/// One thing a nominator can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    AddStake {
        hotkey: AccountKey,
        netuid: u16,
        amount: Rao,
        mode: StakeMode,
    },
    RemoveStake {
        hotkey: AccountKey,
        netuid: u16,
        amount: AlphaAmount,
        mode: StakeMode,
    },
    /// `unstake_all` (every subnet to TAO) or, with `alpha_only`, `unstake_all_alpha` (subnets to root stake).
    UnstakeAll {
        hotkey: AccountKey,
        alpha_only: bool,
    },
    /// Re-delegate: `move_stake`, or `move_stake_limit` across subnets where the runtime has it (the mode's
    /// limit applies only there: within one subnet a move trades nothing).
    MoveStake {
        origin_hotkey: AccountKey,
        destination_hotkey: AccountKey,
        origin_netuid: u16,
        destination_netuid: u16,
        amount: AlphaAmount,
        mode: StakeMode,
    },
    /// Between subnets, same hotkey: `swap_stake_limit` / `swap_stake`.
    SwapStake {
        hotkey: AccountKey,
        origin_netuid: u16,
        destination_netuid: u16,
        amount: AlphaAmount,
        mode: StakeMode,
    },
    /// Give stake to another coldkey, same validator: `transfer_stake` (optionally into another subnet).
    TransferStake {
        destination_coldkey: AccountKey,
        hotkey: AccountKey,
        origin_netuid: u16,
        destination_netuid: u16,
        amount: AlphaAmount,
    },
    /// `Balances.transfer_keep_alive`.
    Transfer { dest: AccountKey, amount: Rao },
    /// `Balances.transfer_all` with `keep_alive = true`.
    TransferAll { dest: AccountKey },
}

impl Action {
    /// Short name for output and history.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::AddStake { .. } => "stake_add",
            Action::RemoveStake { .. } => "stake_remove",
            Action::UnstakeAll { .. } => "unstake_all",
            Action::MoveStake { .. } => "stake_move",
            Action::SwapStake { .. } => "stake_swap",
            Action::TransferStake { .. } => "stake_transfer",
            Action::Transfer { .. } | Action::TransferAll { .. } => "transfer",
        }
    }

    /// Subnets whose state the preview reads.
    pub fn netuids(&self) -> Vec<u16> {
        match self {
            Action::AddStake { netuid, .. } | Action::RemoveStake { netuid, .. } => vec![*netuid],
            Action::MoveStake {
                origin_netuid,
                destination_netuid,
                ..
            }
            | Action::SwapStake {
                origin_netuid,
                destination_netuid,
                ..
            }
            | Action::TransferStake {
                origin_netuid,
                destination_netuid,
                ..
            } => vec![*origin_netuid, *destination_netuid],
            Action::UnstakeAll { .. } | Action::Transfer { .. } | Action::TransferAll { .. } => {
                vec![]
            }
        }
    }

    /// Hotkeys whose existence and registration the preview reads, with the subnet they must be registered on.
    pub fn hotkeys(&self) -> Vec<(AccountKey, Option<u16>)> {
        match self {
            Action::AddStake { hotkey, netuid, .. }
            | Action::RemoveStake { hotkey, netuid, .. } => {
                vec![(*hotkey, Some(*netuid))]
            }
            Action::UnstakeAll { hotkey, .. } => vec![(*hotkey, None)],
            Action::MoveStake {
                origin_hotkey,
                destination_hotkey,
                origin_netuid,
                destination_netuid,
                ..
            } => vec![
                (*origin_hotkey, Some(*origin_netuid)),
                (*destination_hotkey, Some(*destination_netuid)),
            ],
            Action::SwapStake {
                hotkey,
                origin_netuid,
                destination_netuid,
                ..
            }
            | Action::TransferStake {
                hotkey,
                origin_netuid,
                destination_netuid,
                ..
            } => vec![
                (*hotkey, Some(*origin_netuid)),
                (*hotkey, Some(*destination_netuid)),
            ],
            Action::Transfer { .. } | Action::TransferAll { .. } => vec![],
        }
    }

    /// Whether the preview needs the coldkey's positions.
    pub fn needs_positions(&self) -> bool {
        matches!(
            self,
            Action::RemoveStake { .. }
                | Action::UnstakeAll { .. }
                | Action::MoveStake { .. }
                | Action::SwapStake { .. }
                | Action::TransferStake { .. }
        )
    }

    /// The destination account of a transfer.
    pub fn dest(&self) -> Option<AccountKey> {
        match self {
            Action::Transfer { dest, .. } | Action::TransferAll { dest } => Some(*dest),
            _ => None,
        }
    }
}

/// One subnet as the preview sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetFacts {
    /// `NetworksAdded[netuid]`.
    pub exists: bool,
    /// `SubtokenEnabled[netuid]`: false until the owner's `start_call`.
    pub subtoken_enabled: bool,
    pub pool: Pool,
    /// The price the runtime checks limits against (the swap pallet's price where initialised).
    pub price: Price,
}

/// Everything the preview needs from the chain, read in one batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainView {
    pub coldkey: AccountKey,
    /// Free balance minus frozen: what the coldkey can spend.
    pub spendable: Rao,
    pub existential_deposit: Rao,
    /// The smallest TAO amount a stake operation may move (see `fetch::min_stake`).
    pub min_stake: Rao,
    pub subnets: BTreeMap<u16, SubnetFacts>,
    /// Hotkeys with an owner (`Owner[hotkey]` set).
    pub hotkeys_known: BTreeSet<AccountKey>,
    /// (hotkey, netuid) pairs with a UID on the subnet (`Uids[netuid][hotkey]`).
    pub registered: BTreeSet<(AccountKey, u16)>,
    /// The coldkey's alpha per (hotkey, netuid).
    pub positions: BTreeMap<(AccountKey, u16), AlphaRao>,
    /// Where the runtime has stake locks (424+): how much of each position can leave it now. A position
    /// missing here is not limited by a lock.
    pub available: BTreeMap<(AccountKey, u16), AlphaRao>,
    /// The transfer destination's free balance, when the action has one.
    pub dest_free: Option<Rao>,
    /// The optional calls this runtime has (read from its metadata).
    pub calls: OptionalCalls,
}

/// Calls that only some runtimes have; the planner uses each where it exists and falls back otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptionalCalls {
    /// `remove_stake_full_limit(hotkey, netuid, limit_price: Option<u64>)`: unstakes the position as it is when
    /// the call runs (293 and later).
    pub remove_stake_full_limit: bool,
    /// `move_stake_limit(.., limit_price, allow_partial)`: a cross-subnet move guarded like `swap_stake_limit`
    /// (after 424).
    pub move_stake_limit: bool,
    /// `transfer_stake(destination_coldkey, hotkey, origin_netuid, destination_netuid, alpha_amount)`.
    pub transfer_stake: bool,
}

/// One argument of a call, by the runtime's name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ArgValue {
    #[serde(serialize_with = "ser_account")]
    Account(AccountKey),
    /// `MultiAddress::Id(account)`.
    #[serde(serialize_with = "ser_account")]
    Address(AccountKey),
    U16(u16),
    U64(u64),
    /// `Option<u64>` (`remove_stake_full_limit`'s `limit_price`); JSON `null` for `None`.
    OptionU64(Option<u64>),
    Bool(bool),
}

fn ser_account<S: serde::Serializer>(a: &AccountKey, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&taotui_keystore::ss58::encode(a, 42))
}

/// The call to sign, independent of any runtime's encoding: the runtime's metadata decides how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCall {
    pub pallet: &'static str,
    pub name: &'static str,
    pub args: Vec<(&'static str, ArgValue)>,
    /// Signed by a delegate for another coldkey: the extrinsic carries `Proxy.proxy(real, type, this call)`.
    /// Everything else (shielding, history names) still looks at the inner call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyFor>,
    /// For `Utility.batch_all`: the calls it runs, in order (`args` is then empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub legs: Vec<PlannedCall>,
}

/// Who a proxied call acts for, and which of the real account's grants pins it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyFor {
    #[serde(serialize_with = "ser_account")]
    pub real: AccountKey,
    #[serde(serialize_with = "ser_account")]
    pub delegate: AccountKey,
    pub proxy_type: Option<String>,
}

impl PlannedCall {
    /// `Pallet.call`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.pallet, self.name)
    }

    pub fn arg(&self, name: &str) -> Option<ArgValue> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// `Utility.batch_all` of `legs` (each leg's own `proxy` must be `None`: a batch is wrapped as a whole).
    pub fn batch_all(legs: Vec<PlannedCall>) -> PlannedCall {
        PlannedCall {
            pallet: "Utility",
            name: "batch_all",
            args: Vec::new(),
            proxy: None,
            legs,
        }
    }

    /// The account that signs and pays the fee: the delegate for a proxied call, else `coldkey`.
    pub fn signer_for(&self, coldkey: AccountKey) -> AccountKey {
        self.proxy.as_ref().map_or(coldkey, |p| p.delegate)
    }
}

/// Where the expected amounts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteSource {
    /// `SwapRuntimeApi.sim_swap_*` (the runtime's own computation).
    RuntimeSimulation,
    /// The constant-product model over the subnet's reserves (`amount::Pool`).
    Reserves,
    /// Root or a stable subnet: 1:1.
    OneToOne,
    /// No swap involved (a transfer).
    None,
}

impl QuoteSource {
    /// Where the expected amounts come from, in the preview's words; `None` when no swap is involved.
    pub fn describe(self) -> Option<&'static str> {
        match self {
            QuoteSource::RuntimeSimulation => Some("the runtime's own swap simulation"),
            QuoteSource::Reserves => Some("the pool's reserves (constant product)"),
            QuoteSource::OneToOne => Some("1:1 (root or a stable subnet)"),
            QuoteSource::None => None,
        }
    }
}

/// A quote the runtime simulated (`sim_swap_tao_for_alpha` / `sim_swap_alpha_for_tao`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimQuote {
    pub tao: u64,
    pub alpha: u64,
}

/// Why the preview refuses to sign, as a sentence saying what to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Stable machine-readable code, e.g. `insufficient_balance`.
    pub code: &'static str,
    pub sentence: String,
}

/// What the user confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub kind: &'static str,
    pub call: PlannedCall,
    /// Transaction fee from `TransactionPaymentApi.query_info` (rao).
    pub fee: Rao,
    /// TAO leaving the free balance besides the fee.
    pub tao_spent: Rao,
    /// TAO expected back into the free balance.
    pub tao_received: Rao,
    /// Alpha leaving the position(s).
    pub alpha_sold: AlphaRao,
    /// Alpha expected in the destination position.
    pub alpha_received: AlphaRao,
    /// Spot price before, TAO per alpha (for swaps: origin price over destination price).
    #[serde(serialize_with = "ser_price")]
    pub price: Option<Price>,
    /// Expected price after the trade.
    #[serde(serialize_with = "ser_price")]
    pub price_after: Option<Price>,
    /// Average price impact: how much worse the trade's average price is than `price` (fee excluded).
    pub price_impact_bps: u32,
    /// How far the trade moves the price itself, from `price` to `price_after` (rounded up): the figure a limit
    /// call is checked against, about twice the average impact for a constant-product pool.
    pub price_move_bps: u32,
    /// The swap pallet's fee taken from the input (rao or alpha rao of the input side).
    pub swap_fee: u64,
    /// The `limit_price` argument (rao per alpha), for limit calls.
    pub limit_price: Option<u64>,
    pub tolerance_bps: Option<u32>,
    pub allow_partial: bool,
    pub quote: QuoteSource,
    pub refusals: Vec<Refusal>,
    pub warnings: Vec<String>,
}

fn ser_price<S: serde::Serializer>(p: &Option<Price>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.format(9, Rounding::Nearest)),
        None => s.serialize_none(),
    }
}

impl Preview {
    pub fn is_allowed(&self) -> bool {
        self.refusals.is_empty()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("{0}")]
    Amount(#[from] AmountError),
}

/// The amount side of a plan before the fee and the runtime's quote are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub call: PlannedCall,
    /// TAO to buy alpha with (stake), if the call buys.
    pub buy_tao: Option<(u16, Rao)>,
    /// Alpha to sell (unstake, move, swap), if the call sells.
    pub sell_alpha: Option<(u16, AlphaAmount, AlphaRao)>,
    pub limit_price: Option<u64>,
    pub mode: Option<StakeMode>,
    pub refusals: Vec<Refusal>,
}

fn refuse(code: &'static str, sentence: String) -> Refusal {
    Refusal { code, sentence }
}

const SM: &str = "SubtensorModule";

fn spot(view: &ChainView, netuid: u16) -> Price {
    view.subnets.get(&netuid).map_or(
        Price::ONE,
        |s| if netuid == 0 { Price::ONE } else { s.price },
    )
}

fn resolve_alpha(
    amount: AlphaAmount,
    held: AlphaRao,
    price: Price,
) -> Result<AlphaRao, AmountError> {
    match amount {
        AlphaAmount::Alpha(a) => Ok(a),
        AlphaAmount::TaoValue(t) => tao_to_alpha(t, price),
        AlphaAmount::All => Ok(held),
    }
}

fn limit_arg(mode: StakeMode, price: Price, side: TradeSide) -> Result<Option<u64>, AmountError> {
    match mode {
        StakeMode::Limit { tolerance, .. } => limit_price(price, tolerance, side).map(Some),
        StakeMode::Unsafe => Ok(None),
    }
}

/// The limit variant of a staking call (with `limit_price` and `allow_partial` appended) when a
/// limit applies, else the plain call; returns the call name.
fn with_limit(
    args: &mut Vec<(&'static str, ArgValue)>,
    limit: Option<u64>,
    mode: StakeMode,
    limited: &'static str,
    plain: &'static str,
) -> &'static str {
    match limit {
        Some(l) => {
            args.push(("limit_price", ArgValue::U64(l)));
            args.push(("allow_partial", ArgValue::Bool(partial(mode))));
            limited
        }
        None => plain,
    }
}

fn partial(mode: StakeMode) -> bool {
    matches!(
        mode,
        StakeMode::Limit {
            allow_partial: true,
            ..
        }
    )
}

/// Checks that apply to a subnet and hotkey before staking on them; appended to `out`.
fn subnet_checks(view: &ChainView, netuid: u16, out: &mut Vec<Refusal>) {
    match view.subnets.get(&netuid) {
        Some(s) if s.exists => {
            if !s.subtoken_enabled {
                out.push(refuse(
                    "subtoken_disabled",
                    format!(
                        "Subnet {netuid} has not been started by its owner yet (no start_call), so its token cannot be staked or traded; pick a started subnet."
                    ),
                ));
            }
        }
        _ => out.push(refuse(
            "subnet_missing",
            format!("Subnet {netuid} does not exist; check the netuid with `taotui subnets`."),
        )),
    }
}

fn hotkey_checks(
    view: &ChainView,
    hotkey: &AccountKey,
    netuid: Option<u16>,
    out: &mut Vec<Refusal>,
) {
    let ss58 = taotui_keystore::ss58::encode(hotkey, 42);
    if !view.hotkeys_known.contains(hotkey) {
        out.push(refuse(
            "unknown_hotkey",
            format!(
                "Hotkey {ss58} is not registered on the chain; check the validator's address (see `taotui validators`)."
            ),
        ));
        return;
    }
    if let Some(n) = netuid
        && !view.registered.contains(&(*hotkey, n))
        && view.subnets.get(&n).is_some_and(|s| s.exists)
    {
        out.push(refuse(
            "hotkey_not_on_subnet",
            format!(
                "Hotkey {ss58} is not a validator on subnet {n}; pick one from `taotui validators --netuid {n}`."
            ),
        ));
    }
}

fn min_stake_check(view: &ChainView, value: Rao, out: &mut Vec<Refusal>) {
    if value < view.min_stake {
        out.push(refuse(
            "below_min_stake",
            format!(
                "The amount is worth {} TAO, below the chain's minimum of {} TAO per stake operation; use a larger amount.",
                value.format_tao(9, Rounding::Down),
                view.min_stake.format_tao(9, Rounding::Up)
            ),
        ));
    }
}

fn position_check(
    view: &ChainView,
    hotkey: &AccountKey,
    netuid: u16,
    alpha: AlphaRao,
    out: &mut Vec<Refusal>,
) -> AlphaRao {
    let held = view
        .positions
        .get(&(*hotkey, netuid))
        .copied()
        .unwrap_or(AlphaRao::ZERO);
    if held.is_zero() {
        out.push(refuse(
            "no_position",
            format!(
                "This coldkey has no stake with {} on subnet {netuid}; check `taotui stake list`.",
                taotui_keystore::ss58::encode(hotkey, 42)
            ),
        ));
    } else if alpha > held {
        out.push(refuse(
            "not_enough_stake",
            format!(
                "The position holds {} alpha, less than the {} asked; use a smaller amount or --all.",
                held.format_alpha(9, Rounding::Down),
                alpha.format_alpha(9, Rounding::Up)
            ),
        ));
    } else if alpha.is_zero() {
        out.push(refuse(
            "zero_amount",
            "The amount is zero; give a positive amount.".to_owned(),
        ));
    } else if let Some(&available) = view.available.get(&(*hotkey, netuid))
        && alpha > available
    {
        // The runtime would fail it with `StakeUnavailable` after the fee is paid; say so before signing.
        let down = crate::amount::FormatOptions::new(9, Rounding::Down).trimmed();
        let up = crate::amount::FormatOptions::new(9, Rounding::Up).trimmed();
        out.push(refuse(
            "stake_locked",
            format!(
                "Only {} α of this position are available; {} α are locked. Use at most that amount, or wait \
                 for the lock to end.",
                available.format(&down),
                held.saturating_sub(available).format(&up),
            ),
        ));
    }
    held
}

/// The call and the amounts, from the action and the chain's state (no fee yet).
pub fn plan(action: &Action, view: &ChainView) -> Result<Plan, PlanError> {
    let mut refusals = Vec::new();
    let plan = match *action {
        Action::AddStake {
            hotkey,
            netuid,
            amount,
            mode,
        } => {
            subnet_checks(view, netuid, &mut refusals);
            hotkey_checks(view, &hotkey, Some(netuid), &mut refusals);
            min_stake_check(view, amount, &mut refusals);
            let limit = limit_arg(mode, spot(view, netuid), TradeSide::Buy)?;
            let mut args = vec![
                ("hotkey", ArgValue::Account(hotkey)),
                ("netuid", ArgValue::U16(netuid)),
                ("amount_staked", ArgValue::U64(amount.get())),
            ];
            let name = with_limit(&mut args, limit, mode, "add_stake_limit", "add_stake");
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: SM,
                    name,
                    args,
                },
                buy_tao: Some((netuid, amount)),
                sell_alpha: None,
                limit_price: limit,
                mode: Some(mode),
                refusals,
            }
        }
        Action::RemoveStake {
            hotkey,
            netuid,
            amount,
            mode,
        } => {
            subnet_checks(view, netuid, &mut refusals);
            hotkey_checks(view, &hotkey, None, &mut refusals);
            let price = spot(view, netuid);
            let held = view
                .positions
                .get(&(hotkey, netuid))
                .copied()
                .unwrap_or(AlphaRao::ZERO);
            let alpha = resolve_alpha(amount, held, price)?;
            position_check(view, &hotkey, netuid, alpha, &mut refusals);
            min_stake_check(view, alpha_to_tao(alpha, price)?, &mut refusals);
            let limit = limit_arg(mode, price, TradeSide::Sell)?;
            let mut args = vec![
                ("hotkey", ArgValue::Account(hotkey)),
                ("netuid", ArgValue::U16(netuid)),
                ("amount_unstaked", ArgValue::U64(alpha.get())),
            ];
            let mut name = with_limit(&mut args, limit, mode, "remove_stake_limit", "remove_stake");
            // The whole position: the runtime reads it when the call runs, so alpha that arrived since the preview
            // (emissions every block) is not left behind. It cannot fill partially, so a partial fill keeps the
            // amount read here.
            if amount == AlphaAmount::All && view.calls.remove_stake_full_limit && !partial(mode) {
                args = vec![
                    ("hotkey", ArgValue::Account(hotkey)),
                    ("netuid", ArgValue::U16(netuid)),
                    ("limit_price", ArgValue::OptionU64(limit)),
                ];
                name = "remove_stake_full_limit";
            }
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: SM,
                    name,
                    args,
                },
                buy_tao: None,
                sell_alpha: Some((netuid, amount, alpha)),
                limit_price: limit,
                mode: Some(mode),
                refusals,
            }
        }
        Action::UnstakeAll { hotkey, alpha_only } => {
            hotkey_checks(view, &hotkey, None, &mut refusals);
            let any = view
                .positions
                .iter()
                .any(|((h, n), a)| *h == hotkey && !a.is_zero() && (!alpha_only || *n != 0));
            if !any {
                refusals.push(refuse(
                    "no_position",
                    format!(
                        "This coldkey has no stake with {} to unstake; check `taotui stake list`.",
                        taotui_keystore::ss58::encode(&hotkey, 42)
                    ),
                ));
            }
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: SM,
                    name: if alpha_only {
                        "unstake_all_alpha"
                    } else {
                        "unstake_all"
                    },
                    args: vec![("hotkey", ArgValue::Account(hotkey))],
                },
                buy_tao: None,
                sell_alpha: None,
                limit_price: None,
                mode: None,
                refusals,
            }
        }
        Action::MoveStake {
            origin_hotkey,
            destination_hotkey,
            origin_netuid,
            destination_netuid,
            amount,
            mode,
        } => {
            subnet_checks(view, origin_netuid, &mut refusals);
            if destination_netuid != origin_netuid {
                subnet_checks(view, destination_netuid, &mut refusals);
            }
            hotkey_checks(view, &origin_hotkey, None, &mut refusals);
            hotkey_checks(
                view,
                &destination_hotkey,
                Some(destination_netuid),
                &mut refusals,
            );
            let price = spot(view, origin_netuid);
            let held = view
                .positions
                .get(&(origin_hotkey, origin_netuid))
                .copied()
                .unwrap_or(AlphaRao::ZERO);
            let alpha = resolve_alpha(amount, held, price)?;
            position_check(view, &origin_hotkey, origin_netuid, alpha, &mut refusals);
            min_stake_check(view, alpha_to_tao(alpha, price)?, &mut refusals);
            let mut args = vec![
                ("origin_hotkey", ArgValue::Account(origin_hotkey)),
                ("destination_hotkey", ArgValue::Account(destination_hotkey)),
                ("origin_netuid", ArgValue::U16(origin_netuid)),
                ("destination_netuid", ArgValue::U16(destination_netuid)),
                ("alpha_amount", ArgValue::U64(alpha.get())),
            ];
            // Across subnets a move sells and buys like a swap; where the runtime has the limit variant it is
            // guarded the same way (destination alpha per origin alpha). Within one subnet nothing is traded.
            let limited = origin_netuid != destination_netuid && view.calls.move_stake_limit;
            let limit = if limited {
                let relative =
                    relative_price(spot(view, origin_netuid), spot(view, destination_netuid))?;
                limit_arg(mode, relative, TradeSide::Sell)?
            } else {
                None
            };
            let name = with_limit(&mut args, limit, mode, "move_stake_limit", "move_stake");
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: SM,
                    name,
                    args,
                },
                buy_tao: None,
                sell_alpha: Some((origin_netuid, amount, alpha)),
                limit_price: limit,
                mode: limit.map(|_| mode),
                refusals,
            }
        }
        Action::TransferStake {
            destination_coldkey,
            hotkey,
            origin_netuid,
            destination_netuid,
            amount,
        } => {
            if !view.calls.transfer_stake {
                refusals.push(refuse(
                    "call_missing",
                    "This runtime has no SubtensorModule.transfer_stake, so stake cannot be given to another coldkey on this chain; unstake and transfer TAO instead."
                        .to_owned(),
                ));
            }
            if destination_coldkey == view.coldkey {
                refusals.push(refuse(
                    "self_transfer",
                    "The destination is the sending coldkey itself; give another address (use `stake move` or `stake swap` to move your own stake)."
                        .to_owned(),
                ));
            }
            subnet_checks(view, origin_netuid, &mut refusals);
            if destination_netuid != origin_netuid {
                subnet_checks(view, destination_netuid, &mut refusals);
            }
            let dest_subnet = (destination_netuid != origin_netuid).then_some(destination_netuid);
            hotkey_checks(view, &hotkey, dest_subnet, &mut refusals);
            let price = spot(view, origin_netuid);
            let held = view
                .positions
                .get(&(hotkey, origin_netuid))
                .copied()
                .unwrap_or(AlphaRao::ZERO);
            let alpha = resolve_alpha(amount, held, price)?;
            position_check(view, &hotkey, origin_netuid, alpha, &mut refusals);
            min_stake_check(view, alpha_to_tao(alpha, price)?, &mut refusals);
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: SM,
                    name: "transfer_stake",
                    args: vec![
                        (
                            "destination_coldkey",
                            ArgValue::Account(destination_coldkey),
                        ),
                        ("hotkey", ArgValue::Account(hotkey)),
                        ("origin_netuid", ArgValue::U16(origin_netuid)),
                        ("destination_netuid", ArgValue::U16(destination_netuid)),
                        ("alpha_amount", ArgValue::U64(alpha.get())),
                    ],
                },
                buy_tao: None,
                sell_alpha: Some((origin_netuid, amount, alpha)),
                limit_price: None,
                mode: None,
                refusals,
            }
        }
        Action::SwapStake {
            hotkey,
            origin_netuid,
            destination_netuid,
            amount,
            mode,
        } => {
            subnet_checks(view, origin_netuid, &mut refusals);
            subnet_checks(view, destination_netuid, &mut refusals);
            hotkey_checks(view, &hotkey, Some(destination_netuid), &mut refusals);
            if origin_netuid == destination_netuid {
                refusals.push(refuse(
                    "same_subnet",
                    "A swap needs two different subnets; use `stake move` to change validator on one subnet."
                        .to_owned(),
                ));
            }
            let price = spot(view, origin_netuid);
            let held = view
                .positions
                .get(&(hotkey, origin_netuid))
                .copied()
                .unwrap_or(AlphaRao::ZERO);
            let alpha = resolve_alpha(amount, held, price)?;
            position_check(view, &hotkey, origin_netuid, alpha, &mut refusals);
            min_stake_check(view, alpha_to_tao(alpha, price)?, &mut refusals);
            let relative =
                relative_price(spot(view, origin_netuid), spot(view, destination_netuid))?;
            let limit = limit_arg(mode, relative, TradeSide::Sell)?;
            let mut args = vec![
                ("hotkey", ArgValue::Account(hotkey)),
                ("origin_netuid", ArgValue::U16(origin_netuid)),
                ("destination_netuid", ArgValue::U16(destination_netuid)),
                ("alpha_amount", ArgValue::U64(alpha.get())),
            ];
            let name = with_limit(&mut args, limit, mode, "swap_stake_limit", "swap_stake");
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: SM,
                    name,
                    args,
                },
                buy_tao: None,
                sell_alpha: Some((origin_netuid, amount, alpha)),
                limit_price: limit,
                mode: Some(mode),
                refusals,
            }
        }
        Action::Transfer { dest, amount } => {
            if amount.is_zero() {
                refusals.push(refuse(
                    "zero_amount",
                    "The amount is zero; give a positive amount.".to_owned(),
                ));
            }
            if dest == view.coldkey {
                refusals.push(refuse(
                    "self_transfer",
                    "The destination is the sending coldkey itself; give another address."
                        .to_owned(),
                ));
            }
            if view.dest_free.unwrap_or(Rao::ZERO).is_zero() && amount < view.existential_deposit {
                refusals.push(refuse(
                    "below_existential_deposit",
                    format!(
                        "The destination account is empty and {} TAO is below the existential deposit of {} TAO, so it could not exist; send at least that much.",
                        amount.format_tao(9, Rounding::Down),
                        view.existential_deposit.format_tao(9, Rounding::Up)
                    ),
                ));
            }
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: "Balances",
                    name: "transfer_keep_alive",
                    args: vec![
                        ("dest", ArgValue::Address(dest)),
                        ("value", ArgValue::U64(amount.get())),
                    ],
                },
                buy_tao: None,
                sell_alpha: None,
                limit_price: None,
                mode: None,
                refusals,
            }
        }
        Action::TransferAll { dest } => {
            if dest == view.coldkey {
                refusals.push(refuse(
                    "self_transfer",
                    "The destination is the sending coldkey itself; give another address."
                        .to_owned(),
                ));
            }
            Plan {
                call: PlannedCall {
                    proxy: None,
                    legs: Vec::new(),
                    pallet: "Balances",
                    name: "transfer_all",
                    args: vec![
                        ("dest", ArgValue::Address(dest)),
                        ("keep_alive", ArgValue::Bool(true)),
                    ],
                },
                buy_tao: None,
                sell_alpha: None,
                limit_price: None,
                mode: None,
                refusals,
            }
        }
    };
    Ok(plan)
}

/// Basis points as a percentage, e.g. "0.43 %".
pub fn percent_text(bps: u32) -> String {
    format!("{}.{:02} %", bps / 100, bps % 100)
}

fn price_text(p: Price) -> String {
    p.format(6, Rounding::Nearest)
}

/// |after - before| / before in basis points, rounded up (so a move is never understated).
pub fn move_bps(before: Price, after: Price) -> Result<u32, AmountError> {
    let b = u128::from(before.rao_per_alpha(Rounding::Nearest)?);
    let a = u128::from(after.rao_per_alpha(Rounding::Nearest)?);
    if b == 0 {
        return Ok(0);
    }
    let bps = (a.abs_diff(b) * 10_000).div_ceil(b);
    Ok(u32::try_from(bps).unwrap_or(u32::MAX))
}

/// Origin price over destination price: destination alpha per origin alpha, the unit of `swap_stake_limit`'s
/// `limit_price` (times 10^9).
pub fn relative_price(origin: Price, destination: Price) -> Result<Price, AmountError> {
    if destination.is_zero() {
        return Err(AmountError::ZeroPrice);
    }
    // (a/b) / (c/d) = (a*d) / (b*c); keep it in u128 by reducing to 18 decimals when the product is too large.
    let num = origin.numerator().checked_mul(destination.denominator());
    let den = origin.denominator().checked_mul(destination.numerator());
    match (num, den) {
        (Some(n), Some(d)) => Price::from_ratio(n, d),
        _ => {
            let o = origin.rao_per_alpha(Rounding::Nearest)?;
            let d = destination.rao_per_alpha(Rounding::Nearest)?;
            Price::from_ratio(u128::from(o), u128::from(d))
        }
    }
}

/// `price * after / before`, in rao per alpha.
fn scale_price(price: Price, after: Price, before: Price) -> Result<Price, AmountError> {
    let p = u128::from(price.rao_per_alpha(Rounding::Nearest)?);
    let a = u128::from(after.rao_per_alpha(Rounding::Nearest)?);
    let b = u128::from(before.rao_per_alpha(Rounding::Nearest)?);
    if b == 0 {
        return Err(AmountError::ZeroPrice);
    }
    let scaled = u64::try_from(p * a / b).map_err(|_| AmountError::ResultOverflow)?;
    Ok(Price::from_rao_per_alpha(scaled))
}

/// What a `move_stake` / `swap_stake(_limit)` delivers (see [`quote_transition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionQuote {
    /// TAO the sell leg fetches (the amount in the runtime's `StakeMoved` / `StakeSwapped` event).
    pub tao_moved: Rao,
    /// Swap fee of the buy leg, in rao (the sell leg pays none).
    pub fee: Rao,
    /// Alpha credited to the destination position.
    pub alpha_received: AlphaRao,
    /// Slippage of both legs against their spot prices, fee excluded; zero within one subnet, where the buy
    /// undoes the sell's price move.
    pub price_impact_bps: u32,
    pub origin_after: Pool,
    pub destination_after: Pool,
}

/// The smallest TAO the runtime restakes after the sell leg of a move (`DefaultMinStake`).
fn fetch_default_min_stake() -> Rao {
    super::fetch::DEFAULT_MIN_STAKE
}

/// Models the runtime's `transition_stake_internal` (spec 293, used by `move_stake`, `swap_stake` and
/// `swap_stake_limit`): the origin alpha is sold with the swap fee dropped (so a move pays the fee once), then all
/// the TAO is staked on the destination, paying the destination pool's fee on the way in. Within one subnet both
/// legs run on the same pool, the buy on the pool the sell left, so re-delegating costs about the fee
/// (FeeRate / 65535 of the value, ~0.3 %) and no slippage. Stable pools (root) convert 1:1 without fee.
/// The runtime does not restake TAO below `DefaultMinStake`; callers refuse such amounts.
pub fn quote_transition(
    origin: Pool,
    destination: Pool,
    same_subnet: bool,
    alpha: AlphaRao,
) -> Result<TransitionQuote, AmountError> {
    let sell = Pool {
        fee: SwapFee::ZERO,
        ..origin
    }
    .sim_unstake(alpha)?;
    let origin_after = Pool {
        fee: origin.fee,
        ..sell.pool_after
    };
    let buy_pool = if same_subnet {
        origin_after
    } else {
        destination
    };
    let buy = buy_pool.sim_stake(sell.tao_out)?;
    let (price_impact_bps, origin_after, destination_after) = if same_subnet {
        (0, buy.pool_after, buy.pool_after)
    } else {
        (
            sell.price_impact_bps.saturating_add(buy.price_impact_bps),
            origin_after,
            buy.pool_after,
        )
    };
    Ok(TransitionQuote {
        tao_moved: sell.tao_out,
        fee: buy.fee,
        alpha_received: buy.alpha_out,
        price_impact_bps,
        origin_after,
        destination_after,
    })
}

/// Completes the preview from the plan, the fee and (where the runtime has it) its own quote for the swap leg.
pub fn finish_preview(
    action: &Action,
    plan: Plan,
    view: &ChainView,
    fee: Rao,
    sim: Option<SimQuote>,
) -> Result<Preview, PlanError> {
    let mut refusals = plan.refusals;
    let mut warnings = Vec::new();
    let mut p = Preview {
        kind: action.kind(),
        call: plan.call,
        fee,
        tao_spent: Rao::ZERO,
        tao_received: Rao::ZERO,
        alpha_sold: AlphaRao::ZERO,
        alpha_received: AlphaRao::ZERO,
        price: None,
        price_after: None,
        price_impact_bps: 0,
        price_move_bps: 0,
        swap_fee: 0,
        limit_price: plan.limit_price,
        tolerance_bps: match plan.mode {
            Some(StakeMode::Limit { tolerance, .. }) => Some(tolerance.bps()),
            _ => None,
        },
        allow_partial: plan.mode.is_some_and(partial),
        quote: QuoteSource::None,
        refusals: Vec::new(),
        warnings: Vec::new(),
    };
    let pool_of = |n: u16| view.subnets.get(&n).map(|s| s.pool);
    let one_to_one = |n: u16| n == 0 || pool_of(n).is_none_or(|p| p.mechanism == Mechanism::Stable);

    if let Some((netuid, tao)) = plan.buy_tao {
        p.tao_spent = tao;
        p.price = Some(spot(view, netuid));
        if let Some(pool) = pool_of(netuid).filter(|_| !one_to_one(netuid)) {
            let sim_local = pool.sim_stake(tao)?;
            p.price_after = Some(sim_local.pool_after.spot_price()?);
            p.price_impact_bps = sim_local.price_impact_bps;
            p.swap_fee = sim_local.fee.get();
            p.alpha_received = sim_local.alpha_out;
            p.quote = QuoteSource::Reserves;
            if let Some(q) = sim {
                p.alpha_received = AlphaRao(q.alpha);
                p.quote = QuoteSource::RuntimeSimulation;
            }
        } else {
            p.alpha_received = AlphaRao(tao.get());
            p.price_after = p.price;
            p.quote = QuoteSource::OneToOne;
        }
    }
    if let Some((netuid, _, alpha)) = plan.sell_alpha {
        p.alpha_sold = alpha;
        p.price = Some(spot(view, netuid));
        match action {
            Action::MoveStake {
                origin_netuid,
                destination_netuid,
                ..
            }
            | Action::SwapStake {
                origin_netuid,
                destination_netuid,
                ..
            }
            | Action::TransferStake {
                origin_netuid,
                destination_netuid,
                ..
            } => {
                let stable = Pool::stable();
                let origin = pool_of(*origin_netuid)
                    .filter(|_| !one_to_one(*origin_netuid))
                    .unwrap_or(stable);
                let destination = pool_of(*destination_netuid)
                    .filter(|_| !one_to_one(*destination_netuid))
                    .unwrap_or(stable);
                let q = quote_transition(
                    origin,
                    destination,
                    origin_netuid == destination_netuid,
                    alpha,
                )?;
                p.alpha_received = q.alpha_received;
                p.swap_fee = q.fee.get();
                p.price_impact_bps = q.price_impact_bps;
                p.quote = if origin.mechanism == Mechanism::Stable
                    && destination.mechanism == Mechanism::Stable
                {
                    QuoteSource::OneToOne
                } else {
                    QuoteSource::Reserves
                };
                if origin_netuid == destination_netuid {
                    p.price_after = p.price;
                } else {
                    p.price = Some(relative_price(
                        spot(view, *origin_netuid),
                        spot(view, *destination_netuid),
                    )?);
                    // The runtime checks the limit against its own (swap pallet) prices, which can differ from
                    // the reserves' ratio; the reserves model gives the relative move, applied to that price.
                    let before = relative_price(origin.spot_price()?, destination.spot_price()?)?;
                    let after = relative_price(
                        q.origin_after.spot_price()?,
                        q.destination_after.spot_price()?,
                    )?;
                    p.price_after =
                        Some(scale_price(p.price.unwrap_or(Price::ONE), after, before)?);
                }
                if q.tao_moved < fetch_default_min_stake()
                    && !refusals.iter().any(|r| r.code == "below_min_stake")
                {
                    refusals.push(refuse(
                        "below_min_stake",
                        format!(
                            "Selling this alpha fetches {} TAO, below the chain's minimum stake, and the runtime does not restake such an amount (the alpha would be lost); use a larger amount.",
                            q.tao_moved.format_tao(9, Rounding::Down)
                        ),
                    ));
                }
            }
            _ => {
                let tao_out = if let Some(pool) = pool_of(netuid).filter(|_| !one_to_one(netuid)) {
                    let s = pool.sim_unstake(alpha)?;
                    p.price_after = Some(s.pool_after.spot_price()?);
                    p.price_impact_bps = s.price_impact_bps;
                    p.swap_fee = s.fee.get();
                    p.quote = QuoteSource::Reserves;
                    match sim {
                        Some(q) => {
                            p.quote = QuoteSource::RuntimeSimulation;
                            Rao(q.tao)
                        }
                        None => s.tao_out,
                    }
                } else {
                    p.price_after = p.price;
                    p.quote = QuoteSource::OneToOne;
                    Rao(alpha.get())
                };
                if let Action::RemoveStake { .. } = action {
                    p.tao_received = tao_out;
                }
            }
        }
    }
    if let Action::UnstakeAll { hotkey, alpha_only } = action {
        let mut value = Rao::ZERO;
        for ((h, n), a) in &view.positions {
            if h != hotkey || (*alpha_only && *n == 0) {
                continue;
            }
            p.alpha_sold = p.alpha_sold.saturating_add(*a);
            let out = match pool_of(*n).filter(|_| !one_to_one(*n)) {
                Some(pool) => pool.sim_unstake(*a)?.tao_out,
                None => Rao(a.get()),
            };
            value = value.saturating_add(out);
        }
        if *alpha_only {
            p.alpha_received = AlphaRao(value.get());
        } else {
            p.tao_received = value;
        }
        p.quote = QuoteSource::Reserves;
        warnings.push(
            "Unstaking every subnet at once sells at each pool's price with no limit; check the amounts."
                .to_owned(),
        );
    }
    match action {
        Action::Transfer { amount, .. } => p.tao_spent = *amount,
        Action::TransferAll { .. } => {
            p.tao_spent = view
                .spendable
                .saturating_sub(view.existential_deposit)
                .saturating_sub(fee);
        }
        _ => {}
    }

    // The balance must pay the amount and the fee and keep the existential deposit.
    let needed = p
        .tao_spent
        .checked_add(fee)
        .and_then(|x| x.checked_add(view.existential_deposit))
        .unwrap_or(Rao::MAX);
    let tao_all = matches!(action, Action::TransferAll { .. });
    if (!tao_all && view.spendable < needed) || (tao_all && p.tao_spent.is_zero()) {
        let most = view
            .spendable
            .saturating_sub(fee)
            .saturating_sub(view.existential_deposit);
        refusals.push(refuse(
            "insufficient_balance",
            format!(
                "The coldkey can spend {} TAO, which does not cover {} TAO plus the {} TAO fee while keeping the {} TAO existential deposit; use at most {} TAO or add TAO.",
                view.spendable.format_tao(9, Rounding::Down),
                p.tao_spent.format_tao(9, Rounding::Up),
                fee.format_tao(9, Rounding::Up),
                view.existential_deposit.format_tao(9, Rounding::Up),
                most.format_tao(9, Rounding::Down)
            ),
        ));
    } else if matches!(action, Action::Transfer { .. } | Action::TransferAll { .. })
        && view.spendable < fee
    {
        refusals.push(refuse(
            "insufficient_balance",
            "The coldkey cannot pay the transaction fee; add TAO.".to_owned(),
        ));
    }

    if let (Some(before), Some(after)) = (p.price, p.price_after) {
        p.price_move_bps = move_bps(before, after)?;
    }
    // A limit call without partial fills fails on chain when the trade itself moves the price past the limit: the
    // price after the trade is what is compared, so that is the figure the sentences quote.
    if let (
        Some(limit),
        Some(after),
        Some(StakeMode::Limit {
            allow_partial,
            tolerance,
        }),
    ) = (p.limit_price, p.price_after, plan.mode)
    {
        let after_rao = after.rao_per_alpha(Rounding::Nearest)?;
        let beyond = match action {
            Action::AddStake { .. } => after_rao > limit,
            _ => after_rao < limit,
        };
        if beyond {
            let moved = format!(
                "This trade alone moves the price by {} (from {} to {}), past the limit of {} that the {tolerance} tolerance allows",
                percent_text(p.price_move_bps),
                price_text(p.price.unwrap_or(after)),
                price_text(after),
                price_text(Price::from_rao_per_alpha(limit)),
            );
            if allow_partial {
                warnings.push(format!("{moved}, so only part of it will be filled."));
            } else {
                refusals.push(refuse(
                    "beyond_tolerance",
                    format!(
                        "{moved}; raise --tolerance, allow a partial fill with --partial, or use a smaller amount."
                    ),
                ));
            }
        }
    }
    if p.price_impact_bps >= 100 {
        warnings.push(format!(
            "The average price is {} worse than the current price: the pool is small for this amount.",
            percent_text(p.price_impact_bps)
        ));
    }
    p.refusals = refusals;
    p.warnings = warnings;
    Ok(p)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const HOT: AccountKey = [7; 32];
    const COLD: AccountKey = [1; 32];
    const TAO: u64 = 1_000_000_000;

    fn view() -> ChainView {
        let mut v = ChainView {
            coldkey: COLD,
            spendable: Rao(100 * TAO),
            existential_deposit: Rao(500),
            min_stake: Rao(500_000),
            ..ChainView::default()
        };
        let pool = Pool::dynamic(Rao(1_000 * TAO), AlphaRao(10_000 * TAO), SwapFee(196));
        v.subnets.insert(
            2,
            SubnetFacts {
                exists: true,
                subtoken_enabled: true,
                pool,
                price: pool.spot_price().unwrap(),
            },
        );
        v.subnets.insert(
            1,
            SubnetFacts {
                exists: true,
                subtoken_enabled: false,
                pool,
                price: pool.spot_price().unwrap(),
            },
        );
        v.subnets.insert(
            0,
            SubnetFacts {
                exists: true,
                subtoken_enabled: true,
                pool: Pool::stable(),
                price: Price::ONE,
            },
        );
        v.hotkeys_known.insert(HOT);
        v.registered.insert((HOT, 2));
        v.registered.insert((HOT, 0));
        v.positions.insert((HOT, 2), AlphaRao(50 * TAO));
        v
    }

    fn add(amount: u64, mode: StakeMode) -> Action {
        Action::AddStake {
            hotkey: HOT,
            netuid: 2,
            amount: Rao(amount),
            mode,
        }
    }

    fn preview(a: &Action, v: &ChainView, sim: Option<SimQuote>) -> Preview {
        let plan = plan(a, v).unwrap();
        finish_preview(a, plan, v, Rao(1_000_000), sim).unwrap()
    }

    #[test]
    fn stake_defaults_to_the_limit_call_with_half_a_percent() {
        let a = add(TAO, StakeMode::default());
        let p = preview(&a, &view(), None);
        assert_eq!(p.call.name, "add_stake_limit");
        // price 0.1 TAO/alpha = 100_000_000 rao; +0.5 %.
        assert_eq!(p.limit_price, Some(100_500_000));
        assert_eq!(p.call.arg("limit_price"), Some(ArgValue::U64(100_500_000)));
        assert_eq!(p.call.arg("allow_partial"), Some(ArgValue::Bool(false)));
        assert_eq!(p.quote, QuoteSource::Reserves);
        // Reserves model: what Pool says.
        let pool = view().subnets[&2].pool;
        assert_eq!(
            p.alpha_received,
            pool.sim_stake(Rao(TAO)).unwrap().alpha_out
        );
        assert!(p.is_allowed(), "{:?}", p.refusals);
        let unsafe_p = preview(&add(10 * TAO, StakeMode::Unsafe), &view(), None);
        assert_eq!(unsafe_p.call.name, "add_stake");
        assert_eq!(unsafe_p.call.args.len(), 3);
    }

    #[test]
    fn the_runtime_quote_wins_when_present() {
        let a = add(10 * TAO, StakeMode::default());
        let p = preview(
            &a,
            &view(),
            Some(SimQuote {
                tao: 10 * TAO,
                alpha: 98_765,
            }),
        );
        assert_eq!(p.quote, QuoteSource::RuntimeSimulation);
        assert_eq!(p.alpha_received, AlphaRao(98_765));
        let r = Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount: AlphaAmount::Alpha(AlphaRao(TAO)),
            mode: StakeMode::default(),
        };
        let p = preview(
            &r,
            &view(),
            Some(SimQuote {
                tao: 4242,
                alpha: TAO,
            }),
        );
        assert_eq!(p.tao_received, Rao(4242));
    }

    #[test]
    fn root_is_one_to_one() {
        let a = Action::AddStake {
            hotkey: HOT,
            netuid: 0,
            amount: Rao(5 * TAO),
            mode: StakeMode::default(),
        };
        let p = preview(&a, &view(), None);
        assert_eq!(p.alpha_received, AlphaRao(5 * TAO));
        assert_eq!(p.quote, QuoteSource::OneToOne);
        assert_eq!(p.limit_price, Some(1_005_000_000));
        assert!(p.is_allowed(), "{:?}", p.refusals);
    }

    fn codes(p: &Preview) -> Vec<&'static str> {
        p.refusals.iter().map(|r| r.code).collect()
    }

    #[test]
    fn refusals_say_what_to_change() {
        let p = preview(&add(200 * TAO, StakeMode::Unsafe), &view(), None);
        assert_eq!(codes(&p), ["insufficient_balance"]);
        assert!(
            p.refusals[0].sentence.contains("use at most"),
            "{}",
            p.refusals[0].sentence
        );
        let p = preview(&add(1000, StakeMode::Unsafe), &view(), None);
        assert_eq!(codes(&p), ["below_min_stake"]);
        let a = Action::AddStake {
            hotkey: [9; 32],
            netuid: 2,
            amount: Rao(TAO),
            mode: StakeMode::Unsafe,
        };
        assert_eq!(codes(&preview(&a, &view(), None)), ["unknown_hotkey"]);
        let a = Action::AddStake {
            hotkey: HOT,
            netuid: 1,
            amount: Rao(TAO),
            mode: StakeMode::Unsafe,
        };
        assert_eq!(
            codes(&preview(&a, &view(), None)),
            ["subtoken_disabled", "hotkey_not_on_subnet"]
        );
        let a = Action::AddStake {
            hotkey: HOT,
            netuid: 9,
            amount: Rao(TAO),
            mode: StakeMode::Unsafe,
        };
        assert_eq!(codes(&preview(&a, &view(), None)), ["subnet_missing"]);
    }

    #[test]
    fn a_trade_past_the_tolerance_is_refused_unless_partial() {
        // 50 TAO into a 1000 TAO pool moves the price by ~10 %.
        let p = preview(&add(50 * TAO, StakeMode::default()), &view(), None);
        assert_eq!(codes(&p), ["beyond_tolerance"]);
        let partial = StakeMode::Limit {
            tolerance: Tolerance::DEFAULT,
            allow_partial: true,
        };
        let p = preview(&add(50 * TAO, partial), &view(), None);
        assert!(p.is_allowed());
        assert!(!p.warnings.is_empty());
    }

    #[test]
    fn the_tolerance_refusal_quotes_the_end_price_it_compares_not_the_average_impact() {
        // 2 TAO into 1000 TAO / 10000 alpha: the average price is ~0.2 % worse (fee excluded), but the price
        // itself ends ~0.4 % higher, which the 0.3 % limit does not allow.
        let mode = StakeMode::Limit {
            tolerance: Tolerance::from_bps(30).unwrap(),
            allow_partial: false,
        };
        let p = preview(&add(2 * TAO, mode), &view(), None);
        assert_eq!(codes(&p), ["beyond_tolerance"]);
        let (before, after) = (p.price.unwrap(), p.price_after.unwrap());
        assert_eq!(p.price_impact_bps, 20);
        assert_eq!(p.price_move_bps, 40);
        assert!(
            p.price_move_bps > p.tolerance_bps.unwrap()
                && p.price_impact_bps < p.tolerance_bps.unwrap()
        );
        assert_eq!(
            p.refusals[0].sentence,
            format!(
                "This trade alone moves the price by 0.40 % (from {} to {}), past the limit of {} that the 0.3% tolerance allows; raise --tolerance, allow a partial fill with --partial, or use a smaller amount.",
                before.format(6, Rounding::Nearest),
                after.format(6, Rounding::Nearest),
                Price::from_rao_per_alpha(p.limit_price.unwrap()).format(6, Rounding::Nearest)
            )
        );
        // The end price is past the limit, the quoted move past the tolerance: the sentence and the check agree.
        assert!(after.rao_per_alpha(Rounding::Nearest).unwrap() > p.limit_price.unwrap());
        // Within the tolerance on the end price: allowed, and the preview shows both figures.
        let p = preview(&add(TAO, StakeMode::default()), &view(), None);
        assert!(p.is_allowed(), "{:?}", p.refusals);
        assert_eq!((p.price_impact_bps, p.price_move_bps), (10, 20));
        // A partial fill warns with the same figure.
        let partial = StakeMode::Limit {
            tolerance: Tolerance::from_bps(30).unwrap(),
            allow_partial: true,
        };
        let p = preview(&add(2 * TAO, partial), &view(), None);
        assert!(p.is_allowed());
        assert!(
            p.warnings[0].starts_with("This trade alone moves the price by 0.40 % (from")
                && p.warnings[0].ends_with("so only part of it will be filled."),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn unstake_amounts_in_tao_value_and_all() {
        let v = view();
        let r = |amount| Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount,
            mode: StakeMode::default(),
        };
        let p = preview(&r(AlphaAmount::TaoValue(Rao(TAO))), &v, None);
        // 1 TAO at 0.1 TAO/alpha = 10 alpha.
        assert_eq!(p.alpha_sold, AlphaRao(10 * TAO));
        assert_eq!(p.limit_price, Some(99_500_000));
        assert_eq!(p.call.name, "remove_stake_limit");
        let p = preview(&r(AlphaAmount::All), &v, None);
        assert_eq!(p.alpha_sold, AlphaRao(50 * TAO));
        let p = preview(&r(AlphaAmount::Alpha(AlphaRao(51 * TAO))), &v, None);
        assert_eq!(codes(&p)[0], "not_enough_stake");
    }

    #[test]
    fn transfers_keep_the_existential_deposit() {
        let v = view();
        let t = Action::Transfer {
            dest: [3; 32],
            amount: Rao(100 * TAO),
        };
        assert_eq!(codes(&preview(&t, &v, None)), ["insufficient_balance"]);
        let t = Action::Transfer {
            dest: [3; 32],
            amount: Rao(100),
        };
        assert_eq!(codes(&preview(&t, &v, None)), ["below_existential_deposit"]);
        let all = Action::TransferAll { dest: [3; 32] };
        let p = preview(&all, &v, None);
        assert_eq!(p.tao_spent, Rao(100 * TAO - 500 - 1_000_000));
        assert_eq!(p.call.arg("keep_alive"), Some(ArgValue::Bool(true)));
        assert!(p.is_allowed());
    }

    #[test]
    fn swap_limit_is_relative_price_minus_tolerance() {
        let mut v = view();
        v.positions.insert((HOT, 0), AlphaRao(10 * TAO));
        let s = Action::SwapStake {
            hotkey: HOT,
            origin_netuid: 0,
            destination_netuid: 2,
            amount: AlphaAmount::Alpha(AlphaRao(TAO)),
            mode: StakeMode::default(),
        };
        let p = preview(&s, &v, None);
        // root 1 / subnet 0.1 = 10 subnet alpha per root alpha; -0.5 %.
        assert_eq!(p.limit_price, Some(9_950_000_000));
        assert_eq!(p.call.name, "swap_stake_limit");
        assert!(p.alpha_received.get() > 9 * TAO && p.alpha_received.get() < 10 * TAO);
    }

    /// Adds subnet 3 (500 TAO / 2000 alpha, fee 300/65535) and a second validator on subnets 2 and 3.
    fn view_with_two_subnets() -> (ChainView, AccountKey) {
        let other = [8; 32];
        let mut v = view();
        let pool = Pool::dynamic(Rao(500 * TAO), AlphaRao(2_000 * TAO), SwapFee(300));
        v.subnets.insert(
            3,
            SubnetFacts {
                exists: true,
                subtoken_enabled: true,
                pool,
                price: pool.spot_price().unwrap(),
            },
        );
        v.hotkeys_known.insert(other);
        v.registered.insert((other, 2));
        v.registered.insert((other, 3));
        v.registered.insert((HOT, 3));
        (v, other)
    }

    // Expected figures below were computed independently (integer arithmetic in Python) from the runtime's
    // sequence: sell without fee, then buy paying floor(tao * fee / 65535).

    #[test]
    fn move_within_a_subnet_pays_the_swap_fee_once() {
        let (v, other) = view_with_two_subnets();
        let m = Action::MoveStake {
            origin_hotkey: HOT,
            destination_hotkey: other,
            origin_netuid: 2,
            destination_netuid: 2,
            amount: AlphaAmount::All,
            mode: StakeMode::default(),
        };
        let p = preview(&m, &v, None);
        assert!(p.is_allowed(), "{:?}", p.refusals);
        assert_eq!(p.call.arg("alpha_amount"), Some(ArgValue::U64(50 * TAO)));
        assert_eq!(p.alpha_sold, AlphaRao(50 * TAO));
        // Sell 50 alpha fee-free: 4.975124378 TAO; buy back paying 14,879,444 rao of fee.
        assert_eq!(p.alpha_received, AlphaRao(49_851_203_344));
        assert_eq!(p.swap_fee, 14_879_444);
        assert_eq!(p.price_impact_bps, 0);
        assert_eq!(p.quote, QuoteSource::Reserves);
        // The loss is the fee on the alpha's value, within 1 % (the buy runs on the pool the sell moved).
        let loss = 50 * TAO - p.alpha_received.get();
        let fee_on_alpha = SwapFee(196).of(50 * TAO);
        assert!(
            loss.abs_diff(fee_on_alpha) * 100 <= fee_on_alpha,
            "{loss} vs {fee_on_alpha}"
        );
        let q = quote_transition(
            v.subnets[&2].pool,
            v.subnets[&2].pool,
            true,
            AlphaRao(50 * TAO),
        )
        .unwrap();
        assert_eq!(q.tao_moved, Rao(4_975_124_378));
        assert_eq!(q.origin_after, q.destination_after);
    }

    #[test]
    fn move_to_another_subnet_sells_fee_free_and_buys_with_the_destination_fee() {
        let (v, other) = view_with_two_subnets();
        let m = Action::MoveStake {
            origin_hotkey: HOT,
            destination_hotkey: other,
            origin_netuid: 2,
            destination_netuid: 3,
            amount: AlphaAmount::Alpha(AlphaRao(50 * TAO)),
            mode: StakeMode::default(),
        };
        let p = preview(&m, &v, None);
        assert!(p.is_allowed(), "{:?}", p.refusals);
        assert_eq!(p.alpha_received, AlphaRao(19_615_117_037));
        assert_eq!(p.swap_fee, 22_774_659);
        assert!(p.price_impact_bps > 0);
        // Origin price 0.1, destination 0.25: 0.4 destination alpha per origin alpha.
        assert_eq!(p.price, Some(Price::from_ratio(2, 5).unwrap()));
        assert!(p.price_after.unwrap() < p.price.unwrap());
        // swap_stake uses the same transition: the same amount arrives.
        let s = Action::SwapStake {
            hotkey: HOT,
            origin_netuid: 2,
            destination_netuid: 3,
            amount: AlphaAmount::Alpha(AlphaRao(50 * TAO)),
            mode: StakeMode::Unsafe,
        };
        let sp = preview(&s, &v, None);
        assert_eq!(sp.call.name, "swap_stake");
        assert_eq!(sp.alpha_received, p.alpha_received);
        assert_eq!(sp.swap_fee, p.swap_fee);
    }

    #[test]
    fn swap_from_root_buys_with_the_whole_root_alpha() {
        let mut v = view();
        v.positions.insert((HOT, 0), AlphaRao(10 * TAO));
        let s = Action::SwapStake {
            hotkey: HOT,
            origin_netuid: 0,
            destination_netuid: 2,
            amount: AlphaAmount::Alpha(AlphaRao(TAO)),
            mode: StakeMode::Unsafe,
        };
        let p = preview(&s, &v, None);
        assert_eq!(p.alpha_received, AlphaRao(9_960_161_946));
        assert_eq!(p.swap_fee, 2_990_768);
        // Root to root (or any two stable pools) is 1:1 with no fee.
        let q = quote_transition(Pool::stable(), Pool::stable(), false, AlphaRao(TAO)).unwrap();
        assert_eq!(
            (q.alpha_received, q.fee, q.tao_moved),
            (AlphaRao(TAO), Rao::ZERO, Rao(TAO))
        );
    }

    #[test]
    fn a_move_whose_tao_would_not_be_restaked_is_refused() {
        let (mut v, other) = view_with_two_subnets();
        // Tiny: the min-stake check on the price and the restake threshold both apply; the sentence is one.
        v.min_stake = Rao(1);
        let m = Action::MoveStake {
            origin_hotkey: HOT,
            destination_hotkey: other,
            origin_netuid: 2,
            destination_netuid: 3,
            amount: AlphaAmount::Alpha(AlphaRao(4_000_000)),
            mode: StakeMode::default(),
        };
        let p = preview(&m, &v, None);
        assert_eq!(codes(&p), ["below_min_stake"]);
        assert!(
            p.refusals[0].sentence.contains("would be lost"),
            "{}",
            p.refusals[0].sentence
        );
    }

    #[test]
    fn a_whole_position_is_unstaked_by_remove_stake_full_limit_where_the_runtime_has_it() {
        let all = |mode| Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount: AlphaAmount::All,
            mode,
        };
        // Without the call: the amount read now, in the limit call.
        let p = preview(&all(StakeMode::default()), &view(), None);
        assert_eq!(p.call.name, "remove_stake_limit");
        assert_eq!(p.call.arg("amount_unstaked"), Some(ArgValue::U64(50 * TAO)));
        let mut v = view();
        v.calls.remove_stake_full_limit = true;
        let p = preview(&all(StakeMode::default()), &v, None);
        assert_eq!(p.call.name, "remove_stake_full_limit");
        assert_eq!(
            p.call.args,
            vec![
                ("hotkey", ArgValue::Account(HOT)),
                ("netuid", ArgValue::U16(2)),
                ("limit_price", ArgValue::OptionU64(Some(99_500_000))),
            ]
        );
        // The preview still says what the position holds now.
        assert_eq!(p.alpha_sold, AlphaRao(50 * TAO));
        let p = preview(&all(StakeMode::Unsafe), &v, None);
        assert_eq!(p.call.name, "remove_stake_full_limit");
        assert_eq!(p.call.arg("limit_price"), Some(ArgValue::OptionU64(None)));
        // A partial fill needs the amount; a part of the position is not the whole.
        let partial = StakeMode::Limit {
            tolerance: Tolerance::DEFAULT,
            allow_partial: true,
        };
        assert_eq!(
            preview(&all(partial), &v, None).call.name,
            "remove_stake_limit"
        );
        let some = Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount: AlphaAmount::Alpha(AlphaRao(TAO)),
            mode: StakeMode::default(),
        };
        assert_eq!(preview(&some, &v, None).call.name, "remove_stake_limit");
    }

    #[test]
    fn a_move_across_subnets_is_limited_where_the_runtime_has_move_stake_limit() {
        let (mut v, other) = view_with_two_subnets();
        let moving = |to, amount, mode| Action::MoveStake {
            origin_hotkey: HOT,
            destination_hotkey: other,
            origin_netuid: 2,
            destination_netuid: to,
            amount,
            mode,
        };
        let m = |to, mode| moving(to, AlphaAmount::Alpha(AlphaRao(TAO)), mode);
        assert_eq!(
            preview(&m(3, StakeMode::default()), &v, None).call.name,
            "move_stake"
        );
        v.calls.move_stake_limit = true;
        let p = preview(&m(3, StakeMode::default()), &v, None);
        assert_eq!(p.call.name, "move_stake_limit");
        // 0.1 / 0.25 = 0.4 destination alpha per origin alpha, less 0.5 %.
        assert_eq!(p.limit_price, Some(398_000_000));
        assert_eq!(p.call.arg("limit_price"), Some(ArgValue::U64(398_000_000)));
        assert_eq!(p.call.arg("allow_partial"), Some(ArgValue::Bool(false)));
        assert_eq!(p.call.args.len(), 7);
        assert!(p.is_allowed(), "{:?}", p.refusals);
        // Within one subnet nothing is traded, and --unsafe asks for no limit.
        assert_eq!(
            preview(&m(2, StakeMode::default()), &v, None).call.name,
            "move_stake"
        );
        assert_eq!(
            preview(&m(3, StakeMode::Unsafe), &v, None).call.name,
            "move_stake"
        );
        // 50 alpha into subnet 3 moves the relative price far past 0.5 %.
        let big = moving(3, AlphaAmount::All, StakeMode::default());
        assert_eq!(codes(&preview(&big, &v, None)), ["beyond_tolerance"]);
    }

    #[test]
    fn stake_is_given_to_another_coldkey_with_transfer_stake() {
        let (mut v, _) = view_with_two_subnets();
        let dest = [5; 32];
        let t = |to, amount| Action::TransferStake {
            destination_coldkey: dest,
            hotkey: HOT,
            origin_netuid: 2,
            destination_netuid: to,
            amount,
        };
        let p = preview(&t(2, AlphaAmount::All), &v, None);
        assert_eq!(codes(&p), ["call_missing"]);
        v.calls.transfer_stake = true;
        let p = preview(&t(2, AlphaAmount::All), &v, None);
        assert!(p.is_allowed(), "{:?}", p.refusals);
        assert_eq!(p.kind, "stake_transfer");
        assert_eq!(
            p.call.args,
            vec![
                ("destination_coldkey", ArgValue::Account(dest)),
                ("hotkey", ArgValue::Account(HOT)),
                ("origin_netuid", ArgValue::U16(2)),
                ("destination_netuid", ArgValue::U16(2)),
                ("alpha_amount", ArgValue::U64(50 * TAO)),
            ]
        );
        // The runtime moves it as it moves stake between validators: the same quote.
        let m = Action::MoveStake {
            origin_hotkey: HOT,
            destination_hotkey: HOT,
            origin_netuid: 2,
            destination_netuid: 3,
            amount: AlphaAmount::Alpha(AlphaRao(5 * TAO)),
            mode: StakeMode::Unsafe,
        };
        let cross = preview(&t(3, AlphaAmount::Alpha(AlphaRao(5 * TAO))), &v, None);
        let moved = preview(&m, &v, None);
        assert_eq!(cross.alpha_received, moved.alpha_received);
        assert_eq!(cross.swap_fee, moved.swap_fee);
        assert_eq!(cross.alpha_sold, AlphaRao(5 * TAO));
        let mut to_self = t(2, AlphaAmount::All);
        if let Action::TransferStake {
            destination_coldkey,
            ..
        } = &mut to_self
        {
            *destination_coldkey = COLD;
        }
        assert_eq!(codes(&preview(&to_self, &v, None)), ["self_transfer"]);
        let too_much = t(2, AlphaAmount::Alpha(AlphaRao(51 * TAO)));
        assert_eq!(codes(&preview(&too_much, &v, None)), ["not_enough_stake"]);
    }

    proptest::proptest! {
        /// Same-subnet moves never create alpha and lose at most the fee's share (plus rounding).
        #[test]
        fn same_subnet_moves_lose_about_the_fee(
            tao_in in 1_000_000_000u64..10_000_000 * TAO,
            alpha_in in 1_000_000_000u64..10_000_000 * TAO,
            x in 1_000_000u64..1_000 * TAO,
            fee in 0u16..2_000,
        ) {
            let pool = Pool::dynamic(Rao(tao_in), AlphaRao(alpha_in), SwapFee(fee));
            let q = quote_transition(pool, pool, true, AlphaRao(x)).unwrap();
            proptest::prop_assert!(q.alpha_received.get() <= x);
            let loss = u128::from(x - q.alpha_received.get());
            let fee_share = u128::from(x) * u128::from(fee) / 65_535;
            // Rounding: a few rao from two floor divisions, scaled by the price.
            let slack = 2 + u128::from(alpha_in) / u128::from(tao_in) + fee_share / 50;
            proptest::prop_assert!(loss <= fee_share + slack, "loss {} fee {}", loss, fee_share);
        }
    }

    #[test]
    fn locked_stake_is_refused_before_signing_with_the_available_amount() {
        let mut v = view();
        v.positions.insert((HOT, 2), AlphaRao(1_000 * TAO));
        v.available.insert((HOT, 2), AlphaRao(600 * TAO));
        let r = |alpha: u64| Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount: AlphaAmount::Alpha(AlphaRao(alpha)),
            mode: StakeMode::default(),
        };
        let p = preview(&r(700 * TAO), &v, None);
        assert_eq!(codes(&p)[0], "stake_locked");
        let sentence = &p.refusals[0].sentence;
        assert!(sentence.contains("Only 600 α"), "{sentence}");
        assert!(sentence.contains("400 α are locked"), "{sentence}");
        assert!(!codes(&preview(&r(600 * TAO), &v, None)).contains(&"stake_locked"));
        let all = Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount: AlphaAmount::All,
            mode: StakeMode::default(),
        };
        assert_eq!(codes(&preview(&all, &v, None))[0], "stake_locked");
        // A move out of the locked position is held to the same limit.
        let mv = Action::MoveStake {
            origin_hotkey: HOT,
            destination_hotkey: HOT,
            origin_netuid: 2,
            destination_netuid: 0,
            amount: AlphaAmount::Alpha(AlphaRao(601 * TAO)),
            mode: StakeMode::default(),
        };
        assert!(codes(&preview(&mv, &v, None)).contains(&"stake_locked"));
    }

    #[test]
    fn limit_prices_come_from_the_runtime_price_not_the_reserves() {
        // A weighted pool (424+): the runtime says 0.25 TAO/alpha while the reserves say 0.1.
        let mut v = view();
        if let Some(s) = v.subnets.get_mut(&2) {
            s.price = Price::from_rao_per_alpha(250_000_000);
        }
        let r = Action::RemoveStake {
            hotkey: HOT,
            netuid: 2,
            amount: AlphaAmount::TaoValue(Rao(TAO)),
            mode: StakeMode::default(),
        };
        let p = preview(&r, &v, None);
        assert_eq!(p.alpha_sold, AlphaRao(4 * TAO));
        assert_eq!(p.limit_price, Some(248_750_000));
    }
}
