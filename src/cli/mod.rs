//! Non-interactive commands: the same keystore as the TUI, with human output or `--json`.

pub mod address_cmds;
pub mod chain_cmds;
pub mod doctor;
pub mod earnings_cmds;
pub mod key;
pub mod output;
pub mod prompt;
pub mod proxy_cmds;
pub mod secret_input;
pub mod stake_cmds;
pub mod wallet;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "taotui",
    version,
    about = "A terminal wallet and staking app for Bittensor (TAO)",
    long_about = "A terminal wallet and staking app for Bittensor (TAO).\n\n\
                  Run without a command to open the terminal app. Wallets live under --wallet-path, \
                  $BT_WALLET_PATH or ~/.bittensor/wallets and stay compatible with btcli."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Folder holding the wallets (default: $BT_WALLET_PATH, else ~/.bittensor/wallets).
    #[arg(long, global = true, value_name = "PATH")]
    pub wallet_path: Option<PathBuf>,
    /// Print machine-readable JSON instead of human output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Read the password from the first line of this file instead of the terminal.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "TAOTUI_PASSWORD_FILE",
        hide_env_values = true
    )]
    pub password_file: Option<PathBuf>,
    /// Terminal app theme: default, light, high-contrast, or a theme file's name in the config
    /// folder (default: the config file's `theme`).
    #[arg(long, global = true, value_name = "NAME", env = "TAOTUI_THEME")]
    pub theme: Option<String>,
    /// Answer yes to confirmations (overwrite still keeps a backup).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
    /// The chain: finney (default), test, local, or a ws://, wss://, http:// or https:// URL; several separated by
    /// commas are tried in order (finney alone is a built-in list of public entry points).
    #[arg(long, global = true, value_name = "NETWORK", env = "TAOTUI_NETWORK")]
    pub network: Option<String>,
    /// Mask every amount in human output and in the terminal app (for screen sharing; `*` in
    /// the app toggles it). JSON output is not masked.
    #[arg(long, global = true)]
    pub hide_balances: bool,
    /// Send stake-trading calls in the clear even where the runtime has MevShield (they are encrypted to the
    /// next block author by default, so nobody can trade against them in the pool). Config: `mev_shield = false`.
    #[arg(long, global = true)]
    pub no_mev_shield: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, restore, inspect and protect wallets.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Work with secret URIs, like `subkey`.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Free, reserved and staked TAO of one or more coldkeys.
    Balance(chain_cmds::BalanceArgs),
    /// Stake positions.
    #[command(subcommand)]
    Stake(stake_cmds::StakeCommand),
    /// Every subnet: price, pool, tempo, emission.
    Subnets,
    /// The validators of a subnet (root is netuid 0) with take, stake, nominators and APY.
    Validators(chain_cmds::ValidatorsArgs),
    /// Network figures: block, issuance, stake, emission, next halving.
    Overview,
    /// Send TAO to another account (transfer_keep_alive, or transfer_all keeping the account alive).
    Transfer(stake_cmds::TransferArgs),
    /// Transactions sent from this machine, with their latest known status.
    History(stake_cmds::HistoryArgs),
    /// What each stake earned (24h, 7d, 30d, since a block or date), from the chain's state at past blocks.
    Earnings(earnings_cmds::EarningsArgs),
    /// Which features work on the connected runtime (or, with --metadata, on a metadata file offline).
    Doctor(doctor::DoctorArgs),
    /// Named addresses, usable wherever an address is asked for.
    #[command(subcommand)]
    Address(address_cmds::AddressCommand),
    /// Grant, revoke and list proxies, so a delegate key can stake for an offline coldkey.
    #[command(subcommand)]
    Proxy(proxy_cmds::ProxyCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// taotui's own format: argon2id + AES-256-GCM (btcli cannot read it).
    Native,
    /// btcli's `$NACL` format (argon2i + XSalsa20-Poly1305), readable by btcli.
    Btcli,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    Sr25519,
    Ed25519,
}

