package main

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// transactions: commit c-0..c-2, abort a-0..a-2 (delivered first, so the broker holds
// aborted data for read_committed to filter), commit c-end; read back read_committed.
func transactions(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := producer(bootstrap, kgo.TransactionalID("franz-tx"), kgo.TransactionTimeout(20*time.Second))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	txn := func(values []string, end kgo.TransactionEndTry) error {
		if err := p.BeginTransaction(); err != nil {
			return err
		}
		recs := []*kgo.Record{}
		for _, v := range values {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: 0, Value: []byte(v)})
		}
		if err := produceSync(ctx, p, recs...); err != nil {
			return err
		}
		return p.EndTransaction(ctx, end)
	}
	for _, t := range []struct {
		values []string
		end    kgo.TransactionEndTry
	}{
		{[]string{"c-0", "c-1", "c-2"}, kgo.TryCommit},
		{[]string{"a-0", "a-1", "a-2"}, kgo.TryAbort},
		{[]string{"c-end"}, kgo.TryCommit},
	} {
		if err := txn(t.values, t.end); err != nil {
			return nil, err
		}
	}
	c, err := groupConsumer(bootstrap, "txn-reader", topic, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return nil, err
	}
	defer c.CloseAllowingRebalance()
	values := []string{}
	done := func() bool { return len(values) > 0 && values[len(values)-1] == "c-end" }
	err = pollUntil(ctx, []member{{"c", c}}, done, "c-end", func(_ member, r *kgo.Record) error {
		values = append(values, string(r.Value))
		return nil
	})
	return values, err
}
