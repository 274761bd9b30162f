"""Transactions that keep going while the transaction coordinator's broker dies
(postgres-transactions.test.ts), with librdkafka through Debian's confluent_kafka.

Usage: txn_failover_confluent.py BOOTSTRAP TOPIC PARTITIONS SECONDS. For SECONDS,
transaction N writes "tN-P" to every partition P and commits. Prints one result line:
{"committed": [...], "uncertain": [...], "errors": [...]}: "committed" are the N whose
commit returned; "uncertain" those whose commit failed (seen whole or not at all); errors
by librdkafka's name. A transaction that needs aborting is aborted (then it is not
uncertain but known aborted, and listed under "aborted"); a producer left unusable is
replaced by one with the same transactional id.
"""
import json
import sys
import time

from confluent_kafka import KafkaException, Producer

TIMEOUT = 30


def result(value):
    sys.stdout.write(json.dumps({"event": "result", "result": value}) + "\n")
    sys.stdout.flush()


def start(bootstrap, topic, errors):
    for attempt in range(6):
        p = Producer({
            "bootstrap.servers": bootstrap,
            "transactional.id": "rdkafka-failover-" + topic,
            "transaction.timeout.ms": 5000,
            "message.timeout.ms": 5000,
        })
        try:
            p.init_transactions(TIMEOUT)
            return p
        except KafkaException as e:
            errors.append(e.args[0].name())
            if attempt == 5:
                raise
            time.sleep(0.5)


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    partitions, seconds = int(sys.argv[3]), float(sys.argv[4])
    committed, uncertain, aborted, errors = [], [], [], []
    p = start(bootstrap, topic, errors)
    until = time.time() + seconds
    n = 0
    while time.time() < until:
        try:
            p.begin_transaction()
            for part in range(partitions):
                p.produce(topic, value=f"t{n}-{part}", partition=part)
            p.commit_transaction(TIMEOUT)
            committed.append(n)
        except KafkaException as e:
            err = e.args[0]
            errors.append(err.name())
            if err.txn_requires_abort():
                try:
                    p.abort_transaction(TIMEOUT)
                    aborted.append(n)
                except KafkaException as e2:
                    errors.append(e2.args[0].name())
                    uncertain.append(n)
                    p = start(bootstrap, topic, errors)
            else:
                uncertain.append(n)
                p = start(bootstrap, topic, errors)
        n += 1
        time.sleep(0.05)
    result({"committed": committed, "uncertain": uncertain, "aborted": aborted, "errors": errors})


if __name__ == "__main__":
    main()
