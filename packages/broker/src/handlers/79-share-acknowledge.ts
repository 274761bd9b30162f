/**
 * ShareAcknowledge (key 79), v1-v2 (KIP-932 share groups).
 *
 * The member's share session must exist: epoch 0 cannot open one
 * (INVALID_SHARE_SESSION_EPOCH), a later epoch must be the one the session expects
 * (SHARE_SESSION_NOT_FOUND / INVALID_SHARE_SESSION_EPOCH at the top level), -1 closes
 * it. Each partition's batches are applied all or nothing: ACCEPT acknowledges, RELEASE
 * makes records available again (archived at group.share.delivery.count.limit), REJECT
 * and GAP archive; a record the member does not hold is INVALID_RECORD_STATE, an
 * unknown partition UNKNOWN_TOPIC_OR_PARTITION. Closing the session then releases what
 * the member still holds in the session's partitions.
 *
 * v2 (KIP-1222): with IsRenewAck the batches may hold RENEW (4), which keeps a record
 * acquired by the member, its delivery count unchanged and its lock restarted for
 * group.share.record.lock.duration.ms, answered in AcquisitionLockTimeoutMs; RENEW at
 * v1 or without IsRenewAck, like any malformed batch, fails its partition with
 * INVALID_REQUEST.
 *
 * Simplified: a single node, so CurrentLeader is left unset and NodeEndpoints is empty. Membership is
 * not checked: acknowledging needs records acquired, which needs membership.
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION, as
 * Kafka answers.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED; READ on each acknowledged
 * topic, else TOPIC_AUTHORIZATION_FAILED for its partitions (acl/readable-acks.ts).
 */
import {
  createShareAcknowledgeResponse,
  createShareAcknowledgeResponsePartitionData,
  createShareAcknowledgeResponseTopicResponse,
  ErrorCode,
  ShareAcknowledgeApi,
  type ShareAcknowledgeResponse,
  type ShareAcknowledgeResponseTopicResponse,
} from "@logbook/protocol";
import { groupAllowed, Op } from "../acl/check.js";
import { applyReadableAcks } from "../acl/readable-acks.js";
import { defineHandler } from "../handler.js";
import { ackRules, applyAcks, requestAcks } from "../share/share-acks.js";
import {
  resolveSharePartition,
  shareGroupsOff,
  shareRequestError,
} from "../share/share-request-checks.js";

export const shareAcknowledgeHandler = defineHandler({
  api: ShareAcknowledgeApi,
  minVersion: 1,
  maxVersion: 2,
  async handle(req, ctx): Promise<ShareAcknowledgeResponse> {
    const share = ctx.broker.share;
    // Kafka answers a refused request with no lock timeout.
    const fail = (errorCode: ErrorCode) => createShareAcknowledgeResponse({ errorCode });
    if (shareGroupsOff(ctx)) return fail(ErrorCode.UNSUPPORTED_VERSION);
    if (req.groupId !== null && !groupAllowed(ctx, Op.READ, req.groupId))
      return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const checked = shareRequestError(share, req.groupId, req.memberId);
    if (checked !== null) return fail(checked);
    const groupId = req.groupId as string;
    const memberId = req.memberId as string;
    const lockMs = share.settingsOf(groupId).lockDurationMs;
    const context = share.sessions.forAcknowledge(groupId, memberId, req.shareSessionEpoch);
    if (context.kind === "error") return fail(context.errorCode);

    const acks = requestAcks(req.topics);
    const exists = (tp: { topicId: Buffer; partition: number }) =>
      resolveSharePartition(ctx, tp) !== null;
    const rules = ackRules(ctx.version, req.isRenewAck);
    const codes = await applyReadableAcks(ctx, acks, (readable) =>
      applyAcks(share, exists, groupId, memberId, readable, rules),
    );
    if (context.kind === "final") {
      const keys = context.session.list().map((tp) => ({ groupId, ...tp }));
      await share.state?.releaseMember(keys, memberId);
    }

    const byTopic = new Map<string, ShareAcknowledgeResponseTopicResponse>();
    acks.forEach((a, i) => {
      const hex = a.topicId.toString("hex");
      let topic = byTopic.get(hex);
      if (topic === undefined) {
        topic = createShareAcknowledgeResponseTopicResponse({ topicId: a.topicId, partitions: [] });
        byTopic.set(hex, topic);
      }
      topic.partitions.push(
        createShareAcknowledgeResponsePartitionData({
          partitionIndex: a.partition,
          errorCode: codes[i],
        }),
      );
    });
    return createShareAcknowledgeResponse({
      acquisitionLockTimeoutMs: lockMs,
      responses: [...byTopic.values()],
    });
  },
});
