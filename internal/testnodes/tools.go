// Package testnodes starts real local blockchain nodes for tests: btcd in
// regtest and geth in --dev mode, from the binaries that
// scripts/install-nodes.sh builds into .tools/bin.
package testnodes

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// ToolsDir is where the node binaries live: $COLDTSS_TOOLS, or .tools/bin
// at the repository root.
func ToolsDir() string {
	if d := os.Getenv("COLDTSS_TOOLS"); d != "" {
		return d
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Join(root, ".tools", "bin")
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if gomod := strings.TrimSpace(string(out)); err == nil && gomod != "" && gomod != os.DevNull {
		return filepath.Join(filepath.Dir(gomod), ".tools", "bin")
	}
	return filepath.Join(".tools", "bin")
}

// binary returns the path of a node binary, failing the test when it is
// missing (never skipping: CI installs the nodes).
func binary(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(ToolsDir(), name)
	if runtime.GOOS == "windows" {
		p += ".exe"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not found at %s: run `bash scripts/install-nodes.sh` (or set COLDTSS_TOOLS)", name, p)
	}
	return p
}
