package dev.logbook.streams;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Creates topics and produces records read from stdin.
 *
 * <p>Usage: Feed BOOTSTRAP [TOPIC:PARTITIONS ...] &lt; lines "TOPIC\tKEY\tVALUE". Topics
 * are created first (with the broker's default replication factor); records are sent by
 * an idempotent producer with acks=all, in order, and flushed. Prints "sent N".
 */
public final class Feed {
  public static void main(String[] args) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] tp = args[i].split(":");
      topics.add(new NewTopic(tp[0], java.util.Optional.of(Integer.parseInt(tp[1])), java.util.Optional.empty()));
    }
    if (!topics.isEmpty()) {
      Properties a = new Properties();
      a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
      try (Admin admin = Admin.create(a)) {
        admin.createTopics(topics).all().get();
      }
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    int sent = 0;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", 3);
        producer.send(new ProducerRecord<>(f[0], f[1], f[2]));
        sent++;
      }
      producer.flush();
    }
    System.out.println("sent " + sent);
  }

  private Feed() {}
}
