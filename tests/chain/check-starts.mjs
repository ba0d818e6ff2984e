#!/usr/bin/env node
// Reliability check for start.mjs: starts N fresh chains one after another (default 10), makes each produce
// blocks, checks System.Number advances, stops it, and prints startup time and memory figures.
// Usage: node tests/chain/check-starts.mjs [N]

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { xxhashAsHex } from '@polkadot/util-crypto';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 10);
const READY_TIMEOUT_MS = 120_000;
const BLOCKS_PER_RUN = 3;
const SYSTEM_NUMBER_KEY = xxhashAsHex('System', 128) + xxhashAsHex('Number', 128).slice(2);

const rpc = async (url, method, params = []) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
};

const blockNumber = async (url) => {
  const hex = await rpc(url, 'state_getStorage', [SYSTEM_NUMBER_KEY]);
  return Buffer.from(hex.slice(2), 'hex').readUInt32LE(0);
};

// Peak resident memory of the chain process, read before it exits.
const peakRssMiB = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
};

const startChain = () =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(here, 'start.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no READY line within ${READY_TIMEOUT_MS} ms\n${stderr}`));
    }, READY_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chain exited early with code ${code}\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^TAOTUI_CHAIN_READY (\S+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, url: match[1].replace(/^ws:/, 'http:'), startupMs: Date.now() - started });
    });
  });

const stopChain = (child) =>
  new Promise((resolve) => {
    const started = Date.now();
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => resolve({ code, signal, stopMs: Date.now() - started }));
    // Closing stdin is how the Rust harness's owner disappears; it must be enough on its own.
    child.stdin.end();
  });

let failures = 0;
const startups = [];
const rss = [];
for (let run = 1; run <= runs; run++) {
  let chain;
  try {
    chain = await startChain();
    const before = await blockNumber(chain.url);
    const blockStarted = Date.now();
    for (let i = 0; i < BLOCKS_PER_RUN; i++) await rpc(chain.url, 'dev_newBlock', [{ count: 1 }]);
    const perBlockMs = (Date.now() - blockStarted) / BLOCKS_PER_RUN;
    const after = await blockNumber(chain.url);
    if (after !== before + BLOCKS_PER_RUN) throw new Error(`block number went ${before} -> ${after}`);
    const peak = peakRssMiB(chain.child.pid);
    const { code, stopMs } = await stopChain(chain.child);
    if (code !== 0) throw new Error(`chain exited with code ${code} when stdin closed`);
    startups.push(chain.startupMs);
    rss.push(peak);
    console.log(
      `run ${run}: ok, blocks #${before} -> #${after}, startup ${chain.startupMs} ms, ` +
        `${perBlockMs.toFixed(0)} ms/block, peak RSS ${peak.toFixed(0)} MiB, stop ${stopMs} ms`,
    );
  } catch (err) {
    failures++;
    console.log(`run ${run}: FAILED: ${err.message}`);
    chain?.child.kill('SIGKILL');
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(
  `${runs - failures}/${runs} runs ok; startup median ${median(startups)} ms (max ${Math.max(...startups)}), ` +
    `peak RSS median ${median(rss).toFixed(0)} MiB (max ${Math.max(...rss).toFixed(0)})`,
);
process.exit(failures === 0 ? 0 : 1);
