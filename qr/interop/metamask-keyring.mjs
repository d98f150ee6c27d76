// MetaMask's own QR keyring (@metamask/eth-qr-keyring 1.1.0, pinned in
// package.json) paired with a coldtss crypto-hdkey, asking for signatures
// the way the extension does. Test fixture of qr/files and cmd/coldtss.
//
// Talks in lines. stdin: UR parts (one a line; a UR may take several).
// stdout: one JSON object a line.
//   1. reads the pairing UR (crypto-hdkey); prints {accounts: [first page]}
//   2. for each argument "tx" (an EIP-1559 transfer on chain 1) or
//      "personal" (personal_sign of a text): prints {request: [UR parts of
//      the eth-sign-request]}, reads the eth-signature UR, and prints
//      {signedTx, sender, valid} or {signature, recovered}.
// An error prints {error} and exits 1.
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { QrKeyring } from '@metamask/eth-qr-keyring';

const require = createRequire(import.meta.url);
const { URDecoder, UREncoder, UR } = require('@ngraveio/bc-ur');
const { TransactionFactory } = require('@ethereumjs/tx');
const { Common } = require('@ethereumjs/common');
const { recoverPersonalSignature } = require('@metamask/eth-sig-util');

const lines = [];
const waiting = [];
createInterface({ input: process.stdin }).on('line', (l) => {
  if (waiting.length) waiting.shift()(l);
  else lines.push(l);
});
const nextLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => waiting.push(r)));
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

// readUR reads parts until a UR is complete, as the extension's camera
// scanner does, and hands the keyring {type, cbor hex}.
async function readUR() {
  const d = new URDecoder();
  while (!d.isComplete()) {
    const l = (await nextLine()).trim();
    if (l) d.receivePart(l.toLowerCase());
  }
  if (!d.isSuccess()) throw new Error(`UR decoding failed: ${d.resultError()}`);
  const ur = d.resultUR();
  return { type: ur.type, cbor: ur.cbor.toString('hex') };
}

const bridge = {
  async requestScan(req) {
    if (req.type === 'pair') return readUR();
    const ur = new UR(Buffer.from(req.request.payload.cbor, 'hex'), req.request.payload.type);
    const enc = new UREncoder(ur, 200);
    const parts = [];
    for (let i = 0; i < enc.fragmentsLength; i++) parts.push(enc.nextPart());
    out({ request: parts });
    return readUR();
  },
};

try {
  const keyring = new QrKeyring({ bridge });
  const page = await keyring.getFirstPage();
  out({ accounts: page.map((a) => a.address), name: keyring.getName() });
  const [address] = await keyring.addAccounts(1);
  for (const op of process.argv.slice(2)) {
    if (op === 'tx') {
      const common = new Common({ chain: 1, hardfork: 'london' });
      const tx = TransactionFactory.fromTxData(
        {
          type: 2,
          chainId: 1,
          nonce: 7,
          maxPriorityFeePerGas: 2000000000n,
          maxFeePerGas: 30000000000n,
          gasLimit: 21000,
          to: '0x00000000000000000000000000000000c0ffee01',
          value: 1250000000000000000n,
          data: '0x',
        },
        { common },
      );
      const signed = await keyring.signTransaction(address, tx);
      out({
        signedTx: Buffer.from(signed.serialize()).toString('hex'),
        sender: signed.getSenderAddress().toString(),
        valid: signed.verifySignature(),
      });
    } else if (op === 'personal') {
      const data = '0x' + Buffer.from('coldtss signs for MetaMask. Nonce 7.').toString('hex');
      const signature = await keyring.signPersonalMessage(address, data);
      out({ signature, recovered: recoverPersonalSignature({ data, signature }) });
    } else {
      throw new Error(`unknown operation ${op}`);
    }
  }
  process.exit(0);
} catch (e) {
  out({ error: String(e && e.stack ? e.stack : e) });
  process.exit(1);
}
