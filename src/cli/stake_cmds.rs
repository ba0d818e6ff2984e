//! Write commands: `stake add|remove|move|swap|transfer`, `transfer`, and `history`.
//!
//! Each command previews first (fee, expected amounts, price impact, limit price, refusals), asks for confirmation
//! (`-y` skips it), and only then asks for the password and unlocks the coldkey.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use taotui_keystore::wallet::{KeyTarget, WalletRoot};

use crate::amount::{AlphaRao, FormatOptions, Rao, Rounding, Tolerance};
use crate::chain::client::{ChainClient, ConnectOptions};
use crate::chain::extrinsics::{
    self, Action, AlphaAmount, Prepared, Preview, SendOptions, Sent, StakeMode,
};
use crate::chain::history::History;
use crate::chain::network::Network;
use crate::chain::queries::{self, AccountId};
use crate::risk::RiskFlag;

use super::GlobalArgs;
use super::chain_cmds;
use super::output::{Table, print_json, print_text};
use super::prompt::Prompter;

#[derive(Debug, Subcommand)]
pub enum StakeCommand {
    #[command(flatten)]
    Read(chain_cmds::StakeCommand),
    /// Stake TAO to a validator on a subnet (add_stake_limit; add_stake with --unsafe).
    Add(AddArgs),
    /// Unstake from a validator on a subnet (remove_stake_limit; remove_stake with --unsafe).
    Remove(RemoveArgs),
    /// Re-delegate: move stake to another validator (and optionally another subnet; move_stake_limit there
    /// where the runtime has it).
    Move(MoveArgs),
    /// Swap stake between subnets on the same validator.
    Swap(SwapArgs),
    /// Give stake to another coldkey, same validator (transfer_stake).
    Transfer(StakeTransferArgs),
    /// Several stake actions from a JSON or TOML file as one all-or-nothing Utility.batch_all.
    Batch(super::batch_cmds::BatchArgs),
}

#[derive(Debug, Args, Clone)]
pub struct WalletArg {
    /// The signing wallet.
    #[arg(long, short = 'w', value_name = "NAME", default_value = "default")]
    pub wallet_name: String,
    /// Act for another coldkey through a proxy it granted (an SS58 address, a wallet's name or an address-book
    /// name): the wallet given with -w is then the delegate, which signs and pays the fee.
    #[arg(long, value_name = "ADDRESS|WALLET")]
    pub proxy_for: Option<String>,
    /// Do not sign: preview, then write the unsigned transaction to this file for `taotui sign` on an offline
    /// machine (air-gapped signing; it goes in the clear, without the MEV shield).
    #[arg(long, value_name = "FILE")]
    pub sign_offline: Option<std::path::PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Price tolerance in percent for the limit call.
    #[arg(long, value_name = "PERCENT", default_value = "0.5")]
    pub tolerance: String,
    /// Allow a partial fill up to the limit price instead of failing.
    #[arg(long)]
    pub partial: bool,
    /// Use the plain call with no price limit.
    #[arg(long = "unsafe", conflicts_with_all = ["partial"])]
    pub unsafe_: bool,
}

impl LimitArgs {
    pub(crate) fn mode(&self) -> Result<StakeMode> {
        if self.unsafe_ {
            return Ok(StakeMode::Unsafe);
        }
        Ok(StakeMode::Limit {
            tolerance: Tolerance::parse_percent(&self.tolerance)?,
            allow_partial: self.partial,
        })
    }
}

#[derive(Debug, Args, Clone)]
pub struct HotkeyArg {
    /// The validator's hotkey address.
    #[arg(long, value_name = "SS58", conflicts_with = "validator")]
    pub hotkey: Option<String>,
    /// The validator's identity name (looked up on the subnet).
    #[arg(long, value_name = "NAME")]
    pub validator: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct AddArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    #[command(flatten)]
    pub target: HotkeyArg,
    /// The subnet to stake on (0 is root, staked 1:1 as TAO).
    #[arg(long)]
    pub netuid: u16,
    /// TAO to stake.
    #[arg(long, value_name = "TAO")]
    pub amount: String,
    #[command(flatten)]
    pub limit: LimitArgs,
}

