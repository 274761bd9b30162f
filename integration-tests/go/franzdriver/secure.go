// secure-roundtrip: a client over a secured listener, for ../../security-matrix.test.ts.
// Every Go driver that joins the security matrix (franzdriver, saramadriver) takes the
// same contract:
//
//	DRIVER secure-roundtrip BOOTSTRAP TOPIC GROUP
//	SECURITY_PROTOCOL  PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL
//	SSL_CA_LOCATION    PEM file of the CA to trust (SSL and SASL_SSL)
//	SASL_MECHANISM     PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (SASL_*)
//	SASL_USERNAME, SASL_PASSWORD
//
// (the upper-case names are environment variables). It creates TOPIC with one partition
// (one that exists is fine), produces v0, v1, v2 to it and reads them back from the start
// as a member of GROUP, then prints {"values": [...]}. A step the broker refuses is a
// result too, not a failure: {"error": KIND, "message": ...}, KIND being the Kafka error
// name the broker answered (SASL_AUTHENTICATION_FAILED, TOPIC_AUTHORIZATION_FAILED, ...),
// or the driver's name for what the client saw instead (CONNECTION_CLOSED: the broker
// hung up, e.g. on a client that skipped SASL; TIMEOUT).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// secureResult is what secure-roundtrip prints: values, or the refusal.
type secureResult struct {
	Values  []string `json:"values,omitempty"`
	Error   string   `json:"error,omitempty"`
	Message string   `json:"message,omitempty"`
}

// securityOpts turns the environment of the contract into client options.
func securityOpts() ([]kgo.Opt, error) {
	protocol := os.Getenv("SECURITY_PROTOCOL")
	opts := []kgo.Opt{}
	switch protocol {
	case "", "PLAINTEXT", "SASL_PLAINTEXT":
	case "SSL", "SASL_SSL":
		pem, err := os.ReadFile(os.Getenv("SSL_CA_LOCATION"))
		if err != nil {
			return nil, fmt.Errorf("SSL_CA_LOCATION: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("SSL_CA_LOCATION holds no PEM certificate")
		}
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}))
	default:
		return nil, fmt.Errorf("unknown SECURITY_PROTOCOL %q", protocol)
	}
	if protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL" {
		m, err := saslMechanism(os.Getenv("SASL_MECHANISM"), os.Getenv("SASL_USERNAME"), os.Getenv("SASL_PASSWORD"))
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	// A refusal is final: a few quick retries, not the default minute of them.
	return append(opts, kgo.RetryTimeout(10*time.Second)), nil
}

func saslMechanism(name, user, password string) (sasl.Mechanism, error) {
	switch name {
	case "PLAIN":
		return plain.Auth{User: user, Pass: password}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: password}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("unknown SASL_MECHANISM %q", name)
}

// refusal names what a failed step saw, as the contract above lists.
func refusal(err error) secureResult {
	kind := "OTHER"
	var kafkaErr *kerr.Error
	var firstRead *kgo.ErrFirstReadEOF
	switch {
	case errors.As(err, &kafkaErr):
		kind = kafkaErr.Message
	case errors.As(err, &firstRead):
		kind = "CONNECTION_CLOSED"
	case errors.Is(err, context.DeadlineExceeded):
		kind = "TIMEOUT"
	}
	return secureResult{Error: kind, Message: err.Error()}
}

func secureRoundTrip(ctx context.Context, bootstrap, topic string, args []string) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("usage: secure-roundtrip BOOTSTRAP TOPIC GROUP")
	}
	opts, err := securityOpts()
	if err != nil {
		return nil, err
	}
	values, err := secureSteps(ctx, bootstrap, topic, args[0], opts)
	if err != nil {
		return refusal(err), nil
	}
	return secureResult{Values: values}, nil
}

func secureSteps(ctx context.Context, bootstrap, topic, group string, opts []kgo.Opt) ([]string, error) {
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
