package dev.logbook.java;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A client over a TLS or SASL listener (tls-listeners.test.ts, sasl-listeners.test.ts,
 * security-matrix.test.ts). Usage: TlsChecks BOOTSTRAP TOPIC KEY=VALUE... where the pairs
 * are the client's security settings (security.protocol=SSL, ssl.truststore.type=PEM,
 * sasl.mechanism, ...), the same for Logbook and Kafka; a group.id pair names the
 * consumer's group (default: a new one) and goes to the consumer only. Creates TOPIC
 * (one that exists is fine), produces three records, reads them back and reports the port
 * the cluster advertises. A step the broker refuses is reported, not thrown:
 * {"error": simple name of the exception, "message": ...}.
 */
public final class TlsChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    String bootstrap = args[0];
    String topic = args[1];
    Map<String, String> security = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      security.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    String group = security.remove("group.id");
    try {
      Driver.result(roundTrip(bootstrap, topic, group, security));
    } catch (ExecutionException | KafkaException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("error", cause.getClass().getSimpleName());
      out.put("message", cause.getMessage());
      Driver.result(out);
    }
  }

  private static Map<String, Object> roundTrip(
      String bootstrap, String topic, String group, Map<String, String> security)
      throws Exception {
    Properties adminProps = Driver.props(bootstrap, security);
    List<Integer> ports = new ArrayList<>();
    try (Admin admin = Admin.create(adminProps)) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
      for (Node n : admin.describeCluster().nodes().get()) ports.add(n.port());
    }
    try (var p = Driver.producer(bootstrap, security)) {
      for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
    }
    List<String> values = new ArrayList<>();
    List<Map<String, Object>> read = group == null
        ? Driver.read(bootstrap, topic, 3, security)
        : Driver.read(bootstrap, topic, 3, group, security);
    for (Map<String, Object> r : read) values.add((String) r.get("value"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ports", ports);
    out.put("values", values);
    return out;
  }
}
