/**
 * FindCoordinator (key 10), v0-v6.
 *
 * A key's coordinator is the leader of the internal partition holding its state
 * (cluster/coordinators.ts): this node when it is alone, else whichever live broker
 * leads that partition, answered at its endpoint on the request's listener (never
 * NOT_COORDINATOR here). v0 has no key_type (group); v1-v3 carry one key; v4+ batch
 * coordinator_keys and answer one Coordinator entry per key, in request order. Key
 * types: 0 (group) served; 1 (transaction) answered once the transaction coordinator
 * is wired (txn.available), before that COORDINATOR_NOT_AVAILABLE, which clients treat
 * as "retry later"; anything else (2 = share group, v6) gets INVALID_REQUEST, as Kafka
 * answers an unknown coordinator type. An empty group id is answered like any other
 * key, as Kafka does (it hashes every key to a __consumer_offsets partition); the group
 * APIs then refuse it with INVALID_GROUP_ID. When the coordinator failed to start,
 * group keys get COORDINATOR_NOT_AVAILABLE; while it is still replaying they already
 * get the coordinator (the group APIs answer COORDINATOR_LOAD_IN_PROGRESS meanwhile, as Kafka's
 * partition leader does). ACLs: DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED) or
 * the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED). On a listener
 * advertised.listeners leaves out, COORDINATOR_NOT_AVAILABLE, as Kafka answers.
 */
import {
  createFindCoordinatorResponse,
  createFindCoordinatorResponseCoordinator,
  ErrorCode,
  FindCoordinatorApi,
  type FindCoordinatorResponseCoordinator,
} from "@logbook/protocol";
import { groupAllowed, Op, transactionalIdAllowed } from "../acl/check.js";
import { coordinatorOf } from "../cluster/coordinators.js";
import { defineHandler, type RequestContext } from "../handler.js";

const GROUP = 0;
const TRANSACTION = 1;

function coordinatorFor(
  key: string,
  keyType: number,
  ctx: RequestContext,
): FindCoordinatorResponseCoordinator {
  const { broker } = ctx;
  const none = (errorCode: number, errorMessage: string) =>
    createFindCoordinatorResponseCoordinator({
      key,
      nodeId: -1,
      host: "",
      port: -1,
      errorCode,
      errorMessage,
    });
  // Kafka words a denial only in the single-key answer (v0-v3); v4+ entries carry "".
  const denial = (message: string) => (ctx.version >= 4 ? "" : message);
  if (keyType === GROUP && !groupAllowed(ctx, Op.DESCRIBE, key))
    return none(ErrorCode.GROUP_AUTHORIZATION_FAILED, denial("Group authorization failed."));
  if (keyType === TRANSACTION && !transactionalIdAllowed(ctx, Op.DESCRIBE, key))
    return none(
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      denial("Transactional Id authorization failed."),
    );
  if (keyType === TRANSACTION) {
    if (!broker.txn.available) {
      return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, "Transactions are not available.");
    }
  } else if (keyType !== GROUP) {
    return none(ErrorCode.INVALID_REQUEST, `Unknown coordinator type ${keyType}.`);
  } else if (broker.groups.failed) {
    return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, "The group coordinator failed to start.");
  }
  const nodeId = coordinatorOf(broker.cluster, keyType === GROUP ? "group" : "transaction", key);
  const adv = broker.cluster.addressOf(nodeId, ctx.session.listenerName);
  // A listener advertised.listeners leaves out: Kafka has no coordinator endpoint on it.
  if (adv === null)
    return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, denial("The coordinator is not available."));
  return createFindCoordinatorResponseCoordinator({
    key,
    nodeId,
    host: adv.host,
    port: adv.port,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
  });
}

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinatorApi,
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const keyType = ctx.version >= 1 ? req.keyType : GROUP;
    if (ctx.version >= 4) {
      return createFindCoordinatorResponse({
        coordinators: req.coordinatorKeys.map((key) => coordinatorFor(key, keyType, ctx)),
      });
    }
    const c = coordinatorFor(req.key, keyType, ctx);
    return createFindCoordinatorResponse({
      errorCode: c.errorCode,
      errorMessage: c.errorMessage,
      nodeId: c.nodeId,
      host: c.host,
      port: c.port,
    });
  },
});
