// Step 1 of 2 of the fixture generation (step 2 is make_fixtures.py, which checks every case
// below against bittensor-wallet and adds the btcli wallet files).
//
// Writes fixtures/vectors.json (every case computed by polkadot.js, source "polkadot.js"),
// fixtures/ss58.json (one public key encoded under several network prefixes) and
// fixtures/signatures.json (messages signed by polkadot.js).
//
// Run from anywhere: `npm ci --prefix tests/interop && node tests/interop/make_fixtures.mjs`.

import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aToHex } from '@polkadot/util';
import {
  cryptoWaitReady,
  decodeAddress,
  encodeAddress,
  mnemonicToEntropy,
  mnemonicValidate,
  signatureVerify,
} from '@polkadot/util-crypto';
import { entropyToMnemonic } from '@polkadot/util-crypto/mnemonic/bip39';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'fixtures');

// Fixed entropies so the mnemonics are reproducible and their origin is documented.
// The two "derived" ones are sha256 of a label, cut to 16 or 32 bytes.
function labelEntropy(label, bytes) {
  return createHash('sha256').update(label).digest().subarray(0, bytes);
}
const ENTROPIES = {
  zero12: Buffer.alloc(16, 0x00),
  ff12: Buffer.alloc(16, 0xff),
  x7f12: Buffer.alloc(16, 0x7f),
  label12: labelEntropy('taotui fixture 12', 16),
  zero24: Buffer.alloc(32, 0x00),
  label24: labelEntropy('taotui fixture 24', 32),
};

export const MNEMONICS = {};
for (const [name, entropy] of Object.entries(ENTROPIES)) {
  const phrase = entropyToMnemonic(entropy);
  assert.ok(mnemonicValidate(phrase), `${name} must be a valid BIP39 phrase`);
  assert.equal(u8aToHex(mnemonicToEntropy(phrase)), u8aToHex(entropy));
  MNEMONICS[name] = { phrase, entropy: u8aToHex(entropy), words: phrase.split(' ').length };
}

const SEED = '0x' + createHash('sha256').update('taotui fixture seed').digest('hex');
const LONG_JUNCTION = 'a-junction-longer-than-thirty-two-bytes-is-hashed';

// [suri, schemes]. ed25519 only supports hard junctions, so soft paths are sr25519 only.
const BOTH = ['sr25519', 'ed25519'];
const SR = ['sr25519'];
const m = (k) => MNEMONICS[k].phrase;
const CASES = [
  [m('zero12'), BOTH],
  [m('ff12'), BOTH],
  [m('x7f12'), BOTH],
  [m('label12'), BOTH],
  [m('zero24'), BOTH],
  [m('label24'), BOTH],
  [`${m('label12')}//hard`, BOTH],
  [`${m('label12')}/soft`, SR],
  [`${m('label12')}//hard/soft`, SR],
  [`${m('label12')}//bittensor//0/1`, SR],
  [`${m('label12')}//0//1`, BOTH],
  [`${m('label12')}//${LONG_JUNCTION}`, BOTH],
  [`${m('label12')}///password`, BOTH],
  [`${m('label12')}//hard///password`, BOTH],
  [`${m('label12')}//hard/soft///password`, SR],
  // Non-ASCII mnemonic password, precomposed (U+00E4 U+00F6, already NFC) and decomposed
  // (a + U+0308). The Substrate mini-secret salt is not NFKD-normalized (unlike the BIP39 seed).
  // polkadot.js 14 NFC-normalizes the whole secret URI while bittensor-wallet (sp-core) takes the
  // bytes as typed, so they disagree on the decomposed one: make_fixtures.py records both keys.
  [`${m('label12')}///p\u00e4ssw\u00f6rd-\u5bc6\u7801`, BOTH],
  [`${m('label12')}///pa\u0308ssw\u00f6rd-\u5bc6\u7801`, SR],
  [`${m('label24')}//hard/soft`, SR],
  [`${m('label24')}///password`, BOTH],
  [`${m('zero24')}//Alice`, BOTH],
  [SEED, BOTH],
  [`${SEED}//hard`, BOTH],
  [`${SEED}/soft`, SR],
  ['//Alice', BOTH],
  ['//Bob', BOTH],
  ['//Alice/stash', SR],
  ['//Alice//stash', BOTH],
];

function pair(scheme, suri) {
  return new Keyring({ type: scheme, ss58Format: 42 }).addFromUri(suri);
}

