/**
 * Golden tests against kafkajs 2.2.4's response decoders: ACLs and configs.
 * Each response is built with our `create`, framed and encoded with our encoders, read back
 * the way kafkajs's connection does and decoded by kafkajs (`decode`, then `parse`), which
 * must see the same values and read every byte of the body.
 */
import { describe, it } from "node:test";
import {
  AlterConfigsApi,
  CreateAclsApi,
  createAlterConfigsResponse,
  createAlterConfigsResponseResourceResponse,
  createCreateAclsResponse,
  createCreateAclsResponseAclCreationResult,
  createDeleteAclsResponse,
  createDeleteAclsResponseFilterResult,
  createDeleteAclsResponseMatchingAcl,
  createDescribeAclsResponse,
  createDescribeAclsResponseAclDescription,
  createDescribeAclsResponseResource,
  createDescribeConfigsResponse,
  createDescribeConfigsResponseResourceResult,
  createDescribeConfigsResponseResult,
  createDescribeConfigsResponseSynonym,
  DeleteAclsApi,
  DescribeAclsApi,
  DescribeConfigsApi,
} from "../src/index.js";
import { assertFields, throttle, toKafkajs, versions } from "./helpers/kafkajs.js";

// kafkajs's src/protocol/configSource.js.
const ConfigSource = { TOPIC_CONFIG: 1, DEFAULT_CONFIG: 5 } as const;

describe("golden kafkajs responses: DescribeAcls", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createDescribeAclsResponse({
        throttleTimeMs: 16,
        errorCode: 0,
        errorMessage: null,
        resources: [
          createDescribeAclsResponseResource({
            resourceType: 2,
            resourceName: "orders",
            patternType: 3,
            acls: [
              createDescribeAclsResponseAclDescription({
                principal: "User:alice",
                host: "*",
                operation: 3,
                permissionType: 3,
              }),
              createDescribeAclsResponseAclDescription({
                principal: "User:bob",
                host: "10.0.0.7",
                operation: 4,
                permissionType: 2,
              }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(DescribeAclsApi, "describeAcls", v, value);
      assertFields(seen, {
        ...throttle(16, 1, v),
        errorCode: 0,
        errorMessage: null,
        resources: [
          {
            resourceType: 2,
            resourceName: "orders",
            ...(v >= 1 ? { resourcePatternType: 3 } : {}),
            acls: [
              { principal: "User:alice", host: "*", operation: 3, permissionType: 3 },
              { principal: "User:bob", host: "10.0.0.7", operation: 4, permissionType: 2 },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: CreateAcls", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createCreateAclsResponse({
        throttleTimeMs: 17,
        results: [
          createCreateAclsResponseAclCreationResult({ errorMessage: null }),
          createCreateAclsResponseAclCreationResult({ errorMessage: "" }),
        ],
      });
      const seen = await toKafkajs(CreateAclsApi, "createAcls", v, value);
      assertFields(seen, {
        ...throttle(17, 1, v),
        creationResponses: [
          { errorCode: 0, errorMessage: null },
          { errorCode: 0, errorMessage: "" },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: DeleteAcls", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createDeleteAclsResponse({
        throttleTimeMs: 18,
        filterResults: [
          createDeleteAclsResponseFilterResult({
            errorMessage: null,
            matchingAcls: [
              createDeleteAclsResponseMatchingAcl({
                errorMessage: null,
                resourceType: 3,
                resourceName: "billing-",
                patternType: 4,
                principal: "User:bob",
                host: "*",
                operation: 3,
                permissionType: 2,
              }),
            ],
          }),
          createDeleteAclsResponseFilterResult({ errorMessage: null, matchingAcls: [] }),
        ],
      });
      const seen = await toKafkajs(DeleteAclsApi, "deleteAcls", v, value);
      assertFields(seen, {
        ...throttle(18, 1, v),
        filterResponses: [
          {
            errorCode: 0,
            errorMessage: null,
            matchingAcls: [
              {
                errorCode: 0,
                errorMessage: null,
                resourceType: 3,
                resourceName: "billing-",
                ...(v >= 1 ? { resourcePatternType: 4 } : {}),
                principal: "User:bob",
                host: "*",
                operation: 3,
                permissionType: 2,
              },
            ],
          },
          { errorCode: 0, errorMessage: null, matchingAcls: [] },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: DescribeConfigs", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const value = createDescribeConfigsResponse({
        throttleTimeMs: 19,
        results: [
          createDescribeConfigsResponseResult({
            errorMessage: null,
            resourceType: 2,
            resourceName: "orders",
            configs: [
              createDescribeConfigsResponseResourceResult({
                name: "cleanup.policy",
                value: "compact",
                readOnly: false,
                isDefault: false,
                configSource: ConfigSource.TOPIC_CONFIG,
                isSensitive: false,
                synonyms: [
                  createDescribeConfigsResponseSynonym({
                    name: "cleanup.policy",
                    value: "compact",
                    source: ConfigSource.TOPIC_CONFIG,
                  }),
                  createDescribeConfigsResponseSynonym({
                    name: "log.cleanup.policy",
                    value: "delete",
                    source: ConfigSource.DEFAULT_CONFIG,
                  }),
                ],
              }),
              createDescribeConfigsResponseResourceResult({
                name: "ssl.key.password",
                value: null,
                readOnly: true,
                isDefault: true,
                configSource: ConfigSource.DEFAULT_CONFIG,
                isSensitive: true,
              }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(DescribeConfigsApi, "describeConfigs", v, value);
      // v0 carries is_default and kafkajs derives the source; v1+ carries the source.
      assertFields(seen, {
        ...throttle(19, 2, v),
        resources: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: "orders",
            configEntries: [
              {
                configName: "cleanup.policy",
                configValue: "compact",
                readOnly: false,
                isDefault: false,
                configSource: ConfigSource.TOPIC_CONFIG,
                isSensitive: false,
                ...(v >= 1
                  ? {
                      configSynonyms: [
                        {
                          configName: "cleanup.policy",
                          configValue: "compact",
                          configSource: ConfigSource.TOPIC_CONFIG,
                        },
                        {
                          configName: "log.cleanup.policy",
                          configValue: "delete",
                          configSource: ConfigSource.DEFAULT_CONFIG,
                        },
                      ],
                    }
                  : {}),
              },
              {
                configName: "ssl.key.password",
                configValue: null,
                readOnly: true,
                isDefault: true,
                configSource: ConfigSource.DEFAULT_CONFIG,
                isSensitive: true,
                ...(v >= 1 ? { configSynonyms: [] } : {}),
              },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: AlterConfigs", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createAlterConfigsResponse({
        throttleTimeMs: 23,
        responses: [
          createAlterConfigsResponseResourceResponse({
            errorMessage: null,
            resourceType: 2,
            resourceName: "orders",
          }),
          createAlterConfigsResponseResourceResponse({
            errorMessage: null,
            resourceType: 4,
            resourceName: "2",
          }),
        ],
      });
      const seen = await toKafkajs(AlterConfigsApi, "alterConfigs", v, value);
      assertFields(seen, {
        ...throttle(23, 1, v),
        resources: [
          { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: "orders" },
          { errorCode: 0, errorMessage: null, resourceType: 4, resourceName: "2" },
        ],
      });
    });
  }
});
