package postfix

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

var (
	//go:embed main.cf.base
	mainBase string
	//go:embed master.cf.base
	masterBase string
)

// The operators' example uses these literal values; the test instance
// replaces each of them, and fails when one is no longer in the example.
const (
	exampleConfDir = "/etc/postfix/"
	exampleLMTP    = "127.0.0.1:2424"
	exampleRelay   = "127.0.0.1:10025"
)

// writeConfig writes main.cf, master.cf and transport into p.Conf.
func (p *Instance) writeConfig(cfg Config) error {
	examples, err := ExampleDir()
	if err != nil {
		return err
	}
	if err := os.Mkdir(p.Conf, 0o755); err != nil {
		return fmt.Errorf("postfix config: %w", err)
	}
	_, sinkPort, ok := strings.Cut(cfg.Relay, ":")
	if !ok {
		return fmt.Errorf("postfix config: relay %q is not host:port", cfg.Relay)
	}
	base := strings.NewReplacer("@QUEUE@", filepath.Join(p.Dir, "queue"), "@DATA@", filepath.Join(p.Dir, "data"),
		"@DIR@", p.Dir, "@SINKPORT@", sinkPort, "@SMTPPORT@", port(p.SMTP))
	files := []struct {
		name, base string
		from, to   string
	}{
		{"main.cf", mainBase, exampleConfDir, p.Conf + "/"},
		{"master.cf", masterBase, exampleRelay, p.Reinject},
		{"transport", "", exampleLMTP, cfg.LMTP},
	}
	for _, f := range files {
		ex, err := os.ReadFile(filepath.Join(examples, f.name))
		if err != nil {
			return fmt.Errorf("postfix example: %w", err)
		}
		if !strings.Contains(string(ex), f.from) {
			return fmt.Errorf("postfix example %s no longer mentions %s; update internal/postfix", f.name, f.from)
		}
		text := base.Replace(f.base) + strings.ReplaceAll(string(ex), f.from, f.to)
		if err := os.WriteFile(filepath.Join(p.Conf, f.name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("postfix config: %w", err)
		}
	}
	return nil
}

// ExampleDir is examples/postfix in the module.
func ExampleDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("postfix example: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "examples", "postfix"), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("postfix example: go.mod not found above " + wd)
		}
	}
}

func port(addr string) string {
	_, p, _ := strings.Cut(addr, ":")
	return p
}
