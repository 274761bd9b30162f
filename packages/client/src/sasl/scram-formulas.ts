/**
 * RFC 5802's functions over one mechanism's hash: what the server derives from a salted
 * password, and how it checks a client's proof and signs its answer.
 */
import { createHash, createHmac, pbkdf2, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type { ScramMechanism } from "./scram-mechanisms.js";

const pbkdf2Async = promisify(pbkdf2);

/** What the server keeps of a password: never the password or the salted password. */
export interface ScramKeys {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export function hmac(m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(m.hash, key).update(data).digest();
}

function h(m: ScramMechanism, data: Buffer): Buffer {
  return createHash(m.hash).update(data).digest();
}

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC (what a client sends salted). */
export function saltPassword(
  m: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, "utf8"), salt, iterations, m.keyLength, m.hash);
}

/** StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). */
export function scramKeys(
  m: ScramMechanism,
  salt: Buffer,
  saltedPassword: Buffer,
  iterations: number,
): ScramKeys {
  return {
    salt,
    storedKey: h(m, hmac(m, saltedPassword, "Client Key")),
    serverKey: hmac(m, saltedPassword, "Server Key"),
    iterations,
  };
}

/** ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof holds when H(ClientKey) = StoredKey. */
export function clientProofHolds(
  m: ScramMechanism,
  keys: ScramKeys,
  authMessage: string,
  proof: Buffer,
): boolean {
  const signature = hmac(m, keys.storedKey, authMessage);
  if (proof.length !== signature.length) return false;
  const clientKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++)
    clientKey[i] = (proof[i] as number) ^ (signature[i] as number);
  const stored = h(m, clientKey);
  return stored.length === keys.storedKey.length && timingSafeEqual(stored, keys.storedKey);
}

/** ServerSignature = HMAC(ServerKey, AuthMessage): the client's proof that the server knew the password. */
export function serverSignature(m: ScramMechanism, keys: ScramKeys, authMessage: string): Buffer {
  return hmac(m, keys.serverKey, authMessage);
}

/** What a client computes for its proof; the tests play the client with it. */
export function clientProof(
  m: ScramMechanism,
  saltedPassword: Buffer,
  authMessage: string,
): Buffer {
  const clientKey = hmac(m, saltedPassword, "Client Key");
  const signature = hmac(m, h(m, clientKey), authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i++)
    proof[i] = (clientKey[i] as number) ^ (signature[i] as number);
  return proof;
}
