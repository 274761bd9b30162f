package main

import (
	"context"
	"time"

	"github.com/IBM/sarama"
)

// transactions: commit c-0..c-2, abort a-0..a-2 (sent first, so the broker holds aborted
// data for read_committed to filter), commit c-end; read back read_committed.
func transactions(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := newProducer(bootstrap, func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Net.MaxOpenRequests = 1
		c.Producer.Transaction.ID = "sarama-tx"
		c.Producer.Transaction.Timeout = 20 * time.Second
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	for _, t := range []struct {
		values []string
		commit bool
	}{
		{[]string{"c-0", "c-1", "c-2"}, true},
		{[]string{"a-0", "a-1", "a-2"}, false},
		{[]string{"c-end"}, true},
	} {
		if err := p.BeginTxn(); err != nil {
			return nil, err
		}
		if err := p.SendMessages(valueMessages(topic, t.values)); err != nil {
			return nil, err
		}
		end := p.AbortTxn
		if t.commit {
			end = p.CommitTxn
		}
		if err := end(); err != nil {
			return nil, err
		}
	}
	got, err := readUntil(ctx, bootstrap, topic,
		func(c *sarama.Config) { c.Consumer.IsolationLevel = sarama.ReadCommitted }, "c-end",
		func(got []clientRecord) bool { return len(got) > 0 && *got[len(got)-1].Value == "c-end" })
	values := []string{}
	for _, r := range got {
		values = append(values, *r.Value)
	}
	return values, err
}
