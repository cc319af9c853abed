// Which reporter a run gets, from `--reporter`, `--json`, -v and whether stdout is a terminal.
import type { Reporter } from './reporter.js';

export interface ReporterChoice {
  reporter: 'auto' | 'tty' | 'plain' | 'json';
  verbosity: number;
  diff: boolean;
}

/** The reporter `--reporter` asks for; `auto` is the live view on a terminal at verbosity 0, plain lines otherwise. */
export async function createReporter(choice: ReporterChoice, out: NodeJS.WriteStream): Promise<Reporter> {
  // -v and above print detail lines the live view has no room for.
  const live = choice.reporter === 'tty' || (choice.reporter === 'auto' && out.isTTY === true && choice.verbosity === 0);
  if (live && !choice.diff) {
    // The live view is only loaded for a terminal: scripts and CI start faster without it.
    const { TtyReporter } = await import('./tty.js');
    return new TtyReporter({ out, verbosity: choice.verbosity });
  }
  if (choice.reporter === 'json') {
    const { JsonReporter } = await import('./json.js');
    return new JsonReporter(out);
  }
  const { PlainReporter } = await import('./plain.js');
  return new PlainReporter(out, choice.verbosity, choice.diff);
}
