/** Transaction coordinator settings (top-level BrokerConfig fields). */
import { int } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const TXN_SETTINGS = {
  transactionMaxTimeoutMs: setting({
    name: "transaction.max.timeout.ms",
    kind: int(1),
    default: 15 * 60 * 1000,
    importance: "high",
    doc: "Largest transaction timeout a producer may ask for.",
  }),
  transactionalIdExpirationMs: setting({
    name: "transactional.id.expiration.ms",
    kind: int(1),
    default: 7 * 24 * 60 * 60 * 1000,
    importance: "high",
    doc: "Forget a transactional id with no open transaction after this long without use.",
  }),
  transactionAbortTimedOutCheckIntervalMs: setting({
    name: "transaction.abort.timed.out.transaction.cleanup.interval.ms",
    kind: int(1),
    default: 10_000,
    importance: "low",
    doc: "How often open transactions are checked against their timeout (and aborted).",
  }),
  transactionRemoveExpiredCheckIntervalMs: setting({
    name: "transaction.remove.expired.transaction.cleanup.interval.ms",
    kind: int(1),
    default: 60 * 60 * 1000,
    importance: "low",
    doc: "How often transactional ids are checked against transactional.id.expiration.ms.",
  }),
};

export type TxnConfig = SectionValues<typeof TXN_SETTINGS>;
