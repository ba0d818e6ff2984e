//! The call in words, made the same way from the online side's plan and from the bytes the offline side decodes,
//! so the two can be compared line by line: what differs is what the online side did not say.

use serde::{Deserialize, Serialize};
use subxt::ext::scale_value::{Composite, Primitive, Value, ValueDef};

use crate::amount::{AlphaRao, FormatOptions, Rao, Rounding};
use crate::chain::extrinsics::PlannedCall;

/// One line of a description: `label: text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    pub text: String,
}

/// An argument, as both sides can read it.
enum Arg {
    Account([u8; 32]),
    Int(u128),
    Bool(bool),
    None,
    Other(String),
}

const TAO9: FormatOptions = FormatOptions::new(9, Rounding::Down).trimmed();

/// Arguments holding TAO (rao), alpha (alpha rao) or a price (rao per alpha), by the runtime's argument names.
fn unit_text(name: &str, n: u128) -> String {
    let Ok(n) = u64::try_from(n) else {
        return n.to_string();
    };
    match name {
        "amount_staked" | "value" | "amount" => format!("{} τ", Rao(n).format(&TAO9)),
        "amount_unstaked" | "alpha_amount" => format!("{} α", AlphaRao(n).format(&TAO9)),
        "limit_price" => format!("{} τ per α", Rao(n).format(&TAO9)),
        _ => n.to_string(),
    }
}

/// What an argument is, in the preview's words.
fn label(name: &str) -> String {
    let role = match name {
        "hotkey" => "validator",
        "origin_hotkey" => "from validator",
        "destination_hotkey" => "to validator",
        "netuid" => "subnet",
        "origin_netuid" => "from subnet",
        "destination_netuid" => "to subnet",
        "dest" | "destination_coldkey" => "destination",
        "amount_staked" | "value" | "amount" => "amount (TAO)",
        "amount_unstaked" | "alpha_amount" => "amount (alpha)",
        "limit_price" => "limit price",
        "allow_partial" => "partial fill",
        "keep_alive" => "keep alive",
        _ => "",
    };
    if role.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({role})")
    }
}

fn text(name: &str, arg: &Arg) -> String {
    match arg {
        Arg::Account(a) => taotui_keystore::ss58::encode(a, 42),
        Arg::Int(n) => unit_text(name, *n),
        Arg::Bool(b) => b.to_string(),
        Arg::None => "none".to_owned(),
        Arg::Other(s) => s.clone(),
    }
}

/// The online side's words for the call it planned: those of the payload it encodes.
pub fn describe_planned(call: &PlannedCall) -> Vec<Line> {
    let payload = crate::chain::extrinsics::payload(call);
    describe_call(
        payload.pallet_name(),
        payload.call_name(),
        payload.call_data(),
    )
}

/// The words for a call as a value: the offline side's for the bytes it decoded, and the online side's for the
/// payload it encodes (the same value before encoding), so a proxied call or a batch reads the same on both sides.
/// A call inside a call (`Proxy.proxy`'s `call`, `Utility.batch_all`'s `calls`) is spelled out line by line under
/// its argument's name, not printed as a decoder dump.
pub fn describe_call(pallet: &str, call: &str, fields: &Composite<()>) -> Vec<Line> {
    let mut out = vec![Line {
        label: "call".to_owned(),
        text: format!("{pallet}.{call}"),
    }];
    push_args(&mut out, "", fields);
    out
}

