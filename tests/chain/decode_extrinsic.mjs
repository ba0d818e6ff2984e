// Independent decoder for taotui's tests: decodes a signed extrinsic with @polkadot/api against the metadata of
// the chain at WS_URL and prints {section, method, args, signer, isSigned, nonce, era} as JSON.
// Usage: node decode_extrinsic.mjs WS_URL 0xEXTRINSIC
import { ApiPromise, WsProvider } from '@polkadot/api';

const [url, hex] = process.argv.slice(2);
if (!url || !hex) {
  console.error('usage: node decode_extrinsic.mjs WS_URL 0xEXTRINSIC');
  process.exit(2);
}
const provider = new WsProvider(url, false);
await provider.connect();
const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
try {
  const xt = api.registry.createType('Extrinsic', hex);
  if (xt.toHex() !== hex) throw new Error('re-encoding differs from the input bytes');
  const args = {};
  xt.method.meta.args.forEach((arg, i) => {
    args[arg.name.toString()] = xt.method.args[i].toJSON();
  });
  const era = xt.era.isMortalEra
    ? { period: xt.era.asMortalEra.period.toNumber(), phase: xt.era.asMortalEra.phase.toNumber() }
    : null;
  console.log(JSON.stringify({
    section: xt.method.section,
    method: xt.method.method,
    args,
    isSigned: xt.isSigned,
    signer: xt.isSigned ? xt.signer.toString() : null,
    nonce: xt.isSigned ? xt.nonce.toNumber() : null,
    era,
  }));
} finally {
  await api.disconnect();
}
