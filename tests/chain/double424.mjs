#!/usr/bin/env node
// A WebSocket JSON-RPC test double that serves real finney metadata (spec 424) and answers the reads taotui makes
// for `balance` and `stake list` with values encoded from that metadata's own types (@polkadot/types registry).
// It exists for runtime SHAPES we cannot run locally (a weighted pool whose price is not its reserve ratio, stake
// locks); the real spec-293 chain tests stay the proof of behaviour.
//
// Usage: node double424.mjs METADATA_FILE [SPEC_VERSION]
// stdout carries one line: `TAOTUI_DOUBLE_READY ws://127.0.0.1:PORT` once it listens; then, on stdout, the scenario
// as JSON (`TAOTUI_DOUBLE_SCENARIO {...}`) so the test asserts exactly what was encoded. Log lines go to stderr.
// Exits on SIGTERM/SIGINT and when stdin closes. An unknown method answers a JSON-RPC error naming it, so a new
// request the app starts making shows up as a clear failure.

import { readFileSync } from 'node:fs';

import { Metadata, TypeRegistry, decorateStorage } from '@polkadot/types';
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { WebSocketServer } from 'ws';

const log = (m) => process.stderr.write(`[double424] ${m}\n`);
const metadataPath = process.argv[2];
// A runtime derived from 424 (the 475-shaped one) is served under its own spec version.
const specVersion = Number(process.argv[3] ?? 424);
if (!metadataPath) {
  log('usage: node double424.mjs METADATA_FILE [SPEC_VERSION]');
  process.exit(2);
}

// ---- the registry of the served runtime -----------------------------------------------------------------------
const metadataBytes = readFileSync(metadataPath);
const registry = new TypeRegistry();
const metadata = new Metadata(registry, metadataBytes);
registry.setMetadata(metadata);
const latest = metadata.asLatest;
const storage = decorateStorage(registry, latest, metadata.version);

/// Encodes `value` as the type with lookup id `id` of the served metadata.
const encodeAs = (id, value) => registry.createType(`Lookup${id}`, value).toU8a();

const apiMethod = (api, method) => {
  const a = latest.apis.find((x) => x.name.toString() === api);
  const m = a?.methods.find((x) => x.name.toString() === method);
  if (!m) throw new Error(`metadata has no runtime API ${api}.${method}`);
  return m;
};
/// The arguments of a runtime API call, each decoded as its input type of the served metadata.
const decodeArgs = (m, bytes) => {
  const out = [];
  let offset = 0;
  for (const input of m.inputs) {
    const v = registry.createTypeUnsafe(registry.createLookupType(input.type), [bytes.subarray(offset)]);
    offset += v.encodedLength;
    out.push(v);
  }
  if (offset !== bytes.length) throw new Error(`${bytes.length - offset} bytes of arguments left undecoded`);
  return out;
};
const encodeOutput = (m, value) => encodeAs(m.output.toString(), value);

/// A storage key exactly as the runtime builds it (hashers from the metadata), without polkadot.js' length prefix.
const keyOf = (pallet, item, ...args) => {
  const fn = storage[pallet][item];
  const [, key] = compactStripLength(fn(...args));
  return u8aToHex(key);
};
const valueOf = (pallet, item, value) => {
  const ty = storage[pallet][item].meta.type;
  const id = ty.isMap ? ty.asMap.value : ty.asPlain;
  return u8aToHex(encodeAs(id.toString(), value));
};

// ---- the scenario --------------------------------------------------------------------------------------------
const RAO = 1_000_000_000n;
const account = (seed) => u8aToHex(blake2AsU8a(`taotui-double424-${seed}`));
const COLDKEY = account('coldkey');
const HOTKEY_A = account('hotkey-a');
const HOTKEY_B = account('hotkey-b');
const OWNER_A = account('owner-a');
const OWNER_B = account('owner-b');

const scenario = {
  coldkey: COLDKEY,
  free: 10n * RAO,
  positions: [
    // A weighted pool: the runtime prices it at 0.25 τ/α while its reserves say 0.5.
    { hotkey: HOTKEY_A, owner: OWNER_A, name: 'Alpha Validator', netuid: 1, alpha: 100n * RAO,
      price: 250_000_000n, taoIn: 500n * RAO, alphaIn: 1_000n * RAO, locked: 0n },
    // 400 of 1,000 α locked; an uneven price so the value is rounded down to the rao.
    { hotkey: HOTKEY_B, owner: OWNER_B, name: 'Beta Validator', netuid: 2, alpha: 1_000n * RAO,
      price: 123_456_789n, taoIn: 300n * RAO, alphaIn: 1_000n * RAO, locked: 400n * RAO },
  ],
};

