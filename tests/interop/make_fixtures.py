"""Step 2 of 2 of the fixture generation (step 1 is make_fixtures.mjs, run it first).

* Re-derives every polkadot.js vector in fixtures/vectors.json with bittensor-wallet, asserts
  that both agree, and marks those cases "both".
* Checks the polkadot.js signatures with bittensor-wallet and adds signatures made by
  bittensor-wallet, checked by polkadot.js through verify.mjs.
* Writes btcli wallets under fixtures/wallets/ with bittensor-wallet's own API, plus the legacy
  Ansible Vault and Fernet keyfiles bittensor-wallet 4.x no longer writes, and describes every
  file in fixtures/wallets.json.

Run with a virtualenv holding requirements.txt (see README.md). The $NACL and Fernet key
derivations are slow on purpose (Argon2i 512 MiB, PBKDF2 10M rounds): expect about a minute.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.constants import DEFAULT_VAULT_ID_MATCH
from bittensor_wallet import Keypair, Wallet
from bittensor_wallet import keyfile as btkf
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
WALLETS = FIXTURES / "wallets"

SCHEMES = {"sr25519": 1, "ed25519": 0}

# The constants legacy bittensor (< 6) used for its Fernet keyfiles.
FERNET_SALT = b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins"
FERNET_ROUNDS = 10_000_000


def load(name: str):
    path = FIXTURES / name
    if not path.exists():
        sys.exit(f"{path} is missing: run `node make_fixtures.mjs` first (see README.md).")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def write(name: str, data) -> None:
    with (FIXTURES / name).open("w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def hex0x(b: bytes) -> str:
    return "0x" + b.hex()


def node_verify(cases: list[dict]) -> list[bool]:
    """Asks polkadot.js (verify.mjs) whether each signature is valid."""
    out = subprocess.run(
        ["node", str(HERE / "verify.mjs")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


# --- vectors ---------------------------------------------------------------------------------


def check_vectors() -> list[dict]:
    vectors = load("vectors.json")
    if any(v["source"] != "polkadot.js" for v in vectors):
        sys.exit("fixtures/vectors.json was already checked: run `node make_fixtures.mjs` first (see README.md).")
    for v in vectors:
        kp = Keypair.create_from_uri(v["suri"], crypto_type=SCHEMES[v["scheme"]])
        got = (hex0x(kp.public_key), kp.ss58_address)
        want = (v["publicKey"], v["ss58Address"])
        if got == want:
            v["source"] = "both"
            continue
        # The one known disagreement: polkadot.js NFC-normalizes the secret URI, bittensor-wallet
        # (like subkey) does not. btcli users' keys come from bittensor-wallet, so its key is the
        # expected one and the polkadot.js key is kept for reference.
        assert unicodedata.normalize("NFC", v["suri"]) != v["suri"], (
            f"bittensor-wallet and polkadot.js disagree on {v['scheme']} {v['suri']!r}: {got} != {want}"
        )
        nfc = Keypair.create_from_uri(unicodedata.normalize("NFC", v["suri"]), crypto_type=SCHEMES[v["scheme"]])
        assert (hex0x(nfc.public_key), nfc.ss58_address) == want, f"unexplained disagreement on {v['suri']!r}"
        v.update(
            publicKey=got[0],
            ss58Address=got[1],
            source="bittensor-wallet",
            polkadotJs={"publicKey": want[0], "ss58Address": want[1]},
            note="secret URI not in Unicode NFC: polkadot.js normalizes it to NFC first, bittensor-wallet and "
            "subkey use the bytes as given; taotui must match bittensor-wallet",
        )
    return vectors


def check_invalid() -> list[dict]:
    invalid = load("invalid.json")
    for case in invalid:
        try:
            Keypair.create_from_uri(case["suri"], crypto_type=SCHEMES[case["scheme"]])
        except ValueError:
            case["source"] = "both"
            continue
        raise AssertionError(f"bittensor-wallet accepted {case['suri']!r} that polkadot.js rejects")
    return invalid


# --- signatures ------------------------------------------------------------------------------


def check_signatures() -> list[dict]:
    sigs = [s for s in load("signatures.json") if s["source"] == "polkadot.js"]
    for s in sigs:
        pub = Keypair(public_key=s["publicKey"], crypto_type=SCHEMES[s["scheme"]])
        msg = bytes.fromhex(s["message"][2:])
        assert pub.verify(msg, bytes.fromhex(s["signature"][2:])), f"bittensor-wallet rejects {s}"
    made = []
    for suri, scheme in [("//Alice", "sr25519"), ("//Alice", "ed25519")]:
        kp = Keypair.create_from_uri(suri, crypto_type=SCHEMES[scheme])
        for message in {s["message"] for s in sigs}:
            sig = kp.sign(bytes.fromhex(message[2:]))
            made.append(
                {
                    "suri": suri,
                    "scheme": scheme,
                    "publicKey": hex0x(kp.public_key),
                    "message": message,
                    "signature": hex0x(sig),
                    "source": "bittensor-wallet",
                }
            )
    made.sort(key=lambda s: (s["scheme"], s["message"]))
    ok = node_verify([{k: s[k] for k in ("scheme", "publicKey", "message", "signature")} for s in made])
    assert all(ok) and len(ok) == len(made), f"polkadot.js rejects bittensor-wallet signatures: {ok}"
    # The same ed25519 key and message must give the same bytes in both implementations.
    for s in made:
        if s["scheme"] == "ed25519":
            twin = [t for t in sigs if (t["suri"], t["scheme"], t["message"]) == (s["suri"], s["scheme"], s["message"])]
            assert all(t["signature"] == s["signature"] for t in twin), f"ed25519 signatures differ for {s}"
    return sigs + made


# --- wallets ---------------------------------------------------------------------------------


def rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def fields_of(plaintext: bytes) -> list[str]:
    return sorted(json.loads(plaintext))


def expect(kp: Keypair) -> dict:
    return {"publicKey": hex0x(kp.public_key), "ss58Address": kp.ss58_address}


def vector_for(vectors: list[dict], suri: str, scheme: str) -> dict:
    hits = [v for v in vectors if v["suri"] == suri and v["scheme"] == scheme]
    assert hits, f"no vector for {scheme} {suri!r}"
    return hits[0]


def fernet_key(password: str) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=FERNET_SALT, iterations=FERNET_ROUNDS)
    return base64.urlsafe_b64encode(kdf.derive(password.encode("utf-8")))


def write_secret(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


def write_pub_legacy(path: Path, content: str) -> None:
    path.write_text(content, encoding="utf-8")
    try:
        bytes(btkf.deserialize_keypair_from_keyfile_data(path.read_bytes()).public_key)
    except Exception:  # expected: bittensor-wallet 4.x dropped these forms
        return
    raise AssertionError(f"bittensor-wallet now reads {path.name} in the legacy form {content!r}: update README.md")


def make_wallets(vectors: list[dict], mnemonics: dict) -> list[dict]:
    if WALLETS.exists():
        shutil.rmtree(WALLETS)
    WALLETS.mkdir(parents=True)
    entries: list[dict] = []
    bt = f"bittensor-wallet {version('bittensor-wallet')}"

    def record(wallet: str, key: str, *, fmt: str, password, secret: dict, scheme: str, kp: Keypair, made_by: str,
               pub_format: str = "json", note: str | None = None, bittensor_wallet_reads: bool = True) -> None:
        # pubFormat: "json" (what bittensor-wallet writes), "bare-hex" (0x... not JSON, legacy),
        # "quoted-hex" (the same as a JSON string). bittensor-wallet 4.x reads only "json".
        if key == "coldkey":
            keyfile, pubfile = WALLETS / wallet / "coldkey", WALLETS / wallet / "coldkeypub.txt"
        else:
            keyfile, pubfile = WALLETS / wallet / "hotkeys" / key, WALLETS / wallet / "hotkeys" / f"{key}pub.txt"
        raw = keyfile.read_bytes()
        plaintext = raw if fmt == "plain" else btkf_decrypt(raw, password, fmt)
        # Cross-check with the JS vectors when the key came from a secret URI both can derive.
        if "suri" in secret:
            v = vector_for(vectors, secret["suri"], scheme)
            assert (v["publicKey"], v["ss58Address"]) == (hex0x(kp.public_key), kp.ss58_address)
        entry = {
            "wallet": wallet,
            "key": key,
            "keyfile": rel(keyfile),
            "pubfile": rel(pubfile),
            "format": fmt,
            "pubFormat": pub_format,
            "password": password,
            **secret,
            "scheme": scheme,
            "cryptoType": SCHEMES[scheme],
            **expect(kp),
            "plaintextFields": fields_of(plaintext),
            "madeBy": made_by,
            "bittensorWalletReads": bittensor_wallet_reads,
        }
        if note:
            entry["note"] = note
        entries.append(entry)

    def btkf_decrypt(raw: bytes, password, fmt: str) -> bytes:
        if fmt == "fernet":
            return Fernet(fernet_key(password)).decrypt(raw)
        return bytes(btkf.decrypt_keyfile_data(raw, password=password))

    # 1. $NACL coldkey, ASCII password, plus a plaintext sr25519 hotkey.
    name, pw = "nacl-ascii", "correct horse battery staple"
    w = Wallet(name=name, hotkey="default", path=str(WALLETS))
    w.regenerate_coldkey(mnemonic=mnemonics["label12"]["phrase"], use_password=True, coldkey_password=pw,
                         overwrite=True, suppress=True)
    w.regenerate_hotkey(mnemonic=mnemonics["x7f12"]["phrase"], use_password=False, overwrite=True, suppress=True)
    assert w.get_coldkey(password=pw).ss58_address == w.coldkeypub.ss58_address
    record(name, "coldkey", fmt="nacl", password=pw, secret={"mnemonic": mnemonics["label12"]["phrase"],
           "suri": mnemonics["label12"]["phrase"]}, scheme="sr25519", kp=w.coldkeypub,
           made_by=f"{bt} Wallet.regenerate_coldkey(mnemonic, use_password=True, coldkey_password)")
    record(name, "default", fmt="plain", password=None, secret={"mnemonic": mnemonics["x7f12"]["phrase"],
           "suri": mnemonics["x7f12"]["phrase"]}, scheme="sr25519", kp=w.hotkey,
           made_by=f"{bt} Wallet.regenerate_hotkey(mnemonic, use_password=False)")

    # 2. $NACL coldkey (24 words), non-ASCII password, plus a plaintext ed25519 hotkey.
    name, pw = "nacl-unicode", "p\u00e4ssw\u00f6rd-\u5bc6\u7801"
    w = Wallet(name=name, hotkey="ed", path=str(WALLETS))
    w.regenerate_coldkey(mnemonic=mnemonics["label24"]["phrase"], use_password=True, coldkey_password=pw,
                         overwrite=True, suppress=True)
    w.regenerate_hotkey(mnemonic=mnemonics["ff12"]["phrase"], use_password=False, overwrite=True, suppress=True,
                        crypto_type=0)
    assert w.get_coldkey(password=pw).ss58_address == w.coldkeypub.ss58_address
    record(name, "coldkey", fmt="nacl", password=pw, secret={"mnemonic": mnemonics["label24"]["phrase"],
           "suri": mnemonics["label24"]["phrase"]}, scheme="sr25519", kp=w.coldkeypub,
           made_by=f"{bt} Wallet.regenerate_coldkey(mnemonic, use_password=True, coldkey_password)")
    record(name, "ed", fmt="plain", password=None, secret={"mnemonic": mnemonics["ff12"]["phrase"],
           "suri": mnemonics["ff12"]["phrase"]}, scheme="ed25519", kp=w.hotkey,
           made_by=f"{bt} Wallet.regenerate_hotkey(mnemonic, use_password=False, crypto_type=0)",
           note="ed25519 keyfile: privateKey and secretSeed are the 32-byte seed, not 64 bytes")

    # 3. Plaintext coldkey, a hotkey from a derived secret URI (privateKey only, no phrase or
    #    seed in the file), a hotkey from a hex seed and an ed25519 hotkey from //Alice.
    name = "plain"
    w = Wallet(name=name, hotkey="derived", path=str(WALLETS))
    w.regenerate_coldkey(mnemonic=mnemonics["zero24"]["phrase"], use_password=False, overwrite=True, suppress=True)
    record(name, "coldkey", fmt="plain", password=None, secret={"mnemonic": mnemonics["zero24"]["phrase"],
           "suri": mnemonics["zero24"]["phrase"]}, scheme="sr25519", kp=w.coldkeypub,
           made_by=f"{bt} Wallet.regenerate_coldkey(mnemonic, use_password=False)")
    suri = mnemonics["label12"]["phrase"] + "//hard/soft"
    w.create_hotkey_from_uri(suri, use_password=False, overwrite=True, suppress=True)
    record(name, "derived", fmt="plain", password=None, secret={"suri": suri}, scheme="sr25519", kp=w.hotkey,
           made_by=f"{bt} Wallet.create_hotkey_from_uri(suri, use_password=False)",
           note="only privateKey (scalar||nonce) holds the secret: a soft-derived key has no seed")
    seed = next(v["suri"] for v in vectors if v["suri"].startswith("0x") and "/" not in v["suri"])
    w = Wallet(name=name, hotkey="seed", path=str(WALLETS))
    w.regenerate_hotkey(seed=seed, use_password=False, overwrite=True, suppress=True)
    record(name, "seed", fmt="plain", password=None, secret={"seed": seed, "suri": seed}, scheme="sr25519",
           kp=w.hotkey, made_by=f"{bt} Wallet.regenerate_hotkey(seed, use_password=False)")
    w = Wallet(name=name, hotkey="alice-ed", path=str(WALLETS))
    w.create_hotkey_from_uri("//Alice", use_password=False, overwrite=True, suppress=True, crypto_type=0)
    record(name, "alice-ed", fmt="plain", password=None, secret={"suri": "//Alice"}, scheme="ed25519", kp=w.hotkey,
           made_by=f"{bt} Wallet.create_hotkey_from_uri('//Alice', use_password=False, crypto_type=0)")

    # 4. Ansible Vault 1.1 coldkey made with ansible-core's VaultLib, the library legacy
    #    bittensor called through the `ansible_vault` package; old-style pub file.
    name, pw = "legacy-ansible", "ansible vault password"
    kp = Keypair.create_from_mnemonic(mnemonics["zero12"]["phrase"])
    plaintext = bytes(btkf.serialized_keypair_to_keyfile_data(kp))
    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(pw.encode("utf-8")))])
    blob = vault.encrypt(plaintext)
    assert blob.startswith(b"$ANSIBLE_VAULT;1.1;AES256\n")
    assert vault.decrypt(blob) == plaintext
    write_secret(WALLETS / name / "coldkey", blob)
    # Legacy bittensor's reader took a pub file that is not JSON but starts with "0x" as the
    # bare hex public key; bittensor-wallet 4.x no longer reads it.
    write_pub_legacy(WALLETS / name / "coldkeypub.txt", hex0x(kp.public_key))
    record(name, "coldkey", fmt="ansible", password=pw, secret={"mnemonic": mnemonics["zero12"]["phrase"],
           "suri": mnemonics["zero12"]["phrase"]}, scheme="sr25519", kp=kp, pub_format="bare-hex",
           made_by=f"ansible-core {version('ansible-core')} VaultLib.encrypt over "
                   f"{bt} serialized_keypair_to_keyfile_data")

    # 5. Ansible Vault as bittensor-wallet's own legacy writer makes it (4.x still ships it).
    name, pw = "legacy-ansible-bt", "bittensor ansible password"
    kp = Keypair.create_from_mnemonic(mnemonics["x7f12"]["phrase"])
    plaintext = bytes(btkf.serialized_keypair_to_keyfile_data(kp))
    blob = bytes(btkf.legacy_encrypt_keyfile_data(plaintext, password=pw))
    assert vault_decrypt(blob, pw) == plaintext, "ansible-core cannot open bittensor-wallet's Ansible Vault"
    write_secret(WALLETS / name / "coldkey", blob)
    Wallet(name=name, path=str(WALLETS)).set_coldkeypub(kp, overwrite=True)
    record(name, "coldkey", fmt="ansible", password=pw, secret={"mnemonic": mnemonics["x7f12"]["phrase"],
           "suri": mnemonics["x7f12"]["phrase"]}, scheme="sr25519", kp=kp,
           made_by=f"{bt} legacy_encrypt_keyfile_data (checked with ansible-core VaultLib.decrypt)")

    # 6. Fernet coldkey exactly as legacy bittensor wrote it; old-style pub file.
    name, pw = "legacy-fernet", "fernet password"
    kp = Keypair.create_from_mnemonic(mnemonics["label24"]["phrase"])
    plaintext = bytes(btkf.serialized_keypair_to_keyfile_data(kp))
    blob = Fernet(fernet_key(pw)).encrypt(plaintext)
    assert blob.startswith(b"gAAAAA")
    write_secret(WALLETS / name / "coldkey", blob)
    # The same public key as a JSON string, the other way an old pub file can hold it.
    write_pub_legacy(WALLETS / name / "coldkeypub.txt", json.dumps(hex0x(kp.public_key)))
    try:
        bt_reads = bytes(btkf.decrypt_keyfile_data(blob, password=pw)) == plaintext
    except Exception:  # bittensor-wallet 4.x dropped Fernet; record that instead of failing.
        bt_reads = False
    record(name, "coldkey", fmt="fernet", password=pw, secret={"mnemonic": mnemonics["label24"]["phrase"],
           "suri": mnemonics["label24"]["phrase"]}, scheme="sr25519", kp=kp, pub_format="quoted-hex",
           made_by=f"cryptography {version('cryptography')} Fernet, key = urlsafe_b64(PBKDF2-HMAC-SHA256("
                   f"password, legacy bittensor salt, {FERNET_ROUNDS} rounds, 32 bytes))",
           bittensor_wallet_reads=bt_reads)

    for p in WALLETS.rglob("*"):
        p.chmod(0o700 if p.is_dir() else 0o600)
    return entries


def vault_decrypt(blob: bytes, password: str) -> bytes:
    return VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(password.encode("utf-8")))]).decrypt(blob)


def main() -> None:
    vectors = check_vectors()
    invalid = check_invalid()
    signatures = check_signatures()
    wallets = make_wallets(vectors, load("mnemonics.json"))
    write("vectors.json", vectors)
    write("invalid.json", invalid)
    write("signatures.json", signatures)
    write("wallets.json", wallets)
    generated = load("generated_by.json")
    generated["python"] = {
        "python": sys.version.split()[0],
        **{pkg: version(pkg) for pkg in ("bittensor-wallet", "ansible-core", "cryptography")},
    }
    write("generated_by.json", generated)
    print(f"checked {len(vectors)} vectors and {len(invalid)} invalid URIs with bittensor-wallet; "
          f"{len(signatures)} signatures; {len(wallets)} wallet keys in {WALLETS}")


if __name__ == "__main__":
    main()
