//! Property tests: the keyfile parsers never panic, whatever the bytes, and the native format
//! round-trips and rejects every mutation.
//!
//! Only paths without expensive key derivation are driven with arbitrary input: `inspect` for
//! all formats, `decrypt` for native files (under a tiny cost cap) and plain bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use blake2::Blake2b;
use blake2::digest::Digest;
use blake2::digest::consts::U16;
use proptest::prelude::*;
use secrecy::SecretString;
use taotui_keystore::keyfile::{
    self, CostCap, KeyfileError, KeyfileFormat, NativeParams, WriteFormat, native,
};

const TINY: CostCap = CostCap {
    max_memory_kib: 256,
    max_iterations: 2,
    max_parallelism: 2,
};

fn prefixes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(b"$NACL".to_vec()),
        Just(b"$ANSIBLE_VAULT;1.1;AES256\n".to_vec()),
        Just(b"$ANSIBLE_VAULT;1.2;AES256;label\n".to_vec()),
        Just(b"gAAAAA".to_vec()),
        Just(native::MAGIC.to_vec()),
        Just(b"taotui-keyfile/".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn inspect_never_panics(prefix in prefixes(), tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = prefix;
        bytes.extend_from_slice(&tail);
        let res = keyfile::inspect_with_cap(&bytes, &TINY);
        if let Ok(info) = res {
            prop_assert_eq!(info.format, keyfile::detect(&bytes));
        }
    }

    #[test]
    fn ansible_like_hex_bodies_never_panic(body in "[0-9a-f\n]{0,300}") {
        let bytes = format!("$ANSIBLE_VAULT;1.1;AES256\n{body}");
        let _ = keyfile::inspect(bytes.as_bytes());
    }

    #[test]
    fn fernet_like_tokens_never_panic(body in "[A-Za-z0-9_=-]{0,200}") {
        let bytes = format!("gAAAAA{body}");
        let _ = keyfile::inspect(bytes.as_bytes());
    }

    #[test]
    fn native_and_plain_decrypt_never_panic(native_prefix in any::<bool>(), tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = if native_prefix { native::MAGIC.to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&tail);
        if matches!(keyfile::detect(&bytes), KeyfileFormat::Native | KeyfileFormat::Plain) {
            let res = keyfile::decrypt_with_cap(&bytes, &SecretString::from("pw"), &TINY);
            prop_assert!(res.is_err());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn native_header_fields_never_panic_and_respect_the_cap(
        m in any::<u32>(), t in any::<u32>(), p in any::<u32>(), len in any::<u32>(),
        kdf in any::<u8>(), cipher in any::<u8>(),
    ) {
        let mut f = keyfile::encrypt(b"x", &SecretString::from("pw"), WriteFormat::Native(NativeParams::for_tests())).unwrap();
        f[18] = kdf;
        f[19..23].copy_from_slice(&m.to_le_bytes());
        f[23..27].copy_from_slice(&t.to_le_bytes());
        f[27..31].copy_from_slice(&p.to_le_bytes());
        f[63] = cipher;
        f[76..80].copy_from_slice(&len.to_le_bytes());
        let sum = Blake2b::<U16>::digest(&f[..native::HEADER_LEN - 16]);
        f[native::HEADER_LEN - 16..native::HEADER_LEN].copy_from_slice(&sum);
        match keyfile::decrypt_with_cap(&f, &SecretString::from("pw"), &TINY) {
            Ok(_) => prop_assert!(false, "a rewritten header decrypted"),
            Err(KeyfileError::CostTooHigh { .. }) => {
                prop_assert!(m > TINY.max_memory_kib || t > TINY.max_iterations || p > TINY.max_parallelism)
            }
            Err(_) => {}
        }
    }

    #[test]
    fn native_round_trip_and_single_mutation(
        plaintext in proptest::collection::vec(any::<u8>(), 0..200),
        password in ".{0,40}",
        pos in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let p = SecretString::from(password);
        let f = keyfile::encrypt(&plaintext, &p, WriteFormat::Native(NativeParams::for_tests())).unwrap();
        prop_assert_eq!(&keyfile::decrypt(&f, &p).unwrap()[..], &plaintext[..]);
        let mut bad = f.clone();
        let i = pos.index(bad.len());
        bad[i] ^= mask;
        prop_assert!(keyfile::decrypt(&bad, &p).is_err());
    }
}
