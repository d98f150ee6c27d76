package cliutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestOneLine(t *testing.T) {
	if got := OneLine("a\n  b\tc \r\n"); got != "a b c" {
		t.Fatalf("OneLine: %q", got)
	}
}

func testApp() *cli.App {
	return &cli.App{
		Name:           "tool",
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{
			Name:  "fail",
			Flags: []cli.Flag{&cli.BoolFlag{Name: "usage"}},
			Action: func(c *cli.Context) error {
				if c.Bool("usage") {
					return UsageError{Err: errors.New("bad flag")}
				}
				return fmt.Errorf("%s", c.Args().First())
			},
		}},
	}
}

// Main runs in a child process: it exits.
func TestMain(m *testing.M) {
	if os.Getenv("CLIUTIL_MAIN") != "" {
		os.Args = append([]string{"tool"}, strings.Fields(os.Getenv("CLIUTIL_MAIN"))...)
		if a := os.Getenv("CLIUTIL_ARG"); a != "" {
			os.Args = append(os.Args, a)
		}
		Main(testApp())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runMain(t *testing.T, args, arg string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "CLIUTIL_MAIN="+args, "CLIUTIL_ARG="+arg)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	return string(out), code
}

func TestMainErrorsAreOneEscapedLine(t *testing.T) {
	out, code := runMain(t, "fail", "multi\nline \x1b[2J\u202eerror")
	if code != 1 || out != "tool: multi line \\x1b[2J\\u{202E}error\n" {
		t.Fatalf("exit %d, output %q", code, out)
	}
	out, code = runMain(t, "fail --usage", "")
	if code != 2 || !strings.HasPrefix(out, "tool: bad flag") {
		t.Fatalf("usage error: exit %d, output %q", code, out)
	}
	// Flags after arguments are still flags.
	out, code = runMain(t, "fail x --usage", "")
	if code != 2 {
		t.Fatalf("flag after an argument: exit %d, output %q", code, out)
	}
}