#[derive(Debug, Args, Clone)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    #[command(flatten)]
    pub target: HotkeyArg,
    /// The subnet of the position (without it, --all unstakes every subnet of the hotkey).
    #[arg(long)]
    pub netuid: Option<u16>,
    /// Alpha to unstake.
    #[arg(long, value_name = "ALPHA", conflicts_with_all = ["amount_tao", "all"])]
    pub amount: Option<String>,
    /// Unstake this much TAO worth of alpha at the current price.
    #[arg(long, value_name = "TAO", conflicts_with = "all")]
    pub amount_tao: Option<String>,
    /// The whole position (with --netuid), or every subnet of the hotkey (without: unstake_all).
    #[arg(long)]
    pub all: bool,
    /// With --all and no --netuid: move alpha to root stake instead of TAO (unstake_all_alpha).
    #[arg(long, requires = "all")]
    pub to_root: bool,
    #[command(flatten)]
    pub limit: LimitArgs,
}

#[derive(Debug, Args, Clone)]
pub struct MoveArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    /// The hotkey the stake is delegated to now.
    #[arg(long, value_name = "SS58")]
    pub from: String,
    /// The validator hotkey to move it to.
    #[arg(long, value_name = "SS58")]
    pub to: String,
    /// The subnet of the position.
    #[arg(long)]
    pub netuid: u16,
    /// Another subnet to move it to (default: the same subnet).
    #[arg(long)]
    pub to_netuid: Option<u16>,
    /// Alpha to move.
    #[arg(long, value_name = "ALPHA", conflicts_with = "all")]
    pub amount: Option<String>,
    /// The whole position.
    #[arg(long)]
    pub all: bool,
    /// Tolerance and partial fill for a move to another subnet (move_stake_limit, where the runtime has it).
    #[command(flatten)]
    pub limit: LimitArgs,
}

#[derive(Debug, Args, Clone)]
pub struct StakeTransferArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    /// The validator's hotkey the stake is with (it stays the same).
    #[arg(long, value_name = "SS58")]
    pub hotkey: String,
    /// The subnet of the position.
    #[arg(long)]
    pub netuid: u16,
    /// Another subnet for the recipient's stake (default: the same subnet).
    #[arg(long)]
    pub to_netuid: Option<u16>,
    /// The coldkey that receives the stake: an SS58 address, an address-book name or a wallet's name.
    #[arg(long, value_name = "SS58|NAME")]
    pub dest: String,
    /// Alpha to give.
    #[arg(long, value_name = "ALPHA", conflicts_with = "all")]
    pub amount: Option<String>,
    /// The whole position.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args, Clone)]
pub struct SwapArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    /// The validator's hotkey (it stays the same).
    #[arg(long, value_name = "SS58")]
    pub hotkey: String,
    /// The subnet the stake is on now.
    #[arg(long)]
    pub netuid: u16,
    /// The subnet to swap it to.
    #[arg(long)]
    pub to_netuid: u16,
    /// Alpha to swap.
    #[arg(long, value_name = "ALPHA", conflicts_with = "all")]
    pub amount: Option<String>,
    /// The whole position.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub limit: LimitArgs,
}

#[derive(Debug, Args, Clone)]
pub struct TransferArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    /// The recipient: an SS58 address, an address-book name or a wallet's name.
    #[arg(long, value_name = "SS58|NAME")]
    pub dest: String,
    /// TAO to send.
    #[arg(
        long,
        value_name = "TAO",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub amount: Option<String>,
    /// Everything except the existential deposit (transfer_all, keep-alive).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// Show at most this many of the latest transactions.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub chain: super::earnings_cmds::ChainHistoryArgs,
}

pub(crate) fn address(s: &str, what: &str) -> Result<[u8; 32]> {
    AccountId::from_ss58(s).map(|a| a.0).with_context(|| {
        format!("{s:?} is not a valid SS58 address for {what}; copy the address again")
    })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

fn cache_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .map(|d| d.join("taotui").join("metadata"))
}

