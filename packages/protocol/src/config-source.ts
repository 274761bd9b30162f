/**
 * DescribeConfigs' config_source ids (Kafka's DescribeConfigsResponse.ConfigSource), by
 * the names Kafka's Admin client and tools print for them.
 */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  DYNAMIC_CLIENT_METRICS_CONFIG: 7,
  /** A group's own override (ConfigResource GROUP). */
  DYNAMIC_GROUP_CONFIG: 8,
} as const;

const names = new Map<number, string>(Object.entries(ConfigSource).map(([n, c]) => [c, n]));

export function configSourceName(code: number): string {
  return names.get(code) ?? `UNKNOWN_SOURCE_${code}`;
}
