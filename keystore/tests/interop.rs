//! Cross-implementation checks against fixtures made by bittensor-wallet (what btcli uses) and
//! polkadot.js; see tests/interop/README.md for how they were made.
//!
//! The polkadot.js direction (taotui signs, polkadot.js verifies) runs
//! `node tests/interop/verify.mjs`, which needs `npm ci --prefix tests/interop` first. Without
//! node or those packages that test prints why and passes, except under CI=true, where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use secrecy::SecretString;
use serde_json::{Value, json};
use taotui_keystore::derive::{self, CryptoType, Keypair};
use taotui_keystore::keydata::{self, KeyData};
use taotui_keystore::keyfile::{self, KeyfileError, KeyfileFormat};
use taotui_keystore::ss58;

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop")
}

fn fixtures() -> PathBuf {
    interop_dir().join("fixtures")
}

fn load(name: &str) -> Vec<Value> {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(!cases.is_empty(), "{name} has no cases");
    cases
}

fn s<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("fixture field {field} missing in {case}"))
}

fn scheme(case: &Value) -> CryptoType {
    s(case, "scheme").parse().unwrap()
}

fn hex_bytes(text: &str) -> Vec<u8> {
    hex::decode(text.strip_prefix("0x").unwrap()).unwrap()
}

fn hex32(text: &str) -> [u8; 32] {
    hex_bytes(text).try_into().unwrap()
}

fn hex64(text: &str) -> [u8; 64] {
    hex_bytes(text).try_into().unwrap()
}

fn from_suri(suri: &str, scheme: CryptoType) -> Keypair {
    Keypair::from_suri(&SecretString::from(suri), scheme)
        .unwrap_or_else(|e| panic!("{scheme} {suri:?}: {e}"))
}

#[test]
fn every_vector_derives_the_same_key() {
    let vectors = load("vectors.json");
    for v in &vectors {
        let k = from_suri(s(v, "suri"), scheme(v));
        assert_eq!(
            format!("0x{}", hex::encode(k.public_key())),
            s(v, "publicKey"),
            "{} {:?} ({})",
            s(v, "scheme"),
            s(v, "suri"),
            s(v, "source")
        );
        assert_eq!(k.ss58(), s(v, "ss58Address"), "{:?}", s(v, "suri"));
        assert_eq!(k.crypto_type(), scheme(v));
    }
    // Both implementations computed nearly all of them; the exceptions are documented cases.
    let both = vectors.iter().filter(|v| s(v, "source") == "both").count();
    assert!(
        both + 2 >= vectors.len(),
        "only {both} of {} vectors were checked by both",
        vectors.len()
    );
}

#[test]
fn secret_uris_are_taken_as_typed_like_bittensor_wallet_not_nfc_normalized() {
    let divergent: Vec<Value> = load("vectors.json")
        .into_iter()
        .filter(|v| v.get("polkadotJs").is_some())
        .collect();
    assert!(
        !divergent.is_empty(),
        "the non-NFC password case is missing from vectors.json"
    );
    for v in &divergent {
        let k = from_suri(s(v, "suri"), scheme(v));
        assert_eq!(
            format!("0x{}", hex::encode(k.public_key())),
            s(v, "publicKey")
        );
        assert_ne!(
            format!("0x{}", hex::encode(k.public_key())),
            s(&v["polkadotJs"], "publicKey"),
            "taotui must follow bittensor-wallet, not polkadot.js, on non-NFC secret URIs"
        );
    }
}

#[test]
fn secret_uris_both_implementations_reject_are_rejected() {
    for case in load("invalid.json") {
        assert!(
            Keypair::from_suri(&SecretString::from(s(&case, "suri")), scheme(&case)).is_err(),
            "accepted {:?} as {} although {}",
            s(&case, "suri"),
            s(&case, "scheme"),
            s(&case, "reason")
        );
    }
}

#[test]
fn ss58_matches_polkadot_js_for_every_prefix() {
    for case in load("ss58.json") {
        let public = hex32(s(&case, "publicKey"));
        let prefix = u16::try_from(case["prefix"].as_u64().unwrap()).unwrap();
        let address = s(&case, "address");
        assert_eq!(ss58::encode(&public, prefix), address, "prefix {prefix}");
        assert_eq!(ss58::decode(address).unwrap(), (public, prefix));
    }
}

