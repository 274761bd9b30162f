package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/IBM/sarama"
	"logbook.local/interop/driverkit"
)

type clientRecord = driverkit.ClientRecord

func toClientRecord(m *sarama.ConsumerMessage) clientRecord {
	h := map[string]string{}
	for _, x := range m.Headers {
		h[string(x.Key)] = string(x.Value)
	}
	return clientRecord{
		Partition: m.Partition, Offset: m.Offset,
		Key: driverkit.Text(m.Key), Value: driverkit.Text(m.Value), Headers: h,
	}
}

// bytesOrNull encodes b, or null when b is nil (a sarama.ByteEncoder of nil is empty).
func bytesOrNull(b []byte) sarama.Encoder {
	if b == nil {
		return nil
	}
	return sarama.ByteEncoder(b)
}

// valueMessages are messages with the given values and no key, for partition 0.
func valueMessages(topic string, values []string) []*sarama.ProducerMessage {
	out := []*sarama.ProducerMessage{}
	for _, v := range values {
		out = append(out, &sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(v)})
	}
	return out
}

// newProducer is a SyncProducer sending each message to the partition it names unless
// tweak (may be nil), which adjusts the config, picks another partitioner.
func newProducer(bootstrap string, tweak func(*sarama.Config)) (sarama.SyncProducer, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	if tweak != nil {
		tweak(cfg)
	}
	return sarama.NewSyncProducer([]string{bootstrap}, cfg)
}

// produce sends msgs with a new producer (see newProducer).
func produce(bootstrap string, tweak func(*sarama.Config), msgs ...*sarama.ProducerMessage) error {
	p, err := newProducer(bootstrap, tweak)
	if err != nil {
		return err
	}
	defer p.Close()
	return p.SendMessages(msgs)
}

// read consumes topic from the start of every partition until it has count records.
func read(ctx context.Context, bootstrap, topic string, count int, tweak func(*sarama.Config)) ([]clientRecord, error) {
	return readUntil(ctx, bootstrap, topic, tweak, fmt.Sprintf("%d records", count),
		func(got []clientRecord) bool { return len(got) >= count })
}

// readUntil consumes every partition of topic from its start (one partition consumer
// each, so each partition's records keep their order) until done holds for the records
// read so far; a consumer error fails it.
func readUntil(ctx context.Context, bootstrap, topic string, tweak func(*sarama.Config), what string,
	done func([]clientRecord) bool) ([]clientRecord, error) {
	cfg, err := config()
	if err != nil {
		return nil, err
	}
	if tweak != nil {
		tweak(cfg)
	}
	c, err := sarama.NewConsumer([]string{bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		return nil, err
	}
	msgs := make(chan *sarama.ConsumerMessage)
	errs := make(chan error, len(parts))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(stop); wg.Wait() }()
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			return nil, fmt.Errorf("consume %s[%d]: %w", topic, p, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case m := <-pc.Messages():
					select {
					case msgs <- m:
					case <-stop:
					}
				case e := <-pc.Errors():
					select {
					case errs <- e:
					default: // one error is enough to fail the read
					}
				case <-stop:
					pc.Close() // drains what is left
					return
				}
			}
		}()
	}
	got := []clientRecord{}
	for !done(got) {
		select {
		case m := <-msgs:
			got = append(got, toClientRecord(m))
		case e := <-errs:
			return got, e
		case <-ctx.Done():
			return got, fmt.Errorf("timed out waiting for %s (read %d)", what, len(got))
		}
	}
	return got, nil
}
