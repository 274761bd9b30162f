/**
 * AlterUserScramCredentials (key 51), v0: deletes and upserts users' SCRAM credentials
 * (sasl/scram-credentials.ts). The client sends the salted password; the broker keeps
 * only the salt, the stored key and the server key, in the metadata log. One result
 * per user; a user named twice in one request is refused whole (DUPLICATE_RESOURCE).
 * ACLs: ALTER on the cluster, else every user named is CLUSTER_AUTHORIZATION_FAILED
 * (once each, sorted, as Kafka's error response lists them).
 */
import {
  AlterUserScramCredentialsApi,
  createAlterUserScramCredentialsResponse,
  createAlterUserScramCredentialsResponseResult,
  ErrorCode,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    if (!clusterAllowed(ctx, Op.ALTER)) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))].sort();
      return createAlterUserScramCredentialsResponse({
        results: users.map((user) =>
          createAlterUserScramCredentialsResponseResult({
            user,
            errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: null,
          }),
        ),
      });
    }
    const results = await ctx.broker.scram.alter(req.deletions, req.upsertions);
    return createAlterUserScramCredentialsResponse({
      results: results.map((r) => createAlterUserScramCredentialsResponseResult(r)),
    });
  },
});
