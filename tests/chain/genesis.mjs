// Turns a non-raw Substrate chain spec (genesis.runtimeGenesis = {code, patch}) into the raw form chopsticks
// needs (genesis.raw.top), by letting the runtime build its own genesis state, exactly as a node would, and asks
// the runtime for its Aura slot duration. Both are cached on disk keyed by the spec's sha256, because each costs
// a wasm instantiation (over a second apiece on a busy two-core machine).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { runTask } from '@acala-network/chopsticks-core';
import { compactAddLength, hexToU8a, stringToHex, stringToU8a, u8aToHex, u8aToString } from '@polkadot/util';

// Bump when the way the raw spec is built changes, so stale cache entries are not reused.
const CACHE_FORMAT = 2;

const CODE_KEY = stringToHex(':code');

/** Recursive object merge with Substrate's chain-spec patch semantics: objects merge, everything else replaces. */
export const mergePatch = (base, patch) => {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = key in base ? mergePatch(base[key], value) : value;
  }
  return merged;
};

const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

// The genesis runtime starts from empty storage; the executor keeps its own overlay within one task.
const emptyStorage = {
  getStorage: async () => undefined,
  getNextKey: async () => undefined,
  offchainGetStorage: async () => undefined,
  offchainTimestamp: async () => Date.now(),
  offchainRandomSeed: async () => u8aToHex(new Uint8Array(32)),
  offchainSubmitTransaction: async () => false,
};

// Unresolved imports are allowed because the runtime imports host functions (bls12-381) it never calls here.
const callRuntime = async (code, method, argsHex, storage = emptyStorage) => {
  const response = await runTask(
    {
      wasm: code,
      calls: [[method, argsHex === undefined ? [] : [argsHex]]],
      mockSignatureHost: false,
      allowUnresolvedImports: true,
      runtimeLogLevel: 0,
    },
    storage,
  );
  if ('Error' in response) throw new Error(`runtime call ${method} failed: ${response.Error}`);
  return response.Call;
};

/** GenesisBuilder_get_preset(None) -> Option<Vec<u8>> holding the runtime's default genesis JSON. */
const defaultPreset = async (code) => {
  const { result } = await callRuntime(code, 'GenesisBuilder_get_preset', '0x00');
  const bytes = hexToU8a(result);
  if (bytes[0] !== 1) throw new Error('the runtime has no default genesis preset (GenesisBuilder_get_preset returned None)');
  const [offset, length] = decodeCompactLength(bytes.subarray(1));
  return JSON.parse(u8aToString(bytes.subarray(1 + offset, 1 + offset + length)));
};

const decodeCompactLength = (bytes) => {
  const mode = bytes[0] & 0b11;
  if (mode === 0) return [1, bytes[0] >> 2];
  if (mode === 1) return [2, (bytes[0] | (bytes[1] << 8)) >> 2];
  if (mode === 2) return [4, (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 2];
  throw new Error('genesis preset is too large to decode');
};

/** GenesisBuilder_build_state(json) -> Result<(), String>; the state is the storage diff the call leaves behind. */
const buildState = async (code, genesisJson) => {
  const arg = u8aToHex(compactAddLength(stringToU8a(JSON.stringify(genesisJson))));
  const { result, storageDiff } = await callRuntime(code, 'GenesisBuilder_build_state', arg);
  const bytes = hexToU8a(result);
  if (bytes[0] !== 0) {
    const [offset, length] = decodeCompactLength(bytes.subarray(1));
    const message = u8aToString(bytes.subarray(1 + offset, 1 + offset + length));
    throw new Error(`GenesisBuilder_build_state rejected the genesis config: ${message}`);
  }
  const top = {};
  for (const [key, value] of storageDiff) {
    if (value !== null) top[key] = value;
  }
  return top;
};

/** AuraApi_slot_duration -> u64 milliseconds, read against the given raw genesis storage. */
export const auraSlotDuration = async (top) => {
  const keys = Object.keys(top).sort();
  const storage = {
    ...emptyStorage,
    getStorage: async (key) => top[key],
    getNextKey: async (prefix, key) => keys.find((k) => k.startsWith(prefix) && k > key),
  };
  const { result } = await callRuntime(top[CODE_KEY], 'AuraApi_slot_duration', undefined, storage);
  const bytes = hexToU8a(result);
  if (bytes.length < 8) throw new Error('AuraApi_slot_duration returned fewer than 8 bytes');
  const ms = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (!(ms > 0)) throw new Error(`the runtime reported an Aura slot duration of ${ms} ms`);
  return ms;
};

/** Builds the raw spec from a parsed non-raw spec (no caching). */
export const buildRawSpec = async (spec) => {
  const runtimeGenesis = spec?.genesis?.runtimeGenesis;
  if (spec?.genesis?.raw?.top) return spec;
  if (!runtimeGenesis?.code) throw new Error('chain spec has neither genesis.raw.top nor genesis.runtimeGenesis.code');
  const { code } = runtimeGenesis;
  let config;
  if (runtimeGenesis.config) {
    config = runtimeGenesis.config;
  } else {
    config = mergePatch(await defaultPreset(code), runtimeGenesis.patch ?? {});
  }
  const top = await buildState(code, config);
  top[CODE_KEY] = code;
  return {
    id: spec.id,
    name: spec.name,
    properties: spec.properties ?? {},
    genesis: { raw: { top, childrenDefault: {} } },
  };
};

/**
 * Reads the spec at `specPath` and returns `{ spec, auraSlotMs, cached }` with the spec in raw form, from `cacheDir`
 * when it was prepared before.
 */
export const loadChainSetup = async (specPath, cacheDir) => {
  const bytes = readFileSync(specPath);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const cachePath = join(cacheDir, `raw-v${CACHE_FORMAT}-${digest}.json`);
  try {
    const { spec, auraSlotMs } = JSON.parse(readFileSync(cachePath, 'utf8'));
    if (spec?.genesis?.raw?.top && auraSlotMs > 0) return { spec, auraSlotMs, cached: true };
  } catch {
    // Not cached yet (or unreadable): prepare it below.
  }
  const spec = await buildRawSpec(JSON.parse(bytes.toString('utf8')));
  const auraSlotMs = await auraSlotDuration(spec.genesis.raw.top);
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename so a concurrent start never reads a half-written file.
  const tmp = `${cachePath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ auraSlotMs, spec }));
  renameSync(tmp, cachePath);
  return { spec, auraSlotMs, cached: false };
};