const GENESIS = u8aToHex(blake2AsU8a('taotui-double424-genesis'));
const BLOCK_NUMBER = 6_000_000;
const header = {
  parentHash: u8aToHex(blake2AsU8a('taotui-double424-parent')),
  number: `0x${BLOCK_NUMBER.toString(16)}`,
  stateRoot: u8aToHex(blake2AsU8a('state')),
  extrinsicsRoot: u8aToHex(blake2AsU8a('extrinsics')),
  digest: { logs: [] },
};
const headerHash = u8aToHex(registry.createType('Header', header).hash);

const runtimeVersion = {
  specName: 'node-subtensor',
  implName: 'node-subtensor',
  authoringVersion: 1,
  specVersion,
  implVersion: 1,
  apis: [],
  transactionVersion: 1,
  stateVersion: 1,
};

// Storage: every item the reads take, from the metadata's own types; everything else is unset (null), as on a
// real node, so the app falls back to the item's declared default.
const stored = new Map();
const put = (pallet, item, keyArgs, value) =>
  stored.set(keyOf(pallet, item, ...keyArgs), valueOf(pallet, item, value));
put('system', 'account', [COLDKEY], {
  nonce: 3, consumers: 0, providers: 1, sufficients: 0,
  data: { free: scenario.free, reserved: 0, frozen: 0, flags: 0 },
});
for (const p of scenario.positions) {
  put('subtensorModule', 'tempo', [p.netuid], 360);
  put('subtensorModule', 'subnetTAO', [p.netuid], p.taoIn);
  put('subtensorModule', 'subnetAlphaIn', [p.netuid], p.alphaIn);
  put('subtensorModule', 'subnetMechanism', [p.netuid], 1);
  put('subtensorModule', 'tokenSymbol', [p.netuid], [...Buffer.from(p.netuid === 1 ? 'α' : 'β')]);
  put('subtensorModule', 'owner', [p.hotkey], p.owner);
  put('subtensorModule', 'totalHotkeyAlpha', [p.hotkey, p.netuid], p.alpha * 4n);
  put('subtensorModule', 'alphaDividendsPerSubnet', [p.netuid, p.hotkey], 1n * RAO);
  put('subtensorModule', 'totalHotkeyAlphaLastEpoch', [p.hotkey, p.netuid], p.alpha * 4n);
  put('subtensorModule', 'identitiesV2', [p.owner], {
    name: p.name, url: '', githubRepo: '', image: '', discord: '', description: '', additional: '',
  });
}

const stakeInfo = (p) => ({
  hotkey: p.hotkey, coldkey: COLDKEY, netuid: p.netuid, stake: p.alpha, locked: 0, emission: 0,
  taoEmission: 0, drain: 0, isRegistered: true,
});

const runtimeCalls = {
  Metadata_metadata_at_version: (bytes) => {
    const version = registry.createType('u32', bytes).toNumber();
    // Option<OpaqueMetadata>: served only at the version the file holds.
    if (version !== metadata.version) return registry.createType('Option<Bytes>', null).toU8a();
    return registry.createType('Option<Bytes>', u8aToHex(metadataBytes)).toU8a();
  },
  Metadata_metadata_versions: () => registry.createType('Vec<u32>', [metadata.version]).toU8a(),
  StakeInfoRuntimeApi_get_stake_info_for_coldkey: (bytes, m) => {
    const [coldkey] = decodeArgs(m, bytes);
    const mine = coldkey.toHex() === COLDKEY;
    return encodeOutput(m, mine ? scenario.positions.map(stakeInfo) : []);
  },
  StakeInfoRuntimeApi_get_stake_info_for_coldkeys: (bytes, m) => {
    const [coldkeys] = decodeArgs(m, bytes);
    return encodeOutput(m, coldkeys.map((c) => [c, c.toHex() === COLDKEY ? scenario.positions.map(stakeInfo) : []]));
  },
  StakeInfoRuntimeApi_get_stake_availability_for_coldkeys: (bytes, m) => {
    const [coldkeys] = decodeArgs(m, bytes);
    const out = new Map();
    for (const c of coldkeys) {
      if (c.toHex() !== COLDKEY) continue;
      const perSubnet = new Map();
      for (const p of scenario.positions) {
        perSubnet.set(p.netuid, { total: p.alpha, locked: p.locked, available: p.alpha - p.locked });
      }
      out.set(c.toHex(), perSubnet);
    }
    return encodeOutput(m, out);
  },
  SwapRuntimeApi_current_alpha_price_all: (_bytes, m) =>
    encodeOutput(m, [{ netuid: 0, price: RAO }, ...scenario.positions.map((p) => ({ netuid: p.netuid, price: p.price }))]),
  SwapRuntimeApi_current_alpha_price: (bytes, m) => {
    const [netuid] = decodeArgs(m, bytes);
    const p = scenario.positions.find((x) => x.netuid === netuid.toNumber());
    return encodeOutput(m, netuid.toNumber() === 0 ? RAO : p ? p.price : 0n);
  },
};

