//! Read-only chain commands: `balance`, `stake list`, `subnets`, `validators`, `overview`.
//!
//! Human tables by default, `--json` for scripts. JSON amounts are integers in rao (alpha rao for
//! alpha); APY is a fraction (0.18 = 18 %, alpha-denominated) or null where the chain has no data
//! or compounding overflows (JSON has no infinity: short tempos on dev chains do that);
//! `epoch_rate` (extra field) is the uncompounded per-epoch rate behind it.
//! `balance --json` always prints an array (one object per coldkey, in the order asked), so
//! scripts need not special-case one wallet.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use taotui_keystore::wallet::{KeyTarget, WalletRoot};

use crate::amount::{FormatOptions, Rounding, format_apy, format_percent};
use crate::chain::client::{ChainClient, ConnectOptions};
use crate::chain::network::Network;
use crate::chain::queries::{self, AccountId};

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};

#[derive(Debug, Args, Clone)]
pub struct BalanceArgs {
    /// Wallet names (their coldkeypub.txt; no password needed). Repeatable.
    #[arg(long = "wallet-name", short = 'w', value_name = "NAME")]
    pub wallet_names: Vec<String>,
    /// SS58 addresses. Repeatable.
    #[arg(long, value_name = "ADDR")]
    pub ss58: Vec<String>,
    /// Every wallet under the wallet path.
    #[arg(long, conflicts_with_all = ["wallet_names", "ss58"])]
    pub all_wallets: bool,
}

#[derive(Debug, Subcommand)]
pub enum StakeCommand {
    /// Every stake position of a coldkey: value, share of the validator, APY, daily earnings.
    List(StakeListArgs),
}

#[derive(Debug, Args, Clone)]
pub struct StakeListArgs {
    /// The coldkey's SS58 address.
    #[arg(long, value_name = "ADDR", conflicts_with = "wallet_name")]
    pub ss58: Option<String>,
    /// A wallet name (its coldkeypub.txt).
    #[arg(long, short = 'w', value_name = "NAME")]
    pub wallet_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidatorSort {
    Stake,
    Take,
    Apy,
    Nominators,
    Name,
}

#[derive(Debug, Args, Clone)]
pub struct ValidatorsArgs {
    /// The subnet (0 is root).
    #[arg(long, default_value_t = 0)]
    pub netuid: u16,
    /// Sort order (stake, APY and nominators descending; take and name ascending).
    #[arg(long, value_enum, default_value = "stake")]
    pub sort: ValidatorSort,
}

/// Where metadata is cached between runs: `$XDG_CACHE_HOME/taotui` or `~/.cache/taotui`.
fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("taotui").join("metadata"))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
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

/// An SS58 address, an address-book name or a wallet's name.
fn parse_address(address: &str, global: &GlobalArgs) -> Result<AccountId> {
    let address = super::address_cmds::resolve_option(address, global)?;
    AccountId::from_ss58(&address)
        .with_context(|| format!("{address:?} is not a valid SS58 address"))
}

/// The coldkey address of the wallet `name` under the wallet path; no password needed.
pub(super) fn named_wallet_address(name: &str, global: &GlobalArgs) -> Result<AccountId> {
    let root = WalletRoot::resolve(
        crate::config::wallet_path(
            global.wallet_path.as_deref(),
            &crate::config::load_settings()?,
        )
        .as_deref(),
    )?;
    wallet_address(&root, name)
}

/// A wallet's coldkey address from its public file; no password needed.
fn wallet_address(root: &WalletRoot, name: &str) -> Result<AccountId> {
    let wallet = root.wallet(name)?;
    let info = wallet.key_info(&KeyTarget::Coldkey)?.with_context(|| {
        format!(
            "wallet {name:?} has no coldkey under {}; list wallets with `taotui wallet list`",
            root.path().display()
        )
    })?;
    match (info.public_key, info.problem) {
        (Some(key), _) => Ok(AccountId(key)),
        (None, Some(problem)) => bail!("cannot read wallet {name:?}'s address: {problem}"),
        (None, None) => bail!("cannot read wallet {name:?}'s address"),
    }
}

