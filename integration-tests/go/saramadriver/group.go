package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

const groupPartitions = 4

// groupState is what the members' handlers (on sarama's goroutines, hence the lock)
// report: the partitions each holds, the values each phase read, and the first error.
type groupState struct {
	mu    sync.Mutex
	held  map[string][]int32
	reads map[string][]string // phase -> "<member>:<partition>:<value>"
	// sessions counts each member's sessions (one per rebalance it took part in).
	sessions map[string]int
	err      error
}

func newGroupState() *groupState {
	return &groupState{held: map[string][]int32{}, reads: map[string][]string{}, sessions: map[string]int{}}
}

func (s *groupState) with(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *groupState) fail(err error) {
	s.with(func() {
		if s.err == nil {
			s.err = err
		}
	})
}

// split holds once a and b each hold partitions, together all, none twice.
func (s *groupState) split() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, b := s.held["a"], s.held["b"]
	all := map[int32]bool{}
	for _, p := range append(slices.Clone(a), b...) {
		all[p] = true
	}
	return len(a) > 0 && len(b) > 0 && len(all) == groupPartitions && len(a)+len(b) == groupPartitions
}

func (s *groupState) count(phase string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reads[phase])
}

// values are the values read in phase, in the order read.
func (s *groupState) values(phase string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.valuesLocked(phase)
}

func (s *groupState) valuesLocked(phase string) []string {
	out := []string{}
	for _, r := range s.reads[phase] {
		out = append(out, strings.SplitN(r, ":", 3)[2])
	}
	return out
}

// waitFor polls cond until it holds, a member fails, or ctx ends.
func (s *groupState) waitFor(ctx context.Context, what string, cond func() bool) error {
	for !cond() {
		s.mu.Lock()
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// memberHandler is one member's sarama.ConsumerGroupHandler: it records what its member
// holds per session and each record it reads in the current phase, committing each
// record before taking the next.
type memberHandler struct {
	name  string
	topic string
	state *groupState
	phase *string // shared by all members; read under state.mu
}

func (h memberHandler) Setup(sess sarama.ConsumerGroupSession) error {
	claims := slices.Clone(sess.Claims()[h.topic])
	slices.Sort(claims)
	h.state.with(func() {
		h.state.held[h.name] = claims
		h.state.sessions[h.name]++
	})
	return nil
}

func (h memberHandler) Cleanup(sarama.ConsumerGroupSession) error {
	h.state.with(func() { delete(h.state.held, h.name) })
	return nil
}

func (h memberHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			h.state.with(func() {
				phase := *h.phase
				h.state.reads[phase] = append(h.state.reads[phase], fmt.Sprintf("%s:%d:%s", h.name, m.Partition, m.Value))
			})
			sess.MarkMessage(m, "")
			sess.Commit()
		case <-sess.Context().Done():
			return nil
		}
	}
}

// groupMember is a running member: Consume in a loop (each call is one session, ended
// by a rebalance) until closed.
type groupMember struct {
	cancel context.CancelFunc
	done   chan struct{}
	group  sarama.ConsumerGroup
}

// close leaves the group (sarama commits what was marked and sends LeaveGroup).
func (m *groupMember) close() error {
	m.cancel()
	<-m.done
	return m.group.Close()
}

func join(ctx context.Context, bootstrap, groupID string, h memberHandler) (*groupMember, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	cfg.Consumer.Offsets.AutoCommit.Enable = false // each record is committed by hand
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	g, err := sarama.NewConsumerGroup([]string{bootstrap}, groupID, cfg)
	if err != nil {
		return nil, err
	}
	go func() {
		for e := range g.Errors() {
			h.state.fail(fmt.Errorf("member %s: %w", h.name, e))
		}
	}()
	cctx, cancel := context.WithCancel(ctx)
	m := &groupMember{cancel, make(chan struct{}), g}
	go func() {
		defer close(m.done)
		for cctx.Err() == nil {
			if err := g.Consume(cctx, []string{h.topic}, h); err != nil {
				h.state.fail(fmt.Errorf("member %s: %w", h.name, err))
				return
			}
		}
	}()
	return m, nil
}

// group is the plan of scenarios.ts's classic group scenario (sarama's default range
// assignor, eager rebalances), in group "g".
func group(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := newProducer(bootstrap, nil)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	produceRound := func(prefix string, n int) error {
		msgs := []*sarama.ProducerMessage{}
		for part := range int32(groupPartitions) {
			for i := range n {
				msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: part,
					Value: sarama.StringEncoder(fmt.Sprintf("%s-%d-%d", prefix, part, i))})
			}
		}
		return p.SendMessages(msgs)
	}
	phase := "first"
	s := newGroupState()
	member := func(name string) (*groupMember, error) {
		return join(ctx, bootstrap, "g", memberHandler{name, topic, s, &phase})
	}
	setPhase := func(p string) { s.with(func() { phase = p }) }
	reached := func(p string, n int) func() bool { return func() bool { return s.count(p) >= n } }

	if err := produceRound("one", 5); err != nil {
		return nil, err
	}
	a, err := member("a")
	if err != nil {
		return nil, err
	}
	defer a.close()
	if err := s.waitFor(ctx, "a to read 20", reached("first", 20)); err != nil {
		return nil, err
	}
	setPhase("second")
	b, err := member("b")
	if err != nil {
		return nil, err
	}
	defer b.close()
	if err := s.waitFor(ctx, "a and b to split the partitions", s.split); err != nil {
		return nil, err
	}
	var assignments map[string][]int32
	var sessions int
	s.with(func() {
		assignments = map[string][]int32{"a": s.held["a"], "b": s.held["b"]}
		sessions = s.sessions["a"] + s.sessions["b"]
	})
	if err := produceRound("two", 5); err != nil {
		return nil, err
	}
	if err := s.waitFor(ctx, "20 more", reached("second", 20)); err != nil {
		return nil, err
	}
	for _, m := range []*groupMember{a, b} {
		if err := m.close(); err != nil {
			return nil, err
		}
	}
	setPhase("resumed")
	if err := produceRound("three", 1); err != nil {
		return nil, err
	}
	c, err := member("c")
	if err != nil {
		return nil, err
	}
	defer c.close()
	if err := s.waitFor(ctx, "c to read 4", reached("resumed", groupPartitions)); err != nil {
		return nil, err
	}
	if err := c.close(); err != nil {
		return nil, err
	}
	var result map[string]any
	s.with(func() {
		result = map[string]any{
			"assignments": assignments, "firstPhase": s.valuesLocked("first"), "secondPhase": s.reads["second"],
			"resumed": s.valuesLocked("resumed"),
			// A session of a or b begun after the split: the partitions moved again.
			"rebalancedAgain": s.sessions["a"]+s.sessions["b"] != sessions,
		}
	})
	return result, nil
}
