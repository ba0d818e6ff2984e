//! The RFC-0078 metadata digest taotui signs with (`CheckMetadataHash` mode 1) against an independent
//! implementation: polkadot-api's merkleizer, whose digests for the finney runtimes 393 and 424 (V16 metadata, read
//! by taotui as the V15 it was built from) are in tests/interop/fixtures/metadata_digests.json
//! (`tests/interop/make_metadata_digests.mjs`). Spec 293's digest is checked on the local chain's own metadata in
//! tests/airgap_chain.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use taotui::chain::offline::digest::metadata_hash;

fn expected(spec: &str) -> String {
    let text = std::fs::read_to_string("tests/interop/fixtures/metadata_digests.json").unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["digests"][spec].as_str().unwrap().to_owned()
}

fn ours(file: &str) -> String {
    let bytes = std::fs::read(format!("../shared/chain/{file}"))
        .unwrap_or_else(|e| panic!("../shared/chain/{file}: {e}"));
    format!("0x{}", hex::encode(metadata_hash(&bytes).unwrap()))
}

#[test]
fn the_digest_of_finney_393_matches_polkadot_api() {
    assert_eq!(
        ours("subtensor-finney-spec393.metadata.scale"),
        expected("393")
    );
}

#[test]
fn the_digest_of_finney_424_matches_polkadot_api() {
    assert_eq!(
        ours("subtensor-finney-spec424.metadata.scale"),
        expected("424")
    );
}

#[test]
fn the_digest_differs_between_runtimes_and_refuses_what_is_not_metadata() {
    assert_ne!(expected("393"), expected("424"));
    assert!(metadata_hash(b"not metadata").is_err());
}
