/**
 * Users' SCRAM credentials: kept in the metadata log (salt, stored key, server key,
 * iterations; never a password), changed by AlterUserScramCredentials, listed by
 * DescribeUserScramCredentials, read by the SCRAM exchange. Checks and messages as
 * Kafka's controller answers them.
 */
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  type ScramKeys,
  type ScramMechanism,
  scramKeys,
  scramMechanismByType,
} from "@logbook/client";
import {
  createScramCredentialRecord,
  ErrorCode,
  type ScramCredentialRecord,
} from "@logbook/protocol";

export interface ScramChange {
  readonly user: string;
  readonly mechanism: number;
  /** null removes the user's credential for the mechanism. */
  readonly record: ScramCredentialRecord | null;
}

/** Where credentials live (the metadata log, through the topic registry's shard). */
export interface ScramCredentialStore {
  /** By user, then by mechanism type. */
  readonly scramCredentials: ReadonlyMap<string, ReadonlyMap<number, ScramCredentialRecord>>;
  /** Appends the changes as one batch; resolves once durable and replayed. */
  writeScramCredentials(changes: readonly ScramChange[]): Promise<void>;
}

export interface ScramDeletion {
  readonly name: string;
  readonly mechanism: number;
}

export interface ScramUpsertion extends ScramDeletion {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly saltedPassword: Buffer;
}

export interface ScramResult {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface ScramUserDescription extends ScramResult {
  readonly credentials: readonly { mechanism: number; iterations: number }[];
}

const OK = { errorCode: ErrorCode.NONE, errorMessage: null } as const;

function refused(errorCode: number, errorMessage: string) {
  return { errorCode, errorMessage };
}

type Check = { errorCode: number; errorMessage: string | null };

function checkNameAndMechanism(name: string, mechanism: number): Check {
  if (name === "") return refused(ErrorCode.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
  if (scramMechanismByType(mechanism) === undefined)
    return refused(ErrorCode.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
  return OK;
}

function checkUpsertion(u: ScramUpsertion): Check {
  const first = checkNameAndMechanism(u.name, u.mechanism);
  if (first.errorCode !== ErrorCode.NONE) return first;
  if (u.iterations < SCRAM_MIN_ITERATIONS)
    return refused(ErrorCode.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
  if (u.iterations > SCRAM_MAX_ITERATIONS)
    return refused(ErrorCode.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
  return OK;
}

export class ScramCredentials {
  /** The last queued change: changes run one after another. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: ScramCredentialStore) {}

  /** The keys the SCRAM exchange checks a client's proof against. */
  keysOf(user: string, m: ScramMechanism): ScramKeys | undefined {
    return this.store.scramCredentials.get(user)?.get(m.type);
  }

  /** Every user (none named), or the named ones (each named once, else DUPLICATE_RESOURCE). */
  describe(users: readonly string[] | null): ScramUserDescription[] {
    const all = this.store.scramCredentials;
    const describeOne = (user: string): ScramUserDescription => {
      const creds = all.get(user);
      if (creds === undefined)
        return {
          user,
          ...refused(
            ErrorCode.RESOURCE_NOT_FOUND,
            `Attempt to describe a user credential that does not exist: ${user}`,
          ),
          credentials: [],
        };
      const credentials = [...creds]
        .sort(([a], [b]) => a - b)
        .map(([mechanism, r]) => ({ mechanism, iterations: r.iterations }));
      return { user, ...OK, credentials };
    };
    if (users === null || users.length === 0) return [...all.keys()].sort().map(describeOne);
    const counts = new Map<string, number>();
    for (const u of users) counts.set(u, (counts.get(u) ?? 0) + 1);
    return [...counts].map(([user, n]) =>
      n > 1
        ? {
            user,
            ...refused(
              ErrorCode.DUPLICATE_RESOURCE,
              `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
            ),
            credentials: [],
          }
        : describeOne(user),
    );
  }

  /**
   * Applies deletions and upsertions: one result per user. A user named twice in one
   * request (in either list) is refused whole; the rest is written as one batch.
   */
  alter(
    deletions: readonly ScramDeletion[],
    upsertions: readonly ScramUpsertion[],
  ): Promise<ScramResult[]> {
    const run = this.tail.then(() => this.alterNow(deletions, upsertions));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async alterNow(
    deletions: readonly ScramDeletion[],
    upsertions: readonly ScramUpsertion[],
  ): Promise<ScramResult[]> {
    const errors = new Map<string, Check>();
    const toDelete = new Map<string, ScramDeletion>();
    const toUpsert = new Map<string, ScramUpsertion>();
    const duplicate = refused(
      ErrorCode.DUPLICATE_RESOURCE,
      "A user credential cannot be altered twice in the same request",
    );
    const current = this.store.scramCredentials;
    for (const d of deletions) {
      if (errors.has(d.name)) continue;
      if (toDelete.delete(d.name)) {
        errors.set(d.name, duplicate);
        continue;
      }
      let check = checkNameAndMechanism(d.name, d.mechanism);
      if (check.errorCode === ErrorCode.NONE && current.get(d.name)?.has(d.mechanism) !== true)
        check = refused(
          ErrorCode.RESOURCE_NOT_FOUND,
          "Attempt to delete a user credential that does not exist",
        );
      if (check.errorCode !== ErrorCode.NONE) errors.set(d.name, check);
      else toDelete.set(d.name, d);
    }
    for (const u of upsertions) {
      if (errors.has(u.name)) continue;
      if (toDelete.delete(u.name) || toUpsert.delete(u.name)) {
        errors.set(u.name, duplicate);
        continue;
      }
      const check = checkUpsertion(u);
      if (check.errorCode !== ErrorCode.NONE) errors.set(u.name, check);
      else toUpsert.set(u.name, u);
    }
    const changes: ScramChange[] = [
      ...[...toDelete.values()].map((d) => ({
        user: d.name,
        mechanism: d.mechanism,
        record: null,
      })),
      ...[...toUpsert.values()].map((u) => {
        const m = scramMechanismByType(u.mechanism) as ScramMechanism;
        const keys = scramKeys(m, u.salt, u.saltedPassword, u.iterations);
        return { user: u.name, mechanism: u.mechanism, record: createScramCredentialRecord(keys) };
      }),
    ];
    if (changes.length > 0) await this.store.writeScramCredentials(changes);
    return [
      ...[...toDelete.keys(), ...toUpsert.keys()].map((user) => ({ user, ...OK })),
      ...[...errors].map(([user, e]) => ({ user, ...e })),
    ];
  }
}

/** Credentials kept in memory only (handler tests; a broker keeps them in its metadata log). */
export function memoryScramStore(): ScramCredentialStore {
  const users = new Map<string, Map<number, ScramCredentialRecord>>();
  return {
    scramCredentials: users,
    async writeScramCredentials(changes) {
      for (const c of changes) {
        const mechanisms = users.get(c.user) ?? new Map<number, ScramCredentialRecord>();
        if (c.record === null) mechanisms.delete(c.mechanism);
        else mechanisms.set(c.mechanism, c.record);
        if (mechanisms.size === 0) users.delete(c.user);
        else users.set(c.user, mechanisms);
      }
    },
  };
}
