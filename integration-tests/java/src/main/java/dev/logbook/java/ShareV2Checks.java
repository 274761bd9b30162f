package dev.logbook.java;

import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * KafkaShareConsumer checks of ShareFetch/ShareAcknowledge v2 (kafka-clients 4.4), run
 * by integration-tests/share-groups.test.ts: share.acquire.mode=record_limit (KIP-1206)
 * and AcknowledgeType.RENEW (KIP-1222). Usage: ShareV2Checks CHECK BOOTSTRAP TOPIC.
 * These sources also compile against kafka-clients 3.9, so RENEW is looked up by name.
 */
public final class ShareV2Checks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String topic = args[2];
    switch (args[0]) {
      case "record-limit" -> recordLimit(bootstrap, topic);
      case "renew" -> renew(bootstrap, topic);
      default -> throw new IllegalArgumentException("unknown check " + args[0]);
    }
  }

  static KafkaShareConsumer<String, String> consumer(
      String bootstrap, String topic, Map<String, String> configs) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", ShareChecks.groupOf(topic));
    p.putAll(configs);
    KafkaShareConsumer<String, String> c =
        new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** `n` records v0..v(n-1) sent together, so that they are stored as one batch. */
  static void oneBatch(String bootstrap, String topic, int n, Map<String, String> groupConfigs)
      throws Exception {
    ShareChecks.shareTopic(bootstrap, topic, groupConfigs);
    Map<String, String> batching = Map.of("linger.ms", "1000", "batch.size", "1000000");
    try (KafkaProducer<String, String> p = producer(bootstrap, batching)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) sent.add(p.send(new ProducerRecord<>(topic, 0, null, "v" + i)));
      p.flush();
      for (Future<RecordMetadata> f : sent) f.get();
    }
  }

  /**
   * record_limit with max.poll.records=3 over one stored batch of 20: no poll returns
   * more than 3 records, and all 20 are read once.
   */
  static void recordLimit(String bootstrap, String topic) throws Exception {
    int n = 20;
    oneBatch(bootstrap, topic, n, Map.of());
    Map<String, String> configs =
        Map.of("share.acquire.mode", "record_limit", "max.poll.records", "3");
    Map<String, Integer> seen = new TreeMap<>();
    int largestPoll = 0;
    try (KafkaShareConsumer<String, String> c = consumer(bootstrap, topic, configs)) {
      long deadline = System.nanoTime() + Driver.TIMEOUT.toNanos();
      while (seen.size() < n && System.nanoTime() < deadline) {
        var polled = c.poll(Duration.ofMillis(100));
        largestPoll = Math.max(largestPoll, polled.count());
        for (var r : polled) seen.merge(r.value(), 1, Integer::sum);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("distinct", seen.size());
    out.put("readTwice", seen.values().stream().filter(k -> k > 1).count());
    out.put("largestPoll", largestPoll);
    result(out);
  }

  /**
   * With a record lock of 2 s (the group config share.record.lock.duration.ms), consumer
   * A holds two records for about 3 s, renewing them every second, then accepts them;
   * consumer B, polling all along, never gets them, and A's accept succeeds.
   */
  static void renew(String bootstrap, String topic) throws Exception {
    oneBatch(bootstrap, topic, 2, Map.of("share.record.lock.duration.ms", "2000"));
    AcknowledgeType renewType = AcknowledgeType.valueOf("RENEW");
    Map<String, String> explicit = Map.of("share.acknowledgement.mode", "explicit");
    try (KafkaShareConsumer<String, String> a = consumer(bootstrap, topic, explicit);
        KafkaShareConsumer<String, String> b = consumer(bootstrap, topic, Map.of())) {
      List<ConsumerRecord<String, String>> first = new ArrayList<>();
      ShareChecks.pollUntil(a, () -> first.size() >= 2, "a's records", first::add);
      List<ConsumerRecord<String, String>> held = first;
      List<String> bGot = new ArrayList<>();
      List<String> renewals = new ArrayList<>();
      List<List<String>> handedBack = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (var r : b.poll(Duration.ofMillis(1000))) bGot.add(r.value());
        if (round == 2) break;
        for (var r : held) a.acknowledge(r, renewType);
        renewals.add(outcome(a.commitSync()));
        // The client hands renewed records to the application again on its next poll.
        List<ConsumerRecord<String, String>> again = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (again.size() < held.size() && System.nanoTime() < until)
          for (var r : a.poll(Duration.ofMillis(50))) again.add(r);
        handedBack.add(again.stream().map(ConsumerRecord::value).toList());
        if (!again.isEmpty()) held = again;
      }
      for (var r : held) a.acknowledge(r, AcknowledgeType.ACCEPT);
      String accepted = outcome(a.commitSync());
      for (var r : b.poll(Duration.ofMillis(1500))) bGot.add(r.value());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("held", first.stream().map(ConsumerRecord::value).toList());
      out.put("deliveries", held.stream().map(ShareChecks::deliveries).toList());
      out.put("renewals", renewals);
      out.put("handedBack", handedBack);
      out.put("accepted", accepted);
      out.put("bGot", bGot);
      result(out);
    }
  }

  /** What a commit answered: "none", or the exceptions' class names. */
  static String outcome(Map<TopicIdPartition, Optional<KafkaException>> committed) {
    List<String> errors =
        committed.values().stream()
            .flatMap(Optional::stream)
            .map(e -> e.getClass().getSimpleName())
            .toList();
    return errors.isEmpty() ? "none" : String.join(",", errors);
  }
}
