/**
 * Interop matrix, Java column: kafka-clients 4.x (the current client), driven by
 * integration-tests/java (Scenarios.java), built and cached by java/java-driver.ts.
 */
import { KAFKA_CLIENTS, runJava } from "../java/java-driver.js";
import { drivenMatrix } from "./driven.js";

const VERSION = KAFKA_CLIENTS.current;

drivenMatrix({
  client: `kafka-clients-${VERSION}`,
  src: "kafka-clients",
  version: async () => String(await runJava(VERSION, "Scenarios", ["version"])),
  run: (env, scenario, topic, extra) =>
    runJava(VERSION, "Scenarios", [scenario, env.broker.bootstrap, topic, ...extra]),
});
