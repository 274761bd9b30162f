/**
 * The franz-go driver (integration-tests/go/franzdriver), used by the interop matrix's
 * franz-go column and by the share-group tests.
 */
import { goDriver } from "./go-driver.js";

const franz = goDriver("franzdriver", "franz-go");

/** Builds the driver; fails the calling test (or hook) when Go cannot. */
export const buildFranzDriver = franz.build;
/** Runs one scenario: `franzdriver SCENARIO BOOTSTRAP TOPIC [ARG]` with `env` added; its result. */
export const runFranz = franz.run;
