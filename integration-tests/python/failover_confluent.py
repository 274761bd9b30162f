"""A producer and a consumer group that keep going while brokers die
(postgres-failover.test.ts) or the database restarts (postgres-db-restart.test.ts), with
librdkafka through Debian's confluent_kafka.

Usage: failover_confluent.py BOOTSTRAP TOPIC GROUP PRODUCE_SECONDS [KEYS]. An idempotent
producer (acks=all) sends values "v-N" (key "k-(N mod KEYS)", or the value when KEYS is
0 or absent) for PRODUCE_SECONDS, keeping those acknowledged; two members of GROUP read
from the earliest offset, committing after each poll, until they have seen every
acknowledged value (or 60 s more pass). Prints one result line:
{"acked": [...], "unseen": [...], "errors": [...]}, errors as error_name() makes them.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer

# librdkafka's own errors that it reports about connections it re-establishes by itself.
RECONNECTED = {KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._RESOLVE}


def result(value):
    sys.stdout.write(json.dumps({"event": "result", "result": value}) + "\n")
    sys.stdout.flush()


def error_name(err):
    """"kafka:CODE" for a Kafka error code, "librdkafka-retriable:NAME" for librdkafka's own
    errors it retries or recovers from, "librdkafka:NAME" (or "fatal:NAME") otherwise."""
    if err.fatal():
        return f"fatal:{err.name()}"
    if err.code() >= 0:
        return f"kafka:{err.code()}"
    if err.retriable() or err.code() in RECONNECTED:
        return f"librdkafka-retriable:{err.name()}"
    return f"librdkafka:{err.name()}"


def main():
    bootstrap, topic, group, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    keys = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    errors = []
    acked = []
    lock = threading.Lock()
    producing = threading.Event()
    producing.set()

    def delivered(err, msg):
        with lock:
            if err is None:
                acked.append(msg.value().decode())
            else:
                errors.append(error_name(err))

    def on_error(err):
        with lock:
            errors.append(error_name(err))

    def produce():
        p = Producer(
            {
                "bootstrap.servers": bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "message.timeout.ms": 120000,
                "error_cb": on_error,
            }
        )
        until = time.time() + seconds
        n = 0
        try:
            while time.time() < until:
                for i in range(10):
                    value = f"v-{n + i}"
                    key = f"k-{(n + i) % keys}" if keys else value
                    p.produce(topic, key=key, value=value, on_delivery=delivered)
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
                "error_cb": on_error,
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
                else:
                    on_error(msg.error())
            try:
                c.commit(asynchronous=False)
            except KafkaException as e:
                # Nothing to commit yet, or a rebalance / coordinator move: next time.
                if e.args[0].code() != KafkaError._NO_OFFSET:
                    on_error(e.args[0])
    thread.join()
    for c in members:
        c.close()
    with lock:
        everything = list(acked)
        seen_errors = list(errors)
    result(
        {
            "acked": everything,
            "unseen": [v for v in everything if v not in seen],
            "errors": seen_errors,
        }
    )


if __name__ == "__main__":
    main()
