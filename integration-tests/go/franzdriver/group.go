package main

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

const groupPartitions = 4

// holdings tracks the partitions each member holds, as its group callbacks report them
// (they run on franz-go's goroutines, hence the lock).
type holdings struct {
	mu   sync.Mutex
	held map[string]map[int32]bool
}

func (h *holdings) update(name string, parts map[string][]int32, hold bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held[name] == nil {
		h.held[name] = map[int32]bool{}
	}
	for _, ps := range parts {
		for _, p := range ps {
			if hold {
				h.held[name][p] = true
			} else {
				delete(h.held[name], p)
			}
		}
	}
}

func (h *holdings) of(name string) []int32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []int32{}
	for p := range h.held[name] {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// split holds once a and b each hold partitions, together all, none twice.
func (h *holdings) split() bool {
	a, b := h.of("a"), h.of("b")
	all := map[int32]bool{}
	for _, p := range append(slices.Clone(a), b...) {
		all[p] = true
	}
	return len(a) > 0 && len(b) > 0 && len(all) == groupPartitions && len(a)+len(b) == groupPartitions
}

func group(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	return groupPlan(ctx, bootstrap, topic, "g")
}

// groupConsumerProtocol runs the group plan in a KIP-848 group: franz-go speaks it with
// ServerSideBalancer and its default cooperative-sticky balancer (the broker's "uniform"
// assignor). Where the broker lacks KIP-848 franz-go falls back to the classic protocol
// by itself, which the test catches by the group's type.
func groupConsumerProtocol(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	return groupPlan(ctx, bootstrap, topic, "gc", kgo.ServerSideBalancer())
}

// groupPlan is the plan of scenarios.ts's group scenarios, in group groupID, its members
// made with opts on top of groupConsumer's.
func groupPlan(ctx context.Context, bootstrap, topic, groupID string, opts ...kgo.Opt) (any, error) {
	p, err := producer(bootstrap)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	produce := func(prefix string, n int) error {
		recs := []*kgo.Record{}
		for part := range int32(groupPartitions) {
			for i := range n {
				recs = append(recs, &kgo.Record{Topic: topic, Partition: part, Value: fmt.Appendf(nil, "%s-%d-%d", prefix, part, i)})
			}
		}
		return produceSync(ctx, p, recs...)
	}

	h := &holdings{held: map[string]map[int32]bool{}}
	join := func(name string) (member, error) {
		cl, err := groupConsumer(bootstrap, groupID, topic, append([]kgo.Opt{
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { h.update(name, ps, true) }),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { h.update(name, ps, false) }),
			kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { h.update(name, ps, false) }),
		}, opts...)...)
		return member{name, cl}, err
	}
	commit := func(m member, r *kgo.Record) error { return m.cl.CommitRecords(ctx, r) }

	first, second, resumed := []string{}, []string{}, []string{}
	if err := produce("one", 5); err != nil {
		return nil, err
	}
	a, err := join("a")
	if err != nil {
		return nil, err
	}
	defer a.cl.CloseAllowingRebalance()
	if err := pollUntil(ctx, []member{a}, func() bool { return len(first) >= 20 }, "a to read 20",
		func(m member, r *kgo.Record) error { first = append(first, string(r.Value)); return commit(m, r) }); err != nil {
		return nil, err
	}
	b, err := join("b")
	if err != nil {
		return nil, err
	}
	defer b.cl.CloseAllowingRebalance()
	onSecond := func(m member, r *kgo.Record) error {
		second = append(second, fmt.Sprintf("%s:%d:%s", m.name, r.Partition, r.Value))
		return commit(m, r)
	}
	both := []member{a, b}
	if err := pollUntil(ctx, both, h.split, "a and b to split the partitions", onSecond); err != nil {
		return nil, err
	}
	assignments := map[string][]int32{"a": h.of("a"), "b": h.of("b")}
	if err := produce("two", 5); err != nil {
		return nil, err
	}
	if err := pollUntil(ctx, both, func() bool { return len(second) >= 20 }, "20 more", onSecond); err != nil {
		return nil, err
	}
	a.cl.CloseAllowingRebalance()
	b.cl.CloseAllowingRebalance()
	if err := produce("three", 1); err != nil {
		return nil, err
	}
	c, err := join("c")
	if err != nil {
		return nil, err
	}
	defer c.cl.CloseAllowingRebalance()
	if err := pollUntil(ctx, []member{c}, func() bool { return len(resumed) >= groupPartitions }, "c to read 4",
		func(m member, r *kgo.Record) error { resumed = append(resumed, string(r.Value)); return commit(m, r) }); err != nil {
		return nil, err
	}
	return map[string]any{
		"assignments": assignments, "firstPhase": first, "secondPhase": second, "resumed": resumed,
	}, nil
}
