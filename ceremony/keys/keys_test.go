package keys

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	btcecdsa "github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/coldtss/coldtss/ceremony"
)

func record(t *testing.T) (Record, []*ceremony.Identity) {
	t.Helper()
	var ids []*ceremony.Identity
	var cards []ceremony.Card
	for _, n := range []string{"alice", "bob", "carol"} {
		id, err := ceremony.NewIdentity(n)
		if err != nil {
			t.Fatal(err)
		}
		ids, cards = append(ids, id), append(cards, id.Card())
	}
	plan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveSecp256k1, "treasury")
	if err != nil {
		t.Fatal(err)
	}
	pub := append([]byte{2}, bytes.Repeat([]byte{0x11}, 32)...)
	res := &ceremony.Result{PublicKey: pub, ChainCode: bytes.Repeat([]byte{0x22}, 32), Transcript: &ceremony.Transcript{Digest: "ab"}}
	return New(plan, "alice", res), ids
}

// The key id is part of every file name and plan: it must never change.
func TestIDGolden(t *testing.T) {
	b, err := os.ReadFile("../../testdata/golden/key-id.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Inputs  map[string]string `json:"inputs"`
		Outputs map[string]string `json:"outputs"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, curve := range []string{ceremony.CurveSecp256k1, ceremony.CurveEd25519} {
		pub, _ := hex.DecodeString(v.Inputs[curve])
		if got := ID(curve, pub); got != v.Outputs[curve] {
			t.Errorf("%s key id %s, golden %s", curve, got, v.Outputs[curve])
		}
	}
}

func TestRecordChecks(t *testing.T) {
	r, ids := record(t)
	if !r.IsPending() || r.CheckUsable() == nil || !strings.Contains(r.CheckUsable().Error(), "keys confirm "+r.ID) {
		t.Fatalf("a new key is not pending: %+v %v", r, r.CheckUsable())
	}
	r.Status = Active
	signers, err := r.Signers([]string{"carol", "alice"})
	if err != nil || signers[0].Name != "carol" || signers[1].Name != "alice" {
		t.Fatalf("Signers: %v %v", signers, err)
	}
	if _, err := r.Signers([]string{"mallory"}); err == nil || !strings.Contains(err.Error(), "no such station holds key") {
		t.Fatalf("an unknown signer: %v", err)
	}
	plan, err := ceremony.NewSignPlan(r.PlanKey(), r.Curve, r.Threshold, signers, []ceremony.SignRequest{{Data: strings.Repeat("ab", 32)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckSignPlan(plan); err != nil {
		t.Fatalf("a good plan: %v", err)
	}
	altered := *plan
	k := *plan.Key
	k.PublicKey = "03" + k.PublicKey[2:]
	altered.Key = &k
	if err := r.CheckSignPlan(&altered); err == nil || !strings.Contains(err.Error(), "does not match this station's record") {
		t.Fatalf("an altered key: %v", err)
	}
	impostor, _ := ceremony.NewIdentity("carol")
	swapped := *plan
	swapped.Stations = []ceremony.Card{impostor.Card(), ids[0].Card()}
	if err := r.CheckSignPlan(&swapped); err == nil || !strings.Contains(err.Error(), "identity card for carol is not the one that generated key") {
		t.Fatalf("a swapped card: %v", err)
	}
	pending := r
	pending.Status = Pending
	if err := pending.CheckSignPlan(plan); err == nil || !strings.Contains(err.Error(), "is pending") {
		t.Fatalf("a pending key: %v", err)
	}
	if _, _, err := r.Secp256k1("Bitcoin needs"); err != nil {
		t.Fatal(err)
	}
	ed := r
	ed.Curve = ceremony.CurveEd25519
	if _, _, err := ed.Secp256k1("Bitcoin needs"); err == nil || !strings.Contains(err.Error(), "Bitcoin needs a secp256k1 key") {
		t.Fatalf("wrong curve: %v", err)
	}
	damaged := r
	damaged.ChainCode = "zz"
	if _, _, err := damaged.Secp256k1("x"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("a damaged chain code: %v", err)
	}
	damaged = r
	damaged.StationCards[0] = json.RawMessage(`{"format":"coldtss-card/1","name":"alice"}`)
	if _, err := damaged.Cards(); err == nil {
		t.Fatal("a damaged card was accepted")
	}
}

func TestSignatureFile(t *testing.T) {
	r, _ := record(t)
	r.Status = Active
	signers, _ := r.Signers([]string{"alice", "bob"})
	plan, err := ceremony.NewSignPlan(r.PlanKey(), r.Curve, r.Threshold, signers, []ceremony.SignRequest{{Data: strings.Repeat("ab", 32), Path: "m/0/1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := append(bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)...)
	res := &ceremony.Result{Signatures: [][]byte{append(rs, 1)}, SigningKeys: [][]byte{{2, 3}}}
	f, err := NewSignatureFile(plan, res)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Signatures[0]
	if f.Format != SignaturesFormat || s.Index != 1 || s.Path != "m/0/1" || *s.Recovery != 1 || s.Signature != hex.EncodeToString(rs) {
		t.Fatalf("signature file: %+v", f)
	}
	der, _ := hex.DecodeString(s.DER)
	sig, err := btcecdsa.ParseDERSignature(der)
	if err != nil || !bytes.Equal(sig.Serialize(), der) {
		t.Fatalf("DER does not parse back: %v", err)
	}
	// r and s (top bit clear, so 32-byte DER integers) appear as they are.
	if !bytes.Contains(der, rs[:32]) || !bytes.Contains(der, rs[32:]) || len(der) != 70 {
		t.Fatalf("DER %x does not hold r and s", der)
	}
	var back SignatureFile
	if err := json.Unmarshal(f.Marshal(), &back); err != nil || back.Signatures[0].DER != s.DER {
		t.Fatalf("round trip: %v", err)
	}
	res.Signatures = append(res.Signatures, rs)
	if _, err := NewSignatureFile(plan, res); err == nil {
		t.Fatal("more signatures than messages were accepted")
	}
	if _, err := DER(rs[:63]); err == nil {
		t.Fatal("a short signature was encoded")
	}
}
