// `async_status`: the state of a task started with `async` and `poll: 0`, as Ansible's
// module returns it: started/finished, and once finished, the task's own result (a task
// that failed makes async_status fail too).
import { asyncStatusModule } from './schemas.js';
import { controllerModule } from './implementation.js';

export interface AsyncStatusArgs {
  jid: string;
  mode?: 'status' | 'cleanup';
}

export const asyncStatus = controllerModule<AsyncStatusArgs>(asyncStatusModule, async (args, ctx) => {
  const ids = { ansible_job_id: args.jid, started: 1 };
  if (args.mode === 'cleanup') {
    const forgotten = ctx.forgetAsyncJob(args.jid);
    return { status: 'ok', msg: forgotten ? `job ${args.jid} cleaned up` : `no job ${args.jid} to clean up`, bytes: 0, data: { ...ids, erased: args.jid } };
  }
  const job = ctx.asyncJob(args.jid);
  if (!job) return { status: 'failed', msg: 'could not find job', bytes: 0, data: { ...ids, finished: 1 } };
  if (!job.finished) return { status: 'ok', msg: `job ${args.jid} is still running`, bytes: 0, data: { ...ids, finished: 0 } };
  const status = job.status === 'unreachable' ? 'failed' : job.status;
  const msg = typeof job.value.msg === 'string' ? job.value.msg : '';
  return { status, msg, bytes: 0, data: { ...job.value, ...ids, finished: 1 } };
});
