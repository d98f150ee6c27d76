// Encodes a CBOR message (hex on stdin) as UR parts with the reference npm
// package @ngraveio/bc-ur and prints them, one a line.
// Usage: node ur-encode.mjs TYPE MAX_FRAGMENT_LEN COUNT
// Test fixture of qr/ur's interop test; see README.md.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const { UR, UREncoder } = createRequire(import.meta.url)('@ngraveio/bc-ur');

const [type, maxFragmentLen, count] = process.argv.slice(2);
const cbor = Buffer.from(readFileSync(0, 'utf8').trim(), 'hex');
const encoder = new UREncoder(new UR(cbor, type), Number(maxFragmentLen), 0);
const out = [];
for (let i = 0; i < Number(count); i++) out.push(encoder.nextPart());
process.stdout.write(out.join('\n') + '\n');
