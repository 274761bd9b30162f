package dev.logbook.java;

import static dev.logbook.java.Driver.errorOf;
import static dev.logbook.java.Driver.result;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;

/**
 * SASL through the Java client. Usage:
 *   SaslChecks credentials BOOTSTRAP PREFIX (sasl-credentials.test.ts): upserts, describes
 *     and deletes SCRAM credentials of users named PREFIX-* through the Admin, and the
 *     refusals: too few or too many iterations, a user altered twice in one call,
 *     deleting or describing what does not exist.
 *   SaslChecks denied BOOTSTRAP KEY=VALUE... (sasl-listeners.test.ts): an Admin with these
 *     security settings asks for the cluster; reports the error and its message.
 *   SaslChecks reauth BOOTSTRAP TOPIC MILLIS KEY=VALUE...: one producer sends a record
 *     every 200 ms for MILLIS, across re-authentications (KIP-368); reports what failed.
 */
public final class SaslChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    switch (args[0]) {
      case "credentials" -> credentials(args);
      case "denied" -> denied(args);
      case "reauth" -> reauth(args);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static Map<String, String> pairs(String[] args, int from) {
    Map<String, String> out = new java.util.HashMap<>();
    for (int i = from; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      out.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return out;
  }

  private static void denied(String[] args) throws Exception {
    Map<String, String> security = pairs(args, 2);
    security.put("default.api.timeout.ms", "15000");
    security.put("request.timeout.ms", "15000");
    Map<String, Object> out = new LinkedHashMap<>();
    try (Admin admin = Admin.create(Driver.props(args[1], security))) {
      try {
        admin.describeCluster().nodes().get();
        out.put("error", "none");
      } catch (java.util.concurrent.ExecutionException e) {
        out.put("error", e.getCause().getClass().getSimpleName());
        out.put("message", e.getCause().getMessage());
      }
    }
    result(out);
  }

  private static void reauth(String[] args) throws Exception {
    String topic = args[2];
    long millis = Long.parseLong(args[3]);
    Map<String, String> security = pairs(args, 4);
    try (Admin admin = Admin.create(Driver.props(args[1], security))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)))
          .all().get();
    }
    int sent = 0;
    List<String> failures = new ArrayList<>();
    try (var p = Driver.producer(args[1], security)) {
      long end = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < end) {
        try {
          p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k", "v" + sent)).get();
          sent++;
        } catch (Exception e) {
          failures.add(String.valueOf(e.getCause()));
        }
        Thread.sleep(200);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sent", sent);
    out.put("failures", failures);
    result(out);
  }

  private static void credentials(String[] args) throws Exception {
    String bootstrap = args[1];
    String alice = args[2] + "-alice";
    String bob = args[2] + "-bob";
    Map<String, Object> out = new LinkedHashMap<>();
    try (Admin admin = Driver.admin(bootstrap)) {
      ScramCredentialInfo sha256 = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192);
      ScramCredentialInfo sha512 = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096);
      out.put("upsert", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialUpsertion(alice, sha256, "alice-secret"),
          new UserScramCredentialUpsertion(bob, sha512, "bob-secret"))).all().get()));
      out.put("secondMechanism", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialUpsertion(alice, sha512, "alice-secret"))).all().get()));
      out.put("described", describe(admin, List.of(alice, bob)));
      out.put("twiceInOneCall", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialUpsertion(bob, sha256, "x"),
          new UserScramCredentialDeletion(bob, ScramMechanism.SCRAM_SHA_512))).all().get()));
      out.put("tooFew", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialUpsertion(bob,
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 100), "x"))).all().get()));
      out.put("tooMany", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialUpsertion(bob,
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 20000), "x"))).all().get()));
      out.put("deleteMissing", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialDeletion(bob, ScramMechanism.SCRAM_SHA_256))).all().get()));
      out.put("delete", errorOf(() -> admin.alterUserScramCredentials(List.of(
          new UserScramCredentialDeletion(alice, ScramMechanism.SCRAM_SHA_512))).all().get()));
      out.put("afterDelete", describe(admin, List.of(alice)));
      // all() leaves out users without credentials rather than failing (both brokers);
      // the user's own future fails.
      out.put("describeMissing", errorOf(() ->
          admin.describeUserScramCredentials(List.of(args[2] + "-nobody")).all().get()));
      out.put("describeMissingUser", errorOf(() -> admin.describeUserScramCredentials(
          List.of(args[2] + "-nobody")).description(args[2] + "-nobody").get()));
      List<String> all = new ArrayList<>(admin.describeUserScramCredentials().users().get());
      out.put("listed", all.stream().filter(u -> u.startsWith(args[2] + "-")).sorted().toList());
    }
    result(out);
  }

  /** user -> [mechanism:iterations, ...] in a stable order. */
  private static Map<String, List<String>> describe(Admin admin, List<String> users)
      throws Exception {
    Map<String, UserScramCredentialsDescription> got =
        admin.describeUserScramCredentials(users).all().get();
    Map<String, List<String>> out = new TreeMap<>();
    got.forEach((user, d) -> out.put(user, d.credentialInfos().stream()
        .map(i -> i.mechanism() + ":" + i.iterations()).sorted().toList()));
    return out;
  }
}
