// `dnf` and `yum`: RPM packages installed, upgraded or removed through the node's dnf (yum)
// command, as ansible-core 2.14's modules decide: present installs the names rpm does not
// know, latest also upgrades the installed ones dnf has updates for (`check-update`), absent
// removes the installed ones. Check mode runs only the queries. A node without the command
// fails the task. Tested on the lab (Debian) only for that failure: no RPM node runs there.
import { shlexQuote } from '../base/shlex.js';
import { dnfModule, yumModule } from './package-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface RpmArgs {
  name?: string[];
  state?: 'absent' | 'installed' | 'latest' | 'present' | 'removed';
  enablerepo?: string[];
  disablerepo?: string[];
  conf_file?: string;
  disable_gpg_check?: boolean;
  update_cache?: boolean;
  update_only?: boolean;
  exclude?: string[];
  skip_broken?: boolean;
  autoremove?: boolean;
  releasever?: string;
  disable_excludes?: string;
  lock_timeout?: number;
  install_weak_deps?: boolean;
  allow_downgrade?: boolean;
  cacheonly?: boolean;
  allowerasing?: boolean;
  nobest?: boolean;
}

/** The options every dnf command of the task shares (repositories, configuration, GPG). */
export function rpmOptions(args: RpmArgs): string[] {
  return [
    ...(args.disablerepo ?? []).map((r) => `--disablerepo=${r}`),
    ...(args.enablerepo ?? []).map((r) => `--enablerepo=${r}`),
    ...(args.conf_file !== undefined ? [`--config=${args.conf_file}`] : []),
    ...(args.disable_gpg_check ? ['--nogpgcheck'] : []),
    ...(args.exclude ?? []).map((e) => `--exclude=${e}`),
    ...(args.releasever !== undefined ? [`--releasever=${args.releasever}`] : []),
    ...(args.disable_excludes !== undefined ? [`--disableexcludes=${args.disable_excludes}`] : []),
    ...(args.cacheonly ? ['--cacheonly'] : []),
    ...(args.skip_broken ? ['--skip-broken'] : []),
    ...(args.install_weak_deps === false ? ['--setopt=install_weak_deps=False'] : []),
    ...(args.allowerasing ? ['--allowerasing'] : []),
    ...(args.nobest ? ['--nobest'] : []),
  ];
}

/** The names `rpm -q` printed as not installed (`package X is not installed`). */
export function notInstalled(rpmOut: string): Set<string> {
  return new Set([...rpmOut.matchAll(/^package (.+) is not installed$/gm)].map((m) => m[1]));
}

export async function manageRpmPackages(args: RpmArgs, ctx: ModuleContext, command: 'dnf' | 'yum'): Promise<ModuleResult> {
  const conn = await ctx.connection();
  const exec = (words: string[]) => {
    const line = words.map(shlexQuote).join(' ');
    return conn.exec(`LC_ALL=C ${line}`, { signal: ctx.signal, shownAs: line });
  };
  const found = await conn.exec(`command -v ${command} >/dev/null 2>&1 && command -v rpm >/dev/null 2>&1`, {
    signal: ctx.signal,
    shownAs: `command -v ${command}`,
  });
  if (found.code !== 0)
    throw new ModuleFailure(
      `Failed to find required executable "${command}" (and rpm): this host has no ${command}; use the module of its package manager (apt)`,
    );
  const options = rpmOptions(args);
  const state = args.state === 'installed' ? 'present' : args.state === 'removed' ? 'absent' : (args.state ?? (args.autoremove ? 'absent' : 'present'));
  const names = args.name ?? [];
  let changed = false;
  const results: string[] = [];
  if (args.update_cache && !ctx.check) {
    const r = await exec([command, '-y', ...options, 'makecache']);
    if (r.code !== 0) throw new ModuleFailure(`Failed to update the ${command} cache: ${r.stderr.trim()}`, { rc: r.code, stdout: r.stdout, stderr: r.stderr });
  }
  if (names.length === 0) {
    if (state === 'absent' && args.autoremove) {
      const r = await exec([command, '-y', ...options, ...(ctx.check ? ['--assumeno'] : []), 'autoremove']);
      changed = /Removing:|Removed:/.test(r.stdout);
    }
    return { status: changed ? 'changed' : 'ok', msg: 'Nothing to do', bytes: 0, data: { results } };
  }
  const query = await exec(['rpm', '-q', ...names]);
  const missing = [...notInstalled(query.stdout)].filter((n) => names.includes(n));
  const installed = names.filter((n) => !missing.includes(n));
  const act = async (verb: string, targets: string[]) => {
    if (targets.length === 0) return;
    changed = true;
    results.push(...targets.map((t) => `${verb === 'remove' ? 'Removed' : 'Installed'}: ${t}`));
    if (ctx.check) return;
    const r = await exec([command, '-y', ...options, ...(args.allow_downgrade && verb !== 'remove' ? ['--allowdowngrade'] : []), verb, ...targets]);
    if (r.code !== 0) throw new ModuleFailure(r.stderr.trim() || `${command} ${verb} failed`, { rc: r.code, stdout: r.stdout, stderr: r.stderr, results });
  };
  if (state === 'absent') await act('remove', installed);
  else {
    if (!args.update_only) await act('install', missing);
    if (state === 'latest' && installed.length > 0) {
      const check = await exec([command, '-q', ...options, 'check-update', ...installed]);
      if (check.code === 100) await act('upgrade', installed);
      else if (check.code !== 0)
        throw new ModuleFailure(check.stderr.trim() || `${command} check-update failed`, { rc: check.code, stdout: check.stdout, stderr: check.stderr });
    }
  }
  if (changed && !ctx.check) ctx.invalidateFacts();
  return { status: changed ? 'changed' : 'ok', msg: changed ? '' : 'Nothing to do', bytes: 0, data: { results, rc: 0 } };
}

export const dnf = controllerModule<RpmArgs>(dnfModule, (args, ctx) => manageRpmPackages(args, ctx, 'dnf'));
export const yum = controllerModule<RpmArgs>(yumModule, (args, ctx) => manageRpmPackages(args, ctx, 'yum'));
