/**
 * The accepting side of one listener under connection limits (connection-quotas.ts):
 * new sockets wait in order, as Kafka's acceptor takes them one at a time. The one at
 * the head waits out the creation-rate delay and then for a free slot; then the ip
 * checks decide: served, closed at once (max.connections.per.ip) or held unread and
 * closed after the throttle time (connection_creation_rate). Without static limits
 * nothing waits and only the ip rate (when set) is looked at.
 */
import type { Socket } from "node:net";
import type { Logger } from "@logbook/storage";
import type { ConnectionQuotas } from "./connection-quotas.js";

/** A socket not served yet has no other error listener: a reset must not throw. */
const ignore = () => undefined;

interface Waiting {
  readonly socket: Socket;
  readonly serve: () => void;
}

export class ConnectionGate {
  private readonly queue: Waiting[] = [];
  /** When the head may be accepted (creation-rate delay); undefined until recorded. */
  private headAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopWaiting: (() => void) | undefined;
  private readonly held = new Set<Socket>();

  constructor(
    private readonly quotas: ConnectionQuotas,
    private readonly listener: string,
    private readonly logger: Logger,
  ) {}

  /** A new socket: `serve` starts serving it once the limits let it in. */
  offer(socket: Socket, serve: () => void): void {
    if (!this.quotas.limited) {
      this.decide({ socket, serve });
      return;
    }
    socket.pause();
    socket.on("error", ignore);
    this.queue.push({ socket, serve });
    this.pump();
  }

  /** Closes what still waits (shutdown). */
  close(): void {
    clearTimeout(this.timer);
    this.stopWaiting?.();
    for (const w of this.queue.splice(0)) w.socket.destroy();
    for (const s of this.held) s.destroy();
  }

  private pump(): void {
    while (this.timer === undefined && this.stopWaiting === undefined) {
      const head = this.queue[0];
      if (head === undefined) return;
      this.headAt ??= Date.now() + this.quotas.recordCreation(this.listener);
      const wait = this.headAt - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      if (!this.quotas.slotAvailable(this.listener)) {
        const stop = this.quotas.onSlotFreed(() => {
          stop();
          this.stopWaiting = undefined;
          this.pump();
        });
        this.stopWaiting = stop;
        return;
      }
      this.queue.shift();
      this.headAt = undefined;
      this.decide(head);
    }
  }

  private decide({ socket, serve }: Waiting): void {
    if (socket.destroyed) return;
    const address = socket.remoteAddress ?? "";
    const admission = this.quotas.admit(this.listener, address);
    if (admission.kind === "refuse") {
      this.logger.info("connection refused: the address has max.connections.per.ip", {
        listener: this.listener,
        address,
        max: admission.max,
      });
      socket.destroy();
      return;
    }
    if (admission.kind === "throttle") {
      // As Kafka: held unread and closed once the throttle time has passed.
      this.logger.debug("connection throttled: connection_creation_rate", {
        listener: this.listener,
        address,
        ms: admission.ms,
      });
      socket.pause();
      socket.on("error", ignore);
      this.held.add(socket);
      setTimeout(() => {
        this.held.delete(socket);
        socket.destroy();
      }, admission.ms).unref();
      return;
    }
    if (admission.counted) socket.once("close", () => this.quotas.closed(this.listener, address));
    socket.off("error", ignore);
    socket.resume();
    serve();
  }
}
