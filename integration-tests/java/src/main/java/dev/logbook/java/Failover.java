package dev.logbook.java;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A producer and a consumer group that keep going while brokers die
 * (postgres-failover.test.ts). Usage: Failover BOOTSTRAP TOPIC GROUP PRODUCE_SECONDS.
 * An idempotent producer (acks=all) sends values "v-N" for PRODUCE_SECONDS, keeping
 * those acknowledged; two members of GROUP read from the earliest offset, committing
 * after each poll, until they have seen every acknowledged value (or 60 s more pass).
 * Reports "acked" (all acknowledged values, in order) and "unseen" (those never read).
 */
public final class Failover {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    long produceMs = (long) (Double.parseDouble(args[3]) * 1000);
    List<String> acked = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean producing = new AtomicBoolean(true);
    Thread producer =
        new Thread(
            () -> {
              Map<String, String> settings =
                  Map.of(
                      ProducerConfig.ACKS_CONFIG, "all",
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                      ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
              try (KafkaProducer<String, String> p = Driver.producer(bootstrap, settings)) {
                long until = System.currentTimeMillis() + produceMs;
                for (int n = 0; System.currentTimeMillis() < until; n += 10) {
                  for (int i = 0; i < 10; i++) {
                    String value = "v-" + (n + i);
                    p.send(
                        new ProducerRecord<>(topic, value, value),
                        (md, e) -> {
                          if (e == null) acked.add(value);
                        });
                  }
                  Thread.sleep(20);
                }
                p.flush();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                producing.set(false);
              }
            });
    producer.start();
    Set<String> seen = new HashSet<>();
    List<Driver.Member> members = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      KafkaConsumer<String, String> c = Driver.consumer(bootstrap, group, Map.of());
      c.subscribe(List.of(topic));
      members.add(new Driver.Member(name, c));
    }
    long deadline = Long.MAX_VALUE;
    while (true) {
      if (!producing.get()) {
        if (deadline == Long.MAX_VALUE) deadline = System.currentTimeMillis() + 60_000;
        boolean all;
        synchronized (acked) {
          all = seen.containsAll(acked);
        }
        if (all || System.currentTimeMillis() > deadline) break;
      }
      for (Driver.Member m : members) {
        for (ConsumerRecord<String, String> r : m.consumer().poll(Duration.ofMillis(100))) {
          seen.add(r.value());
        }
        try {
          m.consumer().commitSync(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
          // A rebalance or a coordinator moving: the next poll rejoins, the next commit lands.
        }
      }
    }
    producer.join();
    for (Driver.Member m : members) m.consumer().close();
    List<String> unseen = new ArrayList<>();
    List<String> all;
    synchronized (acked) {
      all = new ArrayList<>(acked);
    }
    for (String v : all) if (!seen.contains(v)) unseen.add(v);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("acked", all);
    out.put("unseen", unseen);
    Driver.result(out);
  }
}
