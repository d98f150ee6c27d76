package recovery

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/coldtss/coldtss/chains/payload"
)

// TranscriptFormat is the format tag of recovery transcripts.
const TranscriptFormat = "coldtss-recovery-transcript/1"

// Transcript records one recovery: what was read, which backups, what was
// checked, what was signed or exported, with hashes and times. It holds
// public data only; the program writes it whether the recovery succeeded
// or not.
type Transcript struct {
	Format        string          `json:"format"` // TranscriptFormat
	Program       string          `json:"program"`
	ProgramSHA256 string          `json:"program_sha256,omitempty"`
	Started       time.Time       `json:"started"`
	Finished      time.Time       `json:"finished"`
	Action        string          `json:"action"` // check, bitcoin-psbt, ethereum-request, ed25519-message, export-xprv
	Backups       []FileRecord    `json:"backups"`
	Key           *KeySummary     `json:"key,omitempty"`
	Checks        []string        `json:"checks,omitempty"`
	Input         *FileRecord     `json:"input,omitempty"`
	Policy        json.RawMessage `json:"policy,omitempty"`
	Review        []string        `json:"review,omitempty"` // the review as shown
	Confirmed     string          `json:"confirmed,omitempty"`
	Signed        []SignedRequest `json:"signed,omitempty"`
	Outputs       []FileRecord    `json:"outputs,omitempty"`
	Export        *ExportRecord   `json:"export,omitempty"`
	Result        string          `json:"result"` // "ok", or the error that stopped the recovery
}

// FileRecord is a file read or written, by name and SHA-256; for a
// backup, also what it said it was.
type FileRecord struct {
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Station   string `json:"station,omitempty"`
	KeyID     string `json:"key_id,omitempty"`
	Epoch     int    `json:"epoch,omitempty"`
	Committee string `json:"committee,omitempty"`
}

// KeySummary is the public description of the key recovered.
type KeySummary struct {
	ID        string   `json:"id"`
	Curve     string   `json:"curve"`
	PublicKey string   `json:"public_key"`
	ChainCode string   `json:"chain_code"`
	Threshold int      `json:"threshold"`
	Stations  []string `json:"stations"`
	Epoch     int      `json:"epoch"`
	Committee string   `json:"committee"`
	Words     string   `json:"words"`
}

// ExportRecord says the key was shown, as what, and its public half.
type ExportRecord struct {
	As          string `json:"as"` // "xprv"
	Network     string `json:"network"`
	XPub        string `json:"xpub"`
	Fingerprint string `json:"fingerprint"`
}

// NewTranscript starts a transcript for a program (name and version)
// and the SHA-256 of its binary.
func NewTranscript(program, programSHA256, action string) *Transcript {
	return &Transcript{Format: TranscriptFormat, Program: program, ProgramSHA256: programSHA256, Action: action,
		Started: time.Now().UTC().Truncate(time.Second), Backups: []FileRecord{}, Result: "not finished"}
}

// Hash is the hex SHA-256 of data.
func Hash(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// AddBackup records a backup read.
func (t *Transcript) AddBackup(b *Backup) {
	t.Backups = append(t.Backups, FileRecord{File: b.File, SHA256: b.SHA256, Station: b.Station, KeyID: b.Key.ID, Epoch: b.Epoch, Committee: b.Committee})
}

// AddBackupFile records a file that was read but did not open as a backup.
func (t *Transcript) AddBackupFile(file string, data []byte) {
	t.Backups = append(t.Backups, FileRecord{File: file, SHA256: Hash(data)})
}

// Recovered records the key and the checks it passed.
func (t *Transcript) Recovered(k *Key) {
	r := k.Record()
	t.Key = &KeySummary{ID: r.ID, Curve: r.Curve, PublicKey: r.PublicKey, ChainCode: r.ChainCode, Threshold: r.Threshold,
		Stations: r.Stations, Epoch: r.Epoch, Committee: r.Committee(), Words: r.Words()}
	t.Checks = append(t.Checks, k.Checks()...)
}

// SetInput records the file to sign.
func (t *Transcript) SetInput(file string, data []byte) {
	t.Input = &FileRecord{File: file, SHA256: Hash(data)}
}

// SetSigned records what was signed.
func (t *Transcript) SetSigned(s *Signed) {
	t.Signed = append(t.Signed, s.Requests...)
}

// AddOutput records a file written.
func (t *Transcript) AddOutput(path string, o payload.Output) {
	t.Outputs = append(t.Outputs, FileRecord{File: path, SHA256: Hash(o.Data)})
}

// SetExport records that the key was shown; e.XPrv is not kept.
func (t *Transcript) SetExport(e *Export) {
	t.Export = &ExportRecord{As: "xprv", Network: e.Network, XPub: e.XPub, Fingerprint: e.Fingerprint}
}

// Finish records the end: err nil is success.
func (t *Transcript) Finish(err error) {
	t.Finished = time.Now().UTC().Truncate(time.Second)
	t.Result = "ok"
	if err != nil {
		t.Result = err.Error()
	}
}

// Marshal is the transcript as indented JSON.
func (t *Transcript) Marshal() []byte {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}
