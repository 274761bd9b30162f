/** Reading a page of one partition's records for the message browser. */
import { Fetcher, type KafkaClient, listOffsets, OffsetSpec } from "@logbook/client";

export interface BrowsedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
  /** Base64 of the bytes (null stays null); the page shows them as text, JSON or hex. */
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: { key: string; value: string | null }[];
}

export interface BrowseRequest {
  readonly topic: string;
  readonly partition: number;
  /** Start here, or at the first record at or after `timestamp`. */
  readonly offset?: bigint;
  readonly timestamp?: number;
  readonly limit: number;
}

const b64 = (b: Buffer | null) => (b === null ? null : b.toString("base64"));

export async function browse(client: KafkaClient, req: BrowseRequest): Promise<BrowsedRecord[]> {
  const parts = new Set([req.partition]);
  const [start, end] = await Promise.all([
    listOffsets(client, [req.topic], OffsetSpec.EARLIEST, { partitions: parts }),
    listOffsets(client, [req.topic], OffsetSpec.LATEST, { partitions: parts }),
  ]);
  const first = start[0]?.offset ?? 0n;
  const last = end[0]?.offset ?? 0n;
  let from = req.offset ?? first;
  if (req.timestamp !== undefined) {
    const found = await listOffsets(client, [req.topic], BigInt(req.timestamp), {
      partitions: parts,
    });
    from = found[0] === undefined || found[0].offset < 0n ? last : found[0].offset;
  }
  if (from < first) from = first;
  const fetcher = new Fetcher(client, [
    { topic: req.topic, partition: req.partition, offset: from },
  ]);
  const out: BrowsedRecord[] = [];
  // A partition that stops answering (moved, deleted) ends the page rather than the loop.
  for (let idle = 0; idle < 20 && out.length < req.limit; ) {
    if ((fetcher.positions[0]?.offset ?? last) >= last) break;
    const records = await fetcher.poll(100);
    idle = records.length === 0 ? idle + 1 : 0;
    for (const r of records) {
      if (out.length >= req.limit || r.offset >= last) break;
      out.push({
        partition: r.partition,
        offset: r.offset.toString(),
        timestamp: Number(r.timestamp),
        key: b64(r.key),
        value: b64(r.value),
        headers: r.headers.map((h) => ({ key: h.key, value: b64(h.value) })),
      });
    }
  }
  return out;
}
