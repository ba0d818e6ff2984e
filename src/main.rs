use std::process::ExitCode;

use clap::Parser;
use taotui::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let parsed = Cli::parse();
    let _hide =
        taotui::privacy::hide_while(parsed.global.hide_balances && parsed.command.is_some());
    let result = match parsed.command {
        Some(Command::Wallet(cmd)) => cli::wallet::run(cmd, &parsed.global),
        Some(Command::Key(cmd)) => cli::key::run(cmd, &parsed.global),
        Some(Command::Balance(args)) => cli::chain_cmds::balance(args, &parsed.global),
        Some(Command::Stake(cmd)) => cli::stake_cmds::run(cmd, &parsed.global),
        Some(Command::Subnets) => cli::chain_cmds::subnets(&parsed.global),
        Some(Command::Validators(args)) => cli::chain_cmds::validators(args, &parsed.global),
        Some(Command::Overview) => cli::chain_cmds::overview(&parsed.global),
        Some(Command::Transfer(args)) => cli::stake_cmds::transfer(args, &parsed.global),
        Some(Command::History(args)) => cli::stake_cmds::history(args, &parsed.global),
        Some(Command::Earnings(args)) => cli::earnings_cmds::earnings(args, &parsed.global),
        Some(Command::Doctor(args)) => cli::doctor::run(args, &parsed.global),
        Some(Command::Address(cmd)) => cli::address_cmds::run(cmd, &parsed.global),
        Some(Command::Proxy(cmd)) => cli::proxy_cmds::run(cmd, &parsed.global),
        None => taotui::app::run(&parsed.global),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", cli::output::error_report(&err));
            ExitCode::FAILURE
        }
    }
}
