"""kafka-python 2.0.2 (python3-kafka) over a SASL listener, driven by sasl-listeners.test.ts
and security-matrix.test.ts.

Usage: kafka_python_sasl.py BOOTSTRAP TOPIC MECHANISM USER PASSWORD [KEY=VALUE...]
kafka-python 2.0 authenticates with a v0 SaslHandshake and bare SASL tokens. The pairs are
more keyword arguments of the clients (security_protocol=SASL_SSL, ssl_cafile=...; digits
are passed as numbers); a group_id pair goes to the consumer only (default: no group),
max_block_ms to the producer only.
Creates TOPIC with KafkaAdminClient (one that exists is fine), produces three records to
it, reads them back and prints {"event": "result", "values": [...]}; prints
{"event": "error", "error": ..., "message": ...} (the exception's name and text, and the
last error the library logged: a refused SASL v0 exchange shows only there, as the
connection the broker closed) and exits 1 when a step fails.
"""
import json
import logging
import sys
import threading

try:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
    from kafka.admin import NewTopic
    from kafka.errors import KafkaTimeoutError, TopicAlreadyExistsError
except ImportError as e:  # pragma: no cover
    print("cannot import kafka (%s): .ci/run installs python3-kafka" % e, file=sys.stderr)
    sys.exit(4)


class LastError(logging.Handler):
    """Keeps the last error the library logged, with its exception."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.text = None

    def emit(self, record):
        self.text = record.getMessage()
        if record.exc_info is not None and record.exc_info[1] is not None:
            self.text += ": %r" % (record.exc_info[1],)


def create_topic(config, topic):
    """CreateTopics in a thread with a deadline: 2.0.2's admin client waits for a ready
    connection without one."""
    failed = []

    def run():
        try:
            admin = KafkaAdminClient(**config)
            try:
                admin.create_topics([NewTopic(topic, 1, 1)])
            except TopicAlreadyExistsError:
                pass
            admin.close()
        except Exception as e:  # reported by the caller
            failed.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(20)
    if t.is_alive():
        raise KafkaTimeoutError("the admin client did not finish within 20 s")
    if failed:
        raise failed[0]


def main():
    bootstrap, topic, mechanism, user, password = sys.argv[1:6]
    extra = dict(a.split("=", 1) for a in sys.argv[6:])
    extra = {k: int(v) if v.isdigit() else v for k, v in extra.items()}
    group = extra.pop("group_id", None)
    producer_only = {k: extra.pop(k) for k in ["max_block_ms"] if k in extra}
    sasl = dict(
        bootstrap_servers=bootstrap,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=mechanism,
        sasl_plain_username=user,
        sasl_plain_password=password,
        api_version=(2, 5, 0),
        # The admin client's first connection (TLS, SCRAM) within this, not 2 s: a loaded
        # machine needs more.
        api_version_auto_timeout_ms=10000,
    )
    sasl.update(extra)
    logged = LastError()
    logging.getLogger("kafka").addHandler(logged)
    try:
        create_topic(sasl, topic)
        producer = KafkaProducer(**dict(sasl, **producer_only))
        for i in range(3):
            producer.send(topic, value=b"v%d" % i).get(timeout=30)
        producer.close()
        consumer = KafkaConsumer(
            topic, group_id=group, auto_offset_reset="earliest", consumer_timeout_ms=10000,
            **sasl
        )
        values = []
        for m in consumer:
            values.append(m.value.decode())
            if len(values) == 3:
                break
        consumer.close()
    except Exception as e:  # the test asserts on the error's name
        sys.stdout.write(json.dumps({
            "event": "error", "error": type(e).__name__,
            "message": "%s (last logged error: %s)" % (e, logged.text),
        }) + "\n")
        return 1
    sys.stdout.write(json.dumps({"event": "result", "values": values}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
