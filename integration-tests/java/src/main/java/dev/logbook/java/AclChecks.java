package dev.logbook.java;

import static dev.logbook.java.Driver.errorOf;
import static dev.logbook.java.Driver.producer;
import static dev.logbook.java.Driver.result;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ACLs through the Java Admin and clients (integration-tests/java-acls.test.ts), on a
 * broker run with the StandardAuthorizer and allow.everyone.if.no.acl.found=true, the
 * client being User:ANONYMOUS. Usage: AclChecks BOOTSTRAP TOPIC. createAcls (a bad one
 * too), describeAcls with filters, a producer and a consumer denied by the topic's
 * ACLs, deleteAcls, then both allowed again.
 */
public final class AclChecks {
  private AclChecks() {}

  private static String text(AclBinding b) {
    return b.pattern().resourceType() + ":" + b.pattern().patternType() + ":" + b.pattern().name()
        + " " + b.entry().principal() + "@" + b.entry().host() + " " + b.entry().operation()
        + " " + b.entry().permissionType();
  }

  private static List<String> describe(Admin admin, AclBindingFilter filter) throws Exception {
    List<String> out = new ArrayList<>();
    for (AclBinding b : admin.describeAcls(filter).values().get()) out.add(text(b));
    Collections.sort(out);
    return out;
  }

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, String> once = Map.of(
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
        ProducerConfig.RETRIES_CONFIG, "0",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    try (Admin admin = Driver.admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      AclBinding denyWrite = new AclBinding(
          new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
          new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.WRITE, AclPermissionType.DENY));
      AclBinding aliceReads = new AclBinding(
          new ResourcePattern(ResourceType.TOPIC, topic.substring(0, 4), PatternType.PREFIXED),
          new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
      AclBinding badCluster = new AclBinding(
          new ResourcePattern(ResourceType.CLUSTER, "not-the-cluster", PatternType.LITERAL),
          new AccessControlEntry("User:alice", "*", AclOperation.ALTER, AclPermissionType.ALLOW));
      var created = admin.createAcls(List.of(denyWrite, aliceReads, badCluster)).values();
      out.put("createDeny", errorOf(() -> created.get(denyWrite).get()));
      out.put("createPrefixed", errorOf(() -> created.get(aliceReads).get()));
      out.put("createBadCluster", errorOf(() -> created.get(badCluster).get()));
      out.put("all", describe(admin, AclBindingFilter.ANY));
      out.put("matching", describe(admin, new AclBindingFilter(
          new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.MATCH),
          AccessControlEntryFilter.ANY)));
      out.put("alice", describe(admin, new AclBindingFilter(
          ResourcePatternFilter.ANY,
          new AccessControlEntryFilter("User:alice", null, AclOperation.ANY, AclPermissionType.ANY))));

      try (KafkaProducer<String, String> p = producer(bootstrap, once)) {
        out.put("produceDenied", errorOf(() -> p.send(new ProducerRecord<>(topic, "k", "no")).get()));
      }
      try (KafkaConsumer<String, String> c = Driver.consumer(bootstrap, null, Map.of())) {
        c.assign(List.of(new TopicPartition(topic, 0)));
        c.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        out.put("consumeDenied", errorOf(() -> c.poll(Duration.ofSeconds(5))));
      }

      var deleted = admin.deleteAcls(List.of(new AclBindingFilter(
          new ResourcePatternFilter(ResourceType.ANY, null, PatternType.ANY),
          AccessControlEntryFilter.ANY))).all().get();
      List<String> gone = new ArrayList<>();
      for (AclBinding b : deleted) gone.add(text(b));
      Collections.sort(gone);
      out.put("deleted", gone);
      out.put("afterDelete", describe(admin, AclBindingFilter.ANY));
    }
    try (KafkaProducer<String, String> p = producer(bootstrap, once)) {
      out.put("produceAllowed", errorOf(() -> p.send(new ProducerRecord<>(topic, "k", "yes")).get()));
    }
    out.put("read", Driver.read(bootstrap, topic, 1, Map.of()).size());
    result(out);
  }
}
