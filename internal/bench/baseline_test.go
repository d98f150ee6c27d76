//go:build unix

package bench

// The baseline: the same tss-lib protocol run by plain tss-lib LocalParty
// objects wired together by channels in one process, with no coldtss code at
// all, timed and its wire bytes counted per round.

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bnb-chain/tss-lib/v3/common"
	ecdsakeygen "github.com/bnb-chain/tss-lib/v3/ecdsa/keygen"
	ecdsasigning "github.com/bnb-chain/tss-lib/v3/ecdsa/signing"
	"github.com/bnb-chain/tss-lib/v3/tss"
)

// benchBaseline is one in-process tss-lib run.
type benchBaseline struct {
	dur  time.Duration
	cpu  time.Duration // this process's CPU time meanwhile
	wire []int         // per round: tss-lib wire bytes, a point-to-point message counted once per recipient
}

// benchBaselineKey is a baseline keygen's result.
type benchBaselineKey struct {
	pids tss.SortedPartyIDs
	keys []ecdsakeygen.LocalPartySaveData // by keygen party index
}

var benchRoundRE = regexp.MustCompile(`Round(\d+)Message`)

// benchRoute starts the parties and passes their messages to each other as
// serialized tss-lib wire bytes (as tss-lib's own tests do) until ended has
// fired once per party. It counts each round's wire bytes.
func benchRoute(parties []tss.Party, out <-chan tss.Message, ended <-chan struct{}, rounds int) ([]int, error) {
	wire := make([]int, rounds)
	errCh := make(chan *tss.Error, 16*len(parties))
	for _, p := range parties {
		go func(p tss.Party) {
			if err := p.Start(); err != nil {
				errCh <- err
			}
		}(p)
	}
	deliver := func(p tss.Party, bz []byte, from *tss.PartyID, broadcast bool) {
		go func() {
			if _, err := p.UpdateFromBytes(bz, from, broadcast); err != nil {
				errCh <- err
			}
		}()
	}
	timeout := time.After(benchProcessTimeout)
	for finished := 0; finished < len(parties); {
		select {
		case err := <-errCh:
			return nil, err
		case <-ended:
			finished++
		case <-timeout:
			return nil, errors.New("tss-lib baseline timed out")
		case m := <-out:
			bz, routing, err := m.WireBytes()
			if err != nil {
				return nil, err
			}
			sm := benchRoundRE.FindStringSubmatch(m.Type())
			if sm == nil {
				return nil, fmt.Errorf("tss-lib message type %q names no round", m.Type())
			}
			r, _ := strconv.Atoi(sm[1])
			if r < 1 || r > rounds {
				return nil, fmt.Errorf("tss-lib message type %q: round %d of %d", m.Type(), r, rounds)
			}
			if routing.IsBroadcast {
				wire[r-1] += len(bz)
				for _, p := range parties {
					if p.PartyID().Index != routing.From.Index {
						deliver(p, bz, routing.From, true)
					}
				}
				continue
			}
			for _, to := range routing.To {
				wire[r-1] += len(bz)
				deliver(parties[to.Index], bz, routing.From, false)
			}
		}
	}
	return wire, nil
}

func benchNonce() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 256))
	if err != nil {
		panic(err)
	}
	return n
}

