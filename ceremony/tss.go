package ceremony

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"github.com/bnb-chain/tss-lib/v3/common"
	"github.com/bnb-chain/tss-lib/v3/crypto/ckd"
	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	eddsakeygen "github.com/bnb-chain/tss-lib/v3/eddsa/keygen"
	eddsasigning "github.com/bnb-chain/tss-lib/v3/eddsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
	"github.com/decred/dcrd/dcrec/edwards/v2"
)

// KeygenParty is a key generation in progress.
type keygenParty interface {
	Party
	// Share returns the station's secret share (serialized), once Done.
	Share() []byte
	// PublicKey returns the group public key, once Done: 33-byte compressed
	// SEC1 for secp256k1, 32 bytes for ed25519.
	PublicKey() []byte
}

// SignParty is one signature of a batch in progress.
type signParty interface {
	Party
	// Signature returns r||s||v (65 bytes) for secp256k1 or the 64-byte
	// ed25519 signature, once Done.
	Signature() []byte
	// SigningKey is the public key the signature verifies under (the
	// derived child key when the request names a path).
	SigningKey() []byte
}

var curveMu sync.Mutex

// useCurve sets tss-lib's global curve, which its JSON decoding of points
// relies on. A station process runs one curve at a time.
func useCurve(curve string) {
	curveMu.Lock()
	defer curveMu.Unlock()
	if curve == CurveEd25519 {
		tss.SetCurve(tss.Edwards())
	} else {
		tss.SetCurve(tss.S256())
	}
}

// CompressPoint encodes a public key point for the curve.
func compressPoint(curve string, x, y *big.Int) []byte {
	if curve == CurveEd25519 {
		return edwards.NewPublicKey(x, y).Serialize()
	}
	out := make([]byte, 33)
	out[0] = 2 + byte(y.Bit(0))
	x.FillBytes(out[1:])
	return out
}

