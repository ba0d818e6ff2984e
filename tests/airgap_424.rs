//! Air-gapped signing with the metadata check on (`CheckMetadataHash` mode 1), for finney's spec 424, which has
//! the extension (the local spec-293 chain refuses mode 1: see tests/airgap_chain.rs). Fully offline: the unsigned
//! file is made from the metadata file, `taotui sign` runs as its own process with an unreachable network, and an
//! independent decoder (@polkadot/types, tests/chain/decode_extrinsic_metadata.mjs) checks the result: the call and
//! mode 1 as signed, and the signature verifying only over a payload that carries polkadot-api's digest of the
//! same metadata (tests/interop/fixtures/metadata_digests.json).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use subxt::Metadata;
use taotui::chain::extrinsics::build::offline_at;
use taotui::chain::extrinsics::{ArgValue, PlannedCall, payload};
use taotui::chain::offline::build::Signing;
use taotui::chain::offline::{
    self, Era, MetadataHashMode, SignedTx, UNSIGNED_FORMAT, UnsignedCall, UnsignedTx,
};

const FINNEY_GENESIS: &str = "2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
const BIRTH: u64 = 5_123_457;
const BIRTH_HASH: [u8; 32] = [0x42; 32];
const PASSWORD: &str = "correct horse battery staple 42\n";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn metadata_path() -> PathBuf {
    manifest().join("../shared/chain/subtensor-finney-spec424.metadata.scale")
}

