//! The recovery phrase parser: normalisation, helpful errors, and agreement with the bip39 crate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bip39::Language;
use proptest::prelude::*;
use taotui_keystore::mnemonic::{Mnemonic, MnemonicError, WordCount};

const ABANDON: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

#[test]
fn generated_phrases_have_the_right_length_and_are_valid_bip39() {
    for w in WordCount::ALL {
        let m = Mnemonic::generate(w);
        assert_eq!(m.word_count(), w.count());
        assert_eq!(m.words(), w);
        assert_eq!(m.entropy().len(), w.entropy_len());
        let reference =
            bip39::Mnemonic::parse_in_normalized(Language::English, m.phrase()).unwrap();
        assert_eq!(reference.to_entropy(), m.entropy().to_vec());
    }
    assert_ne!(
        Mnemonic::generate(WordCount::W12).phrase(),
        Mnemonic::generate(WordCount::W12).phrase()
    );
}

#[test]
fn messy_input_is_normalised() {
    let inputs = [
        "  ABANDON abandon\tabandon\nabandon  abandon abandon abandon abandon abandon abandon abandon About \n",
        "1-abandon 2-abandon 3-abandon 4-abandon 5-abandon 6-abandon 7-abandon 8-abandon 9-abandon 10-abandon 11-abandon 12-about",
        "1. abandon 2. abandon 3. abandon 4. abandon 5. abandon 6. abandon 7. abandon 8. abandon 9. abandon 10. abandon 11. abandon 12. about",
        "1) abandon\n2) abandon\n3) abandon\n4) abandon\n5) abandon\n6) abandon\n7) abandon\n8) abandon\n9) abandon\n10) abandon\n11) abandon\n12) about",
        "abandon, abandon, abandon, abandon, abandon, abandon, abandon, abandon, abandon, abandon, abandon, about",
    ];
    for input in inputs {
        let m = Mnemonic::parse(input).unwrap();
        assert_eq!(m.phrase(), ABANDON);
        assert_eq!(m.word(11), Some("about"));
        assert_eq!(m.word(12), None);
        assert_eq!(&m.entropy()[..], &[0u8; 16]);
    }
}

#[test]
fn errors_are_specific() {
    assert_eq!(Mnemonic::parse("").unwrap_err(), MnemonicError::Empty);
    assert_eq!(Mnemonic::parse(" \n\t ").unwrap_err(), MnemonicError::Empty);
    assert_eq!(
        Mnemonic::parse("abandon abandon about").unwrap_err(),
        MnemonicError::WrongWordCount { found: 3 }
    );
    // Last word changed from "about" to "abandon": all words valid, checksum wrong.
    assert_eq!(
        Mnemonic::parse(&["abandon"; 12].join(" ")).unwrap_err(),
        MnemonicError::BadChecksum
    );
    let typo = ABANDON.replacen("abandon", "abandn", 1).replacen(
        "abandon abandon abandon abandon",
        "abandon abandon abandon abandonn",
        1,
    );
    match Mnemonic::parse(&typo).unwrap_err() {
        MnemonicError::UnknownWord {
            position,
            suggestions,
        } => {
            assert_eq!(position, 1);
            assert_eq!(suggestions.first().map(String::as_str), Some("abandon"));
        }
        other => panic!("expected UnknownWord, got {other:?}"),
    }
}

#[test]
fn unknown_word_message_names_position_and_suggestions_only() {
    let mut words: Vec<&str> = ABANDON.split(' ').collect();
    words[4] = "abiltiy";
    let err = Mnemonic::parse(&words.join(" ")).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("word 5 is not in the BIP39 English list; did you mean: "),
        "{message}"
    );
    assert!(message.contains("ability"), "{message}");
    assert!(!message.contains("abiltiy"));
    let MnemonicError::UnknownWord { suggestions, .. } = err else {
        panic!()
    };
    assert!(!suggestions.is_empty() && suggestions.len() <= 3);
    // No other word of the phrase appears unless it is itself a suggestion.
    if !suggestions.iter().any(|s| s == "abandon") {
        assert!(!message.contains("abandon"));
    }

    let far = Mnemonic::parse(&ABANDON.replacen("about", "xyzzyq", 1)).unwrap_err();
    assert_eq!(
        far.to_string(),
        "word 12 is not in the BIP39 English list; check its spelling"
    );
}

