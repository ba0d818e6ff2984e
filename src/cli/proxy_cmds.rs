//! `taotui proxy add|remove|list`: a coldkey grants (or revokes) a delegate key a proxy type, so the delegate can
//! stake for it while the coldkey stays offline.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use taotui_keystore::ss58;

use crate::amount::Rao;
use crate::chain::extrinsics;
use crate::chain::proxy::{self, DEFAULT_PROXY_TYPE, DepositTerms, Grant};
use crate::chain::tx::{self, SubmitOptions};
use crate::cli::GlobalArgs;
use crate::cli::output::print_json;
use crate::cli::prompt::Prompter;
use crate::cli::stake_cmds::{address, connect, runtime, signing_wallet};

#[derive(Debug, Subcommand)]
pub enum ProxyCommand {
    /// Let DELEGATE (an address or a wallet's coldkey) act for this wallet's coldkey; reserves a deposit.
    Add(GrantArgs),
    /// Revoke a grant made with `proxy add`; its deposit is returned.
    Remove(GrantArgs),
    /// The grants a coldkey has made and the deposit they hold.
    List(ListArgs),
}

#[derive(Debug, Args, Clone)]
pub struct GrantArgs {
    /// The delegate: an SS58 address or the name of a wallet whose coldkey it is.
    #[arg(value_name = "ADDRESS|WALLET")]
    pub delegate: String,
    /// The real coldkey's wallet (it signs the grant).
    #[arg(long, short = 'w', value_name = "NAME", default_value = "default")]
    pub wallet_name: String,
    /// Proxy type (the runtime's names, any case): Staking allows staking calls and no transfers of TAO.
    #[arg(long = "type", value_name = "TYPE", default_value = DEFAULT_PROXY_TYPE)]
    pub proxy_type: String,
    /// Do not sign: write the unsigned transaction to this file for `taotui sign` on an offline machine.
    #[arg(long, value_name = "FILE")]
    pub sign_offline: Option<std::path::PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct ListArgs {
    /// The real account: an SS58 address or a wallet name (default: the wallet given with -w).
    #[arg(value_name = "ADDRESS|WALLET")]
    pub account: Option<String>,
    /// The wallet whose coldkey's grants to list when no account is given.
    #[arg(long, short = 'w', value_name = "NAME", default_value = "default")]
    pub wallet_name: String,
}

/// An address, or the coldkey address of the wallet of that name.
fn account_of(global: &GlobalArgs, input: &str) -> Result<[u8; 32]> {
    if let Ok(a) = address(input, "the account") {
        return Ok(a);
    }
    signing_wallet(global, input)
        .map(|s| s.coldkey)
        .map_err(|e| anyhow::anyhow!("{input:?} is neither an SS58 address nor a wallet: {e}"))
}

fn tao(r: Rao) -> String {
    r.format_with_unit(
        &crate::amount::FormatOptions::new(4, crate::amount::Rounding::Up).with_thousands(','),
    )
}

#[derive(Serialize)]
struct ListJson<'a> {
    account: String,
    grants: &'a [Grant],
    deposit: u64,
}

#[derive(Serialize)]
struct GrantJson {
    action: &'static str,
    account: String,
    delegate: String,
    proxy_type: String,
    deposit_before: u64,
    deposit_after: u64,
    submitted: bool,
    extrinsic_hash: Option<String>,
    block_number: Option<u64>,
}

pub fn run(cmd: ProxyCommand, global: &GlobalArgs) -> Result<()> {
    match cmd {
        ProxyCommand::List(args) => list(args, global),
        ProxyCommand::Add(args) => grant(args, global, true),
        ProxyCommand::Remove(args) => grant(args, global, false),
    }
}

fn list(args: ListArgs, global: &GlobalArgs) -> Result<()> {
    let real = account_of(global, args.account.as_deref().unwrap_or(&args.wallet_name))?;
    runtime()?.block_on(async {
        let client = connect(global).await?;
        let found = proxy::grants(&client, real).await?;
        let account = ss58::encode(&real, 42);
        if global.json {
            return print_json(&ListJson {
                account,
                grants: &found.grants,
                deposit: found.deposit.get(),
            });
        }
        if found.grants.is_empty() {
            println!("{account} has granted no proxies.");
            return Ok(());
        }
        println!(
            "Proxies of {account} (deposit held: {}):",
            tao(found.deposit)
        );
        for g in &found.grants {
            println!(
                "  {}  {}{}",
                ss58::encode(&g.delegate, 42),
                g.proxy_type,
                if g.delay > 0 {
                    format!(" (announce {} blocks ahead)", g.delay)
                } else {
                    String::new()
                }
            );
        }
        Ok(())
    })
}

