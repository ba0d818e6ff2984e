//! The call in words, made the same way from the online side's plan and from the bytes the offline side decodes,
//! so the two can be compared line by line: what differs is what the online side did not say.

use serde::{Deserialize, Serialize};
use subxt::ext::scale_value::{Composite, Primitive, Value, ValueDef};

use crate::amount::{AlphaRao, FormatOptions, Rao, Rounding};
use crate::chain::extrinsics::{ArgValue, PlannedCall};

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

fn lines(pallet: &str, call: &str, args: Vec<(String, Arg)>) -> Vec<Line> {
    let mut out = vec![Line {
        label: "call".to_owned(),
        text: format!("{pallet}.{call}"),
    }];
    out.extend(args.into_iter().map(|(name, arg)| Line {
        label: label(&name),
        text: text(&name, &arg),
    }));
    out
}

/// The online side's words for the call it planned.
pub fn describe_planned(call: &PlannedCall) -> Vec<Line> {
    let args = call
        .args
        .iter()
        .map(|(name, v)| {
            let arg = match *v {
                ArgValue::Account(a) | ArgValue::Address(a) => Arg::Account(a),
                ArgValue::U16(n) => Arg::Int(n.into()),
                ArgValue::U64(n) => Arg::Int(n.into()),
                ArgValue::OptionU64(Some(n)) => Arg::Int(n.into()),
                ArgValue::OptionU64(None) => Arg::None,
                ArgValue::Bool(b) => Arg::Bool(b),
            };
            ((*name).to_owned(), arg)
        })
        .collect();
    lines(call.pallet, call.name, args)
}

/// The offline side's words for a call it decoded from bytes.
pub fn describe_call(pallet: &str, call: &str, fields: &Composite<()>) -> Vec<Line> {
    let args = match fields {
        Composite::Named(named) => named.iter().map(|(n, v)| (n.clone(), arg_of(v))).collect(),
        Composite::Unnamed(values) => values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("arg{i}"), arg_of(v)))
            .collect(),
    };
    lines(pallet, call, args)
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
    fn amounts_are_named_in_their_unit() {
        assert_eq!(unit_text("amount_staked", 1_500_000_000), "1.5 τ");
        assert_eq!(unit_text("alpha_amount", 2_000_000_000), "2 α");
        assert_eq!(unit_text("netuid", 3), "3");
    }
}
