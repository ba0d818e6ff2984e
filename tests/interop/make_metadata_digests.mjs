// Independent RFC-0078 metadata digests (polkadot-api's merkleizer) for taotui's `CheckMetadataHash` signing.
// Usage: node tests/interop/make_metadata_digests.mjs NAME=METADATA_FILE... > tests/interop/fixtures/metadata_digests.json
// A METADATA_FILE holds SCALE `RuntimeMetadataPrefixed` bytes (V15 or V16), e.g. from `taotui metadata export`.
// Subtensor's runtime is built with `enable_metadata_hash("TAO", 9)`; spec name, version and SS58 prefix are read
// from the metadata itself.
import { readFileSync } from "node:fs";
import { merkleizeMetadata } from "@polkadot-api/merkleize-metadata";

const here = new URL(".", import.meta.url);
const version = JSON.parse(
  readFileSync(new URL("node_modules/@polkadot-api/merkleize-metadata/package.json", here)),
).version;

const out = { generated_by: `@polkadot-api/merkleize-metadata ${version}`, decimals: 9, token_symbol: "TAO", digests: {} };
for (const arg of process.argv.slice(2)) {
  const [name, file] = arg.split("=");
  const bytes = new Uint8Array(readFileSync(file));
  const digest = merkleizeMetadata(bytes, { decimals: 9, tokenSymbol: "TAO" }).digest();
  out.digests[name] = "0x" + Buffer.from(digest).toString("hex");
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