#[test]
fn from_entropy_rejects_bad_lengths_and_matches_bip39() {
    assert_eq!(
        Mnemonic::from_entropy(&[0u8; 17]).unwrap_err(),
        MnemonicError::BadEntropyLength { bytes: 17 }
    );
    let entropy = [0x7fu8; 16];
    assert_eq!(
        Mnemonic::from_entropy(&entropy).unwrap().phrase(),
        "legal winner thank year wave sausage worth useful legal winner thank yellow"
    );
    let entropy = [0xffu8; 32];
    let reference = bip39::Mnemonic::from_entropy(&entropy).unwrap().to_string();
    assert_eq!(
        Mnemonic::from_entropy(&entropy).unwrap().phrase(),
        reference
    );
}

#[test]
fn word_count_rejects_other_counts() {
    for n in [0usize, 1, 11, 13, 23, 25, 48] {
        let err = WordCount::try_from(n).unwrap_err();
        assert_eq!(err, MnemonicError::WrongWordCount { found: n });
        assert!(err.to_string().contains("12, 15, 18, 21 or 24"));
    }
}

#[test]
fn debug_is_redacted() {
    let m = Mnemonic::generate(WordCount::W12);
    let debug = format!("{m:?}");
    assert!(debug.contains("12"));
    assert!(!debug.contains(m.phrase()));
    // The same text whatever the phrase ("phrase" is itself a BIP39 word, so searching the text for the phrase's
    // words would fail now and then without a leak).
    let other = Mnemonic::generate(WordCount::W12);
    assert_ne!(other.phrase(), m.phrase());
    assert_eq!(format!("{other:?}"), debug);
}

fn word_count() -> impl Strategy<Value = WordCount> {
    prop::sample::select(WordCount::ALL.to_vec())
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", "  ", "\t", "\n", " \r\n ", ", "])
}

fn case_mix(word: &str, mask: u64) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    /// Any phrase re-typed with random case, spacing and numbering parses to the same phrase.
    #[test]
    fn retyped_phrases_parse_to_the_same_phrase(
        entropy in prop::collection::vec(any::<u8>(), 32),
        count in word_count(),
        masks in prop::collection::vec(any::<u64>(), 24),
        seps in prop::collection::vec(separator(), 25),
        numbering in prop::sample::select(vec!["", "-", ". ", ") ", ":"]),
    ) {
        let m = Mnemonic::from_entropy(&entropy[..count.entropy_len()]).unwrap();
        let mut typed = String::from(seps[24]);
        for i in 0..count.count() {
            if !numbering.is_empty() {
                typed.push_str(&format!("{}{}", i + 1, numbering));
            }
            typed.push_str(&case_mix(m.word(i).unwrap(), masks[i]));
            typed.push_str(seps[i]);
        }
        let parsed = Mnemonic::parse(&typed).unwrap();
        prop_assert_eq!(parsed.phrase(), m.phrase());
        prop_assert_eq!(&parsed.entropy()[..], &entropy[..count.entropy_len()]);
    }

    /// Replacing one word gives UnknownWord (not in the list) or BadChecksum; it parses only when
    /// the new phrase really is a valid BIP39 phrase (checked with the bip39 crate), which
    /// happens for about one valid-word replacement in 2^(checksum bits).
    #[test]
    fn single_word_replacement(
        entropy in prop::collection::vec(any::<u8>(), 16),
        position in 0usize..12,
        replacement in prop_oneof![
            prop::sample::select(Language::English.word_list().to_vec()).prop_map(str::to_owned),
            "[a-z]{1,9}",
        ],
    ) {
        let m = Mnemonic::from_entropy(&entropy).unwrap();
        let mut words: Vec<&str> = m.phrase().split(' ').collect();
        prop_assume!(words[position] != replacement);
        words[position] = &replacement;
        let text = words.join(" ");
        let in_list = Language::English.find_word(&replacement).is_some();
        match Mnemonic::parse(&text) {
            Ok(parsed) => {
                prop_assert!(in_list);
                prop_assert!(bip39::Mnemonic::parse_in_normalized(Language::English, &text).is_ok());
                prop_assert_eq!(parsed.phrase(), text.as_str());
            }
            Err(MnemonicError::UnknownWord { position: p, suggestions }) => {
                prop_assert!(!in_list);
                prop_assert_eq!(p, position + 1);
                prop_assert!(suggestions.len() <= 3);
            }
            Err(MnemonicError::BadChecksum) => {
                prop_assert!(in_list);
                prop_assert!(bip39::Mnemonic::parse_in_normalized(Language::English, &text).is_err());
            }
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }

    /// Arbitrary input never panics, and anything accepted is a valid bip39 phrase.
    #[test]
    fn arbitrary_input_never_panics(input in ".{0,200}") {
        if let Ok(m) = Mnemonic::parse(&input) {
            prop_assert!(bip39::Mnemonic::parse_in_normalized(Language::English, m.phrase()).is_ok());
        }
    }
}
