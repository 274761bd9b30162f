import { AppendError, InternalLog, type StorageEngine } from "@logbook/storage";

/** The internal partition holding producer-id reservations. */
export const PRODUCER_IDS_PARTITION = { topic: "__producer_ids", partition: 0 } as const;

/** Ids reserved per write, so most allocations cost no disk write. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

const BLOCK_KEY = Buffer.from("block");
const MAX_EPOCH = 32766;

export type ProducerIdGrant =
  | { ok: true; producerId: bigint; producerEpoch: number }
  | { ok: false; errorCode: number };

/**
 * Hands out producer ids that are never reused, even across restarts: before an id
 * from a new block is given out, the block's end is appended (one compacted key) to
 * `__producer_ids`/0, and start-up resumes after the highest end recorded. Ids of a
 * block cut short by a restart are skipped, as in Kafka's ProducerIdManager.
 *
 * Allocations run one at a time (a promise chain), so two requests never reserve the
 * same block.
 */
export class ProducerIdAllocator {
  private next: bigint;
  private chain: Promise<unknown> = Promise.resolve();
  /** Latest epoch handed out per id (this process only), for KIP-360 bumps. */
  private readonly epochs = new Map<bigint, number>();

  private constructor(
    private readonly log: InternalLog,
    private reservedEnd: bigint,
  ) {
    this.next = reservedEnd;
  }

  static async open(storage: StorageEngine): Promise<ProducerIdAllocator> {
    const log = await InternalLog.open(
      storage,
      PRODUCER_IDS_PARTITION.topic,
      PRODUCER_IDS_PARTITION.partition,
    );
    let highest = 0n;
    await log.replay((r) => {
      const end = reservedEnd(r.value);
      if (end > highest) highest = end;
    });
    return new ProducerIdAllocator(log, highest);
  }

  /** A fresh id with epoch 0. */
  allocate(): Promise<bigint> {
    const run = this.chain.then(async () => {
      if (this.next >= this.reservedEnd) await this.reserveBlock();
      const id = this.next;
      this.next += 1n;
      this.epochs.set(id, 0);
      return id;
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * Reserves the next block. Brokers sharing one database share this log: each first
   * reads the blocks the others reserved, then appends only on top of them (a
   * conditional append), so no two brokers ever hand out the same id.
   */
  private async reserveBlock(): Promise<void> {
    for (;;) {
      await this.log.catchUp((r) => {
        const end = reservedEnd(r.value);
        if (end > this.next) this.next = end;
      });
      const end = this.next + BigInt(PRODUCER_ID_BLOCK_SIZE);
      try {
        await this.log.append([{ key: BLOCK_KEY, value: reservationValue(end) }], undefined, true);
        this.reservedEnd = end;
        return;
      } catch (e) {
        if (!(e instanceof AppendError && e.reason === "conflict")) throw e;
      }
    }
  }

  /**
   * KIP-360: a producer that knows its id and epoch asks for the next epoch. Ids we
   * never handed out, and epochs that would overflow, get a fresh id instead (what
   * Kafka does for every idempotent producer).
   */
  async bump(producerId: bigint, epoch: number): Promise<ProducerIdGrant> {
    if (producerId < 0n || producerId >= this.next) {
      return { ok: true, producerId: await this.allocate(), producerEpoch: 0 };
    }
    const known = this.epochs.get(producerId) ?? -1;
    const bumped = Math.max(known, epoch) + 1;
    if (bumped > MAX_EPOCH)
      return { ok: true, producerId: await this.allocate(), producerEpoch: 0 };
    this.epochs.set(producerId, bumped);
    return { ok: true, producerId, producerEpoch: bumped };
  }
}

function reservationValue(end: bigint): Buffer {
  const value = Buffer.alloc(8);
  value.writeBigInt64BE(end);
  return value;
}

/** The end of a reserved block as recorded (0 for a record that is not one). */
function reservedEnd(value: Buffer | null): bigint {
  return value !== null && value.length === 8 ? value.readBigInt64BE(0) : 0n;
}