pub(crate) async fn connect(global: &GlobalArgs) -> Result<ChainClient> {
    let network = Network::resolve(
        global.network.as_deref(),
        crate::config::load_settings()?.network.as_deref(),
    )?;
    let opts = ConnectOptions {
        connect_timeout: Duration::from_secs(10),
        metadata_cache_dir: cache_dir(),
        watch_runtime_upgrades: false,
        ..ConnectOptions::default()
    };
    Ok(ChainClient::connect(&network, opts).await?)
}

pub(crate) struct Signing {
    pub(crate) wallet: taotui_keystore::wallet::Wallet,
    pub(crate) coldkey: [u8; 32],
    pub(crate) crypto: taotui_keystore::derive::CryptoType,
    pub(crate) name: String,
}

pub(crate) fn signing_wallet(global: &GlobalArgs, name: &str) -> Result<Signing> {
    let root = WalletRoot::resolve(
        crate::config::wallet_path(
            global.wallet_path.as_deref(),
            &crate::config::load_settings()?,
        )
        .as_deref(),
    )?;
    let wallet = root.wallet(name)?;
    let info = wallet.key_info(&KeyTarget::Coldkey)?.with_context(|| {
        format!(
            "wallet {name:?} has no coldkey under {}; create or restore one with `taotui wallet`",
            root.path().display()
        )
    })?;
    let (Some(coldkey), Some(crypto)) = (info.public_key, info.crypto_type) else {
        bail!(
            "cannot read wallet {name:?}'s coldkey address; check `taotui wallet show -w {name}`"
        );
    };
    Ok(Signing {
        wallet,
        coldkey,
        crypto,
        name: name.to_owned(),
    })
}

pub(crate) async fn resolve_hotkey(
    client: &ChainClient,
    target: &HotkeyArg,
    netuid: u16,
) -> Result<[u8; 32]> {
    match (&target.hotkey, &target.validator) {
        (Some(h), _) => address(h, "the hotkey"),
        (None, Some(name)) => {
            let validators = queries::validators(client, netuid).await?;
            let wanted = name.trim().to_lowercase();
            let matches: Vec<_> = validators
                .iter()
                .filter(|v| {
                    v.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase() == wanted)
                })
                .collect();
            match matches.as_slice() {
                [one] => Ok(one.hotkey.0),
                [] => bail!(
                    "no validator named {name:?} on subnet {netuid}; see `taotui validators --netuid {netuid}`"
                ),
                _ => bail!(
                    "{} validators on subnet {netuid} are named {name:?}; give --hotkey instead",
                    matches.len()
                ),
            }
        }
        (None, None) => bail!("say which validator: --hotkey SS58 or --validator NAME"),
    }
}

const TAO9: FormatOptions = FormatOptions::new(9, Rounding::Down).trimmed();

fn tao(r: Rao) -> String {
    format!("{} τ", r.format(&TAO9))
}

fn alpha(a: AlphaRao) -> String {
    format!("{} α", a.format(&TAO9))
}

