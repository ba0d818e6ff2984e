//! `taotui earnings` and the chain half of `taotui history --since`: what each stake earned, and everything that
//! touched the coldkey, read from the chain's state at past blocks (see `chain::earnings`,
//! `chain::account_history`). `--json` prints the report as is (integers in rao); `--csv` prints the export
//! column set of `export_csv`.

use anyhow::{Context, Result};
use clap::Args;

use crate::amount::{AlphaRao, FormatOptions, Rao, Rounding};
use crate::chain::client::{ChainClient, ConnectOptions};
use crate::chain::earnings::{self, EarningsReport, Options, Since, format_utc};
use crate::chain::history::History;
use crate::chain::network::Network;
use crate::chain::past::PastReader;
use crate::chain::queries::AccountId;
use crate::export_csv::{CsvRow, to_csv};
use crate::history_merge::{event_row, merge, merged_row, ss58_of_hex};

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};

/// Which coldkey, and where to read old blocks.
#[derive(Debug, Args, Clone, Default)]
pub struct PastArgs {
    /// The coldkey: an SS58 address, an address-book name or a wallet's name (default: the `default` wallet).
    #[arg(long, value_name = "ADDR")]
    pub ss58: Option<String>,
    /// A wallet's name, as in the other commands (its coldkeypub.txt; no password needed).
    #[arg(
        long = "wallet-name",
        short = 'w',
        value_name = "NAME",
        conflicts_with = "ss58"
    )]
    pub wallet_name: Option<String>,
    /// An archive node for blocks the connected node has pruned (repeatable; config: `archive = [...]`).
    #[arg(long, value_name = "URL")]
    pub archive: Vec<String>,
    /// Blocks sampled over the range before narrowing on the account's changes.
    #[arg(long, default_value_t = earnings::DEFAULT_SAMPLES, hide = true)]
    pub samples: usize,
}

#[derive(Debug, Args, Clone)]
pub struct EarningsArgs {
    /// Where the range starts: 24h, 7d, 30d (any number of h or d), a block number, or a UTC date
    /// (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ). It ends at the head.
    #[arg(long, value_name = "RANGE", default_value = "7d")]
    pub since: String,
    /// Print CSV (the export column set; one `reward` row per position plus the range's events).
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub past: PastArgs,
}

