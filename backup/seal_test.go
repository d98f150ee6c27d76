package backup

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

func secret(t *testing.T, marker string) []byte {
	t.Helper()
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return append([]byte("PLAINTEXT-"+marker+"-"), b...)
}

// ageHeaderLen returns the length of an age file's header (through the MAC line).
func ageHeaderLen(t *testing.T, ct []byte) int {
	t.Helper()
	i := bytes.Index(ct, []byte("\n---"))
	if i < 0 {
		t.Fatal("no age header")
	}
	j := bytes.IndexByte(ct[i+1:], '\n')
	if j < 0 {
		t.Fatal("no end of age header")
	}
	return i + 1 + j + 1
}

func TestPassphraseRoundTripAndWrongPassphrase(t *testing.T) {
	// scrypt at 2^ScryptWorkFactor costs about a second per operation:
	// this test does one encryption and three decryptions.
	plaintext := []byte("station identity: the most secret thing on the station")
	ct, err := EncryptWithPassphrase(plaintext, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(ct, []byte("age-encryption.org/v1\n-> scrypt ")) {
		t.Fatalf("not a standard age scrypt file: %q", ct[:min(len(ct), 40)])
	}
	if bytes.Contains(ct, plaintext) || bytes.Contains(ct, []byte("correct horse")) {
		t.Fatal("plaintext or passphrase visible in the ciphertext")
	}
	if !bytes.Contains(ct, []byte(" 18\n")) || ScryptWorkFactor != 18 {
		t.Fatalf("work factor not %d in the stanza", ScryptWorkFactor)
	}
	pt, err := DecryptWithPassphrase(ct, "correct horse")
	if err != nil || !bytes.Equal(pt, plaintext) {
		t.Fatalf("round trip: %q %v", pt, err)
	}
	if pt, err := DecryptWithPassphrase(ct, "correct horsf"); !errors.Is(err, ErrWrongPassphrase) || pt != nil {
		t.Fatalf("wrong passphrase: got %q %v, want ErrWrongPassphrase", pt, err)
	}
	// Truncated in the payload: the header (and so the scrypt) is fine, the
	// payload must fail authentication instead of returning a prefix.
	short := ct[:len(ct)-5]
	pt, err = DecryptWithPassphrase(short, "correct horse")
	if err == nil || pt != nil || errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "damaged or truncated") {
		t.Fatalf("truncated payload: got %q %v, want a 'damaged or truncated' error", pt, err)
	}
	// Truncated in the header: refused before any scrypt.
	if pt, err := DecryptWithPassphrase(ct[:ageHeaderLen(t, ct)-10], "correct horse"); err == nil || pt != nil {
		t.Fatalf("truncated header: got %q %v", pt, err)
	}
	if _, err := EncryptWithPassphrase(plaintext, ""); err == nil {
		t.Fatal("empty passphrase accepted")
	}
}

// TestTruncatedCiphertextIsAnError cuts an age file (two STREAM chunks) at
// every interesting place, including exactly at the chunk boundary, and
// flips bytes: decryption must fail and return nothing.
func TestTruncatedCiphertextIsAnError(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 64 << 10
	plaintext := bytes.Repeat([]byte("pre-parameters "), (chunk+100)/15+1)
	ct, err := EncryptTo(plaintext, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := DecryptWith(ct, id); err != nil || !bytes.Equal(pt, plaintext) {
		t.Fatalf("round trip: %v", err)
	}
	h := ageHeaderLen(t, ct)
	payload := h + 16                     // after the stream nonce
	firstChunkEnd := payload + chunk + 16 // first sealed chunk with its tag
	cuts := []int{0, 1, h / 2, h - 1, h, h + 1, payload, payload + 1, payload + 100,
		firstChunkEnd - 1, firstChunkEnd, firstChunkEnd + 1, len(ct) - 17, len(ct) - 16, len(ct) - 1}
	for _, n := range cuts {
		pt, err := DecryptWith(ct[:n], id)
		if err == nil || pt != nil {
			t.Errorf("cut at %d of %d: got %d bytes, err %v; want an error and nothing", n, len(ct), len(pt), err)
		}
	}
	for _, i := range []int{payload, firstChunkEnd - 1, firstChunkEnd + 5, len(ct) - 1} {
		bad := append([]byte(nil), ct...)
		bad[i] ^= 0x40
		if pt, err := DecryptWith(bad, id); err == nil || pt != nil {
			t.Errorf("flipped byte %d: got %d bytes, err %v", i, len(pt), err)
		}
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := DecryptWith(ct, other); err == nil {
		t.Fatal("decrypted with another identity")
	}
	if _, err := EncryptTo(plaintext); err == nil {
		t.Fatal("encrypted to no recipient")
	}
}
