import { buildBatch, decodeBatch, RecordBatchHeader } from "@logbook/protocol";
import { logConfig, type PartitionLog, type StorageEngine } from "@logbook/storage";

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
    private readonly log: PartitionLog,
    private reservedEnd: bigint,
  ) {
    this.next = reservedEnd;
  }

  static async open(storage: StorageEngine): Promise<ProducerIdAllocator> {
    const log = await storage.open(
      PRODUCER_IDS_PARTITION,
      logConfig({ cleanupPolicy: { delete: false, compact: true }, retentionMs: -1 }),
    );
    return new ProducerIdAllocator(log, await highestReservation(log));
  }

  /** A fresh id with epoch 0. */
  allocate(): Promise<bigint> {
    const run = this.chain.then(async () => {
      if (this.next >= this.reservedEnd) {
        const end = this.next + BigInt(PRODUCER_ID_BLOCK_SIZE);
        await this.log.append(await reservationBatch(end));
        this.reservedEnd = end;
      }
      const id = this.next;
      this.next += 1n;
      this.epochs.set(id, 0);
      return id;
    });
    this.chain = run.catch(() => {});
    return run;
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

function reservationBatch(end: bigint): Promise<Buffer> {
  const value = Buffer.alloc(8);
  value.writeBigInt64BE(end);
  return buildBatch([{ timestamp: BigInt(Date.now()), key: BLOCK_KEY, value }]);
}

async function highestReservation(log: PartitionLog): Promise<bigint> {
  let highest = 0n;
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const read = await log.read(offset, 64 * 1024);
    if (read.kind !== "ok" || read.records.length === 0) break;
    let at = 0;
    while (at < read.records.length) {
      const h = RecordBatchHeader.at(read.records, at);
      if (!h.isControl) {
        const batch = await decodeBatch(read.records, at, { verifyCrc: false });
        for (const r of batch.records) {
          if (r.value !== null && r.value.length === 8) {
            const end = r.value.readBigInt64BE(0);
            if (end > highest) highest = end;
          }
        }
      }
      offset = Number(h.nextOffset);
      at = h.end;
    }
  }
  return highest;
}
