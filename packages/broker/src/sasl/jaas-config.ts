/**
 * Kafka's sasl.jaas.config value: `<login module class> <flag> key="value" ...;`. The
 * broker reads it per listener and mechanism; PLAIN's users are its `user_<name>`
 * options, as Kafka's PlainLoginModule takes them. Quoted values may hold spaces and
 * `\"`; unquoted ones end at white space or the semicolon.
 */
export interface JaasModule {
  readonly loginModule: string;
  readonly flag: string;
  readonly options: ReadonlyMap<string, string>;
}

const FLAGS = new Set(["required", "requisite", "sufficient", "optional"]);

export class JaasConfigError extends Error {
  override readonly name = "JaasConfigError";
}

/** Splits into words, quoted strings (unescaped), "=" and ";". */
function tokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "=" || c === ";") {
      out.push(c);
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length)
          throw new JaasConfigError("JAAS config has an unterminated quoted value");
        const d = text[i] as string;
        if (d === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      out.push(`"${value}`);
    } else {
      let word = "";
      while (i < text.length && !/[\s=;"]/.test(text[i] as string)) word += text[i++];
      out.push(word);
    }
  }
  return out;
}

const unquote = (t: string) => (t.startsWith('"') ? t.slice(1) : t);

/** Parses one or more modules; Kafka's broker-side config has exactly one. */
export function parseJaasConfig(text: string): JaasModule[] {
  const t = tokens(text);
  const modules: JaasModule[] = [];
  let i = 0;
  while (i < t.length) {
    const loginModule = t[i++] as string;
    const flag = (t[i++] ?? "").toLowerCase();
    if (loginModule.startsWith('"') || !FLAGS.has(flag))
      throw new JaasConfigError(
        `Invalid JAAS config: expected "<LoginModule> required|requisite|sufficient|optional", got "${text.trim()}"`,
      );
    const options = new Map<string, string>();
    for (;;) {
      const key = t[i];
      if (key === undefined)
        throw new JaasConfigError("JAAS config entry not terminated by semi-colon");
      if (key === ";") {
        i++;
        break;
      }
      if (t[i + 1] !== "=" || t[i + 2] === undefined || t[i + 2] === ";" || t[i + 2] === "=")
        throw new JaasConfigError(
          `Invalid JAAS config option "${unquote(key)}": expected key=value`,
        );
      options.set(unquote(key), unquote(t[i + 2] as string));
      i += 3;
    }
    modules.push({ loginModule, flag, options });
  }
  if (modules.length === 0) throw new JaasConfigError("JAAS config has no login module");
  return modules;
}

/** PLAIN's users: every user_<name>="<password>" option of the config's modules. */
export function plainUsersOf(modules: readonly JaasModule[]): Map<string, string> {
  const users = new Map<string, string>();
  for (const m of modules)
    for (const [k, v] of m.options) if (k.startsWith("user_")) users.set(k.slice(5), v);
  return users;
}

/** Every option of the config's modules (a broker's config has one module). */
export function optionsOf(modules: readonly JaasModule[]): Map<string, string> {
  return new Map(modules.flatMap((m) => [...m.options]));
}
