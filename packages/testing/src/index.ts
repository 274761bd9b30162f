export { ErrorCode } from "@logbook/protocol";
export { type ApiRef, resolveApi } from "./api-ref.js";
export type {
  Control,
  ControlAction,
  ControlFn,
  ControlledRequest,
  ControlOptions,
} from "./request-controls.js";
export {
  startTestBroker,
  TestBroker,
  type TestBrokerOptions,
  type TopicSpec,
} from "./test-broker.js";
