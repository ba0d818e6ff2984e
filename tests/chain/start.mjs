#!/usr/bin/env node
// Starts a fresh, in-memory local Subtensor chain (chopsticks executing the runtime's own wasm) for tests.
//
// stdout carries exactly one line of this script's own: `TAOTUI_CHAIN_READY ws://127.0.0.1:PORT` once the chain
// serves RPC. Chopsticks' logger cannot be pointed at stderr, so it is kept at `fatal` (override with LOG_LEVEL);
// readers must look for the READY prefix rather than take the first line. Everything of ours goes to stderr.
//
// The process exits on SIGTERM/SIGINT and when stdin closes, so a parent that dies (even by SIGKILL) takes the
// chain with it. Pass --ignore-stdin to run it by hand in the background.
//
// Environment: TAOTUI_CHAIN_SPEC (chain spec path; default <repo>/../shared/chain/subtensor-aura-dev-spec293...),
// TAOTUI_CHAIN_CACHE (raw-spec cache dir; default tests/chain/.cache), TAOTUI_CHAIN_PORT (default: any free port).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringToHex, u8aToHex } from '@polkadot/util';
import { xxhashAsHex } from '@polkadot/util-crypto';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const DEFAULT_SPEC = resolve(repoRoot, '..', 'shared', 'chain', 'subtensor-aura-dev-spec293.chainspec.json');
const READY_PREFIX = 'TAOTUI_CHAIN_READY';
const SHUTDOWN_GRACE_MS = 3000;

// Must be set before chopsticks is loaded (dynamically, below): it reads LOG_LEVEL once, at import time.
process.env.LOG_LEVEL ??= 'fatal';

const log = (message) => process.stderr.write(`[taotui-chain] ${message}\n`);

const main = async () => {
  const ignoreStdin = process.argv.includes('--ignore-stdin');
  const specPath = resolve(repoRoot, process.env.TAOTUI_CHAIN_SPEC || DEFAULT_SPEC);
  const cacheDir = resolve(repoRoot, process.env.TAOTUI_CHAIN_CACHE || join(here, '.cache'));
  const port = Number(process.env.TAOTUI_CHAIN_PORT || 0);
  if (!existsSync(specPath)) {
    throw new Error(`chain spec not found at ${specPath}; set TAOTUI_CHAIN_SPEC to a Subtensor chain spec file`);
  }

  // Exit hooks go in first, so a parent that gives up during startup does not leave us running.
  let server;
  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    try {
      await server?.close();
    } catch (err) {
      log(`error while closing: ${err?.message ?? err}`);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (!ignoreStdin) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('close', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }

  const started = Date.now();
  const { loadChainSetup } = await import('./genesis.mjs');
  const { setupWithServer, getAuraSlotDuration } = await import('@acala-network/chopsticks');

  const { spec, auraSlotMs: slotMs, cached } = await loadChainSetup(specPath, cacheDir);
  log(`raw genesis ${cached ? 'from cache' : 'built'} in ${Date.now() - started} ms`);
  const top = { ...spec.genesis.raw.top };
  const code = top[stringToHex(':code')];

  // Chopsticks asks the runtime for the Aura slot duration with unresolved imports disallowed; this runtime
  // imports host functions it never calls, so that query fails and chopsticks silently assumes 12 s, producing
  // blocks whose slot disagrees with their timestamp. loadChainSetup asked the runtime with unresolved imports
  // allowed; prime chopsticks' memo with that answer.
  getAuraSlotDuration.cache.set(code, Promise.resolve(slotMs));

  // Without a genesis timestamp chopsticks reads the wall clock twice per block (once for the slot digest, once for
  // the timestamp inherent); across a slot boundary the two disagree and block #1 panics. Pin both to one slot.
  const slot = BigInt(Math.floor(Date.now() / slotMs));
  top[storageKey('Timestamp', 'Now')] = u64Hex(slot * BigInt(slotMs));
  top[storageKey('Aura', 'CurrentSlot')] = u64Hex(slot);

  server = await setupWithServer({
    genesis: { ...spec, genesis: { raw: { ...spec.genesis.raw, top } } },
    host: '127.0.0.1',
    port,
    'build-block-mode': 'Instant',
    'allow-unresolved-imports': true,
  });
  if (stopping) return;
  const head = server.chain.head;
  log(`chain ready at block #${head.number} in ${Date.now() - started} ms (slot ${slotMs} ms)`);
  process.stdout.write(`${READY_PREFIX} ws://${server.addr}\n`);
};

const storageKey = (pallet, item) => xxhashAsHex(pallet, 128) + xxhashAsHex(item, 128).slice(2);

const u64Hex = (value) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return u8aToHex(bytes);
};

main().catch((err) => {
  log(`failed to start: ${err?.stack ?? err}`);
  process.exit(1);
});
