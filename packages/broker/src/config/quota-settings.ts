/** Client-quota settings (top-level BrokerConfig fields): how quota rates are measured. */
import { int } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const QUOTA_SETTINGS = {
  quotaWindowNum: setting({
    name: "quota.window.num",
    kind: int(1),
    default: 11,
    importance: "low",
    doc: "Number of samples kept to measure a client's rate against its quotas.",
  }),
  quotaWindowSizeSeconds: setting({
    name: "quota.window.size.seconds",
    kind: int(1),
    default: 1,
    importance: "low",
    doc: "Length of each sample measuring a client's rate against its quotas.",
  }),
};

export type QuotaConfig = SectionValues<typeof QUOTA_SETTINGS>;
