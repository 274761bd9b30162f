"""A librdkafka (python3-confluent-kafka) group member driven by the integration tests.

Usage: confluent_member.py BOOTSTRAP TOPIC GROUP [--strategy S] [--instance-id ID]
                           [--session-ms N] [--max-seconds N]
Prints one JSON object per line (each with "t", wall-clock seconds): ready, assign,
revoke, lost, message, commit_error, error, closed. Reads commands on stdin: "close" (consumer.close(), then exit 0) and
"crash" (exit at once without closing: no LeaveGroup, no final commit). Commits each
record synchronously after reading it. Exits with 3 after --max-seconds.
"""
import argparse
import json
import os
import queue
import sys
import threading
import time

try:
    from confluent_kafka import Consumer, KafkaException
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka (%s): .ci/run installs python3-confluent-kafka" % e,
          file=sys.stderr)
    sys.exit(4)


def out(**kw):
    # Wall-clock seconds: comparable across the member processes of one test.
    kw["t"] = time.time()
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def parts(partitions):
    return sorted(p.partition for p in partitions)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("topic")
    ap.add_argument("group")
    ap.add_argument("--strategy", default="range,roundrobin")
    ap.add_argument("--instance-id")
    ap.add_argument("--session-ms", type=int, default=6000)
    ap.add_argument("--max-seconds", type=float, default=100)
    a = ap.parse_args()

    conf = {
        "bootstrap.servers": a.bootstrap,
        "group.id": a.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": a.session_ms,
        "heartbeat.interval.ms": 500,
        "reconnect.backoff.max.ms": 1000,
        "partition.assignment.strategy": a.strategy,
        "error_cb": lambda err: out(event="error", error=str(err)),
    }
    if a.instance_id:
        conf["group.instance.id"] = a.instance_id
    c = Consumer(conf)

    def on_assign(consumer, partitions):
        out(event="assign", partitions=parts(partitions))

    def on_revoke(consumer, partitions):
        out(event="revoke", partitions=parts(partitions))

    def on_lost(consumer, partitions):
        out(event="lost", partitions=parts(partitions))

    c.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    out(event="ready", pid=os.getpid())

    commands = queue.Queue()

    def read_stdin():
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("close")

    threading.Thread(target=read_stdin, daemon=True).start()
    deadline = time.time() + a.max_seconds
    while time.time() < deadline:
        try:
            cmd = commands.get_nowait()
        except queue.Empty:
            cmd = None
        if cmd == "crash":
            os._exit(0)
        if cmd == "close":
            c.close()
            out(event="closed")
            return 0
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            out(event="error", error=str(msg.error()))
            continue
        value = msg.value()
        out(event="message", partition=msg.partition(), offset=msg.offset(),
            value=value.decode() if value is not None else None)
        try:
            c.commit(message=msg, asynchronous=False)
        except KafkaException as e:
            out(event="commit_error", partition=msg.partition(), offset=msg.offset(), error=str(e))
    out(event="timeout")
    os._exit(3)


if __name__ == "__main__":
    sys.exit(main())
