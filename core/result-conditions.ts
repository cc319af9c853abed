// `changed_when`, `failed_when` and `until`: conditions read after a task ran, with its
// result registered under its `register` name. As in Ansible, a condition that cannot be
// evaluated (an unknown filter, an undefined variable) fails the task at once, with the
// template's error: it is never taken as false, nor retried.
import { EXIT, HoundError } from '../base/errors.js';
import type { Vars } from '../inventory/model.js';

export type ConditionEvaluator = (expression: string | boolean, vars: Vars) => boolean;

/** The task failed because one of its conditions could not be evaluated. */
export class ConditionalError extends HoundError {
  constructor(expression: string | boolean, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('CONDITIONAL_FAILED', `The conditional check '${String(expression)}' failed. The error was: ${why}`, EXIT.HOST_FAILED, {
      hint: cause instanceof HoundError ? cause.hint : undefined,
      cause,
    });
  }
}

/** True when every condition holds (Ansible ANDs a list); throws ConditionalError when one cannot be read. */
export function allHold(conditions: readonly (string | boolean)[], vars: Vars, evaluate: ConditionEvaluator): boolean {
  for (const condition of conditions) {
    let holds: boolean;
    try {
      holds = evaluate(condition, vars);
    } catch (err) {
      throw new ConditionalError(condition, err);
    }
    if (!holds) return false;
  }
  return true;
}

/** What a result looks like after changed_when / failed_when, as Ansible rewrites it. */
export interface ConditionedResult {
  status: 'ok' | 'changed' | 'failed' | 'skipped';
  msg: string;
  value: Record<string, unknown>;
}

/**
 * Applies changed_when then failed_when to a result (not to a skipped one). `vars` must
 * already hold the result under the task's register name.
 */
export function applyResultConditions(
  result: ConditionedResult,
  changedWhen: readonly (string | boolean)[],
  failedWhen: readonly (string | boolean)[],
  vars: Vars,
  evaluate: ConditionEvaluator,
): ConditionedResult {
  if (result.status === 'skipped' || (changedWhen.length === 0 && failedWhen.length === 0)) return result;
  let changed = result.status === 'changed' || result.value.changed === true;
  let failed = result.status === 'failed';
  const value = { ...result.value };
  if (changedWhen.length > 0) {
    changed = allHold(changedWhen, vars, evaluate);
    value.changed = changed;
  }
  if (failedWhen.length > 0) {
    failed = allHold(failedWhen, vars, evaluate);
    value.failed = failed;
    value.failed_when_result = failed;
  }
  const status = failed ? 'failed' : changed ? 'changed' : 'ok';
  const msg = failed && result.msg === '' ? `failed_when: ${failedWhen.map(String).join(' and ')}` : result.msg;
  return { status, msg, value };
}
