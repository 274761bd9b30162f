/** What a cluster says of itself: brokers, controller, id, APIs and features. */
import { apiCodecs } from "@logbook/protocol";
import type { KafkaClient } from "../kafka-client.js";

export interface ClusterBroker {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  readonly controller: boolean;
}

export interface ServedApi {
  readonly key: number;
  /** Kafka's name for the API, when this client knows it. */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface ClusterFeature {
  readonly name: string;
  readonly supportedMin: number;
  readonly supportedMax: number;
  /** The finalized level, or null when the feature is not finalized. */
  readonly finalized: number | null;
}

export interface ClusterInfo {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly ClusterBroker[];
  /** The APIs (and versions) the broker the client is connected to serves. */
  readonly apis: readonly ServedApi[];
  readonly features: readonly ClusterFeature[];
}

const apiNames = new Map(apiCodecs.map((c) => [c.apiKey, c.name]));

export async function clusterInfo(client: KafkaClient): Promise<ClusterInfo> {
  const md = await client.metadata([]);
  const av = client.any.apiVersions;
  const finalized = new Map(av.finalizedFeatures.map((f) => [f.name, f.maxVersionLevel]));
  return {
    clusterId: md.clusterId,
    controllerId: md.controllerId,
    brokers: md.brokers
      .map((b) => ({
        id: b.nodeId,
        host: b.host,
        port: b.port,
        rack: b.rack,
        controller: b.nodeId === md.controllerId,
      }))
      .sort((a, b) => a.id - b.id),
    apis: av.apiKeys
      .map((k) => ({
        key: k.apiKey,
        name: apiNames.get(k.apiKey) ?? `api-${k.apiKey}`,
        minVersion: k.minVersion,
        maxVersion: k.maxVersion,
      }))
      .sort((a, b) => a.key - b.key),
    features: av.supportedFeatures
      .map((f) => ({
        name: f.name,
        supportedMin: f.minVersion,
        supportedMax: f.maxVersion,
        finalized: finalized.get(f.name) ?? null,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}
