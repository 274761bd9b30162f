"""librdkafka (python3-confluent-kafka) transactions, driven by txn-confluent.test.ts.

Usage:
  txn_confluent.py commit-abort BOOTSTRAP IN OUT GROUP COUNT
      A consumer of group GROUP reads COUNT records of IN (1 partition); a transactional
      producer then produces "c-<value>" for each to OUT and sends the consumer's
      positions with send_offsets_to_transaction (KIP-447 group metadata), commits;
      then produces "a-<value>" with offsets 1000, aborts. Prints "committed" (the
      group's committed offset, read back by the read_committed consumer: OffsetFetch
      with require_stable) after each.
  txn_confluent.py fence BOOTSTRAP TOPIC
      Two producers with one transactional.id: the second's init_transactions fences
      the first, whose commit_transaction must fail; the second commits "fresh".
Prints one JSON object per line; exits 0 when every step behaved, 1 otherwise.
"""
import json
import sys

try:
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka (%s): .ci/run installs python3-confluent-kafka" % e,
          file=sys.stderr)
    sys.exit(4)

TIMEOUT = 30


def out(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def producer(bootstrap, txn_id):
    return Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": txn_id,
        "transaction.timeout.ms": 20000,
    })


def committed_offset(consumer, topic):
    tps = consumer.committed([TopicPartition(topic, 0)], timeout=TIMEOUT)
    return tps[0].offset


def commit_abort(bootstrap, topic_in, topic_out, group, count):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    })
    consumer.subscribe([topic_in])
    values = []
    while len(values) < count:
        m = consumer.poll(1.0)
        if m is None:
            continue
        if m.error():
            out(event="error", where="poll", error=str(m.error()))
            continue
        values.append(m.value().decode())
    out(event="consumed", values=values)

    p = producer(bootstrap, "py-tx")
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    for v in values:
        p.produce(topic_out, value=("c-" + v).encode(), partition=0)
    positions = consumer.position(consumer.assignment())
    p.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), TIMEOUT)
    p.commit_transaction(TIMEOUT)
    out(event="committed", offset=committed_offset(consumer, topic_in))

    p.begin_transaction()
    for v in values:
        p.produce(topic_out, value=("a-" + v).encode(), partition=0)
    p.send_offsets_to_transaction([TopicPartition(topic_in, 0, 1000)],
                                  consumer.consumer_group_metadata(), TIMEOUT)
    # librdkafka drops messages still queued when a transaction aborts; deliver them first
    # so the broker really holds aborted data for read_uncommitted to see.
    p.flush(TIMEOUT)
    p.abort_transaction(TIMEOUT)
    out(event="aborted", offset=committed_offset(consumer, topic_in))
    consumer.close()
    return 0


def fence(bootstrap, topic):
    zombie = producer(bootstrap, "py-zombie")
    zombie.init_transactions(TIMEOUT)
    zombie.begin_transaction()
    zombie.produce(topic, value=b"zombie", partition=0)
    zombie.flush(TIMEOUT)
    out(event="zombie-produced")

    fresh = producer(bootstrap, "py-zombie")
    fresh.init_transactions(TIMEOUT)
    out(event="fresh-initialized")
    try:
        zombie.produce(topic, value=b"zombie-2", partition=0)
        zombie.commit_transaction(TIMEOUT)
        out(event="zombie-committed")
        status = 1
    except KafkaException as e:
        err = e.args[0]
        out(event="zombie-fenced", name=err.name(), fatal=err.fatal(), error=str(err))
        status = 0
    fresh.begin_transaction()
    fresh.produce(topic, value=b"fresh", partition=0)
    fresh.commit_transaction(TIMEOUT)
    out(event="fresh-committed")
    return status


def main():
    mode = sys.argv[1]
    if mode == "commit-abort":
        _, _, bootstrap, topic_in, topic_out, group, count = sys.argv
        return commit_abort(bootstrap, topic_in, topic_out, group, int(count))
    if mode == "fence":
        _, _, bootstrap, topic = sys.argv
        return fence(bootstrap, topic)
    print("unknown mode %s" % mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
