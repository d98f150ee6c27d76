// Package recovery is the last resort of a threshold key: on one offline
// machine, it rebuilds the key from the backups of threshold-many stations
// (Lagrange interpolation at 0 of their tss-lib shares), proves it is the
// key by its public key, and uses it without ever showing it: it signs a
// Bitcoin PSBT or an Ethereum request that it reviewed exactly as a
// station does (chains/payload, with the same policy), or a message with
// an ed25519 key. Only when asked twice (a flag and a typed sentence) does
// it hand out the key itself, as a BIP32 xprv with the joint chain code.
//
// A share is tss-lib's LocalPartySaveData, as the vault holds it: Xi, the
// station's point on the key's secret polynomial of degree threshold-1,
// evaluated at ShareID (the station's tss-lib party key); Ks lists every
// station's party key and BigXj the public points Xj·G in the same order.
// Every check names the backup file it is about: shares of different keys,
// epochs or committees, two backups of one station, too few backups, and a
// share that does not match its own public point or the key's public key.
//
// The secret lives in memory only; Key.Destroy overwrites it (best effort:
// Go may have copied it). Everything done is recorded in a Transcript that
// holds no secret.
package recovery

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/internal/untrusted"
)

// Backup is one station's backup as read from its file.
type Backup struct {
	File      string // where it was read from, as shown in errors and the transcript
	SHA256    string // hex SHA-256 of the file's bytes
	Station   string
	Epoch     int
	Committee string
	Key       keys.Record
	// Share is the tss-lib LocalPartySaveData JSON. Reconstruct overwrites
	// it with zeros once read.
	Share []byte
}

// name is how errors call a backup: its file and station.
func (b *Backup) name() string {
	return fmt.Sprintf("backup %s (station %s)", untrusted.Text(b.File), untrusted.Text(b.Station))
}

// Key is a reconstructed key. Its secret never leaves it except through
// ExtendedPrivateKey.
type Key struct {
	record  keys.Record
	g       group
	secret  *big.Int
	pub     []byte
	cc      []byte
	backups []string
	checks  []string
}

// Record is the key's public record, as the backups carry it.
func (k *Key) Record() keys.Record { return k.record }

// Checks lists what was verified while rebuilding the key.
func (k *Key) Checks() []string { return append([]string(nil), k.checks...) }

// Destroy overwrites the secret. The key cannot be used afterwards.
func (k *Key) Destroy() {
	wipe(k.secret)
	k.secret = nil
}

func (k *Key) live() (*big.Int, error) {
	if k.secret == nil {
		return nil, fmt.Errorf("the recovered key of %s was destroyed: run the recovery again", k.record.ID)
	}
	return k.secret, nil
}

// point is a tss-lib ECPoint as JSON.
type point struct {
	Curve  string
	Coords [2]*big.Int
}

// share is the part of tss-lib's LocalPartySaveData (ECDSA or EdDSA)
// recovery needs; the rest (Paillier keys) is not even decoded.
type share struct {
	Xi, ShareID *big.Int
	Ks          []*big.Int
	BigXj       []*point
	ECDSAPub    *point
	EDDSAPub    *point
}

// parsed is a checked share of one backup.
type parsed struct {
	b     *Backup
	xi    *big.Int
	id    *big.Int
	index int // in Ks
	ks    []*big.Int
	bigX  [][]byte // encoded public points, in Ks order
}

func (p *parsed) wipe() { wipe(p.xi) }

