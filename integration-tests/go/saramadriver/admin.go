package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/IBM/sarama"
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

func metadata(_ context.Context, bootstrap, topic string, _ []string) (any, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	cl, err := sarama.NewClient([]string{bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	if err := cl.RefreshMetadata(topic); err != nil {
		return nil, err
	}
	brokers := []brokerResult{}
	for _, b := range cl.Brokers() {
		host, port, err := net.SplitHostPort(b.Addr())
		if err != nil {
			return nil, err
		}
		p, err := strconv.ParseInt(port, 10, 32)
		if err != nil {
			return nil, err
		}
		brokers = append(brokers, brokerResult{b.ID(), host, int32(p)})
	}
	ids, err := cl.Partitions(topic)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	partitions := []partitionResult{}
	for _, p := range ids {
		leader, err := cl.Leader(topic, p)
		if err != nil {
			return nil, fmt.Errorf("leader of %s[%d]: %w", topic, p, err)
		}
		partitions = append(partitions, partitionResult{p, leader.ID()})
	}
	return map[string]any{"brokers": brokers, "partitions": partitions}, nil
}

// listed reports whether topic is among the topics the broker lists, and its partition
// count. It asks again for up to 5 s until the answer is want, because Kafka itself
// answers CreateTopics and DeleteTopics before its metadata shows the change (seen with
// Kafka 4.4.0; franzdriver does the same).
func listed(adm sarama.ClusterAdmin, topic string, want bool) (bool, int32, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		all, err := adm.ListTopics()
		if err != nil {
			return false, 0, err
		}
		t, ok := all[topic]
		if ok == want || time.Now().After(deadline) {
			return ok, t.NumPartitions, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func topicAdmin(_ context.Context, bootstrap, topic string, _ []string) (any, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	adm, err := sarama.NewClusterAdmin([]string{bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	if err := adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	afterCreate, partitions, err := listed(adm, topic, true)
	if err != nil {
		return nil, err
	}
	if err := adm.DeleteTopic(topic); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	afterDelete, _, err := listed(adm, topic, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"partitions":        partitions,
		"listedAfterCreate": afterCreate,
		"listedAfterDelete": afterDelete,
	}, nil
}
