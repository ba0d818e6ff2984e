//! The btcli keyfile plaintext and pub files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::keydata::{self, KeyData, KeyDataError};
use taotui_keystore::mnemonic::{Mnemonic, WordCount};

const ALICE_HEX: &str = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
const ALICE_SS58: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

fn from_phrase(words: WordCount, scheme: CryptoType) -> (Mnemonic, Keypair) {
    let m = Mnemonic::generate(words);
    let k = Keypair::from_mnemonic(&m, None, scheme);
    (m, k)
}

#[test]
fn to_json_has_every_btcli_field() {
    let (m, k) = from_phrase(WordCount::W12, CryptoType::Sr25519);
    let data = KeyData::from_keypair(&k);
    let json: Value = serde_json::from_slice(&data.to_json()).unwrap();
    let public = format!("0x{}", hex::encode(k.public_key()));
    assert_eq!(json["accountId"], public.as_str());
    assert_eq!(json["publicKey"], public.as_str());
    assert_eq!(
        json["privateKey"],
        format!("0x{}", hex::encode(&k.private_key()[..])).as_str()
    );
    assert_eq!(json["secretPhrase"], m.phrase());
    assert_eq!(
        json["secretSeed"],
        format!("0x{}", hex::encode(k.seed().unwrap().expose_secret())).as_str()
    );
    assert_eq!(json["ss58Address"], k.ss58().as_str());
    assert_eq!(json["cryptoType"], 1);
    assert_eq!(json.as_object().unwrap().len(), 7);
}

#[test]
fn round_trip_for_every_kind_of_key() {
    let keys = [
        from_phrase(WordCount::W24, CryptoType::Sr25519).1,
        from_phrase(WordCount::W12, CryptoType::Ed25519).1,
        Keypair::from_suri(&SecretString::from("//Alice//stash/0"), CryptoType::Sr25519).unwrap(),
        Keypair::from_seed(&[9u8; 32], CryptoType::Sr25519),
    ];
    for k in keys {
        let data = KeyData::from_keypair(&k);
        let back = KeyData::from_json(&data.to_json()).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        assert_eq!(back.ss58(), k.ss58());
        assert_eq!(back.crypto_type(), k.crypto_type());
        assert!(back.has_secret());
        let restored = back.to_keypair().unwrap().unwrap();
        assert_eq!(restored.public_key(), k.public_key());
        assert_eq!(
            restored.phrase().map(|p| p.expose_secret().to_owned()),
            k.phrase().map(|p| p.expose_secret().to_owned())
        );
        assert_eq!(&back.to_json()[..], &data.to_json()[..]);
    }
}

#[test]
fn read_priority_is_phrase_then_seed_then_private_key() {
    let (m, k) = from_phrase(WordCount::W12, CryptoType::Sr25519);
    let other = Keypair::from_seed(&[3u8; 32], CryptoType::Sr25519);
    let public = format!("0x{}", hex::encode(k.public_key()));
    // The seed and private key belong to another account: the phrase wins, so this is fine.
    let json = format!(
        r#"{{"publicKey": "{public}", "secretPhrase": "{}", "secretSeed": "0x{}", "privateKey": "0x{}"}}"#,
        m.phrase(),
        hex::encode([3u8; 32]),
        hex::encode(&other.private_key()[..])
    );
    let restored = KeyData::from_json(json.as_bytes())
        .unwrap()
        .to_keypair()
        .unwrap()
        .unwrap();
    assert_eq!(restored.public_key(), k.public_key());

    let seed_only = format!(
        r#"{{"publicKey": "{public}", "secretSeed": "{}", "privateKey": "0x{}"}}"#,
        hex::encode(k.seed().unwrap().expose_secret()),
        hex::encode(&other.private_key()[..])
    );
    let restored = KeyData::from_json(seed_only.as_bytes())
        .unwrap()
        .to_keypair()
        .unwrap()
        .unwrap();
    assert_eq!(restored.public_key(), k.public_key());

    let private_only = format!(
        r#"{{"privateKey": "{}", "publicKey": "{public}"}}"#,
        hex::encode(&k.private_key()[..])
    );
    let restored = KeyData::from_json(private_only.as_bytes())
        .unwrap()
        .to_keypair()
        .unwrap()
        .unwrap();
    assert_eq!(restored.public_key(), k.public_key());
}

