package ceremony

// Golden vectors of coldtss's own formats, in the manner of age's testkit:
// each file under testdata/golden holds fixed inputs and the exact bytes
// this version produces from them. The test rebuilds every output from its
// inputs and compares byte for byte, so a format can never change by
// accident. After a deliberate format change (a new version tag), run
// `go test ./ceremony -run TestGolden -update` and say so in the commit.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
)

var update = flag.Bool("update", false, "rewrite the golden vectors in testdata/golden")

const goldenDir = "../testdata/golden"

// goldenID is a station identity made from fixed seeds.
func goldenID(t *testing.T, name string) *Identity {
	t.Helper()
	sign := sha256.Sum256([]byte("coldtss golden " + name + " sign"))
	seal := sha256.Sum256([]byte("coldtss golden " + name + " seal"))
	b, _ := json.Marshal(identityJSON{Format: identityFormat, Name: name, Sign: hex.EncodeToString(sign[:]), Seal: hex.EncodeToString(seal[:]), Created: "2026-01-02T03:04:05Z"})
	id, err := UnmarshalIdentity(b)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func goldenPlan(t *testing.T) (*Plan, []*Identity) {
	var ids []*Identity
	var cards []Card
	for _, n := range []string{"alice", "bob", "carol"} {
		id := goldenID(t, n)
		ids, cards = append(ids, id), append(cards, id.Card())
	}
	p := &Plan{Format: PlanFormat, Kind: KindKeygen, Session: "00112233445566778899aabbccddeeff", Created: "2026-01-02T03:04:05Z",
		Curve: CurveSecp256k1, Threshold: 2, Label: "golden", Stations: cards}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p, ids
}

// vector is one golden file: what it is, its inputs, and its outputs
// (text as is, bytes as hex).
type vector struct {
	Comment string            `json:"comment"`
	Inputs  map[string]string `json:"inputs"`
	Outputs map[string]string `json:"outputs"`
}

func checkGolden(t *testing.T, name string, v vector) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".json")
	got, _ := json.MarshalIndent(v, "", "  ")
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (a new vector: run with -update once)", path, err)
	}
	var w vector
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for k, out := range w.Outputs {
		if v.Outputs[k] != out {
			t.Errorf("%s: %s changed:\n got  %s\n want %s", path, k, v.Outputs[k], out)
		}
	}
	for k := range v.Outputs {
		if _, ok := w.Outputs[k]; !ok {
			t.Errorf("%s: output %s is not in the golden file (run with -update after a deliberate change)", path, k)
		}
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not byte for byte what this version writes (run with -update after a deliberate change)", path)
	}
}

