package dev.logbook.java;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;

/**
 * A client over a TLS or SASL listener (tls-listeners.test.ts, sasl-listeners.test.ts).
 * Usage: TlsChecks BOOTSTRAP TOPIC KEY=VALUE... where the pairs are the client's security
 * settings (security.protocol=SSL, ssl.truststore.type=PEM, sasl.mechanism, ...), the same
 * for Logbook and Kafka. Creates TOPIC, produces
 * three records, reads them back and reports the port the cluster advertises.
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
    Properties adminProps = Driver.props(bootstrap, security);
    List<Integer> ports = new ArrayList<>();
    try (Admin admin = Admin.create(adminProps)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      for (Node n : admin.describeCluster().nodes().get()) ports.add(n.port());
    }
    try (var p = Driver.producer(bootstrap, security)) {
      for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
    }
    List<String> values = new ArrayList<>();
    for (Map<String, Object> r : Driver.read(bootstrap, topic, 3, security)) values.add((String) r.get("value"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ports", ports);
    out.put("values", values);
    Driver.result(out);
  }
}
