package ceremony

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// chainCode is the keygen's joint BIP32 chain code: every station commits
// to 32 random bytes in step 1 and reveals them in step 2; the chain code
// is the hash of every contribution, so no single station chooses it.
type chainCode struct {
	plan    [32]byte
	self    int
	mine    []byte
	commits [][]byte
	reveals [][]byte
}

func newChainCode(plan [32]byte, self, n int) (*chainCode, error) {
	c := &chainCode{plan: plan, self: self, mine: make([]byte, 32), commits: make([][]byte, n), reveals: make([][]byte, n)}
	if _, err := rand.Read(c.mine); err != nil {
		return nil, err
	}
	c.reveals[self] = c.mine
	return c, nil
}

// chainCommitment is what station commits to in step 1.
func chainCommitment(plan [32]byte, station int, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte("coldtss-chaincode-commit-v2\x00"))
	h.Write(plan[:])
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(station)))
	h.Write(r)
	return h.Sum(nil)
}

// envelopes returns this station's chain-code envelope for a step, if any.
func (c *chainCode) envelopes(step int) []Envelope {
	switch step {
	case 1:
		return []Envelope{{Kind: EnvChainCommit, To: Broadcast, Payload: chainCommitment(c.plan, c.self, c.mine)}}
	case 2:
		return []Envelope{{Kind: EnvChainReveal, To: Broadcast, Payload: c.mine}}
	}
	return nil
}

// take records station j's commitment or reveal from its step's packet.
func (c *chainCode) take(step, j int, e Envelope) error {
	switch {
	case e.To != Broadcast:
		return errors.New("a chain-code envelope sent point-to-point")
	case e.Kind == EnvChainCommit && step == 1:
		if len(e.Payload) != sha256.Size {
			return fmt.Errorf("a chain-code commitment of %d bytes", len(e.Payload))
		}
		c.commits[j] = e.Payload
	case e.Kind == EnvChainReveal && step == 2:
		if len(e.Payload) != 32 || !bytes.Equal(chainCommitment(c.plan, j, e.Payload), c.commits[j]) {
			return errors.New("its chain-code contribution does not match its commitment of step 1")
		}
		c.reveals[j] = e.Payload
	default:
		return fmt.Errorf("a chain-code envelope of kind %d at step %d", e.Kind, step)
	}
	return nil
}

// complete checks that station j's packet of this step had its part.
func (c *chainCode) complete(step, j int) error {
	if (step == 1 && c.commits[j] == nil) || (step == 2 && c.reveals[j] == nil) {
		return errors.New("it lacks its chain-code contribution")
	}
	return nil
}

// derive returns the chain code, once every contribution is in.
func (c *chainCode) derive() []byte {
	h := sha256.New()
	h.Write([]byte("coldtss-chaincode-v2\x00"))
	h.Write(c.plan[:])
	for _, r := range c.reveals {
		h.Write(r)
	}
	return h.Sum(nil)
}
