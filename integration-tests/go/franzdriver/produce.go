package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

var keys = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}

const rounds = 5

func keyedHeaders(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	// The default partitioner: records with a key go to murmur2(key) % partitions.
	p, err := newClient(bootstrap, kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	for rnd := range rounds {
		recs := []*kgo.Record{}
		for _, k := range keys {
			recs = append(recs, &kgo.Record{
				Topic: topic, Key: []byte(k), Value: fmt.Appendf(nil, "%s-%d", k, rnd),
				Headers: []kgo.RecordHeader{
					{Key: "round", Value: []byte(strconv.Itoa(rnd))},
					{Key: "src", Value: []byte(src)},
				},
			})
		}
		if err := produceSync(ctx, p, recs...); err != nil {
			return nil, err
		}
	}
	return read(ctx, bootstrap, topic, len(keys)*rounds)
}

var codecs = map[string]kgo.CompressionCodec{
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

func codec(ctx context.Context, bootstrap, topic string, args []string) (any, error) {
	c, ok := codecs[args[0]]
	if !ok {
		return nil, fmt.Errorf("unknown codec %s", args[0])
	}
	p, err := producer(bootstrap, kgo.ProducerBatchCompression(c))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	recs := []*kgo.Record{}
	for i := range 20 {
		recs = append(recs, &kgo.Record{
			Topic: topic, Partition: 0, Key: fmt.Appendf(nil, "k%d", i%5),
			Value: fmt.Appendf(nil, "%s-%d-%s", args[0], i, strings.Repeat("x", 200)),
		})
	}
	if err := produceSync(ctx, p, recs...); err != nil {
		return nil, err
	}
	if len(args) > 1 && args[1] == "produce-only" {
		return nil, nil
	}
	return read(ctx, bootstrap, topic, 20)
}

func offsetsByTime(ctx context.Context, bootstrap, topic string, args []string) (any, error) {
	t0, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return nil, err
	}
	p, err := producer(bootstrap)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	recs := []*kgo.Record{}
	for i := range 10 {
		recs = append(recs, &kgo.Record{
			Topic: topic, Partition: 0, Value: fmt.Appendf(nil, "t-%d", i),
			Timestamp: time.UnixMilli(t0 + int64(i)*1000),
		})
	}
	if err := produceSync(ctx, p, recs...); err != nil {
		return nil, err
	}
	adm, err := admin(bootstrap)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	listed, err := adm.ListOffsetsAfterMilli(ctx, t0+4500, topic)
	if err != nil {
		return nil, err
	}
	found, ok := listed.Lookup(topic, 0)
	if !ok || found.Err != nil {
		return nil, fmt.Errorf("ListOffsets by time: %v", found.Err)
	}
	// Assigned from the start, then seek to the offset found once the first record is in.
	c, err := newClient(bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		topic: {0: kgo.NewOffset().At(0)},
	}))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	first := false
	if err := pollUntil(ctx, []member{{"c", c}}, func() bool { return first }, "the first record",
		func(member, *kgo.Record) error { first = true; return nil }); err != nil {
		return nil, err
	}
	c.SetOffsets(map[string]map[int32]kgo.EpochOffset{topic: {0: {Epoch: -1, Offset: found.Offset}}})
	values := []string{}
	last := func() bool { return len(values) > 0 && values[len(values)-1] == "t-9" }
	err = pollUntil(ctx, []member{{"c", c}}, last, "t-9", func(_ member, r *kgo.Record) error {
		values = append(values, string(r.Value))
		return nil
	})
	return map[string]any{"offset": found.Offset, "values": values}, err
}

// idempotent: franz-go's producer is idempotent unless told otherwise; no option needed.
func idempotent(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := producer(bootstrap)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	for half := 0; half < 10; half += 5 {
		recs := []*kgo.Record{}
		for i := range 5 {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: 0, Value: fmt.Appendf(nil, "i-%d", half+i)})
		}
		if err := produceSync(ctx, p, recs...); err != nil {
			return nil, err
		}
	}
	return read(ctx, bootstrap, topic, 10)
}

func largeRecord(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	big := strings.Repeat("0123456789abcdef", 1_000_000/16)
	p, err := producer(bootstrap, kgo.ProducerBatchMaxBytes(2_000_000))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	for _, v := range []string{big, "after"} {
		if err := produceSync(ctx, p, &kgo.Record{Topic: topic, Partition: 0, Value: []byte(v)}); err != nil {
			return nil, err
		}
	}
	got, err := read(ctx, bootstrap, topic, 2)
	if err != nil {
		return nil, err
	}
	sizes := []int{}
	for _, r := range got {
		sizes = append(sizes, len(*r.Value))
	}
	sum := sha256.Sum256([]byte(*got[0].Value))
	return map[string]any{"sizes": sizes, "sha256": hex.EncodeToString(sum[:])}, nil
}

func compacted(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := producer(bootstrap)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	pairs := [][2]*string{
		{ptr("k1"), ptr("v1")}, {ptr("k2"), ptr("v1")}, {ptr("k1"), ptr("v2")}, {ptr("k2"), nil}, {ptr("k3"), ptr("v1")},
	}
	recs := []*kgo.Record{}
	for _, kv := range pairs {
		r := &kgo.Record{Topic: topic, Partition: 0, Key: []byte(*kv[0])}
		if kv[1] != nil {
			r.Value = []byte(*kv[1]) // a nil Value is sent as null: a tombstone
		}
		recs = append(recs, r)
	}
	if err := produceSync(ctx, p, recs...); err != nil {
		return nil, err
	}
	return read(ctx, bootstrap, topic, len(pairs))
}

func ptr(s string) *string { return &s }
