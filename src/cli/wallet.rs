//! `taotui wallet ...`: create, restore, inspect and protect btcli-compatible wallets.

use std::io::IsTerminal;

use anyhow::{Context, Result, anyhow, bail};
use rand::seq::index::sample;
use secrecy::ExposeSecret;
use serde::Serialize;
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::keyfile::{NativeParams, WriteFormat};
use taotui_keystore::mnemonic::{Mnemonic, WordCount};
use taotui_keystore::ss58;
use taotui_keystore::wallet::{
    KeyFormat, KeyInfo, KeyTarget, Wallet, WalletRoot, WriteMode, WriteReport,
};

use super::output::{Table, print_json, print_text};
use super::prompt::Prompter;
use super::secret_input::keypair_from_source;
use super::{FormatArg, GlobalArgs, WalletCommand};

/// How many words of a new mnemonic the user re-types before anything is written.
const WORDS_TO_CONFIRM: usize = 3;
const ATTEMPTS_PER_WORD: usize = 3;

pub fn write_format(f: FormatArg) -> WriteFormat {
    match f {
        FormatArg::Native => WriteFormat::Native(NativeParams::default()),
        FormatArg::Btcli => WriteFormat::Nacl,
    }
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct KeyJson {
    pub ss58: Option<String>,
    pub format: &'static str,
    pub encrypted: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HotkeyJson {
    pub name: String,
    pub ss58: Option<String>,
    pub format: &'static str,
    pub encrypted: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct WalletJson {
    pub name: String,
    pub path: String,
    pub coldkey: Option<KeyJson>,
    pub hotkeys: Vec<HotkeyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlocked: Option<bool>,
}

pub fn run(cmd: WalletCommand, global: &GlobalArgs) -> Result<()> {
    let settings = crate::config::load_settings()?;
    let root = WalletRoot::resolve(
        crate::config::wallet_path(global.wallet_path.as_deref(), &settings).as_deref(),
    )?;
    let prompter = Prompter::new(global.password_file.clone(), global.yes);
    match cmd {
        WalletCommand::List => list(&root, global.json),
        WalletCommand::Show { wallet, unlock } => show(
            &root.wallet(&wallet.wallet_name)?,
            unlock,
            &prompter,
            global.json,
        ),
        WalletCommand::Create {
            wallet,
            hotkey,
            words,
            format,
            allow_weak_password,
        } => create(
            &root.wallet(&wallet.wallet_name)?,
            hotkey.as_deref(),
            words,
            format,
            allow_weak_password,
            &prompter,
            global,
        ),
        WalletCommand::NewHotkey {
            wallet,
            hotkey,
            words,
            encrypt,
            format,
            allow_weak_password,
        } => new_hotkey(
            &root.wallet(&wallet.wallet_name)?,
            &hotkey,
            words,
            encrypt.then_some(format),
            allow_weak_password,
            &prompter,
            global,
        ),
        WalletCommand::RegenColdkey {
            wallet,
            secret,
            watch_only,
            format,
            overwrite,
            allow_weak_password,
        } => {
            super::secret_input::refuse_inline_secrets(&secret)?;
            let w = root.wallet(&wallet.wallet_name)?;
            let mode = overwrite_mode(overwrite, &KeyTarget::Coldkey, &w, &prompter)?;
            if let Some(address) = watch_only {
                let (public, _) = ss58::decode(address.trim())?;
                let report = w.write_watch_only(&public, CryptoType::Sr25519, mode)?;
                return finish(&w, &report, "Watch-only coldkey stored", global);
            }
            let keypair = keypair_from_source(&secret, &prompter)?;
            prompter.say(&format!("Restoring coldkey {}", keypair.ss58()));
            let password = prompter.new_password(
                new_password_file(global),
                "the coldkey",
                &[w.name()],
                allow_weak_password,
            )?;
            let report = w.write_key(
                &KeyTarget::Coldkey,
                &keypair,
                Some((&password, write_format(format))),
                mode,
            )?;
            finish(&w, &report, "Coldkey restored", global)
        }
        WalletCommand::RegenHotkey {
            wallet,
            hotkey,
            secret,
            encrypt,
            format,
            overwrite,
            allow_weak_password,
        } => {
            let w = root.wallet(&wallet.wallet_name)?;
            let target = KeyTarget::Hotkey(hotkey.clone());
            let mode = overwrite_mode(overwrite, &target, &w, &prompter)?;
            let keypair = keypair_from_source(&secret, &prompter)?;
            prompter.say(&format!("Restoring hotkey {hotkey}: {}", keypair.ss58()));
            let password = if encrypt {
                Some(prompter.new_password(
                    new_password_file(global),
                    "the hotkey",
                    &[w.name(), &hotkey],
                    allow_weak_password,
                )?)
            } else {
                None
            };
            let enc = password.as_ref().map(|p| (p, write_format(format)));
            let report = w.write_key(&target, &keypair, enc, mode)?;
            finish(&w, &report, "Hotkey restored", global)
        }
        WalletCommand::ChangePassword {
            wallet,
            hotkey,
            new_password_file,
            format,
            allow_weak_password,
        } => {
            let w = root.wallet(&wallet.wallet_name)?;
            let target = hotkey.map_or(KeyTarget::Coldkey, KeyTarget::Hotkey);
            require_key(&w, &target)?;
            let old = prompter.password(&format!("the {target} of wallet {}", w.name()))?;
            // Unlock first so a wrong old password is reported before a new one is asked for.
            w.unlock(&target, Some(&old))?;
            let new = prompter.new_password(
                new_password_file.as_deref(),
                &format!("the {target}"),
                &[w.name()],
                allow_weak_password,
            )?;
            let report = w.change_password(&target, &old, &new, format.map(write_format))?;
            finish(&w, &report, "Password changed", global)
        }
        WalletCommand::Convert {
            wallet,
            hotkey,
            to,
            new_password_file,
            allow_weak_password,
        } => {
            let w = root.wallet(&wallet.wallet_name)?;
            let target = hotkey.map_or(KeyTarget::Coldkey, KeyTarget::Hotkey);
            let current = require_key(&w, &target)?;
            let wanted = match to {
                FormatArg::Native => KeyFormat::Native,
                FormatArg::Btcli => KeyFormat::Nacl,
            };
            if current == wanted {
                bail!("the {target} is already in {wanted} format; nothing to do");
            }
            let report = if current.is_encrypted() {
                let password =
                    prompter.password(&format!("the {target} of wallet {}", w.name()))?;
                w.convert(&target, Some(&password), Some(write_format(to)))?
            } else {
                let password = prompter.new_password(
                    new_password_file.as_deref(),
                    &format!("the {target}"),
                    &[w.name()],
                    allow_weak_password,
                )?;
                let keypair = w.unlock(&target, None)?;
                w.write_key(
                    &target,
                    &keypair,
                    Some((&password, write_format(to))),
                    WriteMode::OverwriteWithBackup,
                )?
            };
            finish(&w, &report, &format!("Converted to {wanted}"), global)
        }
        WalletCommand::VerifyBackup {
            wallet,
            hotkey,
            secret,
        } => {
            let w = root.wallet(&wallet.wallet_name)?;
            let target = hotkey.map_or(KeyTarget::Coldkey, KeyTarget::Hotkey);
            let keypair = keypair_from_source(&secret, &prompter)?;
            let matches = w.matches_backup(&target, &keypair)?;
            if global.json {
                print_json(&serde_json::json!({
                    "wallet": w.name(),
                    "key": target.to_string(),
                    "matches": matches,
                    "backup_ss58": keypair.ss58(),
                }))?;
            }
            if matches {
                if !global.json {
                    print_text(&format!(
                        "OK: the backup restores the {target} of wallet {} ({}).",
                        w.name(),
                        keypair.ss58()
                    ))?;
                }
                Ok(())
            } else {
                bail!(
                    "the backup does NOT match the {target} of wallet {}: it gives {}; check the words and their order",
                    w.name(),
                    keypair.ss58()
                )
            }
        }
    }
}

fn new_password_file(global: &GlobalArgs) -> Option<&std::path::Path> {
    global.password_file.as_deref()
}

fn require_key(w: &Wallet, target: &KeyTarget) -> Result<KeyFormat> {
    w.key_format(target)?.ok_or_else(|| {
        anyhow!(
            "wallet {} has no {target} file at {}",
            w.name(),
            w.key_path(target).display()
        )
    })
}

fn overwrite_mode(
    overwrite: bool,
    target: &KeyTarget,
    w: &Wallet,
    prompter: &Prompter,
) -> Result<WriteMode> {
    let exists = w.key_path(target).exists() || w.pub_path(target).exists();
    if !exists {
        return Ok(WriteMode::CreateNew);
    }
    if !overwrite {
        bail!(
            "wallet {} already has a {target} at {}; pass --overwrite to replace it (a backup is kept)",
            w.name(),
            w.key_path(target).display()
        );
    }
    let question = format!(
        "Replace the existing {target} of wallet {}? The old file is kept under {}.",
        w.name(),
        w.backups_dir().display()
    );
    if !prompter.confirm(&question)? {
        bail!("not confirmed; nothing was changed");
    }
    Ok(WriteMode::OverwriteWithBackup)
}

fn finish(w: &Wallet, report: &WriteReport, headline: &str, global: &GlobalArgs) -> Result<()> {
    if global.json {
        let json = wallet_json(w)?;
        return print_json(&serde_json::json!({
            "wallet": json,
            "written": report.written,
            "backups": report.backups,
        }));
    }
    let mut text = format!("{headline}.\n");
    for b in &report.backups {
        text.push_str(&format!("Backup of the old file: {}\n", b.display()));
    }
    text.push_str(&render_wallet(w)?);
    print_text(&text)
}

fn key_json(info: &KeyInfo) -> KeyJson {
    KeyJson {
        ss58: info.ss58.clone(),
        format: info.format.as_str(),
        encrypted: info.encrypted(),
    }
}

pub fn wallet_json(w: &Wallet) -> Result<WalletJson> {
    let coldkey = w.key_info(&KeyTarget::Coldkey)?.as_ref().map(key_json);
    let mut hotkeys = Vec::new();
    for name in w.hotkey_names()? {
        if let Some(info) = w.key_info(&KeyTarget::Hotkey(name.clone()))? {
            let k = key_json(&info);
            hotkeys.push(HotkeyJson {
                name,
                ss58: k.ss58,
                format: k.format,
                encrypted: k.encrypted,
            });
        }
    }
    Ok(WalletJson {
        name: w.name().to_owned(),
        path: w.dir().display().to_string(),
        coldkey,
        hotkeys,
        unlocked: None,
    })
}

fn render_wallet(w: &Wallet) -> Result<String> {
    let mut table = Table::new(["key", "name", "ss58 address", "format"]);
    let mut problems = Vec::new();
    let mut add = |kind: &str, info: &KeyInfo, table: &mut Table| {
        let format = if info.encrypted() {
            format!("{} (encrypted)", info.format)
        } else {
            info.format.to_string()
        };
        table.row([
            kind.to_owned(),
            info.name.clone(),
            info.ss58.clone().unwrap_or_else(|| "?".to_owned()),
            format,
        ]);
        if let Some(p) = &info.problem {
            problems.push(p.clone());
        }
    };
    match w.key_info(&KeyTarget::Coldkey)? {
        Some(info) => add("coldkey", &info, &mut table),
        None => table.row(["coldkey", "-", "(none)", "-"]),
    }
    for name in w.hotkey_names()? {
        if let Some(info) = w.key_info(&KeyTarget::Hotkey(name))? {
            add("hotkey", &info, &mut table);
        }
    }
    let mut text = format!("Wallet {} ({})\n", w.name(), w.dir().display());
    text.push_str(&table.render());
    for p in problems {
        text.push_str(&format!("note: {p}\n"));
    }
    Ok(text)
}

fn list(root: &WalletRoot, json: bool) -> Result<()> {
    let names = root.wallet_names()?;
    let wallets: Vec<Wallet> = names.iter().filter_map(|n| root.wallet(n).ok()).collect();
    if json {
        let list: Result<Vec<WalletJson>> = wallets.iter().map(wallet_json).collect();
        return print_json(&serde_json::json!({
            "wallet_path": root.path().display().to_string(),
            "wallets": list?,
        }));
    }
    if wallets.is_empty() {
        return print_text(&format!(
            "No wallets under {}. Create one with `taotui wallet create --wallet-name NAME`.",
            root.path().display()
        ));
    }
    let mut table = Table::new(["wallet", "coldkey", "format", "hotkeys"]);
    for w in &wallets {
        let json = wallet_json(w)?;
        let (ss58, format) = match &json.coldkey {
            Some(c) => (
                c.ss58.clone().unwrap_or_else(|| "?".to_owned()),
                c.format.to_owned(),
            ),
            None => ("(no coldkey)".to_owned(), "-".to_owned()),
        };
        let hotkeys: Vec<&str> = json.hotkeys.iter().map(|h| h.name.as_str()).collect();
        table.row([json.name.clone(), ss58, format, hotkeys.join(", ")]);
    }
    print_text(&format!(
        "Wallets under {}\n{}",
        root.path().display(),
        table.render()
    ))
}

fn show(w: &Wallet, unlock: bool, prompter: &Prompter, json: bool) -> Result<()> {
    if !w.exists() {
        bail!("no wallet named {} at {}", w.name(), w.dir().display());
    }
    let mut data = wallet_json(w)?;
    if unlock {
        require_key(w, &KeyTarget::Coldkey)?;
        let needs_password = w
            .key_format(&KeyTarget::Coldkey)?
            .is_some_and(KeyFormat::is_encrypted);
        let password = if needs_password {
            Some(prompter.password(&format!("the coldkey of wallet {}", w.name()))?)
        } else {
            None
        };
        let keypair = w
            .unlock(&KeyTarget::Coldkey, password.as_ref())
            .context("could not unlock the coldkey")?;
        data.unlocked = Some(true);
        if !json {
            print_text(&format!(
                "Coldkey unlocked: the password is right and the key matches its address {}.",
                keypair.ss58()
            ))?;
        }
    }
    if json {
        print_json(&data)
    } else {
        print_text(&render_wallet(w)?)
    }
}

/// Shows a fresh mnemonic and has the user re-type some of its words.
fn show_and_confirm_mnemonic(m: &Mnemonic, what: &str, prompter: &Prompter) -> Result<()> {
    let mut grid = String::new();
    for i in 0..m.word_count() {
        let word = m.word(i).unwrap_or("?");
        grid.push_str(&format!("{:>4}. {:<10}", i + 1, word));
        if (i + 1) % 4 == 0 {
            grid.push('\n');
        }
    }
    prompter.say(&format!(
        "\nYour {what} mnemonic ({} words):\n\n{grid}\n\
         WARNING: anyone who sees these words controls the {what}, and without them a lost\n\
         wallet cannot be recovered. Write them down on paper, in order, and keep them offline.\n\
         They are shown only this once.\n",
        m.word_count()
    ));
    if std::io::stderr().is_terminal() {
        // Clearing the words (and the scrollback) before the check makes the user rely on the
        // paper copy, which is the point of the check.
        prompter
            .line("Press Enter once the words are written down; the screen will be cleared. ")?;
        prompter.clear_screen();
    }
    let mut rng = rand::rngs::OsRng;
    let mut positions = sample(&mut rng, m.word_count(), WORDS_TO_CONFIRM).into_vec();
    positions.sort_unstable();
    prompter.say("To check your copy, type the words asked for.");
    for pos in positions {
        let expected = m.word(pos).unwrap_or_default();
        let mut attempts = 0;
        loop {
            let typed = prompter.line(&format!("Word #{}: ", pos + 1))?;
            if typed.expose_secret().trim().eq_ignore_ascii_case(expected) {
                break;
            }
            attempts += 1;
            if attempts >= ATTEMPTS_PER_WORD {
                bail!(
                    "word #{} was not typed correctly {ATTEMPTS_PER_WORD} times; nothing was written, start again",
                    pos + 1
                );
            }
            prompter.say("That is not the word at that position; look again.");
        }
    }
    prompter.say("Backup confirmed.");
    Ok(())
}

fn word_count(words: usize) -> Result<WordCount> {
    WordCount::try_from(words).map_err(|e| anyhow!("{e}"))
}

fn create(
    w: &Wallet,
    hotkey: Option<&str>,
    words: usize,
    format: FormatArg,
    allow_weak: bool,
    prompter: &Prompter,
    global: &GlobalArgs,
) -> Result<()> {
    if w.key_path(&KeyTarget::Coldkey).exists() || w.pub_path(&KeyTarget::Coldkey).exists() {
        bail!(
            "wallet {} already has a coldkey at {}; choose another name (or use regen-coldkey --overwrite to replace it)",
            w.name(),
            w.coldkey_path().display()
        );
    }
    if let Some(h) = hotkey {
        taotui_keystore::wallet::validate_name("hotkey", h)?;
        if w.key_path(&KeyTarget::Hotkey(h.to_owned())).exists() {
            bail!("wallet {} already has a hotkey named {h}", w.name());
        }
    }
    let mnemonic = Mnemonic::generate(word_count(words)?);
    show_and_confirm_mnemonic(&mnemonic, "coldkey", prompter)?;
    let password = prompter.new_password(
        new_password_file(global),
        "the coldkey",
        &[w.name()],
        allow_weak,
    )?;
    let coldkey = Keypair::from_mnemonic(&mnemonic, None, CryptoType::Sr25519);
    let mut report = w.write_key(
        &KeyTarget::Coldkey,
        &coldkey,
        Some((&password, write_format(format))),
        WriteMode::CreateNew,
    )?;
    if let Some(h) = hotkey {
        let hk_mnemonic = Mnemonic::generate(word_count(words)?);
        show_hotkey_mnemonic(&hk_mnemonic, h, prompter);
        let hk = Keypair::from_mnemonic(&hk_mnemonic, None, CryptoType::Sr25519);
        let r = w.write_key(
            &KeyTarget::Hotkey(h.to_owned()),
            &hk,
            None,
            WriteMode::CreateNew,
        )?;
        report.written.extend(r.written);
    }
    finish(w, &report, "Wallet created", global)
}

/// Hotkeys hold no funds and btcli stores them unencrypted, so their phrase is shown without
/// the re-typing ritual; it is still the only way to restore the hotkey.
fn show_hotkey_mnemonic(m: &Mnemonic, name: &str, prompter: &Prompter) {
    prompter.say(&format!(
        "\nHotkey {name} mnemonic (keep it to restore the hotkey; it controls no funds):\n{}\n",
        m.phrase()
    ));
}

fn new_hotkey(
    w: &Wallet,
    name: &str,
    words: usize,
    encrypt: Option<FormatArg>,
    allow_weak: bool,
    prompter: &Prompter,
    global: &GlobalArgs,
) -> Result<()> {
    let target = KeyTarget::Hotkey(name.to_owned());
    taotui_keystore::wallet::validate_name("hotkey", name)?;
    if w.key_path(&target).exists() || w.pub_path(&target).exists() {
        bail!(
            "wallet {} already has a hotkey named {name}; use regen-hotkey --overwrite to replace it",
            w.name()
        );
    }
    let mnemonic = Mnemonic::generate(word_count(words)?);
    let password = match encrypt {
        Some(_) => Some(prompter.new_password(
            new_password_file(global),
            "the hotkey",
            &[w.name(), name],
            allow_weak,
        )?),
        None => None,
    };
    show_hotkey_mnemonic(&mnemonic, name, prompter);
    let keypair = Keypair::from_mnemonic(&mnemonic, None, CryptoType::Sr25519);
    let enc = match (&password, encrypt) {
        (Some(p), Some(f)) => Some((p, write_format(f))),
        _ => None,
    };
    let report = w.write_key(&target, &keypair, enc, WriteMode::CreateNew)?;
    finish(w, &report, "Hotkey created", global)
}
