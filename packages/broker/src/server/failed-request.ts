import { type ApiCodec, ErrorCode, ProduceApi, type ProduceRequest } from "@logbook/protocol";

/**
 * What a request that failed unexpectedly is answered: the API's generated error
 * response with UNKNOWN_SERVER_ERROR in every error field, per requested item. Null
 * when the request expects no response (acks=0 Produce), which Kafka answers by
 * closing the connection, the only signal such a client notices.
 */
export function failedRequestResponse(api: ApiCodec<unknown, unknown>, request: unknown): unknown {
  if (api.apiKey === ProduceApi.apiKey && (request as ProduceRequest).acks === 0) return null;
  return api.errorResponse(request, ErrorCode.UNKNOWN_SERVER_ERROR);
}
