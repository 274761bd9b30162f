/**
 * The broker's quota parts: the stored quotas, the manager measuring clients' bytes
 * and handler time, and the controller mutation quotas.
 */
import type { BrokerConfig } from "../config.js";
import { type ClientQuotaStore, ClientQuotas } from "./client-quotas.js";
import { ControllerMutationQuotas } from "./mutation-quota.js";
import { ClientQuotaManager } from "./quota-manager.js";

export interface BrokerQuotas {
  readonly stored: ClientQuotas;
  readonly manager: ClientQuotaManager;
  readonly mutations: ControllerMutationQuotas;
}

export function brokerQuotas(store: ClientQuotaStore, config: BrokerConfig): BrokerQuotas {
  const stored = new ClientQuotas(store);
  const manager = new ClientQuotaManager(
    (e) => stored.valuesOf(e),
    { samples: config.quotaWindowNum, windowMs: config.quotaWindowSizeSeconds * 1000 },
    Date.now,
    () => store.clientQuotas.size > 0,
  );
  const mutations = new ControllerMutationQuotas(
    (e) => stored.valuesOf(e),
    {
      samples: config.controllerQuotaWindowNum,
      windowMs: config.controllerQuotaWindowSizeSeconds * 1000,
    },
    Date.now,
    () => store.clientQuotas.size > 0,
  );
  return { stored, manager, mutations };
}
