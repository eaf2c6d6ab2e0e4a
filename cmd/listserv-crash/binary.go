package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildServer builds ./cmd/listserv of this module into dir and returns the
// binary's path. It is built once per run; every node runs this binary.
func buildServer(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "listserv")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/listserv")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build ./cmd/listserv: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot is the directory holding go.mod, found from the working
// directory (the repository root under go run, the package under go test).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the listserv module (go env GOMOD is empty)")
	}
	return filepath.Dir(gomod), nil
}

// cli runs an operator command of the server binary against db.
func (e *env) cli(ctx context.Context, db string, args ...string) error {
	cmd := exec.CommandContext(ctx, e.bin, append(args, "--db", db, "--data", e.work)...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("listserv %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// cleanEnv is the harness's environment without LISTSERV_* variables, so
// nothing set for the harness (LISTSERV_TEST_POSTGRES, ...) reaches the
// server's own configuration.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LISTSERV_") {
			out = append(out, kv)
		}
	}
	return out
}
