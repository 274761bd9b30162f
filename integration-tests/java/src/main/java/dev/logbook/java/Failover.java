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
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.protocol.Errors;

/**
 * A producer and a consumer group that keep going while brokers die
 * (postgres-failover.test.ts) or the database restarts (postgres-db-restart.test.ts).
 * Usage: Failover BOOTSTRAP TOPIC GROUP PRODUCE_SECONDS [KEYS]. An idempotent producer
 * (acks=all) sends values "v-N" (key "k-(N mod KEYS)", or the value when KEYS is 0 or
 * absent) for PRODUCE_SECONDS, keeping those acknowledged; two members of GROUP read from
 * the earliest offset, committing after each poll, until they have seen every
 * acknowledged value (or 60 s more pass). Reports "acked" (all acknowledged values, in
 * order), "unseen" (those never read) and "errors": what failed sends, polls and commits
 * threw, as Kafka's error name (or the exception's class when Kafka has no name for it).
 */
public final class Failover {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    long produceMs = (long) (Double.parseDouble(args[3]) * 1000);
    int keys = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
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
                    String key = keys == 0 ? value : "k-" + ((n + i) % keys);
                    p.send(
                        new ProducerRecord<>(topic, key, value),
                        (md, e) -> {
                          if (e == null) acked.add(value);
                          else errors.add(errorName(e));
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
        try {
          for (ConsumerRecord<String, String> r : m.consumer().poll(Duration.ofMillis(100))) {
            seen.add(r.value());
          }
          m.consumer().commitSync(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
          // A rebalance or a coordinator moving: the next poll rejoins, the next commit lands.
          errors.add(errorName(e));
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
    synchronized (errors) {
      out.put("errors", new ArrayList<>(errors));
    }
    Driver.result(out);
  }

  /** Kafka's name for what `e` reports, or its class when Kafka's table has none. */
  private static String errorName(Throwable e) {
    // How Java reports a commit refused with a group error announcing a rebalance.
    if (e instanceof CommitFailedException) return "CommitFailedException";
    Errors error = Errors.forException(e);
    return error == Errors.UNKNOWN_SERVER_ERROR ? e.getClass().getName() : error.name();
  }
}
