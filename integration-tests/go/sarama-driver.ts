/**
 * The sarama driver (integration-tests/go/saramadriver), used by the interop matrix's
 * sarama column and by ../sarama-security.test.ts.
 */
import { goDriver } from "./go-driver.js";

export const sarama = goDriver("saramadriver", "sarama");