#[derive(Debug, Args, Clone)]
pub struct WalletName {
    /// Wallet name (a folder under the wallet path).
    #[arg(long, short = 'w', value_name = "NAME", default_value = "default")]
    pub wallet_name: String,
}

#[derive(Args, Clone)]
pub struct SecretSource {
    /// Removed: a secret on the command line ends up in shell history and the process list.
    /// Kept hidden so that using it says what to do instead.
    #[arg(long, hide = true, value_name = "WORDS")]
    pub mnemonic: Option<String>,
    /// Removed, see `mnemonic`.
    #[arg(long, hide = true, value_name = "0xHEX")]
    pub seed: Option<String>,
    /// Removed, see `mnemonic`.
    #[arg(long, hide = true, value_name = "SURI")]
    pub uri: Option<String>,
    /// Read the mnemonic, 0x seed or secret URI (`phrase//hard/soft///password`, `//Alice`)
    /// from the first line of this file, or of standard input with `-`; without it you are
    /// asked.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// Key type: btcli's cryptoType 1 (sr25519) or 0 (ed25519).
    #[arg(long, value_enum, default_value = "sr25519")]
    pub scheme: SchemeArg,
}

#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// List the wallets under the wallet path with their addresses.
    List,
    /// Create a new wallet: a coldkey from a fresh mnemonic (and optionally a hotkey).
    Create {
        #[command(flatten)]
        wallet: WalletName,
        /// Also create a hotkey with this name.
        #[arg(long, value_name = "NAME")]
        hotkey: Option<String>,
        /// Number of mnemonic words.
        #[arg(long, default_value_t = 12, value_parser = word_count)]
        words: usize,
        #[arg(long, value_enum, default_value = "native")]
        format: FormatArg,
        /// Accept a password the strength check calls weak (it must still be long enough).
        #[arg(long)]
        allow_weak_password: bool,
    },
    /// Add a hotkey to a wallet.
    NewHotkey {
        #[command(flatten)]
        wallet: WalletName,
        #[arg(long, value_name = "NAME", default_value = "default")]
        hotkey: String,
        #[arg(long, default_value_t = 12, value_parser = word_count)]
        words: usize,
        /// Encrypt the hotkey (btcli leaves hotkeys unencrypted by default).
        #[arg(long)]
        encrypt: bool,
        #[arg(long, value_enum, default_value = "native")]
        format: FormatArg,
        #[arg(long)]
        allow_weak_password: bool,
    },
    /// Restore a coldkey from its mnemonic, seed or secret URI (or a watch-only address).
    RegenColdkey {
        #[command(flatten)]
        wallet: WalletName,
        #[command(flatten)]
        secret: SecretSource,
        /// Store only this SS58 address (watch-only; nothing can be signed).
        #[arg(long, value_name = "SS58", conflicts_with = "secret_file")]
        watch_only: Option<String>,
        #[arg(long, value_enum, default_value = "native")]
        format: FormatArg,
        /// Replace an existing coldkey (a timestamped backup is kept under backups/).
        #[arg(long)]
        overwrite: bool,
        #[arg(long)]
        allow_weak_password: bool,
    },
    /// Restore a hotkey from its mnemonic, seed or secret URI.
    RegenHotkey {
        #[command(flatten)]
        wallet: WalletName,
        #[arg(long, value_name = "NAME", default_value = "default")]
        hotkey: String,
        #[command(flatten)]
        secret: SecretSource,
        #[arg(long)]
        encrypt: bool,
        #[arg(long, value_enum, default_value = "native")]
        format: FormatArg,
        #[arg(long)]
        overwrite: bool,
        #[arg(long)]
        allow_weak_password: bool,
    },
    /// Show a wallet's keys, formats and addresses.
    Show {
        #[command(flatten)]
        wallet: WalletName,
        /// Decrypt the coldkey to check the password and that it matches coldkeypub.txt.
        #[arg(long)]
        unlock: bool,
    },
    /// Re-encrypt a key under a new password (a backup of the old file is kept).
    ChangePassword {
        #[command(flatten)]
        wallet: WalletName,
        /// Change a hotkey's password instead of the coldkey's.
        #[arg(long, value_name = "NAME")]
        hotkey: Option<String>,
        /// Read the new password from this file's first line.
        #[arg(
            long,
            value_name = "PATH",
            env = "TAOTUI_NEW_PASSWORD_FILE",
            hide_env_values = true
        )]
        new_password_file: Option<PathBuf>,
        /// Also switch format (default: keep native as native, everything else becomes btcli's).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        #[arg(long)]
        allow_weak_password: bool,
    },
    /// Convert a key between taotui's native format and btcli's `$NACL` (same password).
    Convert {
        #[command(flatten)]
        wallet: WalletName,
        #[arg(long, value_name = "NAME")]
        hotkey: Option<String>,
        #[arg(long, value_enum)]
        to: FormatArg,
        /// For an unencrypted hotkey: read the new password from this file.
        #[arg(
            long,
            value_name = "PATH",
            env = "TAOTUI_NEW_PASSWORD_FILE",
            hide_env_values = true
        )]
        new_password_file: Option<PathBuf>,
        #[arg(long)]
        allow_weak_password: bool,
    },
    /// Check that a written-down mnemonic (or seed/URI) is the backup of a wallet's key.
    VerifyBackup {
        #[command(flatten)]
        wallet: WalletName,
        #[arg(long, value_name = "NAME")]
        hotkey: Option<String>,
        #[command(flatten)]
        secret: SecretSource,
    },
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Print the public key, account id and SS58 address of a secret URI or an SS58 address.
    Inspect {
        /// An SS58 address, or `-` to read a secret URI (`phrase//path///password`, `0xSEED`,
        /// `//Alice`) from standard input. Omit it to be asked. A secret here is refused: it
        /// would end up in shell history and the process list.
        uri: Option<String>,
        /// Read the secret URI from the first line of this file (`-`: standard input).
        #[arg(long, value_name = "PATH", conflicts_with = "uri")]
        secret_file: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "sr25519")]
        scheme: SchemeArg,
        /// SS58 address prefix (42 = generic Substrate, used by Bittensor).
        #[arg(long, default_value_t = 42)]
        ss58_prefix: u16,
    },
}

