//! Staking through a proxy (pallet `Proxy`): the real coldkey grants a delegate key a proxy type once (reserving
//! a deposit), and from then on the delegate signs `Proxy.proxy(real, force_proxy_type, call)`, so the coldkey
//! can stay offline. The runtime's proxy filter decides which calls a type allows (`Staking` allows staking
//! calls and refuses transfers of TAO).
//!
//! Everything is read from the metadata: the proxy types (the runtime's `ProxyType` enum), the deposit
//! (`ProxyDepositBase` + `ProxyDepositFactor` per proxy) and the call shapes.

use scale_info::TypeDef;
use subxt::Metadata;
use subxt::dynamic::Value;
use subxt::ext::codec::Decode;
use subxt::ext::frame_decode::storage::encode_storage_key;
use subxt::ext::scale_value::Composite;
use subxt::transactions::DynamicPayload;

use crate::amount::Rao;
use crate::chain::client::ChainClient;
use crate::chain::error::ChainError;
use crate::chain::extrinsics::PlannedCall;
use crate::chain::tx;

pub const PALLET: &str = "Proxy";
/// What a nominator grants by default: staking calls only, never transfers.
pub const DEFAULT_PROXY_TYPE: &str = "Staking";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "This runtime has no Proxy pallet, so staking through a proxy is not possible on this chain."
    )]
    NoPallet,
    #[error("{input:?} is not a proxy type of this runtime; choose one of: {}.", .known.join(", "))]
    UnknownType { input: String, known: Vec<String> },
    #[error("Could not read {what} from this runtime: {detail}. Update taotui.")]
    Metadata { what: &'static str, detail: String },
}

/// The proxy types this runtime knows, by variant index.
pub fn proxy_types(md: &Metadata) -> Result<Vec<(u8, String)>, ProxyError> {
    let pallet = md.pallet_by_name(PALLET).ok_or(ProxyError::NoPallet)?;
    let field = pallet
        .call_variant_by_name("add_proxy")
        .and_then(|v| {
            v.fields
                .iter()
                .find(|f| f.name.as_deref() == Some("proxy_type"))
        })
        .ok_or(ProxyError::Metadata {
            what: "Proxy.add_proxy",
            detail: "no proxy_type argument".into(),
        })?;
    match md.types().resolve(field.ty.id).map(|t| &t.type_def) {
        Some(TypeDef::Variant(v)) => Ok(v
            .variants
            .iter()
            .map(|x| (x.index, x.name.clone()))
            .collect()),
        _ => Err(ProxyError::Metadata {
            what: "the ProxyType enum",
            detail: "not an enum".into(),
        }),
    }
}

/// The runtime's spelling of a proxy type typed by the user (any case: `staking`, `NonTransfer`).
pub fn parse_proxy_type(md: &Metadata, input: &str) -> Result<String, ProxyError> {
    let types = proxy_types(md)?;
    types
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(input.trim()))
        .map(|(_, name)| name.clone())
        .ok_or_else(|| ProxyError::UnknownType {
            input: input.to_owned(),
            known: types.into_iter().map(|(_, n)| n).collect(),
        })
}

/// What proxies reserve: `base + factor × proxies` of the real account's free balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositTerms {
    pub base: Rao,
    pub factor: Rao,
}

impl DepositTerms {
    pub fn from_metadata(md: &Metadata) -> Result<Self, ProxyError> {
        let pallet = md.pallet_by_name(PALLET).ok_or(ProxyError::NoPallet)?;
        let constant = |name: &'static str| {
            pallet
                .constant_by_name(name)
                .and_then(|c| u64::decode(&mut c.value()).ok())
                .map(Rao)
                .ok_or(ProxyError::Metadata {
                    what: name,
                    detail: "missing or not a u64 balance".into(),
                })
        };
        Ok(DepositTerms {
            base: constant("ProxyDepositBase")?,
            factor: constant("ProxyDepositFactor")?,
        })
    }

    /// The deposit held while the account has `count` proxies (nothing for none).
    pub fn for_count(&self, count: u64) -> Rao {
        if count == 0 {
            return Rao::ZERO;
        }
        self.factor
            .checked_mul(count)
            .and_then(|f| f.checked_add(self.base))
            .unwrap_or(Rao(u64::MAX))
    }
}

