package ceremony_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/coldtss/coldtss/ceremony"
)

// cloneTranscript deep-copies a transcript and its plan, so that each case
// alters its own copy.
func cloneTranscript(t *ceremony.Transcript) *ceremony.Transcript {
	c := *t
	p := *t.Plan
	p.Stations = append([]ceremony.Card(nil), t.Plan.Stations...)
	p.Messages = append([]ceremony.SignRequest(nil), t.Plan.Messages...)
	if t.Plan.Key != nil {
		k := *t.Plan.Key
		k.Holders = append([]string(nil), k.Holders...)
		p.Key = &k
	}
	c.Plan = &p
	c.Packets = append([]ceremony.PacketRecord(nil), t.Packets...)
	c.Results = append([]string(nil), t.Results...)
	c.Confirmations = append([]ceremony.Confirmation(nil), t.Confirmations...)
	return &c
}

// recomputeDigest is the transcript digest as documented in transcript.go,
// computed independently of the package from the transcript's own fields.
func recomputeDigest(tb testing.TB, t *ceremony.Transcript) []byte {
	tb.Helper()
	fp := t.Plan.Fingerprint()
	h := sha256.New()
	h.Write([]byte("coldtss-transcript-v1\x00"))
	h.Write(fp[:])
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(t.Packets))))
	for _, p := range t.Packets {
		d, err := hex.DecodeString(p.SHA256)
		if err != nil {
			tb.Fatal(err)
		}
		h.Write(d)
	}
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(t.Results))))
	for _, r := range t.Results {
		b, err := hex.DecodeString(r)
		if err != nil {
			tb.Fatal(err)
		}
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
		h.Write(b)
	}
	return h.Sum(nil)
}

func confirmSig(id *ceremony.Identity, digest []byte) string {
	return hex.EncodeToString(ed25519.Sign(id.Sign, append([]byte("coldtss-confirm-v1\x00"), digest...)))
}

// reseal plays every station colluding after the fact: it recomputes the
// plan fingerprint and the digest and has every station (ids, in plan
// order) sign the altered transcript again, so that Verify's later checks
// (results against the plan and the key) are what must refuse it.
func reseal(tb testing.TB, t *ceremony.Transcript, ids []*ceremony.Identity) {
	tb.Helper()
	fp := t.Plan.Fingerprint()
	t.PlanFingerprint = hex.EncodeToString(fp[:])
	d := recomputeDigest(tb, t)
	t.Digest = hex.EncodeToString(d)
	for i := range t.Confirmations {
		t.Confirmations[i].Signature = confirmSig(ids[i], d)
	}
}

// flipHex changes the last hex digit of s.
func flipHex(s string) string {
	last := s[len(s)-1]
	r := byte('0')
	if last == '0' {
		r = '1'
	}
	return s[:len(s)-1] + string(r)
}

