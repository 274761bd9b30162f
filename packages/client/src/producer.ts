/**
 * Writes records to one topic: keyed records by murmur2 (partitioner.ts), unkeyed ones to
 * one partition per `send` in turn, a batch per partition per call, idempotent by default
 * (InitProducerId, then sequence numbers a broker uses to drop a retried duplicate).
 */
import {
  type CompressionCodecId,
  createInitProducerIdRequest,
  createProduceRequest,
  ErrorCode,
  encodeBatch,
  InitProducerIdApi,
  ProduceApi,
  type ProduceResponse,
  type RecordHeader,
} from "@logbook/protocol";
import type { KafkaClient } from "./kafka-client.js";
import { check, KafkaError } from "./kafka-error.js";
import { partitionForKey } from "./partitioner.js";
import { retrying } from "./retry.js";

export interface ProduceRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** An explicit partition; otherwise the key decides, or the turn for an unkeyed record. */
  readonly partition?: number;
  /** CreateTime in ms; now when absent. */
  readonly timestamp?: bigint;
}

export interface ProducerOptions {
  /** -1 (all), 1 (leader) or 0 (no answer). */
  readonly acks: -1 | 0 | 1;
  readonly compression: CompressionCodecId;
  /** Needs acks -1, as Kafka's producer. */
  readonly idempotent: boolean;
  /** How often a send is retried after a retriable error (with a fresh leader). */
  readonly retries: number;
}

/** What a partition received: the offsets of its first and last records (acks 0: unknown, -1). */
export interface PartitionWritten {
  readonly partition: number;
  records: number;
  firstOffset: bigint;
  lastOffset: bigint;
}

interface TopicLayout {
  readonly id: Buffer;
  readonly leaders: Map<number, number>;
}

const PRODUCE_TIMEOUT_MS = 30_000;
const RETRY_BACKOFF_MS = 100;

export class Producer {
  private readonly sequences = new Map<number, number>();
  private readonly written = new Map<number, PartitionWritten>();
  private nextUnkeyed = 0;

  private constructor(
    private readonly client: KafkaClient,
    readonly topic: string,
    private readonly options: ProducerOptions,
    private layout: TopicLayout,
    private readonly producerId: bigint,
    private readonly producerEpoch: number,
  ) {}

  static async create(
    client: KafkaClient,
    topic: string,
    options: ProducerOptions,
  ): Promise<Producer> {
    if (options.idempotent && options.acks !== -1)
      throw new KafkaError(ErrorCode.INVALID_CONFIG, "idempotence needs acks=-1 (all)");
    const layout = await Producer.layoutOf(client, topic);
    let producerId = -1n;
    let producerEpoch = -1;
    if (options.idempotent) {
      const body = await retrying(async () => {
        const answer = await client.any.send(InitProducerIdApi, () =>
          createInitProducerIdRequest({
            transactionalId: null,
            transactionTimeoutMs: -1,
            producerId: -1n,
            producerEpoch: -1,
          }),
        );
        check(answer.body.errorCode, null, "InitProducerId");
        return answer.body;
      });
      producerId = body.producerId;
      producerEpoch = body.producerEpoch;
    }
    return new Producer(client, topic, options, layout, producerId, producerEpoch);
  }

  private static async layoutOf(client: KafkaClient, topic: string): Promise<TopicLayout> {
    const md = await client.metadata([topic]);
    const t = md.topics[0];
    if (t === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, `topic ${topic}`);
    check(t.errorCode, null, `topic ${topic}`);
    return {
      id: t.topicId,
      leaders: new Map(t.partitions.map((p) => [p.partitionIndex, p.leaderId])),
    };
  }

  get partitions(): number {
    return this.layout.leaders.size;
  }

  /** Per partition: records written and their offsets, in partition order. */
  summary(): PartitionWritten[] {
    return [...this.written.values()].sort((a, b) => a.partition - b.partition);
  }

  /** Writes the records (in order within each partition) and resolves once acknowledged. */
  async send(records: readonly ProduceRecord[]): Promise<void> {
    const unkeyed = this.nextUnkeyed++ % this.partitions;
    const byPartition = new Map<number, ProduceRecord[]>();
    for (const r of records) {
      const p = r.partition ?? (r.key === null ? unkeyed : partitionForKey(r.key, this.partitions));
      if (!this.layout.leaders.has(p))
        throw new KafkaError(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `${this.topic} has no partition ${p}`,
        );
      const list = byPartition.get(p) ?? [];
      list.push(r);
      byPartition.set(p, list);
    }
    const batches = new Map<number, { batch: Buffer; count: number }>();
    for (const [p, list] of byPartition) {
      const baseSequence = this.options.idempotent ? (this.sequences.get(p) ?? 0) : -1;
      batches.set(p, { batch: await this.encode(list, baseSequence), count: list.length });
      if (this.options.idempotent) this.sequences.set(p, (baseSequence + list.length) % 2 ** 31);
    }
    await this.deliver(batches);
  }