fn render_preview(p: &Preview, network: &str, wallet: &str) -> String {
    let mut t = Table::new(["", ""]);
    // The call in the words `taotui sign` shows on the offline side: amounts in TAO and alpha, addresses in SS58,
    // a proxied call or a batch spelled out leg by leg.
    let described = crate::chain::offline::describe_planned(&p.call);
    let (call, args) = described
        .split_first()
        .map_or((p.call.path(), &[][..]), |(c, rest)| (c.text.clone(), rest));
    t.row(["call".to_owned(), call]);
    t.row(["network".to_owned(), network.to_owned()]);
    t.row(["wallet".to_owned(), wallet.to_owned()]);
    for line in args {
        t.row([format!("  {}", line.label), line.text.clone()]);
    }
    if !p.tao_spent.is_zero() {
        t.row(["TAO spent".to_owned(), tao(p.tao_spent)]);
    }
    if !p.alpha_sold.is_zero() {
        t.row(["alpha sold".to_owned(), alpha(p.alpha_sold)]);
    }
    if !p.alpha_received.is_zero() {
        t.row(["expected alpha".to_owned(), alpha(p.alpha_received)]);
    }
    if !p.tao_received.is_zero() {
        t.row(["expected TAO".to_owned(), tao(p.tao_received)]);
    }
    if let Some(price) = p.price {
        t.row(["price".to_owned(), price.to_string()]);
    }
    if let Some(after) = p.price_after {
        t.row(["price after".to_owned(), after.to_string()]);
    }
    // Both figures: the average price against the current one, and where the price itself ends (what the
    // limit price is checked against).
    if p.price_impact_bps > 0 {
        t.row([
            "average price impact".to_owned(),
            extrinsics::plan::percent_text(p.price_impact_bps),
        ]);
    }
    if p.price_move_bps > 0 {
        t.row([
            "price moves by".to_owned(),
            extrinsics::plan::percent_text(p.price_move_bps),
        ]);
    }
    if let Some(limit) = p.limit_price {
        t.row([
            "limit price".to_owned(),
            format!(
                "{} τ per α (tolerance {} %, partial {})",
                Rao(limit).format(&TAO9),
                f64::from(p.tolerance_bps.unwrap_or(0)) / 100.0,
                if p.allow_partial { "allowed" } else { "off" }
            ),
        ]);
    }
    t.row(["fee".to_owned(), tao(p.fee)]);
    if let Some(source) = p.quote.describe() {
        t.row(["quoted from".to_owned(), source.to_owned()]);
    }
    let mut out = t.render();
    for w in &p.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

#[derive(Serialize)]
struct ResultJson<'a> {
    preview: &'a Preview,
    submitted: bool,
    extrinsic_hash: Option<String>,
    block_hash: Option<String>,
    block_number: Option<u64>,
    events: Vec<String>,
    recovered: bool,
    /// Milliseconds from confirmation (after unlocking) to "in block".
    time_to_in_block_ms: Option<u128>,
    /// RPC requests: preview, then sending.
    requests_preview: u64,
    requests_send: Option<u64>,
    /// Whether the call went (or would go) encrypted through MevShield, and the preview's sentence about it.
    shielded: bool,
    mev_shield: String,
    /// Risk flags of a stake (no validator permit, subnet at deregistration risk); also among the warnings.
    risk: &'a [RiskFlag],
}

/// The risk flags of a stake into a validator (empty for other actions). A failed read is itself a flag, never a
/// reason to refuse: the labels inform, the chain decides.
async fn stake_risk_flags(client: &ChainClient, action: &Action) -> Vec<RiskFlag> {
    let Action::AddStake { hotkey, netuid, .. } = action else {
        return Vec::new();
    };
    let hotkey = AccountId(*hotkey);
    match queries::stake_target_risk(client, *netuid, hotkey).await {
        Ok((permit, subnet)) => {
            let label = hotkey.ss58();
            let target = crate::risk::StakeTarget {
                label: &label,
                netuid: *netuid,
                permit,
            };
            crate::risk::stake_flags(&target, subnet.as_ref().map(|s| &s.dereg))
        }
        Err(e) => vec![RiskFlag {
            code: "risk_unknown",
            sentence: format!(
                "The risk labels could not be read ({e}); check the validator with `taotui validators --netuid {netuid}`."
            ),
            short: String::new(),
        }],
    }
}

/// Who acts: the coldkey whose stake and balance the action uses, and the wallet that signs (the same wallet,
/// or a delegate signing through a proxy).
pub(crate) struct Acting {
    pub(crate) signing: Signing,
    /// Through a proxy: the real coldkey and how to name it.
    pub(crate) real: Option<([u8; 32], String)>,
}

