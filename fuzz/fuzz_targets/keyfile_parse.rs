//! Keyfile format detection, structural parsing and (cheap) decryption on arbitrary bytes.
//!
//! Expensive key derivations are kept out of reach: native files go through a tiny cost cap
//! and `$NACL`/Fernet files (fixed 512 MiB Argon2i / 10 million PBKDF2 rounds) are only parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;
use taotui_keystore::keyfile::{self, CostCap, KeyfileFormat};

const TINY: CostCap = CostCap {
    max_memory_kib: 256,
    max_iterations: 2,
    max_parallelism: 2,
};

fuzz_target!(|data: &[u8]| {
    let format = keyfile::detect(data);
    assert_eq!(keyfile::is_encrypted(data), format != KeyfileFormat::Plain);
    let info = keyfile::inspect_with_cap(data, &TINY);
    if let Ok(info) = &info {
        assert_eq!(info.format, format);
    }
    match format {
        KeyfileFormat::Native | KeyfileFormat::Ansible | KeyfileFormat::Plain => {
            let password = SecretString::from("fuzz");
            let res = keyfile::decrypt_with_cap(data, &password, &TINY);
            if info.is_err() {
                assert!(res.is_err(), "a file that fails inspection decrypted");
            }
        }
        KeyfileFormat::Nacl | KeyfileFormat::Fernet => {}
    }
});
