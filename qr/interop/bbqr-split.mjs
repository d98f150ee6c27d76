// Splits a file (hex on stdin) into BBQr parts with the reference npm
// package bbqr and prints JSON {version, encoding, parts}.
// Usage: node bbqr-split.mjs FILE_TYPE ENCODING MIN_VERSION MAX_VERSION
// Test fixture of qr/bbqr's interop test; see README.md.
import { readFileSync } from 'node:fs';
import { splitQRs } from 'bbqr';

const [fileType, encoding, minVersion, maxVersion] = process.argv.slice(2);
const raw = Uint8Array.from(Buffer.from(readFileSync(0, 'utf8').trim(), 'hex'));
const { version, encoding: used, parts } = splitQRs(raw, fileType, {
  encoding,
  minVersion: Number(minVersion),
  maxVersion: Number(maxVersion),
});
process.stdout.write(JSON.stringify({ version, encoding: used, parts }) + '\n');
