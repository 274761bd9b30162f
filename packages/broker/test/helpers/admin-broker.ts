import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@logbook/storage";
import { Broker, type BrokerConfig, brokerConfig } from "../../src/index.js";
import { WireClient } from "./wire-client.js";

/** A real broker on an ephemeral port over a temporary data dir, plus a wire client. */
export interface TestBroker {
  broker: Broker;
  client: WireClient;
  dir: string;
  port: number;
  /** Stops the broker and starts a new one on the same data dir (and a new client). */
  restart(overrides?: Partial<BrokerConfig>): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestBroker(overrides: Partial<BrokerConfig> = {}): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), "logbook-admin-"));
  const start = async (o: Partial<BrokerConfig>) => {
    const broker = await Broker.start(brokerConfig({ port: 0, dataDir: dir, ...o }), silentLogger);
    const client = await WireClient.connect(broker.address.port);
    return { broker, client };
  };
  let current = await start(overrides);
  const t: TestBroker = {
    get broker() {
      return current.broker;
    },
    get client() {
      return current.client;
    },
    get port() {
      return current.broker.address.port;
    },
    dir,
    async restart(o = overrides) {
      current.client.close();
      await current.broker.stop();
      current = await start(o);
    },
    async stop() {
      current.client.close();
      await current.broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}