fn push_args(out: &mut Vec<Line>, prefix: &str, fields: &Composite<()>) {
    let named: Vec<(String, &Value<()>)> = match fields {
        Composite::Named(named) => named.iter().map(|(n, v)| (n.clone(), v)).collect(),
        Composite::Unnamed(values) => values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("arg{i}"), v))
            .collect(),
    };
    for (name, v) in named {
        // By the runtime's argument names, like the labels: a value shaped like a call elsewhere (`Some(Staking)`)
        // is no call.
        if let Some((pallet, call, inner)) = (name == "call").then(|| as_call(v)).flatten() {
            push_call(out, &format!("{prefix}{name}"), pallet, call, inner);
        } else if let Some(calls) = (name == "calls").then(|| as_calls(v)).flatten() {
            for (i, (pallet, call, inner)) in calls.into_iter().enumerate() {
                push_call(out, &format!("{prefix}{name}[{i}]"), pallet, call, inner);
            }
        } else {
            let arg = arg_of(v);
            out.push(Line {
                label: format!("{prefix}{}", label(&name)),
                text: text(&name, &arg),
            });
        }
    }
}

fn push_call(out: &mut Vec<Line>, at: &str, pallet: &str, call: &str, fields: &Composite<()>) {
    out.push(Line {
        label: at.to_owned(),
        text: format!("{pallet}.{call}"),
    });
    push_args(out, &format!("{at}."), fields);
}

/// A runtime call as a value: `Pallet(call { fields })`.
fn as_call(v: &Value<()>) -> Option<(&str, &str, &Composite<()>)> {
    let ValueDef::Variant(pallet) = &v.value else {
        return None;
    };
    let ValueDef::Variant(call) = &single(&pallet.values)?.value else {
        return None;
    };
    Some((&pallet.name, &call.name, &call.values))
}

/// A list of runtime calls (a batch's `calls`); `None` unless every item is one.
fn as_calls(v: &Value<()>) -> Option<Vec<(&str, &str, &Composite<()>)>> {
    let ValueDef::Composite(items) = &v.value else {
        return None;
    };
    if items.values().len() == 0 {
        return None;
    }
    items.values().map(as_call).collect()
}

/// A decoded call's arguments as the local history records those of a call taotui sent itself (by the runtime's
/// argument names, accounts as SS58, integers as numbers), so what reads the history (recipients used before, the
/// History screen's amounts, the CSV's subnet and hotkey) reads a transaction signed offline the same way. A
/// proxied call's own arguments are those of the call inside, as for a proxied call sent online.
pub fn history_args(fields: &Composite<()>) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let named: Vec<(&str, &Value<()>)> = match fields {
        Composite::Named(named) => named.iter().map(|(n, v)| (n.as_str(), v)).collect(),
        Composite::Unnamed(_) => Vec::new(),
    };
    for (name, v) in named {
        if let Some((_, _, inner)) = (name == "call").then(|| as_call(v)).flatten() {
            out.extend(history_args(inner));
            continue;
        }
        let value = match arg_of(v) {
            Arg::Account(a) => taotui_keystore::ss58::encode(&a, 42).into(),
            Arg::Int(n) => u64::try_from(n).map_or_else(|_| n.to_string().into(), Into::into),
            Arg::Bool(b) => b.into(),
            Arg::None => serde_json::Value::Null,
            Arg::Other(text) => text.into(),
        };
        out.insert(name.to_owned(), value);
    }
    out
}

/// Reads a decoded value the way the planner writes arguments: a 32-byte account (bare, or wrapped as
/// `MultiAddress::Id` or a newtype such as `NetUid`), an integer, a bool, `Some`/`None`; anything else is shown as
/// the decoder prints it.
fn arg_of(v: &Value<()>) -> Arg {
    if let Some(a) = account_bytes(v) {
        return Arg::Account(a);
    }
    match &v.value {
        ValueDef::Primitive(Primitive::U128(n)) => Arg::Int(*n),
        ValueDef::Primitive(Primitive::Bool(b)) => Arg::Bool(*b),
        ValueDef::Variant(var) if var.name == "None" && var.values.is_empty() => Arg::None,
        ValueDef::Variant(var) if var.name == "Some" || var.name == "Id" => {
            match single(&var.values) {
                Some(inner) => arg_of(inner),
                None => Arg::Other(v.to_string()),
            }
        }
        ValueDef::Composite(c) => match single(c) {
            Some(inner) => arg_of(inner),
            None => Arg::Other(v.to_string()),
        },
        _ => Arg::Other(v.to_string()),
    }
}

