//! Proxies on the Wallets screen, for the update and snapshot tests: a loaded model on the Wallets screen with
//! alice's grants read, and the chain's answers to the grant dialog.
#![allow(dead_code)]

use taotui::action::{Action, Effect, ProxyList};
use taotui::amount::Rao;
use taotui::chain::proxy::Grant;
use taotui::chain::proxy_grant::GrantPreview;
use taotui::model::{Model, update};

use crate::ui_fixtures::*;

pub const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
/// Subtensor's terms: 0.06 TAO for the first grant and 0.033 TAO per grant.
pub const BASE: u64 = 60_000_000;
pub const FACTOR: u64 = 33_000_000;

pub fn key(ss58: &str) -> [u8; 32] {
    account(ss58).0
}

/// btcli-wallet's coldkey as a Staking proxy, and an unnamed address as Any with a delay.
pub fn alice_grants() -> Vec<Grant> {
    vec![
        Grant {
            delegate: key(CHARLIE),
            proxy_type: "Staking".to_owned(),
            delay: 0,
        },
        Grant {
            delegate: key(DAVE),
            proxy_type: "Any".to_owned(),
            delay: 10,
        },
    ]
}

pub fn proxy_list(grants: Vec<Grant>) -> ProxyList {
    let deposit = if grants.is_empty() {
        0
    } else {
        BASE + FACTOR * grants.len() as u64
    };
    ProxyList {
        grants,
        deposit,
        types: [
            "Any",
            "Owner",
            "NonCritical",
            "NonTransfer",
            "Senate",
            "NonFungibile",
            "Triumvirate",
            "Governance",
            "Staking",
            "Registration",
            "Transfer",
            "SmallTransfer",
            "RootWeights",
            "ChildKeys",
            "SudoUncheckedSetCode",
        ]
        .map(str::to_owned)
        .to_vec(),
        deposit_base: BASE,
        deposit_factor: FACTOR,
    }
}

/// The id of the proxies read among `effects`.
pub fn proxies_read(effects: &[Effect]) -> Option<(taotui::action::RequestId, String)> {
    effects.iter().find_map(|e| match e {
        Effect::FetchProxies { id, coldkey } => Some((*id, coldkey.clone())),
        _ => None,
    })
}

/// Answers the proxies read among `effects` with `grants`.
pub fn answer_proxies(m: &mut Model, effects: &[Effect], grants: Vec<Grant>) {
    let (id, coldkey) = proxies_read(effects).expect("a proxies read");
    update(
        m,
        Action::ProxiesLoaded {
            id,
            coldkey,
            result: Ok(proxy_list(grants)),
        },
    );
}

/// `loaded()` switched to the Wallets screen (alice selected) with `grants` read.
pub fn on_wallets_with(grants: Vec<Grant>) -> Model {
    let mut m = loaded_with(30, 5, 5);
    let effects = char_key(&mut m, '1');
    answer_proxies(&mut m, &effects, grants);
    m
}

/// The chain's preview of adding one more grant to `count` (or removing one of them).
pub fn grant_preview(add: bool, count: u64, refusals: Vec<String>) -> GrantPreview {
    let deposit = |n: u64| if n == 0 { 0 } else { BASE + FACTOR * n };
    let after = if add { count + 1 } else { count - 1 };
    GrantPreview {
        call: if add {
            "Proxy.add_proxy"
        } else {
            "Proxy.remove_proxy"
        }
        .to_owned(),
        fee: Rao(12_345),
        deposit_before: Rao(deposit(count)),
        deposit_after: Rao(deposit(after)),
        spendable: tao(10),
        existential_deposit: Rao(500),
        refusals,
    }
}

/// Answers the grant preview among `effects`.
pub fn answer_grant(m: &mut Model, effects: &[Effect], preview: GrantPreview) {
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::PreviewGrant { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a grant preview");
    update(
        m,
        Action::GrantPreviewed {
            id,
            result: Ok(preview),
        },
    );
}
