import { errorByCode } from "@logbook/protocol";

/** An error code a broker answered, with Kafka's name for it and the broker's message. */
export class KafkaError extends Error {
  override readonly name = "KafkaError";
  /** Kafka's name for the code, e.g. TOPIC_ALREADY_EXISTS. */
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(
    readonly code: number,
    brokerMessage: string | null = null,
    context = "",
  ) {
    const entry = errorByCode(code);
    const errorName = entry?.name ?? `UNKNOWN_ERROR_CODE_${code}`;
    const detail = brokerMessage ?? entry?.message ?? "";
    super(
      `${context === "" ? "" : `${context}: `}${errorName}${detail === "" ? "" : `: ${detail}`}`,
    );
    this.errorName = errorName;
    this.retriable = entry?.retriable ?? false;
  }
}

/** Throws a KafkaError for a non-zero code. */
export function check(code: number, message: string | null = null, context = ""): void {
  if (code !== 0) throw new KafkaError(code, message, context);
}

/** The connection failed or the broker closed it; nothing was answered. */
export class ConnectionError extends Error {
  override readonly name = "ConnectionError";
}
