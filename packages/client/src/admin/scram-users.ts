/**
 * SCRAM users: DescribeUserScramCredentials and AlterUserScramCredentials. The salted
 * password is computed here, as Kafka's tools do, so the password never leaves the client.
 */
import { randomBytes } from "node:crypto";
import {
  AlterUserScramCredentialsApi,
  type AlterUserScramCredentialsRequest,
  createAlterUserScramCredentialsRequest,
  createDescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsApi,
} from "@logbook/protocol";
import type { KafkaClient } from "../kafka-client.js";
import { check, KafkaError } from "../kafka-error.js";
import { saltPassword } from "../sasl/scram-formulas.js";
import { type ScramMechanism, scramMechanismByType } from "../sasl/scram-mechanisms.js";

/** Kafka's tools' default iterations for a new credential. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export interface ScramUser {
  readonly user: string;
  readonly credentials: readonly { mechanism: string; iterations: number }[];
}

export interface ScramUserOutcome {
  readonly user: string;
  /** Kafka's error name, or "OK". */
  readonly status: string;
  readonly message: string | null;
}

/** Every user with a SCRAM credential (null), or the ones named; sorted by name, then mechanism. */
export async function describeScramUsers(
  client: KafkaClient,
  users: readonly string[] | null,
): Promise<ScramUser[]> {
  const { body } = await client.any.send(DescribeUserScramCredentialsApi, () =>
    createDescribeUserScramCredentialsRequest({
      users: users === null ? null : users.map((name) => ({ name })),
    }),
  );
  check(body.errorCode, body.errorMessage, "DescribeUserScramCredentials");
  return body.results
    .map((r) => {
      check(r.errorCode, r.errorMessage, `user ${r.user}`);
      return {
        user: r.user,
        // By mechanism: brokers list them in the order they were set.
        credentials: r.credentialInfos
          .map((c) => ({
            mechanism: scramMechanismByType(c.mechanism)?.name ?? `UNKNOWN(${c.mechanism})`,
            iterations: c.iterations,
          }))
          .sort((a, b) => (a.mechanism < b.mechanism ? -1 : a.mechanism > b.mechanism ? 1 : 0)),
      };
    })
    .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
}

export type ScramChange =
  | {
      readonly kind: "upsert";
      readonly user: string;
      readonly mechanism: ScramMechanism;
      readonly iterations: number;
      readonly password: string;
    }
  | { readonly kind: "delete"; readonly user: string; readonly mechanism: ScramMechanism };

/**
 * Applies the changes one request each: a request that names a user twice is refused
 * whole (DUPLICATE_RESOURCE), so two mechanisms of one user cannot share one. One
 * outcome per change, in order.
 */
export async function alterScramUsers(
  client: KafkaClient,
  changes: readonly ScramChange[],
): Promise<ScramUserOutcome[]> {
  const out: ScramUserOutcome[] = [];
  for (const c of changes) out.push(...(await alterOne(client, c)));
  return out;
}

async function alterOne(client: KafkaClient, c: ScramChange): Promise<ScramUserOutcome[]> {
  const mechanism = c.mechanism.type;
  let request: Pick<AlterUserScramCredentialsRequest, "deletions" | "upsertions">;
  if (c.kind === "upsert") {
    // A fresh random salt for every credential set, so equal passwords never match.
    const salt = randomBytes(c.mechanism.keyLength);
    const saltedPassword = await saltPassword(c.mechanism, c.password, salt, c.iterations);
    request = {
      deletions: [],
      upsertions: [{ name: c.user, mechanism, iterations: c.iterations, salt, saltedPassword }],
    };
  } else {
    request = { deletions: [{ name: c.user, mechanism }], upsertions: [] };
  }
  const { body } = await client.any.send(AlterUserScramCredentialsApi, () =>
    createAlterUserScramCredentialsRequest(request),
  );
  return body.results.map((r) =>
    r.errorCode === 0
      ? { user: r.user, status: "OK", message: null }
      : {
          user: r.user,
          status: new KafkaError(r.errorCode, r.errorMessage).errorName,
          message: r.errorMessage,
        },
  );
}
