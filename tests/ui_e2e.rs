//! Drives the real `taotui` binary in a real terminal (tmux) against the local Subtensor runtime, as a new user
//! would: create a wallet with the wizard, receive TAO, stake to a validator of the seeded world, see the
//! position, unstake it, see the balance back and both transactions in the history. Every figure is read from
//! the screen and checked against the chain.
//! Skipped (with the reason printed) where tmux or the local chain is not available; fails under CI=true.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(unused_imports)] // the shared support re-exports a macro this test does not use
mod common;

use std::time::{Duration, Instant};

use common::chain_reads;
use common::tmux::Tmux;
use common::world::{self, Shared, TAO, shared_or_skip};
use secrecy::SecretString;
use taotui::amount::{AlphaRao, Rao};
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::mnemonic::Mnemonic;

const PASSWORD: &str = "violet tractor ninety lantern";
const WALLET: &str = "first";
/// What //Alice sends the new wallet.
const FUNDING: u64 = 100 * TAO;
/// What the user stakes, typed into the form as "2" (small against the dev pools, so the price moves less
/// than the default 0.5% tolerance).
const STAKE_TAO: &str = "2";
const STAKE: u64 = 2 * TAO;
/// The app's default slippage tolerance (0.5%), the bound a limit stake may deviate from its preview.
const TOLERANCE_BPS: u64 = 50;

/// The text after `label` (followed by two spaces or more, as field labels are padded) on the first line
/// holding it, up to the dialog border.
fn field(screen: &str, label: &str) -> Option<String> {
    let padded = format!("{label}  ");
    screen.lines().find_map(|line| {
        let rest = &line[line.find(&padded)? + padded.len()..];
        let value = rest.split('│').next().unwrap_or_default().trim();
        Some(value.to_owned())
    })
}

fn field_or_panic(screen: &str, label: &str) -> String {
    field(screen, label).unwrap_or_else(|| panic!("no `{label}` on the screen:\n{screen}"))
}

/// The first amount in `text` ("1,234.5678 τ", "9.123456 α") in units of 10^-9, and how many decimals it shows.
fn shown(text: &str) -> (u64, u32) {
    let token = text
        .split_whitespace()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no amount in {text:?}"));
    let token: String = token
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let (whole, frac) = token.split_once('.').unwrap_or((&token, ""));
    assert!(frac.len() <= 9, "more than 9 decimals in {text:?}");
    let decimals = u32::try_from(frac.len()).unwrap();
    let frac = format!("{frac:0<9}");
    (
        whole.parse::<u64>().unwrap() * TAO + frac.parse::<u64>().unwrap(),
        decimals,
    )
}

fn amount(text: &str) -> u64 {
    shown(text).0
}

/// Whether `text` shows `value` (in 10^-9 units) at its precision, rounded down or to nearest.
fn shows(text: &str, value: u64) -> bool {
    let (v, decimals) = shown(text);
    let unit = 10u64.pow(9 - decimals);
    v == value / unit * unit || v == (value + unit / 2) / unit * unit
}

/// The cells of the first table row below the header holding `headers` that contains `needle`, cut at the
/// header's columns.
fn row_cells(screen: &str, headers: &[&str], needle: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let text = |l: &Vec<char>| l.iter().collect::<String>();
    let h = lines
        .iter()
        .position(|l| headers.iter().all(|w| text(l).contains(w)))
        .unwrap_or_else(|| panic!("no header {headers:?}:\n{screen}"));
    let header = &lines[h];
    // Columns start where a header word follows two or more spaces (or the first header word).
    let first = header
        .windows(headers[0].len())
        .position(|w| w.iter().copied().eq(headers[0].chars()))
        .unwrap();
    let mut starts = vec![first];
    let mut gap = 0;
    for (i, c) in header.iter().enumerate().skip(first) {
        if *c == ' ' {
            gap += 1;
        } else {
            if gap >= 2 {
                starts.push(i);
            }
            gap = 0;
        }
    }
    let row = lines[h + 1..]
        .iter()
        .find(|l| text(l).contains(needle))
        .unwrap_or_else(|| panic!("no row with `{needle}`:\n{screen}"));
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = starts
                .get(k + 1)
                .copied()
                .unwrap_or(row.len())
                .min(row.len());
            let cell: String = row.get(s.min(e)..e).unwrap_or_default().iter().collect();
            cell.trim().trim_end_matches('│').trim().to_owned()
        })
        .collect()
}