impl Acting {
    /// `--proxy-for REAL` makes -w the delegate; without it, a wallet whose settings name a `proxy` (a watch-only
    /// wallet with a local proxy key) is the real coldkey and that proxy wallet signs.
    pub(crate) fn resolve(global: &GlobalArgs, wallet: &WalletArg) -> Result<Acting> {
        if let Some(real) = &wallet.proxy_for {
            let signing = signing_wallet(global, &wallet.wallet_name)?;
            let ss58 = super::address_cmds::resolve_option(real, global)
                .with_context(|| "the coldkey to act for (--proxy-for)".to_owned())?;
            let account = address(&ss58, "--proxy-for")?;
            if account == signing.coldkey {
                bail!(
                    "--proxy-for names wallet {:?}'s own coldkey; leave it out to sign directly",
                    signing.name
                );
            }
            let label = if ss58 == real.trim() {
                ss58
            } else {
                format!("{real} ({ss58})")
            };
            return Ok(Acting {
                signing,
                real: Some((account, label)),
            });
        }
        let settings = crate::config::load_settings()?;
        if let Some(delegate) = settings.wallet_proxy(&wallet.wallet_name) {
            let real = signing_wallet(global, &wallet.wallet_name)?;
            let signing = signing_wallet(global, delegate).with_context(|| {
                format!(
                    "wallet {:?} is set to sign through proxy wallet {delegate:?} (config.toml)",
                    wallet.wallet_name
                )
            })?;
            return Ok(Acting {
                signing,
                real: Some((real.coldkey, format!("wallet {:?}", real.name))),
            });
        }
        Ok(Acting {
            signing: signing_wallet(global, &wallet.wallet_name)?,
            real: None,
        })
    }

    pub(crate) fn coldkey(&self) -> [u8; 32] {
        self.real.as_ref().map_or(self.signing.coldkey, |(a, _)| *a)
    }

    pub(crate) fn delegate(&self) -> Option<extrinsics::fetch::Delegate> {
        self.real.as_ref().map(|_| extrinsics::fetch::Delegate {
            account: self.signing.coldkey,
            crypto: self.signing.crypto,
        })
    }

    /// The preview's "wallet" line: who signs, and for whom.
    pub(crate) fn describe(&self) -> String {
        match &self.real {
            Some((_, label)) => format!("signed by proxy {:?} for {label}", self.signing.name),
            None => self.signing.name.clone(),
        }
    }
}

