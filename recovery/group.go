package recovery

import (
	"errors"
	"math/big"

	"filippo.io/edwards25519"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/decred/dcrd/dcrec/edwards/v2"

	"github.com/coldtss/coldtss/ceremony"
)

// group is the arithmetic of one curve, on points encoded as the key
// record writes them: 33-byte compressed SEC1 for secp256k1, the 32-byte
// standard encoding for ed25519.
type group interface {
	// order is the order of the group the shares live in (q).
	order() *big.Int
	// encode checks that the affine point (x, y), as tss-lib stores it,
	// is on the curve, and encodes it.
	encode(x, y *big.Int) ([]byte, error)
	// mulBase is k·G (k reduced mod q, not zero).
	mulBase(k *big.Int) []byte
	// combine is Σ k_i·P_i over public points; it fails on the identity.
	combine(ks []*big.Int, ps [][]byte) ([]byte, error)
}

func groupOf(curve string) (group, error) {
	switch curve {
	case ceremony.CurveSecp256k1:
		return secp256k1{}, nil
	case ceremony.CurveEd25519:
		return ed25519Group{}, nil
	}
	return nil, errors.New("unknown curve")
}

// scalarBytes writes k mod q big-endian in 32 bytes.
func scalarBytes(k, q *big.Int) []byte {
	out := make([]byte, 32)
	new(big.Int).Mod(k, q).FillBytes(out)
	return out
}

// --- secp256k1

type secp256k1 struct{}

func (secp256k1) order() *big.Int { return btcec.S256().N }

func (secp256k1) encode(x, y *big.Int) ([]byte, error) {
	if x == nil || y == nil || !btcec.S256().IsOnCurve(x, y) {
		return nil, errors.New("not a point of secp256k1")
	}
	out := make([]byte, 33)
	out[0] = 2 + byte(y.Bit(0))
	x.FillBytes(out[1:])
	return out, nil
}

func (g secp256k1) mulBase(k *big.Int) []byte {
	b := scalarBytes(k, g.order())
	var s btcec.ModNScalar
	s.SetByteSlice(b)
	wipeBytes(b)
	var p btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&s, &p)
	s.Zero()
	p.ToAffine()
	return btcec.NewPublicKey(&p.X, &p.Y).SerializeCompressed()
}

func (g secp256k1) combine(ks []*big.Int, ps [][]byte) ([]byte, error) {
	var sum btcec.JacobianPoint
	for i, enc := range ps {
		pk, err := btcec.ParsePubKey(enc)
		if err != nil {
			return nil, err
		}
		var p, t btcec.JacobianPoint
		pk.AsJacobian(&p)
		var s btcec.ModNScalar
		s.SetByteSlice(scalarBytes(ks[i], g.order()))
		btcec.ScalarMultNonConst(&s, &p, &t)
		if i == 0 {
			sum = t
		} else {
			btcec.AddNonConst(&sum, &t, &sum)
		}
	}
	sum.ToAffine()
	if (sum.X.IsZero() && sum.Y.IsZero()) || sum.Z.IsZero() {
		return nil, errors.New("the point at infinity")
	}
	return btcec.NewPublicKey(&sum.X, &sum.Y).SerializeCompressed(), nil
}

// --- ed25519

type ed25519Group struct{}

func (ed25519Group) order() *big.Int { return edwards.Edwards().N }

func (ed25519Group) encode(x, y *big.Int) ([]byte, error) {
	if x == nil || y == nil || !edwards.Edwards().IsOnCurve(x, y) {
		return nil, errors.New("not a point of ed25519")
	}
	b := edwards.NewPublicKey(x, y).Serialize()
	if _, err := new(edwards25519.Point).SetBytes(b); err != nil {
		return nil, err
	}
	return b, nil
}

// edScalar is k mod q as an edwards25519 scalar (little-endian inside).
func edScalar(k, q *big.Int) *edwards25519.Scalar {
	b := scalarBytes(k, q)
	reverse(b)
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b)
	wipeBytes(b)
	if err != nil {
		panic("recovery: a reduced scalar is not canonical")
	}
	return s
}

func (g ed25519Group) mulBase(k *big.Int) []byte {
	s := edScalar(k, g.order())
	p := new(edwards25519.Point).ScalarBaseMult(s)
	s.Set(edwards25519.NewScalar())
	return p.Bytes()
}

func (g ed25519Group) combine(ks []*big.Int, ps [][]byte) ([]byte, error) {
	var scalars []*edwards25519.Scalar
	var points []*edwards25519.Point
	for i, enc := range ps {
		p, err := new(edwards25519.Point).SetBytes(enc)
		if err != nil {
			return nil, err
		}
		points = append(points, p)
		scalars = append(scalars, edScalar(ks[i], g.order()))
	}
	sum := new(edwards25519.Point).VarTimeMultiScalarMult(scalars, points)
	if sum.Equal(edwards25519.NewIdentityPoint()) == 1 {
		return nil, errors.New("the identity point")
	}
	return sum.Bytes(), nil
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// --- Lagrange interpolation

// lagrange returns the coefficients λ_i that give f(at) = Σ λ_i·f(x_i)
// for a polynomial of degree below len(xs), mod q. The xs must be
// distinct mod q.
func lagrange(xs []*big.Int, at, q *big.Int) ([]*big.Int, error) {
	out := make([]*big.Int, len(xs))
	for i, xi := range xs {
		num, den := big.NewInt(1), big.NewInt(1)
		for j, xj := range xs {
			if i == j {
				continue
			}
			num.Mul(num, new(big.Int).Sub(at, xj)).Mod(num, q)
			den.Mul(den, new(big.Int).Sub(xi, xj)).Mod(den, q)
		}
		inv := new(big.Int).ModInverse(den, q)
		if inv == nil {
			return nil, errors.New("two shares have the same index")
		}
		out[i] = num.Mul(num, inv).Mod(num, q)
	}
	return out, nil
}

// wipe overwrites a secret number (best effort: copies made by big.Int
// arithmetic are left to the garbage collector).
func wipe(x *big.Int) {
	if x == nil {
		return
	}
	w := x.Bits()
	for i := range w {
		w[i] = 0
	}
	x.SetInt64(0)
}

func wipeBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
