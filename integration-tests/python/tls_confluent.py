"""librdkafka (python3-confluent-kafka) over a TLS or SASL listener, driven by
tls-listeners.test.ts and sasl-listeners.test.ts.

Usage:
  tls_confluent.py BOOTSTRAP TOPIC KEY=VALUE...
      The pairs are the client's security settings (security.protocol=SSL,
      ssl.ca.location=..., or SASL's sasl.mechanisms, sasl.username, ...). Produces three records to TOPIC (auto-created), reads them
      back and prints {"event": "result", "ports": [...], "values": [...]}: the ports
      the cluster's Metadata advertises and the values read.
Exits 0 when every step worked, 1 otherwise.
"""
import json
import sys

try:
    from confluent_kafka import Consumer, Producer
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka (%s): .ci/run installs python3-confluent-kafka" % e,
          file=sys.stderr)
    sys.exit(4)

TIMEOUT = 30


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    security = dict(a.split("=", 1) for a in sys.argv[3:])
    base = dict(security, **{"bootstrap.servers": bootstrap})
    producer = Producer(dict(base, **{"linger.ms": 5}))
    ports = sorted(b.port for b in producer.list_topics(timeout=TIMEOUT).brokers.values())
    for i in range(3):
        producer.produce(topic, key="k%d" % i, value="v%d" % i)
    if producer.flush(TIMEOUT) != 0:
        print("records left unsent", file=sys.stderr)
        return 1
    consumer = Consumer(dict(base, **{
        "group.id": "tls-" + topic,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }))
    consumer.subscribe([topic])
    values = []
    for _ in range(TIMEOUT * 10):
        if len(values) >= 3:
            break
        m = consumer.poll(0.1)
        if m is None:
            continue
        if m.error() is not None:
            print("consume error: %s" % m.error(), file=sys.stderr)
            continue
        values.append(m.value().decode())
    consumer.close()
    sys.stdout.write(json.dumps({"event": "result", "ports": ports, "values": values}) + "\n")
    return 0 if len(values) == 3 else 1


if __name__ == "__main__":
    sys.exit(main())
