/** The broker's quota parts: the stored quotas and the manager measuring clients. */
import type { BrokerConfig } from "../config.js";
import { type ClientQuotaStore, ClientQuotas } from "./client-quotas.js";
import { ClientQuotaManager } from "./quota-manager.js";

export interface BrokerQuotas {
  readonly stored: ClientQuotas;
  readonly manager: ClientQuotaManager;
}

export function brokerQuotas(store: ClientQuotaStore, config: BrokerConfig): BrokerQuotas {
  const stored = new ClientQuotas(store);
  const manager = new ClientQuotaManager(
    (e) => stored.valuesOf(e),
    { samples: config.quotaWindowNum, windowMs: config.quotaWindowSizeSeconds * 1000 },
    Date.now,
    () => store.clientQuotas.size > 0,
  );
  return { stored, manager };
}
