import type { Handler } from "../handler.js";
import { produceHandler } from "./00-produce.js";
import { fetchHandler } from "./01-fetch.js";
import { listOffsetsHandler } from "./02-list-offsets.js";
import { deleteRecordsHandler } from "./21-delete-records.js";
import { initProducerIdHandler } from "./22-init-producer-id.js";
import { offsetForLeaderEpochHandler } from "./23-offset-for-leader-epoch.js";
import { describeProducersHandler } from "./61-describe-producers.js";

/** Data-plane APIs (produce, fetch, offsets, producer ids). */
export const dataHandlers: Handler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  describeProducersHandler,
];
