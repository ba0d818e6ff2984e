//! btcli-family formats against vectors made by independent implementations (PyNaCl/libsodium,
//! ansible-core, pyca/cryptography; see vectors/make_keyfile_vectors.py).
//!
//! `$NACL` costs a 512 MiB Argon2i run and Fernet 10 million PBKDF2 rounds per attempt, so
//! these tests are few and each one counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use secrecy::SecretString;
use taotui_keystore::keyfile::{self, KeyfileError, KeyfileFormat, WriteFormat};

struct Vector {
    bytes: Vec<u8>,
    format: String,
    password: String,
    plaintext: String,
}

fn vectors() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("keyfile_vectors.json")).unwrap()).unwrap();
    manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Vector {
            bytes: std::fs::read(dir.join(v["file"].as_str().unwrap())).unwrap(),
            format: v["format"].as_str().unwrap().to_owned(),
            password: v["password"].as_str().unwrap().to_owned(),
            plaintext: v["plaintext"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn vector(format: &str, nth: usize) -> Vector {
    vectors()
        .into_iter()
        .filter(|v| v.format == format)
        .nth(nth)
        .unwrap()
}

fn check_opens(v: &Vector, expected: KeyfileFormat) {
    assert_eq!(keyfile::detect(&v.bytes), expected);
    assert_eq!(keyfile::inspect(&v.bytes).unwrap().format, expected);
    let out = keyfile::decrypt(&v.bytes, &SecretString::from(v.password.clone())).unwrap();
    assert_eq!(&out[..], v.plaintext.as_bytes());
}

#[test]
fn nacl_vector_ascii_password() {
    check_opens(&vector("nacl", 0), KeyfileFormat::Nacl);
}

#[test]
fn nacl_vector_non_ascii_password() {
    let v = vector("nacl", 1);
    assert!(!v.password.is_ascii());
    check_opens(&v, KeyfileFormat::Nacl);
}

#[test]
fn nacl_wrong_password() {
    let v = vector("nacl", 0);
    let err = keyfile::decrypt(
        &v.bytes,
        &SecretString::from("Correct horse battery staple"),
    );
    assert_eq!(err.unwrap_err(), KeyfileError::WrongPasswordOrDamaged);
}

#[test]
fn nacl_round_trip() {
    let p = SecretString::from("round trip ✓");
    let file = keyfile::encrypt(b"{\"a\":1}", &p, WriteFormat::Nacl).unwrap();
    assert!(file.starts_with(b"$NACL"));
    assert_eq!(file.len(), 5 + 24 + 16 + 7);
    assert_eq!(&keyfile::decrypt(&file, &p).unwrap()[..], b"{\"a\":1}");
}

#[test]
fn nacl_truncation_is_caught_before_key_derivation() {
    let v = vector("nacl", 0);
    for len in 5..(5 + 24 + 16) {
        assert_eq!(
            keyfile::inspect(&v.bytes[..len]).unwrap_err(),
            KeyfileError::Truncated
        );
    }
}

#[test]
fn ansible_vector_and_wrong_password() {
    let v = vector("ansible", 0);
    check_opens(&v, KeyfileFormat::Ansible);
    assert_eq!(
        keyfile::decrypt(&v.bytes, &SecretString::from("ansible passwore")).unwrap_err(),
        KeyfileError::WrongPasswordOrDamaged
    );
}

#[test]
fn ansible_round_trip_through_test_writer() {
    let p = SecretString::from("pw");
    let file = keyfile::encrypt_ansible_for_tests(b"hello vault", &p).unwrap();
    assert_eq!(keyfile::detect(&file), KeyfileFormat::Ansible);
    assert_eq!(&keyfile::decrypt(&file, &p).unwrap()[..], b"hello vault");
}

#[test]
fn fernet_vector() {
    check_opens(&vector("fernet", 0), KeyfileFormat::Fernet);
}

#[test]
fn fernet_wrong_password() {
    let v = vector("fernet", 0);
    assert_eq!(
        keyfile::decrypt(&v.bytes, &SecretString::from("fernet passworD")).unwrap_err(),
        KeyfileError::WrongPasswordOrDamaged
    );
}
