package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	shareGroupID    = "sg"
	sharePartitions = 2
	shared          = 20
	shareQuiet      = 2 * time.Second
)

// shareRun is what the share-group scenario has seen and decided so far.
type shareRun struct {
	deliveries      []string
	released        bool
	releaseAccepted bool
}

func (s *shareRun) count(prefix string) int {
	n := 0
	for _, d := range s.deliveries {
		if _, v, _ := strings.Cut(d, ":"); strings.HasPrefix(v, prefix) {
			n++
		}
	}
	return n
}

func (s *shareRun) ackFor(value string) kgo.AckStatus {
	switch {
	case value == "reject-me":
		return kgo.AckReject
	case value == "release-me" && !s.released:
		s.released = true
		return kgo.AckRelease
	case value == "release-me":
		s.releaseAccepted = true
	}
	return kgo.AckAccept
}

// shareGroup is the share-group scenario of scenarios.ts: two share-group members that
// acknowledge each record explicitly.
func shareGroup(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := producer(bootstrap)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	recs := []*kgo.Record{}
	for i := range shared {
		recs = append(recs, &kgo.Record{Topic: topic, Partition: int32(i % sharePartitions), Value: fmt.Appendf(nil, "s-%d", i)})
	}
	if err := produceSync(ctx, p, recs...); err != nil {
		return nil, err
	}
	members := []member{}
	for _, name := range []string{"a", "b"} {
		cl, err := newClient(bootstrap, kgo.ShareGroup(shareGroupID), kgo.ConsumeTopics(topic))
		if err != nil {
			return nil, err
		}
		defer cl.Close()
		members = append(members, member{name, cl})
	}
	run := &shareRun{deliveries: []string{}}
	onRecord := func(m member, r *kgo.Record) error {
		run.deliveries = append(run.deliveries, fmt.Sprintf("%s:%s", m.name, r.Value))
		// Sent with the member's next ShareFetch (a flush per record would wait for one).
		r.Ack(run.ackFor(string(r.Value)))
		return nil
	}
	if err := pollUntil(ctx, members, func() bool { return run.count("s-") >= shared },
		fmt.Sprintf("%d records", shared), onRecord); err != nil {
		return nil, fmt.Errorf("%w; deliveries %v", err, run.deliveries)
	}
	for _, v := range []string{"release-me", "reject-me", "end"} {
		if err := produceSync(ctx, p, &kgo.Record{Topic: topic, Partition: 0, Value: []byte(v)}); err != nil {
			return nil, err
		}
	}
	if err := pollUntil(ctx, members, func() bool {
		return run.releaseAccepted && run.count("reject-me") > 0 && run.count("end") > 0
	}, "release-me again, reject-me and end", onRecord); err != nil {
		return nil, fmt.Errorf("%w; deliveries %v", err, run.deliveries)
	}
	quietUntil := time.Now().Add(shareQuiet)
	if err := pollUntil(ctx, members, func() bool { return time.Now().After(quietUntil) },
		"the quiet period", onRecord); err != nil {
		return nil, err
	}
	return map[string]any{"deliveries": run.deliveries, "explicit": true}, nil
}
