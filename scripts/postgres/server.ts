// A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries, a fresh
// data directory under the OS temp dir, a free port on 127.0.0.1, trust authentication.
// Run as root (CI containers), the server runs as the `postgres` user the Debian package
// creates, since PostgreSQL refuses to run as root.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../../integration-tests/helpers/free-port.js";
import { killOnExit } from "../kill-on-exit.js";

const run = promisify(execFile);

export interface PostgresServerOptions {
  /** fsync the WAL (off by default: tests crash processes, not machines). */
  fsync?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

/** Where the server binaries are: LOGBOOK_PG_BIN, else Debian's newest, else PATH. */
export function postgresBinDir(): string {
  const fromEnv = process.env.LOGBOOK_PG_BIN;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "postgres")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(base, versions[0], "bin");
  }
  return "";
}

function binary(name: string): string {
  const dir = postgresBinDir();
  return dir === "" ? name : join(dir, name);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[1]) === pid) out.push(Number(entry));
  }
  return out;
}

/** Resolves once `pid` has exited (gone from /proc, or a zombie nobody has reaped yet). */
async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (stat === null || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** uid/gid to run the server as: the `postgres` user when we are root, else ourselves. */
async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  return { uid, gid };
}

/**
 * One PostgreSQL server. `start()` makes it; `url(db)` names a database on it (the
 * `postgres` database unless told); `createDatabase` makes a fresh one per test; `kill()`
 * crashes it (SIGKILL), `restart()` starts it again over the same data and port.
 */
export class PostgresServer {
  private process: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log = "";

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | null,
    private readonly options: PostgresServerOptions,
  ) {}

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const dataDir = await mkdtemp(join(tmpdir(), "logbook-pg-"));
    const user = await serverUser();
    if (user !== null) await chown(dataDir, user.uid, user.gid);
    try {
      await run(
        binary("initdb"),
        ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-locale"],
        { ...(user ?? {}), env: { ...process.env, LC_ALL: "C" } },
      );
    } catch (e) {
      await rm(dataDir, { recursive: true, force: true });
      const detail = e instanceof Error ? e.message : String(e);
      throw new Error(
        `initdb failed (is PostgreSQL installed? Debian: apt-get install postgresql): ${detail}`,
      );
    }
    const server = new PostgresServer(dataDir, await freePort(), user, options);
    await server.launch();
    return server;
  }

  /** A connection URL for database `db` as the superuser `postgres`. */
  url(db = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  /** Creates an empty database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /**
   * Crashes the server: SIGKILL to the postmaster and to every backend it started.
   * Killed alone, the postmaster leaves its backends running until they notice, and one
   * of them can still commit a query the test expects to fail.
   */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === null) return;
    const pid = child.pid;
    let backends: number[] = [];
    if (pid !== undefined) {
      signal(pid, "SIGSTOP"); // no new backend is forked while they are listed
      backends = await childrenOf(pid);
      for (const b of backends) signal(b, "SIGKILL");
    }
    child.kill("SIGKILL");
    await this.exited;
    await Promise.all(backends.map(gone));
    this.process = null;
  }

  /** Starts the server again over the same data directory and port. */
  async restart(): Promise<void> {
    if (this.process !== null) await this.stopServer();
    await this.launch();
  }

  /** Stops the server (fast shutdown) and removes its data directory. */
  async stop(): Promise<void> {
    await this.stopServer();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async stopServer(): Promise<void> {
    const child = this.process;
    if (child === null) return;
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
    this.process = null;
  }

  private async launch(): Promise<void> {
    const settings: Record<string, string> = {
      listen_addresses: "127.0.0.1",
      port: String(this.port),
      unix_socket_directories: this.dataDir,
      fsync: this.options.fsync === true ? "on" : "off",
      max_connections: "200",
      ...this.options.settings,
    };
    const args = ["-D", this.dataDir];
    for (const [k, v] of Object.entries(settings)) args.push("-c", `${k}=${v}`);
    // A crash after a kill leaves a stale postmaster.pid; PostgreSQL checks the pid and
    // starts anyway when that process is gone.
    const child = killOnExit(
      spawn(binary("postgres"), args, {
        ...(this.user ?? {}),
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, LC_ALL: "C" },
      }),
    );
    this.log = "";
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-8000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.process = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited:\n${this.log}`);
      const client = new pg.Client({ connectionString: this.url() });
      client.on("error", () => {});
      try {
        await client.connect();
        await client.query("SELECT 1");
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (Date.now() > deadline) {
          child.kill("SIGKILL");
          throw new Error(`postgres did not start within 30 s:\n${this.log}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
