/**
 * @logbook/testing inside a @platformatic/kafka application's test, run under Node 22
 * (the library needs it; ../testing-package.test.ts starts this file): an in-process
 * broker, one Produce failed with a retriable code (the client retries), one with a fatal
 * code (the application sees it), and the records read back. Prints one JSON line
 * {"event": "result", "result": ...}.
 */
import { ErrorCode, startTestBroker } from "@logbook/testing";
import {
  Consumer,
  type Message,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";

/** The messages of an error and of the errors it aggregates. */
function messages(e: unknown): string[] {
  if (!(e instanceof Error)) return [String(e)];
  const inner = e instanceof AggregateError ? e.errors.flatMap(messages) : [];
  return [e.message, ...inner];
}

const kafka = await startTestBroker({ topics: { orders: 3 } });
try {
  const producer = new Producer({
    clientId: "example",
    bootstrapBrokers: kafka.brokers,
    serializers: stringSerializers,
    retries: 3,
    retryDelay: 50,
  });
  const retried = kafka.failNext("Produce", ErrorCode.NOT_LEADER_OR_FOLLOWER);
  await producer.send({ messages: [{ topic: "orders", key: "k1", value: "first" }] });
  const retriedTaken = retried.taken;
  const produceRequests = kafka.seen("Produce");

  kafka.failNext("Produce", ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  let fatal = "";
  try {
    await producer.send({ messages: [{ topic: "orders", key: "k2", value: "refused" }] });
  } catch (e) {
    fatal = messages(e).join(" / ");
  }
  await producer.send({ messages: [{ topic: "orders", key: "k3", value: "third" }] });
  await producer.close();

  const consumer = new Consumer({
    clientId: "example",
    bootstrapBrokers: kafka.brokers,
    groupId: "example-readers",
    deserializers: stringDeserializers,
    maxWaitTime: 100,
  });
  const stream = await consumer.consume({ topics: ["orders"], mode: "earliest" });
  const values: string[] = [];
  stream.on("data", (m: Message<string, string, string, string>) => values.push(m.value));
  const deadline = Date.now() + 20_000;
  while (values.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await stream.close();
  await consumer.close(true);
  console.log(
    JSON.stringify({
      event: "result",
      result: { retriedTaken, produceRequests, fatal, values: values.sort() },
    }),
  );
} finally {
  await kafka.stop();
}
