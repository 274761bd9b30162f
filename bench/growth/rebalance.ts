/**
 * Curve 4: classic consumer group rebalance time against the number of members.
 *
 * The driver is light and runs every member in this process: one connection per member
 * (@logbook/client's Connection) speaking JoinGroup / SyncGroup / Heartbeat with
 * @logbook/protocol's codecs, the leader computing a range assignment
 * (@logbook/client's rangeAssign) over a topic with one partition per member.
 *
 * Per point, on a fresh broker: M-1 members form a stable group (not timed); then a new
 * member joins. The clock starts when the newcomer sends its first JoinGroup; one
 * existing member's Heartbeat polls until it is told REBALANCE_IN_PROGRESS (as real
 * members learn of a rebalance, minus the wait for their heartbeat interval); then all
 * M-1 rejoin at once; the clock stops when every one of the M members holds its
 * SyncGroup assignment. Also reported: from the last JoinGroup sent to every JoinGroup
 * answered, and from there to every SyncGroup answered.
 */

import { removeDir } from "../../integration-tests/helpers/broker-process.js";
import {
  type Connection,
  createTopics,
  KafkaClient,
  rangeAssign,
} from "../../packages/client/src/index.js";
import {
  CONSUMER_PROTOCOL_TYPE,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createSyncGroupRequest,
  ErrorCode,
  HeartbeatApi,
  JoinGroupApi,
  type NamedPartitions,
  readAssignment,
  readSubscription,
  SyncGroupApi,
  writeAssignment,
  writeSubscription,
} from "../../packages/protocol/src/index.js";
import { round } from "../lib/stats.js";
import { log, openConnection, rssMiB, sleep, startLogbookWith } from "./common.js";

const GROUP = "growth-group";
const TOPIC = "growth-group-topic";
const ASSIGNOR = "range";
const SESSION_TIMEOUT_MS = 300_000;
const REBALANCE_TIMEOUT_MS = 300_000;
/** Members whose connections open at once while setting up. */
const OPEN_CONCURRENCY = 200;

interface Joined {
  leader: boolean;
  members: { memberId: string; metadata: Buffer }[];
}

class Member {
  memberId = "";
  generation = -1;
  assignment: NamedPartitions[] = [];
  constructor(readonly conn: Connection) {}

  /** JoinGroup until answered with a generation (KIP-394: the first join learns the id). */
  async join(): Promise<Joined> {
    for (;;) {
      const { body } = await this.conn.send(JoinGroupApi, () =>
        createJoinGroupRequest({
          groupId: GROUP,
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: [{ name: ASSIGNOR, metadata: writeSubscription([TOPIC]) }],
          reason: null,
        }),
      );
      if (body.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = body.memberId;
        continue;
      }
      if (body.errorCode !== 0) throw new Error(`JoinGroup answered ${body.errorCode}`);
      this.memberId = body.memberId;
      this.generation = body.generationId;
      return { leader: body.leader === body.memberId, members: body.members };
    }
  }

  async sync(joined: Joined, partitions: number): Promise<void> {
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (joined.leader) {
      const subs = new Map(
        joined.members.map((m) => [m.memberId, readSubscription(m.metadata)?.topics ?? []]),
      );
      assignments = [...rangeAssign(subs, new Map([[TOPIC, partitions]]))].map(([id, named]) => ({
        memberId: id,
        assignment: writeAssignment(named, 0),
      }));
    }
    const { body } = await this.conn.send(SyncGroupApi, () =>
      createSyncGroupRequest({
        groupId: GROUP,
        generationId: this.generation,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: ASSIGNOR,
        assignments,
      }),
    );
    if (body.errorCode !== 0) throw new Error(`SyncGroup answered ${body.errorCode}`);
    this.assignment = readAssignment(body.assignment) ?? [];
  }

  async heartbeat(): Promise<number> {
    const { body } = await this.conn.send(HeartbeatApi, () =>
      createHeartbeatRequest({
        groupId: GROUP,
        generationId: this.generation,
        memberId: this.memberId,
        groupInstanceId: null,
      }),
    );
    return body.errorCode;
  }
}