#[test]
fn signatures_from_polkadot_js_and_bittensor_wallet_verify() {
    let cases = load("signatures.json");
    assert!(cases.iter().any(|c| s(c, "source") == "polkadot.js"));
    assert!(cases.iter().any(|c| s(c, "source") == "bittensor-wallet"));
    for c in &cases {
        let public = hex32(s(c, "publicKey"));
        let message = hex_bytes(s(c, "message"));
        let signature = hex64(s(c, "signature"));
        assert!(
            derive::verify(scheme(c), &public, &message, &signature),
            "{c}"
        );

        let mut other = message.clone();
        other.push(0);
        assert!(
            !derive::verify(scheme(c), &public, &other, &signature),
            "a longer message verified: {c}"
        );

        let signer = from_suri(s(c, "suri"), scheme(c));
        assert_eq!(signer.public_key(), public);
        // ed25519 is deterministic (RFC 8032): the same key and message give the same bytes.
        if scheme(c) == CryptoType::Ed25519 {
            assert_eq!(
                hex::encode(signer.sign(&message)),
                hex::encode(signature),
                "{c}"
            );
        }
    }
}

/// Runs polkadot.js's `signatureVerify` on each case; `None` when node or the npm packages are
/// not installed (outside CI).
fn polkadot_js_verify(cases: &[Value]) -> Option<Vec<bool>> {
    let dir = interop_dir();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let missing = if !dir.join("node_modules/@polkadot/util-crypto").is_dir() {
        Some("tests/interop/node_modules is missing (run `npm ci --prefix tests/interop`)")
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("`node` is not installed")
    } else {
        None
    };
    if let Some(reason) = missing {
        assert!(
            !ci,
            "CI=true but the polkadot.js check cannot run: {reason}"
        );
        eprintln!("SKIPPED taotui -> polkadot.js signature check: {reason}");
        return None;
    }
    let mut child = Command::new("node")
        .arg(dir.join("verify.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "verify.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn taotui_signatures_verify_in_polkadot_js() {
    let suris = [
        ("//Alice", CryptoType::Sr25519),
        ("//Alice", CryptoType::Ed25519),
        ("//Bob//stash", CryptoType::Ed25519),
        (
            "toward asset praise manual slide wonder welcome sausage agent they exact kingdom//hard/soft///password",
            CryptoType::Sr25519,
        ),
        (
            "0x8f1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff0/soft",
            CryptoType::Sr25519,
        ),
    ];
    let messages: [&[u8]; 3] = [b"", b"taotui signs this", &[0xA5; 300]];
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (suri, scheme) in suris {
        let k = from_suri(suri, scheme);
        for message in messages {
            let signature = k.sign(message);
            let mut case = json!({
                "scheme": scheme.to_string(),
                "publicKey": format!("0x{}", hex::encode(k.public_key())),
                "message": format!("0x{}", hex::encode(message)),
                "signature": format!("0x{}", hex::encode(signature)),
            });
            cases.push(case.clone());
            expected.push(true);
            // Controls: a flipped signature bit and the wrong scheme must be refused, so the
            // verifier cannot pass by answering true to everything.
            let mut bad = signature;
            bad[10] ^= 0x01;
            case["signature"] = json!(format!("0x{}", hex::encode(bad)));
            cases.push(case.clone());
            expected.push(false);
            case["signature"] = json!(format!("0x{}", hex::encode(signature)));
            let other = match scheme {
                CryptoType::Sr25519 => "ed25519",
                CryptoType::Ed25519 => "sr25519",
            };
            case["scheme"] = json!(other);
            cases.push(case);
            expected.push(false);
        }
    }
    if let Some(verdicts) = polkadot_js_verify(&cases) {
        assert_eq!(verdicts, expected);
    }
}

fn wallet_password(entry: &Value) -> SecretString {
    SecretString::from(s(entry, "password"))
}

fn expected_format(entry: &Value) -> KeyfileFormat {
    match s(entry, "format") {
        "nacl" => KeyfileFormat::Nacl,
        "ansible" => KeyfileFormat::Ansible,
        "fernet" => KeyfileFormat::Fernet,
        "plain" => KeyfileFormat::Plain,
        other => panic!("unknown format {other} in wallets.json"),
    }
}

fn check_key_data(entry: &Value, data: &KeyData) {
    let what = format!("{}/{}", s(entry, "wallet"), s(entry, "key"));
    assert_eq!(data.public_key(), hex32(s(entry, "publicKey")), "{what}");
    assert_eq!(data.ss58(), s(entry, "ss58Address"), "{what}");
    assert_eq!(data.crypto_type(), scheme(entry), "{what}");
    assert!(data.has_secret(), "{what}");
    let keypair = data.to_keypair().unwrap().expect("a secret key");
    assert_eq!(keypair.public_key(), hex32(s(entry, "publicKey")), "{what}");
    if let Some(suri) = entry["suri"].as_str() {
        assert_eq!(
            from_suri(suri, scheme(entry)).public_key(),
            keypair.public_key(),
            "{what}"
        );
    }
    // Signing with the recovered key works, so the private half is right, not just the public.
    let signature = keypair.sign(b"interop");
    assert!(derive::verify(
        scheme(entry),
        &keypair.public_key(),
        b"interop",
        &signature
    ));
}

fn check_pub_file(entry: &Value) {
    let bytes = std::fs::read(fixtures().join(s(entry, "pubfile"))).unwrap();
    let info =
        keydata::parse_pub_file(&bytes).unwrap_or_else(|e| panic!("{}: {e}", s(entry, "pubfile")));
    assert_eq!(
        info.public_key,
        hex32(s(entry, "publicKey")),
        "{}",
        s(entry, "pubfile")
    );
    assert_eq!(info.ss58, s(entry, "ss58Address"));
    if s(entry, "pubFormat") == "json" {
        assert_eq!(info.crypto_type, scheme(entry), "{}", s(entry, "pubfile"));
    }
}

fn wallet_entries(formats: &[&str]) -> Vec<Value> {
    let entries: Vec<Value> = load("wallets.json")
        .into_iter()
        .filter(|e| formats.contains(&s(e, "format")))
        .collect();
    assert!(!entries.is_empty(), "no {formats:?} keys in wallets.json");
    entries
}

fn check_wallet_entry(entry: &Value) {
    let raw = std::fs::read(fixtures().join(s(entry, "keyfile"))).unwrap();
    assert_eq!(
        keyfile::detect(&raw),
        expected_format(entry),
        "{}",
        s(entry, "keyfile")
    );
    let plaintext = if expected_format(entry) == KeyfileFormat::Plain {
        raw.clone()
    } else {
        let plain = keyfile::decrypt(&raw, &wallet_password(entry))
            .unwrap_or_else(|e| panic!("{}: {e}", s(entry, "keyfile")));
        plain.to_vec()
    };
    let data =
        KeyData::from_json(&plaintext).unwrap_or_else(|e| panic!("{}: {e}", s(entry, "keyfile")));
    check_key_data(entry, &data);
    check_pub_file(entry);
}

#[test]
fn plaintext_btcli_keys_and_pub_files_load() {
    for entry in wallet_entries(&["plain"]) {
        check_wallet_entry(&entry);
    }
}

#[test]
fn nacl_keys_made_by_bittensor_wallet_decrypt() {
    let entries = wallet_entries(&["nacl"]);
    assert!(
        entries.iter().any(|e| !s(e, "password").is_ascii()),
        "no non-ASCII password case"
    );
    for entry in entries {
        check_wallet_entry(&entry);
    }
}

#[test]
fn legacy_ansible_and_fernet_keys_decrypt() {
    let entries = wallet_entries(&["ansible", "fernet"]);
    assert!(entries.iter().any(|e| s(e, "format") == "fernet"));
    assert!(entries.iter().any(|e| s(e, "pubFormat") == "bare-hex"));
    assert!(entries.iter().any(|e| s(e, "pubFormat") == "quoted-hex"));
    for entry in entries {
        check_wallet_entry(&entry);
    }
}

#[test]
fn wrong_passwords_are_refused_for_legacy_ansible_files() {
    // Only the cheap format here: a $NACL or Fernet try costs seconds of key derivation, and
    // their wrong-password paths are covered by the keyfile unit tests.
    for entry in wallet_entries(&["ansible"]) {
        let raw = std::fs::read(fixtures().join(s(&entry, "keyfile"))).unwrap();
        let err = keyfile::decrypt(
            &raw,
            &SecretString::from(format!("{}x", s(&entry, "password"))),
        )
        .expect_err("a wrong password opened the file");
        assert!(
            matches!(
                err,
                KeyfileError::WrongPassword | KeyfileError::WrongPasswordOrDamaged
            ),
            "{err:?}"
        );
    }
}
