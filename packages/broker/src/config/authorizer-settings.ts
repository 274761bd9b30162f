/** Authorizer settings (top-level BrokerConfig fields), as Kafka names them. */
import { bool, ConfigValueError, type Kind } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

/** The one authorizer Logbook implements: Kafka's KRaft StandardAuthorizer semantics. */
export const STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

/** Empty (no authorizer) or Kafka's StandardAuthorizer; any other class is refused at start-up. */
function authorizerClass(): Kind<string> {
  return {
    type: "class",
    parse(raw) {
      const v = raw.trim();
      if (v !== "" && v !== STANDARD_AUTHORIZER)
        throw new ConfigValueError(`Class ${v} cannot be found (only ${STANDARD_AUTHORIZER})`);
      return v;
    },
    format: (v) => v,
  };
}

/** Principals separated by semicolons (principal names may contain commas), as Kafka's super.users. */
function principalList(): Kind<string[]> {
  return {
    type: "string",
    parse(raw) {
      const list = raw
        .split(";")
        .map((p) => p.trim())
        .filter((p) => p !== "");
      for (const p of list) {
        if (!p.includes(":")) throw new ConfigValueError(`${p} is not a principal (type:name)`);
      }
      return list;
    },
    format: (v) => v.join(";"),
  };
}

export const AUTHORIZER_SETTINGS = {
  authorizerClassName: setting({
    name: "authorizer.class.name",
    kind: authorizerClass(),
    default: "",
    defaultText: "(empty)",
    importance: "low",
    doc: `Turns ACLs on when set to ${STANDARD_AUTHORIZER}; empty, every client may do anything.`,
  }),
  superUsers: setting({
    name: "super.users",
    kind: principalList(),
    default: [] as string[],
    defaultText: "(empty)",
    importance: "medium",
    doc: "Principals allowed everything whatever the ACLs say, separated by semicolons (User:admin;User:ops).",
  }),
  allowEveryoneIfNoAclFound: setting({
    name: "allow.everyone.if.no.acl.found",
    kind: bool(),
    default: false,
    importance: "medium",
    doc: "Allows a request on a resource that no ACL names at all (a resource with any ACL follows its ACLs).",
  }),
};

export type AuthorizerConfig = SectionValues<typeof AUTHORIZER_SETTINGS>;
