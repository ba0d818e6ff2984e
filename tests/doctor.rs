//! `taotui doctor`: the real binary over every metadata file we hold (SCALE and 0x hex), the 475-shaped runtime, a
//! runtime that broke the core, a file that is not metadata, and the live spec-293 chain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::metadata_edit::{FILES, SPEC424, call_variants, encode, read_or_skip, shaped_475, v16};

fn taotui(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taotui"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("TAOTUI_NETWORK")
        .output()
        .expect("running taotui")
}

fn doctor_json(file: &Path, home: &Path) -> (bool, serde_json::Value, String) {
    let out = taotui(
        &["doctor", "--metadata", file.to_str().unwrap(), "--json"],
        home,
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor printed no JSON ({e}): {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn status_of<'a>(json: &'a serde_json::Value, id: &str) -> &'a str {
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no feature {id}"))["status"]
        .as_str()
        .unwrap()
}

#[test]
fn doctor_tells_the_truth_for_every_metadata_file_in_both_forms() {
    let home = tempfile::tempdir().unwrap();
    for (name, spec) in FILES {
        let Some(bytes) = read_or_skip("doctor_tells_the_truth", name) else {
            return;
        };
        let scale = home.path().join(format!("{spec}.scale"));
        std::fs::write(&scale, &bytes).unwrap();
        let hexed = home.path().join(format!("{spec}.hex"));
        std::fs::write(&hexed, format!("0x{}\n", hex::encode(&bytes))).unwrap();
        for file in [&scale, &hexed] {
            let (ok, json, stderr) = doctor_json(file, home.path());
            assert!(ok, "spec {spec} ({}): {stderr}", file.display());
            assert_eq!(json["spec_version"], spec);
            assert_eq!(json["transaction_version"], 1);
            assert_eq!(json["spec_name"], "node-subtensor");
            assert_eq!(json["core_works"], true);
            let extensions = json["extensions"].as_array().unwrap();
            assert!(
                extensions.iter().any(|e| e == "CheckMetadataHash"),
                "{extensions:?}"
            );
            if spec >= 393 {
                assert_eq!(extensions.len(), 13, "spec {spec}: {extensions:?}");
                assert!(extensions.iter().any(|e| e == "CheckShieldedTxValidity"));
            }
            for id in [
                "balances",
                "positions",
                "prices",
                "previews",
                "stake.add",
                "stake.remove",
                "transfer",
            ] {
                assert_eq!(status_of(&json, id), "works", "spec {spec} {id}");
            }
            assert_eq!(
                status_of(&json, "locks"),
                if spec >= 424 { "works" } else { "off" },
                "spec {spec}"
            );
        }
    }
}

#[test]
fn doctor_passes_the_475_shaped_runtime() {
    let Some(bytes) = read_or_skip("doctor_passes_the_475_shaped_runtime", SPEC424) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("475.scale");
    std::fs::write(&file, encode(shaped_475(&bytes))).unwrap();
    let (ok, json, stderr) = doctor_json(&file, home.path());
    assert!(ok, "{stderr}");
    assert_eq!(json["core_works"], true);
    let off: Vec<&serde_json::Value> = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "works")
        .collect();
    assert!(off.is_empty(), "{off:?}");
}

#[test]
fn doctor_fails_with_the_reason_when_the_core_is_broken() {
    let Some(bytes) = read_or_skip("doctor_fails_with_the_reason", SPEC424) else {
        return;
    };
    let mut m = v16(&bytes);
    call_variants(&mut m, "SubtensorModule").retain(|v| v.name != "add_stake");
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("broken.scale");
    std::fs::write(&file, encode(m)).unwrap();
    let (ok, json, stderr) = doctor_json(&file, home.path());
    assert!(!ok, "a runtime without add_stake fails the core");
    assert_eq!(json["core_works"], false);
    assert_eq!(status_of(&json, "stake.add"), "off");
    assert_eq!(status_of(&json, "stake.remove"), "works");
    assert!(
        stderr.contains("the nominator's core does not work on runtime 424")
            && stderr.contains("SubtensorModule.add_stake (the runtime has no such call)"),
        "{stderr}"
    );
    // The human form lists the same verdicts.
    let out = taotui(
        &["doctor", "--metadata", file.to_str().unwrap()],
        home.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(text.contains("nominator core: DOES NOT WORK"), "{text}");
    assert!(text.contains("SubtensorModule.add_stake"), "{text}");
}

#[test]
fn doctor_says_what_is_wrong_with_a_file_that_is_not_metadata() {
    let home = tempfile::tempdir().unwrap();
    for (name, content) in [
        ("junk.bin", &b"\x01\x02not metadata"[..]),
        ("junk.hex", b"0xzz12"),
    ] {
        let file = home.path().join(name);
        std::fs::write(&file, content).unwrap();
        let out = taotui(
            &["doctor", "--metadata", file.to_str().unwrap()],
            home.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains(&format!(
                "cannot use {} as runtime metadata",
                file.display()
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = taotui(&["doctor", "--metadata", "/nonexistent/file"], home.path());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/file"));
}

#[test]
fn doctor_reports_the_live_spec_293_chain() {
    let chain = common::local_chain_or_skip!();
    let home = tempfile::tempdir().unwrap();
    let out = taotui(
        &["doctor", "--network", chain.ws_url(), "--json"],
        home.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["spec_version"], 293);
    assert_eq!(json["endpoint"], chain.ws_url());
    assert_eq!(json["core_works"], true);
    assert_eq!(json["extensions"].as_array().unwrap().len(), 10);
    assert_eq!(status_of(&json, "locks"), "off");
    assert_eq!(status_of(&json, "positions"), "works");
    let out = taotui(&["doctor", "--network", chain.ws_url()], home.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("endpoint    {}", chain.ws_url())),
        "{text}"
    );
    assert!(text.contains("spec 293, transaction version 1"), "{text}");
}