// GeneratePreParams runs tss-lib's search for the safe primes and Paillier
// key that ECDSA keygen needs, and returns them serialized. It takes from
// seconds to minutes; cancel ctx to stop it.
func GeneratePreParams(ctx context.Context) ([]byte, error) {
	pp, err := ecdsakeygen.GeneratePreParamsWithContext(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(pp)
}

// received takes the party's result from its end channel once it is there.
func received[T any](end <-chan *T, result **T) bool {
	if *result == nil {
		select {
		case r := <-end:
			*result = r
		default:
		}
	}
	return *result != nil
}

// --- keygen

// tssKeygen is a key generation of either curve: T is tss-lib's save data
// (the share), and pub reads the group public key from it.
type tssKeygen[T any] struct {
	*tssParty
	end    chan *T
	result *T
	pub    func(*T) []byte
}

// newKeygenParty makes this station's keygen party. preParams (ECDSA only)
// is one serialized set of Paillier pre-parameters, used for this key only.
func newKeygenParty(plan *Plan, self int, preParams []byte) (keygenParty, error) {
	useCurve(plan.Curve)
	base := newTSSParty(plan, self)
	params := base.params(plan, self, 0)
	if plan.Curve == CurveEd25519 {
		p := &tssKeygen[eddsakeygen.LocalPartySaveData]{tssParty: base, end: make(chan *eddsakeygen.LocalPartySaveData, 1),
			pub: func(d *eddsakeygen.LocalPartySaveData) []byte {
				return compressPoint(CurveEd25519, d.EDDSAPub.X(), d.EDDSAPub.Y())
			}}
		p.party = eddsakeygen.NewLocalParty(params, base.out, p.end)
		p.done = p.poll
		return p, nil
	}
	var pp ecdsakeygen.LocalPreParams
	if err := json.Unmarshal(preParams, &pp); err != nil || !pp.ValidateWithProof() {
		return nil, errors.New("the station's pre-parameters are damaged or from an older tss-lib: run `coldtss preparams` again")
	}
	p := &tssKeygen[ecdsakeygen.LocalPartySaveData]{tssParty: base, end: make(chan *ecdsakeygen.LocalPartySaveData, 1),
		pub: func(d *ecdsakeygen.LocalPartySaveData) []byte {
			return compressPoint(CurveSecp256k1, d.ECDSAPub.X(), d.ECDSAPub.Y())
		}}
	p.party = ecdsakeygen.NewLocalParty(params, base.out, p.end, pp)
	p.done = p.poll
	return p, nil
}

func (p *tssKeygen[T]) poll() bool { return received(p.end, &p.result) }

func (p *tssKeygen[T]) Share() []byte {
	b, err := json.Marshal(p.result)
	if err != nil {
		panic(err)
	}
	return b
}

func (p *tssKeygen[T]) PublicKey() []byte { return p.pub(p.result) }

// --- signing

type tssSignParty struct {
	*tssParty
	end    chan *common.SignatureData
	result *common.SignatureData
	curve  string
	pubX   *big.Int
	pubY   *big.Int
}

// NewSignParty makes this station's party for message index of a signing
// plan. share is the station's serialized share of plan.Key.
func newSignParty(plan *Plan, self, index int, share []byte) (_ signParty, err error) {
	useCurve(plan.Curve)
	defer func() {
		// tss-lib panics when a signer is not among the key's holders.
		if r := recover(); r != nil {
			err = fmt.Errorf("the signers in the plan do not match the stations that hold key %s (%v)", plan.Key.ID, r)
		}
	}()
	req := plan.Messages[index]
	data, _ := hex.DecodeString(req.Data)
	base := newTSSParty(plan, self)
	params := base.params(plan, self, index)
	p := &tssSignParty{tssParty: base, end: make(chan *common.SignatureData, 1), curve: plan.Curve}
	p.done = p.poll
	msg := new(big.Int).SetBytes(data)
	if plan.Curve == CurveEd25519 {
		var key eddsakeygen.LocalPartySaveData
		if err := json.Unmarshal(share, &key); err != nil {
			return nil, fmt.Errorf("the share of key %s does not decode: %v", plan.Key.ID, err)
		}
		p.pubX, p.pubY = key.EDDSAPub.X(), key.EDDSAPub.Y()
		if err := checkKey(plan, compressPoint(plan.Curve, p.pubX, p.pubY)); err != nil {
			return nil, err
		}
		if err := checkShareEpoch(plan, self, key.ShareID); err != nil {
			return nil, err
		}
		p.party = eddsasigning.NewLocalParty(msg, params, key, base.out, p.end, len(data))
		return p, nil
	}
	// A fresh decode per party is the deep copy tss-lib needs: both
	// BuildLocalSaveDataSubset and UpdatePublicKeyAndAdjustBigXj mutate.
	var key ecdsakeygen.LocalPartySaveData
	if err := json.Unmarshal(share, &key); err != nil {
		return nil, fmt.Errorf("the share of key %s does not decode: %v", plan.Key.ID, err)
	}
	if err := checkKey(plan, compressPoint(plan.Curve, key.ECDSAPub.X(), key.ECDSAPub.Y())); err != nil {
		return nil, err
	}
	if err := checkShareEpoch(plan, self, key.ShareID); err != nil {
		return nil, err
	}
	path, err := req.path()
	if err != nil {
		return nil, err
	}
	var delta *big.Int
	if len(path) > 0 {
		d, child, err := deriveChild(plan, key.ECDSAPub.X(), key.ECDSAPub.Y(), path)
		if err != nil {
			return nil, fmt.Errorf("cannot derive %s: %v", req.Path, err)
		}
		keys := []ecdsakeygen.LocalPartySaveData{key}
		if err := ecdsasigning.UpdatePublicKeyAndAdjustBigXj(d, keys, &child.PublicKey, tss.S256()); err != nil {
			return nil, err
		}
		key, delta = keys[0], d
	}
	p.pubX, p.pubY = key.ECDSAPub.X(), key.ECDSAPub.Y()
	p.party = ecdsasigning.NewLocalPartyWithKDD(msg, params, key, delta, base.out, p.end, len(data))
	return p, nil
}

// deriveChild derives the non-hardened BIP32 child of the plan's key (public
// point x, y and the key's chain code) along path, with tss-lib's ckd. It
// returns the sum of the tweaks (the key derivation delta) and the child.
func deriveChild(plan *Plan, x, y *big.Int, path []uint32) (*big.Int, *ckd.ExtendedKey, error) {
	cc, err := hex.DecodeString(plan.Key.ChainCode)
	if err != nil || len(cc) != 32 {
		return nil, nil, fmt.Errorf("key %s has no valid chain code", plan.Key.ID)
	}
	ec := tss.S256()
	parent := &ckd.ExtendedKey{
		PublicKey: ecdsa.PublicKey{Curve: ec, X: x, Y: y},
		ChainCode: cc,
		ParentFP:  []byte{0, 0, 0, 0},
		Version:   []byte{0x04, 0x88, 0xad, 0xe4},
	}
	return ckd.DeriveChildKeyFromHierarchy(path, parent, ec.Params().N, ec)
}

func checkKey(plan *Plan, pub []byte) error {
	if hex.EncodeToString(pub) != plan.Key.PublicKey {
		return fmt.Errorf("this station's share belongs to public key %x, but the plan names %s for key %s: the plan was altered or names the wrong key", pub, plan.Key.PublicKey, plan.Key.ID)
	}
	return nil
}

func (p *tssSignParty) poll() bool { return received(p.end, &p.result) }

func (p *tssSignParty) Signature() []byte {
	if p.curve == CurveEd25519 {
		return append([]byte(nil), p.result.Signature...)
	}
	sig := append([]byte(nil), p.result.R...)
	sig = append(sig, p.result.S...)
	return append(sig, p.result.SignatureRecovery[0])
}

func (p *tssSignParty) SigningKey() []byte { return compressPoint(p.curve, p.pubX, p.pubY) }
