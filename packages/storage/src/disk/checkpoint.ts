import { join } from "node:path";
import { type Fs, hasErrorCode } from "../env/fs.js";
import { CHECKPOINT_FILE } from "./layout.js";

/**
 * A partition's recovery checkpoint. Everything before the recovery point (segment
 * `recoverySegment`, byte `recoveryPosition`, offset `recoveryOffset`) was fsynced and
 * validated, and the index files of segments before it are complete, so opening the
 * log validates only what follows. `logStartOffset` makes DeleteRecords durable.
 *
 * Text, one `key value` per line after a version line; replaced atomically
 * (write to a temporary file, fsync, rename, fsync the directory).
 */
export interface Checkpoint {
  logStartOffset: number;
  recoverySegment: number;
  recoveryPosition: number;
  recoveryOffset: number;
  /** First offset not yet covered by a compaction pass (0 when never compacted). */
  cleanerOffset: number;
  /**
   * Whether segments before the recovery point have complete `.txnindex` files (false
   * for a checkpoint written before transaction indexes existed: recovery then rescans
   * the whole log once to build them).
   */
  transactionIndex: boolean;
  /** (producerId, first offset) of each transaction open at the recovery offset. */
  openTransactions: [bigint, number][];
}

/** On-disk format version; see "Version policy" in packages/storage/README.md. */
export const FORMAT_VERSION = 1;
const MAGIC = "logbook-partition-checkpoint";
const HEADER = `${MAGIC} ${FORMAT_VERSION}`;

export class UnsupportedFormatError extends Error {
  override readonly name = "UnsupportedFormatError";
}

export async function readCheckpoint(fs: Fs, dir: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = (await fs.readFile(join(dir, CHECKPOINT_FILE))).toString("utf8");
  } catch (e) {
    if (hasErrorCode(e, "ENOENT")) return null;
    throw e;
  }
  const lines = text.split("\n");
  const first = lines[0] ?? "";
  if (first.startsWith(`${MAGIC} `) && first !== HEADER) {
    // Written by a newer (or unknown) format: refuse rather than misread the data.
    throw new UnsupportedFormatError(
      `${dir} uses on-disk format "${first}", this broker reads version ${FORMAT_VERSION}`,
    );
  }
  if (first !== HEADER) return null;
  const values = new Map<string, number>();
  const openTransactions: [bigint, number][] = [];
  let transactionsReadable = true;
  for (const line of lines.slice(1)) {
    const [k, v, w] = line.split(" ");
    if (k === "open-transaction") {
      if (v !== undefined && w !== undefined && /^\d+$/.test(v) && /^\d+$/.test(w))
        openTransactions.push([BigInt(v), Number(w)]);
      else transactionsReadable = false; // the transaction indexes get rebuilt
    } else if (k !== undefined && v !== undefined && /^-?\d+$/.test(v)) values.set(k, Number(v));
  }
  const get = (k: string): number | undefined => values.get(k);
  const cp = {
    logStartOffset: get("log-start-offset"),
    recoverySegment: get("recovery-segment"),
    recoveryPosition: get("recovery-position"),
    recoveryOffset: get("recovery-offset"),
    cleanerOffset: get("cleaner-offset") ?? 0,
  };
  if (Object.values(cp).some((v) => v === undefined || v < 0)) return null;
  return {
    ...(cp as Omit<Checkpoint, "transactionIndex" | "openTransactions">),
    transactionIndex: transactionsReadable && get("transaction-index") === 1,
    openTransactions,
  };
}

export async function writeCheckpoint(fs: Fs, dir: string, cp: Checkpoint): Promise<void> {
  const text = `${HEADER}
log-start-offset ${cp.logStartOffset}
recovery-segment ${cp.recoverySegment}
recovery-position ${cp.recoveryPosition}
recovery-offset ${cp.recoveryOffset}
cleaner-offset ${cp.cleanerOffset}
transaction-index ${cp.transactionIndex ? 1 : 0}
${cp.openTransactions.map(([pid, first]) => `open-transaction ${pid} ${first}\n`).join("")}`;
  const path = join(dir, CHECKPOINT_FILE);
  const tmp = `${path}.tmp`;
  await fs.writeFile(tmp, text, { flush: true });
  await fs.rename(tmp, path);
  await fs.syncDir(dir);
}
