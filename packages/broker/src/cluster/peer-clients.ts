import { Connection } from "@logbook/client";
import type { ApiCodec } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import type { ClusterView } from "./cluster-view.js";

/** How long an inter-broker connect or request may take. */
const PEER_TIMEOUT_MS = 10_000;

/**
 * Requests from this broker to the others that share its database (transaction
 * markers for the partitions they lead), through each one's inter-broker listener as
 * it advertised it. One connection per broker, opened on first use and dropped when
 * it fails (the next request opens another). Inter-broker listeners with TLS or SASL
 * are not supported yet: calls to them fail with a message saying so.
 */
export class PeerClients {
  private readonly connections = new Map<number, Promise<Connection>>();

  constructor(
    private readonly view: ClusterView,
    /** inter.broker.listener.name (or security.inter.broker.protocol) */
    private readonly listener: string,
    private readonly clientId: string,
    private readonly logger: Logger,
  ) {}

  async send<Req, Res>(nodeId: number, api: ApiCodec<Req, Res>, body: Req): Promise<Res> {
    const opening = this.connection(nodeId);
    try {
      return (await (await opening).send(api, body)).body;
    } catch (e) {
      if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
      (await opening.catch(() => null))?.close();
      throw e;
    }
  }

  close(): void {
    for (const opening of this.connections.values()) opening.then((c) => c.close()).catch(() => {});
    this.connections.clear();
  }

  private connection(nodeId: number): Promise<Connection> {
    const known = this.connections.get(nodeId);
    if (known !== undefined) return known;
    const address = this.view.addressOf(nodeId, this.listener);
    const protocol = this.view.protocolOf(nodeId, this.listener);
    if (address === null)
      return Promise.reject(
        new Error(`broker ${nodeId} advertises no inter-broker listener ${this.listener}`),
      );
    if (protocol !== null && protocol !== "PLAINTEXT")
      return Promise.reject(
        new Error(`inter-broker requests over ${protocol} are not supported yet`),
      );
    this.logger.debug("connecting to a peer broker", { nodeId, ...address });
    const opening = Connection.open({
      host: address.host,
      port: address.port,
      clientId: this.clientId,
      timeoutMs: PEER_TIMEOUT_MS,
    });
    this.connections.set(nodeId, opening);
    opening.catch(() => {
      if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
    });
    return opening;
  }
}
