"""Interop matrix driver for librdkafka through confluent-kafka-python: Debian's
python3-confluent-kafka (librdkafka 2.0.2) and the newest from PyPI, whose wheel bundles
a current librdkafka (in integration-tests/.venv).

Usage: confluent_scenarios.py SCENARIO BOOTSTRAP TOPIC [ARG]
Runs one scenario of integration-tests/interop/scenarios.ts (the plan is described
there) and prints one JSON line {"event": "result", "result": ...} for the test to check.
"version" prints the client's own version strings. Exits non-zero with a message on
stderr when a step fails or times out.
"""
import hashlib
import json
import sys
import time

try:
    import confluent_kafka
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka (%s): .ci/run installs python3-confluent-kafka; the "
          "PyPI column's venv is made by integration-tests/helpers/venv.ts" % e, file=sys.stderr)
    sys.exit(4)

TIMEOUT = 30
KEYS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
SRC = "confluent-kafka-python"
GROUP_PARTITIONS = 4


def result(value):
    sys.stdout.write(json.dumps({"event": "result", "result": value}) + "\n")
    sys.stdout.flush()


def text(b):
    return None if b is None else b.decode()


def record(m):
    return {
        "partition": m.partition(),
        "offset": m.offset(),
        "key": text(m.key()),
        "value": text(m.value()),
        "headers": {k: text(v) for k, v in (m.headers() or [])},
    }


def producer(bootstrap, **extra):
    conf = {"bootstrap.servers": bootstrap, "linger.ms": 5}
    conf.update(extra)
    return Producer(conf)


def flush(p):
    left = p.flush(TIMEOUT)
    if left:
        raise RuntimeError("%d messages not delivered" % left)


def delivered(errors):
    def cb(err, msg):
        if err is not None:
            errors.append(str(err))
    return cb


