// Shared by urtypes-decode.mjs and urtypes-encode.mjs: converts between the
// Keystone registry objects (@keystonehq/bc-ur-registry and
// @keystonehq/bc-ur-registry-eth, pinned in package.json) and plain JSON
// fields, byte strings as hex, absent fields as null.
// Test fixture of qr/urtypes' interop test (qr/urtypes/interop_test.go).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const btc = require('@keystonehq/bc-ur-registry');
const eth = require('@keystonehq/bc-ur-registry-eth'); // bundles its own bc-ur-registry

const hex = (b) => (b === undefined || b === null ? null : Buffer.from(b).toString('hex'));
const buf = (h) => (h === null || h === undefined ? undefined : Buffer.from(h, 'hex'));
const opt = (v) => (v === undefined ? null : v);

function keypathToJSON(p) {
  if (!p) return null;
  return {
    components: p.getComponents().map((c) => ({
      index: c.isWildcard() ? null : c.getIndex(),
      wildcard: c.isWildcard(),
      hardened: c.isHardened(),
    })),
    sourceFingerprint: hex(p.getSourceFingerprint()),
    depth: opt(p.getDepth()),
  };
}

function keypathFromJSON(lib, j) {
  if (!j) return undefined;
  const comps = j.components.map(
    (c) => new lib.PathComponent({ index: c.wildcard ? undefined : c.index, hardened: c.hardened }),
  );
  return new lib.CryptoKeypath(comps, buf(j.sourceFingerprint), j.depth === null ? undefined : j.depth);
}

function hdkeyToJSON(k) {
  const u = k.getUseInfo();
  return {
    isMaster: !!k.isMaster(),
    isPrivate: !!k.isPrivateKey(),
    key: hex(k.getKey()),
    chainCode: hex(k.getChainCode()),
    useInfo: u ? { type: u.getType() ?? 0, network: u.getNetwork() ?? 0 } : null,
    origin: keypathToJSON(k.getOrigin()),
    children: keypathToJSON(k.getChildren()),
    parentFingerprint: hex(k.getParentFingerprint()),
    name: opt(k.getName()),
    note: opt(k.getNote()),
  };
}

function hdkeyFromJSON(j) {
  if (j.isMaster) return new btc.CryptoHDKey({ isMaster: true, key: buf(j.key), chainCode: buf(j.chainCode) });
  return new btc.CryptoHDKey({
    isMaster: false,
    isPrivateKey: j.isPrivate ? true : undefined,
    key: buf(j.key),
    chainCode: buf(j.chainCode),
    useInfo: j.useInfo ? new btc.CryptoCoinInfo(j.useInfo.type, j.useInfo.network) : undefined,
    origin: keypathFromJSON(btc, j.origin),
    children: keypathFromJSON(btc, j.children),
    parentFingerprint: buf(j.parentFingerprint),
    name: j.name ?? undefined,
    note: j.note ?? undefined,
  });
}

const outputToJSON = (o) => ({
  scripts: o.getScriptExpressions().map((s) => s.getTag()),
  key: hdkeyToJSON(o.getHDKey()),
});
const scriptOfTag = (t) => {
  const se = Object.values(btc.ScriptExpressions).find((s) => s.getTag() === t);
  if (!se) throw new Error(`no script expression with tag ${t}`);
  return se;
};
const outputFromJSON = (j) => new btc.CryptoOutput(j.scripts.map(scriptOfTag), hdkeyFromJSON(j.key));

export const types = {
  'crypto-psbt': {
    decode: (cbor) => ({ psbt: hex(btc.CryptoPSBT.fromCBOR(cbor).getPSBT()) }),
    encode: (j) => new btc.CryptoPSBT(buf(j.psbt)),
  },
  'crypto-hdkey': {
    decode: (cbor) => hdkeyToJSON(btc.CryptoHDKey.fromCBOR(cbor)),
    encode: hdkeyFromJSON,
  },
  'crypto-output': {
    decode: (cbor) => outputToJSON(btc.CryptoOutput.fromCBOR(cbor)),
    encode: outputFromJSON,
  },
  'crypto-account': {
    decode: (cbor) => {
      const a = btc.CryptoAccount.fromCBOR(cbor);
      return { masterFingerprint: hex(a.getMasterFingerprint()), outputs: a.getOutputDescriptors().map(outputToJSON) };
    },
    encode: (j) => new btc.CryptoAccount(buf(j.masterFingerprint), j.outputs.map(outputFromJSON)),
  },
  'eth-sign-request': {
    decode: (cbor) => {
      const r = eth.EthSignRequest.fromCBOR(cbor);
      return {
        requestId: hex(r.getRequestId()),
        signData: hex(r.getSignData()),
        dataType: r.getDataType(),
        chainId: opt(r.getChainId()),
        derivationPath: keypathToJSON(r.derivationPath),
        address: hex(r.getSignRequestAddress()),
        origin: opt(r.getOrigin()),
      };
    },
    encode: (j) =>
      new eth.EthSignRequest({
        requestId: buf(j.requestId),
        signData: buf(j.signData),
        dataType: j.dataType,
        chainId: j.chainId ?? undefined,
        derivationPath: keypathFromJSON(eth, j.derivationPath),
        address: buf(j.address),
        origin: j.origin ?? undefined,
      }),
  },
  'eth-signature': {
    decode: (cbor) => {
      const s = eth.ETHSignature.fromCBOR(cbor);
      return { requestId: hex(s.getRequestId()), signature: hex(s.getSignature()), origin: opt(s.getOrigin()) };
    },
    encode: (j) => new eth.ETHSignature(buf(j.signature), buf(j.requestId), j.origin ?? undefined),
  },
};

export const { URRegistryDecoder } = btc;
