// ansible-core's own Templar as the oracle for hound's templating (Debian's /usr/bin/python3,
// the one ansible-playbook runs), and hound's answer in the same shape, for tests that compare
// the two case by case (python-methods.test.ts, comparisons.test.ts).
import { execFileSync } from 'node:child_process';
import { HoundError } from '../../../base/errors.js';
import { renderValue } from '../../../playbook/templating.js';
import { pythonJsonDumps, pythonJsonLoads } from '../../../base/python-json.js';

export type Outcome = { value: unknown } | { error: true };

/**
 * ansible-core compiles each case anew (about 5 ms of CPU each here, 1,520 cases in one test)
 * and hound too: seconds of CPU, several times more on a machine busy with the lab tests.
 */
export const ORACLE_TIMEOUT_MS = 180_000;

const ORACLE = `
import json, sys
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
templates, variables, typed, basedir = json.load(sys.stdin)
loader = DataLoader()
if basedir:
    loader.set_basedir(basedir)
templar = Templar(loader=loader, variables=variables)
out = []
for t in templates:
    try:
        if typed:
            out.append({'value': json.loads(templar.template('{{ (' + t[3:-3] + ') | to_json }}'))})
        else:
            out.append({'value': templar.template(t)})
    except Exception as e:
        out.append({'error': True})
print(json.dumps(out))
`;

/**
 * What ansible-core renders for each template with these variables (`basedir`: the playbook's
 * folder, for lookups of the controller's files, and the folder it runs in). `typed`: the expression's
 * own value (through to_json, so tuples are lists), for methods' results; otherwise what
 * ansible-playbook's templating makes of the whole template (its defaults: jinja2_native off).
 */
export function ansible(templates: string[], vars: Record<string, unknown>, typed = false, basedir?: string): Outcome[] {
  // Read as Python's json reads it, so a float stays one (1.0 is not 1).
  return pythonJsonLoads(
    execFileSync('/usr/bin/python3', ['-c', ORACLE], {
      input: pythonJsonDumps([templates, vars, typed, basedir ?? null]),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      cwd: basedir,
    }),
  ) as Outcome[];
}

export function hound(templates: string[], vars: Record<string, unknown>, typed = false): Outcome[] {
  return templates.map((t) => {
    try {
      // typed: the expression's value through to_json, as the oracle takes it. Otherwise through
      // Python's JSON, as the oracle's answer comes: a tuple is a list, a float stays a float.
      if (typed) return { value: pythonJsonLoads(renderValue(`{{ (${t.slice(3, -3)}) | to_json }}`, vars) as string) };
      return { value: pythonJsonLoads(pythonJsonDumps(renderValue(t, vars) ?? null)) };
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      return { error: true };
    }
  });
}

export type Difference = { template: string; ansible: Outcome; hound: Outcome };

/**
 * Ansible's outcomes and the cases where hound's differ from them (an empty list when they
 * agree), from one run of the oracle: a test that checks the outcomes themselves too (that some
 * fail) needs no second run of ansible-core.
 */
export function compareWithAnsible(
  templates: string[],
  vars: Record<string, unknown>,
  typed = false,
  basedir?: string,
): { expected: Outcome[]; differences: Difference[] } {
  const expected = ansible(templates, vars, typed, basedir);
  const got = hound(templates, vars, typed);
  const differences = templates.flatMap((template, i) =>
    pythonJsonDumps(expected[i]) === pythonJsonDumps(got[i]) ? [] : [{ template, ansible: expected[i], hound: got[i] }],
  );
  return { expected, differences };
}

/** The cases where the two differ, each with both answers (an empty list when they agree). */
export function differences(templates: string[], vars: Record<string, unknown>, typed = false, basedir?: string): Difference[] {
  return compareWithAnsible(templates, vars, typed, basedir).differences;
}

/** The HoundError renderValue throws for this template; a render that succeeds fails the test. */
export function renderFailure(template: string, vars: Record<string, unknown> = {}): HoundError {
  try {
    renderValue(template, vars);
  } catch (err) {
    if (err instanceof HoundError) return err;
    throw err;
  }
  throw new Error(`rendered: ${template}`);
}