async function openMembers(port: number, count: number): Promise<Member[]> {
  const out: Member[] = [];
  while (out.length < count) {
    const wave = Math.min(OPEN_CONCURRENCY, count - out.length);
    const conns = await Promise.all(Array.from({ length: wave }, () => openConnection(port)));
    out.push(...conns.map((c) => new Member(c)));
  }
  return out;
}

/** Every member joins, then syncs as soon as its own join is answered. */
async function joinAndSync(members: readonly Member[], partitions: number) {
  let lastJoinAnswered = 0n;
  const done = Promise.all(
    members.map(async (m) => {
      const joined = await m.join();
      lastJoinAnswered = process.hrtime.bigint();
      await m.sync(joined, partitions);
    }),
  );
  const sent = process.hrtime.bigint();
  await done;
  return { sent, lastJoinAnswered, allSynced: process.hrtime.bigint() };
}

export interface RebalancePoint {
  members: number;
  formGroupMs: number;
  rssWithGroupMiB: number;
  /** Newcomer's first JoinGroup sent to every member holding its assignment. */
  rebalanceMs: number;
  /** Newcomer's JoinGroup sent to an existing member's Heartbeat saying REBALANCE_IN_PROGRESS. */
  noticedMs: number;
  /** Last JoinGroup sent to every JoinGroup answered. */
  joinPhaseMs: number;
  /** Last JoinGroup answered to every SyncGroup answered. */
  syncPhaseMs: number;
}

/** Heartbeats until the coordinator says a rebalance is under way. */
async function untilRebalanceNoticed(watcher: Member): Promise<void> {
  for (;;) {
    const code = await watcher.heartbeat();
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return;
    if (code !== 0) throw new Error(`Heartbeat answered ${code}`);
    await sleep(1);
  }
}

const ms = (from: bigint, to: bigint): number => round(Number(to - from) / 1e6, 2);

export async function measureRebalance(points: readonly number[]): Promise<RebalancePoint[]> {
  const out: RebalancePoint[] = [];
  for (const members of points) {
    if (members < 2) throw new Error("a rebalance needs at least 2 members");
    // The initial delay gathers the first generation in one rebalance; later ones are
    // not delayed (Kafka applies it to an empty group only).
    const broker = await startLogbookWith([
      "group.initial.rebalance.delay.ms=3000",
      `group.max.session.timeout.ms=${SESSION_TIMEOUT_MS}`,
    ]);
    let all: Member[] = [];
    try {
      const client = await KafkaClient.connect({ brokers: [broker.bootstrap] });
      await createTopics(client, [
        { name: TOPIC, partitions: members, replicationFactor: 1, configs: new Map() },
      ]);
      await client.close();
      all = await openMembers(broker.port, members);
      const stable = all.slice(0, members - 1);
      const newcomer = all[members - 1] as Member;
      const formed = await joinAndSync(stable, members);
      const formGroupMs = ms(formed.sent, formed.allSynced);
      await sleep(500);
      const rssWithGroupMiB = await rssMiB(broker.pid);

      const start = process.hrtime.bigint();
      let newcomerJoined = 0n;
      const newcomerDone = (async () => {
        const joined = await newcomer.join();
        newcomerJoined = process.hrtime.bigint();
        await newcomer.sync(joined, members);
      })();
      await untilRebalanceNoticed(stable[0] as Member);
      const noticed = process.hrtime.bigint();
      const rejoin = await joinAndSync(stable, members);
      await newcomerDone;
      const end = process.hrtime.bigint();
      const lastJoinAnswered =
        newcomerJoined > rejoin.lastJoinAnswered ? newcomerJoined : rejoin.lastJoinAnswered;
      const assigned = all.reduce(
        (n, m) => n + m.assignment.reduce((k, a) => k + a.partitions.length, 0),
        0,
      );
      if (assigned !== members) throw new Error(`${assigned} partitions assigned, not ${members}`);
      const point: RebalancePoint = {
        members,
        formGroupMs,
        rssWithGroupMiB,
        rebalanceMs: ms(start, end),
        noticedMs: ms(start, noticed),
        joinPhaseMs: ms(rejoin.sent, lastJoinAnswered),
        syncPhaseMs: ms(lastJoinAnswered, end),
      };
      log(`  ${JSON.stringify(point)}`);
      out.push(point);
    } finally {
      for (const m of all) m.conn.close();
      await broker.stop();
      await removeDir(broker.dataDir);
    }
  }
  return out;
}
