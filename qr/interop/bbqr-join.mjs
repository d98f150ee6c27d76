// Joins BBQr parts, one a line on stdin, with the reference npm package
// bbqr and prints JSON {fileType, encoding, hex}.
// Test fixture of qr/bbqr's interop test; see README.md.
import { readFileSync } from 'node:fs';
import { joinQRs } from 'bbqr';

const parts = readFileSync(0, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
const { fileType, encoding, raw } = joinQRs(parts);
process.stdout.write(JSON.stringify({ fileType, encoding, hex: Buffer.from(raw).toString('hex') }) + '\n');
