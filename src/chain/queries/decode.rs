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
        .map(|v| strip_newtypes(v, metadata.types()))
        .map_err(|e| decode_error(what, e.to_string()))
}

/// Replaces every newtype (a composite type with one field: `NetUid(u16)`, `AccountId32([u8; 32])`,
/// `BoundedVec<T>`) by its field, deciding by the registry's type and never by the value's shape: a
/// one-element `Vec` looks exactly like a newtype but is a sequence, and must stay one.
pub(crate) fn strip_newtypes(v: Val, types: &scale_info::PortableRegistry) -> Val {
    let newtype = types.resolve(v.context).is_some_and(
        |t| matches!(&t.type_def, scale_info::TypeDef::Composite(c) if c.fields.len() == 1),
    );
    match v.value {
        ValueDef::Composite(c) => {
            let c = strip_fields(c, types);
            if newtype && c.len() == 1 {
                if let Some(only) = c.into_values().next() {
                    return only;
                }
                return Value {
                    value: ValueDef::Composite(Composite::Unnamed(Vec::new())),
                    context: v.context,
                };
            }
            Value {
                value: ValueDef::Composite(c),
                context: v.context,
            }
        }
        ValueDef::Variant(mut var) => {
            var.values = strip_fields(var.values, types);
            Value {
                value: ValueDef::Variant(var),
                context: v.context,
            }
        }
        other => Value {
            value: other,
            context: v.context,
        },
    }
}

fn strip_fields(c: Composite<u32>, types: &scale_info::PortableRegistry) -> Composite<u32> {
    match c {
        Composite::Named(f) => Composite::Named(
            f.into_iter()
                .map(|(n, x)| (n, strip_newtypes(x, types)))
                .collect(),
        ),
        Composite::Unnamed(f) => {
            Composite::Unnamed(f.into_iter().map(|x| strip_newtypes(x, types)).collect())
        }
    }
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
///
/// Values from [`decode`] have their newtypes stripped by type already, so a one-element sequence
/// is not unwrapped here (that turned a coldkey's single `StakeInfo` into its fields).
pub(crate) fn items(v: &Val) -> Vec<&Val> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use scale_info::build::Fields;
    use scale_info::{MetaType, Path, PortableRegistry, Registry, Type, TypeInfo};
    use subxt::ext::codec::Encode;

    use super::*;

    /// A runtime-style newtype (`NetUid(u16)`), described by hand as the runtime's metadata does.
    struct NetUid;
    impl TypeInfo for NetUid {
        type Identity = Self;
        fn type_info() -> Type {
            Type::builder()
                .path(Path::new("NetUid", module_path!()))
                .composite(Fields::unnamed().field(|f| f.ty::<u16>()))
        }
    }

    fn decode_with<T: TypeInfo + 'static>(bytes: &[u8]) -> Val {
        let mut registry = Registry::new();
        let id = registry.register_type(&MetaType::new::<T>()).id;
        let types: PortableRegistry = registry.into();
        let mut cursor = bytes;
        let v = subxt::ext::scale_value::scale::decode_as_type(&mut cursor, id, &types).unwrap();
        strip_newtypes(v, &types)
    }

    #[test]
    fn a_one_element_list_stays_a_list_of_one() {
        // A coldkey with exactly one position: `Vec<StakeInfo>` of length 1 was once unwrapped into
        // the fields of its only element.
        let v = decode_with::<Vec<(u16, u64)>>(&vec![(3u16, 7u64)].encode());
        let list = items(&v);
        assert_eq!(list.len(), 1);
        let pair = items(list[0]);
        assert_eq!((u16_of(pair[0]), u64_of(pair[1])), (Some(3), Some(7)));

        let many = decode_with::<Vec<(u16, u64)>>(&vec![(1u16, 2u64), (3, 4)].encode());
        assert_eq!(items(&many).len(), 2);
        let none = decode_with::<Vec<(u16, u64)>>(&Vec::<(u16, u64)>::new().encode());
        assert!(items(&none).is_empty());
    }

    #[test]
    fn newtypes_are_stripped_by_type_not_by_shape() {
        let v = decode_with::<Vec<NetUid>>(&vec![5u16].encode());
        let list = items(&v);
        assert_eq!(list.len(), 1);
        assert!(matches!(
            list[0].value,
            ValueDef::Primitive(Primitive::U128(5))
        ));
    }
}
