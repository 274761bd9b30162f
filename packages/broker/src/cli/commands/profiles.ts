/**
 * Where client commands find the cluster: `-b/--brokers`, else LOGBOOK_BROKERS, else a
 * profile (`--profile NAME` or LOGBOOK_PROFILE, else the file's `current`) from the
 * profile file (LOGBOOK_PROFILES, default ~/.config/logbook/profiles.yaml), else
 * 127.0.0.1:9092. The file:
 *
 *   current: local
 *   profiles:
 *     local: { brokers: "127.0.0.1:9092" }
 *     staging: { brokers: "kafka-1:9092,kafka-2:9092" }
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { UsageError } from "./usage-error.js";

export const DEFAULT_BROKERS = "127.0.0.1:9092";

export function profilesFile(env: NodeJS.ProcessEnv): string {
  return env.LOGBOOK_PROFILES ?? join(homedir(), ".config", "logbook", "profiles.yaml");
}

interface ProfileFile {
  current?: string;
  profiles: Record<string, { brokers?: string }>;
}

async function readProfiles(path: string): Promise<ProfileFile | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UsageError(`cannot read the profile file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(`${path} is not YAML: ${(e as Error).message}`);
  }
  const profiles = isRecord(doc) ? doc.profiles : undefined;
  if (!isRecord(doc) || !isRecord(profiles)) throw new UsageError(`${path} has no "profiles" map`);
  const out: ProfileFile = { profiles: {} };
  if (typeof doc.current === "string") out.current = doc.current;
  for (const [name, p] of Object.entries(profiles)) {
    const brokers = isRecord(p) ? p.brokers : undefined;
    out.profiles[name] = typeof brokers === "string" ? { brokers } : {};
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The bootstrap list a client command connects to. */
export async function resolveBrokers(
  flag: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (flag !== undefined && flag !== "") return flag;
  if (env.LOGBOOK_BROKERS !== undefined && env.LOGBOOK_BROKERS !== "") return env.LOGBOOK_BROKERS;
  const wanted = profile ?? env.LOGBOOK_PROFILE;
  const path = profilesFile(env);
  const file = await readProfiles(path);
  if (file === null) {
    if (wanted !== undefined) throw new UsageError(`profile ${wanted}: ${path} does not exist`);
    return DEFAULT_BROKERS;
  }
  const name = wanted ?? file.current;
  if (name === undefined) return DEFAULT_BROKERS;
  const p = file.profiles[name];
  if (p === undefined) throw new UsageError(`profile ${name} is not in ${path}`);
  if (p.brokers === undefined) throw new UsageError(`profile ${name} in ${path} has no brokers`);
  return p.brokers;
}
