/**
 * AlterUserScramCredentials (key 51), v0: deletes and upserts users' SCRAM credentials
 * (sasl/scram-credentials.ts). The client sends the salted password; the broker keeps
 * only the salt, the stored key and the server key, in the metadata log. One result
 * per user; a user named twice in one request is refused whole (DUPLICATE_RESOURCE).
 */
import {
  AlterUserScramCredentialsApi,
  createAlterUserScramCredentialsResponse,
  createAlterUserScramCredentialsResponseResult,
} from "@logbook/protocol";
import { defineHandler } from "../handler.js";

export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const results = await ctx.broker.scram.alter(req.deletions, req.upsertions);
    return createAlterUserScramCredentialsResponse({
      results: results.map((r) => createAlterUserScramCredentialsResponseResult(r)),
    });
  },
});
