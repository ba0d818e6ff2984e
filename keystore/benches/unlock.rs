//! Unlock cost of the encrypted keyfile formats (each iteration is one full key derivation).
//!
//! `cargo bench -p taotui-keystore --bench unlock` runs both; add `-- native` or `-- nacl` for one.
//! Targets: native at default parameters 0.5-1 s on a 2-core machine; `$NACL` within 1.2x of
//! libsodium for the same Argon2i parameters (see benches/nacl_vs_libsodium.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use taotui_keystore::keyfile::{self, NativeParams, WriteFormat};

const PLAINTEXT: &[u8] = br#"{"accountId":"0x00","secretPhrase":"bench only"}"#;

fn unlock(c: &mut Criterion) {
    let password = SecretString::from("benchmark password");
    let mut group = c.benchmark_group("unlock");
    // Each iteration takes around a second: ten samples are the minimum criterion accepts.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));

    let native = keyfile::encrypt(
        PLAINTEXT,
        &password,
        WriteFormat::Native(NativeParams::default()),
    )
    .unwrap();
    group.bench_function("native_default", |b| {
        b.iter(|| keyfile::decrypt(&native, &password).unwrap())
    });

    let nacl = keyfile::encrypt(PLAINTEXT, &password, WriteFormat::Nacl).unwrap();
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("nacl", |b| {
        b.iter(|| keyfile::decrypt(&nacl, &password).unwrap())
    });
    group.finish();
}

criterion_group!(benches, unlock);
criterion_main!(benches);