// Reconstruct rebuilds the key from backups of at least threshold-many
// different stations of one key, epoch and committee, and checks it
// against the key's public key. Each backup's Share is wiped.
func Reconstruct(backups []Backup) (*Key, error) {
	defer func() {
		for i := range backups {
			wipeBytes(backups[i].Share)
		}
	}()
	if len(backups) == 0 {
		return nil, fmt.Errorf("no backup given: give the backup files of as many stations as the key's threshold (--backup FILE, once per file)")
	}
	bs := make([]*Backup, len(backups))
	for i := range backups {
		bs[i] = &backups[i]
	}
	ref := bs[0]
	rec := ref.Key
	var checks []string
	for _, b := range bs {
		if err := checkRecord(b); err != nil {
			return nil, err
		}
	}
	for _, b := range bs[1:] {
		if err := sameKey(ref, b); err != nil {
			return nil, err
		}
	}
	checks = append(checks, fmt.Sprintf("all %d backups are of key %s, epoch %d, committee %s", len(bs), rec.ID, rec.Epoch, rec.Committee()))
	seen := map[string]*Backup{}
	for _, b := range bs {
		if o, ok := seen[b.Station]; ok {
			return nil, fmt.Errorf("%s and %s are both of station %s: a station's share counts once; bring a backup of another station (%s)", untrusted.Text(o.File), untrusted.Text(b.File), untrusted.Text(b.Station), others(rec, seen))
		}
		seen[b.Station] = b
	}
	if len(bs) < rec.Threshold {
		return nil, fmt.Errorf("%d backup%s given (%s), but key %s is %d-of-%d: %d backups of different stations are needed (tss-lib threshold %d means %d shares); bring a backup of %s",
			len(bs), plural(len(bs)), files(bs), rec.ID, rec.Threshold, len(rec.Stations), rec.Threshold, rec.Threshold-1, rec.Threshold, others(rec, seen))
	}
	g, err := groupOf(rec.Curve)
	if err != nil {
		return nil, fmt.Errorf("%s: key %s is of curve %s, which this version of coldtss cannot recover", untrusted.Text(ref.File), rec.ID, untrusted.Quote(rec.Curve))
	}
	pub, err := rec.PublicKeyBytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", untrusted.Text(ref.File), err)
	}
	cc, err := rec.ChainCodeBytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", untrusted.Text(ref.File), err)
	}
	var ps []*parsed
	defer func() {
		for _, p := range ps {
			p.wipe()
		}
	}()
	for _, b := range bs {
		p, err := parseShare(b, g, pub)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	checks = append(checks,
		"each share's secret times the generator equals its own public point",
		"each share's public points interpolate to the key's public key")
	if err := samePublicShares(ps); err != nil {
		return nil, err
	}
	ids := map[string]*parsed{}
	for _, p := range ps {
		k := p.id.String()
		if o, ok := ids[k]; ok {
			return nil, fmt.Errorf("%s and %s hold the share of the same party (stations %s and %s): one was altered; bring a backup of another station", untrusted.Text(o.b.File), untrusted.Text(p.b.File), untrusted.Text(o.b.Station), untrusted.Text(p.b.Station))
		}
		ids[k] = p
	}
	checks = append(checks, "the shares agree on every station's public point")
	secret, err := interpolate(ps, g)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(g.mulBase(secret), pub) {
		wipe(secret)
		return nil, blame(ps, g, pub, rec)
	}
	checks = append(checks, fmt.Sprintf("the key rebuilt from %d shares times the generator is the key's public key %s", len(ps), rec.PublicKey))
	k := &Key{record: rec, g: g, secret: secret, pub: pub, cc: cc, checks: checks}
	for _, b := range bs {
		k.backups = append(k.backups, b.File)
	}
	return k, nil
}

