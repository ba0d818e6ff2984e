//! Facts about a runtime read from its metadata alone (no node needed): its version, the transaction extensions
//! its extrinsics carry, and metadata files as `state_getMetadata` returns them.

use subxt::Metadata;
use subxt::ext::scale_value::{Composite, Primitive, Value, ValueDef};

/// What the metadata says about the runtime it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeFacts {
    /// `System.Version.spec_name` ("node-subtensor"), when the constant decodes.
    pub spec_name: Option<String>,
    pub spec_version: Option<u32>,
    pub transaction_version: Option<u32>,
    /// The transaction extensions of the version used for encoding, in order.
    pub extensions: Vec<String>,
}

impl RuntimeFacts {
    pub fn of(metadata: &Metadata) -> RuntimeFacts {
        let version = system_version(metadata);
        let field = |name: &str| version.as_ref().and_then(|v| named(v, name));
        RuntimeFacts {
            spec_name: field("spec_name").and_then(text),
            spec_version: field("spec_version")
                .and_then(uint)
                .and_then(|n| u32::try_from(n).ok()),
            transaction_version: field("transaction_version")
                .and_then(uint)
                .and_then(|n| u32::try_from(n).ok()),
            extensions: metadata
                .extrinsic()
                .transaction_extensions_to_use_for_encoding()
                .map(|e| e.identifier().to_owned())
                .collect(),
        }
    }
}

/// Why a metadata file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataFileError {
    #[error("the file holds neither SCALE metadata nor its 0x hex form: {0}")]
    Hex(String),
    #[error(
        "the file is not Substrate runtime metadata ({0}); save the result of state_getMetadata (bytes or 0x hex)"
    )]
    Decode(String),
}

/// Metadata from a file holding what `state_getMetadata` returns: the SCALE bytes of `RuntimeMetadataPrefixed`,
/// or their `0x` hex form (whitespace and a trailing newline allowed).
pub fn metadata_from_file_bytes(bytes: &[u8]) -> Result<Metadata, MetadataFileError> {
    let raw = metadata_file_raw(bytes)?;
    Metadata::decode_from(&raw[..]).map_err(|e| MetadataFileError::Decode(e.to_string()))
}

/// The SCALE bytes of a metadata file in either form [`metadata_from_file_bytes`] reads.
pub fn metadata_file_raw(bytes: &[u8]) -> Result<Vec<u8>, MetadataFileError> {
    let trimmed = bytes.trim_ascii();
    let raw = if trimmed.starts_with(b"0x") || trimmed.starts_with(b"0X") {
        let text = std::str::from_utf8(&trimmed[2..])
            .map_err(|e| MetadataFileError::Hex(e.to_string()))?;
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        hex::decode(compact).map_err(|e| MetadataFileError::Hex(e.to_string()))?
    } else {
        bytes.to_vec()
    };
    Ok(raw)
}

fn system_version(metadata: &Metadata) -> Option<Value<u32>> {
    let constant = metadata
        .pallet_by_name("System")?
        .constant_by_name("Version")?;
    let mut bytes = constant.value();
    subxt::ext::scale_value::scale::decode_as_type(&mut bytes, constant.ty(), metadata.types()).ok()
}

fn named<'a>(v: &'a Value<u32>, name: &str) -> Option<&'a Value<u32>> {
    match &v.value {
        ValueDef::Composite(Composite::Named(fields)) => {
            fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
        }
        _ => None,
    }
}

/// Follows single-field wrappers (`RuntimeString`, `Cow<str>` newtypes) to the value inside.
fn inner(v: &Value<u32>) -> &Value<u32> {
    match &v.value {
        ValueDef::Composite(c) if c.len() == 1 => c.values().next().map_or(v, inner),
        _ => v,
    }
}

fn uint(v: &Value<u32>) -> Option<u128> {
    match &inner(v).value {
        ValueDef::Primitive(Primitive::U128(n)) => Some(*n),
        _ => None,
    }
}

fn text(v: &Value<u32>) -> Option<String> {
    match &inner(v).value {
        ValueDef::Primitive(Primitive::String(s)) => Some(s.clone()),
        // Byte strings decode as a list of u8.
        ValueDef::Composite(c) => c
            .values()
            .map(|b| uint(b).and_then(|n| u8::try_from(n).ok()))
            .collect::<Option<Vec<u8>>>()
            .and_then(|bytes| String::from_utf8(bytes).ok()),
        _ => None,
    }
}
