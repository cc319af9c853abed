// One rule for colour everywhere: --no-color, then NO_COLOR, then FORCE_COLOR, then "is it a terminal".
import { afterEach, describe, expect, it } from 'vitest';
import { chooseColour, colourEnabled, paletteFor } from '../../../base/colour.js';
import { run } from '../../../cli/main.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

afterEach(() => chooseColour('auto'));

/** Runs the CLI with its stdout swallowed (the command here only serves to parse the global options). */
async function quietly(argv: string[]): Promise<number> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    return await run(argv);
  } finally {
    process.stdout.write = write;
  }
}

describe('colour', () => {
  it('follows the terminal unless NO_COLOR or FORCE_COLOR say otherwise', () => {
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled(pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });

  it('--no-color and --color on the command line win over the environment', async () => {
    expect(await quietly(['--no-color', 'completion', 'bash'])).toBe(0);
    expect(colourEnabled(tty, { FORCE_COLOR: '1' })).toBe(false);
    expect(paletteFor(tty).red('x')).toBe('x');
    expect(await quietly(['--color', 'completion', 'bash'])).toBe(0);
    expect(colourEnabled(pipe, { NO_COLOR: '1' })).toBe(true);
    expect(paletteFor(pipe).red('x')).not.toBe('x');
  });

  it('with neither option, colour follows the stream and the environment', async () => {
    chooseColour('never');
    expect(await quietly(['completion', 'bash'])).toBe(0);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
  });
});