const TAO4: FormatOptions = FormatOptions::new(4, Rounding::Down).with_thousands(',');

fn tao(r: crate::amount::Rao) -> String {
    r.format_with_unit(&TAO4)
}

#[derive(Debug, Serialize)]
struct BalanceJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    wallet: Option<String>,
    coldkey: String,
    free: u64,
    reserved: u64,
    frozen: u64,
    staked_value: u64,
    total: u64,
}

pub fn balance(args: BalanceArgs, global: &GlobalArgs) -> Result<()> {
    let mut targets: Vec<(Option<String>, AccountId)> = Vec::new();
    let needs_root = args.all_wallets || !args.wallet_names.is_empty();
    if needs_root {
        let root = WalletRoot::resolve(
            crate::config::wallet_path(
                global.wallet_path.as_deref(),
                &crate::config::load_settings()?,
            )
            .as_deref(),
        )?;
        let names = if args.all_wallets {
            root.wallet_names()?
        } else {
            args.wallet_names.clone()
        };
        for name in names {
            match wallet_address(&root, &name) {
                Ok(a) => targets.push((Some(name), a)),
                Err(e) if args.all_wallets => eprintln!("skipping wallet {name:?}: {e:#}"),
                Err(e) => return Err(e),
            }
        }
    }
    for s in &args.ss58 {
        targets.push((None, parse_address(s, global)?));
    }
    if targets.is_empty() {
        bail!(
            "say whose balance: --wallet-name NAME, --ss58 ADDRESS (both repeatable) or --all-wallets"
        );
    }
    let coldkeys: Vec<AccountId> = targets.iter().map(|t| t.1).collect();
    let read = runtime()?.block_on(async {
        let client = connect(global).await?;
        let (read, head) = tokio::join!(
            queries::balances_with_stakes(&client, &coldkeys),
            crate::journal::record::head_number(&client)
        );
        Ok::<_, anyhow::Error>((read?, head, client.genesis_hash()))
    })?;
    let (read, head, genesis) = read;
    if let Some(block) = head {
        for (b, stakes) in &read {
            if let Err(e) = crate::journal::record::record_stakes(genesis, block, b, stakes) {
                eprintln!("note: {e}");
            }
        }
    }
    let balances: Vec<_> = read.into_iter().map(|(b, _)| b).collect();
    if global.json {
        let rows: Vec<BalanceJson> = targets
            .iter()
            .zip(&balances)
            .map(|((w, _), b)| BalanceJson {
                wallet: w.clone(),
                coldkey: b.coldkey.ss58(),
                free: b.free.get(),
                reserved: b.reserved.get(),
                frozen: b.frozen.get(),
                staked_value: b.staked_value.get(),
                total: b.total().get(),
            })
            .collect();
        return print_json(&rows);
    }
    let mut t = Table::new([
        "wallet",
        "coldkey",
        "free",
        "reserved",
        "frozen",
        "staked value",
        "total",
    ]);
    for ((w, _), b) in targets.iter().zip(&balances) {
        t.row([
            w.clone().unwrap_or_else(|| "-".to_owned()),
            b.coldkey.ss58(),
            tao(b.free),
            tao(b.reserved),
            tao(b.frozen),
            tao(b.staked_value),
            tao(b.total()),
        ]);
    }
    print_text(&t.render())
}

#[derive(Debug, Serialize)]
struct PositionJson {
    hotkey: String,
    netuid: u16,
    alpha: u64,
    tao_value: u64,
    /// Alpha held by a stake lock; null where the runtime has no locks.
    locked: Option<u64>,
    /// Alpha that can be unstaked or moved now; null where the runtime has no locks.
    available: Option<u64>,
    apy: Option<f64>,
    epoch_rate: Option<f64>,
    hotkey_name: Option<String>,
    subnet_name: String,
    symbol: String,
    share_of_validator: Option<f64>,
    daily_alpha: Option<u64>,
}

