// Task keywords from what is written to what the executor uses: templates rendered, values
// typed as Ansible types them (`become: yes` is true, `async: "30"` is 30), `omit` dropping
// a keyword, `environment` frames merged. The compiler does it when it can; the executor
// does the same for a task whose keywords read values only known at run time.
import { EXIT, HoundError } from '../base/errors.js';
import { PythonFloat } from '../base/python-float.js';
import { BECOME_METHODS } from '../transport/become.js';
import { connectionKindOf, UNSUPPORTED_CONNECTION_HINT } from '../transport/reach.js';
import { ENVIRONMENT_NAME } from '../transport/task-connection.js';
import type { TaskKeywords } from './compiled.js';
import type { LoadedTask } from './model.js';
import { OMIT } from './templating.js';
import { isPlainObject, pythonStr } from './template-values.js';

/** The keywords of a task as written: Ansible's names, `environment` as its list of frames. */
export type RawKeywords = Record<string, unknown>;

export function rawKeywordsOf(task: Pick<LoadedTask, 'keywords' | 'environment'> & Partial<Pick<LoadedTask, 'async' | 'poll'>>): RawKeywords {
  const raw: RawKeywords = {};
  for (const [key, value] of Object.entries(task.keywords)) raw[key] = value.value;
  if (task.environment.length > 0) raw.environment = task.environment.map((frame) => frame.value);
  if (task.async) raw.async = task.async.value;
  if (task.poll) raw.poll = task.poll.value;
  return raw;
}

/** A keyword that cannot be what it must be; the caller positions it. */
export class KeywordError extends HoundError {
  constructor(
    readonly keyword: string,
    message: string,
    options: { hint?: string } = {},
  ) {
    super('KEYWORD_INVALID', message, EXIT.PARSE, options);
  }
}

const BOOLEAN_TRUE = new Set(['yes', 'on', '1', 'true', 't', 'y']);
const BOOLEAN_FALSE = new Set(['no', 'off', '0', 'false', 'f', 'n', '']);

/** Ansible's strict `boolean()`: the YAML spellings of true and false, nothing else. */
export function keywordBoolean(value: unknown, keyword: string): boolean {
  if (typeof value === 'boolean') return value;
  const text =
    typeof value === 'number' || value instanceof PythonFloat ? String(Number(value)) : typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text !== undefined && BOOLEAN_TRUE.has(text)) return true;
  if (text !== undefined && BOOLEAN_FALSE.has(text)) return false;
  throw new KeywordError(keyword, `'${keyword}' must be true or false, got ${JSON.stringify(value)}`, { hint: `write ${keyword}: true or ${keyword}: false` });
}

function keywordInteger(value: unknown, keyword: string, minimum = 0): number {
  const n =
    typeof value === 'number' || value instanceof PythonFloat
      ? Number(value)
      : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n < minimum) {
    throw new KeywordError(keyword, `'${keyword}' must be a whole number (${minimum} or more), got ${JSON.stringify(value)}`);
  }
  return Math.trunc(n);
}

function keywordString(value: unknown, keyword: string): string {
  if (typeof value === 'string' || typeof value === 'number' || value instanceof PythonFloat) return String(value);
  throw new KeywordError(keyword, `'${keyword}' must be a string, got ${JSON.stringify(value)}`);
}

/** Renders and types every keyword written; `render` renders a template value against the task's variables. */
export function resolveKeywords(raw: RawKeywords, render: (value: unknown) => unknown): TaskKeywords {
  const out: TaskKeywords = {};
  const value = (key: string): unknown => {
    if (!Object.hasOwn(raw, key)) return undefined;
    const rendered = render(raw[key]);
    return rendered === OMIT || rendered === null ? undefined : rendered;
  };
  const flag = (key: string) => {
    const v = value(key);
    return v === undefined ? undefined : keywordBoolean(v, key);
  };
  const text = (key: string) => {
    const v = value(key);
    return v === undefined ? undefined : keywordString(v, key);
  };
  const integer = (key: string, minimum = 0) => {
    const v = value(key);
    return v === undefined ? undefined : keywordInteger(v, key, minimum);
  };
  const set = <K extends keyof TaskKeywords>(key: K, v: TaskKeywords[K] | undefined) => {
    if (v !== undefined) out[key] = v;
  };
  set('become', flag('become'));
  set('becomeUser', text('become_user'));
  set('becomeMethod', text('become_method'));
  set('becomeFlags', text('become_flags'));
  set('becomeExe', text('become_exe'));
  set('remoteUser', text('remote_user'));
  set('connection', text('connection'));
  set('port', integer('port', 1));
  set('checkMode', flag('check_mode'));
  set('diff', flag('diff'));
  set('anyErrorsFatal', flag('any_errors_fatal'));
  set('ignoreErrors', flag('ignore_errors'));
  set('noLog', flag('no_log'));
  set('ignoreUnreachable', flag('ignore_unreachable'));
  set('runOnce', flag('run_once'));
  set('delegateTo', text('delegate_to'));
  set('delegateFacts', flag('delegate_facts'));
  set('throttle', integer('throttle'));
  set('timeout', integer('timeout'));
  set('async', integer('async'));
  set('poll', integer('poll'));
  if (Array.isArray(raw.environment)) set('environment', environmentOf(raw.environment.map((frame) => render(frame))));
  checkKeywordChoices(out);
  return out;
}

/** Frames of `environment`, each a mapping (or omitted), merged in order. */
function environmentOf(frames: unknown[]): Record<string, string> | undefined {
  let merged: Record<string, string> | undefined;
  for (const frame of frames) {
    if (frame === OMIT || frame === null || frame === undefined) continue;
    if (!isPlainObject(frame)) {
      throw new KeywordError('environment', `'environment' must be a mapping of variable names to values, got ${JSON.stringify(frame)}`, {
        hint: 'write environment: {NAME: value}',
      });
    }
    for (const [name, v] of Object.entries(frame)) {
      if (v === OMIT) continue;
      if (!ENVIRONMENT_NAME.test(name)) {
        throw new KeywordError('environment', `'environment' names ${JSON.stringify(name)}, which a shell cannot export`, {
          hint: 'variable names are letters, digits and _, not starting with a digit',
        });
      }
      (merged ??= {})[name] = v === null || v === undefined ? '' : pythonStr(v);
    }
  }
  return merged;
}

/** become_method and connection name things hound must have: say so before anything runs. */
function checkKeywordChoices(keywords: TaskKeywords): void {
  if (keywords.becomeMethod !== undefined && !BECOME_METHODS.includes(keywords.becomeMethod)) {
    throw new KeywordError('become_method', `become_method '${keywords.becomeMethod}' is not supported: hound escalates with ${BECOME_METHODS.join(', ')}`, {
      hint: 'use become_method: sudo (see docs/ansible-compatibility.md)',
    });
  }
  if (keywords.connection !== undefined && connectionKindOf(keywords.connection) === undefined) {
    throw new KeywordError('connection', `connection '${keywords.connection}' is not supported`, { hint: UNSUPPORTED_CONNECTION_HINT });
  }
}