await cryptoWaitReady();
mkdirSync(out, { recursive: true });

const vectors = [];
for (const [suri, schemes] of CASES) {
  for (const scheme of schemes) {
    const kp = pair(scheme, suri);
    const publicKey = u8aToHex(kp.publicKey);
    assert.equal(u8aToHex(decodeAddress(kp.address)), publicKey);
    vectors.push({ suri, scheme, publicKey, ss58Address: kp.address, source: 'polkadot.js' });
  }
}
// Well-known dev accounts: a wrong derivation would be caught here already.
const alice = vectors.find((v) => v.suri === '//Alice' && v.scheme === 'sr25519');
assert.equal(alice.ss58Address, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
const bob = vectors.find((v) => v.suri === '//Bob' && v.scheme === 'sr25519');
assert.equal(bob.ss58Address, '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty');

// SS58 under other prefixes: 0 polkadot, 2 kusama, 42 generic substrate (bittensor), plus a
// two-byte prefix (>= 64) to exercise the long prefix form.
const ss58 = [];
for (const v of vectors.filter((x) => ['//Alice', '//Bob', SEED].includes(x.suri) && x.scheme === 'sr25519')) {
  for (const prefix of [0, 2, 42, 255, 1337]) {
    ss58.push({ publicKey: v.publicKey, prefix, address: encodeAddress(v.publicKey, prefix), source: 'polkadot.js' });
  }
}

// Messages signed by polkadot.js. ed25519 signatures are deterministic (RFC 8032), so a
// correct ed25519 signer must reproduce those bytes exactly; sr25519 ones are randomized.
const MESSAGES = [
  '0x',
  u8aToHex(stringToU8a('hello taotui')),
  u8aToHex(stringToU8a('<Bytes>sign-in to a dapp</Bytes>')),
  u8aToHex(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)),
];
const SIGNERS = [
  ['//Alice', 'sr25519'],
  [`${m('label12')}//hard/soft`, 'sr25519'],
  [SEED, 'sr25519'],
  ['//Alice', 'ed25519'],
  [`${m('label24')}//hard`, 'ed25519'],
];
const signatures = [];
for (const [suri, scheme] of SIGNERS) {
  const kp = pair(scheme, suri);
  for (const message of MESSAGES) {
    const signature = u8aToHex(kp.sign(message));
    assert.ok(signatureVerify(message, signature, kp.publicKey).isValid);
    signatures.push({ suri, scheme, publicKey: u8aToHex(kp.publicKey), message, signature, source: 'polkadot.js' });
  }
}

// Secret URIs both implementations must reject (checked again by make_fixtures.py).
const INVALID = [
  [`${m('label12')}/soft`, 'ed25519', 'ed25519 has no soft derivation'],
  [`${m('label12')}//hard/soft`, 'ed25519', 'ed25519 has no soft derivation'],
  [m('zero12').replace(/about$/, 'abandon'), 'sr25519', 'bad BIP39 checksum'],
  [m('label12').replace(/^toward/, 'towards'), 'sr25519', 'word not in the BIP39 English list'],
  [m('label12').split(' ').slice(1).join(' '), 'sr25519', '11 words'],
  ['0x' + '12'.repeat(31), 'sr25519', 'hex seed of 31 bytes'],
  ['0x' + '12'.repeat(33), 'sr25519', 'hex seed of 33 bytes'],
];
const invalid = [];
for (const [suri, scheme, reason] of INVALID) {
  assert.throws(() => pair(scheme, suri), `polkadot.js must reject ${suri} (${reason})`);
  invalid.push({ suri, scheme, reason, source: 'polkadot.js' });
}

const pkgVersion = (name) =>
  JSON.parse(readFileSync(join(here, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')).version;
const generatedBy = {
  node: {
    node: process.versions.node,
    ...Object.fromEntries(['@polkadot/keyring', '@polkadot/util-crypto', '@polkadot/util', '@polkadot/wasm-crypto'].map((n) => [n, pkgVersion(n)])),
  },
};

const write = (name, data) => writeFileSync(join(out, name), JSON.stringify(data, null, 2) + '\n');
write('vectors.json', vectors);
write('ss58.json', ss58);
write('signatures.json', signatures);
write('mnemonics.json', MNEMONICS);
write('invalid.json', invalid);
write('generated_by.json', generatedBy);
console.log(`wrote ${vectors.length} vectors, ${ss58.length} ss58 encodings, ${signatures.length} signatures, ${invalid.length} invalid URIs to ${out}`);
