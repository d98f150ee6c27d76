package backup

// The cold backup of one station's share of a key: an age file whose
// plaintext is the JSON document coldtss-backup/1 (docs/formats.md,
// "Backup file"). Only this file makes and reads it.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"filippo.io/age/plugin"
	"github.com/bnb-chain/tss-lib/v3/crypto"
	"github.com/bnb-chain/tss-lib/v3/tss"
	"github.com/decred/dcrd/dcrec/edwards/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Format is the format tag of a backup's plaintext.
const Format = "coldtss-backup/1"

// MaxSize caps a backup file read from disk: a secp256k1 share with its
// Paillier key is about 20 kB, a 20-station one well under 1 MiB.
const MaxSize = 4 << 20

// Contents is the plaintext of a backup: one station's share of one key at
// one epoch, with the key's public record and the station's identity.
type Contents struct {
	Format    string      `json:"format"` // Format
	KeyID     string      `json:"key_id"`
	Epoch     int         `json:"epoch"`
	Committee string      `json:"committee"` // keys.CommitteeID of the key at Epoch
	Station   string      `json:"station"`
	Key       keys.Record `json:"key"` // the station's key record (key.json) at Epoch
	// Share is tss-lib's LocalPartySaveData JSON exactly as the vault holds it.
	Share json.RawMessage `json:"share"`
	// Identity is the station's identity secret (coldtss-identity/1: name,
	// signing seed, sealing key), so that a new laptop becomes the station.
	Identity json.RawMessage `json:"identity"`
	Created  time.Time       `json:"created"`
}

// CreateOptions says whom a backup is encrypted to: a passphrase (age's
// scrypt recipient) or age recipients, never both: age allows a scrypt
// recipient only alone in a file, so a backup under a passphrase and to
// recipients is two backups.
type CreateOptions struct {
	Passphrase string
	Recipients []age.Recipient
	// WorkFactor is the scrypt cost (log2) of a passphrase backup;
	// 0 means ScryptWorkFactor.
	WorkFactor int
	// Compress gzips the JSON before it is encrypted: a secp256k1 backup
	// shrinks from about 18 to 8 kB, which a paper sheet needs. Opened
	// with the plain tools it is `age -d FILE | gunzip`.
	Compress bool
}

// Create checks c (Verify) and encrypts it as an age file.
func Create(c *Contents, opts CreateOptions) ([]byte, error) {
	if c.Format == "" {
		c.Format = Format
	}
	if c.Committee == "" {
		c.Committee = c.Key.Committee()
	}
	if c.Created.IsZero() {
		c.Created = time.Now().UTC().Truncate(time.Second)
	}
	if err := c.Verify(); err != nil {
		return nil, fmt.Errorf("no backup written: %v", err)
	}
	if len(c.Identity) == 0 {
		return nil, errors.New("no backup written: the contents hold no station identity, so the backup could not rebuild the station")
	}
	pt, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	if opts.Compress {
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(pt)
		if err := w.Close(); err != nil {
			return nil, err
		}
		pt = z.Bytes()
	}
	switch {
	case opts.Passphrase != "" && len(opts.Recipients) > 0:
		return nil, errors.New("a backup cannot be both under a passphrase and to age recipients (age allows a passphrase only alone in a file): make two backups, one with the passphrase and one to the recipients")
	case opts.Passphrase != "":
		r, err := age.NewScryptRecipient(opts.Passphrase)
		if err != nil {
			return nil, err
		}
		wf := opts.WorkFactor
		if wf == 0 {
			wf = ScryptWorkFactor
		}
		r.SetWorkFactor(wf)
		return encrypt(pt, r)
	case len(opts.Recipients) > 0:
		out, err := encrypt(pt, opts.Recipients...)
		if err != nil {
			return nil, recipientError(err)
		}
		return out, nil
	}
	return nil, errors.New("a backup needs a passphrase or at least one age recipient")
}

// recipientError explains a plugin that is not installed.
func recipientError(err error) error {
	var nf *plugin.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("the age plugin for recipient type %q is not installed (no age-plugin-%s in PATH): install it on this machine, or leave its recipient out; no backup was written", untrusted.Text(nf.Name), untrusted.Text(nf.Name))
	}
	return fmt.Errorf("cannot encrypt to the recipients: %v; no backup was written", err)
}

