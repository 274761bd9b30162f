package dev.logbook.java;

/**
 * KafkaProducer checks run against Logbook and against Kafka with the same assertions
 * (integration-tests/java-producer.test.ts), reusing the matrix's plans: Usage:
 * ProducerChecks codec-NAME|transactions BOOTSTRAP TOPIC. Each makes its one-partition
 * topic first; the test then reads the stored batches over the wire.
 */
public final class ProducerChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String topic = args[2];
    ConsumerChecks.createTopic(bootstrap, topic, 1);
    if (args[0].startsWith("codec-")) {
      Scenarios.codec(bootstrap, topic, args[0].substring("codec-".length()));
    } else if (args[0].equals("transactions")) {
      Scenarios.transactions(bootstrap, topic);
    } else {
      throw new IllegalArgumentException("unknown check " + args[0]);
    }
  }
}
