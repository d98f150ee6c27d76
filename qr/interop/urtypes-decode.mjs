// Decodes a single-part UR (stdin) of the given registry type with the
// Keystone registry packages and prints its fields as JSON.
// Usage: node urtypes-decode.mjs TYPE
// Test fixture of qr/urtypes' interop test (qr/urtypes/interop_test.go).
import { readFileSync } from 'node:fs';
import { types, URRegistryDecoder } from './urtypes-codec.mjs';

const [type] = process.argv.slice(2);
const ur = URRegistryDecoder.decode(readFileSync(0, 'utf8').trim().toLowerCase());
if (ur.type !== type || !types[type]) {
  console.error(`urtypes-decode: UR type ${ur.type}, asked for ${type}`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(types[type].decode(ur.cbor)) + '\n');
