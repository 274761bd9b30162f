package dev.logbook.java;

import static dev.logbook.java.Driver.TIMEOUT;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * KafkaShareConsumer (KIP-932 share groups) checks, run by
 * integration-tests/share-groups.test.ts. Usage: ShareChecks CHECK BOOTSTRAP TOPIC.
 * Each check makes its own one-partition topic and share group (reading from the
 * earliest offset) and prints one result whose fields do not depend on the broker.
 * The broker is expected to run with a record lock of a few seconds and a delivery
 * count limit of 3.
 */
public final class ShareChecks {
  static final int LIMIT = 3;

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String topic = args[2];
    switch (args[0]) {
      case "sharing" -> sharing(bootstrap, topic);
      case "hold" -> hold(bootstrap, topic);
      case "after-crash" -> afterCrash(bootstrap, topic);
      case "lock-timeout" -> lockTimeout(bootstrap, topic);
      case "before-restart" -> beforeRestart(bootstrap, topic);
      case "after-restart" -> afterRestart(bootstrap, topic);
      case "reject-release" -> rejectRelease(bootstrap, topic);
      case "delivery-limit" -> deliveryLimit(bootstrap, topic);
      case "read-committed" -> readCommitted(bootstrap, topic);
      default -> throw new IllegalArgumentException("unknown check " + args[0]);
    }
  }

  /** A topic of one partition with `n` records v0..v(n-1), each its own batch. */
  static void topicWith(String bootstrap, String topic, int n) throws Exception {
    shareTopic(bootstrap, topic, Map.of());
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of("linger.ms", "0"))) {
      for (int i = 0; i < n; i++) p.send(new ProducerRecord<>(topic, 0, null, "v" + i)).get();
    }
  }

  /** A topic of one partition whose share group reads from the start, with `configs` also set on the group. */
  static void shareTopic(String bootstrap, String topic, Map<String, String> configs) throws Exception {
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      // The share group of this check reads from the start (the default is latest).
      Map<String, String> all = new TreeMap<>(configs);
      all.put("share.auto.offset.reset", "earliest");
      List<AlterConfigOp> ops = new ArrayList<>();
      all.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(GROUP, groupOf(topic)), ops)).all().get();
    }
  }

  static String groupOf(String topic) {
    return "share-" + topic;
  }

  static KafkaShareConsumer<String, String> consumer(String bootstrap, String topic, boolean explicit) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", groupOf(topic));
    p.put("share.acknowledgement.mode", explicit ? "explicit" : "implicit");
    p.put("max.poll.records", "5");
    KafkaShareConsumer<String, String> c =
        new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** ConfigResource.Type.GROUP by its id: kafka-clients 3.9 (these sources compile against it too) lacks the constant. */
  static final ConfigResource.Type GROUP = ConfigResource.Type.forId((byte) 32);

  /**
   * The record's delivery count. Called reflectively: the drivers also compile against
   * kafka-clients 3.9, whose ConsumerRecord has no deliveryCount (these checks run on 4.x).
   */
  static int deliveries(ConsumerRecord<String, String> r) {
    try {
      Object count = ConsumerRecord.class.getMethod("deliveryCount").invoke(r);
      return count instanceof Optional<?> o && o.orElse(null) instanceof Short s ? s : -1;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this kafka-clients has no ConsumerRecord.deliveryCount", e);
    }
  }

  /**
   * Before a broker restart: of 10 records, accepts the first 5 (committed), then
   * acquires the rest and leaves without acknowledging them.
   */
  static void beforeRestart(String bootstrap, String topic) throws Exception {
    topicWith(bootstrap, topic, 10);
    List<String> accepted = new ArrayList<>();
    List<String> held = new ArrayList<>();
    KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, true);
    // Explicit mode: what one poll hands out is acknowledged before the next poll.
    pollUntil(c, () -> accepted.size() >= 5, "5 records", r -> {
      c.acknowledge(r, AcknowledgeType.ACCEPT);
      accepted.add(r.value());
    });
    c.commitSync();
    // Held, not acknowledged: another poll would refuse to run, so one poll's worth.
    pollUntil(c, () -> !held.isEmpty(), "more records", r -> held.add(r.value()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accepted", accepted);
    out.put("held", held);
    result(out);
    System.out.flush();
    // Gone without acknowledging or closing (close() would release them), as in a crash.
    Runtime.getRuntime().halt(0);
  }

  /** After the restart: what a new consumer of the group gets, with delivery counts. */
  static void afterRestart(String bootstrap, String topic) throws Exception {
    Map<String, Integer> got = new TreeMap<>();
    try (KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, false)) {
      pollUntil(c, () -> got.size() >= 5, "5 records", r -> got.put(r.value(), deliveries(r)));
      // A little longer: the accepted ones must not come.
      for (int i = 0; i < 10; i++)
        for (var r : c.poll(Duration.ofMillis(100))) got.put(r.value(), deliveries(r));
    }
    result(Map.of("got", got));
  }

  /** Polls `c` until `done` holds, handing every record to `each`; fails after TIMEOUT. */
  static void pollUntil(
      KafkaShareConsumer<String, String> c,
      BooleanSupplier done,
      String what,
      java.util.function.Consumer<ConsumerRecord<String, String>> each) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
      for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) each.accept(r);
    }
  }

  /**
   * Three consumers of one share group on one partition, polled in turn, accepting what
   * they get: every record is read exactly once, and more than one consumer reads.
   */
  static void sharing(String bootstrap, String topic) throws Exception {
    int n = 60;
    topicWith(bootstrap, topic, n);
    List<KafkaShareConsumer<String, String>> cs = new ArrayList<>();
    for (int i = 0; i < 3; i++) cs.add(consumer(bootstrap, topic, false));
    Map<String, Integer> readCount = new TreeMap<>();
    Map<Integer, Integer> perConsumer = new TreeMap<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (readCount.size() < n) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("timed out: " + readCount.size());
      for (int i = 0; i < cs.size(); i++) {
        for (ConsumerRecord<String, String> r : cs.get(i).poll(Duration.ofMillis(100))) {
          readCount.merge(r.value(), 1, Integer::sum);
          perConsumer.merge(i, 1, Integer::sum);
        }
      }
    }
    // A little longer: nothing may come twice.
    for (int round = 0; round < 10; round++)
      for (var c : cs)
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100)))
          readCount.merge(r.value(), 1, Integer::sum);
    for (var c : cs) c.close();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("distinct", readCount.size());
    out.put("readTwice", readCount.values().stream().filter(x -> x > 1).count());
    out.put("consumersThatRead", perConsumer.size());
    result(out);
  }

  /**
   * Acquires the topic's 5 records without acknowledging them, says so, and waits to be
   * killed (the test's SIGKILL is the crash).
   */
  static void hold(String bootstrap, String topic) throws Exception {
    topicWith(bootstrap, topic, 5);
    KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, true);
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    pollUntil(c, () -> got.size() >= 5, "5 records", got::add);
    Driver.emit("held", Map.of("records", got.size()));
    Thread.sleep(Long.MAX_VALUE);
  }

  /** After the holder crashed: its records come again, delivered a second time. */
  static void afterCrash(String bootstrap, String topic) {
    try (KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, false)) {
      Map<String, Integer> got = new TreeMap<>();
      pollUntil(c, () -> got.size() >= 5, "the held records", r -> got.put(r.value(), deliveries(r)));
      result(got);
    }
  }

  /**
   * A holds records past the lock duration without acknowledging; B then gets them
   * (second delivery), and A's late acknowledgement is refused.
   */
  static void lockTimeout(String bootstrap, String topic) throws Exception {
    topicWith(bootstrap, topic, 3);
    try (KafkaShareConsumer<String, String> a = consumer(bootstrap, topic, true);
        KafkaShareConsumer<String, String> b = consumer(bootstrap, topic, false)) {
      List<ConsumerRecord<String, String>> held = new ArrayList<>();
      pollUntil(a, () -> held.size() >= 3, "a's records", held::add);
      Map<String, Integer> bGot = new TreeMap<>();
      pollUntil(b, () -> bGot.size() >= 3, "b's redelivery", r -> bGot.put(r.value(), deliveries(r)));
      for (var r : held) a.acknowledge(r, AcknowledgeType.ACCEPT);
      Map<TopicIdPartition, Optional<KafkaException>> late = a.commitSync();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("aFirstDeliveries", held.stream().map(ShareChecks::deliveries).toList());
      out.put("bGot", bGot);
      out.put(
          "lateAck",
          late.values().stream()
              .map(e -> e.map(x -> x.getClass().getSimpleName()).orElse("none"))
              .toList());
      result(out);
    }
  }

  /**
   * Explicit acknowledgement: v0 rejected, v1 released, the rest accepted; only v1 comes
   * back (second delivery), nothing else ever does.
   */
  static void rejectRelease(String bootstrap, String topic) throws Exception {
    topicWith(bootstrap, topic, 4);
    try (KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, true)) {
      List<ConsumerRecord<String, String>> first = new ArrayList<>();
      pollUntil(c, () -> first.size() >= 4, "4 records", first::add);
      for (var r : first) {
        AcknowledgeType t =
            switch (r.value()) {
              case "v0" -> AcknowledgeType.REJECT;
              case "v1" -> AcknowledgeType.RELEASE;
              default -> AcknowledgeType.ACCEPT;
            };
        c.acknowledge(r, t);
      }
      c.commitSync();
      Map<String, Integer> again = new TreeMap<>();
      pollUntil(c, () -> !again.isEmpty(), "the released record", r -> {
        again.put(r.value(), deliveries(r));
        c.acknowledge(r, AcknowledgeType.ACCEPT);
      });
      for (int i = 0; i < 15; i++)
        for (var r : c.poll(Duration.ofMillis(100))) {
          again.put(r.value(), deliveries(r));
          c.acknowledge(r, AcknowledgeType.ACCEPT);
        }
      c.commitSync();
      result(again);
    }
  }

  /** A record released every time is delivered LIMIT times, then never again (archived). */
  static void deliveryLimit(String bootstrap, String topic) throws Exception {
    topicWith(bootstrap, topic, 1);
    try (KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, true)) {
      List<Integer> counts = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      long quietSince = -1;
      // Until the record stopped coming for 3 s after its last delivery.
      while (quietSince < 0 || System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("timed out: " + counts);
        var records = c.poll(Duration.ofMillis(100));
        for (var r : records) {
          counts.add(deliveries(r));
          c.acknowledge(r, AcknowledgeType.RELEASE);
        }
        if (!records.isEmpty()) {
          c.commitSync();
          quietSince = counts.size() >= LIMIT ? System.nanoTime() : -1;
        }
      }
      Map<String, Object> out = new HashMap<>();
      out.put("deliveries", counts);
      result(out);
    }
  }

  /**
   * share.isolation.level=read_committed: a committed, an aborted and a committed
   * transaction, then one left open. The share group gets the committed records only,
   * nothing of the open transaction until it commits, never the aborted ones.
   */
  static void readCommitted(String bootstrap, String topic) throws Exception {
    shareTopic(bootstrap, topic, Map.of("share.isolation.level", "read_committed"));
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p =
            producer(bootstrap, Map.of("transactional.id", "share-rc-" + topic, "transaction.timeout.ms", "30000"));
        KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, false)) {
      p.initTransactions();
      Scenarios.txn(p, topic, List.of("c-0", "c-1"), true);
      Scenarios.txn(p, topic, List.of("a-0", "a-1"), false);
      Scenarios.txn(p, topic, List.of("c-2"), true);
      p.beginTransaction();
      p.send(new ProducerRecord<>(topic, 0, null, "open-0"));
      p.flush();
      List<String> got = new ArrayList<>();
      pollUntil(c, () -> got.contains("c-2"), "c-2", r -> got.add(r.value()));
      // Two seconds more: the open transaction's record must not come yet.
      long quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < quietUntil)
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) got.add(r.value());
      out.put("whileOpen", List.copyOf(got));
      p.commitTransaction();
      got.clear();
      pollUntil(c, () -> got.contains("open-0"), "open-0", r -> got.add(r.value()));
      out.put("afterCommit", got);
    }
    result(out);
  }
}