#[derive(Debug, Serialize)]
struct StakeListJson {
    coldkey: String,
    free: u64,
    staked_value: u64,
    positions: Vec<PositionJson>,
}

pub fn stake(cmd: StakeCommand, global: &GlobalArgs) -> Result<()> {
    match cmd {
        StakeCommand::List(args) => stake_list(args, global),
    }
}

fn stake_list(args: StakeListArgs, global: &GlobalArgs) -> Result<()> {
    let coldkey = match (&args.ss58, &args.wallet_name) {
        (Some(s), _) => parse_address(s, global)?,
        (None, Some(name)) => named_wallet_address(name, global)?,
        (None, None) => bail!("say whose stake: --ss58 ADDRESS or --wallet-name NAME"),
    };
    let (listing, head, genesis) = runtime()?.block_on(async {
        let client = connect(global).await?;
        let (listing, head) = tokio::join!(
            queries::stake_list(&client, coldkey),
            crate::journal::record::head_number(&client)
        );
        Ok::<_, anyhow::Error>((listing?, head, client.genesis_hash()))
    })?;
    // The value journal (charts, "since you last looked"); a read that cannot be journaled still prints.
    if let Some(block) = head
        && let Err(e) = crate::journal::record::record_listing(
            genesis,
            coldkey,
            block,
            &listing.balance,
            &listing.positions,
        )
    {
        eprintln!("note: {e}");
    }
    if global.json {
        let json = StakeListJson {
            coldkey: coldkey.ss58(),
            free: listing.balance.free.get(),
            staked_value: listing.balance.staked_value.get(),
            positions: listing
                .positions
                .iter()
                .map(|p| PositionJson {
                    hotkey: p.hotkey.ss58(),
                    netuid: p.netuid,
                    alpha: p.alpha.get(),
                    tao_value: p.tao_value.get(),
                    locked: p.locked.map(|a| a.get()),
                    available: p.available.map(|a| a.get()),
                    apy: p.apy.filter(|a| a.is_finite()),
                    epoch_rate: p.epoch_rate,
                    hotkey_name: p.hotkey_name.clone(),
                    subnet_name: p.subnet_name.clone(),
                    symbol: p.symbol.clone(),
                    share_of_validator: p.share_of_validator,
                    daily_alpha: p.daily_alpha.map(|a| a.get()),
                })
                .collect(),
        };
        return print_json(&json);
    }
    // The locked column only where a lock holds something: most coldkeys have none.
    let any_locked = listing
        .positions
        .iter()
        .any(|p| p.locked.is_some_and(|l| !l.is_zero()));
    let mut header = vec!["netuid", "subnet", "hotkey", "validator", "alpha"];
    if any_locked {
        header.push("locked (α)");
    }
    header.extend(["value (τ, rounded down)", "share", "APY (α)", "daily (α)"]);
    let mut t = Table::new(header);
    for p in &listing.positions {
        let alpha_fmt = FormatOptions::new(4, Rounding::Down).with_thousands(',');
        let mut row = vec![
            p.netuid.to_string(),
            format!("{} {}", p.symbol, p.subnet_name).trim().to_owned(),
            short(&p.hotkey.ss58()),
            p.hotkey_name.clone().unwrap_or_else(|| "-".to_owned()),
            p.alpha.format(&alpha_fmt),
        ];
        if any_locked {
            let up = FormatOptions::new(4, Rounding::Up).with_thousands(',');
            row.push(p.locked.map_or_else(|| "-".to_owned(), |l| l.format(&up)));
        }
        row.extend([
            tao(p.tao_value),
            p.share_of_validator
                .map_or_else(|| "-".to_owned(), |s| format_percent(s, 2)),
            format_apy(p.apy, 2),
            p.daily_alpha
                .map_or_else(|| "-".to_owned(), |a| a.format(&alpha_fmt)),
        ]);
        t.row(row);
    }
    let b = &listing.balance;
    let mut out = format!("coldkey {}\n\n", coldkey.ss58());
    if listing.positions.is_empty() {
        out.push_str("no stake positions\n");
    } else {
        out.push_str(&t.render());
    }
    out.push_str(&format!(
        "\nfree {}   staked value {}   total {}\nAPY is alpha-denominated: from the last epoch's dividends, compounded per epoch.\n",
        tao(b.free),
        tao(b.staked_value),
        tao(b.total())
    ));
    print_text(&out)
}

