// Package vault is a station's own encrypted folder (--home, default
// ~/.coldtss): its identity, unused pre-parameters, the keys it holds a
// share of, the transcripts of its ceremonies and the sessions it joined.
// Secrets are age-encrypted and 0600; every write is atomic.
package vault

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/atomicfile"
)

// Home is a station's directory (default ~/.coldtss). Layout:
//
//	identity.age              the station identity, age-encrypted with the station passphrase
//	identity.card.json        the public identity card
//	preparams/<id>.age        unused ECDSA pre-parameter sets, age-encrypted to the station
//	keys/<key-id>/key.json    public description of a key this station holds a share of
//	keys/<key-id>/share.age   the share, age-encrypted to the station
//	transcripts/<session>.json  the transcript of every ceremony this station took part in
//	sessions/<session>        one file per ceremony session this station joined (never joined twice)
//
// Secrets other than the identity are encrypted to the station's own age
// X25519 recipient, which lives inside identity.age: unlocking the identity
// with the passphrase unlocks everything else, with a single scrypt.
type Home struct{ Dir string }

const (
	identityFile = "identity.age"
	cardFile     = "identity.card.json"
	secretPerm   = 0o600
	publicPerm   = 0o644
)

// IdentityPath is where the encrypted identity lives.
func (h Home) IdentityPath() string { return filepath.Join(h.Dir, identityFile) }

// CardPath is where the public identity card lives.
func (h Home) CardPath() string { return filepath.Join(h.Dir, cardFile) }

// Initialized reports whether the home holds an identity.
func (h Home) Initialized() bool {
	_, err := os.Stat(h.IdentityPath())
	return err == nil
}

// CheckInitialized returns an operator-facing error when the home has no identity.
func (h Home) CheckInitialized() error {
	if !h.Initialized() {
		return fmt.Errorf("%s holds no station identity: run `coldtss init --name NAME` first, or point --home at the station folder", h.Dir)
	}
	return nil
}

// SaveIdentity stores the encrypted identity and the public card; it refuses
// to replace an existing identity.
func (h Home) SaveIdentity(encrypted, card []byte) error {
	if h.Initialized() {
		return fmt.Errorf("%s already holds a station identity; refusing to overwrite it (use another --home)", h.Dir)
	}
	if err := os.MkdirAll(h.Dir, 0o700); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(h.IdentityPath(), encrypted, secretPerm); err != nil {
		return err
	}
	return atomicfile.Write(h.CardPath(), card, publicPerm)
}

// ReadIdentity returns the encrypted identity file.
func (h Home) ReadIdentity() ([]byte, error) {
	if err := h.CheckInitialized(); err != nil {
		return nil, err
	}
	return os.ReadFile(h.IdentityPath())
}

// ReadCard returns the public identity card.
func (h Home) ReadCard() ([]byte, error) {
	if err := h.CheckInitialized(); err != nil {
		return nil, err
	}
	return os.ReadFile(h.CardPath())
}

// --- pre-parameters

func (h Home) preParamsDir() string { return filepath.Join(h.Dir, "preparams") }

// AddPreParams stores one encrypted pre-parameter set and returns its id.
func (h Home) AddPreParams(plaintext []byte, to age.Recipient) (string, error) {
	ct, err := backup.EncryptTo(plaintext, to)
	if err != nil {
		return "", err
	}
	id := time.Now().UTC().Format("20060102T150405Z") + "-" + randomHex(4)
	return id, atomicfile.WriteNew(filepath.Join(h.preParamsDir(), id+".age"), ct, secretPerm)
}

// CountPreParams returns how many unused pre-parameter sets the station holds.
func (h Home) CountPreParams() int {
	return len(h.listPreParams())
}

func (h Home) listPreParams() []string {
	entries, _ := os.ReadDir(h.preParamsDir())
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".age") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// TakePreParams decrypts the oldest unused pre-parameter set and deletes it
// from disk, so that no set is ever used for two keys.
func (h Home) TakePreParams(id age.Identity) ([]byte, error) {
	names := h.listPreParams()
	if len(names) == 0 {
		return nil, fmt.Errorf("station %s has no unused pre-parameters: run `coldtss preparams` on this station first (it takes a few minutes)", h.Dir)
	}
	p := filepath.Join(h.preParamsDir(), names[0])
	ct, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	pt, err := backup.DecryptWith(ct, id)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot decrypt pre-parameters with this station's identity: %v", p, err)
	}
	if err := os.Remove(p); err != nil {
		return nil, fmt.Errorf("%s: cannot remove used pre-parameters: %v", p, err)
	}
	_ = atomicfile.SyncDir(h.preParamsDir())
	return pt, nil
}

