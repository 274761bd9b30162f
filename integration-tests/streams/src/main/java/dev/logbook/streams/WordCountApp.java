package dev.logbook.streams;

import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Word count with exactly_once_v2 and a KTable-KTable join, so Streams needs a
 * repartition topic (words re-keyed by word), changelog topics (the count store and the
 * categories table) and transactions that include the consumed offsets.
 *
 * <p>Usage: WordCountApp BOOTSTRAP APPLICATION_ID STATE_DIR. Reads wc-input (key: line
 * id, value: a line of words) and wc-categories (key: word, value: category); writes
 * wc-counts (word -> count, every update) and wc-joined (word -> "category:count").
 * Prints each state change on stdout ("state RUNNING") and exits on SIGTERM.
 */
public final class WordCountApp {
  public static void main(String[] args) throws InterruptedException {
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, args[1]);
    p.put(StreamsConfig.STATE_DIR_CONFIG, args[2]);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    // No record cache: every count update is forwarded, so the output is the exact
    // sequence 1..n per word, which makes duplicates and gaps visible.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // Small polls spread the work over many transactions, so a kill lands mid-stream.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 25);
    // A killed instance leaves the group quickly; the restarted one need not wait 45 s.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);

    KafkaStreams streams = new KafkaStreams(topology(), p);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("state " + now);
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) done.countDown();
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.out.println("error " + e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(streams::close));
    streams.start();
    done.await();
  }

  static Topology topology() {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, String> lines = b.stream("wc-input");
    KTable<String, Long> counts = lines
        .peek((lineId, line) -> pause())
        .flatMapValues(line -> Arrays.asList(line.split(" ")))
        .groupBy((lineId, word) -> word, Grouped.as("by-word"))
        .count(Materialized.as("counts"));
    counts.toStream().mapValues(n -> Long.toString(n))
        .to("wc-counts", Produced.with(Serdes.String(), Serdes.String()));
    KTable<String, String> categories = b.table("wc-categories", Materialized.as("categories"));
    counts.join(categories, (n, category) -> category + ":" + n).toStream().to("wc-joined");
    return b.build();
  }

  /**
   * 10 ms per input line: 300 lines take at least 3 s over some 30 transactions, so a
   * kill after the first commit lands mid-stream even when the test is starved of CPU.
   */
  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private WordCountApp() {}
}