/// The words of the mnemonic the wizard shows ("  1. word        2. word ...").
fn mnemonic_on_screen(screen: &str) -> Vec<String> {
    let tokens: Vec<&str> = screen.split_whitespace().collect();
    let mut words: Vec<(usize, String)> = Vec::new();
    for pair in tokens.windows(2) {
        if let Some(n) = pair[0]
            .strip_suffix('.')
            .and_then(|n| n.parse::<usize>().ok())
            && pair[1].chars().all(|c| c.is_ascii_lowercase())
        {
            words.push((n, pair[1].to_owned()));
        }
    }
    words.sort();
    assert!(
        words.iter().enumerate().all(|(i, (n, _))| *n == i + 1),
        "the mnemonic words are not numbered 1..n: {words:?}"
    );
    words.into_iter().map(|(_, w)| w).collect()
}

/// The position the confirm step asks for ("Word #7").
fn asked_word(screen: &str) -> Option<usize> {
    let rest = &screen[screen.find("Word #")? + "Word #".len()..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// The coldkey's free balance and its alpha with `hotkey` on `netuid`, read through the write side's chain view.
fn chain_free_and_alpha(
    s: &Shared,
    coldkey: [u8; 32],
    hotkey: [u8; 32],
    netuid: u16,
) -> (u64, u64) {
    s.block_on(async {
        let (api, _) = chain_reads::connect(s.ws_url()).await;
        let free = chain_reads::free_at(&api, None, coldkey).await;
        let client = chain_reads::taotui_client(s.ws_url()).await;
        let alpha = chain_reads::alpha_of(&client, coldkey, hotkey, netuid).await;
        (free, alpha)
    })
}

/// Presses `r` until the portfolio's free balance is `want` (the app re-reads the chain on r).
fn wait_for_free(tmux: &Tmux, want: u64, timeout: Duration) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux.screen();
        if field(&screen, "Free").is_some_and(|f| amount(&f) == want) {
            return screen;
        }
        if start.elapsed() > timeout {
            panic!(
                "the free balance did not become {} within {timeout:?}; the screen:\n{screen}",
                Rao(want)
            );
        }
        tmux.keys(&["r"]);
        std::thread::sleep(Duration::from_millis(700));
    }
}

/// The confirm step with the chain's preview; fails at once when the chain refused the trade.
fn wait_for_confirm(tmux: &Tmux) -> String {
    const READY: &str = "This is exactly what will be signed";
    let screen = tmux.wait_until("the chain's preview", Duration::from_secs(60), |s| {
        s.contains(READY) || s.contains("Esc to change")
    });
    assert!(screen.contains(READY), "the chain refused:\n{screen}");
    screen
}

