// Decodes UR parts, one a line on stdin, with the reference npm package
// @ngraveio/bc-ur, and prints "<type> <CBOR message as hex>".
// Exit status 2 if the parts did not make a whole message.
// Test fixture of qr/ur's interop test; see README.md.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const { URDecoder } = createRequire(import.meta.url)('@ngraveio/bc-ur');

const decoder = new URDecoder();
let used = 0;
for (const line of readFileSync(0, 'utf8').split('\n')) {
  const part = line.trim();
  if (part === '') continue;
  decoder.receivePart(part); // throws on a malformed part
  used++;
  if (decoder.isComplete()) break;
}
if (!decoder.isComplete() || !decoder.isSuccess()) {
  console.error(`ur-decode: not complete after ${used} parts: ${decoder.resultError()}`);
  process.exit(2);
}
const ur = decoder.resultUR();
process.stdout.write(`${ur.type} ${ur.cbor.toString('hex')}\n`);
