// Builds a registry object of the given type from JSON fields (stdin) with
// the Keystone registry packages and prints its single-part UR.
// Usage: node urtypes-encode.mjs TYPE
// Test fixture of qr/urtypes' interop test (qr/urtypes/interop_test.go).
import { readFileSync } from 'node:fs';
import { types } from './urtypes-codec.mjs';

const [type] = process.argv.slice(2);
if (!types[type]) {
  console.error(`urtypes-encode: unknown type ${type}`);
  process.exit(2);
}
const item = types[type].encode(JSON.parse(readFileSync(0, 'utf8')));
process.stdout.write(item.toUREncoder(100000).nextPart() + '\n');
