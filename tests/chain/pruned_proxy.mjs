// A WebSocket JSON-RPC proxy that behaves like a node with state pruning: reads of state at a block below
// `--oldest` (state_call, state_getStorage, state_queryStorageAt, state_getKeysPaged, state_getStorageHash) are
// answered with the error a pruning Substrate node gives; everything else is forwarded.
//
//   node tests/chain/pruned_proxy.mjs --upstream ws://127.0.0.1:PORT --oldest BLOCK
//
// stdout: `PRUNED_PROXY_READY ws://127.0.0.1:PORT` once listening. It exits when stdin closes.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WebSocket, WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const upstreamUrl = arg('upstream');
const oldest = Number(arg('oldest', '0'));
if (!upstreamUrl) {
  console.error('pruned_proxy: --upstream ws://HOST:PORT is required');
  process.exit(2);
}

// Where each state method takes its block hash.
const AT = {
  state_call: 2,
  state_getStorage: 1,
  state_queryStorageAt: 1,
  state_getKeysPaged: 4,
  state_getStorageHash: 1,
};

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });

server.on('connection', (client) => {
  const upstream = new WebSocket(upstreamUrl);
  const queued = [];
  const pending = new Map();
  const numbers = new Map();
  let nextId = 1;
  const ask = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const text = JSON.stringify({ jsonrpc: '2.0', id, method, params });
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else queued.push(text);
    });
  upstream.on('open', () => {
    for (const m of queued.splice(0)) upstream.send(m);
  });
  upstream.on('message', (data) => {
    const text = data.toString();
    const msg = JSON.parse(text);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const resolve = pending.get(msg.id);
      pending.delete(msg.id);
      resolve(msg);
    } else if (client.readyState === WebSocket.OPEN) {
      client.send(text); // subscription notifications
    }
  });
  const numberOf = async (hash) => {
    if (!numbers.has(hash)) {
      const header = await ask('chain_getHeader', [hash]);
      numbers.set(hash, header.result ? parseInt(header.result.number, 16) : -1);
    }
    return numbers.get(hash);
  };
  const answer = async (call) => {
    const index = AT[call.method];
    const at = index === undefined ? undefined : (call.params || [])[index];
    if (typeof at === 'string') {
      const n = await numberOf(at);
      if (n >= 0 && n < oldest) {
        return {
          jsonrpc: '2.0',
          id: call.id,
          error: { code: 4003, message: `Client error: UnknownBlock: State already discarded for ${at}` },
        };
      }
    }
    const reply = await ask(call.method, call.params || []);
    return { ...reply, id: call.id };
  };
  client.on('message', async (data) => {
    const msg = JSON.parse(data.toString());
    const reply = Array.isArray(msg) ? await Promise.all(msg.map(answer)) : await answer(msg);
    if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(reply));
  });
  upstream.on('close', () => client.terminate());
  upstream.on('error', () => client.terminate());
  client.on('close', () => upstream.terminate());
  client.on('error', () => upstream.terminate());
});

server.on('listening', () => {
  const { port } = server.address();
  console.log(`PRUNED_PROXY_READY ws://127.0.0.1:${port}`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