// Open decrypts and parses a backup with its passphrase and/or age
// identities. It checks that the document is a backup of this format and
// that its fields agree with its key record, not the share (Verify).
func Open(data []byte, passphrase string, ids ...age.Identity) (*Contents, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%d bytes, more than any backup (%d): not a coldtss backup", len(data), MaxSize)
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) {
		b, err := io.ReadAll(armor.NewReader(bytes.NewReader(bytes.TrimSpace(data))))
		if err != nil {
			return nil, fmt.Errorf("an armored age file that is damaged or truncated (%v): use another copy of the backup", err)
		}
		data = b
	}
	if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n")) {
		return nil, errors.New("not an age file, so not a coldtss backup (a backup starts with the line age-encryption.org/v1): check the file name")
	}
	kinds := stanzaKinds(data)
	if passphrase != "" {
		id, err := age.NewScryptIdentity(passphrase)
		if err != nil {
			return nil, err
		}
		id.SetMaxWorkFactor(22)
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errors.New("no passphrase or age identity was given to open it")
	}
	r, err := age.Decrypt(bytes.NewReader(data), ids...)
	if err != nil {
		return nil, openError(err, kinds, passphrase != "")
	}
	pt, err := io.ReadAll(io.LimitReader(r, MaxSize))
	if err != nil {
		return nil, fmt.Errorf("damaged or truncated: its encrypted contents do not authenticate (%v): use another copy of the backup", err)
	}
	if len(pt) >= 2 && pt[0] == 0x1f && pt[1] == 0x8b {
		// A compressed backup (CreateOptions.Compress): gzip inside age.
		if pt, err = gunzip(pt); err != nil {
			return nil, err
		}
	}
	return parse(pt)
}

// gunzip inflates a compressed backup's plaintext, at most MaxSize bytes.
func gunzip(z []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("opens, but its compressed contents are damaged (%v): use another copy of the backup", err)
	}
	pt, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("opens, but its compressed contents are damaged (%v): use another copy of the backup", err)
	case len(pt) > MaxSize:
		return nil, fmt.Errorf("opens, but its compressed contents inflate beyond %d bytes, more than any backup: not a coldtss backup", MaxSize)
	}
	return pt, nil
}

// openError turns age's refusal into what to do.
func openError(err error, kinds []string, withPass bool) error {
	scrypt := len(kinds) == 1 && kinds[0] == "scrypt"
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &noMatch) && scrypt && withPass:
		return errors.New("wrong passphrase for this backup (or its header is damaged): try again, checking the keyboard layout and caps lock")
	case errors.As(err, &noMatch) && scrypt:
		return errors.New("encrypted under a passphrase: give the backup passphrase, not an age identity")
	case errors.As(err, &noMatch):
		return fmt.Errorf("none of the given identities opens it: it is encrypted to %s recipients; give the identity file of one of them", strings.Join(kinds, ", "))
	}
	var nf *plugin.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("needs the age plugin age-plugin-%s, which is not installed: install it, then try again", untrusted.Text(nf.Name))
	}
	return fmt.Errorf("damaged or truncated (%v): use another copy of the backup", err)
}

// stanzaKinds lists the recipient types in an age header ("scrypt",
// "X25519", "mlkem768x25519", a plugin's type), for error messages.
func stanzaKinds(data []byte) []string {
	hdr, err := age.ExtractHeader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(hdr), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "->" && !seen[f[1]] {
			seen[f[1]] = true
			out = append(out, untrusted.Text(f[1]))
		}
	}
	return out
}

