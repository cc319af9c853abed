// Every colour hound prints goes through here, so one rule decides whether there is colour:
// --no-color (the CLI calls chooseColour('never')), then NO_COLOR (any non-empty value: no
// colour, https://no-color.org), then FORCE_COLOR (0 off, 1-3 on), then whether the stream
// is a terminal that is not TERM=dumb.
import { Chalk, type ChalkInstance } from 'chalk';

export type ColourChoice = 'auto' | 'never' | 'always';

let choice: ColourChoice = 'auto';

/** Set once by the CLI from --no-color / --color. */
export function chooseColour(value: ColourChoice): void {
  choice = value;
}

/** Whether text written to `stream` gets colour. */
export function colourEnabled(stream: { isTTY?: boolean } | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (choice === 'never') return false;
  if (choice === 'always') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return stream?.isTTY === true && env.TERM !== 'dumb';
}

/** A chalk for `stream`: real colours, or plain text where colourEnabled says no. */
export function paletteFor(stream: { isTTY?: boolean } | undefined): ChalkInstance {
  return new Chalk({ level: colourEnabled(stream) ? 1 : 0 });
}

/** A chalk with colour on or off as given (for text that is built before it is written, e.g. in tests). */
export function palette(coloured: boolean): ChalkInstance {
  return new Chalk({ level: coloured ? 1 : 0 });
}