#[test]
fn missing_and_null_fields() {
    let json = format!(
        r#"{{"secretPhrase": null, "privateKey": null, "secretSeed": null, "accountId": "{ALICE_HEX}", "publicKey": null, "ss58Address": "{ALICE_SS58}"}}"#
    );
    let data = KeyData::from_json(json.as_bytes()).unwrap();
    assert_eq!(hex::encode(data.public_key()), &ALICE_HEX[2..]);
    assert_eq!(data.crypto_type(), CryptoType::Sr25519);
    assert!(!data.has_secret());
    assert!(data.to_keypair().unwrap().is_none());

    // Secrets only, no public fields: the public key is derived; hex without 0x is fine.
    let k = Keypair::from_seed(&[5u8; 32], CryptoType::Ed25519);
    let json = format!(
        r#"{{"cryptoType": 0, "secretSeed": "{}"}}"#,
        hex::encode([5u8; 32])
    );
    let data = KeyData::from_json(json.as_bytes()).unwrap();
    assert_eq!(data.public_key(), k.public_key());
    assert_eq!(data.ss58(), k.ss58());
    assert_eq!(data.crypto_type(), CryptoType::Ed25519);

    assert_eq!(KeyData::from_json(b"{}").unwrap_err(), KeyDataError::NoKey);
}