/// Preview, confirm, unlock, send, print: shared by every write command.
fn run_action(
    global: &GlobalArgs,
    wallet: &WalletArg,
    build: impl AsyncFnOnce(&ChainClient) -> Result<Action>,
) -> Result<()> {
    let acting = Acting::resolve(global, wallet)?;
    let signing = &acting.signing;
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    let rt = runtime()?;
    rt.block_on(async {
        let client = connect(global).await?;
        let action = build(&client).await?;
        // The risk labels and the preview are independent reads: asked together.
        let prepare = async {
            match acting.delegate() {
                Some(d) => {
                    extrinsics::fetch::prepare_via(&client, acting.coldkey(), d, action.clone())
                        .await
                }
                None => {
                    extrinsics::prepare(&client, signing.coldkey, signing.crypto, action.clone())
                        .await
                }
            }
        };
        let (risk, prepared) = tokio::join!(stake_risk_flags(&client, &action), prepare);
        let mut prepared: Prepared = prepared?;
        prepared
            .preview
            .warnings
            .extend(risk.iter().map(|f| f.sentence.clone()));
        let p = &prepared.preview;
        let opted_out = global.no_mev_shield
            || crate::config::load_settings()?.mev_shield == Some(false);
        let shield = crate::chain::mev_shield::assess(&client, &prepared, opted_out).await?;
        if !global.json {
            prompter.say(&render_preview(p, client.network().name(), &acting.describe()));
            prompter.say(&shield.line());
        }
        let shield_refusal = match &shield.decision {
            crate::chain::mev_shield::Decision::Refuse(_) => Some(shield.line()),
            _ => None,
        };
        if !p.is_allowed() || shield_refusal.is_some() {
            let mut reasons: Vec<&str> = p.refusals.iter().map(|r| r.sentence.as_str()).collect();
            reasons.extend(shield_refusal.as_deref());
            if global.json {
                print_json(&ResultJson {
                    preview: p,
                    submitted: false,
                    extrinsic_hash: None,
                    block_hash: None,
                    block_number: None,
                    events: vec![],
                    recovered: false,
                    time_to_in_block_ms: None,
                    requests_preview: prepared.requests,
                    requests_send: None,
                    shielded: false,
                    mev_shield: shield.line(),
                    risk: &risk,
                })?;
            }
            bail!("not sent: {}", reasons.join(" "));
        }
        if let Some(path) = &wallet.sign_offline {
            return super::offline_cmds::write_unsigned(
                &client, &prepared, signing, &shield, path, &prompter, global.json,
            )
            .await;
        }
        if !prompter.confirm("Sign and send this transaction?")? {
            bail!("cancelled; nothing was signed or sent");
        }
        let password = prompter.password(&format!("wallet {:?}'s coldkey", signing.name))?;
        let signer = extrinsics::unlock_coldkey(signing.wallet.clone(), password).await?;
        let history = History::default_location()?;
        let started = Instant::now();
        let sent: Sent = extrinsics::send(
            &client,
            &prepared,
            &signer,
            Some(&history),
            &SendOptions {
                wait_for_finalized: true,
                progress: extrinsics::send::Progress::stderr(),
                shield: Some(shield.clone()),
                ..SendOptions::default()
            },
        )
        .await?;
        drop(signer);
        let elapsed = started.elapsed();
        if global.json {
            print_json(&ResultJson {
                preview: p,
                submitted: true,
                extrinsic_hash: Some(extrinsics::send::hex(&sent.extrinsic_hash)),
                block_hash: Some(extrinsics::send::hex(&sent.block_hash)),
                block_number: Some(sent.block_number),
                events: sent.events.iter().map(|e| e.name()).collect(),
                recovered: sent.recovered,
                time_to_in_block_ms: Some(sent.time_to_in_block.as_millis()),
                requests_preview: prepared.requests,
                requests_send: Some(sent.requests),
                shielded: shield.is_shielded(),
                mev_shield: shield.line(),
                risk: &risk,
            })?;
        } else {
            let stages: Vec<String> = sent
                .stages
                .iter()
                .map(|s| match s {
                    crate::chain::tx::TxStage::Validated => "validated".to_owned(),
                    crate::chain::tx::TxStage::Broadcasted => "broadcast".to_owned(),
                    crate::chain::tx::TxStage::InBlock(_) => "in block".to_owned(),
                    crate::chain::tx::TxStage::NoLongerInBestBlock => "retracted".to_owned(),
                    crate::chain::tx::TxStage::Finalized(_) => "finalized".to_owned(),
                })
                .collect();
            print_text(&format!(
                "{} in block #{} {}\nextrinsic {}\nstages: {}\nevents: {}\n{} ms to in block; {} + {} RPC requests; total {} ms",
                prepared.preview.call.path(),
                sent.block_number,
                extrinsics::send::hex(&sent.block_hash),
                extrinsics::send::hex(&sent.extrinsic_hash),
                stages.join(" -> "),
                sent.events.iter().map(|e| e.name()).collect::<Vec<_>>().join(", "),
                sent.time_to_in_block.as_millis(),
                prepared.requests,
                sent.requests,
                elapsed.as_millis()
            ))?;
        }
        Ok(())
    })
}

pub(crate) fn alpha_amount(
    amount: &Option<String>,
    tao_value: &Option<String>,
    all: bool,
) -> Result<AlphaAmount> {
    match (amount, tao_value, all) {
        (_, _, true) => Ok(AlphaAmount::All),
        (Some(a), _, _) => Ok(AlphaAmount::Alpha(AlphaRao::parse_alpha(a)?)),
        (None, Some(t), _) => Ok(AlphaAmount::TaoValue(Rao::parse_tao(t)?)),
        (None, None, false) => bail!("say how much: --amount ALPHA, --amount-tao TAO or --all"),
    }
}

