package files

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"

	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// Key is the public half of a coldtss key as wallets see it: a BIP32
// master key (depth 0) made jointly by the stations. Only non-hardened
// derivation below it is possible.
type Key struct {
	PublicKey []byte // 33-byte compressed secp256k1 public key
	ChainCode []byte // 32 bytes
	Name      string // shown by wallets, e.g. "coldtss 1a2b3c4d"
}

// Fingerprint is the key's BIP32 master fingerprint.
func (k Key) Fingerprint() uint32 {
	return binary.BigEndian.Uint32(bitcoin.Fingerprint(k.PublicKey))
}

// CryptoHDKey is the crypto-hdkey that pairs the key with MetaMask's QR
// keyring (and other EIP-4527 wallets). The keyring needs an origin with
// at least one component (it builds request paths as "m/" + origin) and
// its source fingerprint, and derives accounts as origin/children: so the
// hdkey is the key's child m/0, origin [fingerprint]m/0, children *, which
// makes its accounts m/0/0, m/0/1, ..., the addresses of `coldtss address
// --chain ethereum`.
func CryptoHDKey(k Key) (urtypes.HDKey, error) {
	xk, err := bitcoin.ExtendedKey(k.PublicKey, k.ChainCode, &chaincfg.MainNetParams)
	if err != nil {
		return urtypes.HDKey{}, err
	}
	child, err := xk.Derive(0)
	if err != nil {
		return urtypes.HDKey{}, fmt.Errorf("cannot derive m/0 of the key: %v", err)
	}
	pub, err := child.ECPubKey()
	if err != nil {
		return urtypes.HDKey{}, err
	}
	fp := k.Fingerprint()
	return urtypes.HDKey{
		KeyData:           pub.SerializeCompressed(),
		ChainCode:         child.ChainCode(),
		Origin:            &urtypes.Keypath{Components: []urtypes.PathComponent{{Index: 0}}, SourceFingerprint: fp},
		Children:          &urtypes.Keypath{Components: []urtypes.PathComponent{{Wildcard: true}}},
		ParentFingerprint: fp,
		Name:              k.Name,
	}, nil
}

// accountKey is the key itself as a crypto-hdkey at depth 0 with its
// fingerprint as origin; children, if given, is the branch (0 receive,
// 1 change) the output derives from.
func accountKey(k Key, net *chaincfg.Params, branch *uint32) (urtypes.HDKey, error) {
	if _, err := bitcoin.ExtendedKey(k.PublicKey, k.ChainCode, net); err != nil {
		return urtypes.HDKey{}, err
	}
	depth := uint8(0)
	h := urtypes.HDKey{
		KeyData:   append([]byte(nil), k.PublicKey...),
		ChainCode: append([]byte(nil), k.ChainCode...),
		Origin:    &urtypes.Keypath{SourceFingerprint: k.Fingerprint(), Depth: &depth},
		Name:      k.Name,
	}
	if net.Net != chaincfg.MainNetParams.Net {
		h.UseInfo = &urtypes.CoinInfo{Network: 1}
	}
	if branch != nil {
		h.Children = &urtypes.Keypath{Components: []urtypes.PathComponent{{Index: *branch}, {Wildcard: true}}}
	}
	return h, nil
}

func scriptsOf(t bitcoin.ScriptType) ([]urtypes.ScriptType, error) {
	switch t {
	case bitcoin.P2WPKH:
		return []urtypes.ScriptType{urtypes.ScriptWPKH}, nil
	case bitcoin.P2SHP2WPKH:
		return []urtypes.ScriptType{urtypes.ScriptSH, urtypes.ScriptWPKH}, nil
	case bitcoin.P2PKH:
		return []urtypes.ScriptType{urtypes.ScriptPKH}, nil
	}
	return nil, fmt.Errorf("script type %q has no crypto-output form here: use p2wpkh, p2sh-p2wpkh or p2pkh", string(t))
}

// CryptoOutput is the key's receive descriptor (the same as `coldtss
// export descriptor`: [fingerprint]xpub/0/*) as a BCR-2020-010
// crypto-output.
func CryptoOutput(k Key, net *chaincfg.Params, t bitcoin.ScriptType) (urtypes.Output, error) {
	scripts, err := scriptsOf(t)
	if err != nil {
		return urtypes.Output{}, err
	}
	zero := uint32(0)
	h, err := accountKey(k, net, &zero)
	if err != nil {
		return urtypes.Output{}, err
	}
	return urtypes.Output{Scripts: scripts, Key: h}, nil
}

// CryptoAccount is the key as a BCR-2020-015 crypto-account: its master
// fingerprint and one output per script type, each the key itself at
// depth 0 (wallets derive /0/* and /1/* below it). The outputs are written
// bare, as the Keystone registry and the wallets built on it read them.
func CryptoAccount(k Key, net *chaincfg.Params, types []bitcoin.ScriptType) (urtypes.Account, error) {
	acc := urtypes.Account{MasterFingerprint: k.Fingerprint()}
	for _, t := range types {
		scripts, err := scriptsOf(t)
		if err != nil {
			return urtypes.Account{}, err
		}
		h, err := accountKey(k, net, nil)
		if err != nil {
			return urtypes.Account{}, err
		}
		acc.Outputs = append(acc.Outputs, urtypes.Output{Scripts: scripts, Key: h})
	}
	return acc, nil
}

var ethKinds = map[urtypes.EthDataType]string{
	urtypes.EthTransaction:      ethereum.KindLegacyTx,
	urtypes.EthTypedData:        ethereum.KindTypedData,
	urtypes.EthRawBytes:         ethereum.KindPersonal,
	urtypes.EthTypedTransaction: ethereum.KindTypedTx,
}

