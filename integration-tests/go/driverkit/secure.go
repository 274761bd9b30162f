// secure-roundtrip: a client over a secured listener, for ../../security-matrix.test.ts.
// Every Go driver that joins the security matrix (franzdriver, saramadriver) takes this
// contract, through SecureRoundTrip:
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
// hung up, e.g. on a client that skipped SASL; CERTIFICATE_UNTRUSTED: the broker's
// certificate is not signed by that CA; TIMEOUT).
package driverkit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/kerr"
)

// SASL is the SASL part of the contract; Mechanism is one of the three it names.
type SASL struct {
	Mechanism, User, Password string
}

// Security is the environment of the contract as client settings.
type Security struct {
	// TLS is nil without TLS; it trusts the CA of SSL_CA_LOCATION only.
	TLS *tls.Config
	// SASL is nil without SASL.
	SASL *SASL
}

// SecurityFromEnv reads the contract's environment variables.
func SecurityFromEnv() (Security, error) {
	var s Security
	protocol := os.Getenv("SECURITY_PROTOCOL")
	switch protocol {
	case "", "PLAINTEXT", "SASL_PLAINTEXT":
	case "SSL", "SASL_SSL":
		pem, err := os.ReadFile(os.Getenv("SSL_CA_LOCATION"))
		if err != nil {
			return s, fmt.Errorf("SSL_CA_LOCATION: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return s, fmt.Errorf("SSL_CA_LOCATION holds no PEM certificate")
		}
		s.TLS = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	default:
		return s, fmt.Errorf("unknown SECURITY_PROTOCOL %q", protocol)
	}
	if protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL" {
		m := os.Getenv("SASL_MECHANISM")
		switch m {
		case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		default:
			return s, fmt.Errorf("unknown SASL_MECHANISM %q", m)
		}
		s.SASL = &SASL{m, os.Getenv("SASL_USERNAME"), os.Getenv("SASL_PASSWORD")}
	}
	return s, nil
}

// secureResult is what secure-roundtrip prints: values, or the refusal.
type secureResult struct {
	Values  []string `json:"values,omitempty"`
	Error   string   `json:"error,omitempty"`
	Message string   `json:"message,omitempty"`
}

// KafkaErrorName is the Kafka name of an error code (franz-go's table, which sarama,
// knowing codes by their descriptions only, lacks): UNKNOWN_SERVER_ERROR for a code the
// table does not know, "" for 0.
func KafkaErrorName(code int16) string {
	var e *kerr.Error
	if errors.As(kerr.ErrorForCode(code), &e) {
		return e.Message
	}
	return ""
}

// SecureSteps is a driver's round trip of the contract with the given settings: the
// values read back, or the error of the step that failed.
type SecureSteps func(ctx context.Context, bootstrap, topic, group string, s Security) ([]string, error)

// SecureRoundTrip is the secure-roundtrip scenario of a driver: steps with the settings
// of the environment, a failed step reported as a refusal whose KIND is kind(err) when
// not "", else one of the driver-independent kinds of the contract (or OTHER).
func SecureRoundTrip(steps SecureSteps, kind func(error) string) Scenario {
	return func(ctx context.Context, bootstrap, topic string, args []string) (any, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("usage: secure-roundtrip BOOTSTRAP TOPIC GROUP")
		}
		s, err := SecurityFromEnv()
		if err != nil {
			return nil, err
		}
		values, err := steps(ctx, bootstrap, topic, args[0], s)
		if err == nil {
			return secureResult{Values: values}, nil
		}
		k := kind(err)
		if k == "" {
			k = commonKind(err)
		}
		return secureResult{Error: k, Message: err.Error()}, nil
	}
}

// commonKind names what any Go client may see: Go's own TLS and context errors.
func commonKind(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &verify):
		return "CERTIFICATE_UNTRUSTED"
	case errors.Is(err, context.DeadlineExceeded):
		return "TIMEOUT"
	}
	return "OTHER"
}
