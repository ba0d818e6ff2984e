// A WebSocket JSON-RPC proxy between taotui and a node that injects one fault for one RPC method at a time.
//
//   node tests/chain/fault_proxy.mjs --upstream ws://127.0.0.1:PORT [--port 0]
//
// stdout: `FAULT_PROXY_READY ws://127.0.0.1:PORT` once listening, then one line per control command:
// `FAULT_OK {...}` or `FAULT_STATS {"method": count, ...}`. It exits when stdin closes.
// stdin: one JSON command per line:
//   {"method": "chain_getBlock", "fault": "error", "code": -32000, "message": "Server error", "data": "..."}
//       answer every call of that method with this JSON-RPC error, without forwarding it;
//   {"method": "...", "fault": "stall"}        never answer (and do not forward);
//   {"method": "...", "fault": "drop"}         close the client's connection when the method is called;
//   {"method": "...", "fault": "taken_error"}  forward the call (the node acts on it) but answer the client with a
//                                              generic error and swallow the node's answer and notifications;
//   {"clear": true}                            no fault;
//   {"stats": true}                            calls seen per method since the last `{"reset_stats": true}`.
// Batches (JSON arrays) are faulted as a whole when any call in them matches.

import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const { WebSocket, WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const upstreamUrl = arg('upstream');
if (!upstreamUrl) {
  console.error('fault_proxy: --upstream ws://HOST:PORT is required');
  process.exit(2);
}

let fault = null;
let stats = {};

const server = new WebSocketServer({ host: '127.0.0.1', port: Number(arg('port', '0')) });

server.on('connection', (client) => {
  const upstream = new WebSocket(upstreamUrl);
  const queued = [];
  const swallowedIds = new Set();
  const swallowedSubs = new Set();
  const closeBoth = () => {
    client.terminate();
    upstream.terminate();
  };
  upstream.on('open', () => {
    for (const m of queued.splice(0)) upstream.send(m);
  });
  upstream.on('message', (data) => {
    const text = data.toString();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      client.send(text);
      return;
    }
    if (!Array.isArray(msg) && msg.id !== undefined && swallowedIds.has(msg.id)) {
      swallowedIds.delete(msg.id);
      if (typeof msg.result === 'string') swallowedSubs.add(msg.result);
      return;
    }
    if (!Array.isArray(msg) && msg.params && swallowedSubs.has(msg.params.subscription)) return;
    if (client.readyState === WebSocket.OPEN) client.send(text);
  });
  upstream.on('close', () => client.terminate());
  upstream.on('error', () => closeBoth());
  client.on('close', () => upstream.terminate());
  client.on('error', () => closeBoth());

  const forward = (text) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
    else queued.push(text);
  };

  client.on('message', (data) => {
    const text = data.toString();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      forward(text);
      return;
    }
    const calls = Array.isArray(msg) ? msg : [msg];
    for (const c of calls) if (c && c.method) stats[c.method] = (stats[c.method] || 0) + 1;
    const hit = fault && calls.some((c) => c && c.method === fault.method);
    if (!hit) {
      forward(text);
      return;
    }
    const errorFor = (c, f) => ({
      jsonrpc: '2.0',
      id: c.id,
      error: {
        code: f.code ?? -32000,
        message: f.message ?? 'Server error',
        ...(f.data !== undefined ? { data: f.data } : {}),
      },
    });
    switch (fault.fault) {
      case 'error': {
        const answers = calls.map((c) => errorFor(c, fault));
        client.send(JSON.stringify(Array.isArray(msg) ? answers : answers[0]));
        break;
      }
      case 'stall':
        break;
      case 'drop':
        closeBoth();
        break;
      case 'taken_error': {
        for (const c of calls) swallowedIds.add(c.id);
        forward(text);
        const answers = calls.map((c) => errorFor(c, { code: -32000, message: 'Server error' }));
        client.send(JSON.stringify(Array.isArray(msg) ? answers : answers[0]));
        break;
      }
      default:
        forward(text);
    }
  });
});

server.on('listening', () => {
  const { port } = server.address();
  console.log(`FAULT_PROXY_READY ws://127.0.0.1:${port}`);
});

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    console.log(`FAULT_BAD ${JSON.stringify(String(e))}`);
    return;
  }
  if (cmd.stats) {
    console.log(`FAULT_STATS ${JSON.stringify(stats)}`);
    return;
  }
  if (cmd.reset_stats) stats = {};
  else if (cmd.clear) fault = null;
  else fault = cmd;
  console.log(`FAULT_OK ${JSON.stringify(fault)}`);
});
rl.on('close', () => process.exit(0));
