//! BIP39 English recovery phrases: generation from OS randomness and a forgiving parser.
//!
//! Only the BIP39 word list comes from the `bip39` crate. Packing words into entropy and the
//! checksum are done here so that every intermediate copy of the secret lives in a zeroizing
//! buffer (the `bip39::Mnemonic` type keeps the words in a plain array).

use std::fmt;

use bip39::Language;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// How many words a recovery phrase has; BIP39 allows exactly these five lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WordCount {
    W12,
    W15,
    W18,
    W21,
    W24,
}

impl WordCount {
    /// Every allowed length, shortest first.
    pub const ALL: [WordCount; 5] = [
        WordCount::W12,
        WordCount::W15,
        WordCount::W18,
        WordCount::W21,
        WordCount::W24,
    ];

    /// Number of words.
    pub fn count(self) -> usize {
        match self {
            WordCount::W12 => 12,
            WordCount::W15 => 15,
            WordCount::W18 => 18,
            WordCount::W21 => 21,
            WordCount::W24 => 24,
        }
    }

    /// Bytes of entropy the phrase encodes (each word carries 11 bits, one bit in 33 is checksum).
    pub fn entropy_len(self) -> usize {
        self.count() * 4 / 3
    }
}

impl TryFrom<usize> for WordCount {
    type Error = MnemonicError;

    fn try_from(found: usize) -> Result<Self, Self::Error> {
        match found {
            12 => Ok(WordCount::W12),
            15 => Ok(WordCount::W15),
            18 => Ok(WordCount::W18),
            21 => Ok(WordCount::W21),
            24 => Ok(WordCount::W24),
            _ => Err(MnemonicError::WrongWordCount { found }),
        }
    }
}

impl fmt::Display for WordCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.count())
    }
}

/// Why a recovery phrase was refused. Messages never contain the phrase or the mistyped word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MnemonicError {
    #[error("the recovery phrase is empty; type the 12 to 24 words of your mnemonic")]
    Empty,
    #[error(
        "a recovery phrase has 12, 15, 18, 21 or 24 words, but {found} were given; check for missing or extra words"
    )]
    WrongWordCount { found: usize },
    #[error("{}", unknown_word_message(*position, suggestions))]
    UnknownWord {
        /// 1-based position of the first unknown word.
        position: usize,
        /// Closest BIP39 English words, best first (at most 3, possibly none).
        suggestions: Vec<String>,
    },
    #[error(
        "the recovery phrase fails its checksum: every word is valid, but one is wrong or two are swapped; check the words and their order against your backup"
    )]
    BadChecksum,
    #[error(
        "{bytes} bytes of entropy cannot form a recovery phrase; BIP39 needs 16, 20, 24, 28 or 32 bytes"
    )]
    BadEntropyLength { bytes: usize },
}

fn unknown_word_message(position: usize, suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        format!("word {position} is not in the BIP39 English list; check its spelling")
    } else {
        format!(
            "word {position} is not in the BIP39 English list; did you mean: {}?",
            suggestions.join(", ")
        )
    }
}

/// A valid BIP39 English recovery phrase, stored normalised (lower case, single spaces).
#[derive(Clone)]
pub struct Mnemonic {
    phrase: Zeroizing<String>,
    words: WordCount,
}

impl fmt::Debug for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mnemonic")
            .field("words", &self.words.count())
            .field("phrase", &"<redacted>")
            .finish()
    }
}

// Longest English word is 8 letters; 24 words with separators always fit, so the buffer
// never reallocates and leaves no stray copy behind.
const PHRASE_CAPACITY: usize = 24 * 9;
const MAX_PACKED_BYTES: usize = 33;

impl Mnemonic {
    /// A new random phrase from the operating system's CSPRNG.
    pub fn generate(words: WordCount) -> Mnemonic {
        let mut entropy = Zeroizing::new(vec![0u8; words.entropy_len()]);
        OsRng.fill_bytes(&mut entropy);
        Self::from_entropy_unchecked(&entropy, words)
    }