fn single(c: &Composite<()>) -> Option<&Value<()>> {
    let mut values = c.values();
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

fn account_bytes(v: &Value<()>) -> Option<[u8; 32]> {
    let mut bytes = Vec::with_capacity(32);
    collect_bytes(v, &mut bytes)?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}

/// The bytes of a value made only of composites of `u8` (how an `AccountId32` decodes); `None` for anything else.
fn collect_bytes(v: &Value<()>, out: &mut Vec<u8>) -> Option<()> {
    match &v.value {
        ValueDef::Composite(c) => {
            if c.values().len() == 0 {
                return None;
            }
            for inner in c.values() {
                match &inner.value {
                    ValueDef::Primitive(Primitive::U128(n)) => out.push(u8::try_from(*n).ok()?),
                    ValueDef::Composite(_) => collect_bytes(inner, out)?,
                    _ => return None,
                }
            }
            Some(())
        }
        _ => None,
    }
}

/// Every line where the two descriptions disagree: (what the online side said, what the call really is).
pub fn differences(online: &[Line], offline: &[Line]) -> Vec<String> {
    let mut out = Vec::new();
    let n = online.len().max(offline.len());
    for i in 0..n {
        match (online.get(i), offline.get(i)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => out.push(format!(
                "the online machine said {}: {}, but the call really has {}: {}",
                a.label, a.text, b.label, b.text
            )),
            (Some(a), None) => out.push(format!(
                "the online machine said {}: {}, which the call does not have",
                a.label, a.text
            )),
            (None, Some(b)) => out.push(format!(
                "the call also has {}: {}, which the online machine did not say",
                b.label, b.text
            )),
            (None, None) => {}
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_amount_and_an_extra_argument_are_each_flagged() {
        let l = |a: &str, b: &str| Line {
            label: a.into(),
            text: b.into(),
        };
        let online = vec![l("call", "Balances.transfer_keep_alive"), l("value", "1 τ")];
        let offline = vec![
            l("call", "Balances.transfer_keep_alive"),
            l("value", "100 τ"),
            l("x", "y"),
        ];
        let d = differences(&online, &offline);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].contains("1 τ") && d[0].contains("100 τ"), "{d:?}");
        assert!(d[1].contains("did not say"), "{d:?}");
        assert!(differences(&online, &online).is_empty());
    }

    #[test]
    fn history_args_are_keyed_and_typed_like_a_call_sent_online() {
        let account = |b: u8| Value::unnamed_composite((0..32).map(|_| Value::u128(b.into())));
        let transfer = Value::unnamed_variant(
            "Balances",
            [Value::named_variant(
                "transfer_keep_alive",
                [
                    (
                        "dest".to_owned(),
                        Value::unnamed_variant("Id", [account(7)]),
                    ),
                    ("value".to_owned(), Value::u128(1_250_000_000)),
                ],
            )],
        );
        let proxied = Composite::named([
            (
                "real".to_owned(),
                Value::unnamed_variant("Id", [account(1)]),
            ),
            (
                "force_proxy_type".to_owned(),
                Value::unnamed_variant("None", []),
            ),
            ("call".to_owned(), transfer),
        ]);
        let args = history_args(&proxied);
        assert_eq!(args["dest"], taotui_keystore::ss58::encode(&[7; 32], 42));
        assert_eq!(args["value"], 1_250_000_000u64);
        assert_eq!(args["real"], taotui_keystore::ss58::encode(&[1; 32], 42));
        assert!(args["force_proxy_type"].is_null());
        assert!(!args.contains_key("call"));
    }

    #[test]
    fn amounts_are_named_in_their_unit() {
        assert_eq!(unit_text("amount_staked", 1_500_000_000), "1.5 τ");
        assert_eq!(unit_text("alpha_amount", 2_000_000_000), "2 α");
        assert_eq!(unit_text("netuid", 3), "3");
    }
}