// TestTranscriptVerifyRefusesAlterations runs one real ed25519 2-of-3 keygen
// and one signing in process, then checks that Verify accepts their
// transcripts as they are (and after a JSON round trip) and refuses every
// kind of alteration with its own message.
func TestTranscriptVerifyRefusesAlterations(t *testing.T) {
	ids, cards := identities(t, 3)
	kplan, err := ceremony.NewKeygenPlan(cards, 2, ceremony.CurveEd25519, "transcript test")
	if err != nil {
		t.Fatal(err)
	}
	kres := runAll(t, kplan, ids, nil)
	key := ceremony.PlanKey{ID: "0123456789abcdef", PublicKey: hex.EncodeToString(kres[0].PublicKey), ChainCode: hex.EncodeToString(kres[0].ChainCode), Holders: kplan.Names()}
	msgs := []ceremony.SignRequest{{Data: hex.EncodeToString([]byte("first message"))}, {Data: "00ff"}}
	splan, err := ceremony.NewSignPlan(key, ceremony.CurveEd25519, 2, []ceremony.Card{cards[0], cards[2]}, msgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	signers := []*ceremony.Identity{ids[0], ids[2]}
	shares := [][]byte{kres[0].Share, kres[2].Share}
	sres := runAll(t, splan, signers, func(i int, r *ceremony.Runner) { r.Share = shares[i] })

	keygen, sign := kres[0].Transcript, sres[0].Transcript
	kn, sn := len(kplan.Stations), len(splan.Stations)
	ksteps := ceremony.StepsFor(ceremony.KindKeygen, ceremony.CurveEd25519)
	ssteps := ceremony.StepsFor(ceremony.KindSign, ceremony.CurveEd25519)

	t.Run("untouched transcripts verify", func(t *testing.T) {
		for name, tr := range map[string]*ceremony.Transcript{"keygen": keygen, "sign": sign} {
			if err := tr.Verify(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// The test's own digest and confirmation are the package's:
			// reseal below forges exactly what a colluding set of stations could.
			if got := hex.EncodeToString(recomputeDigest(t, tr)); got != tr.Digest {
				t.Fatalf("%s: recomputed digest %s, transcript has %s", name, got, tr.Digest)
			}
			parsed, err := ceremony.ParseTranscript(tr.Marshal())
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := parsed.Verify(); err != nil {
				t.Fatalf("%s after a JSON round trip: %v", name, err)
			}
			if string(parsed.Marshal()) != string(tr.Marshal()) {
				t.Fatalf("%s: JSON round trip changed the transcript", name)
			}
			if err := cloneTranscript(tr).Verify(); err != nil {
				t.Fatalf("%s: clone: %v", name, err)
			}
		}
		// Every station's copy is the same record.
		for i, r := range kres {
			if r.Transcript.Digest != keygen.Digest {
				t.Fatalf("station %d's keygen transcript digest differs", i)
			}
		}
		if len(keygen.Packets) != kn*ksteps || len(sign.Packets) != sn*ssteps {
			t.Fatalf("packet counts %d and %d", len(keygen.Packets), len(sign.Packets))
		}
		if len(keygen.Results) != 2 || len(sign.Results) != len(msgs) {
			t.Fatalf("results: %d and %d", len(keygen.Results), len(sign.Results))
		}
		if _, err := ceremony.ParseTranscript([]byte(`{"format":"coldtss-transcript/1"}`)); err == nil || !strings.Contains(err.Error(), "no plan") {
			t.Fatalf("a transcript without a plan: %v", err)
		}
	})

	const (
		altered   = "transcript digest does not match its packets and results"
		planFP    = "plan fingerprint does not match the plan"
		badKeygen = "a keygen transcript must hold the public key and the chain code"
	)
	confFail := func(name string) string {
		return "station " + name + "'s confirmation signature does not verify"
	}

	cases := []struct {
		name  string
		base  *ceremony.Transcript
		alter func(t testing.TB, tr *ceremony.Transcript)
		want  string
	}{
		// Packets.
		{"first packet digest flipped", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets[0].SHA256 = flipHex(tr.Packets[0].SHA256) }, altered},
		{"last packet digest flipped", sign, func(t testing.TB, tr *ceremony.Transcript) {
			l := len(tr.Packets) - 1
			tr.Packets[l].SHA256 = flipHex(tr.Packets[l].SHA256)
		}, altered},
		{"packet digest not hex", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets[2].SHA256 = "zz" + tr.Packets[2].SHA256[2:] }, "packet 3 of the transcript has a bad digest"},
		{"packet digest short", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets[1].SHA256 = tr.Packets[1].SHA256[2:] }, "packet 2 of the transcript has a bad digest"},
		{"two packets of a step reordered", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Packets[0], tr.Packets[1] = tr.Packets[1], tr.Packets[0]
		}, "packet 1 of the transcript is out of order"},
		{"two steps reordered", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Packets[0], tr.Packets[sn] = tr.Packets[sn], tr.Packets[0]
		}, "packet 1 of the transcript is out of order"},
		{"digests of two packets swapped, labels kept", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Packets[0].SHA256, tr.Packets[1].SHA256 = tr.Packets[1].SHA256, tr.Packets[0].SHA256
		}, altered},
		{"a packet relabelled to another station", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets[1].Station = tr.Packets[0].Station }, "packet 2 of the transcript is out of order"},
		{"a packet missing", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets = tr.Packets[:len(tr.Packets)-1] },
			fmt.Sprintf("transcript lists %d packets, a keygen on ed25519 with 3 stations has %d", kn*ksteps-1, kn*ksteps)},
		{"a packet too many", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets = append(tr.Packets, tr.Packets[0]) },
			fmt.Sprintf("transcript lists %d packets, a sign on ed25519 with 2 stations has %d", sn*ssteps+1, sn*ssteps)},
		{"no packets", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Packets = nil }, "transcript lists 0 packets"},

		// Results.
		{"public key changed", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Results[0] = flipHex(tr.Results[0]) }, altered},
		{"chain code changed", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Results[1] = flipHex(tr.Results[1]) }, altered},
		{"results swapped", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results[0], tr.Results[1] = tr.Results[1], tr.Results[0]
		}, altered},
		{"a signature changed", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Results[1] = flipHex(tr.Results[1]) }, altered},
		{"a result not hex", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Results[0] = "x" + tr.Results[0][1:] }, "result 1 is not hex"},
		{"a result dropped", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Results = tr.Results[:1] }, altered},
		{"digest field changed", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Digest = flipHex(tr.Digest) }, altered},

		// Confirmations.
		{"confirmation forged with another station's key", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			d, _ := hex.DecodeString(tr.Digest)
			tr.Confirmations[1].Signature = confirmSig(ids[0], d)
		}, confFail("st1")},
		{"confirmation forged with an outsider's key", sign, func(t testing.TB, tr *ceremony.Transcript) {
			out, _ := ceremony.NewIdentity("st2")
			d, _ := hex.DecodeString(tr.Digest)
			tr.Confirmations[1].Signature = confirmSig(out, d)
		}, confFail("st2")},
		{"confirmation signs another digest", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Confirmations[2].Signature = confirmSig(ids[2], make([]byte, 32))
		}, confFail("st2")},
		{"confirmation signature cut short", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Confirmations[0].Signature = tr.Confirmations[0].Signature[:64]
		}, confFail("st0")},
		{"confirmation signature not hex", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Confirmations[0].Signature = "" }, confFail("st0")},
		{"a confirmation missing", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Confirmations = tr.Confirmations[:2] }, "transcript has 2 station confirmations, want 3"},
		{"no confirmations", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Confirmations = nil }, "transcript has 0 station confirmations, want 2"},
		{"a confirmation repeated in place of another", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Confirmations[2] = tr.Confirmations[1] }, `confirmation 3 is from "st1", want "st2"`},
		{"confirmations moved to each other's station", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Confirmations[0], tr.Confirmations[1] = tr.Confirmations[1], tr.Confirmations[0]
		}, `confirmation 1 is from "st1", want "st0"`},
		{"confirmation signature moved to another station", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Confirmations[0].Signature, tr.Confirmations[1].Signature = tr.Confirmations[1].Signature, tr.Confirmations[0].Signature
		}, confFail("st0")},

		// Plan.
		{"plan label changed", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Plan.Label = "another label" }, planFP},
		{"plan threshold changed", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Plan.Threshold = 3 }, planFP},
		{"plan message changed", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Plan.Messages[0].Data = "00fe" }, planFP},
		{"plan stations reordered", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Plan.Stations[0], tr.Plan.Stations[1] = tr.Plan.Stations[1], tr.Plan.Stations[0]
		}, planFP},
		{"plan label changed, fingerprint updated", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Plan.Label = "another label"
			fp := tr.Plan.Fingerprint()
			tr.PlanFingerprint = hex.EncodeToString(fp[:])
		}, altered},
		{"plan message changed, fingerprint updated", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Plan.Messages[1].Data = "00fe"
			fp := tr.Plan.Fingerprint()
			tr.PlanFingerprint = hex.EncodeToString(fp[:])
		}, altered},
		{"plan label changed, fingerprint and digest updated", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Plan.Label = "another label"
			fp := tr.Plan.Fingerprint()
			tr.PlanFingerprint = hex.EncodeToString(fp[:])
			tr.Digest = hex.EncodeToString(recomputeDigest(t, tr))
		}, confFail("st0")},
		{"plan of another ceremony", sign, func(t testing.TB, tr *ceremony.Transcript) { tr.Plan = cloneTranscript(keygen).Plan }, planFP},
		{"plan invalid", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.Plan.Threshold = 4 }, "transcript plan: threshold 4 is not possible with 3 stations"},
		{"plan fingerprint empty", keygen, func(t testing.TB, tr *ceremony.Transcript) { tr.PlanFingerprint = "" }, planFP},

		// Every station colluding: fingerprint, digest and confirmations
		// all redone; the results themselves must still be refused.
		{"keygen chain code of 31 bytes, resealed", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results[1] = tr.Results[1][2:]
			reseal(t, tr, ids)
		}, badKeygen},
		{"keygen chain code of 33 bytes, resealed", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results[1] += "00"
			reseal(t, tr, ids)
		}, badKeygen},
		{"keygen without chain code, resealed", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results = tr.Results[:1]
			reseal(t, tr, ids)
		}, badKeygen},
		{"keygen with an extra result, resealed", keygen, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results = append(tr.Results, tr.Results[1])
			reseal(t, tr, ids)
		}, badKeygen},
		{"signature changed, resealed", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results[1] = flipHex(tr.Results[1])
			reseal(t, tr, signers)
		}, "signature 2: ed25519 signature does not verify"},
		{"signatures swapped, resealed", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results[0], tr.Results[1] = tr.Results[1], tr.Results[0]
			reseal(t, tr, signers)
		}, "signature 1: ed25519 signature does not verify"},
		{"a signature missing, resealed", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Results = tr.Results[:1]
			reseal(t, tr, signers)
		}, "transcript has 1 signatures for 2 messages"},
		{"plan names another key, resealed", sign, func(t testing.TB, tr *ceremony.Transcript) {
			other, _ := ceremony.NewIdentity("x")
			tr.Plan.Key.PublicKey = hex.EncodeToString(other.Sign.Public().(ed25519.PublicKey))
			reseal(t, tr, signers)
		}, "signature 1: ed25519 signature does not verify"},
		{"plan message changed, resealed", sign, func(t testing.TB, tr *ceremony.Transcript) {
			tr.Plan.Messages[0].Data = "00fe"
			reseal(t, tr, signers)
		}, "signature 1: ed25519 signature does not verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := cloneTranscript(c.base)
			c.alter(t, tr)
			err := tr.Verify()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify: got %v, want an error containing %q", err, c.want)
			}
			// The same refusal after the file has been written and read back.
			parsed, perr := ceremony.ParseTranscript(tr.Marshal())
			if perr != nil {
				t.Fatal(perr)
			}
			if err := parsed.Verify(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify after a JSON round trip: got %v, want an error containing %q", err, c.want)
			}
			// The shared transcripts are untouched by the case.
			if err := c.base.Verify(); err != nil {
				t.Fatalf("the case altered the shared transcript: %v", err)
			}
		})
	}

	t.Run("resealing an untouched transcript changes nothing", func(t *testing.T) {
		// reseal is only a forgery tool if it reproduces what stations sign.
		tr := cloneTranscript(keygen)
		reseal(t, tr, ids)
		if err := tr.Verify(); err != nil {
			t.Fatal(err)
		}
		if string(tr.Marshal()) != string(keygen.Marshal()) {
			t.Fatal("reseal changed an untouched transcript")
		}
	})
}