pub fn run(cmd: StakeCommand, global: &GlobalArgs) -> Result<()> {
    match cmd {
        StakeCommand::Read(read) => chain_cmds::stake(read, global),
        StakeCommand::Batch(b) => super::batch_cmds::run(b, global),
        StakeCommand::Add(a) => {
            let amount = Rao::parse_tao(&a.amount)?;
            let mode = a.limit.mode()?;
            run_action(global, &a.wallet, async |c| {
                Ok(Action::AddStake {
                    hotkey: resolve_hotkey(c, &a.target, a.netuid).await?,
                    netuid: a.netuid,
                    amount,
                    mode,
                })
            })
        }
        StakeCommand::Remove(r) => {
            let mode = r.limit.mode()?;
            match r.netuid {
                None if r.all => run_action(global, &r.wallet, async |c| {
                    Ok(Action::UnstakeAll {
                        hotkey: resolve_hotkey(c, &r.target, 0).await?,
                        alpha_only: r.to_root,
                    })
                }),
                None => bail!(
                    "say which subnet: --netuid N (or --all without --netuid for every subnet)"
                ),
                Some(netuid) => {
                    let amount = alpha_amount(&r.amount, &r.amount_tao, r.all)?;
                    run_action(global, &r.wallet, async |c| {
                        Ok(Action::RemoveStake {
                            hotkey: resolve_hotkey(c, &r.target, netuid).await?,
                            netuid,
                            amount,
                            mode,
                        })
                    })
                }
            }
        }
        StakeCommand::Move(m) => {
            let amount = alpha_amount(&m.amount, &None, m.all)?;
            let from = address(&m.from, "--from")?;
            let to = address(&m.to, "--to")?;
            let mode = m.limit.mode()?;
            run_action(global, &m.wallet, async |_| {
                Ok(Action::MoveStake {
                    origin_hotkey: from,
                    destination_hotkey: to,
                    origin_netuid: m.netuid,
                    destination_netuid: m.to_netuid.unwrap_or(m.netuid),
                    amount,
                    mode,
                })
            })
        }
        StakeCommand::Transfer(t) => {
            let amount = alpha_amount(&t.amount, &None, t.all)?;
            let hotkey = address(&t.hotkey, "--hotkey")?;
            // Stake given away is as final as a transfer: the same name lookup, first-time and look-alike checks.
            let dest = super::address_cmds::resolve_recipient(&t.dest, "--dest", global)?;
            let dest = address(&dest, "--dest")?;
            run_action(global, &t.wallet, async |_| {
                Ok(Action::TransferStake {
                    destination_coldkey: dest,
                    hotkey,
                    origin_netuid: t.netuid,
                    destination_netuid: t.to_netuid.unwrap_or(t.netuid),
                    amount,
                })
            })
        }
        StakeCommand::Swap(s) => {
            let amount = alpha_amount(&s.amount, &None, s.all)?;
            let hotkey = address(&s.hotkey, "--hotkey")?;
            let mode = s.limit.mode()?;
            run_action(global, &s.wallet, async |_| {
                Ok(Action::SwapStake {
                    hotkey,
                    origin_netuid: s.netuid,
                    destination_netuid: s.to_netuid,
                    amount,
                    mode,
                })
            })
        }
    }
}

pub fn transfer(args: TransferArgs, global: &GlobalArgs) -> Result<()> {
    let dest = super::address_cmds::resolve_recipient(&args.dest, "--dest", global)?;
    let dest = address(&dest, "--dest")?;
    let action = match (&args.amount, args.all) {
        (_, true) => Action::TransferAll { dest },
        (Some(a), false) => Action::Transfer {
            dest,
            amount: Rao::parse_tao(a)?,
        },
        (None, false) => bail!("say how much: --amount TAO or --all"),
    };
    run_action(global, &args.wallet, async |_| Ok(action))
}

pub fn history(args: HistoryArgs, global: &GlobalArgs) -> Result<()> {
    if args.chain.since.is_some() {
        return super::earnings_cmds::chain_history(&args.chain, args.limit, global);
    }
    let history = History::default_location()?;
    let mut txs = history.transactions()?;
    let skip = txs.len().saturating_sub(args.limit);
    txs.drain(..skip);
    if args.chain.csv {
        return print_text(&crate::history_merge::local_csv(&txs));
    }
    if global.json {
        return print_json(&txs);
    }
    if txs.is_empty() {
        return print_text(&format!(
            "No transactions yet ({}).",
            history.path().display()
        ));
    }
    let mut t = Table::new(["time", "status", "call", "network", "block", "hash"]);
    for r in &txs {
        t.row([
            format_time(r.time),
            r.status.as_str().to_owned(),
            r.call.clone(),
            r.network.clone(),
            r.block_number.map(|b| b.to_string()).unwrap_or_default(),
            r.hash.clone(),
        ]);
    }
    print_text(&t.render())
}

/// Unix seconds as a UTC date and time for the history table (the JSON keeps the raw number).
fn format_time(secs: u64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| secs.to_string())
}
