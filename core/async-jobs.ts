// Ansible's `async`/`poll: 0` jobs, kept by hound for the run: a task started this way runs
// on in the background (hound holds its SSH channel or Docker call) and answers
// `async_status` by its job id. Unlike Ansible's async wrapper, a job does not outlive
// hound: at the end of the run, hound waits for the jobs still running (each up to its
// `async` limit) before it closes the connections.
import { randomInt } from 'node:crypto';

export interface AsyncJobResult {
  failed: boolean;
  /** The module's registered value (rc, stdout, msg, ...). */
  value: Record<string, unknown>;
  status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';
}

interface Job {
  host: string;
  done?: AsyncJobResult;
  running: Promise<void>;
}

export class AsyncJobs {
  private readonly jobs = new Map<string, Job>();
  private counter = 0;

  /** Starts `work` as a job of `host`; returns its id (`j<digits>.<n>`, shaped as Ansible's). */
  start(host: string, work: Promise<AsyncJobResult>): string {
    const jid = `j${randomInt(100_000_000, 999_999_999)}.${++this.counter}`;
    const job: Job = { host, running: Promise.resolve() };
    job.running = work.then(
      (result) => {
        job.done = result;
      },
      (error: unknown) => {
        job.done = { failed: true, status: 'failed', value: { failed: true, msg: error instanceof Error ? error.message : String(error) } };
      },
    );
    this.jobs.set(jid, job);
    return jid;
  }

  /** What async_status says about `jid` on `host`: undefined when no such job was started there. */
  status(host: string, jid: string): { finished: false } | ({ finished: true } & AsyncJobResult) | undefined {
    const job = this.jobs.get(jid);
    if (!job || job.host !== host) return undefined;
    return job.done ? { finished: true, ...job.done } : { finished: false };
  }

  /** async_status mode=cleanup: forgets the job. */
  forget(host: string, jid: string): boolean {
    const job = this.jobs.get(jid);
    if (!job || job.host !== host) return false;
    this.jobs.delete(jid);
    return true;
  }

  /** How many jobs are still running. */
  get running(): number {
    return [...this.jobs.values()].filter((j) => !j.done).length;
  }

  /** Resolves once every job has ended (each ends by its own `async` limit at the latest). */
  async settle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.running));
  }
}
