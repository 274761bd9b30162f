/** A Broker started in this process on a free port with a temporary data directory. */
import { Broker, type BrokerConfig, brokerConfig } from "@logbook/broker";
import { type Logger, silentLogger } from "@logbook/storage";
import { removeDir, tempDir } from "./broker-process.js";

export interface InProcessBroker {
  broker: Broker;
  port: number;
  stop(): Promise<void>;
}

export async function startInProcess(
  overrides: Partial<BrokerConfig> = {},
  logger: Logger = silentLogger,
): Promise<InProcessBroker> {
  const dataDir = await tempDir("logbook-server-");
  const broker = await Broker.start(brokerConfig({ port: 0, dataDir, ...overrides }), logger);
  return {
    broker,
    port: broker.address.port,
    stop: async () => {
      await broker.stop();
      await removeDir(dataDir);
    },
  };
}
