//! Picking typed values out of `scale_value::Value`s decoded with the live type registry.
//!
//! Every accessor first strips single-field wrappers, so `NetUid(u16)`, `TaoCurrency(u64)`,
//! `AccountId32([u8; 32])` and `Compact<_>` all read like their inner value.

use subxt::Metadata;
use subxt::ext::scale_value::{Composite, Primitive, Value, ValueDef};

use crate::chain::error::ChainError;

use super::AccountId;

pub(crate) type Val = Value<u32>;

pub(crate) fn decode_error(what: &str, detail: impl Into<String>) -> ChainError {
    ChainError::Decode {
        what: what.to_owned(),
        detail: detail.into(),
    }
}

/// Decodes `bytes` as type `type_id` of the metadata's registry.
pub(crate) fn decode(
    metadata: &Metadata,
    type_id: u32,
    bytes: &[u8],
    what: &str,
) -> Result<Val, ChainError> {
    let mut cursor = bytes;
    subxt::ext::scale_value::scale::decode_as_type(&mut cursor, type_id, metadata.types())
        .map_err(|e| decode_error(what, e.to_string()))
}

/// The output type id of runtime API `api.method`.
pub(crate) fn runtime_api_output(
    metadata: &Metadata,
    api: &str,
    method: &str,
) -> Result<u32, ChainError> {
    metadata
        .runtime_api_trait_by_name(api)
        .and_then(|t| t.method_by_name(method))
        .map(|m| m.output_ty())
        .ok_or_else(|| {
            decode_error(
                &format!("{api}.{method}"),
                "this runtime has no such runtime API method",
            )
        })
}

/// Strips newtype wrappers: a composite with exactly one field is that field.
pub(crate) fn inner(v: &Val) -> &Val {
    let mut cur = v;
    loop {
        match &cur.value {
            ValueDef::Composite(Composite::Named(f)) if f.len() == 1 => cur = &f[0].1,
            ValueDef::Composite(Composite::Unnamed(f)) if f.len() == 1 => cur = &f[0],
            _ => return cur,
        }
    }
}

pub(crate) fn field<'a>(v: &'a Val, name: &str) -> Option<&'a Val> {
    match &inner(v).value {
        ValueDef::Composite(Composite::Named(f)) => {
            f.iter().find(|(n, _)| n == name).map(|(_, v)| v)
        }
        _ => None,
    }
}

pub(crate) fn u128_of(v: &Val) -> Option<u128> {
    match &inner(v).value {
        ValueDef::Primitive(Primitive::U128(n)) => Some(*n),
        ValueDef::Primitive(Primitive::I128(n)) => u128::try_from(*n).ok(),
        _ => None,
    }
}

pub(crate) fn u64_of(v: &Val) -> Option<u64> {
    u128_of(v).and_then(|n| u64::try_from(n).ok())
}

pub(crate) fn u16_of(v: &Val) -> Option<u16> {
    u128_of(v).and_then(|n| u16::try_from(n).ok())
}

pub(crate) fn bool_of(v: &Val) -> Option<bool> {
    match &inner(v).value {
        ValueDef::Primitive(Primitive::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// The items of a sequence, array or tuple (after stripping a newtype around it).
pub(crate) fn items(v: &Val) -> Vec<&Val> {
    let v = match &v.value {
        ValueDef::Composite(Composite::Unnamed(f))
            if f.len() == 1 && matches!(f[0].value, ValueDef::Composite(_)) =>
        {
            &f[0]
        }
        _ => v,
    };
    match &v.value {
        ValueDef::Composite(c) => c.values().collect(),
        _ => Vec::new(),
    }
}

/// Bytes of `Vec<u8>`, `Vec<Compact<u8>>`, `[u8; N]`, possibly wrapped (`BoundedVec`, `AccountId32`).
pub(crate) fn bytes_of(v: &Val) -> Option<Vec<u8>> {
    let mut cur = v;
    loop {
        match &cur.value {
            ValueDef::Composite(c) => {
                let vals: Vec<&Val> = c.values().collect();
                if vals.len() == 1 && matches!(vals[0].value, ValueDef::Composite(_)) {
                    cur = vals[0];
                    continue;
                }
                return vals
                    .iter()
                    .map(|x| u128_of(x).and_then(|n| u8::try_from(n).ok()))
                    .collect();
            }
            ValueDef::Primitive(Primitive::String(s)) => return Some(s.as_bytes().to_vec()),
            _ => return None,
        }
    }
}

pub(crate) fn text_of(v: &Val) -> Option<String> {
    bytes_of(v).map(|b| String::from_utf8_lossy(&b).trim().to_owned())
}

pub(crate) fn account_of(v: &Val) -> Option<AccountId> {
    bytes_of(v)
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .map(AccountId)
}

/// The inner value of `Some(_)`; `None` for `None` and anything that is not an option.
pub(crate) fn option_of(v: &Val) -> Option<&Val> {
    match &v.value {
        ValueDef::Variant(var) if var.name == "Some" => var.values.values().next(),
        _ => None,
    }
}

pub(crate) fn req_u64(v: &Val, name: &str, what: &str) -> Result<u64, ChainError> {
    field(v, name)
        .and_then(u64_of)
        .ok_or_else(|| missing_field(what, name))
}

pub(crate) fn req_u16(v: &Val, name: &str, what: &str) -> Result<u16, ChainError> {
    field(v, name)
        .and_then(u16_of)
        .ok_or_else(|| missing_field(what, name))
}

pub(crate) fn req_account(v: &Val, name: &str, what: &str) -> Result<AccountId, ChainError> {
    field(v, name)
        .and_then(account_of)
        .ok_or_else(|| missing_field(what, name))
}

pub(crate) fn missing_field(what: &str, name: &str) -> ChainError {
    decode_error(
        what,
        format!("field `{name}` is missing or of an unexpected kind"),
    )
}
