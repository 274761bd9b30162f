/**
 * `startTestBroker()`: a Logbook broker inside the test process, on a free port of
 * 127.0.0.1, storing in memory (or a temporary directory), with topics made up front and
 * request controls (request-controls.ts) for testing an application's error handling.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Broker, type BrokerConfig, brokerConfig } from "@logbook/broker";
import { errorByCode } from "@logbook/protocol";
import { type Logger, silentLogger } from "@logbook/storage";
import type { ApiRef } from "./api-ref.js";
import {
  type Control,
  type ControlFn,
  type ControlOptions,
  RequestControls,
} from "./request-controls.js";

/** A topic by its partition count, or with configs as Kafka names them. */
export type TopicSpec =
  | number
  | { readonly partitions?: number; readonly configs?: Readonly<Record<string, string>> };

export interface TestBrokerOptions {
  /** Topics to create before the broker is handed over, e.g. `{ orders: 3 }`. */
  readonly topics?: Readonly<Record<string, TopicSpec>>;
  /** "memory" (the default: nothing touches the disk) or "disk" (a temporary directory removed at stop). */
  readonly storage?: "memory" | "disk";
  /** Any other broker setting (the config schema's field names), e.g. `{ autoCreateTopicsEnable: false }`. */
  readonly config?: Partial<BrokerConfig>;
  /** Where the broker logs; silent by default. */
  readonly logger?: Logger;
}

export class TestBroker {
  private constructor(
    /** The broker itself, for what the helpers here do not cover. */
    readonly broker: Broker,
    private readonly controls: RequestControls,
    private readonly dataDir: string | null,
  ) {}

  static async start(options: TestBrokerOptions = {}): Promise<TestBroker> {
    const dataDir =
      options.storage === "disk" ? await mkdtemp(join(tmpdir(), "logbook-test-")) : null;
    const config = brokerConfig({
      host: "127.0.0.1",
      port: 0,
      ...options.config,
      dataDir: dataDir ?? "memory:",
    });
    const broker = await Broker.start(config, options.logger ?? silentLogger);
    const controls = new RequestControls();
    controls.attach(broker.registry);
    const test = new TestBroker(broker, controls, dataDir);
    try {
      for (const [name, spec] of Object.entries(options.topics ?? {}))
        await test.createTopic(name, spec);
    } catch (e) {
      await test.stop();
      throw e;
    }
    return test;
  }

  get host(): string {
    return this.broker.address.host;
  }

  get port(): number {
    return this.broker.address.port;
  }

  /** "127.0.0.1:PORT", what a client's bootstrap setting takes. */
  get bootstrap(): string {
    return `${this.host}:${this.port}`;
  }

  /** The bootstrap list as kafkajs and @platformatic/kafka take it. */
  get brokers(): string[] {
    return [this.bootstrap];
  }

  /** Creates a topic as CreateTopics would; throws with Kafka's error name on a refusal. */
  async createTopic(name: string, spec: TopicSpec = 1): Promise<void> {
    const partitions = typeof spec === "number" ? spec : (spec.partitions ?? 1);
    const configs = typeof spec === "number" ? {} : (spec.configs ?? {});
    const result = await this.broker.topics.create(
      name,
      partitions,
      new Map(Object.entries(configs)),
    );
    if (!result.ok)
      throw new Error(`topic ${name}: ${errorName(result.errorCode)}: ${result.message}`);
  }

  /**
   * Calls `fn` with each request of `api` before the broker serves it; the first action
   * it returns is taken (`times` requests, default 1). See ControlAction.
   */
  control(api: ApiRef, fn: ControlFn, options?: ControlOptions): Control {
    return this.controls.add(api, fn, options);
  }

  /** The next `times` requests of `api` are answered with `errorCode` in every error field. */
  failNext(api: ApiRef, errorCode: number, times = 1): Control {
    return this.control(api, () => ({ errorCode }), { times });
  }

  /** The next `times` requests of `api` are served `ms` milliseconds late. */
  delayNext(api: ApiRef, ms: number, times = 1): Control {
    return this.control(api, () => ({ delayMs: ms }), { times });
  }

  /** The connections carrying the next `times` requests of `api` are closed without an answer. */
  dropNext(api: ApiRef, times = 1): Control {
    return this.control(api, () => ({ drop: true }), { times });
  }

  /** Removes every control. */
  clearControls(): void {
    this.controls.clear();
  }

  /** How many requests of `api` the broker has received so far. */
  seen(api: ApiRef): number {
    return this.controls.seen(api);
  }

  /** Stops the broker (closing client connections) and removes its temporary directory. */
  async stop(): Promise<void> {
    await this.broker.stop();
    if (this.dataDir !== null) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Starts a test broker; `await kafka.stop()` when done. */
export function startTestBroker(options?: TestBrokerOptions): Promise<TestBroker> {
  return TestBroker.start(options);
}

function errorName(code: number): string {
  return errorByCode(code)?.name ?? `error ${code}`;
}
