// Command saramadriver is the interop matrix driver for sarama (github.com/IBM/sarama).
//
// Usage: saramadriver SCENARIO BOOTSTRAP TOPIC [ARG]
//
// It runs one scenario of integration-tests/interop/scenarios.ts (the plan is described
// there) and prints one JSON line {"event":"result","result":...} for the test to check;
// "version" prints the library versions it was built with, "config-fields" every option
// of sarama.Config (the probe of the scenarios sarama cannot do), and "secure-roundtrip"
// is sarama's row of the security matrix (security.go; the contract, whose environment
// variables every command takes, is in ../driverkit/secure.go). A failed or timed-out
// step exits non-zero with the client's error on stderr; a refusal of secure-roundtrip
// is a result.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/IBM/sarama"

	"logbook.local/interop/driverkit"
)

// src is the value of the "src" header in keyed-headers.
const src = "sarama"

var scenarios = map[string]driverkit.Scenario{
	"metadata":          metadata,
	"topic-admin":       topicAdmin,
	"keyed-headers":     keyedHeaders,
	"codec-gzip":        codec,
	"codec-snappy":      codec,
	"codec-lz4":         codec,
	"codec-zstd":        codec,
	"group":             group,
	"offsets-by-time":   offsetsByTime,
	"idempotent":        idempotent,
	"transactions":      transactions,
	"large-record":      largeRecord,
	"compacted":         compacted,
	"secure-roundtrip":  secureRoundTrip,
	"upsert-scram-user": upsertScramUser,
}

// version reports the module versions compiled into this binary.
func version() string {
	mods := driverkit.ModuleVersions()
	return fmt.Sprintf("sarama %s with its default protocol version %s (xdg-go/scram %s), %s",
		mods["github.com/IBM/sarama"], sarama.DefaultVersion, mods["github.com/xdg-go/scram"], runtime.Version())
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "config-fields" {
		if err := driverkit.PrintResult(configFields()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	driverkit.Main("saramadriver", scenarios, version)
}
