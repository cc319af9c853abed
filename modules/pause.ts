// `pause`: wait `seconds` or `minutes`, once for all hosts of the batch (as Ansible's pause
// bypasses the host loop). hound never reads the keyboard: a `prompt` without a time goes on
// at once with a warning, as ansible-playbook does when its stdin is not a terminal, and
// `user_input` is empty. The registered value is the one Ansible's pause returns.
import { sleep } from '../base/sleep.js';
import { pauseModule } from './schemas.js';
import { controllerModule, type ModuleResult } from './implementation.js';

export interface PauseArgs {
  seconds?: number;
  minutes?: number;
  prompt?: string;
  echo?: boolean;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

export const pause = controllerModule<PauseArgs>(pauseModule, async (args, ctx) => {
  const unit = args.minutes !== undefined ? 'minutes' : 'seconds';
  const seconds = args.minutes !== undefined ? args.minutes * 60 : args.seconds;
  const result = await ctx.oncePerTask(async (): Promise<ModuleResult> => {
    const echo = args.echo ?? true;
    const hidden = echo ? '' : ' (output is hidden)';
    const started = Date.now();
    if (seconds === undefined) {
      ctx.detail(0, `[${ctx.taskName}] ${args.prompt ?? 'Press enter to continue, Ctrl+C to interrupt'}${hidden}:`);
      ctx.detail(0, '[WARNING]: Not waiting for response to prompt as stdin is not interactive');
    } else {
      const wait = Math.max(seconds, 1);
      ctx.detail(0, `Pausing for ${wait} seconds${hidden}`);
      if (args.prompt) ctx.detail(0, `[${ctx.taskName}] ${args.prompt}${hidden}:`);
      await sleep(wait * 1000, ctx.signal);
    }
    const stopped = Date.now();
    const elapsed = (stopped - started) / 1000;
    const shown = unit === 'minutes' ? Math.round((elapsed / 60) * 100) / 100 : Math.round(elapsed * 100) / 100;
    const stdout = `Paused for ${shown} ${unit}`;
    return {
      status: 'ok',
      msg: stdout,
      bytes: 0,
      data: { rc: 0, stderr: '', stdout, start: localTime(started), stop: localTime(stopped), delta: Math.trunc(elapsed), echo, user_input: '' },
    };
  });
  return { ...result, data: { ...result.data } };
});
