/** The broker's typed configuration; the schema that defines it lives in config/. */
export {
  type BrokerConfig,
  brokerConfig,
  DEFAULT_BROKER_CONFIG,
} from "./config/broker-config.js";
