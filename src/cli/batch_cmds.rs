//! `taotui stake batch FILE`: several stake actions as one `Utility.batch_all`, with one preview (each leg and the
//! total), one confirmation and one signature; all legs land or none does.
//!
//! The file is JSON (a list of legs, or `{"legs": [...]}`) or TOML (`[[legs]]` tables). A leg takes the options
//! of the matching command: `action = "add" | "remove" | "move" | "swap" | "unstake-all"`, then `hotkey` or
//! `validator`, `netuid`, `amount` (TAO for add, alpha otherwise), `amount_tao`, `all`, `from`, `to`,
//! `to_netuid`, `to_root`, `tolerance`, `partial`, `unsafe`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::amount::{AlphaRao, Rao};
use crate::chain::batch::{self, MAX_LEGS};
use crate::chain::client::ChainClient;
use crate::chain::extrinsics::{self, Action, AlphaAmount, Prepared, Preview, SendOptions};
use crate::chain::history::History;
use crate::chain::tx::TxError;

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};
use super::prompt::Prompter;
use super::stake_cmds::{
    Acting, HotkeyArg, LimitArgs, WalletArg, address, alpha_amount, connect, resolve_hotkey,
    runtime,
};

#[derive(Debug, Args, Clone)]
pub struct BatchArgs {
    #[command(flatten)]
    pub wallet: WalletArg,
    /// The legs: a JSON list (or `{"legs": [...]}`) or TOML `[[legs]]` tables; see the README.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// With more than 16 legs: send them as several batches of at most 16 (each all-or-nothing, but not
    /// together: an earlier batch stays done when a later one fails).
    #[arg(long)]
    pub split: bool,
}

/// A number or a string in the file (`5` or `"5.5"`), kept as text for the amount parsers.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Text {
    Str(String),
    Int(u64),
    Float(f64),
}

impl Text {
    fn text(&self) -> String {
        match self {
            Text::Str(s) => s.clone(),
            Text::Int(n) => n.to_string(),
            Text::Float(f) => f.to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Leg {
    action: String,
    hotkey: Option<String>,
    validator: Option<String>,
    netuid: Option<u16>,
    amount: Option<Text>,
    amount_tao: Option<Text>,
    #[serde(default)]
    all: bool,
    from: Option<String>,
    to: Option<String>,
    to_netuid: Option<u16>,
    #[serde(default)]
    to_root: bool,
    tolerance: Option<Text>,
    #[serde(default)]
    partial: bool,
    #[serde(default, rename = "unsafe")]
    unsafe_: bool,
}

/// `{"legs": [...]}` in JSON, `[[legs]]` tables in TOML.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    legs: Vec<Leg>,
}

fn read_legs(path: &Path) -> Result<Vec<Leg>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the batch file {}", path.display()))?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    // By extension; without a known one, JSON when it parses as JSON (TOML's `[[legs]]` also starts with `[`).
    let is_json = match ext.as_deref() {
        Some("json") => true,
        Some("toml") => false,
        _ => serde_json::from_str::<serde_json::Value>(&text).is_ok(),
    };
    let legs = if is_json {
        let hint = || {
            format!(
                "{} is not a JSON list of legs (each like {{\"action\": \"add\", \"hotkey\": \"5…\", \"netuid\": 1, \"amount\": \"2\"}})",
                path.display()
            )
        };
        let value: serde_json::Value = serde_json::from_str(&text).with_context(hint)?;
        // Not an untagged enum: its error would hide which field of which leg is wrong.
        if value.is_array() {
            serde_json::from_value::<Vec<Leg>>(value).with_context(hint)?
        } else {
            serde_json::from_value::<TomlFile>(value)
                .with_context(hint)?
                .legs
        }
    } else {
        toml::from_str::<TomlFile>(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))
            .with_context(|| {
                "a TOML batch file is [[legs]] tables, each with action = \"add\"|\"remove\"|\"move\"|\"swap\"|\"unstake-all\"".to_owned()
            })?
            .legs
    };
    if legs.is_empty() {
        bail!("{} has no legs; nothing to send", path.display());
    }
    Ok(legs)
}

impl Leg {
    fn limit(&self) -> LimitArgs {
        LimitArgs {
            tolerance: self
                .tolerance
                .as_ref()
                .map_or_else(|| "0.5".to_owned(), Text::text),
            partial: self.partial,
            unsafe_: self.unsafe_,
        }
    }

    fn target(&self) -> HotkeyArg {
        HotkeyArg {
            hotkey: self.hotkey.clone(),
            validator: self.validator.clone(),
        }
    }

