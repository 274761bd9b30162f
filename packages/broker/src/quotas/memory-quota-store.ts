/** Quotas kept in memory only, through the metadata log's replay (tests, in-process use). */
import { quotaEvent, replayQuota } from "../metadata/quota-records.js";
import type { ClientQuotaStore, StoredQuotas } from "./client-quotas.js";

export function memoryQuotaStore(): ClientQuotaStore {
  const quotas = new Map<string, StoredQuotas>();
  return {
    clientQuotas: quotas,
    async writeClientQuotas(changes) {
      for (const c of changes) {
        const e = quotaEvent(c);
        if (e.kind === "quota") replayQuota(quotas, e.id, e.record);
      }
    },
  };
}
