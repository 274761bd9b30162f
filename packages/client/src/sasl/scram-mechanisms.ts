/** The SCRAM mechanisms Kafka serves (RFC 7677 SHA-256, and SHA-512), with its limits. */

export interface ScramMechanism {
  readonly name: "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /** The mechanism byte of AlterUserScramCredentials and DescribeUserScramCredentials. */
  readonly type: number;
  /** node:crypto's name of the hash. */
  readonly hash: "sha256" | "sha512";
  /** Bytes of the hash, so of the salted password and the keys. */
  readonly keyLength: number;
}

/** Kafka refuses fewer iterations than this for either mechanism. */
export const SCRAM_MIN_ITERATIONS = 4096;
/** And more than this (its controller's limit). */
export const SCRAM_MAX_ITERATIONS = 16384;

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [
  { name: "SCRAM-SHA-256", type: 1, hash: "sha256", keyLength: 32 },
  { name: "SCRAM-SHA-512", type: 2, hash: "sha512", keyLength: 64 },
];

export function scramMechanismByType(type: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.type === type);
}

export function scramMechanismByName(name: string): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name);
}