    fn netuid(&self) -> Result<u16> {
        self.netuid.context("give its subnet: \"netuid\"")
    }

    fn alpha(&self) -> Result<AlphaAmount> {
        alpha_amount(
            &self.amount.as_ref().map(Text::text),
            &self.amount_tao.as_ref().map(Text::text),
            self.all,
        )
    }

    async fn action(&self, client: &ChainClient) -> Result<Action> {
        let mode = self.limit().mode()?;
        Ok(match self.action.as_str() {
            "add" | "stake" => {
                let netuid = self.netuid()?;
                let amount = self
                    .amount
                    .as_ref()
                    .context("say how much TAO to stake: \"amount\"")?;
                Action::AddStake {
                    hotkey: resolve_hotkey(client, &self.target(), netuid).await?,
                    netuid,
                    amount: Rao::parse_tao(&amount.text())?,
                    mode,
                }
            }
            "remove" | "unstake" => {
                let netuid = self.netuid()?;
                Action::RemoveStake {
                    hotkey: resolve_hotkey(client, &self.target(), netuid).await?,
                    netuid,
                    amount: self.alpha()?,
                    mode,
                }
            }
            "unstake-all" | "unstake_all" => Action::UnstakeAll {
                hotkey: resolve_hotkey(client, &self.target(), self.netuid.unwrap_or(0)).await?,
                alpha_only: self.to_root,
            },
            "move" => {
                let netuid = self.netuid()?;
                Action::MoveStake {
                    origin_hotkey: address(
                        self.from
                            .as_deref()
                            .context("give \"from\": the hotkey now")?,
                        "from",
                    )?,
                    destination_hotkey: address(
                        self.to.as_deref().context("give \"to\": the new hotkey")?,
                        "to",
                    )?,
                    origin_netuid: netuid,
                    destination_netuid: self.to_netuid.unwrap_or(netuid),
                    amount: self.alpha()?,
                    mode,
                }
            }
            "swap" => {
                let netuid = self.netuid()?;
                Action::SwapStake {
                    hotkey: address(self.hotkey.as_deref().context("give \"hotkey\"")?, "hotkey")?,
                    origin_netuid: netuid,
                    destination_netuid: self
                        .to_netuid
                        .context("give \"to_netuid\": the subnet to swap to")?,
                    amount: self.alpha()?,
                    mode,
                }
            }
            other => bail!(
                "{other:?} is not a batch action; use \"add\", \"remove\", \"move\", \"swap\" or \"unstake-all\""
            ),
        })
    }
}

const TAO9: crate::amount::FormatOptions =
    crate::amount::FormatOptions::new(9, crate::amount::Rounding::Down).trimmed();

fn tao(r: Rao) -> String {
    format!("{} τ", r.format(&TAO9))
}

fn alpha(a: AlphaRao) -> String {
    format!("{} α", a.format(&TAO9))
}

fn leg_target(p: &Preview) -> String {
    let mut parts = Vec::new();
    for (name, v) in &p.call.args {
        let text = match v {
            extrinsics::ArgValue::Account(a) | extrinsics::ArgValue::Address(a) => {
                let s = taotui_keystore::ss58::encode(a, 42);
                format!("{}…", &s[..8.min(s.len())])
            }
            extrinsics::ArgValue::U16(n) => n.to_string(),
            _ => continue,
        };
        parts.push(format!("{name}={text}"));
    }
    parts.join(" ")
}

