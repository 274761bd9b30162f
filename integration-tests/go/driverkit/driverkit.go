// Package driverkit is what the interop matrix's Go drivers (franzdriver, saramadriver)
// share: the command line (SCENARIO BOOTSTRAP TOPIC [ARG]...), the one JSON result line
// the tests read, and records in the shape integration-tests/interop/scenarios.ts checks.
package driverkit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

// Timeout bounds each scenario, as the Python drivers' 30 s per wait do.
const Timeout = 60 * time.Second

// Scenario runs one scenario of scenarios.ts on topic; its result is printed as JSON.
type Scenario func(ctx context.Context, bootstrap, topic string, args []string) (any, error)

// ClientRecord is a record as scenarios.ts checks it: null for a null key or value.
type ClientRecord struct {
	Partition int32             `json:"partition"`
	Offset    int64             `json:"offset"`
	Key       *string           `json:"key"`
	Value     *string           `json:"value"`
	Headers   map[string]string `json:"headers"`
}

// Text is nil for a null key or value (both clients decode null as a nil slice).
func Text(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// PrintResult prints the line the tests look for: {"event":"result","result":v}.
func PrintResult(v any) error {
	line, err := json.Marshal(map[string]any{"event": "result", "result": v})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(os.Stdout, "%s\n", line)
	return err
}

// ModuleVersions maps each module compiled into this binary to its version.
func ModuleVersions() map[string]string {
	mods := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			mods[d.Path] = d.Version
		}
	}
	return mods
}

// Main runs the scenario os.Args names ("version" prints version()) and exits non-zero
// with the error on stderr when it fails. A codec-X scenario gets X as its first arg.
func Main(name string, scenarios map[string]Scenario, version func() string) {
	if err := run(name, scenarios, version); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(name string, scenarios map[string]Scenario, version func() string) error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: %s SCENARIO BOOTSTRAP TOPIC [ARG]", name)
	}
	id := os.Args[1]
	if id == "version" {
		return PrintResult(version())
	}
	s, ok := scenarios[id]
	if !ok || len(os.Args) < 4 {
		return fmt.Errorf("unknown scenario or missing arguments: %s", strings.Join(os.Args[1:], " "))
	}
	args := os.Args[4:]
	if codec, ok := strings.CutPrefix(id, "codec-"); ok {
		args = append([]string{codec}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	out, err := s(ctx, os.Args[2], os.Args[3], args)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	return PrintResult(out)
}