fn taotui(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .arg("--wallet-path")
        .arg(home.join("wallets"))
        .arg("--password-file")
        .arg(home.join("pw"))
        .env("TAOTUI_NETWORK", "ws://127.0.0.1:1")
        .env("TAOTUI_DATA_DIR", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("TAOTUI_PASSWORD_FILE")
        .output()
        .unwrap()
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = taotui(home, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?}:\n{text}");
    text
}

fn decode(metadata_hash: Option<&str>, extrinsic: &[u8]) -> serde_json::Value {
    let mut cmd = Command::new("node");
    cmd.arg(manifest().join("tests/chain/decode_extrinsic_metadata.mjs"))
        .arg(metadata_path())
        .arg(format!("0x{FINNEY_GENESIS}"))
        .arg(format!("0x{}", hex::encode(BIRTH_HASH)))
        .arg("424")
        .arg("1")
        .arg(format!("0x{}", hex::encode(extrinsic)));
    match metadata_hash {
        Some(h) => cmd.env("METADATA_HASH", h),
        None => cmd.env_remove("METADATA_HASH"),
    };
    let out = cmd.output().expect("running node");
    assert!(
        out.status.success(),
        "decoder: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["extrinsics"][0].clone()
}

#[test]
fn a_transfer_signed_offline_for_424_commits_to_the_metadata_digest() {
    if !metadata_path().exists() || Command::new("node").arg("--version").output().is_err() {
        eprintln!("SKIPPED: needs ../shared/chain and node");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::fs::write(home.join("pw"), PASSWORD).unwrap();
    std::fs::write(home.join("suri"), "//AirgapOffline424\n").unwrap();
    ok(
        home,
        &[
            "wallet",
            "regen-coldkey",
            "-w",
            "cold",
            "--secret-file",
            home.join("suri").to_str().unwrap(),
            "--allow-weak-password",
        ],
    );
    let signer = taotui_keystore::derive::Keypair::from_suri(
        &secrecy::SecretString::from("//AirgapOffline424".to_owned()),
        taotui_keystore::derive::CryptoType::Sr25519,
    )
    .unwrap();
    let imported = ok(
        home,
        &["metadata", "import", metadata_path().to_str().unwrap()],
    );
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("tests/interop/fixtures/metadata_digests.json"))
            .unwrap(),
    )
    .unwrap();
    let digest = fixture["digests"]["424"].as_str().unwrap().to_owned();
    assert!(imported.contains(&digest), "{imported}");

    // The unsigned file an online machine would write for a 3 TAO transfer.
    let dest = [7u8; 32];
    let call = PlannedCall {
        pallet: "Balances",
        name: "transfer_keep_alive",
        args: vec![
            ("dest", ArgValue::Address(dest)),
            ("value", ArgValue::U64(3_000_000_000)),
        ],
        proxy: None,
        legs: Vec::new(),
    };
    let md = Metadata::decode_from(&std::fs::read(metadata_path()).unwrap()[..]).unwrap();
    let genesis: [u8; 32] = hex::decode(FINNEY_GENESIS).unwrap().try_into().unwrap();
    let at = offline_at(md, genesis, 424, 1, BIRTH).unwrap();
    let bytes = at.tx().call_data(&payload(&call)).unwrap();
    let unsigned = UnsignedTx {
        format: UNSIGNED_FORMAT.to_owned(),
        version: 1,
        network: "finney".to_owned(),
        genesis_hash: genesis,
        spec_name: "node-subtensor".to_owned(),
        spec_version: 424,
        transaction_version: 1,
        signer: signer.ss58(),
        crypto: "sr25519".to_owned(),
        nonce: 17,
        tip: 0,
        era: Era {
            birth_number: BIRTH,
            birth_hash: BIRTH_HASH,
            period: 64,
        },
        metadata_hash: MetadataHashMode {
            mode: 0,
            digest: None,
        },
        metadata_hash_refused: false,
        call: UnsignedCall {
            pallet: call.pallet.to_owned(),
            name: call.name.to_owned(),
            bytes,
        },
        description: offline::describe_planned(&call),
        mev_shield: "not shielded: signed offline".to_owned(),
        preview: serde_json::Value::Null,
    };
    unsigned.write(&home.join("tx.json")).unwrap();

    let out = ok(
        home,
        &[
            "sign",
            home.join("tx.json").to_str().unwrap(),
            "-w",
            "cold",
            "-y",
        ],
    );
    // The online side proposed mode 0; the offline side decides with its own metadata, which has the extension.
    assert!(
        out.contains(&format!(
            "metadata check: on (CheckMetadataHash mode 1, digest {digest})"
        )),
        "{out}"
    );
    assert!(
        out.contains("Balances.transfer_keep_alive") && out.contains("3 τ"),
        "{out}"
    );
    // The chain is named from the genesis hash itself, not from the online machine's words.
    assert!(
        out.contains("0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03 (finney, the main network)"),
        "{out}"
    );
    let signed = SignedTx::read(&home.join("tx.signed.json")).unwrap();
    assert_eq!(signed.metadata_hash.mode, 1);
    assert_eq!(
        format!("0x{}", hex::encode(signed.metadata_hash.digest.unwrap())),
        digest
    );

    // Attaching the signature as `taotui submit` does, then decoding independently.
    let md = Metadata::decode_from(&std::fs::read(metadata_path()).unwrap()[..]).unwrap();
    let built = offline::build(
        md.into(),
        &signed.unsigned,
        signed.metadata_hash,
        Signing::Given {
            crypto: taotui_keystore::derive::CryptoType::Sr25519,
            bytes: &signed.signature,
        },
    )
    .unwrap();
    assert_eq!(built.hash, signed.extrinsic_hash);
    let x = decode(Some(&digest), &built.bytes);
    assert_eq!(x["section"], "balances");
    assert_eq!(x["method"], "transferKeepAlive");
    assert_eq!(x["args"]["value"], 3_000_000_000u64);
    assert_eq!(x["mode"], 1);
    assert_eq!(x["nonce"], 17);
    assert_eq!(x["reencodes"], true);
    assert_eq!(x["signatureValid"], true, "{x}");
    // Without the digest in the payload the signature does not verify: it commits to the metadata.
    let x = decode(None, &built.bytes);
    assert_eq!(x["signatureValid"], false, "{x}");

    // The QR route, as the online side proposes it (mode 1, its digest): the text is signed the same way, shown in
    // the same words, and its signature's text alone, paired with the online side's file, makes a transaction
    // whose signature verifies over the digest.
    use taotui::chain::offline::{compact, pair};
    let mut proposed = unsigned.clone();
    proposed.metadata_hash = MetadataHashMode {
        mode: 1,
        digest: Some(
            hex::decode(digest.trim_start_matches("0x"))
                .unwrap()
                .try_into()
                .unwrap(),
        ),
    };
    proposed.write(&home.join("qr.json")).unwrap();
    let text = compact::unsigned_text(&proposed).unwrap();
    std::fs::write(home.join("qr.txt"), format!("{text}\n")).unwrap();
    let out = ok(
        home,
        &[
            "sign",
            home.join("qr.txt").to_str().unwrap(),
            "-w",
            "cold",
            "-y",
        ],
    );
    assert!(
        out.contains(&format!(
            "metadata check: on (CheckMetadataHash mode 1, digest {digest})"
        )) && out.contains("(finney, the main network)"),
        "{out}"
    );
    let from_text = SignedTx::read(&home.join("qr.signed.json")).unwrap();
    assert_eq!(from_text.signed_description, signed.signed_description);
    assert_eq!(from_text.unsigned.call.pallet, "Balances");
    let signature = out
        .split_whitespace()
        .find(|w| w.starts_with("TAOTUI:S1:"))
        .unwrap_or_else(|| panic!("{out}"));
    let paired = pair::pair(signature, Some(&home.join("qr.json")), None).unwrap();
    let mode = paired.metadata_hash().unwrap();
    assert_eq!(mode, proposed.metadata_hash);
    let md = Metadata::decode_from(&std::fs::read(metadata_path()).unwrap()[..]).unwrap();
    let built = offline::build(
        md.into(),
        &paired.unsigned,
        mode,
        Signing::Given {
            crypto: paired.signature.crypto,
            bytes: &paired.signature.signature,
        },
    )
    .unwrap();
    assert!(taotui_keystore::derive::verify(
        paired.signature.crypto,
        &signer.public_key(),
        &built.signer_payload,
        &paired.signature.signature
    ));
    let x = decode(Some(&digest), &built.bytes);
    assert_eq!(x["signatureValid"], true, "{x}");
    assert_eq!(x["args"]["value"], 3_000_000_000u64);
    // The same signature with the first file (another transaction: mode 0 proposed) is refused by its binding.
    let e = pair::pair(signature, Some(&home.join("tx.json")), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("made for another unsigned transaction"), "{e}");
}

#[test]
fn once_the_offline_signer_forbids_the_network_no_client_connects() {
    use taotui::chain::client::{ChainClient, ConnectOptions};
    use taotui::chain::network::Network;
    taotui::chain::offline::forbid_network();
    let network = Network::resolve(Some("ws://127.0.0.1:9944"), None).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Err(err) = rt.block_on(ChainClient::connect(&network, ConnectOptions::default())) else {
        panic!("connect must fail");
    };
    assert!(err.to_string().contains("the offline signer"), "{err}");
}

/// A staking batch signed through a proxy: the online side describes the payload it encodes (`Proxy.proxy` around
/// `Utility.batch_all`), and the offline side, decoding those bytes with metadata 424, reads exactly the same lines,
/// each leg spelled out (before, the online words named only the inner call and every such file was refused as
/// different).
#[test]
fn a_proxied_batch_reads_the_same_on_both_sides() {
    use taotui::chain::extrinsics::ProxyFor;
    let leg = |name: &'static str, amount_arg: &'static str, netuid: u16| PlannedCall {
        pallet: "SubtensorModule",
        name,
        args: vec![
            ("hotkey", ArgValue::Account([5; 32])),
            ("netuid", ArgValue::U16(netuid)),
            (amount_arg, ArgValue::U64(2_000_000_000)),
        ],
        proxy: None,
        legs: Vec::new(),
    };
    let call = PlannedCall {
        pallet: "Utility",
        name: "batch_all",
        args: Vec::new(),
        proxy: Some(ProxyFor {
            real: [1; 32],
            delegate: [2; 32],
            proxy_type: Some("Staking".to_owned()),
        }),
        legs: vec![
            leg("add_stake", "amount_staked", 3),
            leg("remove_stake", "amount_unstaked", 4),
        ],
    };
    let md = Metadata::decode_from(&std::fs::read(metadata_path()).unwrap()[..]).unwrap();
    let genesis: [u8; 32] = hex::decode(FINNEY_GENESIS).unwrap().try_into().unwrap();
    let at = offline_at(md, genesis, 424, 1, BIRTH).unwrap();
    let bytes = at.tx().call_data(&payload(&call)).unwrap();
    let decoded = at.tx().from_call_data_bytes(&bytes).unwrap();
    let offline_words = offline::describe_call(
        decoded.pallet_name(),
        decoded.call_name(),
        decoded.call_data(),
    );
    let online_words = offline::describe_planned(&call);
    assert_eq!(
        offline::differences(&online_words, &offline_words),
        Vec::<String>::new()
    );
    let text: Vec<String> = offline_words
        .iter()
        .map(|l| format!("{}: {}", l.label, l.text))
        .collect();
    assert_eq!(text[0], "call: Proxy.proxy");
    for expected in [
        "call: Utility.batch_all",
        "call.calls[0]: SubtensorModule.add_stake",
        "call.calls[0].amount_staked (amount (TAO)): 2 τ",
        "call.calls[1]: SubtensorModule.remove_stake",
        "call.calls[1].netuid (subnet): 4",
    ] {
        assert!(
            text.iter().any(|t| t == expected),
            "{expected} in {text:#?}"
        );
    }
}
