/**
 * Shell completion: `logbook completion bash|zsh` prints a script that asks `logbook
 * __complete WORDS...` for the candidates, which come from the command tree itself, so
 * completion never falls behind the commands.
 */
import type { Command } from "commander";
import { UsageError } from "./usage-error.js";

const SCRIPTS: Record<string, string> = {
  bash: `# logbook completion for bash: eval "$(logbook completion bash)"
_logbook_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(logbook __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _logbook_complete logbook
`,
  zsh: `# logbook completion for zsh: eval "$(logbook completion zsh)"
_logbook() {
  local -a candidates
  candidates=("\${(@f)$(logbook __complete "\${(@)words[2,CURRENT-1]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _logbook logbook
`,
};

/** The subcommands and options that may follow `words` (already typed, without the current one). */
export function candidates(program: Command, words: readonly string[]): string[] {
  let cmd = program;
  for (const w of words) {
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (next !== undefined) cmd = next;
  }
  const subcommands = cmd.commands.map((c) => c.name()).filter((n) => !n.startsWith("__"));
  const options = cmd.options
    .flatMap((o) => [o.long, o.short])
    .filter((o): o is string => o !== undefined);
  return [...subcommands, ...options, ...(cmd === program ? [] : ["--help"])];
}

export function completionCommand(program: Command): void {
  program
    .command("completion")
    .description('print a shell completion script: eval "$(logbook completion bash)" (or zsh)')
    .argument("<shell>", Object.keys(SCRIPTS).join(" or "))
    .action((shell: string) => {
      const script = SCRIPTS[shell];
      if (script === undefined) {
        process.stderr.write(
          `logbook: ${new UsageError(`no completion for ${shell}: bash or zsh`).message}\n`,
        );
        process.exitCode = 2;
        return;
      }
      process.stdout.write(script);
    });
  program
    .command("__complete", { hidden: true })
    .argument("[words...]")
    .action((words: string[]) => {
      process.stdout.write(`${candidates(program, words).join("\n")}\n`);
    });
}