#[test]
fn inconsistent_files_are_refused() {
    let (m, _) = from_phrase(WordCount::W12, CryptoType::Sr25519);
    let json = format!(
        r#"{{"publicKey": "{ALICE_HEX}", "secretPhrase": "{}"}}"#,
        m.phrase()
    );
    let data = KeyData::from_json(json.as_bytes()).unwrap();
    let err = data.to_keypair().unwrap_err();
    assert_eq!(
        err,
        KeyDataError::Inconsistent {
            secret_field: "secretPhrase",
            public_field: "publicKey"
        }
    );
    let message = err.to_string();
    assert!(message.contains("inconsistent"));
    // The same message whatever the phrase (searching it for the phrase's words failed now and then: a random
    // phrase can hold a word the fixed message uses).
    let (other, _) = from_phrase(WordCount::W12, CryptoType::Sr25519);
    let json = format!(
        r#"{{"publicKey": "{ALICE_HEX}", "secretPhrase": "{}"}}"#,
        other.phrase()
    );
    let other_message = KeyData::from_json(json.as_bytes())
        .unwrap()
        .to_keypair()
        .unwrap_err()
        .to_string();
    assert_eq!(message, other_message);
    assert!(!message.contains(m.phrase()));

    let other_key = format!("0x{}", "11".repeat(32));
    let json = format!(r#"{{"publicKey": "{ALICE_HEX}", "accountId": "{other_key}"}}"#);
    assert!(matches!(
        KeyData::from_json(json.as_bytes()).unwrap_err(),
        KeyDataError::Inconsistent { .. }
    ));
    let bob = Keypair::from_suri(&SecretString::from("//Bob"), CryptoType::Sr25519).unwrap();
    let json = format!(
        r#"{{"publicKey": "{ALICE_HEX}", "ss58Address": "{}"}}"#,
        bob.ss58()
    );
    assert!(matches!(
        KeyData::from_json(json.as_bytes()).unwrap_err(),
        KeyDataError::Inconsistent { .. }
    ));
}

#[test]
fn bad_input_gives_clear_errors_without_secrets() {
    assert!(matches!(
        KeyData::from_json(b"{\"publicKey\": ").unwrap_err(),
        KeyDataError::InvalidJson { .. }
    ));
    assert_eq!(
        KeyData::from_json(b"[1, 2]").unwrap_err(),
        KeyDataError::NotAnObject
    );
    assert_eq!(
        KeyData::from_json(b"\"0x12\"").unwrap_err(),
        KeyDataError::NotAnObject
    );
    assert!(matches!(
        KeyData::from_json(b"").unwrap_err(),
        KeyDataError::InvalidJson { .. }
    ));
    assert_eq!(
        KeyData::from_json(br#"{"publicKey": "0x1234"}"#).unwrap_err(),
        KeyDataError::BadField {
            field: "publicKey",
            expected: "expected 0x followed by 64 hex digits (a 32-byte public key)"
        }
    );
    assert_eq!(
        KeyData::from_json(
            format!(r#"{{"publicKey": "{ALICE_HEX}", "cryptoType": 2}}"#).as_bytes()
        )
        .unwrap_err(),
        KeyDataError::UnknownCryptoType
    );

    let secret_seed = "ab".repeat(31);
    let json = format!(r#"{{"secretSeed": "0x{secret_seed}"}}"#);
    let err = KeyData::from_json(json.as_bytes()).unwrap_err();
    assert!(matches!(
        err,
        KeyDataError::BadField {
            field: "secretSeed",
            ..
        }
    ));
    assert!(!err.to_string().contains(&secret_seed));

    let json = br#"{"privateKey": 123456789}"#;
    let err = KeyData::from_json(json).unwrap_err();
    assert!(matches!(
        err,
        KeyDataError::BadField {
            field: "privateKey",
            ..
        }
    ));
    assert!(!err.to_string().contains("123456789"));

    let json = br#"{"secretPhrase": "abandon abandon zebraa"}"#;
    let err = KeyData::from_json(json).unwrap_err();
    assert!(matches!(err, KeyDataError::InvalidPhrase(_)));
    assert!(!err.to_string().contains("zebraa"));
}

#[test]
fn crypto_type_accepts_numbers_and_names() {
    for (value, expected) in [
        ("0", CryptoType::Ed25519),
        ("1", CryptoType::Sr25519),
        ("\"ed25519\"", CryptoType::Ed25519),
        ("\"1\"", CryptoType::Sr25519),
        ("null", CryptoType::Sr25519),
    ] {
        let json = format!(r#"{{"publicKey": "{ALICE_HEX}", "cryptoType": {value}}}"#);
        assert_eq!(
            KeyData::from_json(json.as_bytes()).unwrap().crypto_type(),
            expected
        );
    }
}

#[test]
fn sr25519_cofactor_layout_private_key_is_read() {
    let k = Keypair::from_suri(&SecretString::from("//Ferdie"), CryptoType::Sr25519).unwrap();
    let mut layout = k.private_key().to_vec();
    let mut carry = 0u8;
    for byte in layout[..32].iter_mut() {
        let next = *byte >> 5;
        *byte = (*byte << 3) | carry;
        carry = next;
    }
    let json = format!(
        r#"{{"privateKey": "0x{}", "publicKey": "0x{}"}}"#,
        hex::encode(&layout),
        hex::encode(k.public_key())
    );
    let restored = KeyData::from_json(json.as_bytes())
        .unwrap()
        .to_keypair()
        .unwrap()
        .unwrap();
    assert_eq!(restored.public_key(), k.public_key());
}

/// The words of a `KeyData` Debug output that are not values (field names, the scheme, flags).
fn debug_labels(data: &KeyData) -> Vec<String> {
    let debug = format!("{data:?}");
    let ss58 = data.ss58();
    debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty() && *t != ss58)
        .map(str::to_owned)
        .collect()
}

fn other_key() -> Keypair {
    Keypair::from_suri(
        &SecretString::from("//Alice".to_owned()),
        CryptoType::Sr25519,
    )
    .unwrap()
}

#[test]
fn debug_is_redacted() {
    let (m, k) = from_phrase(WordCount::W12, CryptoType::Sr25519);
    let data = KeyData::from_keypair(&k);
    let debug = format!("{data:?}");
    assert!(debug.contains(&k.ss58()));
    assert!(!debug.contains(m.phrase()));
    assert!(!debug.contains(&hex::encode(&k.private_key()[..32])));
    assert!(!debug.contains(&hex::encode(k.seed().unwrap().expose_secret())));
    // The Debug output's own labels ("key", "private", "type", "true", ...) are BIP39 words too,
    // so a random phrase may share one of them; only the other tokens could leak a word.
    let labels = debug_labels(&KeyData::from_keypair(&other_key()));
    let tokens: Vec<&str> = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !labels.iter().any(|l| l == t))
        .collect();
    for i in 0..12 {
        assert!(!tokens.contains(&m.word(i).unwrap()), "{debug}");
    }
}

#[test]
fn pub_files() {
    let alice = {
        let mut key = [0u8; 32];
        hex::decode_to_slice(&ALICE_HEX[2..], &mut key).unwrap();
        key
    };
    let written = keydata::pub_file_json(&alice, CryptoType::Sr25519);
    let json: Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(json["accountId"], ALICE_HEX);
    assert_eq!(json["publicKey"], ALICE_HEX);
    assert_eq!(json["ss58Address"], ALICE_SS58);
    assert_eq!(json["cryptoType"], 1);
    assert_eq!(json.as_object().unwrap().len(), 4);

    let forms: Vec<Vec<u8>> = vec![
        written,
        format!("\"{ALICE_HEX}\"").into_bytes(),
        format!("{ALICE_HEX}\n").into_bytes(),
        ALICE_HEX.as_bytes()[2..].to_vec(),
        format!("{{\"ss58Address\": \"{ALICE_SS58}\"}}").into_bytes(),
        format!("{{\"accountId\": \"{ALICE_HEX}\", \"publicKey\": \"{ALICE_HEX}\", \"ss58Address\": \"{ALICE_SS58}\"}}").into_bytes(),
    ];
    for form in forms {
        let info = keydata::parse_pub_file(&form).unwrap();
        assert_eq!(info.public_key, alice);
        assert_eq!(info.ss58, ALICE_SS58);
        assert_eq!(info.crypto_type, CryptoType::Sr25519);
    }
    let ed = keydata::pub_file_json(&alice, CryptoType::Ed25519);
    assert_eq!(
        keydata::parse_pub_file(&ed).unwrap().crypto_type,
        CryptoType::Ed25519
    );

    for bad in [
        &b""[..],
        b"   ",
        b"\"0x12\"",
        b"hello",
        b"[1]",
        b"{\"publicKey\": 5}",
    ] {
        assert!(
            keydata::parse_pub_file(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert_eq!(
        keydata::parse_pub_file(b"{}").unwrap_err(),
        KeyDataError::NoKey
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// Key order does not matter, and arbitrary bytes never panic the reader.
    #[test]
    fn key_order_is_free(order in Just((0..7).collect::<Vec<usize>>()).prop_shuffle()) {
        let k = Keypair::from_seed(&[0x42; 32], CryptoType::Sr25519);
        let original: Value = serde_json::from_slice(&KeyData::from_keypair(&k).to_json()).unwrap();
        let entries: Vec<(String, Value)> = original.as_object().unwrap().clone().into_iter().collect();
        let body: Vec<String> = order
            .iter()
            .map(|&i| format!("{}: {}", Value::String(entries[i].0.clone()), entries[i].1))
            .collect();
        let text = format!("{{{}}}", body.join(", "));
        let back = KeyData::from_json(text.as_bytes()).unwrap();
        prop_assert_eq!(back.to_keypair().unwrap().unwrap().public_key(), k.public_key());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = KeyData::from_json(&bytes);
        let _ = keydata::parse_pub_file(&bytes);
    }
}
