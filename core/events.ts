// Typed events for everything a run does, and the bus reporters subscribe to. Secrets are
// masked here, once, before any subscriber sees an event: reporters never have to remember.
// The masking is base/secrets.ts's: the bus's own secrets (a run's, a no_log task's) are a
// layer over the process's (inventory passwords, secret-named variables, Vault values).
import { findModuleDefinition } from '../modules/schemas.js';
import { processSecrets, SECRET_MASK, SecretMask } from '../base/secrets.js';

export { SECRET_MASK } from '../base/secrets.js';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/**
 * The version of the event stream's shape (`--json` lines), carried by its first and last
 * events. Keys are snake_case, as in every JSON hound writes. The shape is described by
 * docs/schemas/events.schema.json; a change that could break a reader raises this number.
 */
export const EVENT_SCHEMA_VERSION = 2;

export interface RunStartEvent {
  event: 'run_start';
  time: number;
  schema_version: number;
  check: boolean;
  plays: number;
  hosts: string[];
}

export interface PlayStartEvent {
  event: 'play_start';
  time: number;
  play: string;
  hosts: string[];
}

export interface HostStartEvent {
  event: 'host_start';
  time: number;
  host: string;
  play: string;
}

/** What every event about one task on one host carries. */
interface TaskEventFields {
  time: number;
  host: string;
  task: string;
  task_id: string;
  module: string;
  no_log: boolean;
  handler: boolean;
}

export interface TaskStartEvent extends TaskEventFields {
  event: 'task_start';
  /** Resolved arguments (reporters show them from -v on). */
  args: Record<string, unknown>;
}

export interface TaskResultEvent extends TaskEventFields {
  event: 'task_result';
  status: TaskStatus;
  /** Failed but `ignore_errors` let the host go on. */
  ignored: boolean;
  /** Failed inside a block whose `rescue` takes over: the recap counts it rescued, not failed. */
  rescued?: boolean;
  /** `delegate_to`: the host the task ran on for `host`. */
  delegated_to?: string;
  /** In check mode, `changed` means "would change" (the task's `check_mode:` decides). */
  check: boolean;
  /** Whether the result's differences are shown (--diff, or the task's `diff:`). */
  diff?: boolean;
  msg: string;
  /** Compressed bytes pulled (or streamed, for `load`) by this task. */
  bytes: number;
  duration_ms: number;
  /** The registered value (what `register` stores), shown from -v on. */
  result: Record<string, unknown>;
}

/**
 * One item of a loop, as soon as it has run (ansible-playbook prints each item's line then);
 * the task's task_result, with every item in its `results`, follows the last.
 */
export interface TaskItemEvent extends TaskEventFields {
  event: 'task_item';
  status: TaskStatus;
  /** `delegate_to`: the host the item ran on for `host`. */
  delegated_to?: string;
  /** Whether the item's differences are shown (--diff, or the task's `diff:`). */
  diff?: boolean;
  msg: string;
  /** The item's registered value, as the task's `results` will hold it (its loop variable and `ansible_loop_var` included). */
  result: Record<string, unknown>;
}

export interface PullProgressEvent {
  event: 'pull_progress';
  time: number;
  host: string;
  image: string;
  layer: string;
  status: string;
  current?: number;
  total?: number;
}

export interface HostDoneEvent {
  event: 'host_done';
  time: number;
  host: string;
  play: string;
}

/** -vv / -vvv detail: SSH and Docker exchanges, resolved facts. */
export interface DetailEvent {
  event: 'detail';
  time: number;
  host?: string;
  verbosity: number;
  msg: string;
}

export interface PlayAbortEvent {
  event: 'play_abort';
  time: number;
  play: string;
  reason: string;
}

export interface HostRecap {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
  ignored: number;
  rescued: number;
  bytes: number;
  /** Wall time the host was busy with tasks, in seconds. */
  duration_s: number;
}

