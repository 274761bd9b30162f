/**
 * Feature flags (KIP-584): the one table of what Logbook supports and finalizes, which
 * ApiVersions v3+ reports (clients such as the Java producer switch behaviour on the
 * finalized levels: transaction.version >= 2 turns on transactions v2, KIP-890) and
 * UpdateFeatures changes (within a row's range; the levels it sets are kept in the
 * metadata log and win over the defaults after a restart).
 *
 * A row's `max` is the highest level Logbook implements; a fresh broker finalizes every
 * feature at its max, as a freshly formatted Kafka 4.4.0 does. A feature whose max is 0
 * is not implemented: it is reported as supported at 0 only and never finalized (Kafka
 * leaves level-0 features out of FinalizedFeatures).
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
    max: 1,
    why: "1 = KIP-848 consumer groups (ConsumerGroupHeartbeat, ConsumerGroupDescribe)",
  },
  {
    name: "share.version",
    min: 0,
    max: 2,
    why: "1 = share groups (KIP-932; at 0 their APIs answer UNSUPPORTED_VERSION, as Kafka's); 2 = Kafka 4.4.0's level, depending on no other feature. ShareFetch/ShareAcknowledge v2 (acquire modes, KIP-1206; renew acknowledgements, KIP-1222) go by the request version at level 1 as at 2, as in Kafka, whose level 2 gates only its share-group dead-letter queue (not in Logbook)",
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

/**
 * The rows for brokers sharing one database: share groups are not offered there (their
 * share-partition state is kept per broker, and a move of leadership would lose it;
 * docs/postgres.md), so share.version goes no higher than 0 and the share APIs answer
 * UNSUPPORTED_VERSION, as a Kafka cluster with share groups off does.
 */
export function sharedDatabaseFeatures(rows: readonly FeatureRow[] = FEATURES): FeatureRow[] {
  return rows.map((r) =>
    r.name === "share.version"
      ? {
          ...r,
          max: 0,
          why: "brokers sharing one database keep share-partition state per broker, which a move of leadership would lose: share groups are not offered there yet",
        }
      : r,
  );
}

/**
 * Where levels set by UpdateFeatures are kept: the metadata log (LogTopicRegistry),
 * so they survive a restart; each record written counts as one change, the epoch.
 */
export interface FeatureStore {
  readonly featureLevels: ReadonlyMap<string, number>;
  readonly featureChanges: number;
  writeFeatureLevels(levels: ReadonlyMap<string, number>): Promise<void>;
}

/** A store that forgets on restart (tests and tools without a metadata log). */
export function memoryFeatureStore(): FeatureStore {
  const levels = new Map<string, number>();
  let changes = 0;
  return {
    featureLevels: levels,
    get featureChanges() {
      return changes;
    },
    writeFeatureLevels(next) {
      for (const [name, level] of next) {
        levels.set(name, level);
        changes++;
      }
      return Promise.resolve();
    },
  };
}

/** UpdateFeatures' upgrade types (v1+); v0's allow_downgrade maps to the safe one. */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  readonly feature: string;
  readonly level: number;
  readonly upgradeType: number;
}

/** Features whose level may never go down (a lower metadata.version could lose data). */
const NO_DOWNGRADE: ReadonlySet<string> = new Set(["metadata.version"]);

/** The finalized feature levels and their epoch; levels of 0 are not finalized. */
export class FeatureLevels {
  constructor(
    private readonly store: FeatureStore = memoryFeatureStore(),
    readonly rows: readonly FeatureRow[] = FEATURES,
  ) {}

  /** The finalized level of `name` (0 when unknown or not finalized). */
  level(name: string): number {
    const row = this.row(name);
    if (row === undefined) return 0;
    // A level stored by a build that implemented more is capped at what this one does.
    return Math.min(this.store.featureLevels.get(name) ?? row.max, row.max);
  }

  row(name: string): FeatureRow | undefined {
    return this.rows.find((r) => r.name === name);
  }

  /** FinalizedFeaturesEpoch: the number of changes UpdateFeatures made. */
  get epoch(): bigint {
    return BigInt(this.store.featureChanges);
  }

  /** Every finalized feature (level > 0), in table order. */
  finalized(): { name: string; level: number }[] {
    return this.rows
      .map((r) => ({ name: r.name, level: this.level(r.name) }))
      .filter((f) => f.level > 0);
  }

  /** Why `u` cannot be applied (Kafka's checks for one controller), or null. */
  refusal(u: FeatureUpdate): string | null {
    const what = `Invalid update version ${u.level} for feature ${u.feature}.`;
    if (u.upgradeType < UpgradeType.UPGRADE || u.upgradeType > UpgradeType.UNSAFE_DOWNGRADE)
      return `${what} The upgrade type ${u.upgradeType} is not supported.`;
    const row = this.row(u.feature);
    if (row === undefined) return `${what} This broker does not support this feature.`;
    if (u.level > row.max || (u.level < row.min && u.level !== 0))
      return `${what} This broker supports levels ${row.min}-${row.max}.`;
    const current = this.level(u.feature);
    if (u.level < current && NO_DOWNGRADE.has(u.feature))
      return `${u.feature} cannot be downgraded from ${current} to ${u.level}.`;
    if (u.level < current && u.upgradeType === UpgradeType.UPGRADE)
      return `${what} A downgrade needs the safe or unsafe downgrade type.`;
    return null;
  }

  /**
   * Applies the updates all or none: the first refusal is answered and nothing changes;
   * with `validateOnly` nothing changes either. Resolves with the refusal or null.
   */
  async update(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<string | null> {
    for (const u of updates) {
      const refused = this.refusal(u);
      if (refused !== null) return refused;
    }
    if (!validateOnly && updates.length > 0) {
      await this.store.writeFeatureLevels(new Map(updates.map((u) => [u.feature, u.level])));
    }
    return null;
  }

  /** KIP-890 transactions v2 are on (transaction.version >= 2). */
  get transactionsV2(): boolean {
    return this.level("transaction.version") >= 2;
  }
}
