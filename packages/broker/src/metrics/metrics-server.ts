/** The HTTP endpoint Prometheus scrapes: GET /metrics, the text exposition format. */
import { createServer, type Server } from "node:http";
import type { Logger } from "@logbook/storage";
import type { BrokerMetrics } from "./broker-metrics.js";

export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly address: { host: string; port: number },
  ) {}

  static async listen(
    metrics: BrokerMetrics,
    host: string,
    port: number,
    logger: Logger,
  ): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
        return;
      }
      metrics.scrape().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        (e: unknown) => {
          logger.error("metrics scrape failed", {}, e);
          res.writeHead(500, { "content-type": "text/plain" }).end("scrape failed\n");
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const a = server.address();
    const bound = typeof a === "object" && a !== null ? a.port : port;
    return new MetricsServer(server, { host, port: bound });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
