"""librdkafka (python3-confluent-kafka) producer for durability-sigkill.test.ts.

Usage: durability_producer.py BOOTSTRAP TOPIC PARTITIONS PREFIX

Produces with acks=all, continuously, records keyed "<PREFIX>-k<n>" with value
"<PREFIX>-v<n>" and headers n=<n>, src=<PREFIX> to partition n % PARTITIONS, keeping at
most 50 in flight, while the broker is killed and restarted under it. Each delivery
report is printed as one JSON line: {"event": "acked", "partition", "offset", "key",
"value", "headers"} or {"event": "failed", "key", "error"}. A line "stop" on stdin (or
EOF) ends production; it then flushes and prints {"event": "done", "unflushed": N}.
"""
import json
import sys
import threading

try:
    from confluent_kafka import Producer
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka (%s): .ci/run installs python3-confluent-kafka" % e,
          file=sys.stderr)
    sys.exit(4)


def out(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main():
    _, bootstrap, topic, partitions, prefix = sys.argv
    partitions = int(partitions)
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "acks": "all",
        "linger.ms": 2,
        # Come back quickly after each restart (the defaults back off up to 10 s).
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 300,
        "retry.backoff.ms": 50,
        "message.timeout.ms": 60000,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    stop = threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    def reporter(headers):
        # librdkafka hands the headers to the request, not back to the delivery report.
        def report(err, msg):
            key = msg.key().decode()
            if err is not None:
                out(event="failed", key=key, error=str(err))
                return
            out(event="acked", partition=msg.partition(), offset=msg.offset(), key=key,
                value=msg.value().decode(), headers=headers)
        return report

    n = 0
    while not stop.is_set():
        if len(producer) < 50:
            headers = {"n": str(n), "src": prefix}
            producer.produce(topic, key=("%s-k%d" % (prefix, n)).encode(),
                             value=("%s-v%d" % (prefix, n)).encode(),
                             headers=[(k, v.encode()) for k, v in headers.items()],
                             partition=n % partitions, on_delivery=reporter(headers))
            n += 1
            # A steady stream (some hundreds a second), not a flood the test must verify.
            producer.poll(0.002)
        else:
            producer.poll(0.005)
    unflushed = producer.flush(60)
    out(event="done", produced=n, unflushed=unflushed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
