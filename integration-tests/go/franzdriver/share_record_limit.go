package main

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// limitedRecords is how many records share-record-limit stores in its one batch.
const limitedRecords = 20

// shareRecordLimit is not a matrix scenario: integration-tests/share-groups.test.ts
// runs it on Logbook and Kafka. A share consumer in record-limit mode (KIP-1206,
// kgo.ShareMaxRecordsStrict) with at most 3 records per fetch reads a topic whose 20
// records are one stored batch: no poll may return more than 3, and each record comes
// once.
// recordLimitResult is what the test reads: how many records came, how many twice, and
// the largest number one poll returned.
type recordLimitResult struct {
	Distinct    int `json:"distinct"`
	ReadTwice   int `json:"readTwice"`
	LargestPoll int `json:"largestPoll"`
}

func shareRecordLimit(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	group := "share-" + topic
	adm, err := admin(bootstrap)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		return nil, err
	}
	if err := readFromStart(ctx, bootstrap, group); err != nil {
		return nil, err
	}
	p, err := producer(bootstrap)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	recs := []*kgo.Record{}
	for i := range limitedRecords {
		recs = append(recs, &kgo.Record{Topic: topic, Partition: 0, Value: fmt.Appendf(nil, "l-%d", i)})
	}
	// One ProduceSync of them all: buffered together, they go as one batch.
	if err := produceSync(ctx, p, recs...); err != nil {
		return nil, err
	}
	cl, err := newClient(bootstrap, kgo.ShareGroup(group), kgo.ConsumeTopics(topic),
		kgo.ShareMaxRecords(3), kgo.ShareMaxRecordsStrict())
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	seen := map[string]int{}
	largestPoll := 0
	for len(seen) < limitedRecords {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("timed out: %d of %d records", len(seen), limitedRecords)
		}
		fetches := cl.PollRecords(ctx, 0)
		if err := fetches.Err0(); err != nil && ctx.Err() == nil {
			return nil, err
		}
		records := fetches.Records()
		largestPoll = max(largestPoll, len(records))
		for _, r := range records {
			seen[string(r.Value)]++
			r.Ack(kgo.AckAccept)
		}
	}
	readTwice := 0
	for _, n := range seen {
		if n > 1 {
			readTwice++
		}
	}
	return recordLimitResult{Distinct: len(seen), ReadTwice: readTwice, LargestPoll: largestPoll}, nil
}

// readFromStart sets the share group's share.auto.offset.reset to earliest (a group
// config, resource type 32), so records produced before it first fetches are read.
func readFromStart(ctx context.Context, bootstrap, group string) error {
	cl, err := newClient(bootstrap)
	if err != nil {
		return err
	}
	defer cl.Close()
	cfg := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	cfg.Name = "share.auto.offset.reset"
	cfg.Value = kmsg.StringPtr("earliest")
	cfg.Op = kmsg.IncrementalAlterConfigOpSet
	res := kmsg.NewIncrementalAlterConfigsRequestResource()
	res.ResourceType = kmsg.ConfigResourceType(32)
	res.ResourceName = group
	res.Configs = append(res.Configs, cfg)
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	req.Resources = append(req.Resources, res)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	for _, r := range resp.Resources {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			return fmt.Errorf("group config of %s: %w", group, err)
		}
	}
	return nil
}
