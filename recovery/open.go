package recovery

import (
	"fmt"

	"filippo.io/age"

	"github.com/coldtss/coldtss/backup"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Open reads one backup file's bytes (a coldtss-backup/1 age file) with its
// passphrase and/or age identities. The station identity the backup also
// holds is not needed to recover the key and is wiped at once.
func Open(file string, data []byte, passphrase string, ids ...age.Identity) (Backup, error) {
	c, err := backup.Open(data, passphrase, ids...)
	if err != nil {
		return Backup{}, fmt.Errorf("%s: %v", untrusted.Text(file), err)
	}
	wipeBytes(c.Identity)
	return Backup{File: file, SHA256: Hash(data), Station: c.Station, Epoch: c.Epoch, Committee: c.Committee, Key: c.Key, Share: c.Share}, nil
}
