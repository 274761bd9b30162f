package dev.logbook.java;

import static dev.logbook.java.Driver.errorOf;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The broker's failure policy seen by the Java client (integration-tests/failure-policy.test.ts),
 * with the broker started with LOGBOOK_FAIL_NEXT=0:1,1:1 so that its first Produce and
 * first Fetch throw inside their handlers. Usage: FailureChecks BOOTSTRAP TOPIC. The
 * first send fails with the broker's error, the next send on the same producer works,
 * and a consumer reads past the failed Fetch.
 */
public final class FailureChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    // No idempotence and no retries: the failed batch must surface as the broker's error.
    Map<String, String> once = Map.of(
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
        ProducerConfig.RETRIES_CONFIG, "0",
        ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> p = producer(bootstrap, once)) {
      out.put("first", errorOf(() -> p.send(new ProducerRecord<>(topic, "k", "lost")).get()));
      out.put("second", errorOf(() -> p.send(new ProducerRecord<>(topic, "k", "kept")).get()));
    }
    List<String> values = Driver.read(bootstrap, topic, 1, Map.of()).stream()
        .map(r -> String.valueOf(r.get("value")))
        .toList();
    out.put("read", values);
    result(out);
  }
}
