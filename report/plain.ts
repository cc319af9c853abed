// Plain lines without colour, as ansible-playbook prints them: `TASK [name] ***`,
// `ok: [node1]`, `changed: [node2] => pulled X (N MB)`, then the PLAY RECAP.
import { pythonRepr } from '../base/python-repr.js';
import type { HoundEvent, TaskItemEvent, TaskResultEvent } from '../core/events.js';
import { formatRecapTable } from './recap-table.js';
import type { Reporter, TextSink } from './reporter.js';
import { formatFileDiff, isFileDiff } from './text-diff.js';

const RULE_WIDTH = 72;

export function banner(title: string): string {
  return `${title} ${'*'.repeat(Math.max(3, RULE_WIDTH - title.length - 1))}`;
}

/**
 * The warnings a task's module gave (its result's `warnings`, and each loop item's), which
 * Ansible prints as `[WARNING]: …` before the task's line and leaves out of the result shown.
 */
export function resultWarnings(result: Record<string, unknown>): string[] {
  const items = Array.isArray(result.results) ? result.results.flatMap(ownWarnings) : [];
  return [...items, ...ownWarnings(result)];
}

/** A result's own `warnings`, not its loop items'. */
function ownWarnings(value: unknown): string[] {
  return value !== null && typeof value === 'object' && Array.isArray((value as { warnings?: unknown }).warnings)
    ? (value as { warnings: unknown[] }).warnings.map(String)
    : [];
}

function bannerTitle(task: string, handler: boolean): string {
  return `${handler ? 'RUNNING HANDLER' : 'TASK'} [${task}]`;
}

/** One banner per task of a play (its id's first two parts), whichever host or item. */
function headerKey(task: string, taskId: string, handler: boolean): string {
  return `${bannerTitle(task, handler)}#${taskId.split(':').slice(0, 2).join(':')}`;
}

/** A looped include_role that ran: ansible-playbook prints no line for it. */
function quietInclude(e: { module: string; status: string }): boolean {
  return e.module === 'include_role' && e.status === 'ok';
}

/** The line (or lines) for one task result, without colour. */
export function resultLine(e: TaskResultEvent, verbosity: number): string {
  const items = loopItemLines(e, verbosity);
  if (items !== undefined) return items;
  const detail = verbosity > 0 ? ` => ${JSON.stringify(withoutWarnings(e.result))}` : e.msg ? ` => ${e.msg}` : '';
  const host = hostLabel(e);
  switch (e.status) {
    case 'ok':
      return `ok: [${host}]${verbosity > 0 || e.module === 'debug' || e.module === 'include_tasks' ? detail : ''}`;
    case 'changed':
      return `changed: [${host}]${detail}`;
    case 'skipped':
      return `skipping: [${host}]${verbosity > 0 ? detail : ''}`;
    case 'unreachable':
      return `fatal: [${host}]: UNREACHABLE! => ${e.msg}${hintOf(e.result)}`;
    case 'failed':
      return `fatal: [${host}]: FAILED! => ${verbosity > 0 ? JSON.stringify(withoutWarnings(e.result)) : e.msg}${hintOf(e.result)}${e.ignored ? '\n...ignoring' : ''}`;
  }
}

/**
 * A loop's result as Ansible's default callback prints it when its items were not shown as
 * they ended (the live view below -v shows only the task's end): one line per item, in order
 * (`changed: [node1] => (item=a)`, `failed: [node1] (item=b) => …`, `skipping: [node1] =>
 * (item=c)`), then the loop's own lines (loopEndLines). Undefined for a result that is not a
 * loop's (or a host that could not be reached at all).
 */
function loopItemLines(e: TaskResultEvent, verbosity: number): string | undefined {
  const items = loopItemsOf(e);
  if (items === undefined) return undefined;
  return [...items.map((item) => itemLine(hostLabel(e), e.module, item, verbosity, false)), ...loopEndLines(e)].join('\n');
}

