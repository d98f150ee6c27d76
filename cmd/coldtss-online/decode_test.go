package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// TestReadSignedChooses checks --chain picks the reader, and without it
// the file's chain is recognised, with each refusal of the choice.
func TestReadSignedChooses(t *testing.T) {
	// A Bitcoin transaction with its input signed (the reader looks only
	// for a signature, not at it) and one not.
	btcTx := wire.NewMsgTx(2)
	btcTx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{7}, 1), []byte{0x51}, nil))
	btcTx.AddTxOut(wire.NewTxOut(1000, []byte{0x51}))
	btcHex := hexTx(t, btcTx.Serialize)
	btcUnsigned := btcTx.Copy()
	btcUnsigned.TxIn[0].SignatureScript = nil
	btcUnsignedHex := hexTx(t, btcUnsigned.Serialize)
	p, err := psbt.NewFromUnsignedTx(btcUnsigned)
	if err != nil {
		t.Fatal(err)
	}
	unsignedPSBT, err := p.B64Encode()
	if err != nil {
		t.Fatal(err)
	}

	key, err := crypto.HexToECDSA("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x3535353535353535353535353535353535353535")
	unsigned := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: 1, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &to})
	ethTx, err := types.SignTx(unsigned, types.LatestSignerForChainID(big.NewInt(1)), key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ethTx.MarshalBinary()
	ethHex := hex.EncodeToString(b)
	b, _ = unsigned.MarshalBinary()
	ethUnsignedHex := hex.EncodeToString(b)

	for _, c := range []struct {
		raw, chain string
		btc        bool
	}{
		{btcHex, "", true}, {btcHex, "bitcoin", true}, {ethHex, "", false}, {"0x" + ethHex, "ethereum", false},
	} {
		tx, err := readSigned("f", []byte(c.raw), c.chain)
		switch {
		case err != nil:
			t.Errorf("--chain %q: %v", c.chain, err)
		case c.btc && (tx.btc == nil || tx.eth != nil || tx.btc.TxHash() != btcTx.TxHash()):
			t.Errorf("--chain %q: read %+v, want the Bitcoin transaction", c.chain, tx)
		case !c.btc && (tx.eth == nil || tx.btc != nil || tx.eth.Hash() != ethTx.Hash()):
			t.Errorf("--chain %q: read %+v, want the Ethereum transaction", c.chain, tx)
		}
	}

	const notHex = "f is neither a signed transaction in hex nor a PSBT: give the tx.hex that coldtss wrote after signing"
	for _, c := range []struct {
		name, raw, chain, want string
		usage                  bool
	}{
		{"PSBT for ethereum", unsignedPSBT, "ethereum", "f is a Bitcoin PSBT but --chain says ethereum: give the Ethereum tx.hex, or --chain bitcoin", false},
		{"unsigned PSBT", unsignedPSBT, "", "f is a PSBT that is not fully signed and finalized: finish the signing ceremony first (coldtss writes the signed tx.hex)", false},
		{"text", "hello", "", notHex, false},
		{"text for bitcoin", "hello", "bitcoin", notHex, false},
		{"text for ethereum", "hello", "ethereum", notHex, false},
		{"other hex", "deadbeef", "", "f holds hex that is neither a Bitcoin nor an Ethereum transaction: give the tx.hex that coldtss wrote after signing", false},
		{"Ethereum for bitcoin", ethHex, "bitcoin", "f is not a signed bitcoin transaction (it does not decode): give the tx.hex that coldtss wrote after signing", false},
		{"Bitcoin for ethereum", btcHex, "ethereum", "f is not a signed ethereum transaction (it does not decode): give the tx.hex that coldtss wrote after signing", false},
		{"unsigned Bitcoin", btcUnsignedHex, "", "f: input 0 of the Bitcoin transaction is not signed: finish the signing ceremony first", false},
		{"unsigned Ethereum", ethUnsignedHex, "", "f: the Ethereum transaction is not signed: give the tx.hex that coldtss wrote after signing", false},
		{"both chains", bothChains(t), "", "f decodes both as a Bitcoin and as an Ethereum transaction: say which with --chain bitcoin or --chain ethereum", true},
	} {
		tx, err := readSigned("f", []byte(c.raw), c.chain)
		if err == nil {
			t.Errorf("%s: read %+v", c.name, tx)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
		if errors.As(err, new(usageError)) != c.usage {
			t.Errorf("%s: usage error %v, want %v", c.name, !c.usage, c.usage)
		}
	}
	// Said which, the ambiguous file is read as that chain's.
	if tx, err := readSigned("f", []byte(bothChains(t)), "bitcoin"); err == nil || !strings.Contains(err.Error(), "input 0 of the Bitcoin transaction is not signed") {
		t.Errorf("ambiguous file as bitcoin: %+v, %v", tx, err)
	}
	if tx, err := readSigned("f", []byte(bothChains(t)), "ethereum"); err == nil || !strings.Contains(err.Error(), "the Ethereum transaction is not signed") {
		t.Errorf("ambiguous file as ethereum: %+v, %v", tx, err)
	}
}

func hexTx(t *testing.T, serialize func(io.Writer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(buf.Bytes())
}

// bothChains is 92 bytes that are both a Bitcoin transaction (one input,
// one output, neither signed) and the RLP of an Ethereum legacy
// transaction (no signature).
func bothChains(t *testing.T) string {
	t.Helper()
	// Ethereum: list header, nonce 0, gas price 0, gas 1, to (20 bytes),
	// value 0, 60 bytes of data, v, r, s 0.
	// Bitcoin: version f8 5a 80 80, 1 input, whose outpoint runs from the
	// to address into the data; the rest of the input and the output are
	// in the data, the lock time is its last byte and v, r, s.
	data := make([]byte, 60)
	data[12] = 0  // input's script length
	data[17] = 1  // one output
	data[26] = 32 // output script length: up to the data's last byte
	raw := append([]byte{0xf8, 0x5a, 0x80, 0x80, 0x01, 0x94}, bytes.Repeat([]byte{0x35}, 20)...)
	raw = append(append(append(raw, 0x80, 0xb8, 60), data...), 0x80, 0x80, 0x80)

	var btc wire.MsgTx
	r := bytes.NewReader(raw)
	if err := btc.Deserialize(r); err != nil || r.Len() != 0 || len(btc.TxIn) != 1 || len(btc.TxOut) != 1 {
		t.Fatalf("not a Bitcoin transaction: %v (%d bytes left)", err, r.Len())
	}
	var eth types.Transaction
	if err := eth.UnmarshalBinary(raw); err != nil {
		t.Fatalf("not an Ethereum transaction: %v", err)
	}
	return hex.EncodeToString(raw)
}
