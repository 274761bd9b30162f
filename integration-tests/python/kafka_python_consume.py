"""kafka-python 2.0.2 (python3-kafka) group consumer for the integration tests.

Usage: kafka_python_consume.py BOOTSTRAP TOPIC GROUP COUNT [MAX_SECONDS]
Joins GROUP, reads exactly COUNT records (one poll record at a time), commits the
consumed positions, closes (LeaveGroup) and exits 0. Prints JSON lines: assigned,
message, committed, closed. Exits 3 if COUNT records do not arrive within MAX_SECONDS.
"""
import json
import os
import sys
import threading
import time

try:
    from kafka import KafkaConsumer, TopicPartition
except ImportError as e:  # pragma: no cover
    print("cannot import kafka (%s): .ci/run installs python3-kafka" % e, file=sys.stderr)
    sys.exit(4)


def out(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main():
    bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    max_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 60

    def watchdog():  # kafka-python can block inside poll() (e.g. no coordinator found)
        out(event="timeout", where="watchdog")
        os._exit(3)

    timer = threading.Timer(max_seconds + 5, watchdog)
    timer.daemon = True
    timer.start()
    c = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id="kafka-python-it",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
        request_timeout_ms=30000,
    )
    deadline = time.time() + max_seconds
    got = 0
    announced = False
    while got < count:
        if time.time() > deadline:
            out(event="timeout", got=got)
            c.close(autocommit=False)
            return 3
        batch = c.poll(timeout_ms=500, max_records=1)
        if not announced and c.assignment():
            announced = True
            out(event="assigned", partitions=sorted(tp.partition for tp in c.assignment()))
        for tp, records in batch.items():
            for r in records:
                got += 1
                out(event="message", partition=tp.partition, offset=r.offset,
                    value=r.value.decode() if r.value is not None else None)
    c.commit()
    committed = {str(tp.partition): c.committed(tp) for tp in sorted(
        c.assignment(), key=lambda t: t.partition)}
    out(event="committed", offsets=committed, version=list(c.config["api_version"] or []))
    c.close(autocommit=False)
    out(event="closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