#[test]
fn create_fund_stake_unstake_from_the_terminal_app() {
    if !Tmux::available("create_fund_stake_unstake_from_the_terminal_app") {
        return;
    }
    let Some(shared) = shared_or_skip() else {
        return;
    };
    let started = Instant::now();
    let validator = shared.world.validator("bob-v1").clone();
    let netuid = validator.netuids[0];
    let validator_ss58 = taotui_keystore::ss58::encode(&validator.hotkey, 42);

    let dir = tempfile::tempdir().unwrap();
    let wallets = dir.path().join("wallets");
    let cmd = format!(
        "XDG_CONFIG_HOME={d}/config XDG_DATA_HOME={d}/data XDG_CACHE_HOME={d}/cache {bin} --wallet-path {w} --network {url}",
        d = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_taotui"),
        w = wallets.display(),
        url = shared.ws_url(),
    );
    let tmux = Tmux::start("e2e", 120, 40, &cmd);
    tmux.wait_for("No wallets yet", Duration::from_secs(10));

    // 1. Create a wallet with the wizard: name, 12 words, the phrase shown once, re-type the words asked for,
    //    password twice, native format, confirm.
    tmux.keys(&["n"]);
    tmux.wait_for("step 1 of 7", Duration::from_secs(5));
    tmux.text(WALLET);
    tmux.keys(&["Enter"]);
    tmux.wait_for("How many words", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    let shown = tmux.wait_for(
        "Enter when the words are written down",
        Duration::from_secs(10),
    );
    let words = mnemonic_on_screen(&shown);
    assert_eq!(words.len(), 12, "{shown}");
    let phrase = words.join(" ");
    Mnemonic::parse(&phrase)
        .unwrap_or_else(|e| panic!("the phrase shown is no valid BIP39 mnemonic: {e}"));
    let keypair =
        Keypair::from_suri(&SecretString::from(phrase.clone()), CryptoType::Sr25519).unwrap();
    let coldkey = keypair.public_key();
    let coldkey_ss58 = keypair.ss58();
    tmux.keys(&["Enter"]);
    tmux.wait_for("To check your paper copy", Duration::from_secs(5));
    let mut asked = Vec::new();
    loop {
        let screen = tmux.wait_until(
            "a word to re-type or the password step",
            Duration::from_secs(5),
            |s| {
                s.contains("Choose the password")
                    || asked_word(s).is_some_and(|n| !asked.contains(&n))
            },
        );
        if screen.contains("Choose the password") {
            break;
        }
        let n = asked_word(&screen).unwrap();
        assert!((1..=12).contains(&n), "asked for word #{n}");
        asked.push(n);
        tmux.text(&words[n - 1]);
        tmux.keys(&["Enter"]);
        assert!(
            asked.len() <= 12,
            "the wizard keeps asking for words: {asked:?}"
        );
    }
    assert!(!asked.is_empty(), "the wizard asked for no word");
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    tmux.wait_for("How should the key file be stored", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    let review = tmux.wait_for("Nothing has been written yet", Duration::from_secs(5));
    assert!(
        !wallets.join(WALLET).exists(),
        "the wallet was written before the review was confirmed:\n{review}"
    );
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for(&format!("Wallet {WALLET} created"), Duration::from_secs(60));
    assert!(
        done.contains(&coldkey_ss58),
        "the wizard created another coldkey than its phrase gives:\n{done}"
    );
    assert!(wallets.join(WALLET).join("coldkey").exists());
    tmux.keys(&["Enter"]);
    let listed = tmux.wait_for("Wallets (1)", Duration::from_secs(10));
    assert!(
        listed.contains(WALLET) && listed.contains("locked") && listed.contains(&coldkey_ss58),
        "the new wallet is not listed with its address:\n{listed}"
    );

    // The portfolio shows the new coldkey with nothing on it.
    tmux.keys(&["2"]);
    let portfolio = tmux.wait_until(
        "the empty portfolio of the new wallet",
        Duration::from_secs(60),
        |s| s.contains("connected (runtime") && field(s, "Free").is_some(),
    );
    assert_eq!(
        field_or_panic(&portfolio, "Coldkey"),
        coldkey_ss58,
        "{portfolio}"
    );
    assert_eq!(
        amount(&field_or_panic(&portfolio, "Free")),
        0,
        "{portfolio}"
    );

    // 2. Fund the new coldkey from //Alice, as another wallet would.
    shared.block_on(async {
        let (api, rpc) = chain_reads::connect(shared.ws_url()).await;
        world::fund_from_alice(&api, &rpc, coldkey, FUNDING).await;
        // Dividends are paid at epochs; keep them out of the next blocks (stake, unstake) so the position
        // changes only by what the user does.
        chain_reads::skip_epochs(&api, &rpc, &[netuid], 4).await;
    });
    let funded = wait_for_free(&tmux, FUNDING, Duration::from_secs(60));
    assert_eq!(
        chain_free_and_alpha(shared, coldkey, validator.hotkey, netuid).0,
        FUNDING
    );
    assert!(funded.contains("No stake yet"), "{funded}");

    // 3. Stake 2 TAO to bob-v1 on its first subnet: find the subnet with ] and the validator by filter.
    tmux.keys(&["3"]);
    tmux.wait_for("Nominators", Duration::from_secs(60));
    let subnet_head = format!("Subnet {netuid} ");
    for _ in 0..8 {
        if tmux.screen().contains(&subnet_head) {
            break;
        }
        tmux.keys(&["]"]);
        std::thread::sleep(Duration::from_millis(200));
    }
    tmux.wait_until(
        &format!("validators of subnet {netuid}"),
        Duration::from_secs(60),
        |s| s.contains(&subnet_head) && s.contains("Nominators"),
    );
    tmux.keys(&["/"]);
    tmux.text(&validator_ss58);
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 validators", Duration::from_secs(10));
    tmux.keys(&["Enter"]);
    let form = tmux.wait_for("Amount (TAO)", Duration::from_secs(5));
    let short = format!(
        "{}…{}",
        &validator_ss58[..6],
        &validator_ss58[validator_ss58.len() - 4..]
    );
    let shown_validator = field_or_panic(&form, "Validator");
    assert!(shown_validator.contains(&short), "{form}");
    if let Some(name) = &validator.identity {
        assert!(shown_validator.contains(name.as_str()), "{form}");
    }
    assert!(
        field_or_panic(&form, "Subnet").starts_with(&format!("{netuid} ")),
        "{form}"
    );
    assert!(
        shows(&field_or_panic(&form, "Available"), FUNDING),
        "{form}"
    );
    tmux.text(STAKE_TAO);
    let local = tmux.wait_for("You receive ≈", Duration::from_secs(5));
    let local_receive = amount(&field_or_panic(&local, "You receive ≈"));
    tmux.keys(&["Enter"]);
    let confirm = wait_for_confirm(&tmux);
    assert!(confirm.contains("add_stake"), "{confirm}");
    let fee = amount(&field_or_panic(&confirm, "Fee"));
    let pay = amount(&field_or_panic(&confirm, "You pay"));
    let preview_alpha = amount(&field_or_panic(&confirm, "You receive ≈"));
    assert_eq!(pay, STAKE, "{confirm}");
    // The form's own estimate (from the pool read with the validators) and the chain's agree.
    assert!(
        local_receive.abs_diff(preview_alpha) <= preview_alpha * TOLERANCE_BPS / 10_000,
        "form estimate {local_receive} vs chain preview {preview_alpha}:\n{confirm}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Coldkey password", Duration::from_secs(5));
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for("Enter or Esc close", Duration::from_secs(120));
    assert!(done.contains("Done: SubtensorModule.add_stake"), "{done}");
    tmux.keys(&["Escape"]);

    // 4. The position: bob-v1 on the subnet, with the alpha the preview announced (a limit order: within the
    //    tolerance), exactly what the chain holds; free balance down by the stake and the fee.
    tmux.keys(&["2"]);
    let staked = tmux.wait_until("the new position", Duration::from_secs(60), |s| {
        s.contains("Positions (1)") || s.contains("could not decode")
    });
    // A coldkey with exactly one position is the first thing a new user has.
    assert!(
        !staked.contains("could not decode"),
        "the portfolio of a coldkey with one position cannot be read:\n{staked}"
    );
    let (chain_free, chain_alpha) = chain_free_and_alpha(shared, coldkey, validator.hotkey, netuid);
    let needle = validator
        .identity
        .clone()
        .unwrap_or_else(|| short[..6].to_owned());
    let cells = row_cells(&staked, &["Validator", "Subnet", "Alpha"], &needle);
    let name_cell = &cells[0];
    assert!(
        validator
            .identity
            .as_ref()
            .map_or(name_cell.starts_with(&short[..6]), |n| name_cell
                .starts_with(n.as_str())),
        "validator cell {name_cell:?}:\n{staked}"
    );
    assert!(
        cells[1].starts_with(&format!("{netuid} ")),
        "subnet cell {:?}:\n{staked}",
        cells[1]
    );
    assert!(
        shows(&cells[2], chain_alpha),
        "alpha on screen vs chain {chain_alpha}:\n{staked}"
    );
    assert!(
        chain_alpha.abs_diff(preview_alpha) <= preview_alpha * TOLERANCE_BPS / 10_000,
        "received {chain_alpha} alpha, the preview said {preview_alpha}"
    );
    assert!(
        shows(&field_or_panic(&staked, "Free"), chain_free),
        "free on screen vs chain {chain_free}:\n{staked}"
    );
    assert!(
        chain_free <= FUNDING - STAKE && FUNDING - STAKE - chain_free <= fee.max(TAO / 100) * 2,
        "free after staking {chain_free}, the fee preview was {fee}"
    );

    // 5. Unstake all of it (m: the maximum) and see the balance come back, less the fees.
    tmux.keys(&["u"]);
    let form = tmux.wait_for("Unstake", Duration::from_secs(5));
    assert!(
        shows(&field_or_panic(&form, "Available"), chain_alpha),
        "{form}"
    );
    tmux.keys(&["m"]);
    tmux.wait_for("You receive ≈", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    let confirm = wait_for_confirm(&tmux);
    assert!(confirm.contains("remove_stake"), "{confirm}");
    assert!(
        shows(&field_or_panic(&confirm, "You sell"), chain_alpha),
        "{confirm}"
    );
    let preview_tao = amount(&field_or_panic(&confirm, "You receive ≈"));
    let unstake_fee = amount(&field_or_panic(&confirm, "Fee"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("Coldkey password", Duration::from_secs(5));
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for("Enter or Esc close", Duration::from_secs(120));
    assert!(
        done.contains("Done: SubtensorModule.remove_stake"),
        "{done}"
    );
    tmux.keys(&["Escape"]);
    tmux.keys(&["2"]);
    let back = tmux.wait_for("No stake yet", Duration::from_secs(60));
    let (final_free, final_alpha) = chain_free_and_alpha(shared, coldkey, validator.hotkey, netuid);
    assert_eq!(final_alpha, 0, "alpha left after unstaking all");
    assert!(
        shows(&field_or_panic(&back, "Free"), final_free),
        "free on screen vs chain {final_free}:\n{back}"
    );
    let returned = final_free - chain_free;
    assert!(
        returned.abs_diff(preview_tao) <= preview_tao * TOLERANCE_BPS / 10_000 + unstake_fee,
        "got {returned} back, the preview said {preview_tao} (fee {unstake_fee})"
    );
    // Round trip: everything back except the fees and the pool's swap fees (well under 1% of the stake here).
    let lost = FUNDING - final_free;
    assert!(
        lost > 0 && lost <= STAKE / 100 + fee + unstake_fee,
        "the round trip cost {lost} rao of {STAKE} staked"
    );

    // 6. History: this machine's list at once, then the chain's history of the last 7 days (read on the first
    // visit) merged with it: both stakes on chain, marked as sent from here, newest first.
    tmux.keys(&["5"]);
    let history = tmux.wait_until(
        "both transactions in the chain's history",
        Duration::from_secs(120),
        |s| s.contains("stake_added") && s.contains("stake_removed"),
    );
    let add_at = history.find("stake_added").unwrap();
    let remove_at = history.find("stake_removed").unwrap();
    assert!(remove_at < add_at, "newest first:\n{history}");
    for kind in ["stake_added", "stake_removed"] {
        let line = history.lines().find(|l| l.contains(kind)).unwrap();
        assert!(
            line.contains("chain+local") && line.contains(" τ") && line.contains(" α"),
            "{kind} is on chain, sent from here, with its amounts:\n{history}"
        );
    }

    // 7. Wallets screen: grant a Staking proxy to the validator's coldkey (an address typed in), see the deposit
    // it reserves in the preview, sign, and find it listed on chain and in the pane.
    let delegate_ss58 = taotui_keystore::ss58::encode(&validator.coldkey, 42);
    tmux.keys(&["1"]);
    tmux.wait_for("Proxies", Duration::from_secs(10));
    tmux.wait_until("the proxies read", Duration::from_secs(60), |s| {
        s.contains("granted no proxies")
    });
    tmux.keys(&["a"]);
    tmux.wait_for("Grant a proxy", Duration::from_secs(5));
    tmux.text(&delegate_ss58);
    tmux.keys(&["Enter"]);
    let grant = tmux.wait_until("the grant's preview", Duration::from_secs(60), |s| {
        s.contains("This is what will be signed") || s.contains("The chain would refuse")
    });
    assert!(grant.contains("Proxy.add_proxy"), "{grant}");
    let deposit = field_or_panic(&grant, "Deposit");
    assert!(deposit.starts_with("reserves "), "{grant}");
    assert!(grant.contains("This is what will be signed"), "{grant}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Coldkey password", Duration::from_secs(5));
    tmux.text(PASSWORD);
    tmux.keys(&["Enter"]);
    let granted = tmux.wait_for("Enter or Esc close", Duration::from_secs(120));
    assert!(granted.contains("Proxy.add_proxy"), "{granted}");
    tmux.keys(&["Escape"]);
    let pane = tmux.wait_until("the new grant in the pane", Duration::from_secs(60), |s| {
        s.contains("Deposit held")
    });
    assert!(pane.contains("Staking"), "{pane}");
    let on_chain = shared.block_on(async {
        let client = chain_reads::taotui_client(shared.ws_url()).await;
        taotui::chain::proxy::grants(&client, coldkey)
            .await
            .unwrap()
    });
    assert_eq!(
        on_chain
            .grants
            .iter()
            .map(|g| (g.delegate, g.proxy_type.as_str(), g.delay))
            .collect::<Vec<_>>(),
        [(validator.coldkey, "Staking", 0)]
    );
    assert!(
        shows(
            &field_or_panic(&pane, "Deposit held"),
            on_chain.deposit.get()
        ),
        "the pane's deposit vs chain {}:\n{pane}",
        on_chain.deposit
    );

    tmux.keys(&["q"]);
    println!(
        "e2e: {:.1} s after the world was ready; staked {} -> {} (preview {}), got back {} (preview {}), round trip cost {}\nstaked:\n{staked}\nhistory:\n{history}",
        started.elapsed().as_secs_f64(),
        Rao(STAKE),
        AlphaRao(chain_alpha),
        AlphaRao(preview_alpha),
        Rao(returned),
        Rao(preview_tao),
        Rao(lost),
    );
}
