//! A subxt configuration that can sign with `CheckMetadataHash` on (RFC-0078 mode 1).
//!
//! subxt's own `CheckMetadataHash` always encodes mode 0 (no hash). Everything else is subxt's default set of
//! extensions, unchanged: this wrapper only answers for `CheckMetadataHash` when a digest is given, so the bytes are
//! otherwise exactly what [`crate::chain::extrinsics::build`] produces for `SubstrateConfig`.

use scale_info::PortableRegistry;
use subxt::SubstrateConfig;
use subxt::config::substrate::{DynamicHasher256, SubstrateHeader};
use subxt::config::transaction_extensions::Params as ParamsTrait;
use subxt::config::{
    ClientState, Config, DefaultExtrinsicParams, DefaultTransactionExtensions, HashFor, Hasher,
    TransactionExtensions,
};
use subxt::error::TransactionExtensionError;
use subxt::ext::codec::Encode;
use subxt::ext::frame_decode::extrinsics::{
    TransactionExtensions as EncodeExtensions, TransactionExtensionsError,
};
use subxt::metadata::ArcMetadata;
use subxt::utils::{AccountId32, MultiAddress, MultiSignature};

const CHECK_METADATA_HASH: &str = "CheckMetadataHash";

/// [`SubstrateConfig`] with [`AirgapExtensions`].
#[derive(Debug, Clone)]
pub struct AirgapConfig(pub SubstrateConfig);

impl Config for AirgapConfig {
    type AccountId = AccountId32;
    type Address = MultiAddress<AccountId32, u32>;
    type Signature = MultiSignature;
    type Hasher = DynamicHasher256;
    type Header = SubstrateHeader<<DynamicHasher256 as Hasher>::Hash>;
    type TransactionExtensions = AirgapExtensions;
    type AssetId = u32;

    fn genesis_hash(&self) -> Option<HashFor<Self>> {
        self.0.genesis_hash()
    }

    fn spec_and_transaction_version_for_block_number(&self, block: u64) -> Option<(u32, u32)> {
        self.0.spec_and_transaction_version_for_block_number(block)
    }

    fn metadata_for_spec_version(&self, spec_version: u32) -> Option<ArcMetadata> {
        self.0.metadata_for_spec_version(spec_version)
    }

    fn set_metadata_for_spec_version(&self, spec_version: u32, metadata: ArcMetadata) {
        self.0.set_metadata_for_spec_version(spec_version, metadata);
    }
}

/// The metadata digest to commit to (`None`: mode 0, as subxt does).
#[derive(Debug, Clone, Copy, Default)]
pub struct MetadataHashParam(pub Option<[u8; 32]>);

impl ParamsTrait<AirgapConfig> for MetadataHashParam {}

/// subxt's default extensions, with `CheckMetadataHash` in mode 1 when a digest is given.
pub struct AirgapExtensions {
    inner: DefaultTransactionExtensions<AirgapConfig>,
    metadata_hash: Option<[u8; 32]>,
}

impl TransactionExtensions<AirgapConfig> for AirgapExtensions {
    type Params = (DefaultExtrinsicParams<AirgapConfig>, MetadataHashParam);

    fn new(
        client: &ClientState<AirgapConfig>,
        params: Self::Params,
    ) -> Result<Self, TransactionExtensionError> {
        Ok(AirgapExtensions {
            inner: DefaultTransactionExtensions::new(client, params.0)?,
            metadata_hash: params.1.0,
        })
    }

    fn inject_signature(&mut self, account_id: &AccountId32, signature: &MultiSignature) {
        self.inner.inject_signature(account_id, signature);
    }
}

impl EncodeExtensions<PortableRegistry> for AirgapExtensions {
    fn contains_extension(&self, name: &str) -> bool {
        self.inner.contains_extension(name)
    }

    fn is_authorization_extension(&self, name: &str) -> bool {
        self.inner.is_authorization_extension(name)
    }

    fn encode_extension_value_to(
        &self,
        name: &str,
        type_id: u32,
        types: &PortableRegistry,
        out: &mut Vec<u8>,
    ) -> Result<(), TransactionExtensionsError> {
        match self.metadata_hash {
            // The mode enum: 1 = Enabled.
            Some(_) if name == CHECK_METADATA_HASH => {
                1u8.encode_to(out);
                Ok(())
            }
            _ => self
                .inner
                .encode_extension_value_to(name, type_id, types, out),
        }
    }

    fn encode_extension_implicit_to(
        &self,
        name: &str,
        type_id: u32,
        types: &PortableRegistry,
        out: &mut Vec<u8>,
    ) -> Result<(), TransactionExtensionsError> {
        match self.metadata_hash {
            // Signed implicitly as `Option<[u8; 32]>`: the runtime puts its own hash here, so a signature made with
            // a digest of other metadata does not verify.
            Some(hash) if name == CHECK_METADATA_HASH => {
                Some(hash).encode_to(out);
                Ok(())
            }
            _ => self
                .inner
                .encode_extension_implicit_to(name, type_id, types, out),
        }
    }
}