func TestGolden(t *testing.T) {
	plan, ids := goldenPlan(t)
	fp := plan.Fingerprint()
	alice := ids[0]

	card := alice.Card()
	cb, _ := json.MarshalIndent(card, "", "  ")
	checkGolden(t, "identity-card", vector{
		Comment: "coldtss-card/1 as `coldtss id export` writes it, for the station alice made from fixed seeds; its fingerprint and the words read aloud (docs/formats.md section 1)",
		Inputs:  map[string]string{"name": "alice", "sign_seed": "sha256(\"coldtss golden alice sign\")", "seal_key": "sha256(\"coldtss golden alice seal\")", "created": "2026-01-02T03:04:05Z"},
		Outputs: map[string]string{"card": string(cb) + "\n", "fingerprint": hex.EncodeToString(sliceOf(card.Fingerprint())), "words": card.FingerprintWords()},
	})

	checkGolden(t, "plan-keygen", vector{
		Comment: "a coldtss-plan/1 keygen plan of alice, bob and carol (fixed seeds), 2-of-3 secp256k1, as written to plan.json; its fingerprint over deterministic CBOR and the words (section 3)",
		Inputs:  map[string]string{"session": plan.Session, "created": plan.Created, "threshold": "2", "curve": plan.Curve, "label": plan.Label},
		Outputs: map[string]string{"plan": string(plan.Marshal()), "fingerprint": hex.EncodeToString(fp[:]), "words": plan.FingerprintWords()},
	})

	echo := [][]byte{bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)}
	pkt := &Packet{Version: PacketVersion, Step: 2, From: 0, Echo: echo, Envelopes: []Envelope{
		{Kind: EnvTSS, Index: 0, To: Broadcast, Payload: append([]byte{2}, "(a KGRound2Message2)"...)},
		{Kind: EnvTSS, Index: 0, To: 2, Payload: []byte("(sealed bytes for carol)")},
		{Kind: EnvChainReveal, Index: 0, To: Broadcast, Payload: bytes.Repeat([]byte{0xcc}, 32)},
	}}
	pkt.Sign(alice, fp)
	raw := pkt.Encode()
	if _, err := DecodePacket(plan, raw, "golden", 2, 0); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "packet", vector{
		Comment: "alice's step-2 packet of the golden plan: version 3 (no session: the signature binds the plan), echoes of bob's and carol's step-1 digests (02.., 03..), three envelopes (a broadcast tss-lib message of type number 2, a sealed one, a chain-code reveal); signed over coldtss-packet-v3 || plan fingerprint || CBOR (section 4)",
		Inputs:  map[string]string{"plan": "plan-keygen.json", "step": "2", "from": "0 (alice)"},
		Outputs: map[string]string{"packet": hex.EncodeToString(raw), "sha256": hex.EncodeToString(packetDigest(raw))},
	})

	// A tss-lib message as a TSS envelope carries it, and the wire bytes
	// the receiver rebuilds from that: tss-lib's own, byte for byte.
	from := tss.NewPartyID("alice", "alice", big.NewInt(1))
	commitment := new(big.Int).SetBytes(bytes.Repeat([]byte{0xab}, 32))
	r7 := ecdsasigning.NewSignRound7Message(from, commitment)
	wire, _, err := r7.WireBytes()
	if err != nil {
		t.Fatal(err)
	}
	signTypes := typesFor(KindSign, CurveSecp256k1)
	payload, err := signTypes.encode(r7)
	if err != nil {
		t.Fatal(err)
	}
	if _, rebuilt, err := signTypes.decode(payload); err != nil || !bytes.Equal(rebuilt, wire) {
		t.Fatalf("the payload does not rebuild tss-lib's wire bytes: %x, %v", rebuilt, err)
	}
	checkGolden(t, "tss-payload", vector{
		Comment: "a secp256k1 signing's SignRound7Message (type number 7) with the commitment ab*32: the TSS envelope payload (type number || the message's protobuf bytes) and tss-lib's wire bytes (a protobuf Any) the receiver rebuilds from it (section 4.1)",
		Inputs:  map[string]string{"ceremony": "sign secp256k1", "type": r7.Type(), "commitment": hex.EncodeToString(commitment.Bytes())},
		Outputs: map[string]string{"payload": hex.EncodeToString(payload), "wire": hex.EncodeToString(wire)},
	})

	seal := sealContext{Plan: fp, Step: 2, From: 0, To: 2, Index: 0, Kind: EnvTSS}
	checkGolden(t, "seal-info", vector{
		Comment: "the HPKE info string that binds a sealed payload to its place (section 5); the sealing itself is randomised",
		Inputs:  map[string]string{"plan": "plan-keygen.json", "step": "2", "from": "0", "to": "2", "index": "0", "kind": "0 (tss)"},
		Outputs: map[string]string{"info": hex.EncodeToString(seal.info())},
	})

	checkGolden(t, "session-nonce", vector{
		Comment: "tss-lib's session nonce for party 0 and party 1 of a batch (section 6)",
		Inputs:  map[string]string{"plan": "plan-keygen.json"},
		Outputs: map[string]string{"index-0": sessionNonce(plan, 0).Text(16), "index-1": sessionNonce(plan, 1).Text(16)},
	})

	cc := &chainCode{plan: fp, reveals: [][]byte{bytes.Repeat([]byte{0xaa}, 32), bytes.Repeat([]byte{0xbb}, 32), bytes.Repeat([]byte{0xcc}, 32)}}
	checkGolden(t, "chain-code", vector{
		Comment: "the joint chain code: each station's commitment in step 1, and the chain code from the three contributions aa.., bb.., cc.. (section 7)",
		Inputs:  map[string]string{"plan": "plan-keygen.json", "contributions": "aa*32, bb*32, cc*32"},
		Outputs: map[string]string{
			"commit-0": hex.EncodeToString(chainCommitment(fp, 0, cc.reveals[0])), "commit-1": hex.EncodeToString(chainCommitment(fp, 1, cc.reveals[1])),
			"commit-2": hex.EncodeToString(chainCommitment(fp, 2, cc.reveals[2])), "chain_code": hex.EncodeToString(cc.derive()),
		},
	})

	var flat [][]byte
	for s := 0; s < 3; s++ {
		for j := 0; j < 3; j++ {
			flat = append(flat, bytes.Repeat([]byte{byte(16*s + j)}, 32))
		}
	}
	results := [][]byte{bytes.Repeat([]byte{2}, 33), bytes.Repeat([]byte{0xcc}, 32)}
	digest := transcriptDigest(fp[:], flat, results)
	checkGolden(t, "transcript-digest", vector{
		Comment: "the transcript digest of a 3-step ceremony of the golden plan (packet digests byte 16*step+station repeated), results [02*33 public key, cc*32 chain code]; alice's confirmation and saved signatures over it (sections 8 and the saved step)",
		Inputs:  map[string]string{"plan": "plan-keygen.json"},
		Outputs: map[string]string{
			"digest": hex.EncodeToString(digest), "confirmation-alice": hex.EncodeToString(signWith(alice, confirmMessage(digest))),
			"saved-alice": hex.EncodeToString(signWith(alice, savedMessage(digest))),
		},
	})

	checkGolden(t, "abort-notice", vector{
		Comment: "alice's signed abort notice for the golden plan at step 2 (section on abort notices)",
		Inputs:  map[string]string{"plan": "plan-keygen.json", "step": "2", "reason": "operator stopped the ceremony"},
		Outputs: map[string]string{"notice": string(newAbortNotice(plan, alice, 2, "operator stopped the ceremony"))},
	})
}