fn address(account: [u8; 32]) -> Value {
    Value::unnamed_variant("Id", [tx::account_arg(account)])
}

fn proxy_type_arg(name: &str) -> Value {
    Value::unnamed_variant(name, [])
}

/// `Proxy.add_proxy(delegate, proxy_type, delay = 0)`, signed by the real account.
pub fn add_proxy(delegate: [u8; 32], proxy_type: &str) -> DynamicPayload<Composite<()>> {
    grant_call("add_proxy", delegate, proxy_type, 0)
}

/// `Proxy.remove_proxy(delegate, proxy_type, delay = 0)`, signed by the real account.
pub fn remove_proxy(delegate: [u8; 32], proxy_type: &str) -> DynamicPayload<Composite<()>> {
    grant_call("remove_proxy", delegate, proxy_type, 0)
}

/// `Proxy.add_proxy` / `Proxy.remove_proxy` (`name`) with an announcement `delay` in blocks: a grant with a delay
/// must be removed with the same delay, and its delegate must announce each call that many blocks ahead.
pub fn grant_call(
    name: &str,
    delegate: [u8; 32],
    proxy_type: &str,
    delay: u32,
) -> DynamicPayload<Composite<()>> {
    subxt::dynamic::tx(
        PALLET,
        name,
        Composite::named([
            ("delegate".to_owned(), address(delegate)),
            ("proxy_type".to_owned(), proxy_type_arg(proxy_type)),
            ("delay".to_owned(), Value::u128(u128::from(delay))),
        ]),
    )
}

/// Wraps `call` so that the delegate signing it acts for `real`: `Proxy.proxy(real, force_proxy_type, call)`.
/// `proxy_type` pins the grant the runtime uses (`None` lets it pick any grant that allows the call).
pub fn wrap(
    call: DynamicPayload<Composite<()>>,
    real: [u8; 32],
    proxy_type: Option<&str>,
) -> DynamicPayload<Composite<()>> {
    let force = match proxy_type {
        Some(t) => Value::unnamed_variant("Some", [proxy_type_arg(t)]),
        None => Value::unnamed_variant("None", []),
    };
    subxt::dynamic::tx(
        PALLET,
        "proxy",
        Composite::named([
            ("real".to_owned(), address(real)),
            ("force_proxy_type".to_owned(), force),
            ("call".to_owned(), call.into_value()),
        ]),
    )
}

/// One grant held by a real account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    #[serde(serialize_with = "ser_ss58")]
    pub delegate: [u8; 32],
    pub proxy_type: String,
    pub delay: u32,
}

fn ser_ss58<S: serde::Serializer>(a: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&taotui_keystore::ss58::encode(a, 42))
}

/// The real account's grants and the deposit they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    pub grants: Vec<Grant>,
    pub deposit: Rao,
}

/// Raw key of `Proxy.Proxies(real)`, hashed as the metadata says.
pub fn proxies_storage_key(md: &Metadata, real: [u8; 32]) -> Result<Vec<u8>, ChainError> {
    encode_storage_key(PALLET, "Proxies", (real,), md, md.types()).map_err(|e| ChainError::Decode {
        what: "a key of Proxy.Proxies".into(),
        detail: e.to_string(),
    })
}

/// Decodes a `Proxies` value: `(BoundedVec<ProxyDefinition { delegate, proxy_type, delay }>, Balance)`.
pub fn decode_grants(md: &Metadata, raw: &[u8]) -> Result<Grants, ChainError> {
    let types = proxy_types(md).map_err(|e| ChainError::Decode {
        what: "Proxy.Proxies".into(),
        detail: e.to_string(),
    })?;
    let (defs, deposit) =
        <(Vec<([u8; 32], u8, u32)>, u64)>::decode(&mut &raw[..]).map_err(|e| {
            ChainError::Decode {
                what: "Proxy.Proxies".into(),
                detail: e.to_string(),
            }
        })?;
    let grants = defs
        .into_iter()
        .map(|(delegate, index, delay)| Grant {
            delegate,
            proxy_type: types
                .iter()
                .find(|(i, _)| *i == index)
                .map_or_else(|| format!("#{index}"), |(_, n)| n.clone()),
            delay,
        })
        .collect();
    Ok(Grants {
        grants,
        deposit: Rao(deposit),
    })
}

