package dev.logbook.java;

import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;

/**
 * Client quotas through the Java Admin and producer (integration-tests/java-quotas.test.ts).
 * Usage: QuotaChecks BOOTSTRAP TOPIC RATE BYTES. Sets producer_byte_rate=RATE on the
 * client id "quota-producer" with alterClientQuotas, reads it back with
 * describeClientQuotas, then sends BYTES in 1 kB records with that client id and reports
 * how long it took and the producer's produce-throttle-time-max metric.
 */
public final class QuotaChecks {
  private QuotaChecks() {}

  private static final String CLIENT_ID = "quota-producer";

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    double rate = Double.parseDouble(args[2]);
    int bytes = Integer.parseInt(args[3]);
    Map<String, Object> out = new LinkedHashMap<>();
    ClientQuotaEntity entity =
        new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, CLIENT_ID));
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      admin
          .alterClientQuotas(
              List.of(
                  new ClientQuotaAlteration(
                      entity,
                      List.of(new ClientQuotaAlteration.Op("producer_byte_rate", rate)))))
          .all()
          .get();
      List<String> described = new ArrayList<>();
      admin
          .describeClientQuotas(
              ClientQuotaFilter.containsOnly(
                  List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, CLIENT_ID))))
          .entities()
          .get()
          .forEach((e, values) -> described.add(e.entries() + " " + values));
      Collections.sort(described);
      out.put("described", described);
    }
    String value = "x".repeat(1000);
    long started = System.nanoTime();
    try (KafkaProducer<String, String> p =
        producer(
            bootstrap,
            Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID,
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                ProducerConfig.BATCH_SIZE_CONFIG, "16384"))) {
      for (int sent = 0; sent < bytes; sent += value.length()) {
        p.send(new ProducerRecord<>(topic, value));
      }
      p.flush();
      out.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
      double throttleMax = 0;
      for (Map.Entry<MetricName, ? extends Metric> m : p.metrics().entrySet()) {
        if (m.getKey().name().equals("produce-throttle-time-max")
            && m.getKey().group().equals("producer-metrics")) {
          Object v = m.getValue().metricValue();
          if (v instanceof Double d && !d.isNaN()) throttleMax = Math.max(throttleMax, d);
        }
      }
      out.put("throttleTimeMax", throttleMax);
    }
    result(out);
  }
}