/** A loop's items in its result, or undefined for a result that is not a loop's. */
function loopItemsOf(e: TaskResultEvent): Record<string, unknown>[] | undefined {
  const results = e.result.results;
  if (e.status === 'unreachable' || !Array.isArray(results) || results.length === 0) return undefined;
  const items = results.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && 'ansible_loop_var' in r);
  return items.length === results.length ? items : undefined;
}

/**
 * One loop item's line. Under no_log its label is `None`, as Ansible's callback shows it
 * (the item itself may be the secret).
 */
function itemLine(host: string, module: string, item: Record<string, unknown>, verbosity: number, noLog: boolean): string {
  const label = `(item=${noLog ? 'None' : itemLabel(item)})`;
  const msg = item.msg === undefined || item.msg === null || item.msg === '' ? undefined : typeof item.msg === 'string' ? item.msg : JSON.stringify(item.msg);
  const shown = verbosity > 0 ? ` => ${JSON.stringify(withoutWarnings(item))}` : '';
  if (item.failed === true) return `failed: [${host}] ${label} => ${verbosity > 0 ? JSON.stringify(withoutWarnings(item)) : (msg ?? 'failed')}${hintOf(item)}`;
  if (item.skipped === true) return `skipping: [${host}] => ${label}${shown}`;
  if (item.changed === true) return `changed: [${host}] => ${label}${shown || (msg ? ` => ${msg}` : '')}`;
  return `ok: [${host}] => ${label}${shown || (module === 'debug' && msg ? ` => ${msg}` : '')}`;
}

/** A task_item's line: its result carries the item's own status (a no_log item's is censored). */
export function taskItemLine(e: TaskItemEvent, verbosity: number): string {
  const item = { ...e.result };
  if (e.status === 'failed') item.failed = true;
  if (e.status === 'skipped') item.skipped = true;
  if (e.no_log && e.status === 'failed') item.msg = e.msg;
  return itemLine(hostLabel(e), e.module, item, verbosity, e.no_log);
}

/**
 * What follows a loop's items: `skipping: [node1]` when every item was skipped, Ansible's
 * `fatal: … One or more items failed` for a failed debug loop (its callback strips a failed
 * debug task's result to its msg before it looks for the items), `...ignoring`.
 */
function loopEndLines(e: TaskResultEvent): string[] {
  const lines: string[] = [];
  if (e.status === 'skipped') lines.push(`skipping: [${hostLabel(e)}]`);
  if (e.status === 'failed' && e.module === 'debug') lines.push(`fatal: [${hostLabel(e)}]: FAILED! => One or more items failed`);
  if (e.status === 'failed' && e.ignored) lines.push('...ignoring');
  return lines;
}

/** What `(item=…)` shows: the loop_control label, else the item, as Python's str() gives it. */
function itemLabel(item: Record<string, unknown>): string {
  const loopVar = typeof item.ansible_loop_var === 'string' ? item.ansible_loop_var : 'item';
  const label = '_ansible_item_label' in item ? item._ansible_item_label : loopVar in item ? item[loopVar] : item.item;
  return typeof label === 'string' ? label : pythonRepr(label);
}

/** The result as -v shows it: its warnings were printed before it. */
function withoutWarnings(result: Record<string, unknown>): Record<string, unknown> {
  if (!('warnings' in result)) return result;
  const { warnings: _warnings, ...rest } = result;
  return rest;
}

/** What the user can do, under the line, from a result's (or a loop item's) `hint`. */
function hintOf(result: Record<string, unknown>): string {
  const hint = result.hint;
  return typeof hint === 'string' ? `\n  hint: ${hint}` : '';
}

/** As Ansible: `[node1 -> node2]` for a task delegated to another host. */
function hostLabel(e: TaskResultEvent | TaskItemEvent): string {
  return e.delegated_to !== undefined ? `${e.host} -> ${e.delegated_to}` : e.host;
}

export class PlainReporter implements Reporter {
  private lastHeader = '';
  private readonly includeHeaders = new Set<string>();
  /** Tasks (host and task id) whose loop items were printed as they ended: their result prints only what follows them. */
  private readonly itemsPrinted = new Set<string>();

