// Package backup seals secrets with age: under a scrypt passphrase or to
// age recipients, as standard age files that the age tool opens without
// coldtss. The station's vault (backup/vault) keeps its secrets this way,
// and cold backups of shares are made of it.
package backup

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
)

// ErrWrongPassphrase is returned when a passphrase-encrypted file does not open.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// ScryptWorkFactor is the scrypt cost (2^N) for passphrase-encrypted files.
// 18 is age's default: about one second and 256 MiB on a laptop.
const ScryptWorkFactor = 18

// EncryptWithPassphrase encrypts plaintext as a standard age file under a
// scrypt passphrase, so that `age -d` opens it without coldtss.
func EncryptWithPassphrase(plaintext []byte, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, errors.New("the passphrase is empty")
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(ScryptWorkFactor)
	return encrypt(plaintext, r)
}

// DecryptWithPassphrase opens an age file encrypted with EncryptWithPassphrase.
func DecryptWithPassphrase(ciphertext []byte, passphrase string) ([]byte, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	id.SetMaxWorkFactor(22)
	out, err := decrypt(ciphertext, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) || errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, ErrWrongPassphrase
		}
		return nil, err
	}
	return out, nil
}

// EncryptTo encrypts plaintext as a standard age file to the given recipients.
func EncryptTo(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, errors.New("no recipient to encrypt to")
	}
	return encrypt(plaintext, recipients...)
}

// DecryptWith opens an age file with any of the given identities.
func DecryptWith(ciphertext []byte, identities ...age.Identity) ([]byte, error) {
	return decrypt(ciphertext, identities...)
}

func encrypt(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decrypt(ciphertext []byte, identities ...age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ciphertext), identities...)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("the encrypted file is damaged or truncated: %w", err)
	}
	return out, nil
}
