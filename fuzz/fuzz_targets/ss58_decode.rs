//! SS58 decoding of arbitrary text: never panics, and whatever decodes re-encodes to an
//! address that decodes to the same key and prefix.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taotui_keystore::ss58;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((key, prefix)) = ss58::decode(text) {
        let again = ss58::encode(&key, prefix);
        assert_eq!(ss58::decode(&again).ok(), Some((key, prefix)));
    }
});
