package dev.logbook.java;

import static dev.logbook.java.Driver.result;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/**
 * controller_mutation_rate through the Java Admin (integration-tests/java-quotas.test.ts).
 * Usage: MutationQuotaChecks BOOTSTRAP. Sets controller_mutation_rate=1 on the client id
 * "mutation-admin" (a burst of 11 partitions), then, with that client id:
 * - retryOnQuotaViolation(false): creates topics of 8, 8 and 1 partitions; reports
 *   each topic's outcome (the third is refused with ThrottlingQuotaExceededException)
 *   and the throttle time the exception carries;
 * - the default (retries on): creates one more topic of 2 partitions, which the Admin
 *   retries past the throttle until it is created; reports the outcome and the time.
 */
public final class MutationQuotaChecks {
  private MutationQuotaChecks() {}

  private static final String CLIENT_ID = "mutation-admin";

  private static Admin admin(String bootstrap) {
    return Admin.create(
        Driver.props(
            bootstrap,
            Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000")));
  }

  private static String outcome(CreateTopicsResult r, String topic) throws InterruptedException {
    try {
      r.values().get(topic).get();
      return "created";
    } catch (ExecutionException e) {
      return e.getCause().getClass().getSimpleName();
    }
  }

  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    Map<String, Object> out = new LinkedHashMap<>();
    ClientQuotaEntity entity =
        new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, CLIENT_ID));
    try (Admin admin = admin(bootstrap)) {
      admin
          .alterClientQuotas(
              List.of(
                  new ClientQuotaAlteration(
                      entity, List.of(new ClientQuotaAlteration.Op("controller_mutation_rate", 1.0)))))
          .all()
          .get();
      CreateTopicsResult r =
          admin.createTopics(
              List.of(
                  new NewTopic("mq-j1", 8, (short) 1),
                  new NewTopic("mq-j2", 8, (short) 1),
                  new NewTopic("mq-j3", 1, (short) 1)),
              new CreateTopicsOptions().retryOnQuotaViolation(false));
      List<String> outcomes = new ArrayList<>();
      for (String t : List.of("mq-j1", "mq-j2", "mq-j3")) outcomes.add(t + " " + outcome(r, t));
      out.put("withoutRetry", outcomes);
      try {
        r.values().get("mq-j3").get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ThrottlingQuotaExceededException q)
          out.put("throttleTimeMs", q.throttleTimeMs());
      }
    }
    long started = System.nanoTime();
    try (Admin admin = admin(bootstrap)) {
      CreateTopicsResult r = admin.createTopics(List.of(new NewTopic("mq-j4", 2, (short) 1)));
      out.put("withRetry", "mq-j4 " + outcome(r, "mq-j4"));
    }
    out.put("retryElapsedMs", (System.nanoTime() - started) / 1_000_000);
    result(out);
  }
}