def consumer(bootstrap, group, **extra):
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }
    # Under group.protocol=consumer (KIP-848) the broker sets both; librdkafka refuses them.
    if extra.get("group.protocol") != "consumer":
        conf.update({"session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
    conf.update(extra)
    return Consumer(conf)


def poll_until(consumers, done, what, on_message):
    """Polls every consumer in turn until done() holds; on_message(name, msg) per record."""
    deadline = time.time() + TIMEOUT
    while not done():
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for %s" % what)
        for name, c in consumers:
            m = c.poll(0.1)
            if m is None:
                continue
            if m.error():
                raise KafkaException(m.error())
            on_message(name, m)


def read(bootstrap, topic, count, **extra):
    c = consumer(bootstrap, "read-%s-%f" % (topic, time.time()), **extra)
    c.subscribe([topic])
    got = []
    poll_until([("r", c)], lambda: len(got) >= count, "%d records" % count,
               lambda _, m: got.append(record(m)))
    c.close()
    return got


def metadata(bootstrap, topic):
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic=topic, timeout=TIMEOUT)
    result({
        "brokers": [{"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()],
        "partitions": [{"partition": p.id, "leader": p.leader}
                       for p in md.topics[topic].partitions.values()],
    })


def listing(admin, topic, want):
    """All topics as the broker lists them, asked again for up to 5 s until `topic` is
    listed (want=True) or gone: Kafka answers CreateTopics and DeleteTopics before its
    metadata shows the change (seen with Kafka 4.4.0)."""
    deadline = time.time() + 5
    while True:
        topics = admin.list_topics(timeout=TIMEOUT).topics
        if (topic in topics) == want or time.time() > deadline:
            return topics
        time.sleep(0.1)


def topic_admin(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)]).values():
        f.result(TIMEOUT)
    topics = listing(admin, topic, True)
    listed = topic in topics
    partitions = len(topics[topic].partitions) if listed else 0
    for f in admin.delete_topics([topic], operation_timeout=TIMEOUT).values():
        f.result(TIMEOUT)
    result({"partitions": partitions, "listedAfterCreate": listed,
            "listedAfterDelete": topic in listing(admin, topic, False)})


def keyed_headers(bootstrap, topic):
    p = producer(bootstrap)
    for rnd in range(5):
        for k in KEYS:
            p.produce(topic, key=k, value="%s-%d" % (k, rnd),
                      headers=[("round", str(rnd).encode()), ("src", SRC.encode())])
        flush(p)
    result(read(bootstrap, topic, len(KEYS) * 5))


def codec(bootstrap, topic, name):
    errors = []
    p = producer(bootstrap, **{"compression.type": name})
    for i in range(20):
        p.produce(topic, key="k%d" % (i % 5), value="%s-%d-%s" % (name, i, "x" * 200),
                  partition=0, on_delivery=delivered(errors))
    flush(p)
    if errors:
        raise RuntimeError("delivery failed: %s" % errors)
    result(read(bootstrap, topic, 20))


def group(bootstrap, topic, group_id="g", **extra):
    """The group plan in group group_id, its members made with extra on top of consumer()'s."""
    p = producer(bootstrap)

    def produce(prefix, n):
        for part in range(GROUP_PARTITIONS):
            for i in range(n):
                p.produce(topic, value="%s-%d-%d" % (prefix, part, i), partition=part)
        flush(p)

    held = {"a": set(), "b": set()}
    out = {"assignments": {"a": [], "b": []}, "firstPhase": [], "secondPhase": [], "resumed": []}

    def member(name):
        c = consumer(bootstrap, group_id, **extra)

        def on_assign(_, parts):
            if name in held:
                held[name] |= {tp.partition for tp in parts}

        def on_revoke(_, parts):
            if name in held:
                held[name] -= {tp.partition for tp in parts}

        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return c

    def commit(c, m):
        c.commit(message=m, asynchronous=False)

    produce("one", 5)
    a = member("a")
    poll_until([("a", a)], lambda: len(out["firstPhase"]) >= 20, "a to read 20",
               lambda _, m: (out["firstPhase"].append(text(m.value())), commit(a, m)))
    b = member("b")
    members = {"a": a, "b": b}

    def second(name, m):
        out["secondPhase"].append("%s:%d:%s" % (name, m.partition(), text(m.value())))
        commit(members[name], m)

    def split():
        return held["a"] and held["b"] and len(held["a"] | held["b"]) == GROUP_PARTITIONS \
            and not held["a"] & held["b"]

    poll_until(list(members.items()), split, "a and b to split the partitions", second)
    out["assignments"] = {k: sorted(v) for k, v in held.items()}
    produce("two", 5)
    poll_until(list(members.items()), lambda: len(out["secondPhase"]) >= 20, "20 more", second)
    a.close()
    b.close()
    produce("three", 1)
    c = member("c")
    poll_until([("c", c)], lambda: len(out["resumed"]) >= GROUP_PARTITIONS, "c to read 4",
               lambda _, m: (out["resumed"].append(text(m.value())), commit(c, m)))
    c.close()
    result(out)


def group_consumer_protocol(bootstrap, topic):
    group(bootstrap, topic, "gc", **{"group.protocol": "consumer"})


SHARE_GROUP = "sg"
SHARE_PARTITIONS = 2
SHARED = 20
SHARE_QUIET = 2.0


def share_group(bootstrap, topic):
    """Two share consumers acknowledging explicitly (the plan is in scenarios.ts)."""
    from confluent_kafka import AcknowledgeType, ShareConsumer

    p = producer(bootstrap)
    for i in range(SHARED):
        p.produce(topic, value="s-%d" % i, partition=i % SHARE_PARTITIONS)
    flush(p)
    members = []
    for name in ("a", "b"):
        c = ShareConsumer({"bootstrap.servers": bootstrap, "group.id": SHARE_GROUP,
                           "share.acknowledgement.mode": "explicit"})
        c.subscribe([topic])
        members.append((name, c))
    deliveries = []
    state = {"released": False, "release_accepted": False}

    def count(prefix):
        return sum(1 for d in deliveries if d.split(":", 1)[1].startswith(prefix))

    def ack_for(value):
        if value == "reject-me":
            return AcknowledgeType.REJECT
        if value == "release-me":
            if not state["released"]:
                state["released"] = True
                return AcknowledgeType.RELEASE
            state["release_accepted"] = True
        return AcknowledgeType.ACCEPT

    def poll_until(done, what):
        deadline = time.time() + TIMEOUT
        while not done():
            if time.time() > deadline:
                raise RuntimeError("timed out waiting for %s; deliveries %s" % (what, deliveries))
            for name, c in members:
                got = c.poll(0.1)
                for m in got:
                    if m.error():
                        raise KafkaException(m.error())
                    value = text(m.value())
                    deliveries.append("%s:%s" % (name, value))
                    c.acknowledge(m, ack_for(value))
                if len(got) > 0:
                    c.commit_sync(TIMEOUT)

    poll_until(lambda: count("s-") >= SHARED, "%d records" % SHARED)
    for value in ("release-me", "reject-me", "end"):
        p.produce(topic, value=value, partition=0)
        flush(p)
    poll_until(lambda: state["release_accepted"] and count("reject-me") and count("end"),
               "release-me again, reject-me and end")
    quiet_until = time.time() + SHARE_QUIET
    poll_until(lambda: time.time() > quiet_until, "the quiet period")
    for _, c in members:
        c.close()
    result({"deliveries": deliveries, "explicit": True})


def offsets_by_time(bootstrap, topic, t0):
    t0 = int(t0)
    p = producer(bootstrap)
    for i in range(10):
        p.produce(topic, value="t-%d" % i, partition=0, timestamp=t0 + i * 1000)
    flush(p)
    c = consumer(bootstrap, "timed")
    found = c.offsets_for_times([TopicPartition(topic, 0, t0 + 4500)], timeout=TIMEOUT)[0]
    if found.error:
        raise KafkaException(found.error)
    c.assign([TopicPartition(topic, 0, 0)])
    first = []
    poll_until([("c", c)], lambda: first, "the first record", lambda _, m: first.append(m))
    c.seek(TopicPartition(topic, 0, found.offset))
    values = []
    poll_until([("c", c)], lambda: "t-9" in values, "t-9",
               lambda _, m: values.append(text(m.value())))
    c.close()
    result({"offset": found.offset, "values": values})


def idempotent(bootstrap, topic):
    errors = []
    p = producer(bootstrap, **{"enable.idempotence": True})
    for half in (0, 5):
        for i in range(5):
            p.produce(topic, value="i-%d" % (half + i), partition=0, on_delivery=delivered(errors))
        flush(p)
    if errors:
        raise RuntimeError("delivery failed: %s" % errors)
    result(read(bootstrap, topic, 10))


def transactions(bootstrap, topic):
    p = producer(bootstrap, **{"transactional.id": "confluent-tx", "transaction.timeout.ms": 20000})
    p.init_transactions(TIMEOUT)

    def txn(values, commit):
        p.begin_transaction()
        for v in values:
            p.produce(topic, value=v, partition=0)
        if commit:
            p.commit_transaction(TIMEOUT)
        else:
            # librdkafka drops queued messages on abort; deliver them first so the broker
            # holds aborted data for read_committed to filter out.
            flush(p)
            p.abort_transaction(TIMEOUT)

    txn(["c-0", "c-1", "c-2"], True)
    txn(["a-0", "a-1", "a-2"], False)
    txn(["c-end"], True)
    c = consumer(bootstrap, "txn-reader", **{"isolation.level": "read_committed"})
    c.subscribe([topic])
    values = []
    poll_until([("c", c)], lambda: "c-end" in values, "c-end",
               lambda _, m: values.append(text(m.value())))
    c.close()
    result(values)


def large_record(bootstrap, topic):
    big = "0123456789abcdef" * (1000000 // 16)
    p = producer(bootstrap, **{"message.max.bytes": 2000000})
    p.produce(topic, value=big, partition=0)
    flush(p)
    p.produce(topic, value="after", partition=0)
    flush(p)
    c = consumer(bootstrap, "large")
    c.subscribe([topic])
    got = []
    poll_until([("c", c)], lambda: len(got) >= 2, "2 records", lambda _, m: got.append(m.value()))
    c.close()
    result({"sizes": [len(v) for v in got], "sha256": hashlib.sha256(got[0]).hexdigest()})


def compacted(bootstrap, topic):
    p = producer(bootstrap)
    for k, v in [("k1", "v1"), ("k2", "v1"), ("k1", "v2"), ("k2", None), ("k3", "v1")]:
        p.produce(topic, key=k, value=v, partition=0)
    flush(p)
    result(read(bootstrap, topic, 5))


def version():
    # version() is a (string, int) pair up to 2.x and a plain string in newer releases.
    client = confluent_kafka.version()
    client = client[0] if isinstance(client, tuple) else client
    result("confluent-kafka-python %s, librdkafka %s" % (client, confluent_kafka.libversion()[0]))


def main():
    scenario = sys.argv[1]
    if scenario == "version":
        version()
        return 0
    bootstrap, topic, rest = sys.argv[2], sys.argv[3], sys.argv[4:]
    if scenario.startswith("codec-"):
        codec(bootstrap, topic, scenario[len("codec-"):])
        return 0
    handlers = {
        "metadata": metadata, "topic-admin": topic_admin, "keyed-headers": keyed_headers,
        "group": group, "group-consumer-protocol": group_consumer_protocol,
        "share-group": share_group, "offsets-by-time": offsets_by_time, "idempotent": idempotent,
        "transactions": transactions, "large-record": large_record, "compacted": compacted,
    }
    handlers[scenario](bootstrap, topic, *rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
