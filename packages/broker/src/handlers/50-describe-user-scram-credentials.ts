/**
 * DescribeUserScramCredentials (key 50), v0: the SCRAM mechanisms and iteration counts
 * of every user, or of the named ones (sasl/scram-credentials.ts); never salts or keys.
 * An unknown user is RESOURCE_NOT_FOUND and a user named twice DUPLICATE_RESOURCE, per
 * user, as Kafka answers. ACLs: DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED
 * for the whole request.
 */
import {
  createDescribeUserScramCredentialsResponse,
  createDescribeUserScramCredentialsResponseCredentialInfo,
  createDescribeUserScramCredentialsResponseResult,
  DescribeUserScramCredentialsApi,
  ErrorCode,
  errorByCode,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const describeUserScramCredentialsHandler = defineHandler({
  api: DescribeUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    if (!clusterAllowed(ctx, Op.DESCRIBE))
      return createDescribeUserScramCredentialsResponse({
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: errorByCode(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)?.message ?? null,
        results: [],
      });
    const users = req.users === null ? null : req.users.map((u) => u.name);
    const results = ctx.broker.scram.describe(users).map((d) =>
      createDescribeUserScramCredentialsResponseResult({
        user: d.user,
        errorCode: d.errorCode,
        errorMessage: d.errorMessage,
        credentialInfos: d.credentials.map((c) =>
          createDescribeUserScramCredentialsResponseCredentialInfo(c),
        ),
      }),
    );
    return createDescribeUserScramCredentialsResponse({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results,
    });
  },
});
