/** A broker's settings as DescribeConfigs reports them (resource type BROKER). */
import type { KafkaClient } from "../kafka-client.js";
import { ConfigResourceType } from "./config-source.js";
import { type ConfigEntry, describeConfigs } from "./describe-configs.js";

export function describeBrokerConfigs(
  client: KafkaClient,
  brokerId: number,
): Promise<ConfigEntry[]> {
  return client
    .broker(brokerId)
    .then((conn) =>
      describeConfigs(conn, ConfigResourceType.BROKER, String(brokerId), `broker ${brokerId}`),
    );
}
