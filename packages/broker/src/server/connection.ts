import type { Socket } from "node:net";
import { FrameDecoder } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import { CloseConnection } from "../handler.js";
import type { ClientSession } from "./client-session.js";
import { claimFill, type ResponseFrame, recycleParts } from "./response-frame.js";

export interface ConnectionOptions {
  maxFrameSize: number;
  idleMs: number;
  /** Pause reading while more than this many response bytes wait in the socket. */
  maxPendingBytes: number;
  /** Pause reading while this many requests are being handled. */
  maxInFlight: number;
  logger: Logger;
  /** Who is connected; a response may be its last (closeAfterResponse). */
  session: ClientSession;
  /** Handles one request frame; resolves to the response frame, or null for none. */
  handle(frame: Buffer): Promise<ResponseFrame | null>;
  /** The clock session.mutedUntilMs is read with (Date.now; a test may script it). */
  now?: () => number;
}

interface Slot {
  done: boolean;
  response: ResponseFrame | null;
  /** The request asked for the connection to close (a CloseConnection) instead of a response. */
  closeReason: string | null;
}

/**
 * One client connection. Requests are decoded from the byte stream as frames arrive
 * and handled concurrently, but responses are written strictly in request order: each
 * request takes a slot in a queue, and the queue is flushed from its head as slots
 * complete. A request without a response (acks=0) completes its slot empty, so it
 * never holds back the ones after it. Reading pauses while too many requests are in
 * flight or too many response bytes wait in the socket (backpressure), and while a
 * quota throttle mutes the client (KIP-219); an idle connection is closed after
 * connections.max.idle.ms.
 */
/** How long an orderly close waits for the peer before the socket is destroyed. */
const SHUTDOWN_GRACE_MS = 1000;

