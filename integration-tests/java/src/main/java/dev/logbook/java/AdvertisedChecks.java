package dev.logbook.java;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * What the Java Admin makes of one listener (advertised-listeners.test.ts).
 * Usage: AdvertisedChecks BOOTSTRAP. Reports the "host:port" of every node
 * describeCluster returns, or the simple name of the exception it fails with within a
 * short timeout (a listener that advertises no broker gives the Admin nothing to ask).
 */
public final class AdvertisedChecks {
  public static void main(String[] args) throws Exception {
    Driver.quietLogs();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    Map<String, Object> out = new LinkedHashMap<>();
    try (Admin admin = Admin.create(props)) {
      List<String> nodes = new ArrayList<>();
      var options = new DescribeClusterOptions().timeoutMs(5000);
      for (Node n : admin.describeCluster(options).nodes().get()) nodes.add(n.host() + ":" + n.port());
      out.put("nodes", nodes);
    } catch (ExecutionException e) {
      out.put("error", e.getCause().getClass().getSimpleName());
    }
    Driver.result(out);
  }
}
