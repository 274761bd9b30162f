package dev.logbook.java;

import static dev.logbook.java.Driver.TIMEOUT;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The share-group scenario of integration-tests/interop/scenarios.ts (the plan is
 * described there) with two KafkaShareConsumers acknowledging explicitly.
 */
final class ShareScenario {
  static final String GROUP = "sg";
  static final int PARTITIONS = 2;
  static final int SHARED = 20;
  static final long QUIET_MS = 2000;

  private final List<String> deliveries = new ArrayList<>();
  private boolean released;
  private boolean releaseAccepted;

  private ShareScenario() {}

  static void run(String bootstrap, String topic) throws Exception {
    new ShareScenario().go(bootstrap, topic);
  }

  private record Named(String name, KafkaShareConsumer<String, String> consumer) {}

  private void go(String bootstrap, String topic) throws Exception {
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of());
        KafkaShareConsumer<String, String> a = consumer(bootstrap);
        KafkaShareConsumer<String, String> b = consumer(bootstrap)) {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < SHARED; i++) {
        sent.add(p.send(new ProducerRecord<>(topic, i % PARTITIONS, null, "s-" + i)));
      }
      p.flush();
      for (var f : sent) f.get();
      a.subscribe(List.of(topic));
      b.subscribe(List.of(topic));
      List<Named> both = List.of(new Named("a", a), new Named("b", b));
      pollUntil(both, () -> count("s-") >= SHARED, SHARED + " records");
      for (String v : List.of("release-me", "reject-me", "end")) {
        p.send(new ProducerRecord<>(topic, 0, null, v)).get();
      }
      pollUntil(both, () -> releaseAccepted && count("reject-me") > 0 && count("end") > 0,
          "release-me again, reject-me and end");
      long quietUntil = System.nanoTime() + Duration.ofMillis(QUIET_MS).toNanos();
      pollUntil(both, () -> System.nanoTime() > quietUntil, "the quiet period");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("deliveries", deliveries);
    out.put("explicit", true);
    result(out);
  }

  private long count(String prefix) {
    return deliveries.stream().filter(d -> d.split(":", 2)[1].startsWith(prefix)).count();
  }

  private static KafkaShareConsumer<String, String> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", GROUP);
    p.put("share.acknowledgement.mode", "explicit");
    return new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  /** Polls each consumer in turn, acknowledging every record, until `done` holds. */
  private void pollUntil(List<Named> members, BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what + "; deliveries " + deliveries);
      }
      for (Named m : members) {
        var records = m.consumer().poll(Duration.ofMillis(100));
        for (ConsumerRecord<String, String> r : records) {
          deliveries.add(m.name() + ":" + r.value());
          m.consumer().acknowledge(r, ackFor(r.value()));
        }
        if (!records.isEmpty()) m.consumer().commitSync();
      }
    }
  }

  private AcknowledgeType ackFor(String value) {
    if (value.equals("reject-me")) return AcknowledgeType.REJECT;
    if (value.equals("release-me")) {
      if (!released) {
        released = true;
        return AcknowledgeType.RELEASE;
      }
      releaseAccepted = true;
    }
    return AcknowledgeType.ACCEPT;
  }
}
