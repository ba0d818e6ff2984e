//! MEV shield: the blob against the peer implementation (bittensor-core, fixtures from
//! tests/interop/make_mev_fixtures.py) and a real shielded submission for finney metadata 424, built offline and
//! taken apart again: the carrier decodes as `MevShield.submit_encrypted` with our blob, the blob opens to exactly
//! the signed inner extrinsic, which decodes as the real call at nonce + 1 with an era of 8 blocks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use ml_kem::{EncodedSizeUser, KemCore, MlKem768};
use secrecy::SecretString;
use serde_json::Value as Json;
use subxt::client::OfflineClient;
use subxt::config::substrate::SpecVersionForRange;
use subxt::ext::codec::{Compact, Decode};
use subxt::ext::frame_decode::extrinsics::decode_extrinsic;
use subxt::utils::H256;
use subxt::{Metadata, SubstrateConfig};
use taotui::chain::extrinsics::fetch::Either;
use taotui::chain::extrinsics::{ArgValue, PlannedCall};
use taotui::chain::mev_shield::carrier::{self, Birth, INNER_ERA_BLOCKS};
use taotui::chain::mev_shield::{PalletShape, blob};
use taotui::chain::signer::KeypairSigner;
use taotui_keystore::derive::{CryptoType, Keypair};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

fn fixture() -> Json {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/fixtures/mev_shield.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn blobs_made_by_bittensor_core_open_with_our_layout_reader() {
    let f = fixture();
    assert_eq!(f["generatedBy"]["bittensor-core"], "0.1.5");
    let ek = unhex(f["encapsulationKey"].as_str().unwrap());
    let dk = unhex(f["decapsulationKey"].as_str().unwrap());
    // FIPS 203 expanded decapsulation key: dk_pke | ek | H(ek) | z.
    assert_eq!(&dk[1152..1152 + 1184], &ek[..]);
    let cases = f["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    let mut opened = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let plaintext = unhex(case["plaintext"].as_str().unwrap());
        let peer = unhex(case["blob"].as_str().unwrap());
        let shared = unhex(case["sharedSecret"].as_str().unwrap());
        let with_hash = if case["includeKeyHash"].as_bool().unwrap() {
            peer.clone()
        } else {
            // The pallet's layout always leads with the key hash; without it our reader must refuse the blob
            // (it would read the KEM length out of the ciphertext), and with the hash put back it must open.
            assert!(
                blob::parse(&peer).is_err(),
                "{name}: parsed without a key hash"
            );
            [blob::key_hash(&ek).as_slice(), &peer].concat()
        };
        let parsed = blob::parse(&with_hash).unwrap();
        assert_eq!(parsed.key_hash, blob::key_hash(&ek), "{name}");
        assert_eq!(parsed.kem_ct.len(), blob::KEM_CT_LEN, "{name}");
        assert_eq!(
            blob::shared_secret(&with_hash, &dk).unwrap().to_vec(),
            shared,
            "{name}: our ML-KEM decapsulates another shared secret than kyber-py"
        );
        assert_eq!(blob::open(&with_hash, &dk).unwrap(), plaintext, "{name}");
        opened += 1;
    }
    assert_eq!(opened, 8);
}

#[test]
fn our_blobs_have_the_peers_layout_and_size() {
    let f = fixture();
    let ek = unhex(f["encapsulationKey"].as_str().unwrap());
    let dk = unhex(f["decapsulationKey"].as_str().unwrap());
    for case in f["cases"].as_array().unwrap() {
        if !case["includeKeyHash"].as_bool().unwrap() {
            continue;
        }
        let plaintext = unhex(case["plaintext"].as_str().unwrap());
        let peer = unhex(case["blob"].as_str().unwrap());
        let ours = blob::seal(&ek, &plaintext, &mut rand::thread_rng()).unwrap();
        assert_eq!(ours.len(), peer.len());
        // Key hash and KEM length are deterministic; the rest is random in both.
        assert_eq!(ours[..18], peer[..18]);
        assert_eq!(blob::open(&ours, &dk).unwrap(), plaintext);
    }
    // The peer encrypts one byte past the pallet's bound; we refuse it.
    let over = f["overLimitBlobLength"].as_u64().unwrap() as usize;
    assert_eq!(over, blob::MAX_BLOB_LEN + 1);
    assert_eq!(
        blob::seal(
            &ek,
            &vec![0; blob::MAX_INNER_LEN + 1],
            &mut rand::thread_rng()
        ),
        Err(blob::BlobError::TooLarge { len: over })
    );
}

fn metadata(file: &str) -> Option<Metadata> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/chain")
        .join(file);
    match std::fs::read(&path) {
        Ok(bytes) => Some(Metadata::decode_from(&bytes[..]).unwrap()),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} unreadable: {e}",
                path.display()
            );
            eprintln!("SKIPPED: {} unreadable: {e}", path.display());
            None
        }
    }
}

