"""librdkafka (python3-confluent-kafka) over a TLS or SASL listener, driven by
tls-listeners.test.ts, sasl-listeners.test.ts and security-matrix.test.ts.

Usage:
  tls_confluent.py BOOTSTRAP TOPIC KEY=VALUE...
      The pairs are the client's security settings (security.protocol=SSL,
      ssl.ca.location=..., or SASL's sasl.mechanisms, sasl.username, ...). Produces three records to TOPIC (auto-created), reads them
      back and prints {"event": "result", "ports": [...], "values": [...]}: the ports
      the cluster's Metadata advertises and the values read. A group.id pair names the
      consumer's group (default tls-TOPIC) and goes to the consumer only.
A step the broker refuses prints {"event": "result", "error": NAME, "message": ...}
instead, NAME being librdkafka's error name (_AUTHENTICATION, _TRANSPORT,
TOPIC_AUTHORIZATION_FAILED, ...): the first error librdkafka reported.
Exits 0 when every step worked or was refused, 1 otherwise.
"""
import json
import sys

try:
    from confluent_kafka import Consumer, KafkaException, Producer
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka (%s): .ci/run installs python3-confluent-kafka" % e,
          file=sys.stderr)
    sys.exit(4)

TIMEOUT = 30


class Refused(Exception):
    """A step failed; carries the first error librdkafka reported."""

    def __init__(self, error):
        super().__init__(error.str())
        self.error = error


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    security = dict(a.split("=", 1) for a in sys.argv[3:])
    group = security.pop("group.id", "tls-" + topic)
    errors = []
    base = dict(security, **{"bootstrap.servers": bootstrap, "error_cb": errors.append})
    try:
        return round_trip(base, topic, group, errors)
    except Refused as e:
        sys.stdout.write(json.dumps({
            "event": "result", "error": e.error.name(), "message": e.error.str(),
        }) + "\n")
        return 0


def round_trip(base, topic, group, errors):
    producer = Producer(dict(base, **{"linger.ms": 5}))
    try:
        brokers = producer.list_topics(timeout=TIMEOUT / 3).brokers.values()
    except KafkaException as e:
        producer.poll(1)  # serves error_cb with what the connections saw
        raise Refused(errors[0] if errors else e.args[0])
    ports = sorted(b.port for b in brokers)

    def delivered(err, _msg):
        if err is not None:
            errors.append(err)

    for i in range(3):
        producer.produce(topic, key="k%d" % i, value="v%d" % i, on_delivery=delivered)
    if producer.flush(TIMEOUT) != 0:
        print("records left unsent", file=sys.stderr)
        return 1
    if errors:
        raise Refused(errors[0])
    consumer = Consumer(dict(base, **{
        "group.id": group,
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
