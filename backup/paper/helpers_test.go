package paper

import (
	"math/rand"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup"
)

// ageFile returns a real age file (to a fresh X25519 recipient) of a
// plaintext of n bytes, as `backup create` would write one of that size.
func ageFile(t testing.TB, n int, seed int64) []byte {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pt := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(pt)
	b, err := backup.EncryptTo(pt, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testMeta() Meta {
	return Meta{
		KeyID: "3f2a9c01d4e5b6a7", Label: "treasury", Station: "alice", Epoch: 2,
		Committee: "9b1c2d3e4f506172",
		KeyWords:  "able acid also apex / aqua arch atom aunt / away axis back bald",
		Created:   time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC),
	}
}
