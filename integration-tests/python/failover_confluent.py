"""A producer and a consumer group that keep going while brokers die
(postgres-failover.test.ts), with librdkafka through Debian's confluent_kafka.

Usage: failover_confluent.py BOOTSTRAP TOPIC GROUP PRODUCE_SECONDS. An idempotent
producer (acks=all) sends values "v-N" for PRODUCE_SECONDS, keeping those acknowledged;
two members of GROUP read from the earliest offset, committing after each poll, until
they have seen every acknowledged value (or 60 s more pass). Prints one result line:
{"acked": [...], "unseen": [...]}.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer


def result(value):
    sys.stdout.write(json.dumps({"event": "result", "result": value}) + "\n")
    sys.stdout.flush()


def main():
    bootstrap, topic, group, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    acked = []
    lock = threading.Lock()
    producing = threading.Event()
    producing.set()

    def delivered(err, msg):
        if err is None:
            with lock:
                acked.append(msg.value().decode())

    def produce():
        p = Producer(
            {
                "bootstrap.servers": bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "message.timeout.ms": 120000,
            }
        )
        until = time.time() + seconds
        n = 0
        try:
            while time.time() < until:
                for i in range(10):
                    value = f"v-{n + i}"
                    p.produce(topic, key=value, value=value, on_delivery=delivered)
                n += 10
                p.poll(0.02)
            p.flush(120)
        finally:
            producing.clear()

    thread = threading.Thread(target=produce)
    thread.start()
    members = []
    for _ in ("a", "b"):
        c = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "session.timeout.ms": 6000,
                "heartbeat.interval.ms": 500,
                "fetch.wait.max.ms": 100,
            }
        )
        c.subscribe([topic])
        members.append(c)
    seen = set()
    deadline = None
    while True:
        if not producing.is_set():
            if deadline is None:
                deadline = time.time() + 60
            with lock:
                done = all(v in seen for v in acked)
            if done or time.time() > deadline:
                break
        for c in members:
            for msg in c.consume(num_messages=500, timeout=0.1):
                if msg.error() is None:
                    seen.add(msg.value().decode())
            try:
                c.commit(asynchronous=False)
            except KafkaException:
                pass  # nothing to commit yet, or a rebalance / coordinator move: next time
    thread.join()
    for c in members:
        c.close()
    with lock:
        everything = list(acked)
    result({"acked": everything, "unseen": [v for v in everything if v not in seen]})


if __name__ == "__main__":
    main()