// --- keys

func (h Home) keyDir(id string) string { return filepath.Join(h.Dir, "keys", id) }

// SaveKey stores a new key's encrypted share and public description. It
// refuses to replace an existing key. A key from a keygen is saved with
// status keys.Pending, then made active with ActivateKey.
func (h Home) SaveKey(info keys.Record, share []byte, to age.Recipient) error {
	dir := h.keyDir(info.ID)
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("key %s already exists in %s; refusing to overwrite it", info.ID, dir)
	}
	// Write into a staging folder, then rename it into place: a key appears whole or not at all.
	stage := filepath.Join(h.Dir, "keys", ".incoming-"+info.ID+"-"+randomHex(4))
	defer os.RemoveAll(stage)
	if err := writeStage(stage, info, share, to); err != nil {
		return err
	}
	if err := os.Rename(stage, dir); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(dir))
}

// writeStage writes a key's folder in staging folder stage, which it
// makes: its share encrypted to the station (share.age) and its public
// record (key.json). The caller renames it into place, and removes it
// should anything fail.
func writeStage(stage string, info keys.Record, share []byte, to age.Recipient) error {
	ct, err := backup.EncryptTo(share, to)
	if err != nil {
		return err
	}
	pub, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(stage, 0o700); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(filepath.Join(stage, "share.age"), ct, secretPerm); err != nil {
		return err
	}
	return atomicfile.WriteNew(filepath.Join(stage, "key.json"), append(pub, '\n'), publicPerm)
}

// ActivateKey marks a pending key active, recording every station's
// signature saying it saved its share. The key's description is replaced
// atomically; the share is not touched.
func (h Home) ActivateKey(id string, acks []keys.Acknowledgement) error {
	info, err := h.Key(id)
	if err != nil {
		return err
	}
	if len(acks) != len(info.Stations) {
		return fmt.Errorf("key %s: %d stations said they saved their share, the key has %d", info.ID, len(acks), len(info.Stations))
	}
	info.Status, info.SavedBy = keys.Active, acks
	pub, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(h.keyDir(info.ID), "key.json"), append(pub, '\n'), publicPerm)
}

// Keys lists the public descriptions of every key on the station.
func (h Home) Keys() ([]keys.Record, error) {
	entries, err := os.ReadDir(filepath.Join(h.Dir, "keys"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []keys.Record
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := h.Key(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// Key returns one key's public description. id may be a unique prefix.
func (h Home) Key(id string) (keys.Record, error) {
	full, err := h.resolveKey(id)
	if err != nil {
		return keys.Record{}, err
	}
	p := filepath.Join(h.keyDir(full), "key.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return keys.Record{}, err
	}
	var info keys.Record
	if err := json.Unmarshal(b, &info); err != nil {
		return keys.Record{}, fmt.Errorf("%s is damaged: %v", p, err)
	}
	return info, nil
}

// Share decrypts one key's share.
func (h Home) Share(id string, with age.Identity) ([]byte, error) {
	full, err := h.resolveKey(id)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(h.keyDir(full), "share.age")
	ct, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	pt, err := backup.DecryptWith(ct, with)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot decrypt the share with this station's identity: %v", p, err)
	}
	return pt, nil
}

func (h Home) resolveKey(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return "", fmt.Errorf("%q is not a key id (see `coldtss keys list`)", id)
	}
	if _, err := os.Stat(h.keyDir(id)); err == nil {
		return id, nil
	}
	entries, _ := os.ReadDir(filepath.Join(h.Dir, "keys"))
	var match []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), id) {
			match = append(match, e.Name())
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return "", fmt.Errorf("station %s holds no key %q (see `coldtss keys list`)", h.Dir, id)
	default:
		return "", fmt.Errorf("key id %q is ambiguous: %s", id, strings.Join(match, ", "))
	}
}

// --- transcripts

