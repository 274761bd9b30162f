package dev.logbook.java;

import static dev.logbook.java.Driver.TIMEOUT;
import static dev.logbook.java.Driver.consumer;
import static dev.logbook.java.Driver.pollUntil;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.read;
import static dev.logbook.java.Driver.result;

import dev.logbook.java.Driver.Member;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Interop matrix driver for the Java client (kafka-clients).
 *
 * <p>Usage: Scenarios SCENARIO BOOTSTRAP TOPIC [ARG], Scenarios version, or Scenarios
 * api-versions APIKEY... (the versions of those APIs the client can send). Runs one
 * scenario of integration-tests/interop/scenarios.ts (the plan is described there) and
 * prints one JSON line {"event": "result", "result": ...} for the test to check.
 */
public final class Scenarios {
  static final List<String> KEYS =
      List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel");
  static final String SRC = "kafka-clients";
  static final int GROUP_PARTITIONS = 4;

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String scenario = args[0];
    if (scenario.equals("version")) {
      result(Driver.clientVersion());
      return;
    }
    if (scenario.equals("api-versions")) {
      apiVersions(List.of(args).subList(1, args.length));
      return;
    }
    String bootstrap = args[1];
    String topic = args[2];
    if (scenario.startsWith("codec-")) {
      codec(bootstrap, topic, scenario.substring("codec-".length()));
      return;
    }
    switch (scenario) {
      case "metadata" -> metadata(bootstrap, topic);
      case "topic-admin" -> topicAdmin(bootstrap, topic);
      case "keyed-headers" -> keyedHeaders(bootstrap, topic);
      case "group" -> group(bootstrap, topic, "g", Map.of());
      case "group-consumer-protocol" -> group(bootstrap, topic, "gc", Map.of("group.protocol", "consumer"));
      case "share-group" -> ShareScenario.run(bootstrap, topic);
      case "offsets-by-time" -> offsetsByTime(bootstrap, topic, Long.parseLong(args[3]));
      case "idempotent" -> idempotent(bootstrap, topic);
      case "transactions" -> transactions(bootstrap, topic);
      case "large-record" -> largeRecord(bootstrap, topic);
      case "compacted" -> compacted(bootstrap, topic);
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  /** Which versions of each named API (an ApiKeys constant) this client can send. */
  static void apiVersions(List<String> names) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String n : names) out.put(n, ApiKeys.valueOf(n).allVersions());
    result(out);
  }

  static void metadata(String bootstrap, String topic) throws Exception {
    try (Admin admin = Driver.admin(bootstrap)) {
      List<Map<String, Object>> brokers = new ArrayList<>();
      for (Node n : admin.describeCluster().nodes().get()) {
        brokers.add(Map.of("id", n.id(), "host", n.host(), "port", n.port()));
      }
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      List<Map<String, Object>> partitions = new ArrayList<>();
      d.partitions().forEach(p -> partitions.add(Map.of("partition", p.partition(), "leader", p.leader().id())));
      result(Map.of("brokers", brokers, "partitions", partitions));
    }
  }

  /** Whether `topic` is listed, asked until it is `want` or 5 s have passed. */
  static boolean listedSettled(Admin admin, String topic, boolean want) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (;;) {
      boolean listed = admin.listTopics().names().get().contains(topic);
      if (listed == want || System.nanoTime() > deadline) return listed;
      Thread.sleep(100);
    }
  }

  static void topicAdmin(String bootstrap, String topic) throws Exception {
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      boolean listed = listedSettled(admin, topic, true);
      int partitions =
          listed
              ? admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size()
              : 0;
      admin.deleteTopics(List.of(topic)).all().get();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("partitions", partitions);
      out.put("listedAfterCreate", listed);
      out.put("listedAfterDelete", listedSettled(admin, topic, false));
      result(out);
    }
  }

  static void keyedHeaders(String bootstrap, String topic) throws Exception {
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int round = 0; round < 5; round++) {
        for (String k : KEYS) {
          ProducerRecord<String, String> r = new ProducerRecord<>(topic, k, k + "-" + round);
          r.headers().add(new RecordHeader("round", String.valueOf(round).getBytes(StandardCharsets.UTF_8)));
          r.headers().add(new RecordHeader("src", SRC.getBytes(StandardCharsets.UTF_8)));
          p.send(r);
        }
        p.flush();
      }
    }
    result(read(bootstrap, topic, KEYS.size() * 5, Map.of()));
  }

  static void codec(String bootstrap, String topic, String name) throws Exception {
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of("compression.type", name))) {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sent.add(p.send(new ProducerRecord<>(topic, 0, "k" + (i % 5), name + "-" + i + "-" + "x".repeat(200))));
      }
      p.flush();
      for (var f : sent) f.get(); // a failed delivery throws here
    }
    result(read(bootstrap, topic, 20, Map.of()));
  }

  /** The group plan in group `groupId`, its members made with `config` on top of Driver's. */
  static void group(String bootstrap, String topic, String groupId, Map<String, String> config)
      throws Exception {
    Map<String, Set<Integer>> held = new HashMap<>();
    held.put("a", new TreeSet<>());
    held.put("b", new TreeSet<>());
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    List<String> resumed = new ArrayList<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      produceEach(p, topic, "one", 5);
      KafkaConsumer<String, String> a = member(bootstrap, topic, groupId, config, "a", held);
      Member ma = new Member("a", a);
      pollUntil(List.of(ma), () -> first.size() >= 20, "a to read 20", (m, r) -> {
        first.add(r.value());
        commit(m.consumer(), r);
      });
      KafkaConsumer<String, String> b = member(bootstrap, topic, groupId, config, "b", held);
      List<Member> both = List.of(ma, new Member("b", b));
      BiConsumer<Member, ConsumerRecord<String, String>> onSecond = (m, r) -> {
        second.add(m.name() + ":" + r.partition() + ":" + r.value());
        commit(m.consumer(), r);
      };
      pollUntil(both, () -> split(held), "a and b to split the partitions", onSecond);
      Map<String, Object> assignments = new LinkedHashMap<>();
      assignments.put("a", new ArrayList<>(held.get("a")));
      assignments.put("b", new ArrayList<>(held.get("b")));
      produceEach(p, topic, "two", 5);
      pollUntil(both, () -> second.size() >= 20, "20 more", onSecond);
      a.close();
      b.close();
      produceEach(p, topic, "three", 1);
      try (KafkaConsumer<String, String> c = member(bootstrap, topic, groupId, config, "c", held)) {
        pollUntil(List.of(new Member("c", c)), () -> resumed.size() >= GROUP_PARTITIONS, "c to read 4",
            (m, r) -> {
              resumed.add(r.value());
              commit(m.consumer(), r);
            });
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("assignments", assignments);
      out.put("firstPhase", first);
      out.put("secondPhase", second);
      out.put("resumed", resumed);
      result(out);
    }
  }

  static boolean split(Map<String, Set<Integer>> held) {
    Set<Integer> a = held.get("a");
    Set<Integer> b = held.get("b");
    Set<Integer> all = new TreeSet<>(a);
    all.addAll(b);
    return !a.isEmpty() && !b.isEmpty() && all.size() == GROUP_PARTITIONS && a.size() + b.size() == GROUP_PARTITIONS;
  }

  static KafkaConsumer<String, String> member(
      String bootstrap,
      String topic,
      String groupId,
      Map<String, String> config,
      String name,
      Map<String, Set<Integer>> held) {
    KafkaConsumer<String, String> c = consumer(bootstrap, groupId, config);
    c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> parts) {
        if (held.containsKey(name)) parts.forEach(tp -> held.get(name).add(tp.partition()));
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> parts) {
        if (held.containsKey(name)) parts.forEach(tp -> held.get(name).remove(tp.partition()));
      }
    });
    return c;
  }

  static void commit(KafkaConsumer<String, String> c, ConsumerRecord<String, String> r) {
    c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
  }

  static void produceEach(KafkaProducer<String, String> p, String topic, String prefix, int n)
      throws Exception {
    List<Future<?>> sent = new ArrayList<>();
    for (int part = 0; part < GROUP_PARTITIONS; part++) {
      for (int i = 0; i < n; i++) {
        sent.add(p.send(new ProducerRecord<>(topic, part, null, prefix + "-" + part + "-" + i)));
      }
    }
    p.flush();
    for (var f : sent) f.get();
  }

  static void offsetsByTime(String bootstrap, String topic, long t0) throws Exception {
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>(topic, 0, t0 + i * 1000L, null, "t-" + i));
      p.flush();
    }
    try (KafkaConsumer<String, String> c = consumer(bootstrap, "timed", Map.of())) {
      OffsetAndTimestamp found = c.offsetsForTimes(Map.of(tp, t0 + 4500), TIMEOUT).get(tp);
      if (found == null) throw new IllegalStateException("offsetsForTimes found nothing");
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      Member m = new Member("c", c);
      List<String> firstRead = new ArrayList<>();
      pollUntil(List.of(m), () -> !firstRead.isEmpty(), "the first record", (x, r) -> firstRead.add(r.value()));
      c.seek(tp, found.offset());
      List<String> values = new ArrayList<>();
      pollUntil(List.of(m), () -> values.contains("t-9"), "t-9", (x, r) -> values.add(r.value()));
      result(Map.of("offset", found.offset(), "values", values));
    }
  }

  static void idempotent(String bootstrap, String topic) throws Exception {
    // enable.idempotence is the Java producer's default (acks=all): not set here on purpose.
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      List<Future<?>> sent = new ArrayList<>();
      for (int half : new int[] {0, 5}) {
        for (int i = 0; i < 5; i++) sent.add(p.send(new ProducerRecord<>(topic, 0, null, "i-" + (half + i))));
        p.flush();
      }
      for (var f : sent) f.get();
    }
    result(read(bootstrap, topic, 10, Map.of()));
  }

  static void transactions(String bootstrap, String topic) throws Exception {
    try (KafkaProducer<String, String> p =
        producer(bootstrap, Map.of("transactional.id", "java-tx-" + topic, "transaction.timeout.ms", "20000"))) {
      p.initTransactions();
      txn(p, topic, List.of("c-0", "c-1", "c-2"), true);
      txn(p, topic, List.of("a-0", "a-1", "a-2"), false);
      txn(p, topic, List.of("c-end"), true);
    }
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, "txn-reader", Map.of("isolation.level", "read_committed"))) {
      c.subscribe(List.of(topic));
      pollUntil(List.of(new Member("c", c)), () -> values.contains("c-end"), "c-end", (x, r) -> values.add(r.value()));
    }
    result(values);
  }

  static void txn(KafkaProducer<String, String> p, String topic, List<String> values, boolean commit) {
    p.beginTransaction();
    for (String v : values) p.send(new ProducerRecord<>(topic, 0, null, v));
    if (commit) {
      p.commitTransaction();
    } else {
      // Delivered first, so the broker holds aborted data for read_committed to filter out.
      p.flush();
      p.abortTransaction();
    }
  }

  static void largeRecord(String bootstrap, String topic) throws Exception {
    String big = "0123456789abcdef".repeat(1_000_000 / 16);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of("max.request.size", "2000000"))) {
      p.send(new ProducerRecord<>(topic, 0, null, big)).get();
      p.send(new ProducerRecord<>(topic, 0, null, "after")).get();
    }
    List<String> got = new ArrayList<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, "large",
        Map.of("max.partition.fetch.bytes", "2097152", "fetch.max.bytes", "4194304"))) {
      c.subscribe(List.of(topic));
      pollUntil(List.of(new Member("c", c)), () -> got.size() >= 2, "2 records", (x, r) -> got.add(r.value()));
    }
    byte[] first = got.get(0).getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(first));
    result(Map.of("sizes", got.stream().map(v -> v.getBytes(StandardCharsets.UTF_8).length).toList(), "sha256", sha));
  }

  static void compacted(String bootstrap, String topic) throws Exception {
    String[][] pairs = {{"k1", "v1"}, {"k2", "v1"}, {"k1", "v2"}, {"k2", null}, {"k3", "v1"}};
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (String[] kv : pairs) p.send(new ProducerRecord<>(topic, 0, kv[0], kv[1])).get();
    }
    result(read(bootstrap, topic, 5, Map.of()));
  }
}