    /// The phrase encoding `entropy` (16, 20, 24, 28 or 32 bytes).
    pub fn from_entropy(entropy: &[u8]) -> Result<Mnemonic, MnemonicError> {
        let words = WordCount::ALL
            .into_iter()
            .find(|w| w.entropy_len() == entropy.len())
            .ok_or(MnemonicError::BadEntropyLength {
                bytes: entropy.len(),
            })?;
        Ok(Self::from_entropy_unchecked(entropy, words))
    }

    fn from_entropy_unchecked(entropy: &[u8], words: WordCount) -> Mnemonic {
        let mut packed = Zeroizing::new([0u8; MAX_PACKED_BYTES]);
        packed[..entropy.len()].copy_from_slice(entropy);
        let mut checksum = checksum_byte(entropy);
        packed[entropy.len()] = checksum;
        checksum.zeroize();
        let list = Language::English.word_list();
        let mut phrase = Zeroizing::new(String::with_capacity(PHRASE_CAPACITY));
        for i in 0..words.count() {
            if i > 0 {
                phrase.push(' ');
            }
            let mut index = read_11_bits(&packed[..], i);
            phrase.push_str(list[usize::from(index)]);
            index.zeroize();
        }
        Mnemonic { phrase, words }
    }

    /// Parses a phrase as people type or paste it: any whitespace or commas between words, any
    /// case, and numbered forms such as `1-abandon`, `1. abandon`, `1) abandon`.
    pub fn parse(input: &str) -> Result<Mnemonic, MnemonicError> {
        let list = Language::English.word_list();
        let mut indices = Zeroizing::new(Vec::<u16>::with_capacity(24));
        let mut count = 0usize;
        let mut first_unknown: Option<(usize, Vec<String>)> = None;
        for token in input.split(|c: char| c.is_whitespace() || c == ',') {
            let Some(word) = strip_numbering(token) else {
                continue;
            };
            let lower = Zeroizing::new(word.to_lowercase());
            count += 1;
            match Language::English.find_word(&lower) {
                Some(index) => {
                    if indices.len() < indices.capacity() {
                        indices.push(index);
                    }
                }
                None => {
                    if first_unknown.is_none() {
                        first_unknown = Some((count, suggest(&lower)));
                    }
                }
            }
        }
        if count == 0 {
            return Err(MnemonicError::Empty);
        }
        if let Some((position, suggestions)) = first_unknown {
            return Err(MnemonicError::UnknownWord {
                position,
                suggestions,
            });
        }
        let words = WordCount::try_from(count)?;
        let (_entropy, checksum_ok) = unpack(&indices);
        if !checksum_ok {
            return Err(MnemonicError::BadChecksum);
        }
        let mut phrase = Zeroizing::new(String::with_capacity(PHRASE_CAPACITY));
        for (i, &index) in indices.iter().enumerate() {
            if i > 0 {
                phrase.push(' ');
            }
            phrase.push_str(list[usize::from(index)]);
        }
        Ok(Mnemonic { phrase, words })
    }

    /// The normalised phrase: lower case words separated by single spaces.
    pub fn phrase(&self) -> &str {
        &self.phrase
    }

    /// The word at 0-based `index`, if there is one.
    pub fn word(&self, index: usize) -> Option<&str> {
        self.phrase.split(' ').nth(index)
    }

    /// Number of words.
    pub fn word_count(&self) -> usize {
        self.words.count()
    }

    /// The phrase's length as a [`WordCount`].
    pub fn words(&self) -> WordCount {
        self.words
    }

    /// The entropy the phrase encodes (what Substrate feeds to PBKDF2, not the BIP39 seed).
    pub fn entropy(&self) -> Zeroizing<Vec<u8>> {
        let mut indices = Zeroizing::new(Vec::<u16>::with_capacity(24));
        for word in self.phrase.split(' ') {
            if let Some(index) = Language::English.find_word(word) {
                indices.push(index);
            }
        }
        unpack(&indices).0
    }
}

