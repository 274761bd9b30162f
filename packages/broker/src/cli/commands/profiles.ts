/**
 * Where client commands find the cluster: `-b/--brokers`, else LOGBOOK_BROKERS, else a
 * profile (`--profile NAME` or LOGBOOK_PROFILE, else the file's `current`) from the
 * profile file (LOGBOOK_PROFILES, default ~/.config/logbook/profiles.yaml), else
 * 127.0.0.1:9092. The file:
 *
 *   current: local
 *   profiles:
 *     local: { brokers: "127.0.0.1:9092" }
 *     staging: { brokers: "kafka-1:9093", tls: true, ca: ca.pem, sasl-mechanism: SCRAM-SHA-512, user: ops }
 *
 * A profile's other fields (TLS and SASL, named as the flags) apply when the profile is
 * the one in use: picked by name, or `current` when no broker list was given elsewhere.
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

/** A profile's fields, named as the command-line flags they stand in for. */
export interface Profile {
  readonly brokers?: string;
  readonly tls?: boolean;
  readonly ca?: string;
  readonly cert?: string;
  readonly "cert-key"?: string;
  readonly "tls-insecure"?: boolean;
  readonly "sasl-mechanism"?: string;
  readonly user?: string;
  readonly password?: string;
}

const STRING_FIELDS = [
  "brokers",
  "ca",
  "cert",
  "cert-key",
  "sasl-mechanism",
  "user",
  "password",
] as const;
const BOOLEAN_FIELDS = ["tls", "tls-insecure"] as const;

interface ProfileFile {
  current?: string;
  profiles: Record<string, Profile>;
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
  for (const [name, p] of Object.entries(profiles)) out.profiles[name] = profileOf(path, name, p);
  return out;
}

function profileOf(path: string, name: string, p: unknown): Profile {
  if (!isRecord(p)) return {};
  const out: Record<string, string | boolean> = {};
  for (const f of STRING_FIELDS) {
    const v = p[f];
    if (v === undefined) continue;
    if (typeof v !== "string")
      throw new UsageError(`profile ${name} in ${path}: ${f} must be a string`);
    out[f] = v;
  }
  for (const f of BOOLEAN_FIELDS) {
    const v = p[f];
    if (v === undefined) continue;
    if (typeof v !== "boolean")
      throw new UsageError(`profile ${name} in ${path}: ${f} must be true or false`);
    out[f] = v;
  }
  return out as Profile;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The bootstrap list a client command connects to, and the profile in use (if any). */
export async function resolveProfile(
  flag: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ brokers: string; profile: Profile }> {
  const given =
    flag !== undefined && flag !== ""
      ? flag
      : env.LOGBOOK_BROKERS !== undefined && env.LOGBOOK_BROKERS !== ""
        ? env.LOGBOOK_BROKERS
        : undefined;
  const wanted = profile ?? env.LOGBOOK_PROFILE;
  // A broker list given outside the file, with no profile named, uses no profile at all.
  if (given !== undefined && wanted === undefined) return { brokers: given, profile: {} };
  const path = profilesFile(env);
  const file = await readProfiles(path);
  if (file === null) {
    if (wanted !== undefined) throw new UsageError(`profile ${wanted}: ${path} does not exist`);
    return { brokers: DEFAULT_BROKERS, profile: {} };
  }
  const name = wanted ?? file.current;
  if (name === undefined) return { brokers: given ?? DEFAULT_BROKERS, profile: {} };
  const p = file.profiles[name];
  if (p === undefined) throw new UsageError(`profile ${name} is not in ${path}`);
  const brokers = given ?? p.brokers;
  if (brokers === undefined) throw new UsageError(`profile ${name} in ${path} has no brokers`);
  return { brokers, profile: p };
}