  private async encode(records: readonly ProduceRecord[], baseSequence: number): Promise<Buffer> {
    const now = BigInt(Date.now());
    const base = records[0]?.timestamp ?? now;
    return encodeBatch({
      compression: this.options.compression,
      baseTimestamp: base,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence,
      records: records.map((r, i) => ({
        attributes: 0,
        timestampDelta: (r.timestamp ?? now) - base,
        offsetDelta: i,
        key: r.key,
        value: r.value,
        headers: [...(r.headers ?? [])],
      })),
    });
  }

  /** Sends each leader its partitions' batches; retries what failed retriably. */
  private async deliver(batches: Map<number, { batch: Buffer; count: number }>): Promise<void> {
    let pending = batches;
    for (let attempt = 0; ; attempt++) {
      const failed = new Map<number, { batch: Buffer; count: number }>();
      let lastError: KafkaError | undefined;
      const byLeader = new Map<number, number[]>();
      for (const p of pending.keys()) {
        const leader = this.layout.leaders.get(p) ?? -1;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          try {
            const answered = await this.produceTo(leader, partitions, pending);
            for (const r of answered) {
              const sent = pending.get(r.partition);
              if (sent === undefined) continue;
              if (
                r.errorCode === ErrorCode.NONE ||
                r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER
              )
                this.record(r.partition, sent.count, r.baseOffset);
              else {
                const e = new KafkaError(
                  r.errorCode,
                  r.errorMessage,
                  `${this.topic}-${r.partition}`,
                );
                if (!e.retriable) throw e;
                lastError = e;
                failed.set(r.partition, sent);
              }
            }
          } catch (e) {
            if (!(e instanceof KafkaError) || !e.retriable) throw e;
            lastError = e;
            for (const p of partitions)
              failed.set(p, pending.get(p) as { batch: Buffer; count: number });
          }
        }),
      );
      if (failed.size === 0) return;
      if (attempt >= this.options.retries) throw lastError;
      await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS * (attempt + 1)));
      this.layout = await Producer.layoutOf(this.client, this.topic);
      pending = failed;
    }
  }

  private async produceTo(
    leader: number,
    partitions: readonly number[],
    batches: ReadonlyMap<number, { batch: Buffer }>,
  ): Promise<
    { partition: number; errorCode: number; errorMessage: string | null; baseOffset: bigint }[]
  > {
    if (leader < 0)
      return partitions.map((partition) => ({
        partition,
        errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
        errorMessage: null,
        baseOffset: -1n,
      }));
    const conn = await this.client.broker(leader);
    const request = () =>
      createProduceRequest({
        transactionalId: null,
        acks: this.options.acks,
        timeoutMs: PRODUCE_TIMEOUT_MS,
        topicData: [
          {
            name: this.topic,
            topicId: this.layout.id,
            partitionData: partitions.map((index) => ({
              index,
              records: batches.get(index)?.batch ?? null,
            })),
          },
        ],
      });
    if (this.options.acks === 0) {
      await conn.sendOneWay(ProduceApi, request);
      return partitions.map((partition) => ({
        partition,
        errorCode: 0,
        errorMessage: null,
        baseOffset: -1n,
      }));
    }
    const { body } = await conn.send(ProduceApi, request);
    return answers(body);
  }

  private record(partition: number, count: number, baseOffset: bigint): void {
    const w = this.written.get(partition);
    const last = baseOffset < 0n ? -1n : baseOffset + BigInt(count - 1);
    if (w === undefined)
      this.written.set(partition, {
        partition,
        records: count,
        firstOffset: baseOffset,
        lastOffset: last,
      });
    else {
      w.records += count;
      w.lastOffset = last;
    }
  }
}

function answers(body: ProduceResponse) {
  return body.responses.flatMap((t) =>
    t.partitionResponses.map((p) => ({
      partition: p.index,
      errorCode: p.errorCode,
      errorMessage: p.errorMessage,
      baseOffset: p.baseOffset,
    })),
  );
}
