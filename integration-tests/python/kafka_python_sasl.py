"""kafka-python 2.0.2 (python3-kafka) over a SASL listener, driven by sasl-listeners.test.ts.

Usage: kafka_python_sasl.py BOOTSTRAP TOPIC MECHANISM USER PASSWORD
kafka-python 2.0 authenticates with a v0 SaslHandshake and bare SASL tokens. Produces
three records to TOPIC (auto-created), reads them back and prints
{"event": "result", "values": [...]}; prints {"event": "error", "error": ...} and exits 1
when a step fails.
"""
import json
import sys

try:
    from kafka import KafkaConsumer, KafkaProducer
except ImportError as e:  # pragma: no cover
    print("cannot import kafka (%s): .ci/run installs python3-kafka" % e, file=sys.stderr)
    sys.exit(4)


def main():
    bootstrap, topic, mechanism, user, password = sys.argv[1:6]
    sasl = dict(
        bootstrap_servers=bootstrap,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=mechanism,
        sasl_plain_username=user,
        sasl_plain_password=password,
        api_version=(2, 5, 0),
    )
    try:
        producer = KafkaProducer(**sasl)
        for i in range(3):
            producer.send(topic, value=b"v%d" % i).get(timeout=30)
        producer.close()
        consumer = KafkaConsumer(
            topic, auto_offset_reset="earliest", consumer_timeout_ms=10000, **sasl
        )
        values = []
        for m in consumer:
            values.append(m.value.decode())
            if len(values) == 3:
                break
        consumer.close()
    except Exception as e:  # the test asserts on the error's name
        sys.stdout.write(json.dumps({"event": "error", "error": type(e).__name__}) + "\n")
        return 1
    sys.stdout.write(json.dumps({"event": "result", "values": values}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
