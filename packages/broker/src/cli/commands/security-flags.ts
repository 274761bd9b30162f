/**
 * TLS and SASL for a client command, from its flags, else the environment (for the user
 * name and password, so a password need not be on the command line), else the profile.
 */
import { readFile } from "node:fs/promises";
import {
  SASL_MECHANISMS,
  type SaslMechanismName,
  type SaslOptions,
  type TlsOptions,
} from "@logbook/client";
import type { Command } from "commander";
import type { Profile } from "./profiles.js";
import { UsageError } from "./usage-error.js";

export interface SecurityFlags {
  tls?: boolean;
  ca?: string;
  cert?: string;
  certKey?: string;
  tlsInsecure?: boolean;
  saslMechanism?: string;
  user?: string;
  password?: string;
}

export function securityOptions(cmd: Command): Command {
  return (
    cmd
      .option("--tls", "connect with TLS (SSL and SASL_SSL listeners)")
      .option("--ca <file>", "PEM CA certificates to trust (implies --tls)")
      .option("--cert <file>", "PEM client certificate, for mTLS (implies --tls)")
      // Not --key: produce's -k/--key is the record key.
      .option("--cert-key <file>", "PEM key of --cert")
      .option("--tls-insecure", "skip the check that the certificate names the broker's host")
      .option("--sasl-mechanism <name>", `SASL mechanism: ${SASL_MECHANISMS.join(", ")}`)
      .option("--user <name>", "SASL user name (env LOGBOOK_SASL_USERNAME)")
      .option("--password <password>", "SASL password (env LOGBOOK_SASL_PASSWORD)")
  );
}

export interface Security {
  readonly tls?: TlsOptions;
  readonly sasl?: SaslOptions;
}

export async function resolveSecurity(
  flags: SecurityFlags,
  env: NodeJS.ProcessEnv,
  profile: Profile,
): Promise<Security> {
  const ca = flags.ca ?? profile.ca;
  const cert = flags.cert ?? profile.cert;
  const key = flags.certKey ?? profile["cert-key"];
  const insecure = flags.tlsInsecure ?? profile["tls-insecure"] ?? false;
  const useTls =
    (flags.tls ?? profile.tls ?? false) || ca !== undefined || cert !== undefined || insecure;
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError("--cert and --cert-key go together");
  const out: { tls?: TlsOptions; sasl?: SaslOptions } = {};
  if (useTls)
    out.tls = {
      ...(ca === undefined ? {} : { ca: await pem("--ca", ca) }),
      ...(cert === undefined ? {} : { cert: await pem("--cert", cert) }),
      ...(key === undefined ? {} : { key: await pem("--cert-key", key) }),
      checkServerName: !insecure,
    };
  const mechanism = flags.saslMechanism ?? profile["sasl-mechanism"];
  const username = flags.user ?? nonEmpty(env.LOGBOOK_SASL_USERNAME) ?? profile.user;
  const password = flags.password ?? nonEmpty(env.LOGBOOK_SASL_PASSWORD) ?? profile.password;
  if (mechanism === undefined) {
    if (flags.user !== undefined || flags.password !== undefined)
      throw new UsageError("--user and --password need --sasl-mechanism");
    return out;
  }
  if (!isMechanism(mechanism))
    throw new UsageError(
      `--sasl-mechanism must be one of ${SASL_MECHANISMS.join(", ")}, got "${mechanism}"`,
    );
  if (username === undefined) throw new UsageError(`SASL ${mechanism} needs --user`);
  if (password === undefined) throw new UsageError(`SASL ${mechanism} needs --password`);
  out.sasl = { mechanism, username, password };
  return out;
}

function isMechanism(name: string): name is SaslMechanismName {
  return (SASL_MECHANISMS as readonly string[]).includes(name);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

async function pem(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${(e as Error).message}`);
  }
}
