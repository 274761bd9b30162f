// Command franzdriver is the interop matrix driver for franz-go (kgo and kadm).
//
// Usage: franzdriver SCENARIO BOOTSTRAP TOPIC [ARG]
//
// It runs one scenario of integration-tests/interop/scenarios.ts (the plan is described
// there) and prints one JSON line {"event":"result","result":...} for the test to check;
// "version" prints the library versions it was built with. A failed or timed-out step
// exits non-zero with a message on stderr (driverkit.Main). secure-roundtrip (secure.go, for
// security-matrix.test.ts) takes its security settings from the environment.
package main

import (
	"fmt"
	"runtime"

	"logbook.local/interop/driverkit"
)

// src is the value of the "src" header in keyed-headers.
const src = "franz-go"

var scenarios = map[string]driverkit.Scenario{
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

// version reports the module versions compiled into this binary.
func version() string {
	mods := driverkit.ModuleVersions()
	return fmt.Sprintf("franz-go %s (kadm %s, kmsg %s), %s",
		mods["github.com/twmb/franz-go"], mods["github.com/twmb/franz-go/pkg/kadm"],
		mods["github.com/twmb/franz-go/pkg/kmsg"], runtime.Version())
}

func main() {
	driverkit.Main("franzdriver", scenarios, version)
}
