"""MEV shield blobs made by the peer implementation, for tests/mev_shield_interop.rs.

Packages (exact versions; install into a throwaway virtualenv, see README.md):
    bittensor-core==0.1.5   the Rust core of bittensor 11 / btcli 11: encrypt_mlkem768
    kyber-py==1.2.0         an independent pure-Python FIPS 203 ML-KEM, for the key pair

bittensor-core can encrypt to a public key but cannot make a key pair, so kyber-py derives one from a fixed
64-byte seed (d || z). The fixture keeps that key pair's decapsulation key: the Rust test opens the blobs with
it through taotui's own layout reader, and checks that the shared secret it decapsulates is the one kyber-py
decapsulates here.

Writes fixtures/mev_shield.json. Blobs change on every run (random encapsulation and nonce); the keys do not.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib.metadata import version
from pathlib import Path

import bittensor_core
from kyber_py.ml_kem import ML_KEM_768

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures" / "mev_shield.json"

PINNED = {"bittensor-core": "0.1.5", "kyber-py": "1.2.0"}

# Plaintexts: empty, short, an extrinsic-sized one, and the largest that fits the pallet's 8192-byte bound
# with the key hash (8192 - 16 - 2 - 1088 - 24 - 16 = 7046).
PLAINTEXTS = {
    "empty": b"",
    "text": b"taotui mev shield interop",
    "extrinsic_sized": bytes((i * 7 + 3) % 256 for i in range(180)),
    "max": bytes(i % 256 for i in range(7046)),
}


def main() -> int:
    for name, want in PINNED.items():
        got = version(name)
        if got != want:
            print(f"{name} is {got}, the fixtures are made with {want}", file=sys.stderr)
            return 1
    seed = hashlib.sha512(b"taotui mev shield interop key").digest()
    ek, dk = ML_KEM_768.key_derive(seed)
    assert len(ek) == 1184 and len(dk) == 2400
    if bittensor_core.mlkem_kdf_id() != b"v1":
        print("bittensor-core's ML-KEM KDF is not v1 (raw shared secret)", file=sys.stderr)
        return 1

    cases = []
    for name, plaintext in PLAINTEXTS.items():
        for include_key_hash in (True, False):
            blob = bytes(bittensor_core.encrypt_mlkem768(ek, plaintext, include_key_hash))
            offset = 16 if include_key_hash else 0
            assert len(blob) == offset + 2 + 1088 + 24 + len(plaintext) + 16, name
            kem_len = int.from_bytes(blob[offset : offset + 2], "little")
            assert kem_len == 1088, kem_len
            shared = ML_KEM_768.decaps(dk, blob[offset + 2 : offset + 2 + kem_len])
            cases.append(
                {
                    "name": name,
                    "includeKeyHash": include_key_hash,
                    "plaintext": "0x" + plaintext.hex(),
                    "blob": "0x" + blob.hex(),
                    "sharedSecret": "0x" + shared.hex(),
                }
            )
    # bittensor-core does not enforce the pallet's 8192-byte bound: one plaintext byte over the largest that fits
    # still encrypts. Recorded so the Rust side checks that taotui refuses that size instead.
    over = bytes(bittensor_core.encrypt_mlkem768(ek, bytes(7047), True))

    fixture = {
        "generatedBy": {**PINNED, "python": sys.version.split()[0]},
        "seed": "0x" + seed.hex(),
        "encapsulationKey": "0x" + ek.hex(),
        "decapsulationKey": "0x" + dk.hex(),
        "cases": cases,
        "overLimitBlobLength": len(over),
    }
    OUT.write_text(json.dumps(fixture, indent=2) + "\n")
    print(f"wrote {OUT} ({len(cases)} blobs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
