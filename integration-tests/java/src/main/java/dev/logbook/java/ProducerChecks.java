package dev.logbook.java;

/**
 * KafkaProducer checks run against Logbook and against Kafka with the same assertions
 * (integration-tests/java-producer.test.ts), reusing the matrix's plans: Usage:
 * ProducerChecks codec-NAME|transactions|consume-transform-produce|transactions-v2|
 * abort-hanging BOOTSTRAP TOPIC. Each makes its one-partition
 * topic first; the test then reads the stored batches over the wire.
 */
public final class ProducerChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String topic = args[2];
    ConsumerChecks.createTopic(bootstrap, topic, 1);
    if (args[0].startsWith("codec-")) {
      Scenarios.codec(bootstrap, topic, args[0].substring("codec-".length()));
    } else if (args[0].equals("transactions")) {
      Scenarios.transactions(bootstrap, topic);
    } else if (args[0].equals("consume-transform-produce")) {
      consumeTransformProduce(bootstrap, topic);
    } else if (args[0].equals("transactions-v2")) {
      transactionsV2(bootstrap, topic);
    } else if (args[0].equals("abort-hanging")) {
      abortHanging(bootstrap, topic);
    } else {
      throw new IllegalArgumentException("unknown check " + args[0]);
    }
  }

  /**
   * Exactly-once consume-transform-produce (KIP-447): records of TOPIC are read in a
   * group, upper-cased to TOPIC-out and their offsets committed in the same
   * transaction (sendOffsetsToTransaction with the consumer's group metadata). The
   * second transaction is aborted and redone; its output and its offsets never count.
   */
  static void consumeTransformProduce(String bootstrap, String topic) throws Exception {
    String outTopic = topic + "-out";
    ConsumerChecks.createTopic(bootstrap, outTopic, 1);
    org.apache.kafka.common.TopicPartition in = new org.apache.kafka.common.TopicPartition(topic, 0);
    try (var p = Driver.producer(bootstrap, java.util.Map.of())) {
      for (int i = 0; i < 6; i++) p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, null, "v-" + i)).get();
    }
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    java.util.List<Long> committed = new java.util.ArrayList<>();
    try (var c = Driver.consumer(bootstrap, "eos-group",
            java.util.Map.of("isolation.level", "read_committed", "max.poll.records", "3"));
        var p = Driver.producer(bootstrap, java.util.Map.of("transactional.id", "eos-" + topic))) {
      p.initTransactions();
      c.subscribe(java.util.List.of(topic));
      for (boolean commit : new boolean[] {true, false, true}) {
        java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> batch = new java.util.ArrayList<>();
        Driver.pollUntil(java.util.List.of(new Driver.Member("c", c)), () -> batch.size() >= 3, "3 records",
            (m, r) -> batch.add(r));
        p.beginTransaction();
        for (var r : batch) {
          p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(outTopic, 0, null, r.value().toUpperCase()));
        }
        long next = batch.get(batch.size() - 1).offset() + 1;
        p.sendOffsetsToTransaction(java.util.Map.of(in, new org.apache.kafka.clients.consumer.OffsetAndMetadata(next)),
            c.groupMetadata());
        if (commit) {
          p.commitTransaction();
        } else {
          p.flush();
          p.abortTransaction();
        }
        var after = c.committed(java.util.Set.of(in), Driver.TIMEOUT).get(in);
        committed.add(after == null ? -1 : after.offset());
        // After an abort, go back to the last committed offset to redo the work.
        if (!commit) c.seek(in, after == null ? 0 : after.offset());
      }
    }
    out.put("committedAfterEach", committed);
    out.put("outCommitted", ConsumerChecks.readAll(bootstrap,
        new org.apache.kafka.common.TopicPartition(outTopic, 0), "read_committed", "V-5"));
    Driver.result(out);
  }

  /**
   * Transactions v2 (KIP-890): commit, abort, commit, each with offsets sent to the
   * transaction. Reports whether the client switched to transactions v2 (it does when
   * the broker finalizes transaction.version 2) and the producer epoch after
   * initTransactions and after each end (v2 bumps it every time), both read from the
   * client's transaction manager, then what read_committed sees and the group's offset.
   */
  static void transactionsV2(String bootstrap, String topic) throws Exception {
    var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    java.util.List<Short> epochs = new java.util.ArrayList<>();
    String group = "tv2-" + topic;
    try (var p = Driver.producer(bootstrap, java.util.Map.of("transactional.id", "tv2-" + topic))) {
      p.initTransactions();
      Object tm = field(p, "transactionManager");
      epochs.add(epoch(tm));
      int i = 0;
      for (boolean commit : new boolean[] {true, false, true}) {
        p.beginTransaction();
        String value = (commit ? "c-" : "a-") + i++;
        p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, null, value));
        p.sendOffsetsToTransaction(
            java.util.Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(i)),
            new org.apache.kafka.clients.consumer.ConsumerGroupMetadata(group));
        if (commit) {
          p.commitTransaction();
        } else {
          p.flush();
          p.abortTransaction();
        }
        epochs.add(epoch(tm));
      }
      out.put("transactionV2", tm.getClass().getMethod("isTransactionV2Enabled").invoke(tm));
    }
    out.put("epochs", epochs);
    out.put("committed", ConsumerChecks.readAll(bootstrap, tp, "read_committed", "c-2"));
    try (var admin = Driver.admin(bootstrap)) {
      var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      var committed = offsets.get(tp);
      out.put("groupOffset", committed == null ? -1 : committed.offset());
    }
    Driver.result(out);
  }

  /**
   * What kafka-transactions.sh abort does for a hanging transaction: a transactional
   * producer leaves records of an open transaction in partition 0; Admin.describeProducers
   * finds it, Admin.abortTransaction has the partition's leader write an ABORT marker
   * (WriteTxnMarkers), and a read_committed consumer then reads past it. Reports the
   * open transaction's start offset seen before, the one after, and what was read.
   */
  static void abortHanging(String bootstrap, String topic) throws Exception {
    var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
    var out = new java.util.LinkedHashMap<String, Object>();
    var p = Driver.producer(bootstrap, java.util.Map.of(
        "transactional.id", "hanging-" + topic, "transaction.timeout.ms", "300000"));
    try (var admin = Driver.admin(bootstrap)) {
      p.initTransactions();
      p.beginTransaction();
      for (int i = 0; i < 3; i++)
        p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, null, "hanging-" + i));
      p.flush();
      var before = admin.describeProducers(java.util.List.of(tp)).partitionResult(tp)
          .get(30, java.util.concurrent.TimeUnit.SECONDS).activeProducers().stream()
          .filter(s -> s.currentTransactionStartOffset().isPresent()).findFirst().orElseThrow();
      out.put("openAt", before.currentTransactionStartOffset().getAsLong());
      admin.abortTransaction(new org.apache.kafka.clients.admin.AbortTransactionSpec(
              tp, before.producerId(), (short) before.producerEpoch(),
              before.coordinatorEpoch().orElse(0)))
          .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
      var after = admin.describeProducers(java.util.List.of(tp)).partitionResult(tp)
          .get(30, java.util.concurrent.TimeUnit.SECONDS).activeProducers().stream()
          .filter(s -> s.currentTransactionStartOffset().isPresent()).count();
      out.put("openAfter", after);
    }
    try (var plain = Driver.producer(bootstrap, java.util.Map.of())) {
      plain.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, null, "after")).get();
    }
    out.put("readCommitted", ConsumerChecks.readAll(bootstrap, tp, "read_committed", "after"));
    // The producer still believes in its transaction; it is not needed any more.
    p.close(java.time.Duration.ZERO);
    Driver.result(out);
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    var f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  /** The epoch the client's transaction manager holds now. */
  private static short epoch(Object transactionManager) throws ReflectiveOperationException {
    var m = transactionManager.getClass().getDeclaredMethod("producerIdAndEpoch");
    m.setAccessible(true);
    Object pe = m.invoke(transactionManager);
    return pe.getClass().getField("epoch").getShort(pe);
  }
}