// checkRecord makes sure a backup's labels agree with the key record it
// carries, and the record with its own public key.
func checkRecord(b *Backup) error {
	r := b.Key
	pub, err := r.PublicKeyBytes()
	if err != nil {
		return fmt.Errorf("%s: %v", b.name(), err)
	}
	switch {
	case r.ID != keys.ID(r.Curve, pub):
		return fmt.Errorf("%s: its key record says key %s but its public key makes id %s: the backup was altered or damaged; leave it out", b.name(), untrusted.Text(r.ID), keys.ID(r.Curve, pub))
	case b.Epoch != r.Epoch:
		return fmt.Errorf("%s: it says epoch %d but its key record says epoch %d: the backup was altered or damaged; leave it out", b.name(), b.Epoch, r.Epoch)
	case b.Committee != r.Committee():
		return fmt.Errorf("%s: it says committee %s but its key record makes committee %s: the backup was altered or damaged; leave it out", b.name(), untrusted.Text(b.Committee), r.Committee())
	case r.Threshold < 1 || r.Threshold > len(r.Stations) || len(r.Stations) != len(r.StationCards):
		return fmt.Errorf("%s: its key record has threshold %d with %d stations and %d cards: the backup is damaged; leave it out", b.name(), r.Threshold, len(r.Stations), len(r.StationCards))
	}
	for _, s := range r.Stations {
		if s == b.Station {
			return nil
		}
	}
	return fmt.Errorf("%s: station %s is not one of key %s's stations (%s): the backup was altered or damaged; leave it out", b.name(), untrusted.Text(b.Station), r.ID, untrusted.Text(strings.Join(r.Stations, ", ")))
}

// sameKey refuses backups of another key, epoch or committee than ref's.
func sameKey(ref, b *Backup) error {
	r, o := ref.Key, b.Key
	switch {
	case o.ID != r.ID:
		return fmt.Errorf("%s is of key %s but %s is of key %s: give backups of one key only", untrusted.Text(b.File), untrusted.Text(o.ID), untrusted.Text(ref.File), untrusted.Text(r.ID))
	case o.Epoch != r.Epoch:
		newer := ref
		if o.Epoch > r.Epoch {
			newer = b
		}
		return fmt.Errorf("%s is of epoch %d of key %s but %s is of epoch %d: a reshare makes the shares of an older epoch useless; use backups of one epoch only, the latest (%d, like %s)",
			untrusted.Text(b.File), o.Epoch, r.ID, untrusted.Text(ref.File), r.Epoch, newer.Epoch, untrusted.Text(newer.File))
	case o.Committee() != r.Committee():
		return fmt.Errorf("%s is of committee %s of key %s but %s is of committee %s (same epoch %d): one backup was altered or comes from a refused reshare; use backups of one committee only",
			untrusted.Text(b.File), o.Committee(), r.ID, untrusted.Text(ref.File), r.Committee(), r.Epoch)
	case o.PublicKey != r.PublicKey || o.ChainCode != r.ChainCode || o.Curve != r.Curve || o.Threshold != r.Threshold || strings.Join(o.Stations, "\x00") != strings.Join(r.Stations, "\x00"):
		return fmt.Errorf("%s describes key %s differently from %s (public key, chain code, curve, threshold or stations differ): one was altered; check each with `coldtss backup verify`", untrusted.Text(b.File), r.ID, untrusted.Text(ref.File))
	}
	return nil
}

