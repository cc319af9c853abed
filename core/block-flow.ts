// Where one host goes next in its list of steps, with blocks' `rescue` and `always` as
// Ansible runs them: a failure inside a block with rescue jumps to the rescue (the host is
// no longer failed); with always (and no rescue, or a failing rescue) the always runs and
// the failure goes on outward; a host that never fails skips every rescue.
import type { BlockFrame, TaskInstance } from '../playbook/compiled.js';

export type Step = TaskInstance[];

/** Compares two orders element by element; a prefix comes first. */
export function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function orderOf(t: TaskInstance): readonly number[] {
  return t.order ?? [t.taskIndex];
}

function inSection(step: Step, frameId: string, section: BlockFrame['section']): boolean {
  return step[0].blocks?.some((f) => f.id === frameId && f.section === section) ?? false;
}

/** Whether a failure of this task, not ignored, is caught by a rescue around it (the recap counts it rescued). */
export function isRescued(task: TaskInstance): boolean {
  return task.blocks?.some((f) => f.section === 'block' && f.hasRescue) ?? false;
}

export class HostCursor {
  private position = 0;
  /** Blocks whose rescue this host runs. */
  private readonly rescuing = new Set<string>();
  /** A failure waiting for an always section to end: the frames still to look at, innermost last. */
  private pending?: { alwaysOf: string; outer: BlockFrame[] };
  private failed = false;

  constructor(private readonly steps: readonly Step[]) {}

  /** True once a failure found no rescue to catch it (possibly after running an always section). */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** The step to run next, or undefined when the host is done (or has failed). */
  current(): Step | undefined {
    if (this.failed) return undefined;
    for (;;) {
      const step = this.steps[this.position];
      if (!step) return undefined;
      if (this.pending && !inSection(step, this.pending.alwaysOf, 'always')) {
        // The always section is over: the failure goes on outward.
        const { outer } = this.pending;
        this.pending = undefined;
        if (!this.propagate(outer, this.position)) return undefined;
        continue;
      }
      const skippedRescue = step[0].blocks?.some((f) => f.section === 'rescue' && !this.rescuing.has(f.id));
      if (!skippedRescue) return step;
      this.position++;
    }
  }

  /** After the current step: `failed` when it failed and was not ignored. Returns true when the host is now down. */
  advance(failed: boolean): boolean {
    const step = this.steps[this.position];
    this.position++;
    if (!failed || !step) return false;
    this.pending = undefined;
    return !this.propagate(step[0].blocks ?? [], this.position);
  }

  /** Looks for a rescue or an always among `frames` (innermost last) from `from` on; false when none catches the failure. */
  private propagate(frames: readonly BlockFrame[], from: number): boolean {
    for (let i = frames.length - 1; i >= 0; i--) {
      const frame = frames[i];
      if (frame.section === 'block' && frame.hasRescue) {
        this.rescuing.add(frame.id);
        const target = this.find(from, frame.id, 'rescue') ?? this.find(from, frame.id, 'always');
        this.position = target ?? this.endOf(from, frame.id);
        return true;
      }
      if (frame.section !== 'always' && frame.hasAlways) {
        const target = this.find(from, frame.id, 'always');
        if (target !== undefined) {
          this.position = target;
          this.pending = { alwaysOf: frame.id, outer: frames.slice(0, i) };
          return true;
        }
      }
    }
    this.failed = true;
    return false;
  }

  private find(from: number, frameId: string, section: BlockFrame['section']): number | undefined {
    for (let i = from; i < this.steps.length; i++) if (inSection(this.steps[i], frameId, section)) return i;
    return undefined;
  }

  /** The first step after the block (for a rescue whose tasks all were left out, by tags say). */
  private endOf(from: number, frameId: string): number {
    let i = from;
    while (i < this.steps.length && (this.steps[i][0].blocks?.some((f) => f.id === frameId) ?? false)) i++;
    return i;
  }
}
