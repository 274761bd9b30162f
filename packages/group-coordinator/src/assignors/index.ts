/**
 * The built-in KIP-848 server-side assignors. `group.consumer.assignors` lists them by
 * name (or by Kafka's class name, which Kafka also accepts); the first listed is the
 * default for members that name none.
 */
import type { ServerAssignor } from "./assignor.js";
import { rangeAssignor } from "./range.js";
import { uniformAssignor } from "./uniform.js";

export type {
  AssignmentInput,
  AssignorMember,
  ServerAssignor,
  TargetAssignment,
  TopicPartitions,
} from "./assignor.js";

/** Every built-in assignor, in the order of Kafka's default `group.consumer.assignors`. */
export const SERVER_ASSIGNORS: readonly ServerAssignor[] = [uniformAssignor, rangeAssignor];

const KAFKA_CLASS_NAMES: ReadonlyMap<string, string> = new Map([
  ["org.apache.kafka.coordinator.group.assignor.UniformAssignor", "uniform"],
  ["org.apache.kafka.coordinator.group.assignor.RangeAssignor", "range"],
]);

/** The built-in assignor of this name (or Kafka class name), else undefined. */
export function serverAssignorByName(name: string): ServerAssignor | undefined {
  const short = KAFKA_CLASS_NAMES.get(name) ?? name;
  return SERVER_ASSIGNORS.find((a) => a.name === short);
}

/**
 * The assignors a `group.consumer.assignors` value names, in its order (the first is
 * the default), or why the value is not usable (empty, or naming an unknown assignor).
 */
export function serverAssignorsFromConfig(
  names: readonly string[],
): { ok: true; assignors: ServerAssignor[] } | { ok: false; message: string } {
  const assignors: ServerAssignor[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === "") continue;
    const assignor = serverAssignorByName(name);
    if (assignor === undefined) {
      const known = SERVER_ASSIGNORS.map((a) => a.name).join(", ");
      return { ok: false, message: `unknown server assignor ${name} (built-in: ${known})` };
    }
    if (!assignors.includes(assignor)) assignors.push(assignor);
  }
  if (assignors.length === 0) return { ok: false, message: "no server assignor is listed" };
  return { ok: true, assignors };
}