fn short(ss58: &str) -> String {
    if ss58.len() > 12 {
        format!("{}…{}", &ss58[..6], &ss58[ss58.len() - 4..])
    } else {
        ss58.to_owned()
    }
}

#[derive(Debug, Serialize)]
struct SubnetJson {
    netuid: u16,
    name: String,
    symbol: String,
    /// Rao per whole alpha, rounded to nearest.
    price_rao_per_alpha: u64,
    tao_in: u64,
    alpha_in: u64,
    alpha_out: u64,
    tempo: u16,
    emission: u64,
    mechanism: &'static str,
}

pub fn subnets(global: &GlobalArgs) -> Result<()> {
    let list = runtime()?.block_on(async {
        let client = connect(global).await?;
        Ok::<_, anyhow::Error>(queries::subnets(&client).await?)
    })?;
    if global.json {
        let rows: Vec<SubnetJson> = list
            .iter()
            .map(|s| SubnetJson {
                netuid: s.netuid,
                name: s.name.clone(),
                symbol: s.symbol.clone(),
                price_rao_per_alpha: s.price.rao_per_alpha(Rounding::Nearest).unwrap_or(u64::MAX),
                tao_in: s.tao_in.get(),
                alpha_in: s.alpha_in.get(),
                alpha_out: s.alpha_out.get(),
                tempo: s.tempo,
                emission: s.emission.get(),
                mechanism: match s.mechanism {
                    crate::amount::Mechanism::Stable => "stable",
                    crate::amount::Mechanism::Dynamic => "dynamic",
                },
            })
            .collect();
        return print_json(&rows);
    }
    let alpha_fmt = FormatOptions::new(4, Rounding::Down).with_thousands(',');
    let mut t = Table::new([
        "netuid",
        "name",
        "symbol",
        "price (τ/α)",
        "TAO in",
        "alpha in",
        "alpha out",
        "tempo",
        "emission/block",
    ]);
    for s in &list {
        t.row([
            s.netuid.to_string(),
            s.name.clone(),
            s.symbol.clone(),
            s.price.format(6, Rounding::Nearest),
            tao(s.tao_in),
            s.alpha_in.format(&alpha_fmt),
            s.alpha_out.format(&alpha_fmt),
            s.tempo.to_string(),
            tao(s.emission),
        ]);
    }
    print_text(&t.render())
}

#[derive(Debug, Serialize)]
struct ValidatorJson {
    netuid: u16,
    uid: u16,
    hotkey: String,
    owner: String,
    name: Option<String>,
    /// Risk label: whether the owner has set an on-chain identity.
    identity_set: bool,
    /// Parts of 65535.
    take: u16,
    total_stake: u64,
    /// Share of the alpha staked on all of the subnet's registered hotkeys, basis points.
    stake_share_bps: Option<u32>,
    nominators: Option<u32>,
    validator_permit: bool,
    /// `BlockAtRegistration`, blocks since then and whole days (7,200 blocks a day); null where the runtime lacks it.
    registered_at_block: Option<u64>,
    registration_age_blocks: Option<u64>,
    registration_age_days: Option<u64>,
    /// Still inside the subnet's `ImmunityPeriod` after registration.
    in_immunity: Option<bool>,
    epoch_rate: Option<f64>,
    apy: Option<f64>,
    subnet: Option<SubnetRiskJson>,
}

