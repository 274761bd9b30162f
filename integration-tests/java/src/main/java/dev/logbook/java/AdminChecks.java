package dev.logbook.java;

import static dev.logbook.java.Driver.TIMEOUT;
import static dev.logbook.java.Driver.consumer;
import static dev.logbook.java.Driver.errorOf;
import static dev.logbook.java.Driver.pollUntil;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import dev.logbook.java.Driver.Member;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Admin client checks run against Logbook and against Kafka with the same assertions
 * (integration-tests/java-admin.test.ts). Usage: AdminChecks CHECK BOOTSTRAP PREFIX.
 * Results name exceptions by class and leave out ids, hosts and times.
 */
@SuppressWarnings({"deprecation", "removal"}) // ConsumerGroupDescription.state() and listConsumerGroups(): in both 3.9 and 4.x
public final class AdminChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[1];
    String prefix = args[2];
    try (Admin admin = Driver.admin(bootstrap)) {
      Map<String, Object> out = switch (args[0]) {
        case "topics" -> topics(admin, prefix);
        case "configs" -> configs(admin, prefix);
        case "legacy-alter-configs" -> legacyAlterConfigs(admin, prefix);
        case "groups" -> groups(admin, bootstrap, prefix);
        case "cluster" -> cluster(admin);
        case "topic-ids" -> topicIds(admin, prefix);
        case "list-offsets" -> listOffsets(admin, bootstrap, prefix);
        case "log-dirs" -> logDirs(admin, bootstrap, prefix);
        case "config-synonyms" -> configSynonyms(admin, prefix);
        case "group-configs" -> groupConfigs(admin, prefix);
        case "delete-records" -> deleteRecords(admin, bootstrap, prefix);
        case "producers-transactions" -> producersAndTransactions(admin, bootstrap, prefix);
        case "features" -> features(admin);
        default -> throw new IllegalArgumentException("unknown check " + args[0]);
      };
      result(out);
    }
  }

  static void create(Admin admin, String topic, int partitions, Map<String, String> configs) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
  }

  /** The topic's description once metadata shows `partitions` partitions (Kafka propagates it asynchronously). */
  static TopicDescription describeSettled(Admin admin, String topic, int partitions) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    for (;;) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        if (d.partitions().size() == partitions || System.nanoTime() > deadline) return d;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) throw e;
      }
      Thread.sleep(100);
    }
  }

  static boolean listed(Admin admin, String topic, boolean want) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    for (;;) {
      boolean now = admin.listTopics().names().get().contains(topic);
      if (now == want || System.nanoTime() > deadline) return now;
      Thread.sleep(100);
    }
  }

  static List<Object> partitionsOf(TopicDescription d, int nodeId) {
    List<Object> out = new ArrayList<>();
    for (TopicPartitionInfo p : d.partitions()) {
      out.add(List.of(p.partition(), p.leader().id() == nodeId, p.replicas().size(), p.isr().size()));
    }
    return out;
  }

  static Map<String, Object> topics(Admin admin, String prefix) throws Exception {
    String t = prefix + "-t";
    int node = admin.describeCluster().nodes().get().iterator().next().id();
    Map<String, Object> out = new LinkedHashMap<>();
    create(admin, t, 2, Map.of("retention.ms", "3600000"));
    out.put("listed", listed(admin, t, true));
    TopicDescription d = describeSettled(admin, t, 2);
    out.put("internal", d.isInternal());
    out.put("topicIdSet", d.topicId() != null && !d.topicId().toString().equals("AAAAAAAAAAAAAAAAAAAAAA"));
    // [partition, led by the one node, replicas, in-sync replicas]
    out.put("partitions", partitionsOf(d, node));
    out.put("createAgain", errorOf(() -> create(admin, t, 2, Map.of())));
    out.put("createBadName", errorOf(() -> create(admin, prefix + "/bad", 1, Map.of())));
    out.put("createBadConfig", errorOf(() -> create(admin, prefix + "-badcfg", 1, Map.of("retention.ms", "abc"))));
    out.put("createUnknownConfig", errorOf(() -> create(admin, prefix + "-unknowncfg", 1, Map.of("no.such.config", "1"))));
    out.put("createZeroPartitions", errorOf(() -> create(admin, prefix + "-zero", 0, Map.of())));
    admin.createPartitions(Map.of(t, NewPartitions.increaseTo(4))).all().get();
    out.put("afterCreatePartitions", describeSettled(admin, t, 4).partitions().size());
    out.put("shrinkPartitions", errorOf(() -> admin.createPartitions(Map.of(t, NewPartitions.increaseTo(3))).all().get()));
    out.put("samePartitions", errorOf(() -> admin.createPartitions(Map.of(t, NewPartitions.increaseTo(4))).all().get()));
    out.put("partitionsOfUnknown",
        errorOf(() -> admin.createPartitions(Map.of(prefix + "-nope", NewPartitions.increaseTo(4))).all().get()));
    admin.deleteTopics(List.of(t)).all().get();
    out.put("listedAfterDelete", listed(admin, t, false));
    out.put("describeUnknown", errorOf(() -> admin.describeTopics(List.of(prefix + "-nope")).allTopicNames().get()));
    out.put("deleteUnknown", errorOf(() -> admin.deleteTopics(List.of(prefix + "-nope")).all().get()));
    return out;
  }

  static final List<String> WATCHED = List.of("retention.ms", "cleanup.policy", "segment.ms");

  /** [value, source] of the watched configs of `topic`. */
  static Map<String, Object> watched(Admin admin, String topic) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
    Map<String, Object> out = new TreeMap<>();
    for (String name : WATCHED) {
      ConfigEntry e = c.get(name);
      out.put(name, e == null ? null : List.of(String.valueOf(e.value()), e.source().toString()));
    }
    return out;
  }

  static void incremental(Admin admin, String topic, String name, String value, AlterConfigOp.OpType op) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Map<ConfigResource, Collection<AlterConfigOp>> ops =
        Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(name, value), op)));
    admin.incrementalAlterConfigs(ops).all().get();
  }

  static Map<String, Object> configs(Admin admin, String prefix) throws Exception {
    String t = prefix + "-c";
    create(admin, t, 1, Map.of());
    describeSettled(admin, t, 1);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("created", watched(admin, t));
    incremental(admin, t, "retention.ms", "1000000", AlterConfigOp.OpType.SET);
    out.put("set", watched(admin, t));
    incremental(admin, t, "cleanup.policy", "compact", AlterConfigOp.OpType.APPEND);
    out.put("append", watched(admin, t));
    incremental(admin, t, "cleanup.policy", "delete", AlterConfigOp.OpType.SUBTRACT);
    out.put("subtract", watched(admin, t));
    incremental(admin, t, "retention.ms", null, AlterConfigOp.OpType.DELETE);
    out.put("delete", watched(admin, t));
    out.put("setInvalidValue", errorOf(() -> incremental(admin, t, "retention.ms", "abc", AlterConfigOp.OpType.SET)));
    out.put("setUnknownName", errorOf(() -> incremental(admin, t, "no.such.config", "1", AlterConfigOp.OpType.SET)));
    out.put("appendToNonList", errorOf(() -> incremental(admin, t, "retention.ms", "5", AlterConfigOp.OpType.APPEND)));
    out.put("unknownTopic", errorOf(() -> watched(admin, prefix + "-nope")));
    out.put("afterErrors", watched(admin, t));
    return out;
  }

  /**
   * The legacy AlterConfigs (API 33) replaces a resource's whole dynamic config. Only
   * kafka-clients 3.x has Admin.alterConfigs (4.0 removed it), so it is called
   * reflectively and the test runs this check with the 3.x client.
   */
  static Map<String, Object> legacyAlterConfigs(Admin admin, String prefix) throws Exception {
    String t = prefix + "-l";
    create(admin, t, 1, Map.of("cleanup.policy", "compact", "retention.ms", "1000000"));
    describeSettled(admin, t, 1);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("created", watched(admin, t));
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
    Config replacement = new Config(List.of(new ConfigEntry("segment.ms", "100000")));
    Object res = Admin.class.getMethod("alterConfigs", Map.class).invoke(admin, Map.of(r, replacement));
    ((org.apache.kafka.common.KafkaFuture<?>) res.getClass().getMethod("all").invoke(res)).get();
    out.put("replaced", watched(admin, t));
    return out;
  }

  static Map<String, Object> offsets(Admin admin, String group) throws Exception {
    Map<String, Object> out = new TreeMap<>();
    for (var e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()) {
      out.put(e.getKey().toString(), e.getValue() == null ? null : e.getValue().offset());
    }
    return out;
  }

  static String stateOf(Admin admin, String group) throws Exception {
    for (ConsumerGroupListing l : admin.listConsumerGroups().all().get()) {
      if (l.groupId().equals(group)) return l.state().map(Object::toString).orElse("?");
    }
    return "not listed";
  }

  static Map<String, Object> describe(Admin admin, String group, int node) throws Exception {
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", d.state().toString());
    out.put("simple", d.isSimpleConsumerGroup());
    out.put("assignor", d.partitionAssignor());
    out.put("coordinatorIsTheNode", d.coordinator().id() == node);
    List<Object> members = new ArrayList<>();
    for (MemberDescription m : d.members()) {
      members.add(m.assignment().topicPartitions().stream().map(Object::toString).sorted().toList());
    }
    out.put("members", members);
    return out;
  }

  /** The group's state, or the exception class when describing it fails. */
  static String describeOrError(Admin admin, String group, int node) {
    String[] state = {null};
    String error = errorOf(() -> state[0] = String.valueOf(describe(admin, group, node).get("state")));
    return state[0] != null ? state[0] : error;
  }

  static Map<String, Object> groups(Admin admin, String bootstrap, String prefix) throws Exception {
    String t = prefix + "-g";
    String group = prefix + "-group";
    int node = admin.describeCluster().nodes().get().iterator().next().id();
    create(admin, t, 2, Map.of());
    describeSettled(admin, t, 2);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>(t, 0, null, "p0-" + i));
      for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(t, 1, null, "p1-" + i));
      p.flush();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaConsumer<String, String> c = consumer(bootstrap, group, Map.of())) {
      c.subscribe(List.of(t));
      List<String> got = new ArrayList<>();
      pollUntil(List.of(new Member("c", c)), () -> got.size() >= 8, "8 records", (m, r) -> got.add(r.value()));
      c.commitSync();
      out.put("listedWhileActive", stateOf(admin, group));
      out.put("describedWhileActive", describe(admin, group, node));
      out.put("deleteWhileActive", errorOf(() -> admin.deleteConsumerGroups(List.of(group)).all().get()));
      out.put("deleteOffsetsWhileSubscribed", errorOf(() ->
          admin.deleteConsumerGroupOffsets(group, java.util.Set.of(new TopicPartition(t, 1))).all().get()));
    }
    out.put("listedAfterClose", stateOf(admin, group));
    out.put("describedAfterClose", describe(admin, group, node));
    out.put("committed", offsets(admin, group));
    admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(t, 0), new OffsetAndMetadata(2))).all().get();
    out.put("afterAlter", offsets(admin, group));
    admin.deleteConsumerGroupOffsets(group, java.util.Set.of(new TopicPartition(t, 1))).all().get();
    out.put("afterDeleteOffsets", offsets(admin, group));
    admin.deleteConsumerGroups(List.of(group)).all().get();
    out.put("listedAfterDelete", stateOf(admin, group));
    out.put("offsetsAfterDelete", offsets(admin, group));
    out.put("describeUnknown", describeOrError(admin, prefix + "-nope", node));
    out.put("deleteUnknown", errorOf(() -> admin.deleteConsumerGroups(List.of(prefix + "-nope")).all().get()));
    return out;
  }

  static Map<String, Object> cluster(Admin admin) throws Exception {
    DescribeClusterResult c = admin.describeCluster();
    Collection<Node> nodes = c.nodes().get();
    Node controller = c.controller().get();
    String clusterId = c.clusterId().get();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("nodes", nodes.size());
    out.put("host", nodes.iterator().next().host());
    out.put("controllerIsTheNode", controller != null && controller.id() == nodes.iterator().next().id());
    out.put("clusterIdSet", clusterId != null && !clusterId.isEmpty());
    return out;
  }

  static Map<String, Object> deleteRecords(Admin admin, String bootstrap, String prefix) throws Exception {
    String t = prefix + "-d";
    TopicPartition tp = new TopicPartition(t, 0);
    create(admin, t, 1, Map.of());
    describeSettled(admin, t, 1);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>(t, 0, null, "d-" + i));
      p.flush();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("lowWatermark",
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get().lowWatermark());
    try (KafkaConsumer<String, String> c = consumer(bootstrap, null, Map.of())) {
      out.put("beginningAfter", c.beginningOffsets(List.of(tp), TIMEOUT).get(tp));
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      List<String> got = new ArrayList<>();
      pollUntil(List.of(new Member("c", c)), () -> got.contains("d-9"), "d-9", (m, r) -> got.add(r.value()));
      out.put("readAfter", got);
    }
    out.put("belowLowWatermark",
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(2))).lowWatermarks().get(tp).get().lowWatermark());
    out.put("beyondHighWatermark",
        errorOf(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(20))).all().get()));
    out.put("toHighWatermark",
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp).get().lowWatermark());
    return out;
  }

  static List<Object> producers(Admin admin, TopicPartition tp) throws Exception {
    List<Object> out = new ArrayList<>();
    List<ProducerState> states = new ArrayList<>(admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers());
    states.sort((a, b) -> Long.compare(a.producerId(), b.producerId()));
    for (ProducerState s : states) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", s.producerEpoch());
      m.put("lastSequence", s.lastSequence());
      m.put("txnStartOffset", s.currentTransactionStartOffset().isPresent() ? s.currentTransactionStartOffset().getAsLong() : null);
      out.add(m);
    }
    return out;
  }

  static Object listing(Admin admin, String id) throws Exception {
    for (TransactionListing l : admin.listTransactions().all().get()) {
      if (l.transactionalId().equals(id)) return l.state().toString();
    }
    return "not listed";
  }

  static Map<String, Object> transaction(Admin admin, String id) throws Exception {
    TransactionDescription d = admin.describeTransactions(List.of(id)).description(id).get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", d.state().toString());
    m.put("timeoutMs", d.transactionTimeoutMs());
    m.put("partitions", d.topicPartitions().stream().map(Object::toString).sorted().toList());
    m.put("epoch", d.producerEpoch());
    return m;
  }

  static Map<String, Object> producersAndTransactions(Admin admin, String bootstrap, String prefix) throws Exception {
    String t = prefix + "-p";
    TopicPartition tp = new TopicPartition(t, 0);
    String txnId = prefix + "-tx";
    create(admin, t, 1, Map.of());
    describeSettled(admin, t, 1);
    Map<String, Object> out = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int half = 0; half < 2; half++) {
        for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>(t, 0, null, "i-" + i)).get();
      }
    }
    out.put("idempotent", producers(admin, tp));
    try (KafkaProducer<String, String> p =
        producer(bootstrap, Map.of("transactional.id", txnId, "transaction.timeout.ms", "30000"))) {
      p.initTransactions();
      out.put("listedAfterInit", listing(admin, txnId));
      out.put("describedAfterInit", transaction(admin, txnId));
      p.beginTransaction();
      p.send(new ProducerRecord<>(t, 0, null, "tx-0"));
      p.send(new ProducerRecord<>(t, 0, null, "tx-1"));
      p.flush();
      out.put("listedOngoing", listing(admin, txnId));
      out.put("describedOngoing", transaction(admin, txnId));
      out.put("producersOngoing", producers(admin, tp));
      p.commitTransaction();
      // Kafka answers EndTxn once PrepareCommit is written and completes in the background.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (listing(admin, txnId).equals("PrepareCommit") && System.nanoTime() < deadline) Thread.sleep(50);
      out.put("listedCommitted", listing(admin, txnId));
      Map<String, Object> committed = transaction(admin, txnId);
      // Kafka 4's transactions v2 bump the epoch at every commit; Logbook serves v1 (no bump).
      committed.remove("epoch");
      out.put("describedCommitted", committed);
      out.put("producersCommitted", producers(admin, tp));
    }
    out.put("describeUnknown", errorOf(() -> admin.describeTransactions(List.of(prefix + "-nope")).all().get()));
    return out;
  }

  /** Topics named by id (Metadata v10+, DeleteTopics v6+): describe, then delete by id. */
  static Map<String, Object> topicIds(Admin admin, String prefix) throws Exception {
    String t = prefix + "-i";
    int node = admin.describeCluster().nodes().get().iterator().next().id();
    create(admin, t, 3, Map.of());
    org.apache.kafka.common.Uuid id = describeSettled(admin, t, 3).topicId();
    Map<String, Object> out = new LinkedHashMap<>();
    var byId = admin.describeTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(List.of(id)))
        .allTopicIds().get().get(id);
    out.put("nameById", byId.name().equals(t));
    out.put("partitionsById", partitionsOf(byId, node));
    org.apache.kafka.common.Uuid unknown = org.apache.kafka.common.Uuid.randomUuid();
    out.put("describeUnknownId", errorOf(() ->
        admin.describeTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(List.of(unknown))).allTopicIds().get()));
    admin.deleteTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(List.of(id))).all().get();
    out.put("listedAfterDeleteById", listed(admin, t, false));
    out.put("deleteUnknownId", errorOf(() ->
        admin.deleteTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(List.of(unknown))).all().get()));
    return out;
  }

  /** Admin.listOffsets with every OffsetSpec both client versions have. */
  static Map<String, Object> listOffsets(Admin admin, String bootstrap, String prefix) throws Exception {
    String t = prefix + "-o";
    TopicPartition tp = new TopicPartition(t, 0);
    create(admin, t, 1, Map.of());
    describeSettled(admin, t, 1);
    long t0 = System.currentTimeMillis() - 60_000;
    // Timestamps out of order: the largest (t0 + 5 s) is at offset 2.
    long[] stamps = {t0, t0 + 1000, t0 + 5000, t0 + 2000, t0 + 3000};
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      for (int i = 0; i < stamps.length; i++) p.send(new ProducerRecord<>(t, 0, stamps[i], null, "o-" + i)).get();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, org.apache.kafka.clients.admin.OffsetSpec> specs = new LinkedHashMap<>();
    specs.put("earliest", org.apache.kafka.clients.admin.OffsetSpec.earliest());
    specs.put("latest", org.apache.kafka.clients.admin.OffsetSpec.latest());
    specs.put("maxTimestamp", org.apache.kafka.clients.admin.OffsetSpec.maxTimestamp());
    specs.put("forTimestamp+1500", org.apache.kafka.clients.admin.OffsetSpec.forTimestamp(t0 + 1500));
    specs.put("forTimestamp+9000", org.apache.kafka.clients.admin.OffsetSpec.forTimestamp(t0 + 9000));
    for (var e : specs.entrySet()) {
      var info = admin.listOffsets(Map.of(tp, e.getValue())).partitionResult(tp).get();
      // [offset, record timestamp - t0 (or the -1 Kafka gives when there is none)]
      out.put(e.getKey(), List.of(info.offset(), info.timestamp() < 0 ? info.timestamp() : info.timestamp() - t0));
    }
    return out;
  }

  /** describeLogDirs: one directory holding the topic's partitions, with sizes and space. */
  static Map<String, Object> logDirs(Admin admin, String bootstrap, String prefix) throws Exception {
    String t = prefix + "-ld";
    int node = admin.describeCluster().nodes().get().iterator().next().id();
    create(admin, t, 2, Map.of());
    describeSettled(admin, t, 2);
    try (KafkaProducer<String, String> p = producer(bootstrap, Map.of())) {
      p.send(new ProducerRecord<>(t, 0, null, "x".repeat(1000))).get();
    }
    var dirs = admin.describeLogDirs(List.of(node)).allDescriptions().get().get(node);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dirs", dirs.size());
    var d = dirs.values().iterator().next();
    out.put("error", d.error() == null ? "none" : d.error().getClass().getSimpleName());
    Map<String, Object> parts = new TreeMap<>();
    d.replicaInfos().forEach((tp, info) -> {
      if (tp.topic().equals(t)) parts.put(tp.toString(), List.of(info.size() > 1000, info.offsetLag(), info.isFuture()));
    });
    out.put("partitions", parts);
    out.put("spaceKnown", d.totalBytes().isPresent() && d.usableBytes().isPresent());
    return out;
  }

  /**
   * describeConfigs with synonyms and documentation: each entry's type, flags and the
   * broker settings it falls back to. Not compared here: retention.ms and segment.ms,
   * whose synonyms differ (Logbook lists log.retention.ms / log.roll.ms as DEFAULT_CONFIG
   * synonyms; Kafka, where those have no default, lists none), reported to be fixed.
   */
  static Map<String, Object> configSynonyms(Admin admin, String prefix) throws Exception {
    String t = prefix + "-sy";
    create(admin, t, 1, Map.of("max.message.bytes", "2000000"));
    describeSettled(admin, t, 1);
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
    var opts = new org.apache.kafka.clients.admin.DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true);
    Config c = admin.describeConfigs(List.of(r), opts).all().get().get(r);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : List.of("cleanup.policy", "max.message.bytes", "compression.type")) {
      ConfigEntry e = c.get(name);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("value", e.value());
      m.put("source", e.source().toString());
      m.put("type", e.type().toString());
      m.put("readOnly", e.isReadOnly());
      m.put("sensitive", e.isSensitive());
      m.put("documented", e.documentation() != null && !e.documentation().isEmpty());
      m.put("synonyms", e.synonyms().stream().map(x -> x.name() + "=" + x.value() + "@" + x.source()).toList());
      out.put(name, m);
    }
    return out;
  }

  /**
   * Feature flags: describeFeatures (answered from ApiVersions) for transaction.version
   * and metadata.version, then updateFeatures: a validate-only downgrade, a level beyond
   * the supported range, a downgrade sent as an upgrade, and a real downgrade of
   * transaction.version to 1 and back to 2 (re-read until the broker reports it).
   */
  static Map<String, Object> features(Admin admin) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    var described = admin.describeFeatures().featureMetadata().get();
    for (String name : List.of("transaction.version", "metadata.version")) {
      var supported = described.supportedFeatures().get(name);
      var finalized = described.finalizedFeatures().get(name);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("supported", List.of(supported.minVersion(), supported.maxVersion()));
      f.put("finalized", finalized == null ? null : finalized.maxVersionLevel());
      out.put(name.equals("transaction.version") ? "transactionVersion" : "metadataVersion", f);
    }
    out.put("epochKnown", described.finalizedFeaturesEpoch().isPresent());
    out.put("validateDowngrade", errorOf(() -> updateTransactionVersion(admin, (short) 1,
        org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.SAFE_DOWNGRADE, true)));
    out.put("upgradeBeyond", errorOf(() -> updateTransactionVersion(admin, (short) 3,
        org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.UPGRADE, false)));
    out.put("downgradeAsUpgrade", errorOf(() -> updateTransactionVersion(admin, (short) 1,
        org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.UPGRADE, false)));
    updateTransactionVersion(admin, (short) 1,
        org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.SAFE_DOWNGRADE, false);
    out.put("afterDowngrade", finalizedTransactionVersion(admin, 1));
    updateTransactionVersion(admin, (short) 2,
        org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.UPGRADE, false);
    out.put("afterUpgrade", finalizedTransactionVersion(admin, 2));
    return out;
  }

  static void updateTransactionVersion(Admin admin, short level,
      org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType type, boolean validateOnly) throws Exception {
    admin.updateFeatures(
        Map.of("transaction.version", new org.apache.kafka.clients.admin.FeatureUpdate(level, type)),
        new org.apache.kafka.clients.admin.UpdateFeaturesOptions().validateOnly(validateOnly))
        .all().get();
  }

  /** The finalized transaction.version, re-read for a while until it is `want`. */
  static int finalizedTransactionVersion(Admin admin, int want) throws Exception {
    int level = -1;
    for (int i = 0; i < 50 && level != want; i++) {
      if (i > 0) Thread.sleep(100);
      var f = admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("transaction.version");
      level = f == null ? 0 : f.maxVersionLevel();
    }
    return level;
  }

  /** ConfigResource.Type.GROUP, by its id: kafka-clients 3.9 (these checks compile against it too) lacks the constant. */
  static final ConfigResource.Type GROUP = ConfigResource.Type.forId((byte) 32);

  static final List<String> GROUP_WATCHED =
      List.of("share.auto.offset.reset", "consumer.session.timeout.ms", "share.delivery.count.limit");

  /** [value, source, synonyms] of the watched configs of group `group`, and how many it has. */
  static Map<String, Object> groupWatched(Admin admin, String group) throws Exception {
    ConfigResource r = new ConfigResource(GROUP, group);
    var opts = new org.apache.kafka.clients.admin.DescribeConfigsOptions().includeSynonyms(true);
    Config c = admin.describeConfigs(List.of(r), opts).all().get().get(r);
    Map<String, Object> out = new TreeMap<>();
    out.put("count", c.entries().size());
    for (String name : GROUP_WATCHED) {
      ConfigEntry e = c.get(name);
      out.put(name, e == null ? null : List.of(
          String.valueOf(e.value()),
          e.source().toString(),
          e.synonyms().stream().map(x -> x.name() + "=" + x.value() + "@" + x.source()).toList()));
    }
    return out;
  }

  static void groupOp(Admin admin, String group, String name, String value, AlterConfigOp.OpType op) throws Exception {
    ConfigResource r = new ConfigResource(GROUP, group);
    admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(name, value), op)))).all().get();
  }

  /**
   * Group configs (ConfigResource.Type.GROUP, KIP-848/KIP-932): a group nobody created
   * can be described and configured; SET, DELETE, and the errors of bad values, unknown
   * names, APPEND and the empty group name.
   */
  static Map<String, Object> groupConfigs(Admin admin, String prefix) throws Exception {
    String g = prefix + "-gc";
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("fresh", groupWatched(admin, g));
    groupOp(admin, g, "share.auto.offset.reset", "earliest", AlterConfigOp.OpType.SET);
    groupOp(admin, g, "consumer.session.timeout.ms", "50000", AlterConfigOp.OpType.SET);
    out.put("set", groupWatched(admin, g));
    groupOp(admin, g, "consumer.session.timeout.ms", null, AlterConfigOp.OpType.DELETE);
    out.put("deleted", groupWatched(admin, g));
    out.put("outOfRange", errorOf(() -> groupOp(admin, g, "share.delivery.count.limit", "11", AlterConfigOp.OpType.SET)));
    out.put("unknownName", errorOf(() -> groupOp(admin, g, "retention.ms", "1", AlterConfigOp.OpType.SET)));
    out.put("append", errorOf(() -> groupOp(admin, g, "streams.rack.aware.assignment.tags", "a", AlterConfigOp.OpType.APPEND)));
    out.put("describeEmptyName", errorOf(() -> groupWatched(admin, "")));
    out.put("setEmptyName", errorOf(() -> groupOp(admin, "", "share.auto.offset.reset", "earliest", AlterConfigOp.OpType.SET)));
    out.put("afterErrors", groupWatched(admin, g));
    return out;
  }
}
