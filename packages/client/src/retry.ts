import { KafkaError } from "./kafka-error.js";

/**
 * Runs `attempt` again while it fails with a retriable Kafka error (a coordinator still
 * loading or not there yet, a leader moving), as Kafka's clients do, with a growing pause.
 */
export async function retrying<T>(
  attempt: () => Promise<T>,
  times = 30,
  pauseMs = 100,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof KafkaError) || !e.retriable || i >= times) throw e;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs * (i + 1), 1000)));
    }
  }
}
