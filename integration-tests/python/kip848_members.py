"""Two librdkafka (confluent-kafka from PyPI) consumers with group.protocol=consumer
(KIP-848) in one process, for integration-tests/consumer-group-protocol.test.ts.

Usage: kip848_members.py BOOTSTRAP TOPIC GROUP [B_PROTOCOL]
B_PROTOCOL "classic" makes b a classic-protocol member inside a's consumer group
(KIP-848 live migration); it is "consumer" by default.
The script makes the topic with 4 partitions and 4 records (one per partition). a reads them alone; b
joins and both poll until each holds 2 partitions; then 4 more records are produced
and read. Each record is committed after it is read. Prints one JSON result line: the
values read per phase, reads of a partition the reader did not hold, and any moment a
partition was held by both.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic


def main():
    bootstrap, topic, group = sys.argv[1:4]
    b_protocol = sys.argv[4] if len(sys.argv) > 4 else "consumer"
    held = {"a": set(), "b": set()}
    overlaps = []
    misowned = []
    reads = {}

    def listener(name):
        def on_assign(consumer, partitions):
            held[name].update(p.partition for p in partitions)
            both = held["a"] & held["b"]
            if both:
                overlaps.append(sorted(both))

        def on_revoke(consumer, partitions):
            held[name].difference_update(p.partition for p in partitions)

        return on_assign, on_revoke

    def member(name, protocol="consumer"):
        c = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "group.protocol": protocol,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        })
        on_assign, on_revoke = listener(name)
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
        return c

    def poll_until(members, phase, done, what):
        deadline = time.time() + 45
        while not done():
            if time.time() > deadline:
                raise SystemExit("timed out waiting for " + what + " " + json.dumps(
                    {k: sorted(v) for k, v in held.items()}))
            for name, c in members:
                m = c.poll(0.1)
                if m is None or m.error():
                    continue
                if m.partition() not in held[name]:
                    misowned.append(name + " read " + m.value().decode())
                reads.setdefault(phase, []).append(m.value().decode())
                c.commit(message=m, asynchronous=False)

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, 4, 1)]).values():
        f.result(30)
    p = Producer({"bootstrap.servers": bootstrap})

    def produce(prefix):
        for part in range(4):
            p.produce(topic, value=prefix + "-" + str(part), partition=part)
        p.flush(30)

    a = member("a")
    produce("one")
    poll_until([("a", a)], "1-a", lambda: len(reads.get("1-a", [])) >= 4, "a to read")
    b = member("b", b_protocol)
    both = [("a", a), ("b", b)]
    poll_until(both, "2-ab", lambda: len(held["a"]) == 2 and len(held["b"]) == 2,
               "a and b to hold 2 each")
    produce("two")
    poll_until(both, "2-ab", lambda: len(reads.get("2-ab", [])) >= 4, "a and b to read")
    end = time.time() + 0.5
    poll_until(both, "2-ab", lambda: time.time() > end, "quiet")
    a.close()
    b.close()
    print(json.dumps({"event": "result", "result": {
        "read": {k: sorted(v) for k, v in reads.items()},
        "misowned": misowned,
        "overlaps": overlaps,
    }}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