/// Each leg (call, target, TAO in/out, alpha, swap fee, slippage, limit) and the totals.
fn render_batch(
    prepared: &Prepared,
    part: Option<(usize, usize)>,
    network: &str,
    who: &str,
) -> String {
    let mut t = Table::new([
        "leg", "call", "target", "TAO in", "TAO out", "alpha", "swap fee", "slippage", "limit",
    ]);
    for (i, leg) in prepared.legs.iter().enumerate() {
        let alpha_text = match (leg.alpha_sold.is_zero(), leg.alpha_received.is_zero()) {
            (false, false) => format!("-{} +{}", alpha(leg.alpha_sold), alpha(leg.alpha_received)),
            (false, true) => format!("-{}", alpha(leg.alpha_sold)),
            (true, false) => format!("+{}", alpha(leg.alpha_received)),
            (true, true) => String::new(),
        };
        t.row([
            (i + 1).to_string(),
            leg.call.path(),
            leg_target(leg),
            if leg.tao_spent.is_zero() {
                String::new()
            } else {
                tao(leg.tao_spent)
            },
            if leg.tao_received.is_zero() {
                String::new()
            } else {
                tao(leg.tao_received)
            },
            alpha_text,
            if leg.swap_fee == 0 {
                String::new()
            } else {
                leg.swap_fee.to_string()
            },
            extrinsics::plan::percent_text(leg.price_impact_bps),
            leg.tolerance_bps
                .map(|b| format!("{} %", f64::from(b) / 100.0))
                .unwrap_or_else(|| "none".to_owned()),
        ]);
    }
    let p = &prepared.preview;
    let title = match part {
        Some((k, n)) => {
            format!("Batch {k} of {n} (Utility.batch_all, all or nothing within this batch)")
        }
        None => "Batch (Utility.batch_all: all legs land or none does)".to_owned(),
    };
    let mut out = format!("{title}\n  network  {network}\n  wallet   {who}\n");
    out.push_str(&t.render());
    out.push_str(&format!(
        "total: TAO in {}, TAO out {} (expected), fee {} for the whole batch\n",
        tao(p.tao_spent),
        tao(p.tao_received),
        tao(p.fee)
    ));
    for w in &p.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

#[derive(Serialize)]
struct PartJson<'a> {
    preview: &'a Preview,
    legs: &'a [Preview],
    submitted: bool,
    extrinsic_hash: Option<String>,
    block_number: Option<u64>,
    events: Vec<String>,
    error: Option<String>,
}

