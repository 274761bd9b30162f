/**
 * Golden tests against kafkajs 2.2.4's request encoders: ACLs and configs.
 * Each request is built by kafkajs and framed by kafkajs (size + header v1 + body), then
 * decoded with our header and request codecs: the fields must equal what kafkajs was given,
 * every byte must be consumed, and re-encoding must reproduce the frame byte for byte.
 */
import { describe, it } from "node:test";
import {
  AlterConfigsApi,
  CreateAclsApi,
  DeleteAclsApi,
  DescribeAclsApi,
  DescribeConfigsApi,
} from "../src/index.js";
import { assertFields, versions, viaKafkajs } from "./helpers/kafkajs.js";

// kafkajs's enums (src/protocol/acl*.js, resourcePatternTypes.js, configResourceTypes.js).
const ResourceType = { ANY: 1, TOPIC: 2, GROUP: 3, TRANSACTIONAL_ID: 5 } as const;
const PatternType = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
const Operation = { ANY: 1, ALL: 2, READ: 3, WRITE: 4 } as const;
const Permission = { ANY: 1, DENY: 2, ALLOW: 3 } as const;
const ConfigResource = { TOPIC: 2, BROKER: 4 } as const;

describe("golden kafkajs requests: DescribeAcls", () => {
  for (const v of versions(0, 1)) {
    it(`v${v} specific filter`, async () => {
      const body = await viaKafkajs(DescribeAclsApi, "describeAcls", v, {
        resourceType: ResourceType.TOPIC,
        resourceName: "orders",
        resourcePatternType: PatternType.LITERAL,
        principal: "User:alice",
        host: "*",
        operation: Operation.READ,
        permissionType: Permission.ALLOW,
      });
      assertFields(body, {
        resourceTypeFilter: ResourceType.TOPIC,
        resourceNameFilter: "orders",
        ...(v >= 1 ? { patternTypeFilter: PatternType.LITERAL } : {}),
        principalFilter: "User:alice",
        hostFilter: "*",
        operation: Operation.READ,
        permissionType: Permission.ALLOW,
      });
    });
    it(`v${v} match-anything filter (null strings)`, async () => {
      const body = await viaKafkajs(DescribeAclsApi, "describeAcls", v, {
        resourceType: ResourceType.ANY,
        resourceName: null,
        resourcePatternType: PatternType.ANY,
        principal: null,
        host: null,
        operation: Operation.ANY,
        permissionType: Permission.ANY,
      });
      assertFields(body, {
        resourceTypeFilter: ResourceType.ANY,
        resourceNameFilter: null,
        ...(v >= 1 ? { patternTypeFilter: PatternType.ANY } : {}),
        principalFilter: null,
        hostFilter: null,
        operation: Operation.ANY,
        permissionType: Permission.ANY,
      });
    });
  }
});

describe("golden kafkajs requests: CreateAcls", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(CreateAclsApi, "createAcls", v, {
        creations: [
          {
            resourceType: ResourceType.TOPIC,
            resourceName: "orders",
            resourcePatternType: PatternType.LITERAL,
            principal: "User:alice",
            host: "*",
            operation: Operation.WRITE,
            permissionType: Permission.ALLOW,
          },
          {
            resourceType: ResourceType.GROUP,
            resourceName: "billing-",
            resourcePatternType: PatternType.PREFIXED,
            principal: "User:bob",
            host: "10.0.0.7",
            operation: Operation.READ,
            permissionType: Permission.DENY,
          },
        ],
      });
      assertFields(body, {
        creations: [
          {
            resourceType: ResourceType.TOPIC,
            resourceName: "orders",
            ...(v >= 1 ? { resourcePatternType: PatternType.LITERAL } : {}),
            principal: "User:alice",
            host: "*",
            operation: Operation.WRITE,
            permissionType: Permission.ALLOW,
          },
          {
            resourceType: ResourceType.GROUP,
            resourceName: "billing-",
            ...(v >= 1 ? { resourcePatternType: PatternType.PREFIXED } : {}),
            principal: "User:bob",
            host: "10.0.0.7",
            operation: Operation.READ,
            permissionType: Permission.DENY,
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: DeleteAcls", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(DeleteAclsApi, "deleteAcls", v, {
        filters: [
          {
            resourceType: ResourceType.TOPIC,
            resourceName: "orders",
            resourcePatternType: PatternType.MATCH,
            principal: "User:alice",
            host: "*",
            operation: Operation.ALL,
            permissionType: Permission.ALLOW,
          },
          {
            resourceType: ResourceType.TRANSACTIONAL_ID,
            resourceName: null,
            resourcePatternType: PatternType.ANY,
            principal: null,
            host: null,
            operation: Operation.ANY,
            permissionType: Permission.ANY,
          },
        ],
      });
      assertFields(body, {
        filters: [
          {
            resourceTypeFilter: ResourceType.TOPIC,
            resourceNameFilter: "orders",
            ...(v >= 1 ? { patternTypeFilter: PatternType.MATCH } : {}),
            principalFilter: "User:alice",
            hostFilter: "*",
            operation: Operation.ALL,
            permissionType: Permission.ALLOW,
          },
          {
            resourceTypeFilter: ResourceType.TRANSACTIONAL_ID,
            resourceNameFilter: null,
            ...(v >= 1 ? { patternTypeFilter: PatternType.ANY } : {}),
            principalFilter: null,
            hostFilter: null,
            operation: Operation.ANY,
            permissionType: Permission.ANY,
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: DescribeConfigs", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(DescribeConfigsApi, "describeConfigs", v, {
        includeSynonyms: true,
        resources: [
          {
            type: ConfigResource.TOPIC,
            name: "orders",
            configNames: ["cleanup.policy", "retention.ms"],
          },
          // No names: kafkajs sends a null array, meaning "all configs".
          { type: ConfigResource.BROKER, name: "1" },
        ],
      });
      assertFields(body, {
        ...(v >= 1 ? { includeSynonyms: true } : {}),
        resources: [
          {
            resourceType: ConfigResource.TOPIC,
            resourceName: "orders",
            configurationKeys: ["cleanup.policy", "retention.ms"],
          },
          { resourceType: ConfigResource.BROKER, resourceName: "1", configurationKeys: null },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: AlterConfigs", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(AlterConfigsApi, "alterConfigs", v, {
        validateOnly: true,
        resources: [
          {
            type: ConfigResource.TOPIC,
            name: "orders",
            configEntries: [
              { name: "retention.ms", value: "1000" },
              { name: "min.insync.replicas", value: null },
            ],
          },
          { type: ConfigResource.BROKER, name: "2", configEntries: [] },
        ],
      });
      assertFields(body, {
        validateOnly: true,
        resources: [
          {
            resourceType: ConfigResource.TOPIC,
            resourceName: "orders",
            configs: [
              { name: "retention.ms", value: "1000" },
              { name: "min.insync.replicas", value: null },
            ],
          },
          { resourceType: ConfigResource.BROKER, resourceName: "2", configs: [] },
        ],
      });
    });
  }
});
