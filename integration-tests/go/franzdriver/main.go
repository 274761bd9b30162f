// Command franzdriver is the interop matrix driver for franz-go (kgo and kadm).
//
// Usage: franzdriver SCENARIO BOOTSTRAP TOPIC [ARG]
//
// It runs one scenario of integration-tests/interop/scenarios.ts (the plan is described
// there) and prints one JSON line {"event":"result","result":...} for the test to check;
// "version" prints the library versions it was built with. A failed or timed-out step
// exits non-zero with a message on stderr. secure-roundtrip (secure.go, for
// security-matrix.test.ts) takes its security settings from the environment.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// timeout bounds each scenario, as the Python drivers' 30 s per wait do.
const timeout = 60 * time.Second

// src is the value of the "src" header in keyed-headers.
const src = "franz-go"

type scenario func(ctx context.Context, bootstrap, topic string, args []string) (any, error)

var scenarios = map[string]scenario{
	"metadata":                metadata,
	"topic-admin":             topicAdmin,
	"keyed-headers":           keyedHeaders,
	"codec-gzip":              codec,
	"codec-snappy":            codec,
	"codec-lz4":               codec,
	"codec-zstd":              codec,
	"group":                   group,
	"offsets-by-time":         offsetsByTime,
	"idempotent":              idempotent,
	"transactions":            transactions,
	"large-record":            largeRecord,
	"compacted":               compacted,
	"group-consumer-protocol": groupConsumerProtocol,
	"share-group":             shareGroup,
	"share-record-limit":      shareRecordLimit,
	"secure-roundtrip":        secureRoundTrip,
}

func printResult(v any) error {
	line, err := json.Marshal(map[string]any{"event": "result", "result": v})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(os.Stdout, "%s\n", line)
	return err
}

// version reports the module versions compiled into this binary.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "franz-go (no build info)"
	}
	mods := map[string]string{}
	for _, d := range info.Deps {
		mods[d.Path] = d.Version
	}
	return fmt.Sprintf("franz-go %s (kadm %s, kmsg %s), %s",
		mods["github.com/twmb/franz-go"], mods["github.com/twmb/franz-go/pkg/kadm"],
		mods["github.com/twmb/franz-go/pkg/kmsg"], runtime.Version())
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: franzdriver SCENARIO BOOTSTRAP TOPIC [ARG]")
	}
	name := os.Args[1]
	if name == "version" {
		return printResult(version())
	}
	s, ok := scenarios[name]
	if !ok || len(os.Args) < 4 {
		return fmt.Errorf("unknown scenario or missing arguments: %s", strings.Join(os.Args[1:], " "))
	}
	args := os.Args[4:]
	if strings.HasPrefix(name, "codec-") {
		args = append([]string{strings.TrimPrefix(name, "codec-")}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := s(ctx, os.Args[2], os.Args[3], args)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return printResult(out)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
