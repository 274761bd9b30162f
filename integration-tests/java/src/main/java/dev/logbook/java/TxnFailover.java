package dev.logbook.java;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Transactions that keep going while the transaction coordinator's broker dies
 * (postgres-transactions.test.ts). Usage: TxnFailover BOOTSTRAP TOPIC PARTITIONS SECONDS.
 * For SECONDS, transaction N writes "tN-P" to every partition P and commits. Reports
 * "committed" (the N whose commit returned), "uncertain" (the N whose commit threw: the
 * coordinator may or may not have decided, so they must be seen whole or not at all) and
 * "errors" (what was thrown, by Kafka's error name). A producer left unusable is closed
 * and replaced by one with the same transactional id, which fences what was left open.
 */
public final class TxnFailover {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    long until = System.currentTimeMillis() + (long) (Double.parseDouble(args[3]) * 1000);
    List<Integer> committed = new ArrayList<>();
    List<Integer> uncertain = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Map<String, String> settings =
        Map.of("transactional.id", "java-failover-" + topic, "transaction.timeout.ms", "5000",
            "delivery.timeout.ms", "60000", "max.block.ms", "60000");
    KafkaProducer<String, String> p = start(bootstrap, settings, errors);
    for (int n = 0; System.currentTimeMillis() < until; n++) {
      try {
        p.beginTransaction();
        for (int part = 0; part < partitions; part++)
          p.send(new ProducerRecord<>(topic, part, null, "t" + n + "-" + part));
        p.commitTransaction();
        committed.add(n);
      } catch (KafkaException e) {
        errors.add(name(e));
        uncertain.add(n);
        p.close(java.time.Duration.ZERO);
        p = start(bootstrap, settings, errors);
      }
      Thread.sleep(50);
    }
    p.close();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("committed", committed);
    out.put("uncertain", uncertain);
    out.put("errors", errors);
    Driver.result(out);
  }

  /** A producer with its transactions initialised, retried while the cluster settles. */
  private static KafkaProducer<String, String> start(
      String bootstrap, Map<String, String> settings, List<String> errors) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      KafkaProducer<String, String> p = Driver.producer(bootstrap, settings);
      try {
        p.initTransactions();
        return p;
      } catch (TimeoutException | ProducerFencedException e) {
        errors.add(name(e));
        p.close(java.time.Duration.ZERO);
        if (attempt >= 5) throw e;
        Thread.sleep(500);
      }
    }
  }

  private static String name(Throwable e) {
    Errors error = Errors.forException(e);
    return error == Errors.UNKNOWN_SERVER_ERROR ? e.getClass().getName() : error.name();
  }
}