pub fn run(args: BatchArgs, global: &GlobalArgs) -> Result<()> {
    let legs = read_legs(&args.file)?;
    if legs.len() > MAX_LEGS && !args.split {
        bail!(
            "{} has {} legs, more than the {MAX_LEGS} one batch takes; add --split to send them as {} batches, \
             each all-or-nothing but not together (a later batch can fail after an earlier one landed)",
            args.file.display(),
            legs.len(),
            legs.len().div_ceil(MAX_LEGS)
        );
    }
    let acting = Acting::resolve(global, &args.wallet)?;
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    runtime()?.block_on(async {
        let client = connect(global).await?;
        let mut actions = Vec::with_capacity(legs.len());
        for (i, leg) in legs.iter().enumerate() {
            actions.push(
                leg.action(&client)
                    .await
                    .with_context(|| format!("leg {} of {}", i + 1, args.file.display()))?,
            );
        }
        let chunks: Vec<Vec<Action>> = actions.chunks(MAX_LEGS).map(<[Action]>::to_vec).collect();
        let parts = chunks.len();
        let mut prepared = Vec::with_capacity(parts);
        for chunk in chunks {
            prepared.push(
                extrinsics::fetch::prepare_batch(
                    &client,
                    acting.coldkey(),
                    acting.signing.crypto,
                    chunk,
                    acting.delegate(),
                )
                .await?,
            );
        }
        let numbered = |k: usize| (parts > 1).then_some((k + 1, parts));
        if !global.json {
            for (k, p) in prepared.iter().enumerate() {
                prompter.say(&render_batch(p, numbered(k), client.network().name(), &acting.describe()));
            }
            if parts > 1 {
                prompter.say(&format!(
                    "These {parts} batches are each all-or-nothing, but not together: if a later one fails, the \
                     earlier ones stay done."
                ));
            }
        }
        let refusals: Vec<String> = prepared
            .iter()
            .enumerate()
            .flat_map(|(k, p)| {
                p.preview.refusals.iter().map(move |r| match numbered(k) {
                    Some((n, _)) => format!("Batch {n}, {}", r.sentence),
                    None => r.sentence.clone(),
                })
            })
            .collect();
        if !refusals.is_empty() {
            if global.json {
                let out: Vec<PartJson<'_>> = prepared
                    .iter()
                    .map(|p| PartJson {
                        preview: &p.preview,
                        legs: &p.legs,
                        submitted: false,
                        extrinsic_hash: None,
                        block_number: None,
                        events: vec![],
                        error: None,
                    })
                    .collect();
                print_json(&out)?;
            }
            bail!("not sent: {}", refusals.join(" "));
        }
        if let Some(path) = &args.wallet.sign_offline {
            let [only] = prepared.as_slice() else {
                bail!(
                    "--sign-offline writes one transaction, and this file makes {parts} batches; split it into files \
                     of at most {MAX_LEGS} legs"
                );
            };
            let opted_out =
                global.no_mev_shield || crate::config::load_settings()?.mev_shield == Some(false);
            let shield = crate::chain::mev_shield::assess(&client, only, opted_out).await?;
            return super::offline_cmds::write_unsigned(
                &client,
                only,
                &acting.signing,
                &shield,
                path,
                &prompter,
                global.json,
            )
            .await;
        }
        let question = if parts > 1 {
            format!("Sign and send these {parts} batches?")
        } else {
            "Sign and send this batch?".to_owned()
        };
        if !prompter.confirm(&question)? {
            bail!("cancelled; nothing was signed or sent");
        }
        let password = prompter.password(&format!("wallet {:?}'s coldkey", acting.signing.name))?;
        let signer = extrinsics::unlock_coldkey(acting.signing.wallet.clone(), password).await?;
        let history = History::default_location()?;
        let opted_out =
            global.no_mev_shield || crate::config::load_settings()?.mev_shield == Some(false);
        let mut results = Vec::with_capacity(parts);
        let mut failure = None;
        for (k, p) in prepared.iter().enumerate() {
            let shield = crate::chain::mev_shield::assess(&client, p, opted_out).await?;
            if let crate::chain::mev_shield::Decision::Refuse(_) = shield.decision {
                failure = Some(anyhow::anyhow!("not sent: {}", shield.line()));
                break;
            }
            let sent = extrinsics::send(
                &client,
                p,
                &signer,
                Some(&history),
                &SendOptions {
                    wait_for_finalized: true,
                    progress: extrinsics::send::Progress::stderr(),
                    shield: Some(shield),
                    ..SendOptions::default()
                },
            )
            .await;
            match sent {
                Ok(s) => {
                    if !global.json {
                        print_text(&format!(
                            "{}{} legs in block #{} (extrinsic {}); events: {}",
                            numbered(k).map_or_else(String::new, |(n, m)| format!("Batch {n} of {m}: ")),
                            p.legs.len(),
                            s.block_number,
                            extrinsics::send::hex(&s.extrinsic_hash),
                            s.events.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
                        ))?;
                    }
                    results.push(PartJson {
                        preview: &p.preview,
                        legs: &p.legs,
                        submitted: true,
                        extrinsic_hash: Some(extrinsics::send::hex(&s.extrinsic_hash)),
                        block_number: Some(s.block_number),
                        events: s.events.iter().map(|e| e.name()).collect(),
                        error: None,
                    });
                }
                Err(e) => {
                    let sentence = match &e {
                        extrinsics::ExtrinsicError::Tx(TxError::Dispatch { error, .. }) => {
                            format!("{} {}", batch::failed_leg_sentence(&p.legs, error), error.sentence)
                        }
                        other => other.to_string(),
                    };
                    let done = if k > 0 {
                        format!(" Batches 1 to {k} landed and stay done.")
                    } else {
                        String::new()
                    };
                    results.push(PartJson {
                        preview: &p.preview,
                        legs: &p.legs,
                        submitted: true,
                        extrinsic_hash: None,
                        block_number: None,
                        events: vec![],
                        error: Some(sentence.clone()),
                    });
                    failure = Some(anyhow::anyhow!(
                        "{}{sentence}{done}",
                        numbered(k).map_or_else(String::new, |(n, m)| format!("Batch {n} of {m}: "))
                    ));
                    break;
                }
            }
        }
        drop(signer);
        if global.json {
            print_json(&results)?;
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn legs_read_from_json_lists_json_tables_and_toml_and_unknown_fields_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let list = read_legs(&write(
            d,
            "a.json",
            r#"[{"action": "add", "hotkey": "5F", "netuid": 3, "amount": 2.5}, {"action": "remove", "netuid": 3, "all": true}]"#,
        ))
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].amount.as_ref().unwrap().text(), "2.5");
        assert!(list[1].all);
        let table = read_legs(&write(
            d,
            "b",
            r#"{"legs": [{"action": "swap", "to_netuid": 4}]}"#,
        ))
        .unwrap();
        assert_eq!(table[0].to_netuid, Some(4));
        let toml = read_legs(&write(
            d,
            "c",
            "[[legs]]\naction = \"move\"\nfrom = \"5F\"\nto = \"5G\"\nnetuid = 3\namount = 3\nunsafe = true\n",
        ))
        .unwrap();
        assert_eq!(toml[0].amount.as_ref().unwrap().text(), "3");
        assert!(toml[0].unsafe_);
        let err =
            read_legs(&write(d, "d.json", r#"[{"action": "add", "amuont": 1}]"#)).unwrap_err();
        assert!(format!("{err:#}").contains("amuont"), "{err:#}");
        let err = read_legs(&write(d, "e.toml", "")).unwrap_err();
        assert!(format!("{err:#}").contains("legs"), "{err:#}");
    }
}