func sliceOf(b [32]byte) []byte { return b[:] }

func signWith(id *Identity, msg []byte) []byte { return ed25519.Sign(id.Sign, msg) }

// TestFormatsDocMatchesGolden: the examples in docs/formats.md are the
// golden vectors. Each `<!-- golden FILE KEY... -->` marker names a vector
// file and the outputs whose exact values must appear in the text that
// follows it (up to the next marker or section).
func TestFormatsDocMatchesGolden(t *testing.T) {
	doc, err := os.ReadFile("../docs/formats.md")
	if err != nil {
		t.Fatal(err)
	}
	markers := regexp.MustCompile(`<!-- golden (\S+)((?: \S+)+) -->\n`).FindAllSubmatchIndex(doc, -1)
	if len(markers) < 8 {
		t.Fatalf("docs/formats.md has %d golden markers, want at least 8", len(markers))
	}
	for i, m := range markers {
		end := len(doc)
		if i+1 < len(markers) {
			end = markers[i+1][0]
		}
		section := string(doc[m[1]:end])
		if k := strings.Index(section, "\n## "); k >= 0 {
			section = section[:k]
		}
		name := string(doc[m[2]:m[3]])
		b, err := os.ReadFile(filepath.Join(goldenDir, name+".json"))
		if err != nil {
			t.Fatalf("marker names %s: %v", name, err)
		}
		var v vector
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		for _, key := range strings.Fields(string(doc[m[4]:m[5]])) {
			want, ok := v.Outputs[key]
			if !ok {
				t.Fatalf("%s has no output %q", name, key)
			}
			if !strings.Contains(section, strings.TrimRight(want, "\n")) {
				t.Errorf("docs/formats.md: the %s example does not show %s.%s as the golden file has it:\n%s", name, name, key, want)
			}
		}
	}
}
