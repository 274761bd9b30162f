import { readFile } from "node:fs/promises";

/** The subset of Apache Kafka's message-definition JSON the conformance test compares. */
export interface KafkaField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  tag?: number;
  taggedVersions?: string;
  flexibleVersions?: string;
  default?: string | number | boolean;
  fields?: KafkaField[];
}

export interface KafkaMessage {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: KafkaField[];
  commonStructs?: { name: string; versions: string; fields: KafkaField[] }[];
}

/** Removes `//` comments (outside strings) so the files parse as JSON. */
export function stripJsonComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else {
      out += c;
    }
  }
  return out;
}

export async function readKafkaMessage(path: string): Promise<KafkaMessage> {
  return JSON.parse(stripJsonComments(await readFile(path, "utf8"))) as KafkaMessage;
}