export interface SummaryEvent {
  event: 'summary';
  time: number;
  schema_version: number;
  hosts: Record<string, HostRecap>;
  duration_s: number;
  check: boolean;
  interrupted: boolean;
  exit_code: number;
}

export type HoundEvent =
  | RunStartEvent
  | PlayStartEvent
  | HostStartEvent
  | TaskStartEvent
  | TaskResultEvent
  | TaskItemEvent
  | PullProgressEvent
  | HostDoneEvent
  | DetailEvent
  | PlayAbortEvent
  | SummaryEvent;

export type EventListener = (event: HoundEvent) => void;

/** What a run reports to (report/ implements it: the live view, plain lines, JSON lines). */
export interface RunReporter {
  handle(event: HoundEvent): void;
  /** Resolves once everything is written (the live view has drawn its last frame). */
  close(): Promise<void>;
}

export const NO_LOG_MESSAGE = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

type Omitted<E> = E extends HoundEvent ? Omit<E, 'time'> & { time?: number } : never;

export class EventBus {
  private readonly listeners: EventListener[] = [];
  private readonly secrets: SecretMask;

  constructor(parentSecrets: SecretMask = processSecrets) {
    this.secrets = new SecretMask(parentSecrets);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** A value that must never leave the process: every occurrence in any event is masked. */
  addSecret(value: string | undefined): void {
    this.secrets.add(value);
  }

  hasSecret(value: string): boolean {
    return this.secrets.has(value);
  }

  /** Stops masking `value` (a no_log task's own values once that task is over); the process's secrets stay masked. */
  removeSecret(value: string): void {
    this.secrets.remove(value);
  }

  emit(event: Omitted<HoundEvent>): void {
    const stamped = { ...event, time: event.time ?? Date.now() };
    const safe = this.mask(stamped);
    for (const listener of [...this.listeners]) listener(safe);
  }

  /** Exposed for tests and for text (error messages) that leaves the process outside events. */
  maskText(text: string): string {
    return this.secrets.maskText(text);
  }

  private mask(event: HoundEvent): HoundEvent {
    let e = event;
    if (e.event === 'task_start' || e.event === 'task_result') {
      const secretArgs = hiddenArgumentsOf(e.module);
      if (e.event === 'task_start') {
        e = { ...e, args: e.no_log ? { censored: NO_LOG_MESSAGE } : maskKeys(e.args, secretArgs) };
      } else if (e.no_log) {
        e = {
          ...e,
          msg: e.status === 'failed' ? NO_LOG_MESSAGE : '',
          result: { censored: NO_LOG_MESSAGE, changed: e.status === 'changed' || e.result.changed === true },
        };
      } else {
        e = { ...e, result: maskKeys(e.result, secretArgs) };
      }
    } else if (e.event === 'task_item') {
      // As ansible-core censors each item of a no_log loop: its status stays, its values go.
      e = e.no_log
        ? { ...e, msg: e.status === 'failed' ? NO_LOG_MESSAGE : '', result: { censored: NO_LOG_MESSAGE, changed: e.result.changed === true } }
        : { ...e, result: maskKeys(e.result, hiddenArgumentsOf(e.module)) };
    }
    return this.secrets.size === 0 ? e : (this.secrets.maskDeep(e) as HoundEvent);
  }
}

/** The module's arguments that its task's own arguments show masked: its secrets and those Ansible does not log. */
function hiddenArgumentsOf(module: string): string[] {
  const definition = findModuleDefinition(module);
  return [...(definition?.secretArguments ?? []), ...(definition?.unloggedArguments ?? [])];
}

/** A task's arguments as output shows them (the -v line of what a module is given). */
export function argumentsAsShown(module: string, args: Record<string, unknown>): Record<string, unknown> {
  return maskKeys(args, hiddenArgumentsOf(module));
}

function maskKeys(args: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  if (keys.length === 0) return args;
  const out: Record<string, unknown> = { ...args };
  for (const key of keys) if (key in out) out[key] = SECRET_MASK;
  return out;
}
