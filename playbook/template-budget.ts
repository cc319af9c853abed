// The CPU and memory one template may use. A playbook's templates are data from users, and
// Jinja can loop: `{% for i in range(100000) %}{% for j in range(100000) %}` is 10^10 steps,
// and `{% set s = s ~ s %}` thirty times is a gigabyte. Each render (one template string,
// with the variables it pulls in) gets a budget of steps (loop iterations, range() items,
// function and filter calls), of characters it may build, of call depth, and a wall-clock
// ceiling as a backstop; past any of them it stops with TEMPLATE_TOO_EXPENSIVE, naming the
// bound. Rendering is synchronous, so the budget of the render in progress is a module slot.
import { EXIT, HoundError } from '../base/errors.js';

/** Loop iterations, range() items and calls one render may take. */
export const TEMPLATE_MAX_STEPS = 1_000_000;
/** Characters one render may produce (output, concatenations, joins). */
export const TEMPLATE_MAX_CHARACTERS = 16 * 1024 * 1024;
/** Nested calls (macros calling macros, variables defined through variables). */
export const TEMPLATE_MAX_DEPTH = 100;
/** Wall-clock ceiling of one render, for work the step count does not see. */
export const TEMPLATE_MAX_MS = 10_000;

class TemplateBudget {
  steps = 0;
  characters = 0;
  depth = 0;
  deadline = Date.now() + TEMPLATE_MAX_MS;
}

let current: TemplateBudget | undefined;

function tooExpensive(what: string): HoundError {
  return new HoundError('TEMPLATE_TOO_EXPENSIVE', `this template would take ${what}`, EXIT.PARSE, {
    hint: `a template may take ${TEMPLATE_MAX_STEPS.toLocaleString('en')} loop iterations and calls, build ${TEMPLATE_MAX_CHARACTERS / 1024 / 1024} MiB of text, nest ${TEMPLATE_MAX_DEPTH} calls and run ${TEMPLATE_MAX_MS / 1000} s; compute large data outside the playbook`,
  });
}

/** Runs `render` under a budget: the caller's if a render is already in progress (a variable pulled in), else a new one. */
export function withTemplateBudget<T>(render: () => T): T {
  if (current) return render();
  current = new TemplateBudget();
  try {
    return render();
  } finally {
    current = undefined;
  }
}

/** Runs work whose time is not the template's own (a pipe lookup's command): the wall-clock ceiling moves on by what it took. */
export function offTheClock<T>(work: () => T): T {
  const budget = current;
  const start = Date.now();
  try {
    return work();
  } finally {
    if (budget) budget.deadline += Date.now() - start;
  }
}

/** Charges `n` steps (loop iterations, items, a call). */
export function spendSteps(n: number, what: string): void {
  const budget = current;
  if (!budget) return;
  budget.steps += n;
  if (budget.steps > TEMPLATE_MAX_STEPS) throw tooExpensive(`more than ${TEMPLATE_MAX_STEPS.toLocaleString('en')} steps (${what})`);
  if ((budget.steps & 0x3ff) === 0 || n > 1 ? Date.now() > budget.deadline : false) throw tooExpensive(`more than ${TEMPLATE_MAX_MS / 1000} s`);
}

/** Charges text the render builds. */
export function spendCharacters(n: number): void {
  const budget = current;
  if (!budget) return;
  budget.characters += n;
  if (budget.characters > TEMPLATE_MAX_CHARACTERS) throw tooExpensive(`more than ${TEMPLATE_MAX_CHARACTERS / 1024 / 1024} MiB of text`);
}

/** Runs a nested call (a macro, a variable resolved through others) one level deeper. */
export function nested<T>(what: string, call: () => T): T {
  const budget = current;
  if (!budget) return call();
  if (budget.depth >= TEMPLATE_MAX_DEPTH) throw tooExpensive(`more than ${TEMPLATE_MAX_DEPTH} nested calls (${what})`);
  budget.depth++;
  try {
    return call();
  } finally {
    budget.depth--;
  }
}