// benchBaselineKeygen runs a 2-of-3 secp256k1 keygen with tss-lib alone.
func benchBaselineKeygen(pps [][]byte) (benchBaseline, *benchBaselineKey, error) {
	tss.SetCurve(tss.S256())
	n := len(pps)
	pre := make([]ecdsakeygen.LocalPreParams, n)
	var un tss.UnSortedPartyIDs
	for i := range pps {
		if err := json.Unmarshal(pps[i], &pre[i]); err != nil {
			return benchBaseline{}, nil, err
		}
		un = append(un, tss.NewPartyID(benchNames[i], benchNames[i], benchNonce()))
	}
	pids := tss.SortPartyIDs(un)
	peers := tss.NewPeerContext(pids)
	nonce := benchNonce()
	out := make(chan tss.Message, 8*n)
	end := make(chan *ecdsakeygen.LocalPartySaveData, n)
	ended := make(chan struct{}, n)
	saves := make([]*ecdsakeygen.LocalPartySaveData, 0, n)
	go func() {
		for range n {
			saves = append(saves, <-end)
			ended <- struct{}{}
		}
	}()

	cpu0 := benchCPU()
	start := time.Now()
	parties := make([]tss.Party, n)
	for i, pid := range pids {
		params := tss.NewParameters(tss.S256(), peers, pid, n, 1)
		params.SetSessionNonce(nonce)
		parties[i] = ecdsakeygen.NewLocalParty(params, out, end, pre[i])
	}
	wire, err := benchRoute(parties, out, ended, benchKeygenRounds)
	dur, cpu := time.Since(start), benchCPU()-cpu0
	if err != nil {
		return benchBaseline{}, nil, err
	}

	key := &benchBaselineKey{pids: pids, keys: make([]ecdsakeygen.LocalPartySaveData, n)}
	for _, s := range saves {
		i, err := s.OriginalIndex()
		if err != nil {
			return benchBaseline{}, nil, err
		}
		key.keys[i] = *s
	}
	for _, k := range key.keys[1:] {
		if !k.ECDSAPub.Equals(key.keys[0].ECDSAPub) {
			return benchBaseline{}, nil, errors.New("tss-lib baseline: parties disagree on the public key")
		}
	}
	return benchBaseline{dur: dur, cpu: cpu, wire: wire}, key, nil
}

// benchBaselineSign signs one digest with tss-lib alone, by the signers.
func benchBaselineSign(key *benchBaselineKey, signers []int, digest []byte) (benchBaseline, error) {
	tss.SetCurve(tss.S256())
	var un tss.UnSortedPartyIDs
	orig := map[string]int{}
	for _, i := range signers {
		p := key.pids[i]
		un = append(un, tss.NewPartyID(p.Id, p.Moniker, p.KeyInt()))
		orig[p.Id] = i
	}
	pids := tss.SortPartyIDs(un)
	peers := tss.NewPeerContext(pids)
	n := len(pids)
	// tss-lib's signing party mutates its key data: give each a deep copy.
	keys := make([]ecdsakeygen.LocalPartySaveData, n)
	for j, pid := range pids {
		raw, err := json.Marshal(key.keys[orig[pid.Id]])
		if err != nil {
			return benchBaseline{}, err
		}
		if err := json.Unmarshal(raw, &keys[j]); err != nil {
			return benchBaseline{}, err
		}
	}
	nonce := benchNonce()
	out := make(chan tss.Message, 8*n)
	end := make(chan *common.SignatureData, n)
	ended := make(chan struct{}, n)
	sigs := make([]*common.SignatureData, 0, n)
	go func() {
		for range n {
			sigs = append(sigs, <-end)
			ended <- struct{}{}
		}
	}()

	cpu0 := benchCPU()
	start := time.Now()
	parties := make([]tss.Party, n)
	for j, pid := range pids {
		params := tss.NewParameters(tss.S256(), peers, pid, n, 1)
		params.SetSessionNonce(nonce)
		parties[j] = ecdsasigning.NewLocalParty(new(big.Int).SetBytes(digest), params, keys[j], out, end, len(digest))
	}
	wire, err := benchRoute(parties, out, ended, benchSignRounds)
	dur, cpu := time.Since(start), benchCPU()-cpu0
	if err != nil {
		return benchBaseline{}, err
	}

	pub := key.keys[0].ECDSAPub
	pk := &ecdsa.PublicKey{Curve: tss.S256(), X: pub.X(), Y: pub.Y()}
	for _, s := range sigs {
		if !ecdsa.Verify(pk, digest, new(big.Int).SetBytes(s.R), new(big.Int).SetBytes(s.S)) {
			return benchBaseline{}, errors.New("tss-lib baseline: the signature does not verify")
		}
	}
	return benchBaseline{dur: dur, cpu: cpu, wire: wire}, nil
}

var (
	benchKeysMu   sync.Mutex
	benchBaseKeys *benchBaselineKey // a baseline keygen's output, for the baseline signing
)

// benchBaselineKeyFor is a baseline key for the baseline signing: the one
// BenchmarkKeygen2of3 left if it ran, else a fresh one (not timed).
func benchBaselineKeyFor(b *testing.B, pps [][]byte) *benchBaselineKey {
	b.Helper()
	benchKeysMu.Lock()
	defer benchKeysMu.Unlock()
	if benchBaseKeys == nil {
		_, key, err := benchBaselineKeygen(pps)
		if err != nil {
			b.Fatal(err)
		}
		benchBaseKeys = key
	}
	return benchBaseKeys
}
