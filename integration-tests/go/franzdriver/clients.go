package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"logbook.local/interop/driverkit"
)

// clientRecord is a record as scenarios.ts checks it.
type clientRecord = driverkit.ClientRecord

func toClientRecord(r *kgo.Record) clientRecord {
	h := map[string]string{}
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	return clientRecord{Partition: r.Partition, Offset: r.Offset, Key: driverkit.Text(r.Key), Value: driverkit.Text(r.Value), Headers: h}
}

func newClient(bootstrap string, opts ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap)}, opts...)...)
}

// producer sends records to the partition each record names (scenarios pick it).
func producer(bootstrap string, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(5 * time.Millisecond)}
	return newClient(bootstrap, append(base, opts...)...)
}

func produceSync(ctx context.Context, cl *kgo.Client, recs ...*kgo.Record) error {
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

// groupConsumer is a member of `group` reading `topic` from the start, committing by hand;
// rebalances wait while a poll's records are handled (AllowRebalance after each poll).
func groupConsumer(bootstrap, group, topic string, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(6 * time.Second),
		kgo.HeartbeatInterval(500 * time.Millisecond),
		kgo.FetchMaxWait(250 * time.Millisecond),
	}
	return newClient(bootstrap, append(base, opts...)...)
}

type member struct {
	name string
	cl   *kgo.Client
}

// pollUntil polls every member in turn until done() holds, handing each record to
// onRecord; a fetch error fails it. Each poll waits at most 100 ms so members alternate.
func pollUntil(ctx context.Context, members []member, done func() bool, what string,
	onRecord func(m member, r *kgo.Record) error) error {
	for !done() {
		if ctx.Err() != nil {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		for _, m := range members {
			pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			fetches := m.cl.PollFetches(pctx)
			cancel()
			var ferr error
			fetches.EachError(func(t string, p int32, err error) {
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
					ferr = fmt.Errorf("fetch %s[%d]: %w", t, p, err)
				}
			})
			if ferr == nil {
				for _, r := range fetches.Records() {
					if ferr = onRecord(m, r); ferr != nil {
						break
					}
				}
			}
			m.cl.AllowRebalance()
			if ferr != nil {
				return ferr
			}
		}
	}
	return nil
}

// read consumes `count` records of `topic` with a fresh group and returns them.
func read(ctx context.Context, bootstrap, topic string, count int, opts ...kgo.Opt) ([]clientRecord, error) {
	group := fmt.Sprintf("read-%s-%d", topic, time.Now().UnixNano())
	cl, err := groupConsumer(bootstrap, group, topic, opts...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	got := []clientRecord{}
	err = pollUntil(ctx, []member{{"r", cl}}, func() bool { return len(got) >= count },
		fmt.Sprintf("%d records", count), func(_ member, r *kgo.Record) error {
			got = append(got, toClientRecord(r))
			return nil
		})
	return got, err
}
