//! The one error type of the keyfile layer.
//!
//! Messages name what is wrong and what to do. They never contain a password, a key or any
//! decrypted byte: the only data they carry are lengths, parameter values and format names.

use super::KeyfileFormat;

/// Why a keyfile could not be encrypted or decrypted.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyfileError {
    /// The password does not match (the format can tell this apart from damage).
    #[error("The password is wrong for this keyfile. Check the password and try again.")]
    WrongPassword,

    /// The format has a single authentication check, so a wrong password and a damaged file
    /// look the same.
    #[error(
        "The keyfile could not be unlocked: either the password is wrong or the file is damaged. \
         Check the password; if it is right, restore the key from a backup or its mnemonic."
    )]
    WrongPasswordOrDamaged,

    /// The password is right (or the header is damaged) but the authenticated content does not
    /// verify: the file was modified after it was written.
    #[error(
        "The keyfile has been modified or damaged (its integrity check failed). Do not use it; \
         restore the key from a backup or its mnemonic."
    )]
    Tampered,

    /// The file ends before the format says it should.
    #[error(
        "The keyfile is truncated: it ends before its encrypted content is complete. \
         Restore the key from a backup or its mnemonic."
    )]
    Truncated,

    /// The file belongs to a known family but uses a version or algorithm this build cannot read.
    #[error(
        "The {format} keyfile uses a version or algorithm taotui does not support ({found}). \
         Update taotui, or convert the key with the tool that wrote it."
    )]
    UnsupportedVersion {
        /// The format family recognised from the prefix.
        format: KeyfileFormat,
        /// What was found instead of a supported version (structural text only, never secret).
        found: String,
    },

    /// The key-derivation parameters in the file would take too much memory or time.
    #[error(
        "The keyfile asks for key-derivation work above the safety limit (memory {memory_kib} KiB, \
         {iterations} passes, {parallelism} lanes; the limit is {max_memory_kib} KiB, \
         {max_iterations} passes, {max_parallelism} lanes). It is refused to avoid exhausting \
         this machine; the file is damaged or was not written by taotui."
    )]
    CostTooHigh {
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        max_memory_kib: u32,
        max_iterations: u32,
        max_parallelism: u32,
    },

    /// `decrypt` was given bytes that are not in any encrypted format.
    #[error("The keyfile is not encrypted, so there is nothing to unlock.")]
    NotEncrypted,

    /// The file's structure is broken (bad encoding, impossible field, bad padding...).
    #[error("The keyfile is corrupt: {0}. Restore the key from a backup or its mnemonic.")]
    Corrupt(String),

    /// The caller asked to encrypt with parameters that cannot be used.
    #[error("The encryption parameters are invalid: {0}.")]
    InvalidParameters(String),

    /// The operating system could not supply random bytes for a salt or nonce.
    #[error("The system random number generator failed, so no keyfile was written. Try again.")]
    RandomUnavailable,
}
