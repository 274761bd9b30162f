/**
 * Feature flags (KIP-584): the one table of what Logbook supports and finalizes, which
 * ApiVersions v3+ reports (clients such as the Java producer switch behaviour on the
 * finalized levels: transaction.version >= 2 turns on transactions v2, KIP-890) and
 * UpdateFeatures changes.
 *
 * A row's `max` is the highest level Logbook implements; a fresh broker finalizes every
 * feature at its max, as a freshly formatted Kafka 4.4.0 does. A feature whose max is 0
 * is not implemented: it is reported as supported at 0 only and never finalized (Kafka
 * leaves level-0 features out of FinalizedFeatures). To turn on what another part of
 * the broker serves (group.version 1 with KIP-848 consumer groups, share.version with
 * share groups), raise that row's max.
 */

export interface FeatureRow {
  readonly name: string;
  /** The lowest level the broker accepts (Kafka's minimum supported version). */
  readonly min: number;
  /** The highest level Logbook implements. */
  readonly max: number;
  /** Why the level is what it is (for readers and the differential test). */
  readonly why: string;
}

/** Kafka 4.4.0's metadata.version levels (7 = 3.3-IV3 .. 33), finalized like Kafka's. */
const METADATA_VERSION_MIN = 7;
const METADATA_VERSION_MAX = 33;

export const FEATURES: readonly FeatureRow[] = [
  {
    name: "metadata.version",
    min: METADATA_VERSION_MIN,
    max: METADATA_VERSION_MAX,
    why: "governs KRaft metadata records, which clients never see; Logbook's own metadata log has its own format, so it reports Kafka 4.4.0's level",
  },
  {
    name: "kraft.version",
    min: 0,
    max: 0,
    why: "no KRaft quorum (dynamic voters, KIP-853) in a single Logbook node",
  },
  {
    name: "transaction.version",
    min: 0,
    max: 2,
    why: "transactions v2 (KIP-890): epoch bump at every EndTxn, implicit partition and group adds",
  },
  {
    name: "group.version",
    min: 0,
    max: 0,
    why: "1 = KIP-848 consumer groups (ConsumerGroupHeartbeat); raised where that API is served",
  },
  {
    name: "share.version",
    min: 0,
    max: 0,
    why: "1+ = share groups (KIP-932); raised where ShareGroupHeartbeat is served",
  },
  {
    name: "streams.version",
    min: 0,
    max: 0,
    why: "1 = streams groups (KIP-1071, StreamsGroupHeartbeat), not served",
  },
  {
    name: "eligible.leader.replicas.version",
    min: 0,
    max: 1,
    why: "KIP-966 eligible leader replicas: with one replica per partition the ELR is always empty, which is what level 1 reports",
  },
];

/** The finalized feature levels and their epoch; levels of 0 are not finalized. */
export class FeatureLevels {
  private readonly levels = new Map<string, number>();
  private currentEpoch = 0n;

  constructor(readonly rows: readonly FeatureRow[] = FEATURES) {
    for (const r of rows) this.levels.set(r.name, r.max);
  }

  /** The finalized level of `name` (0 when unknown or not finalized). */
  level(name: string): number {
    return this.levels.get(name) ?? 0;
  }

  row(name: string): FeatureRow | undefined {
    return this.rows.find((r) => r.name === name);
  }

  /** FinalizedFeaturesEpoch: bumped at every change. */
  get epoch(): bigint {
    return this.currentEpoch;
  }

  /** Every finalized feature (level > 0), in table order. */
  finalized(): { name: string; level: number }[] {
    return this.rows
      .map((r) => ({ name: r.name, level: this.level(r.name) }))
      .filter((f) => f.level > 0);
  }

  /** Installs `level` for `name` (already validated) and bumps the epoch. */
  set(name: string, level: number): void {
    this.levels.set(name, level);
    this.currentEpoch++;
  }

  /** KIP-890 transactions v2 are on (transaction.version >= 2). */
  get transactionsV2(): boolean {
    return this.level("transaction.version") >= 2;
  }
}