// checkSession refuses anything but a session id (32 lower-case hex
// digits) where one names a file.
func checkSession(session string) error {
	if len(session) != 32 || strings.Trim(session, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a ceremony session id", session)
	}
	return nil
}

// SaveTranscript stores a ceremony transcript (public data).
func (h Home) SaveTranscript(session string, data []byte) (string, error) {
	if err := checkSession(session); err != nil {
		return "", err
	}
	p := h.TranscriptPath(session)
	return p, atomicfile.Write(p, data, publicPerm)
}

// --- sessions

// JoinSession records that this station is taking part in a ceremony
// session, and refuses a session it already joined: a plan runs once, and
// a station never runs two parties in one session (for signing, that
// could reuse a nonce).
func (h Home) JoinSession(session string) error {
	if err := checkSession(session); err != nil {
		return err
	}
	p := filepath.Join(h.Dir, "sessions", session)
	if b, err := os.ReadFile(p); err == nil {
		return fmt.Errorf("this station already joined ceremony session %s (%s): a plan is run once; make a new plan (%s)", session, strings.TrimSpace(string(b)), p)
	}
	return atomicfile.WriteNew(p, []byte("joined "+time.Now().UTC().Format(time.RFC3339)+"\n"), publicPerm)
}

// TranscriptPath is where the transcript of a session is kept.
func (h Home) TranscriptPath(session string) string {
	return filepath.Join(h.Dir, "transcripts", session+".json")
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// --- restore

// Restore rebuilds this station from a backup's contents (backup.Open): in
// a home without an identity it writes the backup's identity, encrypted
// under passphrase (the new station passphrase), and its card; in a home
// that already holds the same identity it only adds the key, and it
// refuses a home of another identity. The share is checked (Verify) before
// anything is written, and saved encrypted to the station. It reports
// whether it wrote the identity.
func (h Home) Restore(c *backup.Contents, passphrase string) (newIdentity bool, err error) {
	if err := c.Verify(); err != nil {
		return false, err
	}
	if len(c.Identity) == 0 {
		return false, fmt.Errorf("the backup of key %s holds no station identity, so it cannot rebuild station %s (it can still serve an emergency recovery)", c.KeyID, c.Station)
	}
	id, err := ceremony.UnmarshalIdentity(c.Identity)
	if err != nil {
		return false, fmt.Errorf("the backup's station identity is damaged: %v", err)
	}
	card := id.Card()
	if h.Initialized() {
		b, err := h.ReadCard()
		if err != nil {
			return false, err
		}
		have, err := ceremony.ParseCard(b)
		if err != nil {
			return false, fmt.Errorf("%s: %v", h.CardPath(), err)
		}
		if have.SignKey != card.SignKey || have.SealKey != card.SealKey {
			return false, fmt.Errorf("%s already holds the identity of station %s (%s), not of %s (%s): restore into a new --home", h.Dir, have.Name, have.FingerprintWords(), card.Name, card.FingerprintWords())
		}
	}
	if old, err := h.Key(c.KeyID); err == nil && old.ID == c.KeyID {
		if old.Epoch != c.Epoch {
			return false, fmt.Errorf("station %s already holds key %s at epoch %d; the backup is of epoch %d: nothing was restored", h.Dir, c.KeyID, old.Epoch, c.Epoch)
		}
		return false, fmt.Errorf("station %s already holds key %s (epoch %d): nothing to restore", h.Dir, c.KeyID, old.Epoch)
	}
	if !h.Initialized() {
		if passphrase == "" {
			return false, errors.New("a new station passphrase is needed to restore the station's identity")
		}
		enc, err := backup.EncryptWithPassphrase(id.MarshalSecret(), passphrase)
		if err != nil {
			return false, err
		}
		cb, _ := json.MarshalIndent(card, "", "  ")
		if err := h.SaveIdentity(enc, append(cb, '\n')); err != nil {
			return false, err
		}
		newIdentity = true
	}
	return newIdentity, h.SaveKey(c.Key, c.Share, id.AgeIdentity().Recipient())
}

// --- resharing

// nextDir holds, inside a key's folder, the share and record of the key's
// next epoch while a resharing waits for every new station to say it saved
// its share; the current share stays in use until then.
func (h Home) nextDir(id string) string { return filepath.Join(h.keyDir(id), "next") }

// SaveReshared stores this station's new share of a key after a resharing
// (info is the key's record at the new epoch, pending). On a station that
// holds no share of the key yet it is SaveKey; on one that does, the new
// share waits beside the current one (which keeps working) until
// ActivateReshared. A new share left by an earlier resharing that never
// completed is replaced.
func (h Home) SaveReshared(info keys.Record, share []byte, to age.Recipient) error {
	cur, err := h.Key(info.ID)
	if err != nil || cur.ID != info.ID {
		return h.SaveKey(info, share, to)
	}
	if cur.Status != keys.Retired && cur.Epoch >= info.Epoch {
		return fmt.Errorf("key %s is already at epoch %d on this station; refusing to save a share of epoch %d", info.ID, cur.Epoch, info.Epoch)
	}
	stage := filepath.Join(h.keyDir(info.ID), ".next-"+randomHex(4))
	defer os.RemoveAll(stage)
	if err := writeStage(stage, info, share, to); err != nil {
		return err
	}
	if err := os.RemoveAll(h.nextDir(info.ID)); err != nil {
		return err
	}
	if err := os.Rename(stage, h.nextDir(info.ID)); err != nil {
		return err
	}
	return atomicfile.SyncDir(h.keyDir(info.ID))
}

// PendingReshare returns the record of a key's next epoch waiting in the
// vault (SaveReshared), if there is one.
func (h Home) PendingReshare(id string) (keys.Record, bool) {
	full, err := h.resolveKey(id)
	if err != nil {
		return keys.Record{}, false
	}
	b, err := os.ReadFile(filepath.Join(h.nextDir(full), "key.json"))
	if err != nil {
		return keys.Record{}, false
	}
	var info keys.Record
	if json.Unmarshal(b, &info) != nil {
		return keys.Record{}, false
	}
	return info, true
}

// ActivateReshared makes the new share of a resharing the key's share,
// once every new station has said it saved its own (acks, the new
// committee's, in its order): the old share is replaced by the new one
// (and so destroyed), then the record becomes the new epoch's, active. A
// station that got its first share of the key in the resharing has it
// activated as after a keygen. Run again after an interruption, it
// finishes the job.
func (h Home) ActivateReshared(id string, acks []keys.Acknowledgement) error {
	full, err := h.resolveKey(id)
	if err != nil {
		return err
	}
	info, ok := h.PendingReshare(full)
	if !ok {
		return h.ActivateKey(full, acks)
	}
	if len(acks) != len(info.Stations) {
		return fmt.Errorf("key %s: %d stations said they saved their share of epoch %d, the new committee has %d", info.ID, len(acks), info.Epoch, len(info.Stations))
	}
	next := h.nextDir(full)
	if _, err := os.Stat(filepath.Join(next, "share.age")); err == nil {
		// The rename replaces the old share's file: from here on only the
		// new share is on this station.
		if err := os.Rename(filepath.Join(next, "share.age"), filepath.Join(h.keyDir(full), "share.age")); err != nil {
			return err
		}
		if err := atomicfile.SyncDir(h.keyDir(full)); err != nil {
			return err
		}
	}
	info.Status, info.SavedBy = keys.Active, acks
	pub, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(h.keyDir(full), "key.json"), append(pub, '\n'), publicPerm); err != nil {
		return err
	}
	if err := os.RemoveAll(next); err != nil {
		return err
	}
	return atomicfile.SyncDir(h.keyDir(full))
}

// RetireKey destroys this station's share of a key it no longer holds
// after a resharing (called only once every new station has said it saved
// its share), keeping the public record of the key's new epoch, marked
// keys.Retired.
func (h Home) RetireKey(info keys.Record) error {
	full, err := h.resolveKey(info.ID)
	if err != nil {
		return err
	}
	info.Status = keys.Retired
	pub, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(h.keyDir(full), "key.json"), append(pub, '\n'), publicPerm); err != nil {
		return err
	}
	for _, p := range []string{filepath.Join(h.keyDir(full), "share.age"), h.nextDir(full)} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("key %s is retired but its old share could not be removed: %v; remove %s by hand", info.ID, err, p)
		}
	}
	return atomicfile.SyncDir(h.keyDir(full))
}
