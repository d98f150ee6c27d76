// Package files decides which QR format each kind of coldtss file travels
// as, both ways, so that stations and wallets can pass files as animated QR
// codes instead of on a USB stick:
//
//	file                          UR (default)                      BBQr
//	identity card, plan (JSON)    ur:coldtss-file {1: kind, 2: bytes}  J
//	PSBT (unsigned or signed)     ur:crypto-psbt (ur:psbt read too)  P
//	Ethereum request              ur:eth-sign-request (EIP-4527)     J
//	                              or ur:coldtss-file when it cannot
//	                              be expressed
//	Ethereum signature / signed   ur:eth-signature, request-id        U
//	transaction answering one     echoed from the request
//	raw transaction (tx.hex)      ur:coldtss-file                   T (default)
//
// Encode turns a file into a Series of QR parts; a Decoder takes scanned
// parts, one at a time, checks each (UR type, checksum, parts of two
// messages mixed) and returns the file. Every error is one line that names
// the part and says what to do; text that came from a QR code is passed
// through internal/untrusted before it is put in an error.
//
// Wallet exports live here too: CryptoHDKey (the MetaMask/Keystone EIP-4527
// pairing key), CryptoOutput and CryptoAccount (BCR-2020-010/015 for
// Sparrow and other UR wallets), and FromEthSignRequest, which turns a wallet's
// eth-sign-request into a coldtss Ethereum request for one key.
package files

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
)

// Kind is what a file is.
type Kind string

// The kinds of files that travel as QR codes.
const (
	Card       Kind = "card"        // identity card (coldtss id export)
	Plan       Kind = "plan"        // keygen or signing plan
	PSBT       Kind = "psbt"        // BIP-174 PSBT, binary (base64 is read too)
	EthRequest Kind = "eth-request" // coldtss-eth-request/1 JSON
	Signature  Kind = "signature"   // signature.hex: 0x and 65 bytes r||s||v
	Tx         Kind = "tx"          // tx.hex: a signed raw transaction in hex
)

var allKinds = []Kind{Card, Plan, PSBT, EthRequest, Signature, Tx}

// Format is how a file is put into QR codes.
type Format string

// The QR formats.
const (
	UR   Format = "ur"   // Uniform Resources (BCR-2020-005), fountain-coded
	BBQr Format = "bbqr" // Coinkite's BBQr
)

// ParseFormat reads "ur" or "bbqr"; "" is the kind's default.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(s)) {
	case "":
		return "", nil
	case UR:
		return UR, nil
	case BBQr:
		return BBQr, nil
	}
	return "", fmt.Errorf("QR format %q is unknown: use ur or bbqr", s)
}

// Detect tells what kind of file data is. name names the file in errors.
func Detect(name string, data []byte) (Kind, error) {
	if len(data) == 0 {
		return "", fmt.Errorf("%s is empty: there is nothing to show", name)
	}
	if bitcoin.IsPSBT(data) {
		return PSBT, nil
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var probe struct {
			Format string `json:"format"`
		}
		_ = json.Unmarshal(trimmed, &probe)
		if probe.Format == ethereum.RequestFormat {
			if _, err := ethereum.ParseRequest(data); err != nil {
				return "", fmt.Errorf("%s: %v", name, err)
			}
			return EthRequest, nil
		}
		if _, err := ceremony.ParsePlan(data); err == nil {
			return Plan, nil
		}
		if _, err := ceremony.ParseCard(data); err == nil {
			return Card, nil
		}
		return "", fmt.Errorf("%s is JSON but not an identity card, a plan or an Ethereum request that checks out: give an untouched coldtss file", name)
	}
	if h, ok := hexText(trimmed); ok {
		if len(h) == 65 && bytes.HasPrefix(trimmed, []byte("0x")) && (h[64] == 27 || h[64] == 28) {
			return Signature, nil
		}
		return Tx, nil
	}
	return "", fmt.Errorf("%s is not a file coldtss shows as QR (a card, plan, PSBT, Ethereum request, signature.hex or tx.hex): check the file name", name)
}

// hexText decodes "0x"-prefixed or plain hex text with white space around it.
func hexText(b []byte) ([]byte, bool) {
	s := strings.TrimPrefix(strings.TrimSpace(string(b)), "0x")
	if s == "" || len(s)%2 != 0 {
		return nil, false
	}
	h, err := hex.DecodeString(s)
	return h, err == nil
}

// check runs the kind's own parser over data, so that nothing is written
// or shown that coldtss would not read back.
func check(k Kind, data []byte) error {
	switch k {
	case Card:
		_, err := ceremony.ParseCard(data)
		return err
	case Plan:
		_, err := ceremony.ParsePlan(data)
		return err
	case EthRequest:
		_, err := ethereum.ParseRequest(data)
		return err
	case PSBT:
		_, err := bitcoin.PSBTBytes(data)
		return err
	case Signature:
		if got, err := Detect("the file", data); err != nil || got != Signature {
			return fmt.Errorf("not a 65-byte signature in 0x hex with v 27 or 28")
		}
		return nil
	case Tx:
		if _, ok := hexText(data); !ok {
			return fmt.Errorf("not a transaction in hex")
		}
		return nil
	}
	return fmt.Errorf("kind %q is unknown", string(k))
}

func knownKind(k Kind) bool {
	for _, a := range allKinds {
		if a == k {
			return true
		}
	}
	return false
}