/// The subnet's risk labels (the same on every row of one subnet).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SubnetRiskJson {
    registered_at_block: Option<u64>,
    age_blocks: Option<u64>,
    age_days: Option<u64>,
    /// Pool depth: TAO in the subnet's pool (`SubnetTAO`), rao.
    pool_tao: Option<u64>,
    deregistration: DeregJson,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeregJson {
    /// "root", "not_pruned", "immune", "ranked" or "unknown".
    standing: &'static str,
    /// For "ranked": place among the subnets outside immunity from the lowest moving price (1 is pruned next).
    rank: Option<u16>,
    of: Option<u16>,
    /// For "ranked": the subnet list is at its limit, so the next registration prunes one.
    list_full: Option<bool>,
    /// For "immune": blocks until it can be pruned.
    immune_blocks_left: Option<u64>,
    at_risk: bool,
    sentence: String,
}

pub(crate) fn subnet_risk_json(s: &queries::SubnetView) -> SubnetRiskJson {
    use crate::risk::DeregStanding as D;
    let d = &s.dereg;
    let (rank, of, list_full) = match d {
        D::Ranked { rank, of, full } => (Some(*rank), Some(*of), Some(*full)),
        _ => (None, None, None),
    };
    SubnetRiskJson {
        registered_at_block: s.registered_at,
        age_blocks: s.age_blocks,
        age_days: s.age_blocks.map(crate::risk::days),
        pool_tao: s.pool_tao.map(|r| r.get()),
        deregistration: DeregJson {
            standing: d.code(),
            rank,
            of,
            list_full,
            immune_blocks_left: match d {
                D::Immune { blocks_left } => Some(*blocks_left),
                _ => None,
            },
            at_risk: d.at_risk(),
            sentence: d.sentence(),
        },
    }
}

/// One line with the subnet's risk labels, above the validator table.
fn subnet_risk_line(s: &queries::SubnetView) -> String {
    format!(
        "subnet {}: age {}, pool {}, deregistration {} ({})",
        s.netuid,
        s.age_blocks
            .map_or_else(|| "?".to_owned(), crate::risk::age_text),
        s.pool_tao.map_or_else(|| "?".to_owned(), tao),
        s.dereg.short(),
        s.dereg.sentence()
    )
}

pub fn validators(args: ValidatorsArgs, global: &GlobalArgs) -> Result<()> {
    let (mut list, subnet, off) = runtime()?.block_on(async {
        let client = connect(global).await?;
        let list = queries::validators(&client, args.netuid).await?;
        let subnet = queries::subnets(&client)
            .await?
            .into_iter()
            .find(|s| s.netuid == args.netuid);
        let features = client.features();
        let off: Vec<String> = [
            &queries::needs::RISK_VALIDATOR,
            &queries::needs::RISK_SUBNET,
        ]
        .into_iter()
        .filter_map(|f| features.require(f).err().map(|e| e.to_string()))
        .collect();
        Ok::<_, anyhow::Error>((list, subnet, off))
    })?;
    // A label the runtime cannot give is left empty; say once why.
    for sentence in &off {
        eprintln!("note: {sentence}");
    }
    match args.sort {
        ValidatorSort::Stake => list.sort_by_key(|v| std::cmp::Reverse(v.total_stake)),
        ValidatorSort::Take => list.sort_by_key(|v| v.take),
        ValidatorSort::Apy => list.sort_by(|a, b| {
            b.apy
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.apy.unwrap_or(f64::NEG_INFINITY))
        }),
        ValidatorSort::Nominators => list.sort_by_key(|v| std::cmp::Reverse(v.nominators)),
        ValidatorSort::Name => list.sort_by(|a, b| {
            (a.name.is_none(), a.name.clone()).cmp(&(b.name.is_none(), b.name.clone()))
        }),
    }
    let subnet_json = subnet.as_ref().map(subnet_risk_json);
    if global.json {
        let rows: Vec<ValidatorJson> = list
            .iter()
            .map(|v| ValidatorJson {
                netuid: v.netuid,
                uid: v.uid,
                hotkey: v.hotkey.ss58(),
                owner: v.owner.ss58(),
                name: v.name.clone(),
                identity_set: v.name.is_some(),
                take: v.take,
                total_stake: v.total_stake.get(),
                stake_share_bps: v.stake_share_bps,
                nominators: v.nominators,
                validator_permit: v.validator_permit,
                registered_at_block: v.registered_at,
                registration_age_blocks: v.age_blocks,
                registration_age_days: v.age_blocks.map(crate::risk::days),
                in_immunity: v.immune,
                epoch_rate: v.epoch_rate,
                apy: v.apy.filter(|a| a.is_finite()),
                subnet: subnet_json.clone(),
            })
            .collect();
        return print_json(&rows);
    }
    let alpha_fmt = FormatOptions::new(4, Rounding::Down).with_thousands(',');
    let mut t = Table::new([
        "uid",
        "hotkey",
        "name",
        "permit",
        "take",
        "stake (α)",
        "share",
        "age",
        "immune",
        "nominators",
        "APY (α)",
    ]);
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => "?".to_owned(),
    };
    for v in &list {
        t.row([
            v.uid.to_string(),
            v.hotkey.ss58(),
            v.name
                .clone()
                .unwrap_or_else(|| "- (no identity)".to_owned()),
            yes_no(Some(v.validator_permit)),
            format_percent(v.take_fraction(), 2),
            v.total_stake.format(&alpha_fmt),
            v.stake_share_bps
                .map_or_else(|| "-".to_owned(), crate::risk::bps_text),
            v.age_blocks
                .map_or_else(|| "?".to_owned(), crate::risk::age_text),
            yes_no(v.immune),
            v.nominators
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
            format_apy(v.apy, 2),
        ]);
    }
    let head = subnet
        .as_ref()
        .map_or_else(|| format!("netuid {}", args.netuid), subnet_risk_line);
    print_text(&format!("{head}\n{}", t.render()))
}

