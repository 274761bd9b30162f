package dev.logbook.java;

import static dev.logbook.java.Driver.errorOf;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One producer as an authenticated principal (acl-principals.test.ts). Usage:
 * PrincipalChecks BOOTSTRAP TOPICS KEY=VALUE... with TOPICS comma-separated and the pairs
 * the client's security settings. Sends one record to each topic (no retries, no
 * idempotence, so a refusal surfaces at once) and reports, per topic, the simple name of
 * the exception it failed with, or "none".
 */
public final class PrincipalChecks {
  private PrincipalChecks() {}

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    List<String> topics = List.of(args[1].split(","));
    Map<String, String> settings = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    settings.put(ProducerConfig.RETRIES_CONFIG, "0");
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    Map<String, Object> out = new LinkedHashMap<>();
    try (var p = Driver.producer(bootstrap, settings)) {
      for (String topic : topics) {
        out.put(topic, errorOf(() -> p.send(new ProducerRecord<>(topic, "k", "v")).get()));
      }
    }
    Driver.result(out);
  }
}