// parse reads the plaintext strictly.
func parse(pt []byte) (*Contents, error) {
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(pt, &head); err != nil || !strings.HasPrefix(head.Format, "coldtss-backup/") {
		return nil, errors.New("opens, but holds no coldtss backup (no format coldtss-backup/1 inside): it is another age file")
	}
	if head.Format != Format {
		return nil, fmt.Errorf("a backup of format %q, which this version of coldtss does not know (it reads %s): use a newer coldtss", untrusted.Text(head.Format), Format)
	}
	var c Contents
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("a damaged %s document (%v): use another copy of the backup", Format, err)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// check compares the backup's own fields with its key record.
func (c *Contents) check() error {
	k := c.Key
	switch {
	case c.Format != Format:
		return fmt.Errorf("its format is %q, not %s", untrusted.Text(c.Format), Format)
	case k.ID == "" || c.KeyID != k.ID:
		return fmt.Errorf("key_id %q is not the id of its key record (%q): the backup is damaged", untrusted.Text(c.KeyID), untrusted.Text(k.ID))
	case c.Epoch < 1 || c.Epoch != k.Epoch:
		return fmt.Errorf("epoch %d is not its key record's epoch (%d): the backup is damaged", c.Epoch, k.Epoch)
	case c.Committee != k.Committee():
		return fmt.Errorf("committee %q is not the committee of its key record (%s): the backup is damaged", untrusted.Text(c.Committee), k.Committee())
	case c.Station == "" || c.Station != k.Station:
		return fmt.Errorf("station %q is not its key record's station (%q): the backup is damaged", untrusted.Text(c.Station), untrusted.Text(k.Station))
	case len(c.Share) == 0:
		return errors.New("the backup holds no share: it is damaged")
	}
	if pub, err := k.PublicKeyBytes(); err != nil {
		return err
	} else if keys.ID(k.Curve, pub) != k.ID {
		return fmt.Errorf("key %s: its record's public key does not give that id: the backup is damaged", untrusted.Text(k.ID))
	}
	if _, err := k.ChainCodeBytes(); err != nil {
		return err
	}
	return nil
}

// shareData is what Verify reads of tss-lib's LocalPartySaveData (both
// curves): the secret share x_i at the station's point ShareID, every
// station's point and public share X_j = x_j·G, and the group key.
type shareData struct {
	Xi, ShareID *big.Int
	Ks          []*big.Int
	BigXj       []*crypto.ECPoint
	ECDSAPub    *crypto.ECPoint
	EDDSAPub    *crypto.ECPoint
}

// Verify checks, without showing any secret, that the share is the
// station's share of the key in the record: its public point equals x_i·G,
// the stations' public points interpolate (any threshold of them) to the
// key's public key, the points are the stations' party keys, and the
// identity, if present, is the station's card in the record.
func (c *Contents) Verify() error {
	if err := c.check(); err != nil {
		return err
	}
	k := c.Key
	var curve elliptic.Curve
	switch k.Curve {
	case ceremony.CurveSecp256k1:
		curve = tss.S256()
	case ceremony.CurveEd25519:
		curve = tss.Edwards()
	default:
		return fmt.Errorf("key %s: curve %q is not one coldtss knows", k.ID, untrusted.Text(k.Curve))
	}
	cards, err := k.Cards()
	if err != nil {
		return err
	}
	card, ok := cards[k.Station]
	if !ok || len(cards) != len(k.Stations) {
		return fmt.Errorf("key %s: the record's station %q is not among its station cards: the backup is damaged", k.ID, untrusted.Text(k.Station))
	}
	var s shareData
	if err := json.Unmarshal(c.Share, &s); err != nil {
		return fmt.Errorf("key %s: the share does not decode as a tss-lib %s share: the backup is damaged", k.ID, k.Curve)
	}
	pub := s.ECDSAPub
	if k.Curve == ceremony.CurveEd25519 {
		pub = s.EDDSAPub
	}
	n := curve.Params().N
	if s.Xi == nil || s.ShareID == nil || pub == nil || len(s.Ks) != len(k.Stations) || len(s.BigXj) != len(k.Stations) {
		return fmt.Errorf("key %s: the share is incomplete (it must hold the secret, the station's point, the group key and %d stations' points): the backup is damaged", k.ID, len(k.Stations))
	}
	for _, p := range append([]*crypto.ECPoint{pub}, s.BigXj...) {
		if !p.ValidateBasic() || p.Curve().Params().Name != curve.Params().Name {
			return fmt.Errorf("key %s: the share holds a point that is not on %s: the backup is damaged", k.ID, k.Curve)
		}
	}
	if got, rec := compress(k.Curve, pub), mustPub(k); !bytes.Equal(got, rec) {
		return fmt.Errorf("key %s: the share belongs to public key %x, but the key record says %s: this share is of another key", k.ID, got, k.PublicKey)
	}
	// The stations' points are their cards' party keys at the key's epoch,
	// and the station's own is its share's.
	idx := -1
	want := map[string]bool{}
	for _, cd := range cards {
		want[cd.PartyKeyAt(k.Epoch).String()] = true
	}
	for j, kj := range s.Ks {
		if kj == nil || !want[kj.String()] {
			return fmt.Errorf("key %s: the share's station points are not the party keys of the record's stations at epoch %d: the share is of another committee or epoch", k.ID, k.Epoch)
		}
		delete(want, kj.String())
		if kj.Cmp(s.ShareID) == 0 {
			idx = j
		}
	}
	if idx < 0 || s.ShareID.Cmp(card.PartyKeyAt(k.Epoch)) != 0 {
		return fmt.Errorf("key %s: the share is not station %s's (its point is another station's): the backup is mislabelled", k.ID, untrusted.Text(k.Station))
	}
	if s.Xi.Sign() <= 0 || s.Xi.Cmp(n) >= 0 || !crypto.ScalarBaseMult(curve, s.Xi).Equals(s.BigXj[idx]) {
		return fmt.Errorf("key %s: the secret share of station %s does not match its public point X_i: the share was altered or damaged; use another backup", k.ID, untrusted.Text(k.Station))
	}
	// Every threshold-sized set of points interpolates to the key: the
	// first t, and the first t-1 with each other point in turn.
	t := k.Threshold
	if t < 1 || t > len(s.Ks) {
		return fmt.Errorf("key %s: threshold %d does not fit %d stations: the backup is damaged", k.ID, t, len(s.Ks))
	}
	sets := [][]int{seq(t)}
	for j := t; j < len(s.Ks); j++ {
		sets = append(sets, append(seq(t-1), j))
	}
	for _, set := range sets {
		p, err := interpolate(curve, s.Ks, s.BigXj, set)
		if err != nil || !p.Equals(pub) {
			return fmt.Errorf("key %s: the stations' public shares in the share do not add up to the key's public key: the share was altered or damaged; use another backup", k.ID)
		}
	}
	if len(c.Identity) > 0 {
		id, err := ceremony.UnmarshalIdentity(c.Identity)
		if err != nil {
			return fmt.Errorf("key %s: the station identity in the backup does not decode (%v): the backup is damaged", k.ID, err)
		}
		if ic := id.Card(); ic.Name != card.Name || ic.SignKey != card.SignKey || ic.SealKey != card.SealKey {
			return fmt.Errorf("key %s: the station identity in the backup is not station %s's identity card in the key record: the backup is mislabelled", k.ID, untrusted.Text(k.Station))
		}
	}
	return nil
}

// CheckCurrent compares the backup with a station's current record of the
// key: the same key (id, public key, chain code), and the same epoch and
// committee, so that a backup from before a resharing is never taken for
// a current one.
func (c *Contents) CheckCurrent(rec keys.Record) error {
	k := c.Key
	switch {
	case rec.ID != c.KeyID:
		return fmt.Errorf("a backup of key %s, not of key %s: find the backup of the right key", untrusted.Text(c.KeyID), rec.ID)
	case rec.PublicKey != k.PublicKey || rec.ChainCode != k.ChainCode || rec.Curve != k.Curve:
		return fmt.Errorf("of key %s, but its public key, chain code or curve differ from the station's record: the backup or the record was altered; stop and compare", rec.ID)
	case c.Epoch < rec.Epoch:
		return fmt.Errorf("a backup of key %s at epoch %d, but the key is now at epoch %d (committee %s): the key was reshared since, so this backup's share no longer works; make a new backup", rec.ID, c.Epoch, rec.Epoch, rec.Committee())
	case c.Epoch > rec.Epoch:
		return fmt.Errorf("a backup of key %s at epoch %d, newer than this station's record (epoch %d): this station missed a resharing; use the newer station or its backup", rec.ID, c.Epoch, rec.Epoch)
	case c.Committee != rec.Committee():
		return fmt.Errorf("a backup of key %s at epoch %d for committee %s, but the key's committee is %s: it is of another resharing of the key; stop and compare", rec.ID, c.Epoch, untrusted.Text(c.Committee), rec.Committee())
	case c.Station != rec.Station:
		return fmt.Errorf("station %s's backup of key %s, this is station %s: verify it on its own station", untrusted.Text(c.Station), rec.ID, untrusted.Text(rec.Station))
	}
	return nil
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// interpolate returns the sum of λ_j·X_j over set: the value at 0 of the
// polynomial through the points (Ks[j], X_j), "in the exponent".
func interpolate(curve elliptic.Curve, ks []*big.Int, xs []*crypto.ECPoint, set []int) (*crypto.ECPoint, error) {
	n := curve.Params().N
	var sum *crypto.ECPoint
	for _, j := range set {
		num, den := big.NewInt(1), big.NewInt(1)
		for _, m := range set {
			if m == j {
				continue
			}
			num.Mod(num.Mul(num, ks[m]), n)
			d := new(big.Int).Sub(ks[m], ks[j])
			den.Mod(den.Mul(den, d.Mod(d, n)), n)
		}
		inv := new(big.Int).ModInverse(den, n)
		if inv == nil {
			return nil, errors.New("two stations share a point")
		}
		term := xs[j].ScalarMult(num.Mod(num.Mul(num, inv), n))
		if sum == nil {
			sum = term
			continue
		}
		var err error
		if sum, err = sum.Add(term); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

func mustPub(k keys.Record) []byte {
	b, _ := k.PublicKeyBytes() // checked by check
	return b
}

// compress encodes a group key as the key record does.
func compress(curve string, p *crypto.ECPoint) []byte {
	if curve == ceremony.CurveEd25519 {
		return edwards.NewPublicKey(p.X(), p.Y()).Serialize()
	}
	out := make([]byte, 33)
	out[0] = 2 + byte(p.Y().Bit(0))
	p.X().FillBytes(out[1:])
	return out
}

// --- recipients and identities

// pluginUI talks to an age plugin (a hardware token) on the terminal; what
// a plugin says is shown as untrusted text.
var pluginUI = plugin.NewTerminalUI(
	func(format string, v ...any) { fmt.Fprintln(os.Stderr, untrusted.Text(fmt.Sprintf(format, v...))) },
	func(format string, v ...any) {
		fmt.Fprintln(os.Stderr, "warning: "+untrusted.Text(fmt.Sprintf(format, v...)))
	},
)

// ParseRecipient reads one age recipient as the age tool does: X25519
// (age1…), post-quantum hybrid (age1pq1…) and plugin recipients (age1<plugin>1…, used through age-plugin-<plugin>).
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	var r age.Recipient
	var err error
	switch {
	case strings.HasPrefix(s, "age1tag1") || strings.HasPrefix(s, "age1tagpq1"):
		// filippo.io/age/tag needs a module coldtss does not pin (nistec).
		return nil, errors.New("is a tagged age recipient (age1tag1…), which coldtss does not encrypt to: give the token plugin's own age1<name>1… recipient, or an X25519 or age1pq1 one")
	case strings.HasPrefix(s, "age1pq1"):
		r, err = age.ParseHybridRecipient(s)
	case strings.HasPrefix(s, "age1") && strings.Count(s, "1") > 1:
		// Bech32 data has no '1': a second one ends a plugin's name.
		r, err = plugin.NewRecipient(s, pluginUI)
	case strings.HasPrefix(s, "age1"):
		r, err = age.ParseX25519Recipient(s)
	case strings.HasPrefix(s, "AGE-"):
		return nil, errors.New("is an age identity (a secret key), not a recipient: give the public age1… line of it (age-keygen -y)")
	default:
		return nil, errors.New("is not an age recipient (age1…, age1pq1…, or a plugin's age1<name>1…)")
	}
	if err != nil {
		return nil, fmt.Errorf("is not a valid age recipient: %v", err)
	}
	return r, nil
}

// ParseRecipients reads a recipients file as the age tool does: one
// recipient a line, blank lines and lines starting with # ignored.
func ParseRecipients(data []byte) ([]age.Recipient, error) {
	var out []age.Recipient
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := ParseRecipient(line)
		if err != nil {
			return nil, fmt.Errorf("line %d %v", n, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("holds no recipient")
	}
	return out, nil
}

// ParseIdentities reads an age identity file (as made by age-keygen, or a
// plugin's AGE-PLUGIN-… lines): X25519, post-quantum hybrid and plugin
// identities, blank lines and # comments ignored. Errors never quote a line.
func ParseIdentities(data []byte) ([]age.Identity, error) {
	var out []age.Identity
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var id age.Identity
		var err error
		if strings.HasPrefix(line, "AGE-PLUGIN-") {
			id, err = plugin.NewIdentity(line, pluginUI)
		} else {
			var ids []age.Identity
			ids, err = age.ParseIdentities(strings.NewReader(line))
			if err == nil {
				id = ids[0]
			}
		}
		if err != nil {
			return nil, fmt.Errorf("line %d is not an age identity (AGE-SECRET-KEY-1…, AGE-SECRET-KEY-PQ-1… or AGE-PLUGIN-…)", n)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, errors.New("holds no age identity")
	}
	return out, nil
}

// Describe says in a few words whom a backup file is encrypted to, from
// its header alone: "a passphrase", or the recipient types.
func Describe(data []byte) string {
	kinds := stanzaKinds(data)
	if len(kinds) == 1 && kinds[0] == "scrypt" {
		return "a passphrase"
	}
	if len(kinds) == 0 {
		return "nothing readable"
	}
	return "age recipients (" + strings.Join(kinds, ", ") + ")"
}