/// Secrets typed on the command line must never reach Debug output (logs, panics).
impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretSource")
            .field("mnemonic", &self.mnemonic.as_ref().map(|_| "<redacted>"))
            .field("seed", &self.seed.as_ref().map(|_| "<redacted>"))
            .field("uri", &self.uri.as_ref().map(|_| "<redacted>"))
            .field("secret_file", &self.secret_file)
            .field("scheme", &self.scheme)
            .finish()
    }
}

impl std::fmt::Debug for KeyCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyCommand::Inspect {
                uri,
                secret_file,
                scheme,
                ss58_prefix,
            } => f
                .debug_struct("Inspect")
                .field("uri", &uri.as_ref().map(|_| "<redacted>"))
                .field("secret_file", secret_file)
                .field("scheme", scheme)
                .field("ss58_prefix", ss58_prefix)
                .finish(),
        }
    }
}

fn word_count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n @ (12 | 15 | 18 | 21 | 24)) => Ok(n),
        _ => Err("the number of words must be 12, 15, 18, 21 or 24".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets_from_the_command_line() {
        let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
        let cli = Cli::try_parse_from(["taotui", "wallet", "regen-coldkey", "--mnemonic", phrase])
            .map_err(|e| e.to_string());
        let debug = format!("{cli:?}");
        assert!(debug.contains("RegenColdkey"), "{debug}");
        assert!(!debug.contains("bottom drive"), "{debug}");
        // (The word "secret" itself is a field name now: `secret_file`.)
        let cli = Cli::try_parse_from(["taotui", "key", "inspect", "//Alice//hunter2zz"]);
        let debug = format!("{cli:?}");
        assert!(
            debug.contains("Inspect") && !debug.contains("hunter2zz"),
            "{debug}"
        );
    }
}
