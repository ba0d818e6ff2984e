//! Password-based key derivation shared by the formats.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::KeyfileError;

/// Argon2 (v1.3) into a zeroizing 32-byte key.
pub(super) fn argon2(
    algorithm: Algorithm,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    password: &[u8],
    salt: &[u8],
) -> Result<Zeroizing<[u8; 32]>, KeyfileError> {
    let params = argon2_params(memory_kib, iterations, parallelism)?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(algorithm, Version::V0x13, params)
        .hash_password_into(password, salt, &mut key[..])
        .map_err(|e| KeyfileError::InvalidParameters(format!("argon2 refused the input ({e})")))?;
    Ok(key)
}

/// Argon2i v1.3 with one lane, computed by libsodium, into a zeroizing 32-byte key.
///
/// btcli's `$NACL` files cost 512 MiB and 8 passes; libsodium picks its AVX2/SSSE3 code at
/// run time, and the pure-Rust crate took about 1.35x its time here, which users feel on every
/// unlock. It is the function PyNaCl (which wrote the btcli fixtures) calls; the tests below
/// check it against the pure-Rust crate byte for byte. libsodium only does one lane, which is
/// all `$NACL` uses.
pub(super) fn argon2i_libsodium(
    memory_kib: u32,
    iterations: u32,
    password: &[u8],
    salt: &[u8; 16],
) -> Result<Zeroizing<[u8; 32]>, KeyfileError> {
    use alkali::hash::pbkdf::argon2i;

    let memory_bytes = usize::try_from(u64::from(memory_kib) * 1024).map_err(|_| {
        KeyfileError::InvalidParameters(format!(
            "Argon2i memory of {memory_kib} KiB does not fit in this machine's address space"
        ))
    })?;
    let iterations = usize::try_from(iterations).unwrap_or(usize::MAX);
    let mut key = Zeroizing::new([0u8; 32]);
    argon2i::derive_key(password, salt, iterations, memory_bytes, &mut key[..]).map_err(|e| {
        // Past the limits checked by the wrapper, libsodium fails only when it cannot get the
        // memory; the wrapper's message is structural (no secret in it).
        KeyfileError::InvalidParameters(format!(
            "libsodium could not derive the Argon2i key ({e}); it needs {memory_kib} KiB of \
             free memory, so close other programs and try again"
        ))
    })?;
    Ok(key)
}

/// Validates Argon2 parameters the way the argon2 crate will, so files with impossible values
/// are reported before any work is done.
pub(super) fn argon2_params(
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
) -> Result<Params, KeyfileError> {
    Params::new(memory_kib, iterations, parallelism, Some(32)).map_err(|e| {
        KeyfileError::InvalidParameters(format!(
            "argon2 does not accept memory {memory_kib} KiB, {iterations} passes, \
             {parallelism} lanes ({e})"
        ))
    })
}

/// PBKDF2-HMAC-SHA256 into a zeroizing buffer of `N` bytes.
///
/// Written over SHA-256's block function instead of the generic `pbkdf2`/`hmac` crates because
/// their generic code is instantiated in this crate: in the unoptimised builds the tests use,
/// bittensor's 10 million legacy rounds then took about 100 s instead of a few seconds. The
/// block function itself lives in `sha2` (always optimised, SHA-NI when available). Checked
/// against the `pbkdf2` crate in the tests below and against pyca/cryptography's vectors.
pub(super) fn pbkdf2_sha256<const N: usize>(
    password: &[u8],
    salt: &[u8],
    rounds: u32,
) -> Result<Zeroizing<[u8; N]>, KeyfileError> {
    use hmac::digest::Digest;
    use sha2::Sha256;

    // HMAC keys longer than a block are hashed first (RFC 2104).
    let mut key_block = Zeroizing::new([0u8; 64]);
    if password.len() > 64 {
        key_block[..32].copy_from_slice(&Sha256::digest(password));
    } else {
        key_block[..password.len()].copy_from_slice(password);
    }
    let inner = pad_state(&key_block, 0x36);
    let outer = pad_state(&key_block, 0x5c);

    let mut out = Zeroizing::new([0u8; N]);
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        // U1 = HMAC(P, S || INT(i+1)), then U_j = HMAC(P, U_{j-1}); T = U1 ^ ... ^ Uc.
        let block_index = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut first = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(password)
            .map_err(|_| KeyfileError::InvalidParameters("HMAC rejected the password".into()))?;
        hmac::Mac::update(&mut first, salt);
        hmac::Mac::update(&mut first, &block_index.to_be_bytes());
        let mut u = Zeroizing::new(words(&hmac::Mac::finalize(first).into_bytes()));
        let mut acc = u.clone();
        iterate(&inner, &outer, &mut u, &mut acc, rounds);
        for (dst, word) in chunk.chunks_mut(4).zip(acc.iter()) {
            dst.copy_from_slice(&word.to_be_bytes()[..dst.len()]);
        }
    }
    Ok(out)
}

