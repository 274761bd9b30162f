/** DescribeConfigs of one resource (a topic, a broker), as the config names, values and sources. */
import {
  configSourceName,
  createDescribeConfigsRequest,
  DescribeConfigsApi,
} from "@logbook/protocol";
import type { Connection } from "../connection.js";
import { check, KafkaError } from "../kafka-error.js";

export interface ConfigEntry {
  readonly name: string;
  /** Null for a sensitive config (and a config without a value). */
  readonly value: string | null;
  /** Kafka's ConfigSource name, e.g. DYNAMIC_TOPIC_CONFIG or DEFAULT_CONFIG. */
  readonly source: string;
  readonly sensitive: boolean;
  readonly readOnly: boolean;
}

export async function describeConfigs(
  conn: Connection,
  resourceType: number,
  resourceName: string,
  what: string,
): Promise<ConfigEntry[]> {
  const { body } = await conn.send(DescribeConfigsApi, () =>
    createDescribeConfigsRequest({
      resources: [{ resourceType, resourceName, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    }),
  );
  const r = body.results[0];
  if (r === undefined) throw new KafkaError(-1, "DescribeConfigs answered no resource");
  check(r.errorCode, r.errorMessage, what);
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