// parseShare decodes a backup's share and checks it on its own: its public
// key is the key's, its secret matches its own public point, and its
// public points are those of a sharing of the key's public key.
func parseShare(b *Backup, g group, pub []byte) (*parsed, error) {
	var s share
	dec := json.NewDecoder(bytes.NewReader(b.Share))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: the share inside does not decode as a tss-lib share (%v): the backup is damaged; leave it out", b.name(), oneLine(err))
	}
	defer wipe(s.Xi)
	q := g.order()
	n := len(b.Key.Stations)
	bad := func(what string) error {
		return fmt.Errorf("%s: the share inside %s: the backup was altered or damaged; leave it out and use another station's", b.name(), what)
	}
	keyPub := s.ECDSAPub
	if b.Key.Curve != "secp256k1" {
		keyPub = s.EDDSAPub
	}
	switch {
	case s.Xi == nil || s.ShareID == nil || keyPub == nil:
		return nil, bad("lacks its secret, its index or the key's public key")
	case s.Xi.Sign() <= 0 || s.Xi.Cmp(q) >= 0:
		return nil, bad("has a secret out of range")
	case len(s.Ks) != n || len(s.BigXj) != n:
		return nil, bad(fmt.Sprintf("lists %d indexes and %d public points for the key's %d stations", len(s.Ks), len(s.BigXj), n))
	}
	kp, err := g.encode(keyPub.Coords[0], keyPub.Coords[1])
	if err != nil || !bytes.Equal(kp, pub) {
		return nil, fmt.Errorf("%s: the share inside belongs to public key %x, not key %s's %x: the backup was altered or mixes two keys; leave it out", b.name(), kp, b.Key.ID, pub)
	}
	p := &parsed{b: b, id: new(big.Int).Mod(s.ShareID, q), index: -1}
	for j, k := range s.Ks {
		if k == nil || s.BigXj[j] == nil {
			return nil, bad(fmt.Sprintf("has no index or public point for party %d", j+1))
		}
		if new(big.Int).Mod(k, q).Sign() == 0 {
			return nil, bad(fmt.Sprintf("has index 0 for party %d", j+1))
		}
		enc, err := g.encode(s.BigXj[j].Coords[0], s.BigXj[j].Coords[1])
		if err != nil {
			return nil, bad(fmt.Sprintf("has a public point of party %d that is %v", j+1, err))
		}
		p.ks = append(p.ks, new(big.Int).Mod(k, q))
		p.bigX = append(p.bigX, enc)
		if p.ks[j].Cmp(p.id) == 0 {
			p.index = j
		}
	}
	if p.index < 0 {
		return nil, bad("does not list its own index among the parties'")
	}
	if !bytes.Equal(g.mulBase(s.Xi), p.bigX[p.index]) {
		return nil, bad("has a secret that does not match its own public point (secret times the generator differs)")
	}
	if err := checkSharing(p, g, pub, b.Key.Threshold); err != nil {
		return nil, bad(err.Error())
	}
	p.xi = new(big.Int).Set(s.Xi)
	return p, nil
}

// checkSharing checks, on public points only, that the share's points lie
// on one polynomial of degree threshold-1 whose value at 0 is the key's
// public key.
func checkSharing(p *parsed, g group, pub []byte, threshold int) error {
	xs, ys := p.ks[:threshold], p.bigX[:threshold]
	for i := range xs {
		for j := range xs[:i] {
			if xs[i].Cmp(xs[j]) == 0 {
				return fmt.Errorf("lists parties %d and %d with the same index", j+1, i+1)
			}
		}
	}
	l, err := lagrange(xs, new(big.Int), g.order())
	if err != nil {
		return err
	}
	if got, err := g.combine(l, ys); err != nil || !bytes.Equal(got, pub) {
		return fmt.Errorf("has public points that do not add up to the key's public key")
	}
	for j := threshold; j < len(p.ks); j++ {
		l, err := lagrange(xs, p.ks[j], g.order())
		if err != nil {
			return fmt.Errorf("lists two parties with the same index")
		}
		if got, err := g.combine(l, ys); err != nil || !bytes.Equal(got, p.bigX[j]) {
			return fmt.Errorf("has public points that do not add up to the key's public key (party %d's is off)", j+1)
		}
	}
	return nil
}

// samePublicShares makes sure every backup lists the same parties and
// public points: each is a consistent sharing of the key on its own, so a
// difference means one was replaced. With three or more backups the odd
// one out is named.
func samePublicShares(ps []*parsed) error {
	sig := func(p *parsed) string {
		var b strings.Builder
		for j := range p.ks {
			b.WriteString(p.ks[j].String())
			b.WriteByte(':')
			b.WriteString(hex.EncodeToString(p.bigX[j]))
			b.WriteByte(';')
		}
		return b.String()
	}
	groups := map[string][]*parsed{}
	for _, p := range ps {
		groups[sig(p)] = append(groups[sig(p)], p)
	}
	if len(groups) == 1 {
		return nil
	}
	var sets [][]*parsed
	for _, g := range groups {
		sets = append(sets, g)
	}
	sort.Slice(sets, func(i, j int) bool { return len(sets[i]) > len(sets[j]) })
	if len(sets[0]) > len(sets[1]) {
		var odd []*Backup
		for _, s := range sets[1:] {
			for _, p := range s {
				odd = append(odd, p.b)
			}
		}
		return fmt.Errorf("%s disagree%s with the other backups on the stations' public points: it was altered or made from another sharing of the key; leave it out and bring another station's backup", files(odd), singular(len(odd)))
	}
	return fmt.Errorf("backups %s disagree on the stations' public points: one of them was altered, and it cannot be told which; bring another station's backup so that the majority shows it", files(backupsOf(ps)))
}

