"""Interop matrix driver for kafka-python: Debian's python3-kafka 2.0.2 and the newest
from PyPI (in integration-tests/.venv).

Usage: kafka_python_scenarios.py SCENARIO BOOTSTRAP TOPIC [ARG]
Runs one scenario of integration-tests/interop/scenarios.ts (the plan is described
there) and prints one JSON line {"event": "result", "result": ...} for the test to check.
"version" prints the client's own version. The idempotent and transactions scenarios
need kafka-python 2.1 or later (2.0.2 refuses their options; its column says so).
Exits non-zero on a failure.
"""
import hashlib
import json
import sys
import threading
import time

try:
    import kafka
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
except ImportError as e:  # pragma: no cover
    print("cannot import kafka (%s): .ci/run installs python3-kafka; the PyPI column's venv "
          "is made by integration-tests/helpers/venv.ts" % e, file=sys.stderr)
    sys.exit(4)

TIMEOUT = 30
KEYS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
SRC = "kafka-python"
GROUP_PARTITIONS = 4


def result(value):
    sys.stdout.write(json.dumps({"event": "result", "result": value}) + "\n")
    sys.stdout.flush()


def text(b):
    return None if b is None else b.decode()


def enc(s):
    return None if s is None else s.encode()


def record(r):
    return {
        "partition": r.partition,
        "offset": r.offset,
        "key": text(r.key),
        "value": text(r.value),
        "headers": {k: text(v) for k, v in (r.headers or [])},
    }


def producer(bootstrap, **extra):
    return KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all", **extra)


def consumer(bootstrap, group, **extra):
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
        **extra
    )


def subscribe(c, topic, **kwargs):
    """Subscribes once the client knows the topic's partitions, so the first join assigns
    them. Without that, kafka-python 3.0.12's first join assigns nothing ("No partition
    metadata"), it rejoins, and about one consumer in 40 then never fetches (seen
    against Kafka 4.4.0 as well as Logbook)."""
    c.partitions_for_topic(topic)
    c.subscribe([topic], **kwargs)


def poll_until(consumers, done, what, on_record, commit=False):
    """Polls every consumer in turn until done() holds; on_record(name, record) each."""
    deadline = time.time() + TIMEOUT
    while not done():
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for %s" % (what() if callable(what) else what))
        for name, c in consumers:
            batch = c.poll(timeout_ms=100)
            for records in batch.values():
                for r in records:
                    on_record(name, r)
            if commit and batch:
                c.commit()


def read(bootstrap, topic, count, **extra):
    c = consumer(bootstrap, "read-%s-%f" % (topic, time.time()), **extra)
    subscribe(c, topic)
    got = []
    poll_until([("r", c)], lambda: len(got) >= count,
               lambda: "%d records (got %s)" % (count, [(r["offset"], r["value"]) for r in got]),
               lambda _, r: got.append(record(r)))
    c.close(autocommit=False)
    return got


