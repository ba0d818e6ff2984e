//! Lets subxt sign with taotui's own keys.
//!
//! subxt only needs an account id and a signature over the signer payload; the keystore's
//! [`Keypair`] already produces both, so no second copy of the secret key is ever made for subxt.
//! Subtensor accounts are `AccountId32` = the raw 32-byte public key for both sr25519 and ed25519,
//! and signatures travel as `MultiSignature`, tagged with the scheme.

use std::fmt;

use subxt::SubstrateConfig;
use subxt::transactions::Signer;
use subxt::utils::{AccountId32, MultiSignature};
use taotui_keystore::derive::{CryptoType, Keypair};

/// A keystore keypair that subxt can sign transactions with.
///
/// Holds the unlocked key for as long as it lives; drop it as soon as the transaction is signed.
#[derive(Clone)]
pub struct KeypairSigner {
    keypair: Keypair,
}

impl fmt::Debug for KeypairSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only public facts: the keypair's own Debug already redacts, but be explicit here.
        f.debug_struct("KeypairSigner")
            .field("account", &self.keypair.ss58())
            .field("crypto", &self.keypair.crypto_type())
            .finish()
    }
}

impl KeypairSigner {
    pub fn new(keypair: Keypair) -> KeypairSigner {
        KeypairSigner { keypair }
    }

    /// The 32-byte account id (the public key).
    pub fn public_key(&self) -> [u8; 32] {
        self.keypair.public_key()
    }

    /// The account's SS58 address (Substrate generic prefix 42, as Bittensor uses).
    pub fn ss58(&self) -> String {
        self.keypair.ss58()
    }

    pub fn crypto_type(&self) -> CryptoType {
        self.keypair.crypto_type()
    }

    pub fn keypair(&self) -> &Keypair {
        &self.keypair
    }
}

impl From<Keypair> for KeypairSigner {
    fn from(keypair: Keypair) -> KeypairSigner {
        KeypairSigner::new(keypair)
    }
}

impl Signer<SubstrateConfig> for KeypairSigner {
    fn account_id(&self) -> AccountId32 {
        AccountId32(self.keypair.public_key())
    }

    fn sign(&self, signer_payload: &[u8]) -> MultiSignature {
        // subxt has already replaced payloads longer than 256 bytes by their blake2-256 hash.
        let signature = self.keypair.sign(signer_payload);
        match self.keypair.crypto_type() {
            CryptoType::Sr25519 => MultiSignature::Sr25519(signature),
            CryptoType::Ed25519 => MultiSignature::Ed25519(signature),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use secrecy::SecretString;
    use taotui_keystore::derive::verify;

    /// //Alice's sr25519 public key, as every Substrate tool derives it from the dev phrase.
    const ALICE_SR25519: [u8; 32] = [
        0xd4, 0x35, 0x93, 0xc7, 0x15, 0xfd, 0xd3, 0x1c, 0x61, 0x14, 0x1a, 0xbd, 0x04, 0xa9, 0x9f,
        0xd6, 0x82, 0x2c, 0x85, 0x58, 0x85, 0x4c, 0xcd, 0xe3, 0x9a, 0x56, 0x84, 0xe7, 0xa5, 0x6d,
        0xa2, 0x7d,
    ];

    fn signer(suri: &str, scheme: CryptoType) -> KeypairSigner {
        KeypairSigner::new(Keypair::from_suri(&SecretString::from(suri), scheme).unwrap())
    }

    fn signature_bytes(sig: &MultiSignature) -> (CryptoType, [u8; 64]) {
        match sig {
            MultiSignature::Sr25519(s) => (CryptoType::Sr25519, *s),
            MultiSignature::Ed25519(s) => (CryptoType::Ed25519, *s),
            MultiSignature::Ecdsa(_) => panic!("taotui keys never produce ECDSA signatures"),
        }
    }

    #[test]
    fn account_id_is_the_public_key() {
        let alice = signer("//Alice", CryptoType::Sr25519);
        assert_eq!(
            <KeypairSigner as Signer<SubstrateConfig>>::account_id(&alice).0,
            ALICE_SR25519
        );
    }

    #[test]
    fn sr25519_signature_is_tagged_and_verifies() {
        let alice = signer("//Alice", CryptoType::Sr25519);
        let payload = b"some signer payload";
        let sig = <KeypairSigner as Signer<SubstrateConfig>>::sign(&alice, payload);
        let (scheme, bytes) = signature_bytes(&sig);
        assert_eq!(scheme, CryptoType::Sr25519);
        assert!(verify(scheme, &ALICE_SR25519, payload, &bytes));
        assert!(!verify(scheme, &ALICE_SR25519, b"another payload", &bytes));
    }

    #[test]
    fn ed25519_signature_is_tagged_and_verifies() {
        let bob = signer("//Bob", CryptoType::Ed25519);
        let payload = [7u8; 300];
        let sig = <KeypairSigner as Signer<SubstrateConfig>>::sign(&bob, &payload);
        let (scheme, bytes) = signature_bytes(&sig);
        assert_eq!(scheme, CryptoType::Ed25519);
        let public = bob.public_key();
        assert!(verify(scheme, &public, &payload, &bytes));
        // A different key must not verify it.
        let alice = signer("//Alice", CryptoType::Ed25519);
        assert!(!verify(scheme, &alice.public_key(), &payload, &bytes));
    }

    #[test]
    fn debug_shows_no_secret() {
        let alice = signer("//Alice", CryptoType::Sr25519);
        let text = format!("{alice:?}");
        assert!(text.contains(&alice.ss58()));
        assert!(!text.to_lowercase().contains("bottom drive"));
    }
}
