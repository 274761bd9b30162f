package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// applySecurity sets c up from LB_SECURITY_PROTOCOL (PLAINTEXT, the default, SSL,
// SASL_PLAINTEXT or SASL_SSL), LB_SASL_MECHANISM (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512),
// LB_SASL_USERNAME, LB_SASL_PASSWORD and LB_SSL_CA_FILE (PEM; unset: the system's roots).
func applySecurity(c *sarama.Config) error {
	protocol := os.Getenv("LB_SECURITY_PROTOCOL")
	useTLS, useSASL := false, false
	switch protocol {
	case "", "PLAINTEXT":
	case "SSL":
		useTLS = true
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		useTLS, useSASL = true, true
	default:
		return fmt.Errorf("unknown LB_SECURITY_PROTOCOL %q", protocol)
	}
	if useTLS {
		t := &tls.Config{MinVersion: tls.VersionTLS12}
		if path := os.Getenv("LB_SSL_CA_FILE"); path != "" {
			pem, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			t.RootCAs = x509.NewCertPool()
			if !t.RootCAs.AppendCertsFromPEM(pem) {
				return fmt.Errorf("no certificate in %s", path)
			}
		}
		c.Net.TLS.Enable = true
		c.Net.TLS.Config = t
	}
	if useSASL {
		c.Net.SASL.Enable = true
		c.Net.SASL.User = os.Getenv("LB_SASL_USERNAME")
		c.Net.SASL.Password = os.Getenv("LB_SASL_PASSWORD")
		switch m := os.Getenv("LB_SASL_MECHANISM"); m {
		case "", "PLAIN":
			c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		case "SCRAM-SHA-256":
			c.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
			c.Net.SASL.SCRAMClientGeneratorFunc = scramClient(scram.HashGeneratorFcn(sha256.New))
		case "SCRAM-SHA-512":
			c.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
			c.Net.SASL.SCRAMClientGeneratorFunc = scramClient(scram.HashGeneratorFcn(sha512.New))
		default:
			return fmt.Errorf("unknown LB_SASL_MECHANISM %q", m)
		}
	}
	return nil
}

// scramConversation adapts xdg-go/scram to sarama.SCRAMClient (sarama leaves the SCRAM
// computation to the application).
type scramConversation struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func scramClient(hash scram.HashGeneratorFcn) func() sarama.SCRAMClient {
	return func() sarama.SCRAMClient { return &scramConversation{hash: hash} }
}

func (s *scramConversation) Begin(user, password, authzID string) error {
	cl, err := s.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	s.conv = cl.NewConversation()
	return nil
}

func (s *scramConversation) Step(challenge string) (string, error) {
	return s.conv.Step(challenge)
}

func (s *scramConversation) Done() bool { return s.conv.Done() }

// secureRoundtrip creates topic (one partition; an existing one is used as it is),
// produces "secure-0".."secure-2" and reads them back, all over the connection the
// environment describes; it returns what it read.
func secureRoundtrip(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	adm, err := sarama.NewClusterAdmin([]string{bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	err = adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, false)
	adm.Close()
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return nil, fmt.Errorf("create %s: %w", topic, err)
	}
	values := []string{"secure-0", "secure-1", "secure-2"}
	if err := produce(bootstrap, nil, valueMessages(topic, values)...); err != nil {
		return nil, err
	}
	return read(ctx, bootstrap, topic, len(values), nil)
}

// upsertScramUser gives user (in the topic argument's place) the password args[0] for
// SCRAM-SHA-256 and SCRAM-SHA-512 through sarama's admin client
// (AlterUserScramCredentials), so that a test can set up SCRAM users without another tool.
func upsertScramUser(_ context.Context, bootstrap, user string, args []string) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("usage: upsert-scram-user BOOTSTRAP USER PASSWORD")
	}
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	adm, err := sarama.NewClusterAdmin([]string{bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	// One call per mechanism: a request altering one user twice is refused whole, as Kafka
	// does (DUPLICATE_RESOURCE).
	for _, m := range []sarama.ScramMechanismType{sarama.SCRAM_MECHANISM_SHA_256, sarama.SCRAM_MECHANISM_SHA_512} {
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return nil, err
		}
		results, err := adm.UpsertUserScramCredentials([]sarama.AlterUserScramCredentialsUpsert{{
			Name: user, Mechanism: m, Iterations: 4096, Salt: salt, Password: []byte(args[0]),
		}})
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			if r.ErrorCode != sarama.ErrNoError {
				return nil, fmt.Errorf("%s (%s): %w", r.User, m, r.ErrorCode)
			}
		}
	}
	return user, nil
}
