// `hound completion bash|zsh`: a completion script made from the commands and options the
// CLI itself declares, so it never falls behind them.
import { Argument, type Command } from 'commander';
import { OptionsError } from '../base/errors.js';

interface CommandWords {
  /** `play`, `lab up`, ... */
  path: string[];
  subcommands: string[];
  options: string[];
  /** Options that take a value, and the values they accept when commander knows them. */
  choices: Record<string, string[]>;
  takesFiles: boolean;
}

function walk(command: Command, path: string[] = []): CommandWords[] {
  const options = command.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
  const choices: Record<string, string[]> = {};
  for (const o of command.options) if (o.argChoices && o.long) choices[o.long] = o.argChoices;
  const own: CommandWords = {
    path,
    subcommands: command.commands.map((c) => c.name()),
    options: [...options, '--help'],
    choices,
    takesFiles: (command.registeredArguments as Argument[]).length > 0,
  };
  return [own, ...command.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

function bashScript(program: Command): string {
  const cases = walk(program)
    .map((c) => {
      const key = c.path.join(' ') || '';
      const words = [...c.subcommands, ...c.options].join(' ');
      const choiceCases = Object.entries(c.choices)
        .map(([opt, values]) => `        ${opt}) COMPREPLY=( $(compgen -W "${values.join(' ')}" -- "$cur") ); return ;;`)
        .join('\n');
      return `    "${key}")
      case "$prev" in
${choiceCases}
      esac
      COMPREPLY=( $(compgen -W "${words}" -- "$cur") )${c.takesFiles ? '\n      [[ "$cur" != -* ]] && COMPREPLY+=( $(compgen -f -- "$cur") )' : ''}
      ;;`;
    })
    .join('\n');
  return `# hound bash completion: eval "$(hound completion bash)", or save it to
# /etc/bash_completion.d/hound
_hound() {
  local cur prev path word i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case " $(_hound_subcommands "$path") " in
      *" $word "*) path="\${path:+$path }$word" ;;
    esac
  done
  case "$path" in
${cases}
  esac
}
_hound_subcommands() {
  case "$1" in
${walk(program)
  .map((c) => `    "${c.path.join(' ')}") echo "${c.subcommands.join(' ')}" ;;`)
  .join('\n')}
  esac
}
complete -o filenames -o bashdefault -F _hound hound
`;
}

function zshScript(program: Command): string {
  // zsh runs the bash completion through bashcompinit: one script to keep right, not two.
  return `#compdef hound
# hound zsh completion: eval "$(hound completion zsh)" in ~/.zshrc
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit -u; }
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(hound completion bash)"')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new OptionsError('BAD_SHELL', `no completion for ${shell}`, { hint: 'use bash or zsh' });
      process.stdout.write(shell === 'bash' ? bashScript(program) : zshScript(program));
    });
}
