package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

var keys = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}

const rounds = 5

func keyedHeaders(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	// sarama's default partitioner: records with a key go to fnv1a(key) % partitions.
	byKey := func(c *sarama.Config) { c.Producer.Partitioner = sarama.NewHashPartitioner }
	for rnd := range rounds {
		msgs := []*sarama.ProducerMessage{}
		for _, k := range keys {
			msgs = append(msgs, &sarama.ProducerMessage{
				Topic: topic, Key: sarama.StringEncoder(k), Value: sarama.StringEncoder(fmt.Sprintf("%s-%d", k, rnd)),
				Headers: []sarama.RecordHeader{
					{Key: []byte("round"), Value: []byte(strconv.Itoa(rnd))},
					{Key: []byte("src"), Value: []byte(src)},
				},
			})
		}
		if err := produce(bootstrap, byKey, msgs...); err != nil {
			return nil, err
		}
	}
	return read(ctx, bootstrap, topic, len(keys)*rounds, nil)
}

var codecs = map[string]sarama.CompressionCodec{
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

func codec(ctx context.Context, bootstrap, topic string, args []string) (any, error) {
	c, ok := codecs[args[0]]
	if !ok {
		return nil, fmt.Errorf("unknown codec %s", args[0])
	}
	msgs := []*sarama.ProducerMessage{}
	for i := range 20 {
		msgs = append(msgs, &sarama.ProducerMessage{
			Topic: topic, Partition: 0, Key: sarama.StringEncoder(fmt.Sprintf("k%d", i%5)),
			Value: sarama.StringEncoder(fmt.Sprintf("%s-%d-%s", args[0], i, strings.Repeat("x", 200))),
		})
	}
	if err := produce(bootstrap, func(cfg *sarama.Config) { cfg.Producer.Compression = c }, msgs...); err != nil {
		return nil, err
	}
	if len(args) > 1 && args[1] == "produce-only" {
		return nil, nil
	}
	return read(ctx, bootstrap, topic, 20, nil)
}

func offsetsByTime(ctx context.Context, bootstrap, topic string, args []string) (any, error) {
	t0, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return nil, err
	}
	msgs := valueMessages(topic, []string{"t-0", "t-1", "t-2", "t-3", "t-4", "t-5", "t-6", "t-7", "t-8", "t-9"})
	for i, m := range msgs {
		m.Timestamp = time.UnixMilli(t0 + int64(i)*1000)
	}
	if err := produce(bootstrap, nil, msgs...); err != nil {
		return nil, err
	}
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	cl, err := sarama.NewClient([]string{bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	found, err := cl.GetOffset(topic, 0, t0+4500)
	if err != nil {
		return nil, fmt.Errorf("ListOffsets by time: %w", err)
	}
	c, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// Read from the start, then "seek" (sarama's way: a new partition consumer at the
	// offset found) once the first record is in.
	next := func(pc sarama.PartitionConsumer) (string, error) {
		select {
		case m := <-pc.Messages():
			return string(m.Value), nil
		case e := <-pc.Errors():
			return "", e
		case <-ctx.Done():
			return "", fmt.Errorf("timed out reading %s", topic)
		}
	}
	pc, err := c.ConsumePartition(topic, 0, 0)
	if err != nil {
		return nil, err
	}
	_, err = next(pc)
	pc.Close()
	if err != nil {
		return nil, err
	}
	if pc, err = c.ConsumePartition(topic, 0, found); err != nil {
		return nil, err
	}
	defer pc.Close()
	values := []string{}
	for len(values) == 0 || values[len(values)-1] != "t-9" {
		v, err := next(pc)
		if err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return map[string]any{"offset": found, "values": values}, nil
}

// idempotent: sarama's producer is idempotent only when told (and then needs acks=all
// and one request in flight per broker).
func idempotent(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	p, err := newProducer(bootstrap, func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Net.MaxOpenRequests = 1
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	for half := 0; half < 10; half += 5 {
		values := []string{}
		for i := range 5 {
			values = append(values, fmt.Sprintf("i-%d", half+i))
		}
		if err := p.SendMessages(valueMessages(topic, values)); err != nil {
			return nil, err
		}
	}
	return read(ctx, bootstrap, topic, 10, nil)
}

func largeRecord(ctx context.Context, bootstrap, topic string, _ []string) (any, error) {
	big := strings.Repeat("0123456789abcdef", 1_000_000/16)
	// Sent one at a time, as franzdriver does; sarama refuses a message over
	// Producer.MaxMessageBytes (1,000,000 by default, which the record's overhead exceeds).
	for _, v := range []string{big, "after"} {
		if err := produce(bootstrap, func(c *sarama.Config) { c.Producer.MaxMessageBytes = 2_000_000 },
			valueMessages(topic, []string{v})...); err != nil {
			return nil, err
		}
	}
	got, err := read(ctx, bootstrap, topic, 2, nil)
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
	pairs := [][2][]byte{
		{[]byte("k1"), []byte("v1")}, {[]byte("k2"), []byte("v1")}, {[]byte("k1"), []byte("v2")},
		{[]byte("k2"), nil}, {[]byte("k3"), []byte("v1")},
	}
	msgs := []*sarama.ProducerMessage{}
	for _, kv := range pairs {
		// A nil Value is sent as null: a tombstone.
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: 0, Key: bytesOrNull(kv[0]), Value: bytesOrNull(kv[1])})
	}
	if err := produce(bootstrap, nil, msgs...); err != nil {
		return nil, err
	}
	return read(ctx, bootstrap, topic, len(pairs), nil)
}