/// The chain part of `taotui history` (flattened into its arguments).
#[derive(Debug, Args, Clone, Default)]
pub struct ChainHistoryArgs {
    /// Also list what the chain shows for the coldkey (stake added, removed, moved, transfers in and out, fees)
    /// from this point on: 24h, 7d, 30d, a block number or a UTC date; merged with this machine's history.
    #[arg(long, value_name = "RANGE")]
    pub since: Option<String>,
    /// Print CSV (the export column set).
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub past: PastArgs,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

fn coldkey(past: &PastArgs, global: &GlobalArgs) -> Result<[u8; 32]> {
    if let Some(name) = &past.wallet_name {
        return Ok(super::chain_cmds::named_wallet_address(name, global)?.0);
    }
    let input = past.ss58.as_deref().unwrap_or("default");
    let ss58 = super::address_cmds::resolve_option(input, global)?;
    AccountId::from_ss58(&ss58)
        .map(|a| a.0)
        .with_context(|| format!("{ss58:?} is not a valid SS58 address"))
}

/// The connected node plus the archive from `--archive` or the config's `archive`.
pub async fn reader(past: &PastArgs, global: &GlobalArgs) -> Result<PastReader> {
    let node = super::chain_cmds::connect(global).await?;
    let mut urls: Vec<String> = past
        .archive
        .iter()
        .flat_map(|a| a.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if urls.is_empty() {
        urls = crate::config::load_settings()?.archive;
    }
    let archive = if urls.is_empty() {
        None
    } else {
        let network = Network::resolve(Some(&urls.join(",")), None)?;
        let opts = ConnectOptions {
            watch_runtime_upgrades: false,
            ..ConnectOptions::default()
        };
        Some(
            ChainClient::connect(&network, opts)
                .await
                .context("could not connect to the archive node (--archive / config `archive`)")?,
        )
    };
    Ok(PastReader::new(node, archive))
}

pub fn earnings(args: EarningsArgs, global: &GlobalArgs) -> Result<()> {
    let since: Since = args.since.parse()?;
    let coldkey = coldkey(&args.past, global)?;
    let opts = Options {
        samples: args.past.samples,
        ..Options::default()
    };
    let report = runtime()?.block_on(async {
        let reader = reader(&args.past, global).await?;
        Ok::<_, anyhow::Error>(earnings::compute(&reader, coldkey, since, &opts).await?)
    })?;
    if args.csv {
        return print_text(&to_csv(&earnings_rows(&report)));
    }
    if global.json {
        return print_json(&report);
    }
    print_text(&render(&report))
}

const TAO4: FormatOptions = FormatOptions::new(4, Rounding::Down).with_thousands(',');

fn signed_tao(v: i128) -> String {
    let m = Rao(u64::try_from(v.unsigned_abs()).unwrap_or(u64::MAX)).format_with_unit(&TAO4);
    if v < 0 {
        format!("-{m}")
    } else {
        format!("+{m}")
    }
}

fn signed_alpha(v: i128) -> String {
    let m = AlphaRao(u64::try_from(v.unsigned_abs()).unwrap_or(u64::MAX))
        .format_alpha(4, Rounding::Down);
    if v < 0 {
        format!("-{m}")
    } else {
        format!("+{m}")
    }
}

fn short(ss58: &str) -> String {
    let c: Vec<char> = ss58.chars().collect();
    if c.len() <= 12 {
        return ss58.to_owned();
    }
    let head: String = c[..6].iter().collect();
    let tail: String = c[c.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// The human table: per position and total, rewards and price effect apart.
pub fn render(r: &EarningsReport) -> String {
    let mut out = format!(
        "Earnings {} for {}: block #{} ({}) to #{} ({})\n\n",
        r.range,
        short(&ss58_of_hex(&r.coldkey)),
        r.start.block,
        format_utc(r.start.timestamp_ms),
        r.end.block,
        format_utc(r.end.timestamp_ms)
    );
    let mut t = Table::new([
        "hotkey",
        "netuid",
        "alpha start",
        "alpha end",
        "own in/out α",
        "earned α",
        "rewards τ",
        "price effect τ",
        "value now",
    ]);
    for p in &r.positions {
        t.row([
            short(&ss58_of_hex(&p.hotkey)),
            p.netuid.to_string(),
            AlphaRao(p.alpha_start).format_alpha(4, Rounding::Down),
            AlphaRao(p.alpha_end).format_alpha(4, Rounding::Down),
            signed_alpha(p.own_alpha),
            signed_alpha(p.earned_alpha),
            signed_tao(p.reward_tao),
            signed_tao(p.price_effect_tao),
            Rao(p.value_end).format_with_unit(&TAO4),
        ]);
    }
    t.row([
        "total".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        signed_tao(r.total.reward_tao),
        signed_tao(r.total.price_effect_tao),
        Rao(r.total.value_end).format_with_unit(&TAO4),
    ]);
    out.push_str(&t.render());
    out.push_str(
        "\nrewards: alpha earned (end − start − own stake in/out), at the end price. price effect: the rest of the \
         value change (the alpha price's move, and fees and slippage of your own trades).\n",
    );
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str(&format!(
        "{} requests, {} blocks sampled, {} own events.\n",
        r.requests,
        r.blocks_read,
        r.events.len()
    ));
    out
}

/// A `reward` row per position (at the range's end) and the range's events.
pub fn earnings_rows(r: &EarningsReport) -> Vec<CsvRow> {
    let mut rows: Vec<CsvRow> = r.events.iter().map(event_row).collect();
    for p in &r.positions {
        rows.push(CsvRow {
            time_ms: r.end.timestamp_ms,
            block: r.end.block,
            extrinsic_hash: None,
            kind: "reward".to_owned(),
            netuid: Some(p.netuid),
            hotkey: Some(ss58_of_hex(&p.hotkey)),
            alpha: Some(p.earned_alpha),
            tao: Some(p.reward_tao),
            price_rao_per_alpha: p.price_end_rao,
            fee: None,
        });
    }
    rows
}

/// `taotui history --since ...`: the chain's events for the coldkey merged with this machine's history.
pub fn chain_history(args: &ChainHistoryArgs, limit: usize, global: &GlobalArgs) -> Result<()> {
    let since: Since = args.since.as_deref().unwrap_or("30d").parse()?;
    let coldkey = coldkey(&args.past, global)?;
    let cache = crate::chain::past_cache::PastCache::default_location();
    let (start, scan) = runtime()?.block_on(async {
        let reader = reader(&args.past, global).await?;
        let head = reader.head().await?;
        let start = earnings::start_block(&reader, cache.as_ref(), coldkey, since, head).await?;
        let (a, _, scan) = earnings::ends_and_scan(
            &reader,
            cache.as_ref(),
            coldkey,
            start,
            head,
            args.past.samples,
        )
        .await?;
        Ok::<_, anyhow::Error>(((start, a.timestamp_ms), scan))
    })?;
    let local = History::default_location()
        .and_then(|h| h.transactions())
        .unwrap_or_default();
    let mut merged = merge(
        &scan.events,
        &local,
        &AccountId(coldkey).ss58(),
        start.0.number,
        start.1 / 1000,
    );
    let skip = merged.len().saturating_sub(limit);
    merged.drain(..skip);
    if args.csv {
        let rows: Vec<CsvRow> = merged.iter().map(merged_row).collect();
        return print_text(&to_csv(&rows));
    }
    if global.json {
        return print_json(&merged);
    }
    if merged.is_empty() {
        return print_text(&format!(
            "Nothing touched {} since block #{}.",
            AccountId(coldkey).ss58(),
            start.0.number
        ));
    }
    let mut t = Table::new([
        "date (UTC)",
        "block",
        "kind",
        "netuid",
        "hotkey",
        "alpha",
        "TAO",
        "fee",
        "source",
    ]);
    for m in &merged {
        let r = merged_row(m);
        let amount = |v: Option<i128>| v.map(crate::export_csv::decimal).unwrap_or_default();
        t.row([
            format_utc(r.time_ms),
            r.block.to_string(),
            r.kind.clone(),
            r.netuid.map(|n| n.to_string()).unwrap_or_default(),
            r.hotkey.as_deref().map(short).unwrap_or_default(),
            amount(r.alpha),
            amount(r.tao),
            amount(r.fee),
            m.source.to_owned(),
        ]);
    }
    let mut text = t.render();
    text.push_str(&format!(
        "{} requests, {} blocks sampled, {} blocks with changes read.\n",
        scan.requests,
        scan.blocks_marked,
        scan.changed_blocks.len()
    ));
    print_text(&text)
}
