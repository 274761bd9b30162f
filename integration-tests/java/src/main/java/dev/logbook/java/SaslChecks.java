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
 * SCRAM credentials through the Java Admin (integration-tests/sasl-credentials.test.ts).
 * Usage: SaslChecks credentials BOOTSTRAP PREFIX. Upserts, describes and deletes
 * credentials of users named PREFIX-*, and the refusals: too few or too many iterations,
 * a user altered twice in one call, deleting or describing what does not exist.
 */
public final class SaslChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    if (!args[0].equals("credentials")) throw new IllegalArgumentException(args[0]);
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
