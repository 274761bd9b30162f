/** A broker's settings as DescribeConfigs reports them (resource type BROKER). */
import {
  configSourceName,
  createDescribeConfigsRequest,
  DescribeConfigsApi,
} from "@logbook/protocol";
import type { KafkaClient } from "../kafka-client.js";
import { check, KafkaError } from "../kafka-error.js";
import { ConfigResourceType } from "./config-source.js";
import type { TopicConfig } from "./topics.js";

export async function describeBrokerConfigs(
  client: KafkaClient,
  brokerId: number,
): Promise<TopicConfig[]> {
  const { body } = await (await client.broker(brokerId)).send(DescribeConfigsApi, () =>
    createDescribeConfigsRequest({
      resources: [
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: String(brokerId),
          configurationKeys: null,
        },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    }),
  );
  const r = body.results[0];
  if (r === undefined) throw new KafkaError(-1, "DescribeConfigs answered no resource");
  check(r.errorCode, r.errorMessage, `broker ${brokerId}`);
  return r.configs
    .map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : c.value,
      source: configSourceName(c.configSource),
      sensitive: c.isSensitive,
      readOnly: c.readOnly,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}
