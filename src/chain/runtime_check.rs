//! The shape checker: whether a runtime has one item (call, storage entry, constant, runtime API method) in the
//! shape the code that uses it expects. Features declare their items (see [`super::features`]); this module only
//! answers for one item at a time.
//!
//! Shapes are deliberately loose where an encoding-compatible change is routine: an integer may be any unsigned
//! width and may be wrapped in single-field newtypes or `Compact` (Subtensor moved netuid u16 -> `NetUid(u16)` and
//! amounts u64 -> `TaoCurrency(u64)`/`AlphaCurrency(u64)`), because dynamic encoding follows the metadata.
//! What breaks a feature — a missing item, a different number of arguments, an integer becoming an account or a
//! struct losing a field the app reads — is a problem for that item.

use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};
use subxt::Metadata;

/// The shape of a value as far as the app relies on it.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Anything (the app does not interpret the value, e.g. an opaque extrinsic).
    Any,
    /// An unsigned integer of any width, possibly inside newtypes or `Compact`.
    Uint,
    Bool,
    /// A 32-byte account id (`[u8; 32]` or a newtype of it).
    Account,
    /// `MultiAddress`: an enum with an `Id(account)` variant.
    Address,
    /// `Vec<u8>` or `Vec<Compact<u8>>`.
    Bytes,
    Option(&'static Shape),
    Seq(&'static Shape),
    /// A tuple with these element shapes.
    Tuple(&'static [Shape]),
    /// A struct having (at least) these named fields.
    Struct(&'static [(&'static str, Shape)]),
}

/// A runtime item the app uses.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// An extrinsic call; arguments are checked by name, order and shape.
    Call {
        pallet: &'static str,
        name: &'static str,
        args: &'static [(&'static str, Shape)],
    },
    /// A storage entry with its key shapes (in order) and value shape.
    Storage {
        pallet: &'static str,
        name: &'static str,
        keys: &'static [Shape],
        value: Shape,
    },
    Constant {
        pallet: &'static str,
        name: &'static str,
        shape: Shape,
    },
    /// A runtime API method; inputs are positional (SCALE), so only their shapes are checked.
    Api {
        api: &'static str,
        method: &'static str,
        inputs: &'static [Shape],
        output: Shape,
    },
}

/// A `SubtensorModule` storage item: most of what features declare.
pub const fn subtensor_storage(name: &'static str, keys: &'static [Shape], value: Shape) -> Item {
    Item::Storage {
        pallet: "SubtensorModule",
        name,
        keys,
        value,
    }
}

impl Item {
    /// "SubtensorModule.add_stake", "StakeInfoRuntimeApi.get_stake_info_for_coldkey".
    pub fn path(&self) -> String {
        match self {
            Item::Call { pallet, name, .. }
            | Item::Storage { pallet, name, .. }
            | Item::Constant { pallet, name, .. } => format!("{pallet}.{name}"),
            Item::Api { api, method, .. } => format!("{api}.{method}"),
        }
    }
}

/// Why an item cannot be used on a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The runtime does not have it (never had it, or removed it).
    Missing(String),
    /// It exists in a shape the app cannot use.
    Changed(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Missing(s) | Problem::Changed(s) => f.write_str(s),
        }
    }
}