// FromEthSignRequest turns a wallet's eth-sign-request into a coldtss Ethereum
// request for key k. The derivation path must name k's master fingerprint
// and be non-hardened below it; the address, if the request gives one,
// must be the one at that path. chainID (decimal) is used when the request
// carries no chain-id (MetaMask's message requests do not); "" then refuses.
func FromEthSignRequest(r urtypes.EthSignRequest, k Key, chainID string) (*ethereum.Request, error) {
	kind, ok := ethKinds[r.DataType]
	if !ok {
		return nil, fmt.Errorf("eth-sign-request has data-type %d, which is not a transaction (1, 4), typed data (2) or personal message (3): coldtss cannot sign it", r.DataType)
	}
	p := r.DerivationPath
	fp := k.Fingerprint()
	switch {
	case p.SourceFingerprint == 0:
		return nil, fmt.Errorf("eth-sign-request's derivation path has no source fingerprint: it cannot be told to be for this key (fingerprint %08x); pair the wallet again with coldtss export crypto-hdkey", fp)
	case p.SourceFingerprint != fp:
		return nil, fmt.Errorf("eth-sign-request is for the key with master fingerprint %08x, not this key (%08x): pick the right key (--key) or pair the wallet with this key", p.SourceFingerprint, fp)
	}
	steps := []string{"m"}
	for i, c := range p.Components {
		if c.Wildcard || c.Range {
			return nil, fmt.Errorf("eth-sign-request's derivation path %s has a wildcard or range at component %d: it must name one key; ask the wallet for a new request", p, i+1)
		}
		if c.Hardened {
			return nil, fmt.Errorf("eth-sign-request's derivation path %s is hardened at component %d: a coldtss key can only derive non-hardened children (m/0/i); pair the wallet with coldtss export crypto-hdkey", p, i+1)
		}
		steps = append(steps, strconv.FormatUint(uint64(c.Index), 10))
	}
	path := strings.Join(steps, "/")
	pub, err := ethereum.DeriveKey(k.PublicKey, k.ChainCode, path)
	if err != nil {
		return nil, fmt.Errorf("eth-sign-request's derivation path %s: %v", p, err)
	}
	addr, err := ethereum.AddressOf(pub)
	if err != nil {
		return nil, err
	}
	if r.Address != nil && !bytes.Equal(r.Address, addr[:]) {
		return nil, fmt.Errorf("eth-sign-request names address %s, but this key's address at %s is %s: the request is for another account; do not sign it", common.BytesToAddress(r.Address).Hex(), path, addr.Hex())
	}
	chain := chainID
	if r.ChainID != 0 {
		if r.ChainID < 0 {
			return nil, fmt.Errorf("eth-sign-request's chain-id %d is negative: the request is broken; ask for a new one", r.ChainID)
		}
		chain = strconv.FormatInt(r.ChainID, 10)
		if chainID != "" && chainID != chain {
			return nil, fmt.Errorf("eth-sign-request is for chain %s, not chain %s (--chain-id): check which network the wallet is on", chain, chainID)
		}
	}
	if chain == "" {
		return nil, fmt.Errorf("eth-sign-request carries no chain-id (wallets leave it out of message requests): give the chain with --chain-id, e.g. 1 for Ethereum mainnet")
	}
	req := &ethereum.Request{
		Format:  ethereum.RequestFormat,
		Kind:    kind,
		ChainID: chain,
		Path:    path,
		Address: addr.Hex(),
		Data:    "0x" + hex.EncodeToString(r.SignData),
	}
	if r.RequestID != nil {
		req.RequestID = r.RequestID.String()
	}
	// The request's own parser is the judge: no request is written that
	// coldtss plan sign would refuse to read.
	checked, err := ethereum.ParseRequest(req.Marshal())
	if err != nil {
		return nil, fmt.Errorf("eth-sign-request does not make a valid coldtss request: %v", err)
	}
	return checked, nil
}

// ethSignRequest expresses a coldtss request as an eth-sign-request for
// key k; ok is false when it cannot be without losing something (a note,
// a chain id beyond 63 bits).
func ethSignRequest(req *ethereum.Request, k Key) (urtypes.EthSignRequest, bool, error) {
	var r urtypes.EthSignRequest
	if req.Note != "" {
		return r, false, nil
	}
	id, ok := new(big.Int).SetString(req.ChainID, 10)
	if !ok || !id.IsInt64() {
		return r, false, nil
	}
	for dt, kind := range ethKinds {
		if kind == req.Kind {
			r.DataType = dt
		}
	}
	data, err := hex.DecodeString(strings.TrimPrefix(req.Data, "0x"))
	if err != nil {
		return r, false, fmt.Errorf("request data: %v", err)
	}
	r.SignData, r.ChainID = data, id.Int64()
	steps := strings.Split(req.Path, "/")[1:]
	for _, s := range steps {
		n, err := strconv.ParseUint(s, 10, 31)
		if err != nil {
			return r, false, fmt.Errorf("request path %s: %v", req.Path, err)
		}
		r.DerivationPath.Components = append(r.DerivationPath.Components, urtypes.PathComponent{Index: uint32(n)})
	}
	r.DerivationPath.SourceFingerprint = k.Fingerprint()
	addr := common.HexToAddress(req.Address)
	r.Address = addr[:]
	if req.RequestID != "" {
		u, err := parseUUID(req.RequestID)
		if err != nil {
			return r, false, err
		}
		r.RequestID = &u
	}
	return r, true, nil
}

func parseUUID(s string) (urtypes.UUID, error) {
	var u urtypes.UUID
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		return u, fmt.Errorf("request_id %q is not a UUID", s)
	}
	copy(u[:], b)
	return u, nil
}
