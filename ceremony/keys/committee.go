package keys

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
)

// CommitteeID names the committee that holds a key at one epoch: the key,
// the epoch, the threshold and the stations' cards (identities), in plan
// order. A resharing makes a new committee (and a new epoch) even when the
// same stations keep the key (a refresh): shares and backups carry it, so
// that one of an older epoch or another committee is never taken for a
// current one. It is the first 16 hex digits of
// SHA-256("coldtss-committee/1\0" || key id || 0 || epoch (4 bytes, big
// endian) || threshold (4 bytes) || for each card: length (4 bytes) || card
// JSON, compact).
func CommitteeID(keyID string, epoch, threshold int, cards []json.RawMessage) string {
	h := sha256.New()
	h.Write([]byte("coldtss-committee/1\x00" + keyID + "\x00"))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(epoch))
	h.Write(n[:])
	binary.BigEndian.PutUint32(n[:], uint32(threshold))
	h.Write(n[:])
	for _, c := range cards {
		// The card as json.Marshal writes it, whatever indentation the
		// record it came from was stored with.
		var buf bytes.Buffer
		if err := json.Compact(&buf, c); err == nil {
			c = buf.Bytes()
		}
		binary.BigEndian.PutUint32(n[:], uint32(len(c)))
		h.Write(n[:])
		h.Write(c)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Committee is the id of the committee that holds this record's key now.
func (r Record) Committee() string {
	return CommitteeID(r.ID, r.Epoch, r.Threshold, r.StationCards)
}
