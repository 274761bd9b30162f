/** The runtime classpath of the Maven module whose pom.xml is in `dir`. */
export function mavenClasspath(dir: string): string;
/** The reference Kafka's runtime classpath (scripts/kafka/pom.xml). */
export function kafkaClasspath(): string;
/** The log4j2 configuration the reference Kafka and its tools run with. */
export const KAFKA_LOG4J: string;
