package dev.logbook.java;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What every driver shares: one JSON line per result on stdout, clients configured the
 * same way, and bounded polling loops. A step that fails or times out throws, which
 * exits the JVM non-zero with the stack on stderr for the test to show.
 */
public final class Driver {
  public static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Driver() {}

  /** Keeps the client's own log to warnings on stderr (stdout carries the JSON lines). */
  public static void quietLogs() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  /** The version the client jar declares (its kafka/kafka-version.properties resource). */
  public static String clientVersion() throws java.io.IOException {
    Properties p = new Properties();
    try (var in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      p.load(in);
    }
    return "kafka-clients " + p.getProperty("version");
  }

  /** Prints {"event": event, ...fields} as one line. */
  public static void emit(String event, Map<String, ?> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("event", event);
    line.putAll(fields);
    try {
      System.out.println(JSON.writeValueAsString(line));
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
    System.out.flush();
  }

  /** The line the TypeScript side reads: {"event": "result", "result": value}. */
  public static void result(Object value) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("result", value);
    emit("result", fields);
  }

  public static Map<String, Object> record(ConsumerRecord<String, String> r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("partition", r.partition());
    m.put("offset", r.offset());
    m.put("key", r.key());
    m.put("value", r.value());
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    m.put("headers", headers);
    return m;
  }

  public static Properties props(String bootstrap, Map<String, String> extra) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.putAll(extra);
    return p;
  }

  public static KafkaProducer<String, String> producer(String bootstrap, Map<String, String> extra) {
    Properties p = props(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"));
    p.putAll(extra);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /**
   * A consumer as the Python drivers make them: earliest, manual commits, 6 s sessions (in a
   * classic group).
   */
  public static KafkaConsumer<String, String> consumer(
      String bootstrap, String group, Map<String, String> extra) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Under group.protocol=consumer (KIP-848) the broker sets both and the client refuses them.
    if (!"consumer".equals(extra.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG))) {
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
      p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
    }
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.putAll(extra);
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  public static Admin admin(String bootstrap) {
    return Admin.create(
        props(bootstrap, Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000")));
  }

  /** One named consumer among several polled in turn by one thread. */
  public record Member(String name, KafkaConsumer<String, String> consumer) {}

  /**
   * Polls every member in turn (100 ms each) until `done` holds; `onRecord` sees each
   * record with its member. Throws after TIMEOUT naming `what`.
   */
  public static void pollUntil(
      List<Member> members,
      BooleanSupplier done,
      String what,
      BiConsumer<Member, ConsumerRecord<String, String>> onRecord) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
      for (Member m : members) {
        for (ConsumerRecord<String, String> r : m.consumer().poll(Duration.ofMillis(100))) {
          onRecord.accept(m, r);
        }
      }
    }
  }

  /** Polls every member in turn for `ms` milliseconds, handing each record to `onRecord`. */
  public static void pollFor(
      List<Member> members, long ms, BiConsumer<Member, ConsumerRecord<String, String>> onRecord) {
    long until = System.nanoTime() + Duration.ofMillis(ms).toNanos();
    while (System.nanoTime() < until) {
      for (Member m : members) {
        for (ConsumerRecord<String, String> r : m.consumer().poll(Duration.ofMillis(100))) {
          onRecord.accept(m, r);
        }
      }
    }
  }

  /** Reads `count` records of `topic` with a new group; returns them as JSON maps. */
  public static List<Map<String, Object>> read(
      String bootstrap, String topic, int count, Map<String, String> extra) {
    return read(bootstrap, topic, count, "read-" + topic + "-" + System.nanoTime(), extra);
  }

  /** Reads `count` records of `topic` as a member of `group`; returns them as JSON maps. */
  public static List<Map<String, Object>> read(
      String bootstrap, String topic, int count, String group, Map<String, String> extra) {
    List<Map<String, Object>> got = new ArrayList<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, group, extra)) {
      c.subscribe(List.of(topic));
      Member m = new Member("r", c);
      pollUntil(List.of(m), () -> got.size() >= count, count + " records", (x, r) -> got.add(record(r)));
    }
    return got;
  }

  /**
   * The simple class name of what `run` threw, or "none". The Admin client's futures wrap
   * the broker's error in an ExecutionException; that wrapper is taken off.
   */
  public static String errorOf(ThrowingRunnable run) {
    try {
      run.run();
      return "none";
    } catch (Throwable t) {
      Throwable c = t;
      while (c instanceof ExecutionException && c.getCause() != null) c = c.getCause();
      return c.getClass().getSimpleName();
    }
  }

  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }
}