const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 state after absorbing the padded HMAC key block.
fn pad_state(key_block: &[u8; 64], pad: u8) -> Zeroizing<[u32; 8]> {
    let mut state = Zeroizing::new(SHA256_IV);
    let mut block = Zeroizing::new([0u8; 64]);
    for (dst, src) in block.iter_mut().zip(key_block.iter()) {
        *dst = src ^ pad;
    }
    sha2::compress256(&mut state, &[(*block).into()]);
    state
}

/// Rounds 2..=c of PBKDF2: U_j = HMAC(P, U_{j-1}), acc ^= U_j.
///
/// Each HMAC of a 32-byte message is two block compressions from the precomputed pad states;
/// the final block is U || 0x80 || zeros || bit length (64 + 32 bytes = 768 bits). The loop is
/// kept to plain indexing so that it stays cheap even unoptimised.
fn iterate(inner: &[u32; 8], outer: &[u32; 8], u: &mut [u32; 8], acc: &mut [u32; 8], rounds: u32) {
    let mut block_buf = Zeroizing::new(sha2::digest::generic_array::GenericArray::default());
    let mut state_buf = Zeroizing::new([0u32; 8]);
    let block: &mut sha2::digest::generic_array::GenericArray<u8, sha2::digest::consts::U64> =
        &mut block_buf;
    let state: &mut [u32; 8] = &mut state_buf;
    block[32] = 0x80;
    block[62] = 0x03;
    for _ in 1..rounds {
        put_words(block, u);
        *state = *inner;
        sha2::compress256(state, std::slice::from_ref(block));
        put_words(block, state);
        *u = *outer;
        sha2::compress256(u, std::slice::from_ref(block));
        for k in 0..8 {
            acc[k] ^= u[k];
        }
    }
}

fn put_words(block: &mut [u8], w: &[u32; 8]) {
    for k in 0..8 {
        let b = w[k].to_be_bytes();
        block[4 * k] = b[0];
        block[4 * k + 1] = b[1];
        block[4 * k + 2] = b[2];
        block[4 * k + 3] = b[3];
    }
}

fn words(digest: &[u8]) -> [u32; 8] {
    let mut w = [0u32; 8];
    for (dst, src) in w.iter_mut().zip(digest.chunks_exact(4)) {
        *dst = u32::from_be_bytes([src[0], src[1], src[2], src[3]]);
    }
    w
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn libsodium_argon2i_matches_the_pure_rust_crate() {
        // Small costs (libsodium's Argon2i floor is 3 passes) so this stays cheap; the real
        // `$NACL` cost is covered by the btcli fixtures in tests/.
        let salt = [0x5au8; 16];
        for (password, memory_kib, iterations) in [
            (&b""[..], 8u32, 3u32),
            ("pässwörd ключ".as_bytes(), 64, 3),
            (b"benchmark password", 1024, 4),
            (&[0xffu8; 200][..], 256, 8),
        ] {
            let ours = argon2i_libsodium(memory_kib, iterations, password, &salt).unwrap();
            let theirs = argon2(
                Algorithm::Argon2i,
                memory_kib,
                iterations,
                1,
                password,
                &salt,
            )
            .unwrap();
            assert_eq!(*ours, *theirs, "m={memory_kib} t={iterations}");
        }
    }

    #[test]
    fn libsodium_argon2i_rejects_costs_below_its_floor() {
        let err = argon2i_libsodium(8, 1, b"pw", &[0u8; 16]).unwrap_err();
        assert!(matches!(err, KeyfileError::InvalidParameters(_)), "{err:?}");
    }

    #[test]
    fn pbkdf2_matches_the_reference_crate() {
        let long_password = [0xa5u8; 100];
        for (password, salt, rounds) in [
            (&b"password"[..], &b"salt"[..], 1u32),
            (b"password", b"salt", 2),
            (b"", b"", 3),
            (
                b"pw",
                b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins",
                1000,
            ),
            (&long_password[..], b"s", 5),
            (&long_password[..64], b"s", 5),
        ] {
            let ours = pbkdf2_sha256::<80>(password, salt, rounds).unwrap();
            let mut theirs = [0u8; 80];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, &mut theirs);
            assert_eq!(&ours[..], &theirs[..], "rounds {rounds}");
            let ours32 = pbkdf2_sha256::<32>(password, salt, rounds).unwrap();
            assert_eq!(&ours32[..], &theirs[..32]);
        }
    }

    #[test]
    fn pbkdf2_rfc7914_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
        let out = pbkdf2_sha256::<64>(b"passwd", b"salt", 1).unwrap();
        assert_eq!(
            hex::encode(&out[..]),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }
}
