//! The native keyfile format: round trips and every way a file can be wrong.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use blake2::Blake2b;
use blake2::digest::Digest;
use blake2::digest::consts::U16;
use secrecy::SecretString;
use taotui_keystore::keyfile::{
    self, KeyfileError, KeyfileFormat, NativeParams, WriteFormat, native,
};

const PLAINTEXT: &[u8] = br#"{"accountId":"0x01","secretPhrase":"not a real phrase"}"#;
const PASSWORD: &str = "correct horse battery staple";

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn sample() -> Vec<u8> {
    keyfile::encrypt(
        PLAINTEXT,
        &pw(PASSWORD),
        WriteFormat::Native(NativeParams::for_tests()),
    )
    .unwrap()
}

/// Rewrites the header checksum, as a deliberate (not accidental) header edit would.
fn reseal_header(file: &mut [u8]) {
    let sum_at = native::HEADER_LEN - 16;
    let sum = Blake2b::<U16>::digest(&file[..sum_at]);
    file[sum_at..native::HEADER_LEN].copy_from_slice(&sum);
}

fn set_u32(file: &mut [u8], at: usize, v: u32) {
    file[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

const OFF_M: usize = 19;
const OFF_T: usize = 23;
const OFF_P: usize = 27;
const OFF_NONCE: usize = 64;

#[test]
fn round_trip() {
    let file = sample();
    assert_eq!(keyfile::detect(&file), KeyfileFormat::Native);
    assert!(keyfile::is_encrypted(&file));
    assert!(file.starts_with(b"taotui-keyfile/v1\n"));
    assert_eq!(file.len(), native::HEADER_LEN + PLAINTEXT.len() + 16);
    let out = keyfile::decrypt(&file, &pw(PASSWORD)).unwrap();
    assert_eq!(&out[..], PLAINTEXT);

    let info = keyfile::inspect(&file).unwrap();
    assert_eq!(info.format, KeyfileFormat::Native);
    assert_eq!(info.native_params, Some(NativeParams::for_tests()));
}

#[test]
fn round_trip_empty_and_unicode_password() {
    let p = pw("pässwörd ключ 🔑");
    let file = keyfile::encrypt(b"", &p, WriteFormat::Native(NativeParams::for_tests())).unwrap();
    assert!(keyfile::decrypt(&file, &p).unwrap().is_empty());
}

#[test]
fn salt_and_nonce_are_fresh_per_file() {
    let a = sample();
    let b = sample();
    assert_ne!(a[31..76], b[31..76]);
    assert_ne!(a[native::HEADER_LEN..], b[native::HEADER_LEN..]);
}

#[test]
fn wrong_password_is_its_own_error() {
    let file = sample();
    let err = keyfile::decrypt(&file, &pw("correct horse battery stapler")).unwrap_err();
    assert_eq!(err, KeyfileError::WrongPassword);
    let text = format!("{err} {err:?}");
    assert!(!text.contains("stapler"));
    assert!(text.contains("password"));
}

#[test]
fn every_flipped_byte_is_rejected_and_never_blamed_on_the_password() {
    let file = sample();
    let p = pw(PASSWORD);
    for i in 0..file.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = file.clone();
            bad[i] ^= mask;
            let res = keyfile::decrypt(&bad, &p);
            let err = match res {
                Ok(_) => panic!("flipping byte {i} with {mask:#04x} still decrypted"),
                Err(e) => e,
            };
            assert_ne!(
                err,
                KeyfileError::WrongPassword,
                "byte {i} mask {mask:#04x}"
            );
            if i >= 18 {
                // Past the magic every change is caught by the header checksum or by GCM.
                assert_eq!(err, KeyfileError::Tampered, "byte {i} mask {mask:#04x}");
            }
        }
    }
}

#[test]
fn truncation_at_every_length_is_reported_as_truncation() {
    let file = sample();
    let p = pw(PASSWORD);
    for len in 0..file.len() {
        let err = keyfile::decrypt(&file[..len], &p).unwrap_err();
        if len < 6 {
            // Too short to be recognised at all: it is not an encrypted file.
            assert_eq!(err, KeyfileError::NotEncrypted, "length {len}");
        } else {
            assert_eq!(err, KeyfileError::Truncated, "length {len}");
        }
    }
}

#[test]
fn trailing_bytes_are_corruption() {
    let mut file = sample();
    file.push(0);
    assert!(matches!(
        keyfile::decrypt(&file, &pw(PASSWORD)),
        Err(KeyfileError::Corrupt(_))
    ));
}

