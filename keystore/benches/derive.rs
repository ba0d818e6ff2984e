//! Mnemonic to keypair and SURI derivation timings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use taotui_keystore::derive::{CryptoType, Keypair};
use taotui_keystore::mnemonic::{Mnemonic, WordCount};

fn mnemonic_to_keypair(c: &mut Criterion) {
    for words in [WordCount::W12, WordCount::W24] {
        let phrase = Mnemonic::generate(words).phrase().to_owned();
        c.bench_function(
            &format!("mnemonic {} words -> sr25519 keypair", words.count()),
            |b| {
                b.iter(|| {
                    let m = Mnemonic::parse(black_box(&phrase)).unwrap();
                    black_box(Keypair::from_mnemonic(&m, None, CryptoType::Sr25519).public_key())
                })
            },
        );
    }
}

fn suri_with_hard_path(c: &mut Criterion) {
    let phrase = Mnemonic::generate(WordCount::W12).phrase().to_owned();
    let suri = SecretString::from(format!("{phrase}//bittensor//hotkey/0"));
    c.bench_function("suri 12 words //hard//hard/soft -> sr25519 keypair", |b| {
        b.iter(|| {
            black_box(
                Keypair::from_suri(black_box(&suri), CryptoType::Sr25519)
                    .unwrap()
                    .public_key(),
            )
        })
    });
}

criterion_group!(benches, mnemonic_to_keypair, suri_with_hard_path);
criterion_main!(benches);
