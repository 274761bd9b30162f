package dev.logbook.java;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Several brokers as the Java clients see them (cluster-postgres.test.ts).
 * Usage: ClusterChecks BOOTSTRAP TOPIC COUNT. Reports the node ids and the controller
 * describeCluster gives, each partition's leader from describeTopics, then produces COUNT
 * records (idempotent, acks=all: each partition's batches go to its leader) and reads
 * them back with an assigned consumer (no group), whose fetches carry the leader epoch
 * Metadata gave: "produced" and "consumed" (distinct values) counts.
 */
public final class ClusterChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    Map<String, Object> out = new LinkedHashMap<>();
    try (Admin admin = Driver.admin(bootstrap)) {
      DescribeClusterResult cluster = admin.describeCluster();
      List<Integer> nodes = new ArrayList<>();
      for (Node n : cluster.nodes().get()) nodes.add(n.id());
      nodes.sort(Integer::compare);
      out.put("nodes", nodes);
      out.put("controller", cluster.controller().get().id());
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      List<Integer> leaders = new ArrayList<>();
      for (TopicPartitionInfo p : d.partitions()) leaders.add(p.leader() == null ? -1 : p.leader().id());
      out.put("leaders", leaders);
    }
    Map<String, String> acked =
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<String, String> producer = Driver.producer(bootstrap, acked)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) sent.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
      for (Future<RecordMetadata> f : sent) f.get();
    }
    out.put("produced", count);
    Set<String> values = new HashSet<>();
    try (KafkaConsumer<String, String> c = Driver.consumer(bootstrap, null, Map.of())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(topic)) tps.add(new TopicPartition(topic, p.partition()));
      c.assign(tps);
      c.seekToBeginning(tps);
      Driver.pollUntil(
          List.of(new Driver.Member("c", c)),
          () -> values.size() >= count,
          count + " records",
          (m, r) -> values.add(r.value()));
    }
    out.put("consumed", values.size());
    Driver.result(out);
  }
}
