//! Snapshots of proxies on the Wallets screen at 80x24 and 120x40: the pane with grants, the grant dialog while
//! typing and its preview, the revoke picker and the proxy wallet setting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/proxy_fixtures.rs"]
mod proxy_fixtures;
#[path = "common/ui_fixtures.rs"]
mod ui_fixtures;

use crossterm::event::KeyCode;
use proxy_fixtures::*;
use taotui::action::KeyPress;
use taotui::model::{Model, update};
use ui_fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn scenes() -> Vec<(&'static str, Model)> {
    let mut scenes = Vec::new();

    // alice's two grants (one to an own wallet, one with a delay), her staking set to sign through btcli-wallet.
    let mut m = on_wallets_with(alice_grants());
    m.prefs
        .wallet_proxies
        .insert("alice".to_owned(), "btcli-wallet".to_owned());
    scenes.push(("proxies_pane", m));

    // The setting names a wallet that holds no grant: the pane warns.
    let mut m = on_wallets_with(Vec::new());
    m.prefs
        .wallet_proxies
        .insert("alice".to_owned(), "btcli-wallet".to_owned());
    scenes.push(("proxies_pane_none_and_warning", m));

    let mut m = on_wallets_with(Vec::new());
    let effects = char_key(&mut m, 'r');
    let (id, coldkey) = proxies_read(&effects).unwrap();
    update(
        &mut m,
        taotui::action::Action::ProxiesLoaded {
            id,
            coldkey,
            result: Err("the node did not answer in 30 s.".to_owned()),
        },
    );
    scenes.push(("proxies_pane_error", m));

    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'a');
    type_text(&mut m, "watched");
    tab(&mut m);
    scenes.push(("proxies_add_edit", m));

    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'a');
    type_text(&mut m, "watched");
    let effects = enter(&mut m);
    answer_grant(&mut m, &effects, grant_preview(true, 2, Vec::new()));
    scenes.push(("proxies_add_preview", m));

    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'x');
    press(&mut m, KeyPress::plain(KeyCode::Down));
    let effects = enter(&mut m);
    answer_grant(&mut m, &effects, grant_preview(false, 2, Vec::new()));
    scenes.push(("proxies_remove_preview", m));

    let mut m = on_wallets_with(alice_grants());
    char_key(&mut m, 'x');
    scenes.push(("proxies_remove_pick", m));

    let mut m = on_wallets_with(Vec::new());
    char_key(&mut m, 'P');
    press(&mut m, KeyPress::plain(KeyCode::Down));
    scenes.push(("proxies_wallet_setting", m));

    scenes
}

#[test]
fn proxies_on_the_wallets_screen_at_both_sizes() {
    let theme = theme();
    for (name, m) in scenes() {
        for (w, h) in SIZES {
            let buf = render(&m, &theme, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buf));
        }
    }
}

#[test]
fn the_deposit_shown_is_exact_and_hidden_with_the_balances() {
    let theme = theme();
    let mut m = on_wallets_with(alice_grants());
    let shown = text(&render(&m, &theme, 120, 40));
    // 0.06 + 2 × 0.033 TAO, to the rao.
    assert!(shown.contains("0.126000000 TAO"), "{shown}");
    m.prefs.hide_balances = true;
    let _hide = taotui::privacy::hide_while(true);
    let hidden = text(&render(&m, &theme, 120, 40));
    assert!(!hidden.contains("0.126000000"), "{hidden}");
}

/// The pane's keys are on its heading, so a pane taller than a small terminal still shows them.
#[test]
fn the_panes_keys_show_at_both_sizes_with_grants_or_a_warning() {
    let theme = theme();
    for (name, m) in scenes()
        .into_iter()
        .filter(|(n, _)| n.starts_with("proxies_pane"))
    {
        for (w, h) in SIZES {
            let buf = render(&m, &theme, w, h);
            assert!(
                find(&buf, "a grant · x revoke · P proxy wallet").is_some(),
                "{name} at {w}x{h}:\n{}",
                text(&buf)
            );
        }
    }
}
