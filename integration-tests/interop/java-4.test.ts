/**
 * Interop matrix, Java column: kafka-clients 4.x (the current client), driven by
 * integration-tests/java (Scenarios.java), built and cached by java/java-driver.ts.
 */
import { javaMatrix, KAFKA_CLIENTS } from "../java/java-driver.js";

javaMatrix(KAFKA_CLIENTS.current);