/// The grants `real` has made. One request.
pub async fn grants(client: &ChainClient, real: [u8; 32]) -> Result<Grants, ChainError> {
    let md = client.metadata();
    let key = proxies_storage_key(&md, real)?;
    match client.storage_raw(&key, None).await? {
        None => Ok(Grants {
            grants: Vec::new(),
            deposit: Rao::ZERO,
        }),
        Some(raw) => decode_grants(&md, &raw),
    }
}

/// Subtensor's `Staking` proxy filter: the stake-trading calls of the coldkey's own stake (not `transfer_stake`,
/// which gives stake away).
const STAKING_CALLS: [&str; 10] = [
    "add_stake",
    "add_stake_limit",
    "remove_stake",
    "remove_stake_limit",
    "remove_stake_full_limit",
    "move_stake",
    "swap_stake",
    "swap_stake_limit",
    "unstake_all",
    "unstake_all_alpha",
];

/// Whether a grant of `proxy_type` lets its delegate make `call`, as far as taotui knows the runtime's filter
/// (`Any` everything; `NonTransfer` all but moving TAO or stake to someone else; `Staking` the staking calls;
/// `Transfer` TAO transfers). A type taotui does not know allows nothing here: the check is before signing, so
/// it errs on the side of not paying a fee for a call the runtime would refuse.
pub fn type_allows(proxy_type: &str, call: &PlannedCall) -> bool {
    if !call.legs.is_empty() {
        // A batch runs each leg under the same filter, and the filter must also let the batch itself through.
        return matches!(proxy_type, "Any" | "NonTransfer")
            && call.legs.iter().all(|leg| type_allows(proxy_type, leg));
    }
    let moves_value_away = call.pallet == "Balances"
        || (call.pallet == "SubtensorModule" && call.name == "transfer_stake");
    match proxy_type {
        "Any" => true,
        "NonTransfer" => !moves_value_away,
        "Staking" => call.pallet == "SubtensorModule" && STAKING_CALLS.contains(&call.name),
        "Transfer" => call.pallet == "Balances",
        _ => false,
    }
}

/// The grant `delegate` acts under for `call`: the narrowest of `real`'s grants to it that allows the call
/// (`Staking` before `NonTransfer` before `Any`). The error is the sentence refusing it.
pub fn choose_grant(
    grants: &Grants,
    real: [u8; 32],
    delegate: [u8; 32],
    call: &PlannedCall,
) -> Result<String, String> {
    let real_ss58 = taotui_keystore::ss58::encode(&real, 42);
    let delegate_ss58 = taotui_keystore::ss58::encode(&delegate, 42);
    let held: Vec<&Grant> = grants
        .grants
        .iter()
        .filter(|g| g.delegate == delegate && g.delay == 0)
        .collect();
    if held.is_empty() {
        return Err(format!(
            "{delegate_ss58} is not a proxy for {real_ss58}; grant one with `taotui proxy add {delegate_ss58} -w \
             <the wallet of {real_ss58}>` (signed by that coldkey)."
        ));
    }
    let rank = |t: &str| match t {
        "Staking" | "Transfer" => 0,
        "NonTransfer" => 1,
        "Any" => 2,
        _ => 3,
    };
    let mut allowing: Vec<&&Grant> = held
        .iter()
        .filter(|g| type_allows(&g.proxy_type, call))
        .collect();
    allowing.sort_by_key(|g| rank(&g.proxy_type));
    match allowing.first() {
        Some(g) => Ok(g.proxy_type.clone()),
        None => Err(format!(
            "{delegate_ss58} holds a {} proxy for {real_ss58}, which does not allow {}; grant a type that does \
             (e.g. `taotui proxy add {delegate_ss58} --type Any`) or sign with the real coldkey.",
            held.iter()
                .map(|g| g.proxy_type.as_str())
                .collect::<Vec<_>>()
                .join(" and a "),
            call_name(call),
        )),
    }
}