fn grant(args: GrantArgs, global: &GlobalArgs, add: bool) -> Result<()> {
    let signing = signing_wallet(global, &args.wallet_name)?;
    let delegate = account_of(global, &args.delegate)?;
    if delegate == signing.coldkey {
        bail!("a coldkey cannot be its own proxy; give the address of the delegate key");
    }
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    runtime()?.block_on(async {
        let client = connect(global).await?;
        let md = client.metadata();
        let proxy_type = proxy::parse_proxy_type(&md, &args.proxy_type)?;
        let terms = DepositTerms::from_metadata(&md)?;
        let current = proxy::grants(&client, signing.coldkey).await?;
        let exists = current
            .grants
            .iter()
            .any(|g| g.delegate == delegate && g.proxy_type == proxy_type);
        let delegate_ss58 = ss58::encode(&delegate, 42);
        let count = current.grants.len() as u64;
        let after = match (add, exists) {
            (true, true) => bail!(
                "{delegate_ss58} already holds a {proxy_type} proxy for wallet {:?}; nothing to do",
                signing.name
            ),
            (false, false) => bail!(
                "{delegate_ss58} holds no {proxy_type} proxy for wallet {:?}; see `taotui proxy list -w {}`",
                signing.name,
                signing.name
            ),
            (true, false) => terms.for_count(count + 1),
            (false, true) => terms.for_count(count.saturating_sub(1)),
        };
        if !global.json {
            let verb = if add { "Grant" } else { "Revoke" };
            let deposit_line = if add {
                format!(
                    "reserves {} more of the coldkey's free balance (deposit {} -> {})",
                    tao(after.saturating_sub(current.deposit)),
                    tao(current.deposit),
                    tao(after)
                )
            } else {
                format!(
                    "returns {} to the coldkey's free balance (deposit {} -> {})",
                    tao(current.deposit.saturating_sub(after)),
                    tao(current.deposit),
                    tao(after)
                )
            };
            prompter.say(&format!(
                "{verb} a {proxy_type} proxy\n  coldkey   {} (wallet {:?})\n  delegate  {delegate_ss58}\n  network   {}\n  {deposit_line}",
                ss58::encode(&signing.coldkey, 42),
                signing.name,
                client.network().name(),
            ));
        }
        let call = if add {
            proxy::add_proxy(delegate, &proxy_type)
        } else {
            proxy::remove_proxy(delegate, &proxy_type)
        };
        if let Some(path) = &args.sign_offline {
            return crate::cli::offline_cmds::write_unsigned_payload(
                &client, &call, &signing, path, &prompter, global.json,
            )
            .await;
        }
        if !prompter.confirm("Sign and send this transaction?")? {
            bail!("cancelled; nothing was signed or sent");
        }
        let password = prompter.password(&format!("wallet {:?}'s coldkey", signing.name))?;
        let signer = extrinsics::unlock_coldkey(signing.wallet.clone(), password).await?;
        if signer.public_key() != signing.coldkey {
            bail!("the unlocked key is not wallet {:?}'s coldkey", signing.name);
        }
        let outcome = tx::submit(
            client.api(),
            client.rpc(),
            &signer,
            &call,
            &SubmitOptions {
                wait_for_finalized: false,
                ..SubmitOptions::default()
            },
        )
        .await?;
        drop(signer);
        let hash = format!("0x{}", hex::encode(outcome.extrinsic_hash));
        if global.json {
            return print_json(&GrantJson {
                action: if add { "add" } else { "remove" },
                account: ss58::encode(&signing.coldkey, 42),
                delegate: delegate_ss58,
                proxy_type,
                deposit_before: current.deposit.get(),
                deposit_after: after.get(),
                submitted: true,
                extrinsic_hash: Some(hash),
                block_number: Some(outcome.block_number),
            });
        }
        println!(
            "{} in block #{} ({hash}).",
            if add { "Granted" } else { "Revoked" },
            outcome.block_number
        );
        Ok(())
    })
}
