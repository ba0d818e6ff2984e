// Signature verifier for the Rust interop tests: checks that signatures made by taotui verify in
// polkadot.js.
//
// stdin:  [{"scheme": "sr25519"|"ed25519", "publicKey": "0x..", "message": "0x..", "signature": "0x.."}, ...]
// stdout: [true|false, ...] in the same order. Exit 0 when the input could be read, 1 otherwise.
//
// Usage: npm ci --prefix tests/interop && node tests/interop/verify.mjs < cases.json

import { readFileSync } from 'node:fs';

import { hexToU8a, isHex } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

const SCHEMES = new Set(['sr25519', 'ed25519']);

function verifyOne(c) {
  if (!c || !SCHEMES.has(c.scheme) || ![c.publicKey, c.message, c.signature].every((h) => isHex(h) || h === '0x')) {
    return false;
  }
  try {
    const r = signatureVerify(hexToU8a(c.message), hexToU8a(c.signature), hexToU8a(c.publicKey));
    // signatureVerify tries every scheme; the caller names one, so a match under another does not count.
    return r.isValid && r.crypto === c.scheme;
  } catch {
    return false;
  }
}

let cases;
try {
  cases = JSON.parse(readFileSync(0, 'utf8'));
  if (!Array.isArray(cases)) throw new Error('the input must be a JSON array of cases');
} catch (e) {
  process.stderr.write(`verify.mjs: could not read the cases from stdin: ${e.message}\n`);
  process.exit(1);
}

await cryptoWaitReady();
process.stdout.write(JSON.stringify(cases.map(verifyOne)) + '\n');
