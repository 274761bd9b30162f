/**
 * Interop matrix, Java column: kafka-clients 3.9 (the last 3.x, still widely deployed), driven by
 * integration-tests/java (Scenarios.java), built and cached by java/java-driver.ts.
 */
import { javaMatrix, KAFKA_CLIENTS } from "../java/java-driver.js";

javaMatrix(KAFKA_CLIENTS.previous);
