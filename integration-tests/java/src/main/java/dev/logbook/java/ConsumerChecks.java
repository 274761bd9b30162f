package dev.logbook.java;

import static dev.logbook.java.Driver.TIMEOUT;
import static dev.logbook.java.Driver.consumer;
import static dev.logbook.java.Driver.pollFor;
import static dev.logbook.java.Driver.pollUntil;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import dev.logbook.java.Driver.Member;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * KafkaConsumer checks run against Logbook and against Kafka with the same assertions
 * (integration-tests/java-consumer.test.ts). Usage: ConsumerChecks CHECK BOOTSTRAP TOPIC
 * [ARG]. Each check makes its own topic and prints one result whose every field is
 * independent of the broker (no ids, hosts or times).
 */
public final class ConsumerChecks {
  static final int PARTITIONS = 4;

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String topic = args[2];
    switch (args[0]) {
      case "group" -> group(bootstrap, topic, args[3]);
      case "static" -> staticMembership(bootstrap, topic);
      case "assign-seek" -> assignSeek(bootstrap, topic, Long.parseLong(args[3]));
      case "read-committed" -> readCommitted(bootstrap, topic);
      case "recreated-topic" -> recreatedTopic(bootstrap, topic);
      case "consumer-protocol" -> consumerProtocol(bootstrap, topic);
      default -> throw new IllegalArgumentException("unknown check " + args[0]);
    }
  }

  static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  static void produceEach(KafkaProducer<String, String> p, String topic, String prefix) throws Exception {
    List<Future<?>> sent = new ArrayList<>();
    for (int part = 0; part < PARTITIONS; part++) {
      sent.add(p.send(new ProducerRecord<>(topic, part, null, prefix + "-" + part)));
    }
    p.flush();
    for (Future<?> f : sent) f.get();
  }

  static void commit(KafkaConsumer<String, String> c, ConsumerRecord<String, String> r) {
    c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
  }

  /**
   * Who holds which partition, as the rebalance listeners say, and what each member was
   * asked to give up per phase; any moment a partition is held by two members is kept.
   */
  static final class Ownership {
    final Map<String, Set<Integer>> held = new TreeMap<>();
    final Map<String, Map<String, Set<Integer>>> revokedByPhase = new LinkedHashMap<>();
    final Map<String, Integer> callbacks = new HashMap<>();
    final List<String> overlaps = new ArrayList<>();
    String phase = "start";

    ConsumerRebalanceListener listener(String name) {
      held.put(name, new TreeSet<>());
      return new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
          if (parts.isEmpty()) return;
          callbacks.merge(name, 1, Integer::sum);
          parts.forEach(tp -> held.get(name).add(tp.partition()));
          checkOverlap();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          if (parts.isEmpty()) return;
          callbacks.merge(name, 1, Integer::sum);
          Set<Integer> r = revokedByPhase.computeIfAbsent(phase, k -> new TreeMap<>())
              .computeIfAbsent(name, k -> new TreeSet<>());
          parts.forEach(tp -> {
            r.add(tp.partition());
            held.get(name).remove(tp.partition());
          });
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> parts) {
          callbacks.merge(name, 1, Integer::sum);
          parts.forEach(tp -> held.get(name).remove(tp.partition()));
        }
      };
    }

    void checkOverlap() {
      Map<Integer, String> owner = new HashMap<>();
      held.forEach((name, parts) -> parts.forEach(p -> {
        String other = owner.put(p, name);
        if (other != null) overlaps.add(phase + ": partition " + p + " held by " + other + " and " + name);
      }));
    }

    List<Integer> of(String name) {
      return new ArrayList<>(held.get(name));
    }

    Map<String, List<Integer>> revoked(String phase) {
      Map<String, List<Integer>> out = new TreeMap<>();
      revokedByPhase.getOrDefault(phase, Map.of()).forEach((k, v) -> out.put(k, new ArrayList<>(v)));
      return out;
    }
  }

  /**
   * A classic group with `assignor` (range or cooperative-sticky): a reads alone and
   * commits; b joins (the partitions split); both read; b leaves (a takes everything
   * back); a reads and closes; c resumes at the commits and reads only what is new.
   */
  static void group(String bootstrap, String topic, String assignor) throws Exception {
    createTopic(bootstrap, topic, PARTITIONS);
    String cls = switch (assignor) {
      case "range" -> "org.apache.kafka.clients.consumer.RangeAssignor";
      case "cooperative-sticky" -> "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
      default -> throw new IllegalArgumentException(assignor);
    };
    Map<String, String> conf = Map.of("partition.assignment.strategy", cls);
    String group = "java-" + assignor;
    Ownership own = new Ownership();
    Map<String, List<String>> readBy = new TreeMap<>();
    List<String> misowned = new ArrayList<>();
    BiConsumer<Member, ConsumerRecord<String, String>> onRecord = (m, r) -> {
      if (!own.held.get(m.name()).contains(r.partition())) misowned.add(m.name() + " read " + r.value());
      readBy.computeIfAbsent(own.phase, k -> new ArrayList<>()).add(r.value());
      commit(m.consumer(), r);
    };
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      produceEach(p, topic, "one");
      KafkaConsumer<String, String> a = consumer(bootstrap, group, conf);
      a.subscribe(List.of(topic), own.listener("a"));
      Member ma = new Member("a", a);
      own.phase = "a-alone";
      pollUntil(List.of(ma), () -> readBy.getOrDefault("a-alone", List.of()).size() >= PARTITIONS, "a to read", onRecord);

      own.phase = "b-joins";
      KafkaConsumer<String, String> b = consumer(bootstrap, group, conf);
      b.subscribe(List.of(topic), own.listener("b"));
      List<Member> both = List.of(ma, new Member("b", b));
      pollUntil(both, () -> own.held.get("a").size() == 2 && own.held.get("b").size() == 2, "a and b to hold 2 each", onRecord);
      out.put("heldAfterJoin", List.of(own.held.get("a").size(), own.held.get("b").size()));
      out.put("revokedWhenBJoined", own.revoked("b-joins"));

      own.phase = "both";
      produceEach(p, topic, "two");
      pollUntil(both, () -> readBy.getOrDefault("both", List.of()).size() >= PARTITIONS, "both to read", onRecord);
      // Nothing more arrives: no record is read twice.
      pollFor(both, 500, onRecord);

      own.phase = "b-leaves";
      b.close();
      own.held.get("b").clear();
      pollUntil(List.of(ma), () -> own.held.get("a").size() == PARTITIONS, "a to take all back", onRecord);
      out.put("revokedWhenBLeft", own.revoked("b-leaves"));
      own.phase = "a-again";
      produceEach(p, topic, "three");
      pollUntil(List.of(ma), () -> readBy.getOrDefault("a-again", List.of()).size() >= PARTITIONS, "a to read", onRecord);
      a.close();
      own.held.get("a").clear();

      own.phase = "resume";
      produceEach(p, topic, "four");
      try (KafkaConsumer<String, String> c = consumer(bootstrap, group, conf)) {
        c.subscribe(List.of(topic), own.listener("c"));
        Member mc = new Member("c", c);
        pollUntil(List.of(mc), () -> readBy.getOrDefault("resume", List.of()).size() >= PARTITIONS, "c to read", onRecord);
        pollFor(List.of(mc), 500, onRecord);
      }
    }
    Map<String, List<String>> sorted = new TreeMap<>();
    readBy.forEach((k, v) -> sorted.put(k, v.stream().sorted().toList()));
    out.put("read", sorted);
    out.put("misowned", misowned);
    out.put("overlaps", own.overlaps);
    result(out);
  }

  /**
   * Static membership: s1 and s2 (group.instance.id) share the partitions; s1 closes
   * (a static member sends no LeaveGroup) and a new s1 starts within the session
   * timeout. It gets its old partitions back and s2 sees no rebalance.
   */
  static void staticMembership(String bootstrap, String topic) throws Exception {
    createTopic(bootstrap, topic, PARTITIONS);
    Ownership own = new Ownership();
    Map<String, String> base = Map.of(
        "session.timeout.ms", "20000",
        "partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor");
    BiConsumer<Member, ConsumerRecord<String, String>> ignore = (m, r) -> {};
    KafkaConsumer<String, String> s1 = staticMember(bootstrap, "s1", base);
    s1.subscribe(List.of(topic), own.listener("s1"));
    KafkaConsumer<String, String> s2 = staticMember(bootstrap, "s2", base);
    s2.subscribe(List.of(topic), own.listener("s2"));
    Member m1 = new Member("s1", s1);
    Member m2 = new Member("s2", s2);
    pollUntil(List.of(m1, m2), () -> own.held.get("s1").size() == 2 && own.held.get("s2").size() == 2,
        "s1 and s2 to hold 2 each", ignore);
    // Let the group settle (a second rebalance round would show here, not later).
    pollFor(List.of(m1, m2), 1000, ignore);
    List<Integer> s1Before = own.of("s1");
    List<Integer> s2Before = own.of("s2");
    int generation = s2.groupMetadata().generationId();
    int s2Callbacks = own.callbacks.getOrDefault("s2", 0);
    s1.close();
    pollFor(List.of(m2), 1000, ignore);
    own.phase = "restart";
    KafkaConsumer<String, String> again = staticMember(bootstrap, "s1", base);
    Ownership own2 = new Ownership();
    again.subscribe(List.of(topic), own2.listener("s1"));
    Member m3 = new Member("s1", again);
    pollUntil(List.of(m2, m3), () -> !own2.held.get("s1").isEmpty(), "the restarted s1 to get partitions", ignore);
    pollFor(List.of(m2, m3), 2000, ignore);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("s1SameAfterRestart", own2.of("s1").equals(s1Before));
    out.put("s2Unchanged", own.of("s2").equals(s2Before));
    out.put("s2RebalanceCallbacks", own.callbacks.getOrDefault("s2", 0) - s2Callbacks);
    out.put("s2SameGeneration", s2.groupMetadata().generationId() == generation);
    out.put("restartedSameGeneration", again.groupMetadata().generationId() == generation);
    out.put("split", List.of(s1Before.size(), s2Before.size()));
    again.close();
    s2.close();
    result(out);
  }

  static KafkaConsumer<String, String> staticMember(String bootstrap, String id, Map<String, String> base) {
    Map<String, String> conf = new HashMap<>(base);
    conf.put("group.instance.id", id);
    return consumer(bootstrap, "java-static", conf);
  }

  /** assign() with no group: seek to an offset, the beginning, the end, and by time. */
  static void assignSeek(String bootstrap, String topic, long t0) throws Exception {
    createTopic(bootstrap, topic, 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>(topic, 0, t0 + i * 1000L, "k", "t-" + i)).get();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, null, Map.of())) {
      c.assign(List.of(tp));
      out.put("beginning", c.beginningOffsets(List.of(tp), TIMEOUT).get(tp));
      out.put("end", c.endOffsets(List.of(tp), TIMEOUT).get(tp));
      c.seek(tp, 3);
      out.put("afterSeek3", firstValue(c));
      c.seekToBeginning(List.of(tp));
      out.put("positionAtBeginning", c.position(tp, TIMEOUT));
      out.put("afterSeekToBeginning", firstValue(c));
      c.seekToEnd(List.of(tp));
      out.put("positionAtEnd", c.position(tp, TIMEOUT));
      Map<String, Object> byTime = new LinkedHashMap<>();
      long[] deltas = {-1000, 0, 4500, 9000, 20_000};
      for (long d : deltas) {
        OffsetAndTimestamp f = c.offsetsForTimes(Map.of(tp, t0 + d), TIMEOUT).get(tp);
        byTime.put(String.valueOf(d), f == null ? null : List.of(f.offset(), f.timestamp() - t0));
      }
      out.put("offsetsForTimes", byTime);
      OffsetAndTimestamp mid = c.offsetsForTimes(Map.of(tp, t0 + 4500), TIMEOUT).get(tp);
      c.seek(tp, mid.offset());
      List<String> values = new ArrayList<>();
      pollUntil(List.of(new Member("c", c)), () -> values.contains("t-9"), "t-9", (m, r) -> values.add(r.value()));
      out.put("fromTime", values);
      out.put("positionAfterReading", c.position(tp, TIMEOUT));
    }
    result(out);
  }

  static String firstValue(KafkaConsumer<String, String> c) {
    List<String> got = new ArrayList<>();
    pollUntil(List.of(new Member("c", c)), () -> !got.isEmpty(), "a record", (m, r) -> got.add(r.offset() + ":" + r.value()));
    return got.get(0);
  }

  /**
   * Committed and aborted transactions, then one left open: read_committed sees only
   * committed records and ends at the open transaction (the last stable offset);
   * read_uncommitted sees everything.
   */
  static void readCommitted(String bootstrap, String topic) throws Exception {
    createTopic(bootstrap, topic, 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p =
        producer(bootstrap, Map.of("transactional.id", "java-rc-" + topic, "transaction.timeout.ms", "30000"))) {
      p.initTransactions();
      Scenarios.txn(p, topic, List.of("c-0", "c-1", "c-2"), true);
      Scenarios.txn(p, topic, List.of("a-0", "a-1", "a-2"), false);
      Scenarios.txn(p, topic, List.of("c-3"), true);
      out.put("committed", readAll(bootstrap, tp, "read_committed", "c-3"));
      out.put("uncommitted", readAll(bootstrap, tp, "read_uncommitted", "c-3"));
      p.beginTransaction();
      p.send(new ProducerRecord<>(topic, 0, null, "open-0"));
      p.flush();
      out.put("endCommittedWhileOpen", endOffset(bootstrap, tp, "read_committed"));
      out.put("endUncommittedWhileOpen", endOffset(bootstrap, tp, "read_uncommitted"));
      out.put("uncommittedSeesOpen", readAll(bootstrap, tp, "read_uncommitted", "open-0").contains("open-0"));
      p.abortTransaction();
      out.put("endCommittedAfterAbort", endOffset(bootstrap, tp, "read_committed"));
      out.put("committedAfterAbort", readAll(bootstrap, tp, "read_committed", "c-3"));
    }
    result(out);
  }

  static List<String> readAll(String bootstrap, TopicPartition tp, String isolation, String last) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, null, Map.of("isolation.level", isolation))) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      Member m = new Member("c", c);
      pollUntil(List.of(m), () -> values.contains(last), last, (x, r) -> values.add(r.value()));
      pollFor(List.of(m), 300, (x, r) -> values.add(r.value()));
    }
    return values;
  }

  static long endOffset(String bootstrap, TopicPartition tp, String isolation) {
    try (KafkaConsumer<String, String> c = consumer(bootstrap, null, Map.of("isolation.level", isolation))) {
      return c.endOffsets(List.of(tp), TIMEOUT).get(tp);
    }
  }

  /**
   * Topic ids (Fetch v13+): a consumer reads a topic that is then deleted and made again
   * under the same name (a new topic id); it goes on reading the new topic from the start
   * once it has found out, and never mixes the two.
   */
  static void recreatedTopic(String bootstrap, String topic) throws Exception {
    TopicPartition tp = new TopicPartition(topic, 0);
    createTopic(bootstrap, topic, 1);
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of());
        KafkaConsumer<String, String> c = consumer(bootstrap, null, Map.of("metadata.max.age.ms", "1000"));
        Admin admin = Driver.admin(bootstrap)) {
      for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(topic, 0, null, "old-" + i)).get();
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      Member m = new Member("c", c);
      List<String> values = new ArrayList<>();
      pollUntil(List.of(m), () -> values.contains("2:old-2"), "old-2", (x, r) -> values.add(r.offset() + ":" + r.value()));
      var oldId = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId();
      admin.deleteTopics(List.of(topic)).all().get();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      for (;;) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
          break;
        } catch (java.util.concurrent.ExecutionException e) {
          // Kafka removes a deleted topic asynchronously: the name is taken a moment longer.
          if (System.nanoTime() > deadline) throw e;
          Thread.sleep(200);
        }
      }
      // Kafka makes the new partition available a moment after CreateTopics answers.
      var newId = untilKnown(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId());
      out.put("newTopicId", !newId.equals(oldId));
      untilKnown(() -> p.send(new ProducerRecord<>(topic, 0, null, "new-0")).get());
      List<String> errors = new ArrayList<>();
      long until = System.nanoTime() + TIMEOUT.toNanos();
      while (!values.contains("0:new-0") && System.nanoTime() < until) {
        try {
          for (var r : c.poll(java.time.Duration.ofMillis(100))) values.add(r.offset() + ":" + r.value());
        } catch (org.apache.kafka.common.KafkaException e) {
          errors.add(e.getClass().getSimpleName());
          c.seekToBeginning(List.of(tp));
        }
      }
      out.put("read", values);
      out.put("errors", errors.stream().distinct().sorted().toList());
    }
    result(out);
  }

  /** `call`'s value, asked again while the broker answers UNKNOWN_TOPIC_OR_PARTITION. */
  static <T> T untilKnown(java.util.concurrent.Callable<T> call) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    for (;;) {
      try {
        return call.call();
      } catch (java.util.concurrent.ExecutionException e) {
        boolean unknown = e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
        if (!unknown || System.nanoTime() > deadline) throw e;
        Thread.sleep(200);
      }
    }
  }

  /**
   * The consumer group protocol of KIP-848 (group.protocol=consumer, the
   * ConsumerGroupHeartbeat API): reads a topic in a group, or reports what poll threw.
   */
  static void consumerProtocol(String bootstrap, String topic) throws Exception {
    createTopic(bootstrap, topic, 2);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int part = 0; part < 2; part++) p.send(new ProducerRecord<>(topic, part, null, "v-" + part)).get();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(withoutClassicSettings(bootstrap),
        new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.StringDeserializer())) {
      c.subscribe(List.of(topic));
      String error = Driver.errorOf(() -> pollUntil(List.of(new Member("c", c)), () -> values.size() >= 2, "2 records",
          (m, r) -> values.add(r.value())));
      out.put("error", error);
    }
    out.put("read", values.stream().sorted().toList());
    result(out);
  }

  /** A consumer config for group.protocol=consumer, which refuses the classic session settings. */
  static java.util.Properties withoutClassicSettings(String bootstrap) {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "java-kip848");
    p.put("group.protocol", "consumer");
    p.put("auto.offset.reset", "earliest");
    return p;
  }
}
