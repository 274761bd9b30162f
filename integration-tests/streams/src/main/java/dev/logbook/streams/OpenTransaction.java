package dev.logbook.streams;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Holds a transaction open for an operator's tools to look at (kafka-transactions,
 * a read_committed console consumer), then ends it when told.
 *
 * <p>Usage: OpenTransaction BOOTSTRAP TRANSACTIONAL_ID TOPIC COUNT. Sends COUNT records
 * to partition 0 of TOPIC in one transaction, flushes, prints "open", then reads stdin:
 * "commit" or "abort" ends the transaction (printing "committed" / "aborted") and exits.
 */
public final class OpenTransaction {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[1]);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    int count = Integer.parseInt(args[3]);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < count; i++) producer.send(new ProducerRecord<>(args[2], 0, "k" + i, "open-" + i));
      producer.flush();
      System.out.println("open");
      String line = in.readLine();
      if ("commit".equals(line)) {
        producer.commitTransaction();
        System.out.println("committed");
      } else {
        producer.abortTransaction();
        System.out.println("aborted");
      }
    }
  }

  private OpenTransaction() {}
}