/// Removes a leading "12-", "12.", "12)" or "12:" numbering; `None` for tokens that carry no word.
fn strip_numbering(token: &str) -> Option<&str> {
    let rest = token.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = if rest.len() < token.len() {
        rest.strip_prefix(['-', '.', ')', ':']).unwrap_or(rest)
    } else {
        rest
    };
    if rest.is_empty() { None } else { Some(rest) }
}

/// Closest words: BIP39 words are unique in their first four letters, so a shared prefix is the
/// strongest hint; otherwise the smallest edit distance.
fn suggest(typed: &str) -> Vec<String> {
    let list = Language::English.word_list();
    let prefix_len = typed.chars().count().min(4);
    let prefix: String = typed.chars().take(prefix_len).collect();
    let max_distance = if typed.chars().count() <= 3 { 1 } else { 2 };
    let mut scored: Vec<(usize, usize, &'static str)> = list
        .iter()
        .filter_map(|&word| {
            let distance = strsim::damerau_levenshtein(typed, word);
            let prefix_hit = prefix_len >= 3 && word.starts_with(prefix.as_str());
            if prefix_hit {
                Some((0, distance, word))
            } else if distance <= max_distance {
                Some((1, distance, word))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, w)| w.to_owned())
        .collect()
}

fn checksum_byte(entropy: &[u8]) -> u8 {
    let mut digest = Sha256::digest(entropy);
    let first = digest[0];
    digest.as_mut_slice().zeroize();
    first
}

fn read_11_bits(packed: &[u8], word: usize) -> u16 {
    let mut value = 0u16;
    for bit in word * 11..word * 11 + 11 {
        let set = (packed[bit / 8] >> (7 - bit % 8)) & 1;
        value = (value << 1) | u16::from(set);
    }
    value
}

/// Packs 11-bit word indices into entropy; also reports whether the embedded checksum is right.
fn unpack(indices: &[u16]) -> (Zeroizing<Vec<u8>>, bool) {
    let mut packed = Zeroizing::new([0u8; MAX_PACKED_BYTES]);
    for (word, &index) in indices.iter().enumerate() {
        for b in 0..11 {
            if (index >> (10 - b)) & 1 == 1 {
                let bit = word * 11 + b;
                packed[bit / 8] |= 1 << (7 - bit % 8);
            }
        }
    }
    let entropy_len = indices.len() * 4 / 3;
    let checksum_bits = indices.len() / 3;
    let mut entropy = Zeroizing::new(Vec::with_capacity(entropy_len));
    entropy.extend_from_slice(&packed[..entropy_len]);
    let ok = if entropy_len == 0 {
        false
    } else {
        let shift = 8 - checksum_bits;
        checksum_byte(&entropy) >> shift == packed[entropy_len] >> shift
    };
    (entropy, ok)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn word_count_conversions() {
        for w in WordCount::ALL {
            assert_eq!(WordCount::try_from(w.count()).unwrap(), w);
        }
        assert_eq!(
            WordCount::try_from(13),
            Err(MnemonicError::WrongWordCount { found: 13 })
        );
        assert_eq!(WordCount::W24.entropy_len(), 32);
        assert_eq!(WordCount::W12.entropy_len(), 16);
    }

    #[test]
    fn numbering_is_stripped() {
        assert_eq!(strip_numbering("1-abandon"), Some("abandon"));
        assert_eq!(strip_numbering("12."), None);
        assert_eq!(strip_numbering("3)"), None);
        assert_eq!(strip_numbering("7"), None);
        assert_eq!(strip_numbering("abandon"), Some("abandon"));
        assert_eq!(strip_numbering(""), None);
    }

    #[test]
    fn all_zero_entropy_is_abandon_about() {
        let m = Mnemonic::from_entropy(&[0u8; 16]).unwrap();
        assert_eq!(m.phrase(), ABANDON);
        assert_eq!(&m.entropy()[..], &[0u8; 16]);
    }

    #[test]
    fn suggestions_prefer_shared_prefix() {
        let s = suggest("abandn");
        assert_eq!(s.first().map(String::as_str), Some("abandon"));
        assert!(s.len() <= 3);
        assert!(suggest("qqqqqqqqqq").is_empty());
    }
}