def metadata(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    cluster = admin.describe_cluster()
    [t] = admin.describe_topics([topic])
    admin.close()
    result({
        # 2.0.2 describes the cluster from Metadata (node_id); 2.1+ with DescribeCluster
        # when the broker has it (broker_id).
        "brokers": [{"id": b.get("node_id", b.get("broker_id")), "host": b["host"],
                     "port": b["port"]} for b in cluster["brokers"]],
        # Field names as the Metadata schema version each release decodes with names them.
        "partitions": [{"partition": p.get("partition", p.get("partition_index")),
                        "leader": p.get("leader", p.get("leader_id"))}
                       for p in t["partitions"]],
    })


def listed(admin, topic, want):
    """Whether the broker lists `topic`, asked again for up to 5 s until the answer is
    `want`: Kafka answers CreateTopics and DeleteTopics before its metadata shows the
    change (seen with Kafka 4.4.0)."""
    deadline = time.time() + 5
    while True:
        found = topic in admin.list_topics()
        if found == want or time.time() > deadline:
            return found
        time.sleep(0.1)


def topic_admin(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    after_create = listed(admin, topic, True)
    [t] = admin.describe_topics([topic])
    admin.delete_topics([topic])
    result({"partitions": len(t["partitions"]), "listedAfterCreate": after_create,
            "listedAfterDelete": listed(admin, topic, False)})
    admin.close()


def keyed_headers(bootstrap, topic):
    p = producer(bootstrap)
    for rnd in range(5):
        for k in KEYS:
            p.send(topic, key=enc(k), value=enc("%s-%d" % (k, rnd)),
                   headers=[("round", enc(str(rnd))), ("src", enc(SRC))])
        p.flush(TIMEOUT)
    p.close()
    result(read(bootstrap, topic, len(KEYS) * 5))


def codec(bootstrap, topic, name, mode="round-trip"):
    p = producer(bootstrap, compression_type=name)
    futures = [p.send(topic, key=enc("k%d" % (i % 5)),
                      value=enc("%s-%d-%s" % (name, i, "x" * 200)), partition=0)
               for i in range(20)]
    p.flush(TIMEOUT)
    for f in futures:
        f.get(TIMEOUT)
    p.close()
    result(None if mode == "produce-only" else read(bootstrap, topic, 20))


class Member(ConsumerRebalanceListener):
    """A group member polling in its own thread: kafka-python's poll() blocks inside a
    rebalance until every member rejoins, so two members cannot share one thread."""

    def __init__(self, bootstrap, topic, on_record):
        self.partitions = set()
        self.error = None
        self._stop = threading.Event()
        self._consumer = consumer(bootstrap, "g")
        subscribe(self._consumer, topic, listener=self)
        self._on_record = on_record
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def on_partitions_revoked(self, revoked):
        self.partitions -= {tp.partition for tp in revoked}

    def on_partitions_assigned(self, assigned):
        self.partitions |= {tp.partition for tp in assigned}

    def _run(self):
        try:
            while not self._stop.is_set():
                batch = self._consumer.poll(timeout_ms=100)
                for records in batch.values():
                    for r in records:
                        self._on_record(r)
                if batch:
                    self._consumer.commit()
        except Exception as e:  # reported by wait()
            self.error = e

    def close(self):
        self._stop.set()
        self._thread.join(TIMEOUT)
        self._consumer.close(autocommit=False)


def wait(what, done, members):
    deadline = time.time() + TIMEOUT
    while not done():
        for m in members:
            if m.error is not None:
                raise m.error
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for %s" % what)
        time.sleep(0.05)


def group(bootstrap, topic):
    p = producer(bootstrap)

    def produce(prefix, n):
        for part in range(GROUP_PARTITIONS):
            for i in range(n):
                p.send(topic, value=enc("%s-%d-%d" % (prefix, part, i)), partition=part)
        p.flush(TIMEOUT)

    out = {"assignments": {"a": [], "b": []}, "firstPhase": [], "secondPhase": [], "resumed": []}
    phase = [1]

    def reader(name):
        def on_record(r):
            if name == "c":
                out["resumed"].append(text(r.value))
            elif phase[0] == 1:
                out["firstPhase"].append(text(r.value))
            else:
                out["secondPhase"].append("%s:%d:%s" % (name, r.partition, text(r.value)))
        return on_record

    produce("one", 5)
    a = Member(bootstrap, topic, reader("a"))
    wait("a to read 20", lambda: len(out["firstPhase"]) >= 20, [a])
    phase[0] = 2
    b = Member(bootstrap, topic, reader("b"))

    def split():
        ha, hb = a.partitions, b.partitions
        return ha and hb and len(ha | hb) == GROUP_PARTITIONS and not ha & hb

    wait("a and b to split the partitions", split, [a, b])
    out["assignments"] = {"a": sorted(a.partitions), "b": sorted(b.partitions)}
    produce("two", 5)
    wait("20 more", lambda: len(out["secondPhase"]) >= 20, [a, b])
    a.close()
    b.close()
    produce("three", 1)
    c = Member(bootstrap, topic, reader("c"))
    wait("c to read 4", lambda: len(out["resumed"]) >= GROUP_PARTITIONS, [c])
    c.close()
    p.close()
    result(out)


def offsets_by_time(bootstrap, topic, t0):
    t0 = int(t0)
    p = producer(bootstrap)
    for i in range(10):
        p.send(topic, value=enc("t-%d" % i), partition=0, timestamp_ms=t0 + i * 1000)
    p.flush(TIMEOUT)
    p.close()
    c = consumer(bootstrap, "timed")
    tp = TopicPartition(topic, 0)
    found = c.offsets_for_times({tp: t0 + 4500})[tp]
    c.assign([tp])
    c.seek(tp, found.offset)
    values = []
    poll_until([("c", c)], lambda: "t-9" in values, "t-9",
               lambda _, r: values.append(text(r.value)))
    c.close(autocommit=False)
    result({"offset": found.offset, "values": values})


def idempotent(bootstrap, topic):
    p = producer(bootstrap, enable_idempotence=True)
    for half in (0, 5):
        futures = [p.send(topic, value=enc("i-%d" % (half + i)), partition=0) for i in range(5)]
        p.flush(TIMEOUT)
        for f in futures:
            f.get(TIMEOUT)
    p.close()
    result(read(bootstrap, topic, 10))


def transactions(bootstrap, topic):
    p = producer(bootstrap, transactional_id="kafka-python-tx", transaction_timeout_ms=20000)
    p.init_transactions()

    def txn(values, commit):
        p.begin_transaction()
        futures = [p.send(topic, value=enc(v), partition=0) for v in values]
        # Delivered before the end either way, so the broker holds aborted data for
        # read_committed to filter out.
        p.flush(TIMEOUT)
        for f in futures:
            f.get(TIMEOUT)
        if commit:
            p.commit_transaction()
        else:
            p.abort_transaction()

    txn(["c-0", "c-1", "c-2"], True)
    txn(["a-0", "a-1", "a-2"], False)
    txn(["c-end"], True)
    p.close()
    c = consumer(bootstrap, "txn-reader", isolation_level="read_committed")
    subscribe(c, topic)
    values = []
    poll_until([("c", c)], lambda: "c-end" in values, "c-end",
               lambda _, r: values.append(text(r.value)))
    c.close(autocommit=False)
    result(values)


def large_record(bootstrap, topic):
    big = "0123456789abcdef" * (1000000 // 16)
    p = producer(bootstrap)
    p.send(topic, value=enc(big), partition=0).get(TIMEOUT)
    p.send(topic, value=enc("after"), partition=0).get(TIMEOUT)
    p.close()
    c = consumer(bootstrap, "large")
    subscribe(c, topic)
    got = []
    poll_until([("c", c)], lambda: len(got) >= 2, "2 records", lambda _, r: got.append(r.value))
    c.close(autocommit=False)
    result({"sizes": [len(v) for v in got], "sha256": hashlib.sha256(got[0]).hexdigest()})


def compacted(bootstrap, topic):
    p = producer(bootstrap)
    for k, v in [("k1", "v1"), ("k2", "v1"), ("k1", "v2"), ("k2", None), ("k3", "v1")]:
        p.send(topic, key=enc(k), value=enc(v), partition=0)
    p.flush(TIMEOUT)
    p.close()
    result(read(bootstrap, topic, 5))


def main():
    scenario = sys.argv[1]
    if scenario == "version":
        result("kafka-python %s" % kafka.__version__)
        return 0
    bootstrap, topic, rest = sys.argv[2], sys.argv[3], sys.argv[4:]
    if scenario.startswith("codec-"):
        codec(bootstrap, topic, scenario[len("codec-"):], *rest)
        return 0
    handlers = {
        "metadata": metadata, "topic-admin": topic_admin, "keyed-headers": keyed_headers,
        "group": group, "offsets-by-time": offsets_by_time, "idempotent": idempotent,
        "transactions": transactions, "large-record": large_record, "compacted": compacted,
    }
    handlers[scenario](bootstrap, topic, *rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
