package dev.logbook.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Prints the topics whose name starts with PREFIX, one JSON line each: name, partition
 * count, and the configs set on the topic itself (source DYNAMIC_TOPIC_CONFIG), which
 * for Streams' internal topics are the ones Streams asked for in CreateTopics.
 *
 * <p>Usage: InternalTopics BOOTSTRAP PREFIX
 */
public final class InternalTopics {
  public static void main(String[] args) throws Exception {
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(a)) {
      TreeSet<String> names = new TreeSet<>();
      for (String n : admin.listTopics().names().get()) if (n.startsWith(args[1])) names.add(n);
      Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get();
      List<ConfigResource> res = new ArrayList<>();
      for (String n : names) res.add(new ConfigResource(ConfigResource.Type.TOPIC, n));
      Map<ConfigResource, Config> configs = admin.describeConfigs(res).all().get();
      for (String n : names) {
        StringBuilder cfg = new StringBuilder();
        TreeSet<String> entries = new TreeSet<>();
        for (ConfigEntry e : configs.get(new ConfigResource(ConfigResource.Type.TOPIC, n)).entries()) {
          if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) entries.add(Json.str(e.name()) + ":" + Json.str(e.value()));
        }
        cfg.append(String.join(",", entries));
        System.out.println("{\"name\":" + Json.str(n) + ",\"partitions\":" + desc.get(n).partitions().size()
            + ",\"configs\":{" + cfg + "}}");
      }
    }
  }

  private InternalTopics() {}
}
