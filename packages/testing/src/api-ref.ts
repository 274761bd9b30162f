import { type ApiCodec, apiCodecs } from "@logbook/protocol";

/** An API as tests name it: Kafka's name ("Produce", "FindCoordinator") or its key (0). */
export type ApiRef = string | number;

const byName = new Map(apiCodecs.map((c) => [c.name.toLowerCase(), c]));
const byKey = new Map(apiCodecs.map((c) => [c.apiKey, c]));

/** The codec of an API; throws on a name or key the protocol package does not know. */
export function resolveApi(ref: ApiRef): ApiCodec<unknown, unknown> {
  const codec = typeof ref === "number" ? byKey.get(ref) : byName.get(ref.toLowerCase());
  if (codec === undefined) throw new Error(`unknown Kafka API ${JSON.stringify(ref)}`);
  return codec;
}
