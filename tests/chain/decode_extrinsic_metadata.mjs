// Independent decoder for taotui's offline signing tests: decodes signed extrinsics with @polkadot/types against a
// metadata FILE (SCALE bytes as state_getMetadata returns them, raw or 0x-hex), with no node, and checks each
// signature over the payload @polkadot/types builds from the given chain facts (so every transaction extension's
// implicit data, as this decoder understands the metadata, is what was signed).
// Usage: node decode_extrinsic_metadata.mjs METADATA_FILE GENESIS_HASH BIRTH_BLOCK_HASH SPEC_VERSION TX_VERSION 0xEXTRINSIC...
// Prints one JSON object: {extensions: [{identifier, size}], extrinsics: [{section, method, args, signer, nonce,
// tip, era, mode, metadataHash, reencodes, signatureValid}]}.
import fs from 'node:fs';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { cryptoWaitReady, signatureVerify, blake2AsU8a } from '@polkadot/util-crypto';
import { hexToU8a } from '@polkadot/util';

const [file, genesisHash, blockHash, spec, txVersion, ...hexes] = process.argv.slice(2);
if (!file || !genesisHash || !blockHash || !spec || !txVersion || hexes.length === 0) {
  console.error('usage: node decode_extrinsic_metadata.mjs METADATA_FILE GENESIS BIRTH_HASH SPEC TX_VERSION 0xEXTRINSIC...');
  process.exit(2);
}
await cryptoWaitReady();
let raw = fs.readFileSync(file);
const text = raw.subarray(0, 2).toString();
if (text === '0x') raw = Buffer.from(hexToU8a(raw.toString().trim()));
const registry = new TypeRegistry();
const metadata = new Metadata(registry, new Uint8Array(raw));
// No warning on stderr for Subtensor's own extensions: their sizes are checked below instead.
registry.setMetadata(metadata, undefined, undefined, true);

const latest = metadata.asLatest;
const extensions = latest.extrinsic.transactionExtensions.map((ext) => {
  const type = registry.createLookupType(ext.type);
  const implicit = registry.createLookupType(ext.implicit);
  return {
    identifier: ext.identifier.toString(),
    size: registry.createType(type).encodedLength,
    implicitSize: registry.createType(implicit).encodedLength,
  };
});

const out = hexes.map((hex) => {
  const xt = registry.createType('Extrinsic', hex);
  const args = {};
  xt.method.meta.args.forEach((arg, i) => {
    args[arg.name.toString()] = xt.method.args[i].toJSON();
  });
  const era = xt.era.isMortalEra
    ? { period: xt.era.asMortalEra.period.toNumber(), phase: xt.era.asMortalEra.phase.toNumber() }
    : null;
  // The signature part of a signed (v4) extrinsic: signer, MultiSignature and the extensions' explicit data.
  const sig = xt.inner.signature;
  const payload = registry.createType('ExtrinsicPayload', {
    method: xt.method.toHex(),
    era: xt.era,
    nonce: xt.nonce,
    tip: xt.tip,
    mode: sig.mode,
    // METADATA_HASH (0x hex): the digest a mode-1 signature committed to (the runtime supplies its own).
    metadataHash: process.env.METADATA_HASH || null,
    specVersion: Number(spec),
    transactionVersion: Number(txVersion),
    genesisHash,
    blockHash,
  }, { version: xt.version & 0x7f });
  const u8a = payload.toU8a({ method: true });
  const message = u8a.length > 256 ? blake2AsU8a(u8a) : u8a;
  const verified = signatureVerify(message, xt.signature.toU8a(), xt.signer.toString());
  return {
    section: xt.method.section,
    method: xt.method.method,
    args,
    isSigned: xt.isSigned,
    signer: xt.isSigned ? xt.signer.toString() : null,
    nonce: xt.nonce.toNumber(),
    tip: xt.tip.toString(),
    era,
    mode: sig.mode ? sig.mode.toNumber() : null,
    version: xt.version,
    reencodes: xt.toHex() === hex,
    signatureValid: verified.isValid,
    signatureType: verified.crypto,
  };
});
console.log(JSON.stringify({ extensions, extrinsics: out }));
