package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

type brokerResult struct {
	ID   int32  `json:"id"`
	Host string `json:"host"`
	Port int32  `json:"port"`
}

type partitionResult struct {
	Partition int32 `json:"partition"`
	Leader    int32 `json:"leader"`
}

func admin(bootstrap string) (*kadm.Client, error) {
	cl, err := newClient(bootstrap)
	if err != nil {
		return nil, err
	}
	return kadm.NewClient(cl), nil
}

func metadata(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	adm, err := admin(bootstrap)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		return nil, err
	}
	t, ok := md.Topics[topic]
	if !ok || t.Err != nil {
		return nil, fmt.Errorf("topic %s not in metadata: %v", topic, t.Err)
	}
	brokers := []brokerResult{}
	for _, b := range md.Brokers {
		brokers = append(brokers, brokerResult{b.NodeID, b.Host, b.Port})
	}
	partitions := []partitionResult{}
	for _, p := range t.Partitions.Sorted() {
		partitions = append(partitions, partitionResult{p.Partition, p.Leader})
	}
	return map[string]any{"brokers": brokers, "partitions": partitions}, nil
}

// listed reports whether `topic` is among all topics the broker lists, and its partition
// count. A new client asks each time: kadm answers from the client's metadata cache
// (kgo.MetadataMinAge, 5 s), which still holds a topic just deleted. It asks again for up
// to 5 s until the answer is `want`, because Kafka itself answers CreateTopics and
// DeleteTopics before its metadata shows the change (seen with Kafka 4.4.0).
func listed(ctx context.Context, bootstrap, topic string, want bool) (bool, int, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		adm, err := admin(bootstrap)
		if err != nil {
			return false, 0, err
		}
		all, err := adm.ListTopics(ctx)
		adm.Close()
		if err != nil {
			return false, 0, err
		}
		t, ok := all[topic]
		if ok == want || time.Now().After(deadline) {
			return ok, len(t.Partitions), nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func topicAdmin(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	adm, err := admin(bootstrap)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	created, err := adm.CreateTopics(ctx, 3, 1, nil, topic)
	if err == nil {
		err = created.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	afterCreate, partitions, err := listed(ctx, bootstrap, topic, true)
	if err != nil {
		return nil, err
	}
	deleted, err := adm.DeleteTopics(ctx, topic)
	if err == nil {
		err = deleted.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	afterDelete, _, err := listed(ctx, bootstrap, topic, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"partitions":        partitions,
		"listedAfterCreate": afterCreate,
		"listedAfterDelete": afterDelete,
	}, nil
}
