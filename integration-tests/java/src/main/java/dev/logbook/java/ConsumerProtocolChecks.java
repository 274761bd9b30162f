package dev.logbook.java;

import static dev.logbook.java.Driver.TIMEOUT;
import static dev.logbook.java.Driver.emit;
import static dev.logbook.java.Driver.pollFor;
import static dev.logbook.java.Driver.pollUntil;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import dev.logbook.java.Driver.Member;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * KafkaConsumer with group.protocol=consumer (KIP-848) against Logbook and Kafka, same
 * assertions (integration-tests/consumer-group-protocol.test.ts). Usage:
 * ConsumerProtocolChecks CHECK BOOTSTRAP TOPIC. Every result field is independent of the
 * broker (no member ids, epochs or times).
 */
public final class ConsumerProtocolChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String topic = args[2];
    switch (args[0]) {
      case "rebalance" -> rebalance(bootstrap, topic);
      case "static" -> staticRestart(bootstrap, topic);
      case "broker-restart" -> brokerRestart(bootstrap, topic, false);
      case "mixed-restart" -> brokerRestart(bootstrap, topic, true);
      case "upgrade" -> upgrade(bootstrap, topic);
      case "migration" -> liveMigration(bootstrap, topic);
      case "regex" -> regexSubscription(bootstrap, topic);
      default -> throw new IllegalArgumentException("unknown check " + args[0]);
    }
  }

  static KafkaConsumer<String, String> member(String bootstrap, String group, String instance) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("group.protocol", "consumer");
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("fetch.max.wait.ms", "100");
    if (instance != null) p.put("group.instance.id", instance);
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  static void produceEach(KafkaProducer<String, String> p, String topic, int partitions, String prefix)
      throws Exception {
    for (int part = 0; part < partitions; part++) {
      p.send(new ProducerRecord<>(topic, part, null, prefix + "-" + part)).get();
    }
  }

  /** What each member holds per its rebalance callbacks; any overlap is kept. */
  static final class Ownership {
    final Map<String, Set<Integer>> held = new TreeMap<>();
    final Map<String, Integer> callbacks = new HashMap<>();
    final List<String> overlaps = new ArrayList<>();

    ConsumerRebalanceListener listener(String name) {
      held.put(name, new TreeSet<>());
      return new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
          if (parts.isEmpty()) return;
          callbacks.merge(name, 1, Integer::sum);
          parts.forEach(tp -> held.get(name).add(tp.partition()));
          Map<Integer, String> owner = new HashMap<>();
          held.forEach((n, ps) -> ps.forEach(p -> {
            String other = owner.put(p, n);
            if (other != null) overlaps.add("partition " + p + " held by " + other + " and " + n);
          }));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          if (parts.isEmpty()) return;
          callbacks.merge(name, 1, Integer::sum);
          parts.forEach(tp -> held.get(name).remove(tp.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> parts) {
          callbacks.merge(name, 1, Integer::sum);
          parts.forEach(tp -> held.get(name).remove(tp.partition()));
        }
      };
    }

    int size(String name) {
      return held.get(name).size();
    }
  }

  /** Reads with commits after each record; remembers who read what, and misreads. */
  static final class Reads {
    final Map<String, List<String>> byPhase = new TreeMap<>();
    final List<String> misowned = new ArrayList<>();
    String phase = "start";

    BiConsumer<Member, ConsumerRecord<String, String>> onRecord(Ownership own) {
      return (m, r) -> {
        Set<Integer> held = own.held.get(m.name());
        if (held == null || !held.contains(r.partition())) misowned.add(m.name() + " read " + r.value());
        byPhase.computeIfAbsent(phase, k -> new ArrayList<>()).add(r.value());
        m.consumer().commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
      };
    }

    int count(String p) {
      return byPhase.getOrDefault(p, List.of()).size();
    }

    Map<String, List<String>> sorted() {
      Map<String, List<String>> out = new TreeMap<>();
      byPhase.forEach((k, v) -> out.put(k, v.stream().sorted().toList()));
      return out;
    }
  }

  /**
   * Six partitions: a alone, b joins (3 each), c joins (2 each), a leaves (3 each), all
   * leave, then d resumes at the commits. Every record is read once, by its owner.
   */
  static void rebalance(String bootstrap, String topic) throws Exception {
    int n = 6;
    createTopic(bootstrap, topic, n);
    String group = "kip848-" + topic;
    Ownership own = new Ownership();
    Reads reads = new Reads();
    var onRecord = reads.onRecord(own);
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      KafkaConsumer<String, String> a = member(bootstrap, group, null);
      a.subscribe(List.of(topic), own.listener("a"));
      Member ma = new Member("a", a);
      reads.phase = "1-a-alone";
      produceEach(p, topic, n, "one");
      pollUntil(List.of(ma), () -> reads.count("1-a-alone") >= n, "a to read", onRecord);

      KafkaConsumer<String, String> b = member(bootstrap, group, null);
      b.subscribe(List.of(topic), own.listener("b"));
      Member mb = new Member("b", b);
      List<Member> ab = List.of(ma, mb);
      reads.phase = "2-a-b";
      pollUntil(ab, () -> own.size("a") == 3 && own.size("b") == 3, "a and b to hold 3 each", onRecord);
      produceEach(p, topic, n, "two");
      pollUntil(ab, () -> reads.count("2-a-b") >= n, "a and b to read", onRecord);

      KafkaConsumer<String, String> c = member(bootstrap, group, null);
      c.subscribe(List.of(topic), own.listener("c"));
      List<Member> abc = List.of(ma, mb, new Member("c", c));
      reads.phase = "3-a-b-c";
      pollUntil(abc, () -> own.size("a") == 2 && own.size("b") == 2 && own.size("c") == 2,
          "a, b and c to hold 2 each", onRecord);
      produceEach(p, topic, n, "three");
      pollUntil(abc, () -> reads.count("3-a-b-c") >= n, "a, b and c to read", onRecord);

      reads.phase = "4-b-c";
      a.close();
      own.held.get("a").clear();
      List<Member> bc = List.of(mb, new Member("c", c));
      pollUntil(bc, () -> own.size("b") == 3 && own.size("c") == 3, "b and c to hold 3 each", onRecord);
      produceEach(p, topic, n, "four");
      pollUntil(bc, () -> reads.count("4-b-c") >= n, "b and c to read", onRecord);
      pollFor(bc, 500, onRecord);
      b.close();
      c.close();
      own.held.get("b").clear();
      own.held.get("c").clear();

      reads.phase = "5-resume";
      produceEach(p, topic, n, "five");
      try (KafkaConsumer<String, String> d = member(bootstrap, group, null)) {
        d.subscribe(List.of(topic), own.listener("d"));
        Member md = new Member("d", d);
        pollUntil(List.of(md), () -> reads.count("5-resume") >= n, "d to read", onRecord);
        pollFor(List.of(md), 500, onRecord);
      }
    }
    out.put("read", reads.sorted());
    out.put("misowned", reads.misowned);
    out.put("overlaps", own.overlaps);
    result(out);
  }

  /**
   * A static member closes (leaving with epoch -2) and a new consumer with its instance
   * id takes its place within the session timeout: it gets the same partitions and the
   * other member sees no rebalance.
   */
  static void staticRestart(String bootstrap, String topic) throws Exception {
    int n = 4;
    createTopic(bootstrap, topic, n);
    String group = "kip848-" + topic;
    Ownership own = new Ownership();
    Reads reads = new Reads();
    var onRecord = reads.onRecord(own);
    Map<String, Object> out = new LinkedHashMap<>();
    KafkaConsumer<String, String> s = member(bootstrap, group, "instance-1");
    s.subscribe(List.of(topic), own.listener("s"));
    KafkaConsumer<String, String> d = member(bootstrap, group, null);
    d.subscribe(List.of(topic), own.listener("d"));
    Member md = new Member("d", d);
    pollUntil(List.of(new Member("s", s), md), () -> own.size("s") == 2 && own.size("d") == 2,
        "s and d to hold 2 each", onRecord);
    Set<Integer> before = new TreeSet<>(own.held.get("s"));
    int dCallbacks = own.callbacks.getOrDefault("d", 0);
    s.close();
    try (KafkaConsumer<String, String> s2 = member(bootstrap, group, "instance-1")) {
      s2.subscribe(List.of(topic), own.listener("s2"));
      pollUntil(List.of(new Member("s2", s2), md), () -> own.size("s2") == 2, "s2 to hold 2", onRecord);
      pollFor(List.of(new Member("s2", s2), md), 1000, onRecord);
      out.put("sameAssignment", before.equals(own.held.get("s2")));
      out.put("otherMemberCallbacks", own.callbacks.getOrDefault("d", 0) - dCallbacks);
      out.put("held", List.of(own.size("s2"), own.size("d")));
    }
    d.close();
    out.put("overlaps", own.overlaps);
    result(out);
  }

  /**
   * One group id through both protocols: a classic member reads and commits, then leaves;
   * a consumer-protocol member (the empty classic group becomes a consumer group) resumes
   * at the commits; it leaves and a classic member resumes again (back to classic).
   */
  static void upgrade(String bootstrap, String topic) throws Exception {
    int n = 2;
    createTopic(bootstrap, topic, n);
    String group = "kip848-" + topic;
    Ownership own = new Ownership();
    Reads reads = new Reads();
    var onRecord = reads.onRecord(own);
    String[] phases = {"1-classic", "2-consumer", "3-classic"};
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int i = 0; i < phases.length; i++) {
        String phase = phases[i];
        reads.phase = phase;
        produceEach(p, topic, n, "v" + (i + 1));
        boolean modern = phase.endsWith("consumer");
        try (KafkaConsumer<String, String> c = modern
            ? member(bootstrap, group, null)
            : Driver.consumer(bootstrap, group, Map.of())) {
          c.subscribe(List.of(topic), own.listener(phase));
          Member m = new Member(phase, c);
          pollUntil(List.of(m), () -> reads.count(phase) >= n, phase + " to read", onRecord);
          pollFor(List.of(m), 500, onRecord);
        }
        own.held.get(phase).clear();
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("read", reads.sorted());
    out.put("misowned", reads.misowned);
    result(out);
  }

  /**
   * Live migration (KIP-848): two classic members split four partitions; one is rolled
   * to the consumer protocol (the live classic group is upgraded, the classic member
   * stays inside it); the consumer-protocol member leaves (the group goes back to
   * classic) and another classic member joins; last, a fresh classic member resumes at
   * the commits. Every record is read once, by the member holding its partition.
   */
  static void liveMigration(String bootstrap, String topic) throws Exception {
    int n = 4;
    createTopic(bootstrap, topic, n);
    String group = "migrate-" + topic;
    Ownership own = new Ownership();
    Reads reads = new Reads();
    var onRecord = reads.onRecord(own);
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      KafkaConsumer<String, String> a = Driver.consumer(bootstrap, group, Map.of());
      a.subscribe(List.of(topic), own.listener("a"));
      Member ma = new Member("a", a);
      KafkaConsumer<String, String> b = Driver.consumer(bootstrap, group, Map.of());
      b.subscribe(List.of(topic), own.listener("b"));
      List<Member> ab = List.of(ma, new Member("b", b));
      reads.phase = "1-classic";
      pollUntil(ab, () -> own.size("a") == 2 && own.size("b") == 2, "a and b to hold 2 each", onRecord);
      produceEach(p, topic, n, "one");
      pollUntil(ab, () -> reads.count("1-classic") >= n, "a and b to read", onRecord);

      reads.phase = "2-upgraded";
      b.close();
      own.held.get("b").clear();
      KafkaConsumer<String, String> m = member(bootstrap, group, null);
      m.subscribe(List.of(topic), own.listener("m"));
      List<Member> am = List.of(ma, new Member("m", m));
      pollUntil(am, () -> own.size("a") == 2 && own.size("m") == 2, "a and m to hold 2 each", onRecord);
      produceEach(p, topic, n, "two");
      pollUntil(am, () -> reads.count("2-upgraded") >= n, "a and m to read", onRecord);

      reads.phase = "3-downgraded";
      m.close();
      own.held.get("m").clear();
      KafkaConsumer<String, String> c = Driver.consumer(bootstrap, group, Map.of());
      c.subscribe(List.of(topic), own.listener("c"));
      List<Member> ac = List.of(ma, new Member("c", c));
      pollUntil(ac, () -> own.size("a") == 2 && own.size("c") == 2, "a and c to hold 2 each", onRecord);
      produceEach(p, topic, n, "three");
      pollUntil(ac, () -> reads.count("3-downgraded") >= n, "a and c to read", onRecord);
      pollFor(ac, 500, onRecord);
      a.close();
      c.close();
      own.held.get("a").clear();
      own.held.get("c").clear();

      reads.phase = "4-resume";
      produceEach(p, topic, n, "four");
      try (KafkaConsumer<String, String> d = Driver.consumer(bootstrap, group, Map.of())) {
        d.subscribe(List.of(topic), own.listener("d"));
        Member md = new Member("d", d);
        pollUntil(List.of(md), () -> reads.count("4-resume") >= n, "d to read", onRecord);
        pollFor(List.of(md), 500, onRecord);
      }
    }
    out.put("read", reads.sorted());
    out.put("misowned", reads.misowned);
    out.put("overlaps", own.overlaps);
    result(out);
  }

  /**
   * Two members settle and read; the driver prints "ready" and keeps polling until the
   * test writes "go" on stdin (meanwhile the test restarts the broker); then both read
   * new records. A broker that continues the group sends no rebalance: no callbacks.
   * `mixed`: b is a classic member (group.protocol=classic) inside the consumer group.
   */
  static void brokerRestart(String bootstrap, String topic, boolean mixed) throws Exception {
    int n = 4;
    createTopic(bootstrap, topic, n);
    String group = "kip848-" + topic;
    AtomicBoolean go = new AtomicBoolean(false);
    Thread stdin = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
        for (String line; (line = in.readLine()) != null; ) if (line.trim().equals("go")) go.set(true);
      } catch (Exception e) {
        go.set(true);
      }
    });
    stdin.setDaemon(true);
    stdin.start();
    Ownership own = new Ownership();
    Reads reads = new Reads();
    var onRecord = reads.onRecord(own);
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaConsumer<String, String> a = member(bootstrap, group, null);
        KafkaConsumer<String, String> b = mixed
            ? Driver.consumer(bootstrap, group, Map.of())
            : member(bootstrap, group, null);
        KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      a.subscribe(List.of(topic), own.listener("a"));
      b.subscribe(List.of(topic), own.listener("b"));
      List<Member> ab = List.of(new Member("a", a), new Member("b", b));
      reads.phase = "before";
      produceEach(p, topic, n, "one");
      pollUntil(ab, () -> own.size("a") == 2 && own.size("b") == 2 && reads.count("before") >= n,
          "a and b to hold 2 each and read", onRecord);
      Map<String, Integer> callbacks = new HashMap<>(own.callbacks);
      emit("ready", Map.of());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!go.get()) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("no go from the test");
        pollFor(ab, 100, onRecord);
      }
      reads.phase = "after";
      produceEach(p, topic, n, "two");
      long until = System.nanoTime() + TIMEOUT.toNanos();
      pollUntil(ab, () -> reads.count("after") >= n || System.nanoTime() > until, "a and b to read", onRecord);
      out.put("callbacksAfterRestart", own.callbacks.equals(callbacks) ? 0 : 1);
    }
    out.put("read", reads.sorted());
    out.put("misowned", reads.misowned);
    out.put("overlaps", own.overlaps);
    result(out);
  }

  /**
   * subscribe(SubscriptionPattern): the broker resolves the RE2/J expression. Loaded
   * reflectively, as kafka-clients 3.9 (which compiles these sources too) lacks the class.
   */
  static void subscribePattern(KafkaConsumer<String, String> c, String regex, ConsumerRebalanceListener l)
      throws Exception {
    Class<?> pattern = Class.forName("org.apache.kafka.clients.consumer.SubscriptionPattern");
    Object p = pattern.getConstructor(String.class).newInstance(regex);
    KafkaConsumer.class.getMethod("subscribe", pattern, ConsumerRebalanceListener.class).invoke(c, p, l);
  }

  /**
   * One member subscribed to PREFIX-.* by expression: it is given the two matching
   * topics (not x-PREFIX-0, which only contains a match), reads their records, and picks
   * up PREFIX-late, created after it subscribed. Reports the topic-partitions it holds
   * and what it read.
   */
  static void regexSubscription(String bootstrap, String prefix) throws Exception {
    createTopic(bootstrap, prefix + "-a", 2);
    createTopic(bootstrap, prefix + "-b", 1);
    createTopic(bootstrap, "x-" + prefix + "-0", 1);
    Set<String> held = new TreeSet<>();
    List<String> read = new ArrayList<>();
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of());
        KafkaConsumer<String, String> c = member(bootstrap, "kip848-" + prefix, null)) {
      subscribePattern(c, prefix + "-.*", new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
          parts.forEach(tp -> held.add(tp.toString()));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          parts.forEach(tp -> held.remove(tp.toString()));
        }
      });
      List<Member> members = List.of(new Member("m", c));
      BiConsumer<Member, ConsumerRecord<String, String>> onRecord = (m, r) -> read.add(r.value());
      pollUntil(members, () -> held.size() == 3, "the matching topics to be assigned", onRecord);
      out.put("first", new ArrayList<>(held));
      produceEach(p, prefix + "-a", 2, "a");
      produceEach(p, prefix + "-b", 1, "b");
      produceEach(p, "x-" + prefix + "-0", 1, "x");
      pollUntil(members, () -> read.size() >= 3, "the matching topics' records", onRecord);

      createTopic(bootstrap, prefix + "-late", 2);
      pollUntil(members, () -> held.size() == 5, "the topic created later to be assigned", onRecord);
      produceEach(p, prefix + "-late", 2, "late");
      pollUntil(members, () -> read.size() >= 5, "the later topic's records", onRecord);
      pollFor(members, 500, onRecord);
      out.put("held", new ArrayList<>(held));
      out.put("read", read.stream().sorted().toList());
    }
    result(out);
  }
}