const stateCall = (name, argsHex) => {
  const handler = runtimeCalls[name];
  if (!handler) throw rpcError(-32601, `the test double does not answer state_call ${name}`);
  const [api, ...rest] = name.split('_');
  const method = rest.join('_');
  const m = api === 'Metadata' ? null : apiMethod(api, method);
  return u8aToHex(handler(hexToU8a(argsHex), m));
};

// ---- JSON-RPC -------------------------------------------------------------------------------------------------
const rpcError = (code, message) => Object.assign(new Error(message), { rpcCode: code });
let nextSubscription = 1;
const methods = {
  chain_getBlockHash: ([n]) => (n === 0 || n === '0x0' ? GENESIS : headerHash),
  chain_getHeader: () => header,
  chain_getFinalizedHead: () => headerHash,
  state_getRuntimeVersion: () => runtimeVersion,
  state_getMetadata: () => u8aToHex(metadataBytes),
  state_call: ([name, args]) => stateCall(name, args),
  state_queryStorageAt: ([keys]) => [
    { block: headerHash, changes: keys.map((k) => [k, stored.get(k) ?? null]) },
  ],
  state_getStorage: ([key]) => stored.get(key) ?? null,
  system_chain: () => 'Bittensor (taotui double, spec 424)',
  system_name: () => 'taotui-double424',
  system_version: () => '0.0.0',
  system_properties: () => ({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }),
  rpc_methods: () => ({ methods: Object.keys(methods) }),
};
const subscriptions = {
  state_subscribeRuntimeVersion: { notify: 'state_runtimeVersion', first: () => runtimeVersion },
  chain_subscribeNewHeads: { notify: 'chain_newHead', first: () => header },
  chain_subscribeFinalizedHeads: { notify: 'chain_finalizedHead', first: () => header },
};
const unsubscribes = new Set([
  'state_unsubscribeRuntimeVersion', 'chain_unsubscribeNewHeads', 'chain_unsubscribeFinalizedHeads',
]);

const answer = (req, send) => {
  const { id, method, params = [] } = req;
  try {
    if (subscriptions[method]) {
      const sub = `sub-${nextSubscription++}`;
      const s = subscriptions[method];
      setImmediate(() => send({ jsonrpc: '2.0', method: s.notify, params: { subscription: sub, result: s.first() } }));
      return { jsonrpc: '2.0', id, result: sub };
    }
    if (unsubscribes.has(method)) return { jsonrpc: '2.0', id, result: true };
    const fn = methods[method];
    if (!fn) throw rpcError(-32601, `the test double does not answer ${method}`);
    return { jsonrpc: '2.0', id, result: fn(params) };
  } catch (err) {
    log(`error for ${method}: ${err.message}`);
    return { jsonrpc: '2.0', id, error: { code: err.rpcCode ?? -32603, message: `${method}: ${err.message}` } };
  }
};

// What each connection asked, one entry per request on the wire (a batch is one entry listing its calls), for
// tests that count a command's requests: `taotui_requestLog` answers the log of every earlier connection.
const connections = [];
methods.taotui_requestLog = () => connections.slice(0, -1);

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (socket) => {
  const requests = [];
  connections.push(requests);
  const send = (msg) => socket.send(JSON.stringify(msg, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  const label = (r) => (r.method === 'state_call' ? `state_call ${r.params?.[0]}` : r.method);
  socket.on('message', (data) => {
    let req;
    try {
      req = JSON.parse(data.toString());
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      return;
    }
    if (Array.isArray(req)) {
      requests.push(req.map(label));
      log(`batch: ${req.map(label).join(', ')}`);
      send(req.map((r) => answer(r, send)));
    } else {
      requests.push([label(req)]);
      log(label(req));
      send(answer(req, send));
    }
  });
});
server.on('listening', () => {
  const { port } = server.address();
  const json = JSON.stringify(
    {
      ...scenario,
      positions: scenario.positions.map((p) => ({ ...p, ss58: undefined })),
    },
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
  process.stdout.write(`TAOTUI_DOUBLE_READY ws://127.0.0.1:${port}\n`);
  process.stdout.write(`TAOTUI_DOUBLE_SCENARIO ${json}\n`);
});

const stop = (why) => {
  log(`stopping (${why})`);
  server.close();
  process.exit(0);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (!process.argv.includes('--ignore-stdin')) {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('close', () => stop('stdin closed'));
  process.stdin.resume();
}
