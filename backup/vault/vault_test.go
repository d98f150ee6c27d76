package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/coldtss/coldtss/ceremony/keys"
)

func newAgeID(t *testing.T) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// secret returns random bytes with a marker, distinctive enough that
// finding them in a file means the file holds them in the clear.
func secret(t *testing.T, marker string) []byte {
	t.Helper()
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return append([]byte("PLAINTEXT-"+marker+"-"), b...)
}

// assertNotOnDisk fails if any file under dir contains any of the secrets,
// and returns how many regular files it looked at.
func assertNotOnDisk(t *testing.T, dir string, secrets ...[]byte) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, s := range secrets {
			if bytes.Contains(b, s) || bytes.Contains(b, s[len(s)-32:]) {
				t.Errorf("%s holds a secret in the clear", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dirNames lists every entry of dir (hidden ones included), sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestSaveIdentity(t *testing.T) {
	h := Home{Dir: filepath.Join(t.TempDir(), "station")}
	if h.Initialized() {
		t.Fatal("empty home reports an identity")
	}
	if err := h.CheckInitialized(); err == nil || !strings.Contains(err.Error(), "coldtss init") {
		t.Fatalf("uninitialized home: %v", err)
	}
	if _, err := h.ReadIdentity(); err == nil {
		t.Fatal("read an identity from an empty home")
	}
	enc, card := []byte("age-encrypted identity"), []byte(`{"format":"coldtss-card/1"}`)
	if err := h.SaveIdentity(enc, card); err != nil {
		t.Fatal(err)
	}
	if !h.Initialized() || h.CheckInitialized() != nil {
		t.Fatal("home not initialized after SaveIdentity")
	}
	if m := mode(t, h.Dir); m != 0o700 {
		t.Errorf("home folder mode %v, want 0700", m)
	}
	if m := mode(t, h.IdentityPath()); m != 0o600 {
		t.Errorf("identity mode %v, want 0600", m)
	}
	if m := mode(t, h.CardPath()); m != 0o644 {
		t.Errorf("card mode %v, want 0644", m)
	}
	if b, err := h.ReadIdentity(); err != nil || !bytes.Equal(b, enc) {
		t.Fatalf("ReadIdentity: %q %v", b, err)
	}
	if b, err := h.ReadCard(); err != nil || !bytes.Equal(b, card) {
		t.Fatalf("ReadCard: %q %v", b, err)
	}

	err := h.SaveIdentity([]byte("another identity"), []byte("another card"))
	if err == nil || !strings.Contains(err.Error(), "refusing to overwrite") || !strings.Contains(err.Error(), h.Dir) {
		t.Fatalf("second SaveIdentity: got %v, want a refusal naming the home", err)
	}
	if b, _ := h.ReadIdentity(); !bytes.Equal(b, enc) {
		t.Fatal("the identity was overwritten")
	}
	if b, _ := h.ReadCard(); !bytes.Equal(b, card) {
		t.Fatal("the card was overwritten")
	}
}

func TestPreParams(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	id := newAgeID(t)
	if n := h.CountPreParams(); n != 0 {
		t.Fatalf("empty home counts %d pre-parameter sets", n)
	}
	if _, err := h.TakePreParams(id); err == nil || !strings.Contains(err.Error(), "no unused pre-parameters") {
		t.Fatalf("take from an empty home: %v", err)
	}

	// Ids carry the time to the second: the first set is older than the
	// next ones once the clock has moved to the next second.
	sets := [][]byte{secret(t, "set0")}
	first, err := h.AddPreParams(sets[0], id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	ids := map[string]bool{first: true}
	for i := 1; i < 3; i++ {
		s := secret(t, "set"+string(rune('0'+i)))
		pid, err := h.AddPreParams(s, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		if ids[pid] {
			t.Fatalf("id %s given twice", pid)
		}
		ids[pid] = true
		sets = append(sets, s)
	}
	if n := h.CountPreParams(); n != 3 {
		t.Fatalf("count %d, want 3", n)
	}
	// A stray temp file or hidden file is not a set.
	if err := os.WriteFile(filepath.Join(h.preParamsDir(), ".x.age.tmp-1"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := h.CountPreParams(); n != 3 {
		t.Fatalf("count %d with a temp file present, want 3", n)
	}
	os.Remove(filepath.Join(h.preParamsDir(), ".x.age.tmp-1"))

	for pid := range ids {
		p := filepath.Join(h.preParamsDir(), pid+".age")
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, m)
		}
		b, _ := os.ReadFile(p)
		if !bytes.HasPrefix(b, []byte("age-encryption.org/v1\n")) {
			t.Errorf("%s is not an age file", p)
		}
	}
	if n := assertNotOnDisk(t, h.Dir, sets...); n != 3 {
		t.Fatalf("looked at %d files, want the 3 sets", n)
	}

	// A set that does not decrypt is reported and kept, not thrown away.
	if _, err := h.TakePreParams(newAgeID(t)); err == nil || !strings.Contains(err.Error(), first+".age") {
		t.Fatalf("take with another identity: got %v, want an error naming %s.age", err, first)
	}
	if n := h.CountPreParams(); n != 3 {
		t.Fatalf("a failed take removed a set: count %d", n)
	}

	got, err := h.TakePreParams(id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sets[0]) {
		t.Fatal("the first set taken is not the oldest")
	}
	if _, err := os.Stat(filepath.Join(h.preParamsDir(), first+".age")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the taken set is still on disk: %v", err)
	}
	if n := h.CountPreParams(); n != 2 {
		t.Fatalf("count %d after one take, want 2", n)
	}
	seen := map[string]bool{string(got): true}
	for i := 0; i < 2; i++ {
		got, err := h.TakePreParams(id)
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(got)] {
			t.Fatal("a pre-parameter set was returned twice")
		}
		seen[string(got)] = true
	}
	for _, s := range sets {
		if !seen[string(s)] {
			t.Fatal("a set was never returned")
		}
	}
	if n := h.CountPreParams(); n != 0 {
		t.Fatalf("count %d after taking all, want 0", n)
	}
	if _, err := h.TakePreParams(id); err == nil {
		t.Fatal("took a set from an emptied home")
	}
	if names := dirNames(t, h.preParamsDir()); len(names) != 0 {
		t.Fatalf("pre-parameter folder still holds %q", names)
	}
}

func testKeyInfo(id string, created time.Time) keys.Record {
	return keys.Record{
		Format: "coldtss-key/1", ID: id, Label: "label " + id, Curve: "ed25519",
		PublicKey: strings.Repeat("ab", 32), ChainCode: strings.Repeat("cd", 32),
		Threshold: 2, Stations: []string{"alice", "bob", "carol"},
		StationCards: []json.RawMessage{json.RawMessage(`{"name":"alice"}`)},
		Station:      "bob", Epoch: 1, Created: created.UTC().Truncate(time.Second),
		Session: strings.Repeat("01", 16), TranscriptHash: strings.Repeat("ef", 32),
	}
}

func TestKeys(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	id := newAgeID(t)
	if keys, err := h.Keys(); err != nil || len(keys) != 0 {
		t.Fatalf("keys of an empty home: %v %v", keys, err)
	}
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	// Folder (name) order differs from creation order.
	infos := []keys.Record{
		testKeyInfo("zz9f00", base),
		testKeyInfo("abc100", base.Add(2*time.Hour)),
		testKeyInfo("abc200", base.Add(time.Hour)),
		testKeyInfo("abc", base.Add(3*time.Hour)),
	}
	shares := map[string][]byte{}
	var all [][]byte
	for _, info := range infos {
		s := secret(t, "share-"+info.ID)
		shares[info.ID] = s
		all = append(all, s)
		if err := h.SaveKey(info, s, id.Recipient()); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("files", func(t *testing.T) {
		for _, info := range infos {
			dir := filepath.Join(h.Dir, "keys", info.ID)
			if names := dirNames(t, dir); strings.Join(names, ",") != "key.json,share.age" {
				t.Fatalf("%s holds %q", dir, names)
			}
			if m := mode(t, filepath.Join(dir, "share.age")); m != 0o600 {
				t.Errorf("share mode %v, want 0600", m)
			}
			if m := mode(t, filepath.Join(dir, "key.json")); m != 0o644 {
				t.Errorf("key.json mode %v, want 0644", m)
			}
			b, err := os.ReadFile(filepath.Join(dir, "key.json"))
			if err != nil {
				t.Fatal(err)
			}
			var got keys.Record
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("key.json is not readable JSON: %v", err)
			}
			want, _ := json.Marshal(info)
			have, _ := json.Marshal(got)
			if !bytes.Equal(want, have) {
				t.Fatalf("key.json:\n%s\nwant\n%s", have, want)
			}
			ct, _ := os.ReadFile(filepath.Join(dir, "share.age"))
			if !bytes.HasPrefix(ct, []byte("age-encryption.org/v1\n")) {
				t.Fatal("share.age is not an age file")
			}
		}
		assertNotOnDisk(t, h.Dir, all...)
		// No staging folder is left behind.
		if names := dirNames(t, filepath.Join(h.Dir, "keys")); strings.Join(names, ",") != "abc,abc100,abc200,zz9f00" {
			t.Fatalf("keys folder holds %q", names)
		}
	})

	t.Run("refuses an existing key", func(t *testing.T) {
		other := testKeyInfo("abc100", base)
		other.Label = "replacement"
		err := h.SaveKey(other, []byte("replacement share"), id.Recipient())
		if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "abc100") {
			t.Fatalf("got %v, want an 'already exists' refusal naming the key", err)
		}
		if info, err := h.Key("abc100"); err != nil || info.Label != "label abc100" {
			t.Fatalf("the key was changed: %+v %v", info, err)
		}
		if s, err := h.Share("abc100", id); err != nil || !bytes.Equal(s, shares["abc100"]) {
			t.Fatalf("the share was changed: %v", err)
		}
		if names := dirNames(t, filepath.Join(h.Dir, "keys")); len(names) != 4 {
			t.Fatalf("keys folder holds %q after the refusal", names)
		}
	})

	t.Run("sorted by creation", func(t *testing.T) {
		keys, err := h.Keys()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range keys {
			got = append(got, k.ID)
		}
		if strings.Join(got, ",") != "zz9f00,abc200,abc100,abc" {
			t.Fatalf("Keys order %v, want oldest first", got)
		}
	})

	t.Run("lookup", func(t *testing.T) {
		for q, want := range map[string]string{"zz": "zz9f00", "zz9f00": "zz9f00", "abc1": "abc100", "abc": "abc", "abc2": "abc200"} {
			info, err := h.Key(q)
			if err != nil || info.ID != want {
				t.Errorf("Key(%q) = %q, %v; want %q", q, info.ID, err, want)
			}
		}
		if _, err := h.Key("ab"); err == nil || !strings.Contains(err.Error(), `key id "ab" is ambiguous: abc, abc100, abc200`) {
			t.Errorf("ambiguous prefix: %v", err)
		}
		if _, err := h.Key("abc3"); err == nil || !strings.Contains(err.Error(), `holds no key "abc3"`) || !strings.Contains(err.Error(), h.Dir) {
			t.Errorf("unknown key: %v", err)
		}
		for _, bad := range []string{"", "../x", "..", "a/b", `a\b`, ".hidden", "./abc"} {
			_, err := h.Key(bad)
			if err == nil || !strings.Contains(err.Error(), "is not a key id") {
				t.Errorf("Key(%q): got %v, want 'is not a key id'", bad, err)
			}
			if _, err := h.resolveKey(bad); err == nil {
				t.Errorf("resolveKey(%q) accepted", bad)
			}
			if _, err := h.Share(bad, id); err == nil || !strings.Contains(err.Error(), "is not a key id") {
				t.Errorf("Share(%q): got %v", bad, err)
			}
		}
		// A key just outside keys/ is not reachable by name.
		if err := os.MkdirAll(filepath.Join(h.Dir, "x"), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Key("../x"); err == nil {
			t.Error("../x resolved")
		}
	})

	t.Run("share", func(t *testing.T) {
		s, err := h.Share("zz", id)
		if err != nil || !bytes.Equal(s, shares["zz9f00"]) {
			t.Fatalf("Share by prefix: %v", err)
		}
		_, err = h.Share("zz9f00", newAgeID(t))
		want := filepath.Join(h.Dir, "keys", "zz9f00", "share.age")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "cannot decrypt") {
			t.Fatalf("share with the wrong identity: got %v, want an error naming %s", err, want)
		}
	})

	t.Run("damaged key.json", func(t *testing.T) {
		p := filepath.Join(h.Dir, "keys", "abc", "key.json")
		if err := os.WriteFile(p, []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Key("abc"); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("damaged key.json: %v", err)
		}
		if _, err := h.Keys(); err == nil {
			t.Fatal("Keys hides a damaged key")
		}
	})
}

func TestSaveTranscript(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	session := strings.Repeat("5a", 16)
	data := []byte(`{"format":"coldtss-transcript/1"}` + "\n")
	p, err := h.SaveTranscript(session, data)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(h.Dir, "transcripts", session+".json"); p != want {
		t.Fatalf("path %s, want %s", p, want)
	}
	if b, err := os.ReadFile(p); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("content %q %v", b, err)
	}
	if m := mode(t, p); m != 0o644 {
		t.Fatalf("transcript mode %v, want 0644", m)
	}
	// Saving the same session again replaces it atomically; nothing else is left.
	if _, err := h.SaveTranscript(session, []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "v2" {
		t.Fatalf("content after the second save: %q", b)
	}
	if names := dirNames(t, filepath.Dir(p)); len(names) != 1 {
		t.Fatalf("transcripts folder holds %q", names)
	}
}