fn call_name(call: &PlannedCall) -> String {
    if call.legs.is_empty() {
        call.path()
    } else {
        format!(
            "Utility.batch_all of {}",
            call.legs
                .iter()
                .map(PlannedCall::path)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The sentence for a proxied call the runtime refused, naming the proxy type when its filter was the reason.
pub fn failure_sentence(error: &tx::ChainError, proxy_type: &str) -> String {
    if error.pallet == "System" && error.variant == "CallFiltered" {
        format!(
            "The {proxy_type} proxy is not allowed to make this call (the runtime's proxy filter refused it, and \
             nothing but the delegate's fee was spent); sign it with the real coldkey, or grant a proxy type \
             that allows it."
        )
    } else {
        error.sentence.clone()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_deposit_is_base_plus_factor_per_proxy_and_nothing_for_none() {
        let t = DepositTerms {
            base: Rao(60_000_000),
            factor: Rao(33_000_000),
        };
        assert_eq!(t.for_count(0), Rao::ZERO);
        assert_eq!(t.for_count(1), Rao(93_000_000));
        assert_eq!(t.for_count(3), Rao(159_000_000));
        assert_eq!(t.for_count(u64::MAX), Rao(u64::MAX));
    }

    fn leg(pallet: &'static str, name: &'static str) -> PlannedCall {
        PlannedCall {
            pallet,
            name,
            args: Vec::new(),
            proxy: None,
            legs: Vec::new(),
        }
    }

    #[test]
    fn the_narrowest_grant_that_allows_the_call_is_chosen_and_a_missing_one_is_a_sentence() {
        let (real, delegate) = ([1; 32], [2; 32]);
        let grant = |t: &str| Grant {
            delegate,
            proxy_type: t.into(),
            delay: 0,
        };
        let stake = leg("SubtensorModule", "add_stake_limit");
        let transfer = leg("Balances", "transfer_keep_alive");
        let both = Grants {
            grants: vec![grant("Any"), grant("Staking")],
            deposit: Rao::ZERO,
        };
        assert_eq!(
            choose_grant(&both, real, delegate, &stake).unwrap(),
            "Staking"
        );
        assert_eq!(
            choose_grant(&both, real, delegate, &transfer).unwrap(),
            "Any"
        );
        let staking = Grants {
            grants: vec![grant("Staking")],
            deposit: Rao::ZERO,
        };
        let refused = choose_grant(&staking, real, delegate, &transfer).unwrap_err();
        assert!(refused.contains("holds a Staking proxy"), "{refused}");
        assert!(
            refused.contains("does not allow Balances.transfer_keep_alive"),
            "{refused}"
        );
        assert!(
            choose_grant(
                &staking,
                real,
                delegate,
                &leg("SubtensorModule", "transfer_stake")
            )
            .is_err()
        );
        let none = Grants {
            grants: vec![],
            deposit: Rao::ZERO,
        };
        let refused = choose_grant(&none, real, delegate, &stake).unwrap_err();
        assert!(refused.contains("is not a proxy for"), "{refused}");
        assert!(refused.contains("taotui proxy add"), "{refused}");
        // A batch needs a type that lets Utility through as well as every leg.
        let batch =
            PlannedCall::batch_all(vec![stake.clone(), leg("SubtensorModule", "remove_stake")]);
        assert!(!type_allows("Staking", &batch));
        assert!(type_allows("NonTransfer", &batch));
        assert!(!type_allows(
            "NonTransfer",
            &PlannedCall::batch_all(vec![stake, transfer])
        ));
    }

    #[test]
    fn a_filtered_call_is_explained_with_the_proxy_type() {
        let filtered = tx::ChainError {
            pallet: "System".into(),
            variant: "CallFiltered".into(),
            sentence: "The origin filter prevent the call to be dispatched.".into(),
        };
        let s = failure_sentence(&filtered, "Staking");
        assert!(s.starts_with("The Staking proxy is not allowed"), "{s}");
        let other = tx::ChainError {
            pallet: "SubtensorModule".into(),
            variant: "NotEnoughBalanceToStake".into(),
            sentence: "Not enough free TAO.".into(),
        };
        assert_eq!(failure_sentence(&other, "Staking"), "Not enough free TAO.");
    }
}
