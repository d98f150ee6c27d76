package backup_test

// Real keys for the backup tests: 2-of-3 keygens run in-process by
// ceremonytest (ceremony.Runner over the memory transport; secp256k1 with
// the test-only pre-parameters of ceremony/testdata), and signings with
// restored shares.

import (
	"crypto/ed25519"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	btcecdsa "github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/ceremonytest"
	"github.com/coldtss/coldtss/ceremony/keys"
)

// station is one holder of a test key: its identity, record and share.
type station struct {
	id     *ceremony.Identity
	record keys.Record
	share  []byte
}

// contents is the backup contents of a station, as `backup create` makes them.
func (s station) contents() *backup.Contents {
	r := s.record
	return &backup.Contents{Format: backup.Format, KeyID: r.ID, Epoch: r.Epoch, Committee: r.Committee(), Station: r.Station,
		Key: r, Share: append([]byte(nil), s.share...), Identity: s.id.MarshalSecret(), Created: time.Now().UTC().Truncate(time.Second)}
}

// keygen makes a 2-of-3 key of curve held by alice, bob and carol, every
// record active as after a keygen that ended well.
func keygen(t testing.TB, curve string) []station {
	t.Helper()
	plan, ids, res := ceremonytest.Keygen(t, curve, 2, "backup test "+curve, "alice", "bob", "carol")
	var out []station
	for i, id := range ids {
		rec := keys.New(plan, id.Name, res[i])
		rec.Status, rec.SavedBy = keys.Active, keys.Acknowledgements(res[i].Saved)
		out = append(out, station{id: id, record: rec, share: res[i].Share})
	}
	return out
}

var (
	edOnce sync.Once
	edKey  []station
)

// edKey25519 is one ed25519 2-of-3 key shared by the tests of this package.
func edKey25519(t *testing.T) []station {
	t.Helper()
	edOnce.Do(func() { edKey = keygen(t, ceremony.CurveEd25519) })
	if edKey == nil {
		t.Fatal("the shared ed25519 key could not be made")
	}
	return edKey
}

// sign runs a real signing of one digest by the given holders and checks
// the signature with code independent of tss-lib (crypto/ed25519, btcec).
func sign(t *testing.T, signers []station) {
	t.Helper()
	rec := signers[0].record
	var cards []ceremony.Card
	var ids []*ceremony.Identity
	for _, s := range signers {
		cards, ids = append(cards, s.id.Card()), append(ids, s.id)
	}
	digest := make([]byte, 32)
	copy(digest, "coldtss backup: restored shares sign")
	plan, err := ceremony.NewSignPlan(rec.PlanKey(), rec.Curve, rec.Threshold, cards, []ceremony.SignRequest{{Data: hex.EncodeToString(digest)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range signers {
		if err := s.record.CheckSignPlan(plan); err != nil {
			t.Fatalf("station %s refuses the plan: %v", s.id.Name, err)
		}
	}
	res := ceremonytest.Run(t, plan, ids, func(i int, r *ceremony.Runner) { r.Share = signers[i].share })
	sig := res[0].Signatures[0]
	pub, _ := hex.DecodeString(rec.PublicKey)
	switch rec.Curve {
	case ceremony.CurveEd25519:
		if !ed25519.Verify(pub, digest, sig) {
			t.Fatal("crypto/ed25519 rejects the signature of the restored stations")
		}
	default:
		pk, err := btcec.ParsePubKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		var r, s btcec.ModNScalar
		r.SetByteSlice(sig[:32])
		s.SetByteSlice(sig[32:64])
		if !btcecdsa.NewSignature(&r, &s).Verify(digest, pk) {
			t.Fatal("btcec rejects the signature of the restored stations")
		}
	}
}
