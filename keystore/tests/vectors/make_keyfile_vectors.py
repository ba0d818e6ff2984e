#!/usr/bin/env python3
"""Writes format-level known-answer vectors for taotui's keyfile readers.

Each vector is made by an independent implementation of the format:
  $NACL    - PyNaCl (libsodium): argon2i kdf + SecretBox, exactly as bittensor-wallet does it
  Ansible  - ansible-core's VaultLib (the real Ansible Vault 1.1 writer)
  Fernet   - pyca/cryptography's Fernet with bittensor's legacy PBKDF2 key

Usage (from this folder):  pip install pynacl cryptography ansible-core
                           python3 make_keyfile_vectors.py
Outputs: keyfile_vectors.json (manifest) and one file per vector. Nonces/salts are random, so
re-running produces different but equally valid files.
"""

import base64
import hashlib
import json
import os

import nacl.pwhash
import nacl.secret
from ansible.parsing.vault import VaultLib, VaultSecret
from cryptography.fernet import Fernet

HERE = os.path.dirname(os.path.abspath(__file__))
NACL_SALT = bytes.fromhex("137183dff15a09bc9c90b5518739e9b1")
LEGACY_SALT = b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins"

# Not a real key: a short JSON-ish payload is enough to test the envelope.
PLAINTEXT = '{"accountId": "0x00", "secretPhrase": "vector plaintext ünïcødé"}'


def nacl_blob(plaintext: bytes, password: str) -> bytes:
    key = nacl.pwhash.argon2i.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        password.encode("utf-8"),
        NACL_SALT,
        opslimit=nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE,
        memlimit=nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE,
    )
    assert nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE == 8
    assert nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE == 512 * 1024 * 1024
    # SecretBox.encrypt returns nonce || tag || ciphertext (crypto_secretbox_easy layout).
    return b"$NACL" + bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def ansible_blob(plaintext: bytes, password: str) -> bytes:
    vault = VaultLib([("default", VaultSecret(password.encode("utf-8")))])
    return vault.encrypt(plaintext)


def fernet_blob(plaintext: bytes, password: str) -> bytes:
    raw = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), LEGACY_SALT, 10_000_000, 32)
    return Fernet(base64.urlsafe_b64encode(raw)).encrypt(plaintext)


def main() -> None:
    plaintext = PLAINTEXT.encode("utf-8")
    vectors = [
        ("nacl_ascii.bin", "nacl", "correct horse battery staple", nacl_blob),
        ("nacl_unicode.bin", "nacl", "pässwörd ключ 鍵 🔑", nacl_blob),
        ("ansible.vault", "ansible", "ansible password", ansible_blob),
        ("fernet.token", "fernet", "fernet password", fernet_blob),
    ]
    manifest = []
    for name, fmt, password, make in vectors:
        blob = make(plaintext, password)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(blob)
        manifest.append({"file": name, "format": fmt, "password": password, "plaintext": PLAINTEXT})
    with open(os.path.join(HERE, "keyfile_vectors.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