#[derive(Debug, Serialize)]
struct OverviewJson {
    block: u64,
    timestamp_ms: u64,
    block_emission: u64,
    total_issuance: u64,
    total_stake: u64,
    staked_bps: u32,
    subnets: u16,
    next_halving: Option<HalvingJson>,
}

#[derive(Debug, Serialize)]
struct HalvingJson {
    threshold: u64,
    remaining: u64,
    blocks: u64,
    block: u64,
    timestamp_ms: u64,
}

fn utc(ms: u64) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| format!("{ms} ms"))
}

pub fn overview(global: &GlobalArgs) -> Result<()> {
    let o = runtime()?.block_on(async {
        let client = connect(global).await?;
        Ok::<_, anyhow::Error>(queries::network_overview(&client).await?)
    })?;
    if global.json {
        return print_json(&OverviewJson {
            block: o.block,
            timestamp_ms: o.timestamp_ms,
            block_emission: o.block_emission.get(),
            total_issuance: o.total_issuance.get(),
            total_stake: o.total_stake.get(),
            staked_bps: o.staked_bps(),
            subnets: o.subnet_count,
            next_halving: o.halving.map(|h| HalvingJson {
                threshold: h.threshold.get(),
                remaining: h.remaining.get(),
                blocks: h.blocks,
                block: h.block,
                timestamp_ms: h.timestamp_ms,
            }),
        });
    }
    let mut t = Table::new(["", ""]);
    t.row([
        "block".to_owned(),
        format!("{} ({})", o.block, utc(o.timestamp_ms)),
    ]);
    t.row(["block emission".to_owned(), tao(o.block_emission)]);
    t.row(["total issuance".to_owned(), tao(o.total_issuance)]);
    t.row([
        "total stake".to_owned(),
        format!(
            "{} ({} of issuance)",
            tao(o.total_stake),
            crate::amount::format_bps(o.staked_bps())
        ),
    ]);
    t.row(["subnets".to_owned(), o.subnet_count.to_string()]);
    t.row([
        "next halving".to_owned(),
        match o.halving {
            Some(h) => format!(
                "at {} issued: block ~{} (~{}, 12 s blocks)",
                tao(h.threshold),
                h.block,
                utc(h.timestamp_ms)
            ),
            None => "unknown (no block emission)".to_owned(),
        },
    ]);
    print_text(&t.render())
}
