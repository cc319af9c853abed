// `systemd` / `systemd_service` and `service`: a unit started, stopped, restarted or reloaded,
// enabled or disabled, systemd's configuration reloaded, through systemctl on the node, as
// ansible-core 2.14's systemd module decides (`systemctl show` for the state, `is-enabled` for
// enablement; restarted and reloaded always act; daemon_reload alone does not count as a
// change). `service` is the same on a systemd host; a node without a running systemd fails
// the task with systemctl's own words, as the module would there.
import { shlexQuote } from '../base/shlex.js';
import { serviceModule, systemdModule, systemdServiceModule } from './file-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface SystemdArgs {
  name?: string;
  state?: 'reloaded' | 'restarted' | 'started' | 'stopped';
  enabled?: boolean;
  daemon_reload?: boolean;
  daemon_reexec?: boolean;
  no_block?: boolean;
  scope?: 'system';
  sleep?: number;
  use?: string;
}

/** `systemctl show` output as a mapping (multi-line `{ … }` values joined, as parse_systemctl_show does). */
export function parseSystemctlShow(out: string): Record<string, string> {
  const parsed: Record<string, string> = {};
  let multival: string[] = [];
  let key: string | undefined;
  for (const line of out.split('\n')) {
    if (key === undefined) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const k = line.slice(0, eq);
      const v = line.slice(eq + 1).trim();
      if (v.startsWith('{') && (!v.endsWith('}') || v.split('{').length - 1 !== v.split('}').length - 1)) {
        key = k;
        multival = [v];
      } else parsed[k] = v;
    } else {
      multival.push(line);
      if (line.trim().endsWith('}')) {
        parsed[key] = multival.join('\n').trim();
        key = undefined;
        multival = [];
      }
    }
  }
  return parsed;
}

const PREFLIGHT = [
  'command -v systemctl >/dev/null 2>&1 || { echo "Failed to find required executable \\"systemctl\\" in paths: $PATH" >&2; exit 10; }',
  '[ -d /run/systemd/system ] || { echo "System has not been booted with systemd as init system (PID 1). Can\'t operate." >&2; exit 11; }',
].join('\n');

async function systemctl(ctx: ModuleContext, words: string[], noBlock = false) {
  const conn = await ctx.connection();
  const line = ['systemctl', ...(noBlock ? ['--no-block'] : []), ...words].map(shlexQuote).join(' ');
  return conn.exec(line, { signal: ctx.signal, shownAs: line });
}

export async function manageUnit(args: SystemdArgs, ctx: ModuleContext, moduleName: string): Promise<ModuleResult> {
  const unit = args.name;
  if (
    args.state === undefined &&
    args.enabled === undefined &&
    !args.daemon_reload &&
    !args.daemon_reexec &&
    moduleName !== 'systemd_service' &&
    moduleName !== 'systemd'
  )
    throw new ModuleFailure('one of the following is required: state, enabled');
  if ((args.state !== undefined || args.enabled !== undefined) && unit === undefined)
    throw new ModuleFailure(`missing parameter(s) required by '${args.state !== undefined ? 'state' : 'enabled'}': name`);
  if (unit !== undefined) {
    for (const glob of ['*', '?', '[']) {
      if (unit.includes(glob)) throw new ModuleFailure(`This module does not currently support using glob patterns, found '${glob}' in service name: ${unit}`);
    }
  }
  const conn = await ctx.connection();
  const pre = await conn.exec(`sh -c ${shlexQuote(PREFLIGHT)}`, { signal: ctx.signal, shownAs: 'systemctl --version' });
  if (pre.code !== 0) {
    const why = pre.stderr.trim();
    throw new ModuleFailure(moduleName === 'service' ? `hound manages services through systemctl only, and this host has no running systemd: ${why}` : why);
  }
  const result: Record<string, unknown> = { name: unit ?? null, status: {} };
  let changed = false;
  for (const [flag, verb] of [
    [args.daemon_reload, 'daemon-reload'],
    [args.daemon_reexec, 'daemon-reexec'],
  ] as const) {
    if (flag && !ctx.check) {
      const r = await systemctl(ctx, [verb]);
      if (r.code !== 0) throw new ModuleFailure(`failure ${r.code} during ${verb}: ${r.stderr}`);
    }
  }
  if (unit !== undefined) {
    const show = await systemctl(ctx, ['show', '--', unit]);
    let found = false;
    if (show.code === 0) {
      const status = parseSystemctlShow(show.stdout);
      result.status = status;
      found = status.LoadState !== undefined && status.LoadState !== 'not-found';
      if (found && status.LoadState !== 'masked' && status.LoadError !== undefined)
        throw new ModuleFailure(`Error loading unit file '${unit}': ${status.LoadError}`);
    }
    const missing = () => new ModuleFailure(`Could not find the requested service ${unit}: host`);
    if (args.enabled !== undefined) {
      if (!found) throw missing();
      const r = await systemctl(ctx, ['is-enabled', unit, '-l']);
      const lines = r.stdout.split('\n').filter((l) => l !== '');
      const enabled = r.code === 0 && !(lines.length === 1 && (lines[0] === 'indirect' || lines[0] === 'alias'));
      result.enabled = enabled;
      if (enabled !== args.enabled) {
        changed = true;
        const action = args.enabled ? 'enable' : 'disable';
        if (!ctx.check) {
          const a = await systemctl(ctx, [action, unit]);
          if (a.code !== 0) throw new ModuleFailure(`Unable to ${action} service ${unit}: ${a.stdout}${a.stderr}`);
        }
        result.enabled = !enabled;
      }
    }
    if (args.state !== undefined) {
      if (!found) throw missing();
      result.state = args.state;
      const status = result.status as Record<string, string>;
      if (status.ActiveState === undefined) throw new ModuleFailure('Service is in unknown state', { status });
      const running = status.ActiveState === 'active' || status.ActiveState === 'activating';
      let action: string | undefined;
      if (args.state === 'started') action = running ? undefined : 'start';
      else if (args.state === 'stopped') action = running || status.ActiveState === 'deactivating' ? 'stop' : undefined;
      else {
        action = running ? args.state.slice(0, -2) : 'start';
        result.state = 'started';
      }
      if (action !== undefined) {
        changed = true;
        if (!ctx.check) {
          const a = await systemctl(ctx, [action, unit], args.no_block);
          if (a.code !== 0) throw new ModuleFailure(`Unable to ${action} service ${unit}: ${a.stderr}`);
        }
      }
    }
  }
  return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data: result };
}

export const systemd = controllerModule<SystemdArgs>(systemdModule, (args, ctx) => manageUnit(args, ctx, 'systemd'));
export const systemdService = controllerModule<SystemdArgs>(systemdServiceModule, (args, ctx) => manageUnit(args, ctx, 'systemd_service'));
export const service = controllerModule<SystemdArgs>(serviceModule, (args, ctx) => manageUnit(args, ctx, 'service'));