// interpolate is the secret: Σ λ_i·x_i at 0 over every share.
func interpolate(ps []*parsed, g group) (*big.Int, error) {
	q := g.order()
	xs := make([]*big.Int, len(ps))
	for i, p := range ps {
		xs[i] = p.id
	}
	l, err := lagrange(xs, new(big.Int), q)
	if err != nil {
		return nil, fmt.Errorf("two backups hold shares with the same index: one was altered; check each with `coldtss backup verify`")
	}
	secret := new(big.Int)
	t := new(big.Int)
	for i, p := range ps {
		t.Mul(l[i], p.xi)
		secret.Add(secret, t).Mod(secret, q)
	}
	wipe(t)
	if secret.Sign() == 0 {
		return nil, fmt.Errorf("the shares of %s interpolate to zero, which is no key: the backups were altered", files(backupsOf(ps)))
	}
	return secret, nil
}

// blame says which backup is inconsistent when the interpolation does not
// give the public key: with more shares than needed, the subsets that do
// give it show which backups are outside every good one.
func blame(ps []*parsed, g group, pub []byte, rec keys.Record) error {
	t := rec.Threshold
	if len(ps) > t {
		good := map[*parsed]bool{}
		subsets(len(ps), t, func(idx []int) {
			sub := make([]*parsed, len(idx))
			for i, j := range idx {
				sub[i] = ps[j]
			}
			s, err := interpolate(sub, g)
			if err == nil && bytes.Equal(g.mulBase(s), pub) {
				for _, p := range sub {
					good[p] = true
				}
			}
			wipe(s)
		})
		var bad []*Backup
		for _, p := range ps {
			if !good[p] {
				bad = append(bad, p.b)
			}
		}
		if len(good) > 0 && len(bad) > 0 {
			return fmt.Errorf("%s: the share inside is not on key %s's sharing (the other backups rebuild the key without it): it was altered; leave it out", files(bad), rec.ID)
		}
	}
	return fmt.Errorf("the shares of %s do not rebuild key %s (the result is not its public key): a share was altered in a way its own checks cannot show; bring another station's backup to find which", files(backupsOf(ps)), rec.ID)
}

// subsets calls f with every k-subset of 0..n-1.
func subsets(n, k int, f func([]int)) {
	idx := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			f(idx)
			return
		}
		for i := start; i <= n-(k-depth); i++ {
			idx[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}

func backupsOf(ps []*parsed) []*Backup {
	out := make([]*Backup, len(ps))
	for i, p := range ps {
		out[i] = p.b
	}
	return out
}

func files(bs []*Backup) string {
	var names []string
	for _, b := range bs {
		names = append(names, untrusted.Text(b.File))
	}
	return strings.Join(names, ", ")
}

// others names the key's stations that no backup given is of.
func others(r keys.Record, seen map[string]*Backup) string {
	var out []string
	for _, s := range r.Stations {
		if seen[s] == nil {
			out = append(out, untrusted.Text(s))
		}
	}
	if len(out) == 0 {
		return "no other station holds it"
	}
	return strings.Join(out, " or ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func singular(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func oneLine(err error) string { return untrusted.Text(strings.Join(strings.Fields(err.Error()), " ")) }
