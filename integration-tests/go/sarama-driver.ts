/**
 * The sarama driver (integration-tests/go/saramadriver), used by the interop matrix's
 * sarama column, the security matrix's sarama row (security/matrix-clients.ts) and
 * ../sarama-security.test.ts.
 */
import { goDriver } from "./go-driver.js";

export const sarama = goDriver("saramadriver", "sarama");