/// Whether `metadata` has `item` in the shape the app expects.
pub fn check_item(metadata: &Metadata, item: &Item) -> Result<(), Problem> {
    let types = metadata.types();
    match *item {
        Item::Call { pallet, name, args } => {
            let p = metadata
                .pallet_by_name(pallet)
                .ok_or_else(|| Problem::Missing(format!("the runtime has no pallet {pallet}")))?;
            let variant = p
                .call_variant_by_name(name)
                .ok_or_else(|| Problem::Missing("the runtime has no such call".into()))?;
            if variant.fields.len() != args.len() {
                return Err(Problem::Changed(format!(
                    "it now takes {} arguments ({}); expected {} ({})",
                    variant.fields.len(),
                    variant
                        .fields
                        .iter()
                        .map(|f| f.name.as_deref().unwrap_or("_"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    args.len(),
                    args.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                )));
            }
            for (i, (field, (arg_name, shape))) in variant.fields.iter().zip(args).enumerate() {
                let actual_name = field.name.as_deref().unwrap_or("_");
                if actual_name != *arg_name {
                    return Err(Problem::Changed(format!(
                        "argument {} is now named {actual_name}; expected {arg_name}",
                        i + 1
                    )));
                }
                matches_shape(types, field.ty.id, shape, 0).map_err(|why| {
                    Problem::Changed(format!("argument {} ({arg_name}) {why}", i + 1))
                })?;
            }
            Ok(())
        }
        Item::Storage {
            pallet,
            name,
            keys,
            value,
        } => {
            let entry = metadata
                .pallet_by_name(pallet)
                .and_then(|p| p.storage())
                .and_then(|s| s.entry_by_name(name))
                .ok_or_else(|| Problem::Missing("the runtime has no such storage item".into()))?;
            let actual_keys: Vec<u32> = entry.keys().map(|k| k.key_id).collect();
            if actual_keys.len() != keys.len() {
                return Err(Problem::Changed(format!(
                    "it now has {} keys; expected {}",
                    actual_keys.len(),
                    keys.len()
                )));
            }
            for (i, (id, shape)) in actual_keys.iter().zip(keys.iter()).enumerate() {
                matches_shape(types, *id, shape, 0)
                    .map_err(|why| Problem::Changed(format!("key {} {why}", i + 1)))?;
            }
            matches_shape(types, entry.value_ty(), &value, 0)
                .map_err(|why| Problem::Changed(format!("the value {why}")))
        }
        Item::Constant {
            pallet,
            name,
            shape,
        } => {
            let constant = metadata
                .pallet_by_name(pallet)
                .and_then(|p| p.constant_by_name(name))
                .ok_or_else(|| Problem::Missing("the runtime has no such constant".into()))?;
            matches_shape(types, constant.ty(), &shape, 0)
                .map_err(|why| Problem::Changed(format!("the value {why}")))
        }
        Item::Api {
            api,
            method,
            inputs,
            output,
        } => {
            let m = metadata
                .runtime_api_trait_by_name(api)
                .ok_or_else(|| Problem::Missing(format!("the runtime has no {api}")))?
                .method_by_name(method)
                .ok_or_else(|| Problem::Missing("the runtime API has no such method".into()))?;
            let actual: Vec<u32> = m.inputs().map(|i| i.id).collect();
            if actual.len() != inputs.len() {
                return Err(Problem::Changed(format!(
                    "it now takes {} inputs; expected {}",
                    actual.len(),
                    inputs.len()
                )));
            }
            for (i, (id, shape)) in actual.iter().zip(inputs.iter()).enumerate() {
                matches_shape(types, *id, shape, 0)
                    .map_err(|why| Problem::Changed(format!("input {} {why}", i + 1)))?;
            }
            matches_shape(types, m.output_ty(), &output, 0)
                .map_err(|why| Problem::Changed(format!("the result {why}")))
        }
    }
}

/// Nested types deeper than this are not followed (no shape in the list needs it; guards against cycles).
const MAX_DEPTH: usize = 16;

/// Ok when type `id` has `shape`; otherwise a phrase like "is now bool; expected an unsigned integer".
fn matches_shape(
    types: &PortableRegistry,
    id: u32,
    shape: &Shape,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH || matches!(shape, Shape::Any) {
        return Ok(());
    }
    let id = unwrap_newtypes(types, id, shape);
    let Some(ty) = types.resolve(id) else {
        return Err(format!("refers to type {id}, which the metadata lacks"));
    };
    let wrong = |expected: &str| {
        Err(format!(
            "is now {}; expected {expected}",
            describe(types, id)
        ))
    };
    match (shape, &ty.type_def) {
        (Shape::Uint, TypeDef::Primitive(p)) if is_unsigned(p) => Ok(()),
        (Shape::Uint, _) => wrong("an unsigned integer"),
        (Shape::Bool, TypeDef::Primitive(TypeDefPrimitive::Bool)) => Ok(()),
        (Shape::Bool, _) => wrong("a bool"),
        (Shape::Account, TypeDef::Array(a)) if a.len == 32 && is_u8(types, a.type_param.id) => {
            Ok(())
        }
        (Shape::Account, _) => wrong("a 32-byte account id"),
        // Runtime-API structs carry names as Vec<Compact<u8>>; both decode to the same bytes.
        (Shape::Bytes, TypeDef::Sequence(s))
            if is_u8(types, unwrap_newtypes(types, s.type_param.id, &Shape::Uint)) =>
        {
            Ok(())
        }
        (Shape::Bytes, _) => wrong("bytes"),
        (Shape::Address, TypeDef::Variant(v)) => {
            let id_variant = v.variants.iter().find(|v| v.name == "Id");
            match id_variant.map(|v| v.fields.as_slice()) {
                Some([field]) => matches_shape(types, field.ty.id, &Shape::Account, depth + 1)
                    .map_err(|why| format!("has an Id variant that {why}")),
                _ => wrong("an address enum with an Id(account) variant"),
            }
        }
        (Shape::Address, _) => wrong("an address enum with an Id(account) variant"),
        (Shape::Option(inner), TypeDef::Variant(v)) if is_option(ty.path.segments.last(), v) => {
            let Some(some_ty) = v
                .variants
                .iter()
                .find(|v| v.name == "Some")
                .and_then(|v| v.fields.first())
            else {
                return wrong("an Option");
            };
            matches_shape(types, some_ty.ty.id, inner, depth + 1)
                .map_err(|why| format!("(inside Option) {why}"))
        }
        (Shape::Option(_), _) => wrong("an Option"),
        (Shape::Seq(inner), TypeDef::Sequence(s)) => {
            matches_shape(types, s.type_param.id, inner, depth + 1)
                .map_err(|why| format!("(list element) {why}"))
        }
        (Shape::Seq(_), _) => wrong("a list"),
        (Shape::Tuple(elems), TypeDef::Tuple(t)) if t.fields.len() == elems.len() => {
            for (i, (f, s)) in t.fields.iter().zip(elems.iter()).enumerate() {
                matches_shape(types, f.id, s, depth + 1)
                    .map_err(|why| format!("(tuple element {}) {why}", i + 1))?;
            }
            Ok(())
        }
        (Shape::Tuple(elems), _) => wrong(&format!("a tuple of {}", elems.len())),
        (Shape::Struct(fields), TypeDef::Composite(c)) => {
            for (name, s) in fields.iter() {
                let field = c.fields.iter().find(|f| f.name.as_deref() == Some(*name));
                let Some(field) = field else {
                    return Err(format!(
                        "is now {} without a field {name}",
                        describe(types, id)
                    ));
                };
                matches_shape(types, field.ty.id, s, depth + 1)
                    .map_err(|why| format!("(field {name}) {why}"))?;
            }
            Ok(())
        }
        (Shape::Struct(_), _) => wrong("a struct"),
        (Shape::Any, _) => Ok(()),
    }
}

/// Follows `Compact<T>` and single-field structs (newtypes like `NetUid(u16)`, `AccountId32([u8; 32])`,
/// `FixedU128 { bits: u128 }`) down to what they wrap, unless the expected shape is itself a struct.
fn unwrap_newtypes(types: &PortableRegistry, mut id: u32, shape: &Shape) -> u32 {
    for _ in 0..MAX_DEPTH {
        let Some(ty) = types.resolve(id) else {
            return id;
        };
        match &ty.type_def {
            TypeDef::Compact(c) => id = c.type_param.id,
            TypeDef::Composite(c) if c.fields.len() == 1 && !matches!(shape, Shape::Struct(_)) => {
                if let Some(f) = c.fields.first() {
                    id = f.ty.id;
                }
            }
            TypeDef::Tuple(t) if t.fields.len() == 1 && !matches!(shape, Shape::Tuple(_)) => {
                if let Some(f) = t.fields.first() {
                    id = f.id;
                }
            }
            _ => return id,
        }
    }
    id
}

fn is_unsigned(p: &TypeDefPrimitive) -> bool {
    matches!(
        p,
        TypeDefPrimitive::U8
            | TypeDefPrimitive::U16
            | TypeDefPrimitive::U32
            | TypeDefPrimitive::U64
            | TypeDefPrimitive::U128
            | TypeDefPrimitive::U256
    )
}

fn is_u8(types: &PortableRegistry, id: u32) -> bool {
    types
        .resolve(id)
        .is_some_and(|t| matches!(t.type_def, TypeDef::Primitive(TypeDefPrimitive::U8)))
}

fn is_option(
    last_segment: Option<&String>,
    v: &scale_info::TypeDefVariant<scale_info::form::PortableForm>,
) -> bool {
    last_segment.is_some_and(|s| s == "Option")
        || (v.variants.len() == 2
            && v.variants.iter().any(|v| v.name == "None")
            && v.variants.iter().any(|v| v.name == "Some"))
}

/// A short human name for a type: "bool", "u64", "struct StakeInfo", "enum MultiAddress", "list", ...
fn describe(types: &PortableRegistry, id: u32) -> String {
    let Some(ty) = types.resolve(id) else {
        return format!("type {id}");
    };
    let name = ty.path.segments.last().cloned();
    match &ty.type_def {
        TypeDef::Primitive(p) => format!("{p:?}").to_lowercase(),
        TypeDef::Composite(c) => format!(
            "a struct {}with {} field{}",
            name.map(|n| format!("{n} ")).unwrap_or_default(),
            c.fields.len(),
            if c.fields.len() == 1 { "" } else { "s" }
        ),
        TypeDef::Variant(_) => format!("an enum {}", name.unwrap_or_default()),
        TypeDef::Sequence(_) => "a list".into(),
        TypeDef::Array(a) => format!("an array of {}", a.len),
        TypeDef::Tuple(t) => format!("a tuple of {}", t.fields.len()),
        TypeDef::Compact(_) => "a compact integer".into(),
        TypeDef::BitSequence(_) => "a bit sequence".into(),
    }
}
