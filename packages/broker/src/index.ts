export { Broker } from "./broker.js";
export { type BrokerConfig, brokerConfig, DEFAULT_BROKER_CONFIG } from "./config.js";
export {
  CloseConnection,
  defineHandler,
  type Handler,
  NO_RESPONSE,
  type RequestContext,
} from "./handler.js";
export { HandlerRegistry } from "./registry.js";
export {
  ANONYMOUS,
  type ClientSession,
  type KafkaPrincipal,
  plaintextSession,
  type SecurityProtocol,
} from "./server/client-session.js";
export type { BrokerServices, ServedApi } from "./services.js";
export type { TopicCreateResult, TopicInfo, TopicRegistry } from "./topics.js";