#[test]
fn the_carrier_shape_comes_from_each_runtimes_metadata() {
    let Some(m365) = metadata("subtensor-finney-spec365.metadata.scale") else {
        return;
    };
    assert_eq!(
        carrier::pallet_shape(&m365),
        PalletShape::UnsupportedCarrier {
            args: vec!["commitment".into(), "ciphertext".into()]
        }
    );
    for file in [
        "subtensor-finney-spec393.metadata.scale",
        "subtensor-finney-spec424.metadata.scale",
    ] {
        assert_eq!(
            carrier::pallet_shape(&metadata(file).unwrap()),
            PalletShape::Carrier,
            "{file}"
        );
    }
    // 365's carrier is refused with the way out, never built in a shape the runtime would misread.
    let err = carrier::carrier_payload(&m365, vec![1, 2, 3]).unwrap_err();
    assert!(err.to_string().contains("--no-mev-shield"), "{err}");
}

/// An era's period from its SCALE bytes (`sp_runtime::generic::Era`).
fn era_period(bytes: &[u8]) -> Option<u64> {
    match bytes {
        [0] => None,
        [a, b] => {
            let encoded = u16::from(*a) | (u16::from(*b) << 8);
            Some(2u64 << (encoded % (1 << 4)))
        }
        other => panic!("not an era: {other:?}"),
    }
}

struct Decoded {
    pallet: String,
    call: String,
    nonce: u64,
    era: Option<u64>,
    signer: [u8; 32],
    args: Vec<(String, Vec<u8>)>,
}

fn decode(md: &Metadata, bytes: &[u8]) -> Decoded {
    let xt = decode_extrinsic(&mut &bytes[..], md, md.types()).unwrap();
    let ext = xt.transaction_extension_payload().unwrap();
    let ext_bytes = |name: &str| {
        ext.iter()
            .find(|e| e.name() == name)
            .map(|e| bytes[e.range()].to_vec())
            .unwrap_or_else(|| panic!("no {name} extension"))
    };
    let nonce = Compact::<u64>::decode(&mut &ext_bytes("CheckNonce")[..])
        .unwrap()
        .0;
    let sig = xt.signature_payload().unwrap();
    let address = &bytes[sig.address_range()];
    // MultiAddress::Id(AccountId32): variant 0 then 32 bytes.
    assert_eq!(address[0], 0);
    Decoded {
        pallet: xt.pallet_name().to_owned(),
        call: xt.call_name().to_owned(),
        nonce,
        era: era_period(&ext_bytes("CheckMortality")),
        signer: address[1..33].try_into().unwrap(),
        args: xt
            .call_data()
            .map(|a| (a.name().to_owned(), bytes[a.range()].to_vec()))
            .collect(),
    }
}

