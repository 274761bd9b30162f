package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"

	"logbook.local/interop/driverkit"
)

// applySecurity sets c up from the environment of the secure-roundtrip contract
// (../driverkit/secure.go), for every command of the driver.
func applySecurity(c *sarama.Config) error {
	s, err := driverkit.SecurityFromEnv()
	if err != nil {
		return err
	}
	if s.TLS != nil {
		c.Net.TLS.Enable = true
		c.Net.TLS.Config = s.TLS
	}
	if s.SASL != nil {
		c.Net.SASL.Enable = true
		c.Net.SASL.User = s.SASL.User
		c.Net.SASL.Password = s.SASL.Password
		switch s.SASL.Mechanism {
		case "PLAIN":
			c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		case "SCRAM-SHA-256":
			c.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
			c.Net.SASL.SCRAMClientGeneratorFunc = scramClient(scram.HashGeneratorFcn(sha256.New))
		case "SCRAM-SHA-512":
			c.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
			c.Net.SASL.SCRAMClientGeneratorFunc = scramClient(scram.HashGeneratorFcn(sha512.New))
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

var secureRoundTrip = driverkit.SecureRoundTrip(secureSteps, refusalKind)

// secureSteps is the contract's round trip, the settings already in config() (from the
// same environment): the admin creates the topic, a SyncProducer writes it, a
// ConsumerGroup member reads it back.
func secureSteps(ctx context.Context, bootstrap, topic, groupID string, _ driverkit.Security) ([]string, error) {
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
	if err := produce(bootstrap, nil, valueMessages(topic, []string{"v0", "v1", "v2"})...); err != nil {
		return nil, err
	}
	s := newGroupState()
	phase := "read"
	m, err := join(ctx, bootstrap, groupID, memberHandler{"m", topic, s, &phase})
	if err != nil {
		return nil, err
	}
	defer m.close()
	if err := s.waitFor(ctx, "3 records", func() bool { return s.count(phase) >= 3 }); err != nil {
		return nil, err
	}
	if err := m.close(); err != nil {
		return nil, err
	}
	return s.values(phase), nil
}

// refusalKind names what sarama reports (../driverkit/secure.go lists the kinds): the
// Kafka name of a broker's error code, CONNECTION_CLOSED when the broker hung up.
func refusalKind(err error) string {
	if code, ok := kafkaCode(err); ok {
		return driverkit.KafkaErrorName(int16(code))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		return "CONNECTION_CLOSED"
	}
	return ""
}

// kafkaCode finds a broker's error code in err. errors.As misses one that sarama.Wrap
// holds as its sentinel (the SASL exchange's refusal), which only errors.Is sees.
func kafkaCode(err error) (sarama.KError, bool) {
	var code sarama.KError
	if errors.As(err, &code) {
		return code, true
	}
	for code := range sarama.KError(200) {
		if code != sarama.ErrNoError && errors.Is(err, code) {
			return code, true
		}
	}
	return 0, false
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