  constructor(
    private readonly out: TextSink,
    private readonly verbosity: number,
    /** --diff: list the images each changed task added and removed. */
    private readonly diff = false,
  ) {}

  handle(e: HoundEvent): void {
    switch (e.event) {
      case 'play_start':
        this.lastHeader = '';
        this.line('', banner(`PLAY [${e.play}]`));
        break;
      case 'task_start':
        // Headers go with results (a host's result may come long after others started other
        // tasks); from -v on, the start itself is news.
        if (this.verbosity >= 1) {
          this.header(e.task, e.task_id, e.handler);
          this.line(`task path: ${e.module} on ${e.host}; args ${JSON.stringify(e.args)}`);
        }
        break;
      case 'task_item':
        // As ansible-playbook: a looped include_role that ran says nothing but its header, once; its tasks speak.
        if (quietInclude(e)) {
          this.includeHeader(e.task, e.task_id);
          break;
        }
        this.header(e.task, e.task_id, e.handler);
        for (const warning of resultWarnings(e.result)) this.line(`[WARNING]: ${warning}`);
        this.line(taskItemLine(e, this.verbosity));
        this.printDiff(e);
        this.itemsPrinted.add(`${e.host}\0${e.task_id}`);
        break;
      case 'task_result': {
        if (quietInclude(e)) {
          this.includeHeader(e.task, e.task_id);
          break;
        }
        // Under the free strategy another host may have started a task since: say again which one this is.
        this.header(e.task, e.task_id, e.handler);
        if (this.itemsPrinted.delete(`${e.host}\0${e.task_id}`)) {
          // The items and their warnings are out. A no_log loop's result is censored, without
          // its items, and Ansible prints its line (`changed: [node1]`) as for any task.
          for (const warning of ownWarnings(e.result)) this.line(`[WARNING]: ${warning}`);
          const end = loopItemsOf(e) !== undefined ? loopEndLines(e) : [resultLine(e, this.verbosity)];
          if (end.length > 0) this.line(...end);
          break;
        }
        for (const warning of resultWarnings(e.result)) this.line(`[WARNING]: ${warning}`);
        this.line(resultLine(e, this.verbosity));
        this.printDiff(e);
        break;
      }
      case 'detail':
        if (e.verbosity <= this.verbosity) this.line(e.host ? `<${e.host}> ${e.msg}` : e.msg);
        break;
      case 'play_abort':
        this.line('', `NO MORE HOSTS LEFT (${e.reason})`);
        break;
      case 'summary':
        this.line('', formatRecapTable(e.hosts, e.duration_s).trimEnd());
        if (e.interrupted) this.line('', 'interrupted: in-flight work was cancelled');
        break;
      default:
        break;
    }
  }

  async close(): Promise<void> {}

  /** A changed result's (or loop item's) differences, when they are shown. */
  private printDiff(e: TaskResultEvent | TaskItemEvent): void {
    const diff = e.result.diff as { added?: string[]; removed?: string[] } | undefined;
    if (!(e.diff ?? this.diff) || e.status !== 'changed' || !diff) return;
    // A file module's diff (copy, template, lineinfile, …) is text, as Ansible prints it.
    if (isFileDiff(diff)) for (const line of formatFileDiff(diff)) this.line(line);
    else {
      for (const image of diff.added ?? []) this.line(`+ ${image}`);
      for (const image of diff.removed ?? []) this.line(`- ${image}`);
    }
  }

  /** One header for consecutive lines about the same task (in the linear strategy, all hosts at once). */
  /** A quiet include's header: once per task, though its items come between its role's tasks. */
  private includeHeader(task: string, taskId: string): void {
    const key = headerKey(task, taskId, false);
    if (this.includeHeaders.has(key)) return;
    this.includeHeaders.add(key);
    this.header(task, taskId, false);
  }

  private header(task: string, taskId: string, handler: boolean): void {
    const key = headerKey(task, taskId, handler);
    if (key === this.lastHeader) return;
    this.lastHeader = key;
    this.line('', banner(bannerTitle(task, handler)));
  }

  private line(...lines: string[]): void {
    this.out.write(lines.join('\n') + '\n');
  }
}