#[test]
fn a_shielded_add_stake_for_metadata_424_decodes_as_carrier_and_inner() {
    let Some(md) = metadata("subtensor-finney-spec424.metadata.scale") else {
        return;
    };
    let md = md.arc();
    let finney_genesis =
        unhex("0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03");
    let config = SubstrateConfig::builder()
        .set_genesis_hash(H256(finney_genesis.try_into().unwrap()))
        .set_metadata_for_spec_versions([(424, md.clone())])
        .set_spec_version_for_block_ranges([SpecVersionForRange {
            block_range: 0..u64::MAX,
            spec_version: 424,
            transaction_version: 1,
        }])
        .build();
    let client = OfflineClient::new_with_config(config);
    let birth = Birth {
        number: 6_500_123,
        hash: [0x42; 32],
    };
    let block = client.at_block(birth.number).unwrap();

    let signer = KeypairSigner::new(
        Keypair::from_suri(&SecretString::from("//Alice"), CryptoType::Sr25519).unwrap(),
    );
    let hotkey = [7u8; 32];
    let call = PlannedCall {
        proxy: None,
        legs: Vec::new(),
        pallet: "SubtensorModule",
        name: "add_stake_limit",
        args: vec![
            ("hotkey", ArgValue::Account(hotkey)),
            ("netuid", ArgValue::U16(18)),
            ("amount_staked", ArgValue::U64(2_000_000_000)),
            ("limit_price", ArgValue::U64(31_500_000)),
            ("allow_partial", ArgValue::Bool(false)),
        ],
    };
    assert!(carrier::is_stake_trading(&call));
    let (dk, ek) = MlKem768::generate(&mut rand::thread_rng());
    let ek = ek.as_bytes().to_vec();
    let dk = dk.as_bytes().to_vec();
    let nonce = 41;
    let shielded = carrier::shield(
        &block,
        &call,
        signer.public_key(),
        nonce,
        birth,
        64,
        &ek,
        &Either::Signer(&signer),
        &mut rand::thread_rng(),
    )
    .unwrap();
    assert_eq!(shielded.nonce, nonce);
    assert_eq!(shielded.inner_valid_until, birth.number + INNER_ERA_BLOCKS);
    const { assert!(INNER_ERA_BLOCKS <= 8) };

    // The carrier: MevShield.submit_encrypted(ciphertext = our blob), signed by Alice at nonce.
    let c = decode(&md, &shielded.carrier.bytes);
    assert_eq!(
        (c.pallet.as_str(), c.call.as_str()),
        ("MevShield", "submit_encrypted")
    );
    assert_eq!(c.nonce, nonce);
    assert_eq!(c.era, Some(64));
    assert_eq!(c.signer, signer.public_key());
    assert_eq!(c.args.len(), 1);
    assert_eq!(c.args[0].0, "ciphertext");
    let ciphertext = Vec::<u8>::decode(&mut &c.args[0].1[..]).unwrap();
    assert_eq!(ciphertext.len(), shielded.blob_len);
    assert!(ciphertext.len() <= blob::MAX_BLOB_LEN);
    assert_eq!(
        blob::parse(&ciphertext).unwrap().key_hash,
        blob::key_hash(&ek)
    );
    assert_eq!(
        sp_crypto_hashing::blake2_256(&shielded.carrier.bytes),
        shielded.carrier.hash
    );

    // The inner extrinsic: exactly the signed bytes whose hash is followed, the real call at nonce + 1, era 8.
    let inner = blob::open(&ciphertext, &dk).unwrap();
    assert_eq!(inner.len(), shielded.inner_len);
    assert_eq!(sp_crypto_hashing::blake2_256(&inner), shielded.inner_hash);
    let i = decode(&md, &inner);
    assert_eq!(
        (i.pallet.as_str(), i.call.as_str()),
        ("SubtensorModule", "add_stake_limit")
    );
    assert_eq!(i.nonce, nonce + 1);
    assert_eq!(i.era, Some(8));
    assert_eq!(i.signer, signer.public_key());
    let arg = |name: &str| i.args.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(arg("hotkey"), hotkey.to_vec());
    assert_eq!(
        u64::decode(&mut &arg("amount_staked")[..]).unwrap(),
        2_000_000_000
    );
    assert_eq!(
        u64::decode(&mut &arg("limit_price")[..]).unwrap(),
        31_500_000
    );

    // The dummy carrier the preview prices has the real one's length (so its fee is the real fee).
    let (dummy, blob_len) = carrier::dummy_carrier(
        &block,
        &call,
        signer.public_key(),
        nonce,
        birth,
        64,
        CryptoType::Sr25519,
    )
    .unwrap();
    assert_eq!(blob_len, shielded.blob_len);
    assert_eq!(dummy.bytes.len(), shielded.carrier.bytes.len());
}

#[test]
fn a_tao_transfer_is_not_stake_trading() {
    let call = PlannedCall {
        proxy: None,
        legs: Vec::new(),
        pallet: "Balances",
        name: "transfer_keep_alive",
        args: vec![],
    };
    assert!(!carrier::is_stake_trading(&call));
    for name in carrier::SHIELDED_CALLS {
        let call = PlannedCall {
            proxy: None,
            legs: Vec::new(),
            pallet: "SubtensorModule",
            name,
            args: vec![],
        };
        assert!(carrier::is_stake_trading(&call), "{name}");
    }
}

#[test]
fn next_key_is_read_from_its_storage_value() {
    let key = taotui::chain::mev_shield::next_key_storage_key();
    assert_eq!(key.len(), 32);
    assert_eq!(&key[..16], &sp_crypto_hashing::twox_128(b"MevShield"));
    let raw = subxt::ext::codec::Encode::encode(&vec![9u8; 1184]);
    assert_eq!(
        taotui::chain::mev_shield::decode_next_key(&raw).unwrap(),
        vec![9u8; 1184]
    );
    assert!(taotui::chain::mev_shield::decode_next_key(&[0xff]).is_err());
}
