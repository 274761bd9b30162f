import { type ApiCodec, ErrorCode, ProduceApi, type ProduceRequest } from "@logbook/protocol";
import { StorageUnavailableError } from "@logbook/storage";

/**
 * What a request that failed unexpectedly is answered: the API's generated error
 * response with the error's code in every error field, per requested item. Null when
 * the request expects no response (acks=0 Produce), which Kafka answers by closing the
 * connection, the only signal such a client notices.
 */
export function failedRequestResponse(
  api: ApiCodec<unknown, unknown>,
  request: unknown,
  error: unknown,
): unknown {
  if (api.apiKey === ProduceApi.apiKey && (request as ProduceRequest).acks === 0) return null;
  return api.errorResponse(request, failureCode(error));
}

/**
 * The code of an unexpected failure: KAFKA_STORAGE_ERROR when the storage was
 * unreachable (retriable: Kafka's answer to a failing log directory), else
 * UNKNOWN_SERVER_ERROR.
 */
export function failureCode(error: unknown): number {
  return error instanceof StorageUnavailableError
    ? ErrorCode.KAFKA_STORAGE_ERROR
    : ErrorCode.UNKNOWN_SERVER_ERROR;
}
