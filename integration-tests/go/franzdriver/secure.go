// secure-roundtrip (the contract is in ../driverkit/secure.go): franz-go over a secured
// listener, for ../../security-matrix.test.ts.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"logbook.local/interop/driverkit"
)

var secureRoundTrip = driverkit.SecureRoundTrip(secureSteps, refusalKind)

// securityOpts turns the contract's settings into client options.
func securityOpts(s driverkit.Security) []kgo.Opt {
	opts := []kgo.Opt{}
	if s.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(s.TLS))
	}
	if s.SASL != nil {
		opts = append(opts, kgo.SASL(saslMechanism(*s.SASL)))
	}
	// A refusal is final: a few quick retries, not the default minute of them.
	return append(opts, kgo.RetryTimeout(10*time.Second))
}

func saslMechanism(s driverkit.SASL) sasl.Mechanism {
	switch s.Mechanism {
	case "PLAIN":
		return plain.Auth{User: s.User, Pass: s.Password}.AsMechanism()
	case "SCRAM-SHA-256":
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha256Mechanism()
	}
	return scram.Auth{User: s.User, Pass: s.Password}.AsSha512Mechanism()
}

// refusalKind names what franz-go reports, as the contract lists.
func refusalKind(err error) string {
	var kafkaErr *kerr.Error
	var firstRead *kgo.ErrFirstReadEOF
	switch {
	case errors.As(err, &kafkaErr):
		return kafkaErr.Message
	case errors.As(err, &firstRead):
		return "CONNECTION_CLOSED"
	}
	return ""
}

func secureSteps(ctx context.Context, bootstrap, topic, group string, s driverkit.Security) ([]string, error) {
	opts := securityOpts(s)
	cl, err := producer(bootstrap, opts...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	created, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, nil, topic)
	if err == nil && !errors.Is(created.Err, kerr.TopicAlreadyExists) {
		err = created.Err
	}
	if err != nil {
		return nil, err
	}
	recs := []*kgo.Record{}
	for i := range 3 {
		recs = append(recs, &kgo.Record{Topic: topic, Partition: 0, Value: fmt.Appendf(nil, "v%d", i)})
	}
	if err := produceSync(ctx, cl, recs...); err != nil {
		return nil, err
	}
	c, err := groupConsumer(bootstrap, group, topic, opts...)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	values := []string{}
	err = pollUntil(ctx, []member{{"c", c}}, func() bool { return len(values) >= 3 }, "3 records",
		func(_ member, r *kgo.Record) error {
			values = append(values, string(r.Value))
			return nil
		})
	return values, err
}