#[test]
fn consistently_forged_header_still_fails_authentication() {
    // An attacker who recomputes the checksum gets past the damage check, but the header is
    // GCM associated data, so a changed nonce is caught after the (correct) key check.
    let mut file = sample();
    file[OFF_NONCE] ^= 1;
    reseal_header(&mut file);
    assert_eq!(
        keyfile::decrypt(&file, &pw(PASSWORD)).unwrap_err(),
        KeyfileError::Tampered
    );
}

#[test]
fn unknown_version_and_algorithm_ids() {
    let mut v2 = sample();
    v2[16] = b'2';
    match keyfile::decrypt(&v2, &pw(PASSWORD)).unwrap_err() {
        KeyfileError::UnsupportedVersion { format, found } => {
            assert_eq!(format, KeyfileFormat::Native);
            assert!(found.contains("v2"), "{found}");
        }
        other => panic!("unexpected {other:?}"),
    }
    for (at, what) in [(18usize, "key derivation"), (63, "cipher")] {
        let mut f = sample();
        f[at] = 9;
        reseal_header(&mut f);
        match keyfile::decrypt(&f, &pw(PASSWORD)).unwrap_err() {
            KeyfileError::UnsupportedVersion { found, .. } => assert!(found.contains(what)),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn cost_cap_refuses_before_doing_any_work() {
    for (at, value) in [
        (OFF_M, 2 * 1024 * 1024 + 1),
        (OFF_M, u32::MAX),
        (OFF_T, 33),
        (OFF_T, u32::MAX),
        (OFF_P, 17),
    ] {
        let mut f = sample();
        set_u32(&mut f, at, value);
        reseal_header(&mut f);
        let start = Instant::now();
        let err = keyfile::decrypt(&f, &pw(PASSWORD)).unwrap_err();
        assert!(
            matches!(err, KeyfileError::CostTooHigh { .. }),
            "{at}: {err:?}"
        );
        assert!(err.to_string().contains("limit"));
        assert!(start.elapsed() < Duration::from_millis(200));
        assert!(matches!(
            keyfile::inspect(&f),
            Err(KeyfileError::CostTooHigh { .. })
        ));
    }
}

#[test]
fn impossible_parameters_are_corruption() {
    let mut f = sample();
    set_u32(&mut f, OFF_T, 0);
    reseal_header(&mut f);
    assert!(matches!(
        keyfile::decrypt(&f, &pw(PASSWORD)),
        Err(KeyfileError::Corrupt(_))
    ));
}

#[test]
fn weaker_parameters_than_written_give_wrong_password_not_plaintext() {
    // Lowering the cost in the header changes the derived key, so the key check fails.
    let params = NativeParams {
        memory_kib: 128,
        iterations: 2,
        parallelism: 1,
    };
    let mut f = keyfile::encrypt(PLAINTEXT, &pw(PASSWORD), WriteFormat::Native(params)).unwrap();
    set_u32(&mut f, OFF_T, 1);
    reseal_header(&mut f);
    assert_eq!(
        keyfile::decrypt(&f, &pw(PASSWORD)).unwrap_err(),
        KeyfileError::WrongPassword
    );
}

#[test]
fn encrypt_refuses_parameters_it_could_not_open() {
    let too_big = NativeParams {
        memory_kib: 4 * 1024 * 1024,
        iterations: 3,
        parallelism: 1,
    };
    assert!(matches!(
        keyfile::encrypt(PLAINTEXT, &pw(PASSWORD), WriteFormat::Native(too_big)),
        Err(KeyfileError::CostTooHigh { .. })
    ));
    let impossible = NativeParams {
        memory_kib: 1,
        iterations: 1,
        parallelism: 1,
    };
    assert!(matches!(
        keyfile::encrypt(PLAINTEXT, &pw(PASSWORD), WriteFormat::Native(impossible)),
        Err(KeyfileError::InvalidParameters(_))
    ));
}

#[test]
fn default_parameters_meet_the_floor() {
    let d = NativeParams::default();
    assert!(d.memory_kib >= 64 * 1024);
    assert!(d.iterations >= 3);
    assert!(d.parallelism >= 1);
}

#[test]
fn plain_and_unknown_bytes_are_not_encrypted() {
    let p = pw(PASSWORD);
    for bytes in [
        &b"{\"accountId\": \"0x00\"}"[..],
        b"\"0xabcdef\"",
        b"",
        b"random garbage \x00\x01\x02",
        b"taotu",
    ] {
        assert_eq!(keyfile::detect(bytes), KeyfileFormat::Plain);
        assert_eq!(
            keyfile::decrypt(bytes, &p).unwrap_err(),
            KeyfileError::NotEncrypted
        );
    }
}