export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  private inFlight = 0;
  /**
   * Frames decoded but not started: one chunk can hold hundreds of small requests, and
   * pausing the socket only stops the next chunk, so the limits are applied per frame.
   */
  private readonly backlog: Buffer[] = [];
  private paused = false;
  private closed = false;
  /** A request asked to close (CloseConnection): nothing after it is started. */
  private closeRequested = false;
  /** A response is partly written and waits for a part still being read (writeParts). */
  private streaming = false;
  /** A flush is due at the end of this event-loop turn (scheduleFlush). */
  private flushScheduled = false;
  /** Resumes a paused connection nothing else would (see ensureWake). */
  private unmuteTimer: NodeJS.Timeout | undefined;
  /**
   * At least the socket's high-water mark: only a write past it is followed by a
   * "drain", which is what resumes a connection paused on pending bytes.
   */
  private readonly maxPendingBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.decoder = new FrameDecoder({ maxFrameSize: opts.maxFrameSize });
    this.maxPendingBytes = Math.max(opts.maxPendingBytes, socket.writableHighWaterMark);
    this.now = opts.now ?? Date.now;
    socket.setNoDelay(true);
    socket.setTimeout(opts.idleMs);
    socket.on("timeout", () => {
      if (this.inFlight === 0) this.close("idle");
    });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => this.maybeResume());
    socket.on("error", (e) => this.close(`socket error: ${e.message}`));
    socket.on("close", () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Requests still being handled (shutdown waits for these). */
  get pending(): number {
    return this.inFlight + (this.flushScheduled || this.streaming ? 1 : 0);
  }

  private onData(chunk: Buffer): void {
    const { frames, error } = this.decoder.push(chunk);
    for (const frame of frames) this.backlog.push(frame);
    this.startBacklog();
    if (error !== undefined) {
      this.opts.logger.warn("closing connection: bad frame size", { reason: error.message });
      this.close("bad frame");
    }
  }

  private start(frame: Buffer): void {
    if (this.closed || this.closeRequested) return;
    const slot: Slot = { done: false, response: null, closeReason: null };
    this.slots.push(slot);
    this.inFlight++;
    // No pause here: startBacklog pauses once its loop stops. Pausing while the rest of a
    // chunk's frames waited in the backlog stopped reading until the next flush.
    this.opts.handle(frame).then(
      (response) => {
        slot.done = true;
        slot.response = response;
        this.inFlight--;
        this.scheduleFlush();
      },
      (e: unknown) => {
        this.inFlight--;
        // A CloseConnection is expected; anything else escaped the dispatcher's policy.
        if (e instanceof CloseConnection) {
          // Closed once the responses of the requests before it are written, in order
          // (Kafka handles one request of a connection at a time, so those are sent).
          slot.done = true;
          slot.closeReason = e.message;
          this.closeRequested = true;
          this.flush();
          return;
        }
        this.opts.logger.error("closing connection: request failed", {}, e);
        this.close("request failed");
      },
    );
  }

  /**
   * Responses are written at the end of the event-loop turn that completed them, so all
   * that complete in one turn (a busy broker finishes many appends per turn) share one
   * socket write: on this kind of machine each write costs as much as handling a small
   * request (docs/performance.md, "Many partitions").
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushNow);
  }

  private readonly flushNow = (): void => {
    if (this.flushScheduled) this.flush();
  };

  private flush(): void {
    this.flushScheduled = false;
    // A response half written waits for its next part; the ones after it wait behind it.
    if (this.streaming) return;
    // Cork so that every response ready now leaves in one write.
    this.socket.cork();
    while (this.slots.length > 0 && (this.slots[0] as Slot).done) {
      const slot = this.slots.shift() as Slot;
      if (slot.closeReason !== null && !this.closed) {
        this.opts.logger.warn("closing connection", { reason: slot.closeReason });
        this.shutdown(slot.closeReason);
      }
      const response = slot.response;
      if (response === null || this.closed) continue;
      if (Buffer.isBuffer(response)) this.socket.write(response);
      else if (!this.writeParts(response, 0)) break;
      if (this.opts.session.closeAfterResponse) this.end();
    }
    this.socket.uncork();
    this.maybeResume();
    this.maybePause();
  }

  /**
   * Writes a frame's parts from `from` on. At a part still being read (a Fetch response
   * sent while its later partitions are read, see response-frame.ts) it stops, returns
   * false and goes on once the read completes; a failed read leaves the frame unfinishable,
   * so the connection closes (the client fetches again).
   */
  private writeParts(parts: readonly Buffer[], from: number): boolean {
    const last = parts.length - 1;
    for (let i = from; i <= last; i++) {
      const part = parts[i] as Buffer;
      const filled = claimFill(part);
      if (filled !== undefined) {
        this.streaming = true;
        filled.then(
          () => {
            this.streaming = false;
            if (this.closed) return;
            this.socket.cork();
            const done = this.writeParts(parts, i);
            this.socket.uncork();
            if (!done) return;
            if (this.opts.session.closeAfterResponse) this.end();
            this.flush();
          },
          (e: unknown) => {
            this.streaming = false;
            this.opts.logger.warn("closing connection: a fetch response's read failed", {
              error: e instanceof Error ? e.message : String(e),
            });
            this.close("fetch read failed");
          },
        );
        return false;
      }
      if (i < last) this.socket.write(part);
      // The last part's callback comes once every part before it is written too.
      else
        this.socket.write(part, (e) => {
          if (e === undefined || e === null) recycleParts(parts);
        });
    }
    return true;
  }

  /**
   * `now` is sampled once per decision: a mute that is still on when reading pauses must
   * still be on when the wake-up is set, or nothing would resume an idle connection.
   */
  private overLimits(now: number): boolean {
    return (
      // Answered but unwritten responses count too: behind a response still being read
      // (a streamed Fetch) they pile up, each holding its read buffers.
      this.slots.length + (this.streaming ? 1 : 0) >= this.opts.maxInFlight ||
      this.socket.writableLength > this.maxPendingBytes ||
      this.mutedForMs(now) > 0
    );
  }

  /** How long a quota throttle still keeps this connection from reading. */
  private mutedForMs(now: number): number {
    const until = this.opts.session.mutedUntilMs;
    return until === undefined ? 0 : until - now;
  }

  /** The time for a decision; the clock is read only while a mute is set (the hot path has none). */
  private decisionTime(): number {
    return this.opts.session.mutedUntilMs === undefined ? 0 : this.now();
  }

  private startBacklog(): void {
    while (this.backlog.length > 0 && !this.closed && !this.overLimits(this.decisionTime()))
      this.start(this.backlog.shift() as Buffer);
    this.maybePause();
  }

  private maybePause(): void {
    if (this.paused || this.closed) return;
    const now = this.decisionTime();
    if (this.backlog.length > 0 || this.overLimits(now)) {
      this.paused = true;
      this.socket.pause();
      this.ensureWake(now);
    }
  }

  /**
   * Paused: something must resume reading. A response not written yet does once it is,
   * and a full socket buffer when it drains; otherwise a timer, at the end of
   * the mute or at once when the mute ended since reading was paused.
   */
  private ensureWake(now: number): void {
    if (this.unmuteTimer !== undefined) return;
    const ms = this.mutedForMs(now);
    const unwritten = this.slots.length > 0 || this.streaming;
    if (ms <= 0 && (unwritten || this.socket.writableLength > this.maxPendingBytes)) return;
    this.unmuteTimer = setTimeout(
      () => {
        this.unmuteTimer = undefined;
        this.maybeResume();
      },
      Math.max(0, ms),
    );
    this.unmuteTimer.unref();
  }

  private maybeResume(): void {
    if (!this.paused || this.closed) return;
    const now = this.decisionTime();
    if (this.overLimits(now)) {
      this.ensureWake(now);
      return;
    }
    this.startBacklog();
    if (this.backlog.length === 0 && !this.overLimits(this.decisionTime())) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Closes after what is written has been sent (the last response of a refused client). */
  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.logger.debug("connection closed", { reason: "closed after response" });
    this.socket.end();
  }

  /**
   * Closes a connection the protocol says to close as Kafka does: an orderly end (over
   * TLS a close_notify first, which librdkafka reads as "broker might require SASL
   * authentication" rather than a broken connection), then destroyed should the peer not
   * close its side.
   */
  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.unmuteTimer);
    this.opts.logger.debug("connection closed", { reason });
    this.socket.end();
    setTimeout(() => this.socket.destroy(), SHUTDOWN_GRACE_MS).unref();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.unmuteTimer);
    this.opts.logger.debug("connection closed", { reason });
    this.socket.destroy();
  }
}
