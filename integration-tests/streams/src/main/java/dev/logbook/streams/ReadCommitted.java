package dev.logbook.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics from the beginning with isolation.level=read_committed and prints one
 * JSON line per record: {"topic","partition","offset","key","value"}.
 *
 * <p>Usage: ReadCommitted BOOTSTRAP WAIT_TOPIC WAIT_COUNT TIMEOUT_MS TOPIC... Keeps
 * reading until WAIT_TOPIC has given WAIT_COUNT records and every partition has been
 * read up to its last stable offset, then prints "done"; on timeout prints "timeout"
 * and exits 1 (what was read is still printed).
 */
public final class ReadCommitted {
  public static void main(String[] args) {
    String waitTopic = args[1];
    long waitCount = Long.parseLong(args[2]);
    long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int i = 4; i < args.length; i++) {
        for (PartitionInfo pi : c.partitionsFor(args[i])) parts.add(new TopicPartition(pi.topic(), pi.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      long seen = 0;
      while (true) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(waitTopic)) seen++;
          System.out.println("{\"topic\":" + Json.str(r.topic()) + ",\"partition\":" + r.partition()
              + ",\"offset\":" + r.offset() + ",\"key\":" + Json.str(r.key()) + ",\"value\":" + Json.str(r.value()) + "}");
        }
        if (seen >= waitCount && caughtUp(c, parts)) {
          System.out.println("done");
          return;
        }
        if (System.currentTimeMillis() > deadline) {
          System.out.println("timeout");
          System.exit(1);
        }
      }
    }
  }

  /** True when each partition's position has reached its end (the LSO under read_committed). */
  private static boolean caughtUp(KafkaConsumer<String, String> c, List<TopicPartition> parts) {
    Map<TopicPartition, Long> ends = c.endOffsets(parts);
    for (TopicPartition tp : parts) if (c.position(tp) < ends.get(tp)) return false;
    return true;
  }

  private ReadCommitted() {}
}
