// `ansible.posix.synchronize`: rsync between the controller and the host, as the collection's
// action plugin and module build it (the same options in the same order, `<<CHANGED>>` in
// --out-format to tell a change, --dry-run in check mode). Where Ansible gives rsync an `ssh`
// command line for the remote end, hound gives it a remote shell that runs over hound's own
// connection to the host (transport/remote-shell.ts), with the task's become: `rsync` must be
// installed on the controller and on the host, as with Ansible.
//
// `delegate_to` the task's own host runs rsync there, both paths local to it (Ansible's
// "dest_is_local" case); delegating to any other host is refused at run time, saying so.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { searchPathCandidates } from '../base/search-path.js';
import { shlexQuote } from '../base/shlex.js';
import { openRemoteShell } from '../transport/remote-shell.js';
import { synchronizeModule } from './file-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface SynchronizeArgs {
  src: string;
  dest: string;
  mode?: 'push' | 'pull';
  archive?: boolean;
  checksum?: boolean;
  compress?: boolean;
  existing_only?: boolean;
  delete?: boolean;
  dirs?: boolean;
  recursive?: boolean;
  links?: boolean;
  copy_links?: boolean;
  perms?: boolean;
  times?: boolean;
  owner?: boolean;
  group?: boolean;
  partial?: boolean;
  delay_updates?: boolean;
  rsync_path?: string;
  rsync_timeout?: number;
  rsync_opts?: string[] | string;
  link_dest?: string[] | string;
}

export const CHANGED_MARKER = '<<CHANGED>>';

/** A list argument as Ansible's `type: list` reads a string: split on commas. */
function listOf(value: string[] | string | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(',').map((s) => s.trim());
}

/**
 * rsync's options for the task, in the order the module (ansible.posix 1.5) adds them, up to and
 * without the remote shell, which the caller adds; `--out-format` last.
 */
export function rsyncOptions(args: SynchronizeArgs, check: boolean, dest: string): string[] {
  const o: string[] = [];
  if (args.delay_updates ?? true) o.push('--delay-updates', '-F');
  if (args.compress ?? true) o.push('--compress');
  if (args.rsync_timeout) o.push(`--timeout=${args.rsync_timeout}`);
  if (check) o.push('--dry-run');
  if (args.delete) o.push('--delete-after');
  if (args.existing_only) o.push('--existing');
  if (args.checksum) o.push('--checksum');
  if (args.copy_links) o.push('--copy-links');
  const toggles = ['recursive', 'links', 'perms', 'times', 'owner', 'group'] as const;
  if (args.archive ?? true) {
    o.push('--archive');
    for (const t of toggles) if (args[t] === false) o.push(`--no-${t}`);
  } else {
    for (const t of toggles) if (args[t] === true) o.push(`--${t}`);
  }
  if (args.dirs) o.push('--dirs');
  if (args.rsync_path) o.push(`--rsync-path=${args.rsync_path}`);
  o.push(...listOf(args.rsync_opts));
  if (args.partial) o.push('--partial');
  const linkDest = listOf(args.link_dest);
  if (linkDest.length > 0) {
    // -vv: rsync does not count a new hard link as a change otherwise.
    o.push('-H', '-vv');
    for (const x of linkDest) {
      const linkPath = path.resolve(expandHome(x));
      if (path.resolve(path.dirname(dest)).startsWith(linkPath)) {
        throw new ModuleFailure(`Hardlinking into a subdirectory of the source would cause recursion. ${path.resolve(path.dirname(dest))} and ${dest}`);
      }
      o.push(`--link-dest=${linkPath}`);
    }
  }
  o.push(`--out-format=${CHANGED_MARKER}%i %n%L`);
  return o;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * A controller path as the action plugin makes it absolute: kept when absolute or holding a
 * colon; else looked up in the role's and playbook's `files/` (path_dwim_relative), the first
 * that exists, or the playbook's own when none does; a trailing slash kept.
 */
export function controllerPath(p: string, searchDirs: readonly string[]): string {
  const expanded = expandHome(p);
  if (expanded.includes(':') || path.isAbsolute(expanded)) return expanded;
  const candidates = searchPathCandidates(expanded, 'files', searchDirs);
  const found = candidates.find((c) => existsSync(c)) ?? path.resolve(searchDirs.at(-1) ?? '.', expanded);
  return p.endsWith('/') && !found.endsWith('/') ? `${found}/` : found;
}

/** What the run's output says: changed when rsync itemized something (with link_dest: anything but a no-op). */
export function synchronizeResult(out: string, linkDest: boolean): { changed: boolean; msg: string; stdout_lines: string[] } {
  const changed = linkDest ? !out.includes(`${CHANGED_MARKER}.`) : out.includes(CHANGED_MARKER);
  const msg = out.split(CHANGED_MARKER).join('');
  return { changed, msg, stdout_lines: msg.split('\n').filter((l) => l !== '') };
}

/** The host as rsync sees it in `HOST:PATH` (the remote shell ignores it; it only has to parse). */
function hostToken(host: string): string {
  return /^[A-Za-z0-9._-]+$/.test(host) ? host : 'host';
}

/** Runs the controller's rsync with a remote shell over the task's connection. */
async function runLocalRsync(rsync: string, options: string[], source: string, dest: string, ctx: ModuleContext) {
  const shell = await openRemoteShell(await ctx.connection(), ctx.signal);
  const argv = [...options, `--rsh=${shell.command}`, source, dest];
  const cmd = [rsync, ...argv].map(shlexQuote).join(' ');
  try {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(rsync, argv, { env: { ...process.env, ...shell.environment }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const onAbort = () => child.kill('SIGTERM');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (e: NodeJS.ErrnoException) => {
        ctx.signal.removeEventListener('abort', onAbort);
        reject(
          e.code === 'ENOENT'
            ? new ModuleFailure(`Failed to find required executable "${rsync}" in paths: ${process.env.PATH ?? ''}`)
            : new ModuleFailure(`could not start ${rsync} on the controller: ${e.message}`),
        );
      });
      child.once('close', (code) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
    return { ...result, cmd };
  } finally {
    await shell.close();
  }
}

/** rsync on the host itself (delegate_to the task's own host): both paths are the host's. */
async function runRsyncOnHost(rsync: string, options: string[], source: string, dest: string, ctx: ModuleContext) {
  const cmd = [rsync, ...options, source, dest].map(shlexQuote).join(' ');
  const conn = await ctx.connection();
  const r = await conn.exec(cmd, { signal: ctx.signal, shownAs: cmd });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, cmd };
}

export const synchronize = controllerModule<SynchronizeArgs>(synchronizeModule, async (args, ctx): Promise<ModuleResult> => {
  const mode = args.mode ?? 'push';
  if (args.src.startsWith('rsync://') || args.dest.startsWith('rsync://')) {
    throw new ModuleFailure('rsync daemon URLs (rsync://) are not supported by hound: it copies between the controller and the host over its own connection');
  }
  if (listOf(args.rsync_opts).some((o) => o.startsWith('--rsh') || o === '-e' || /^-[a-zA-Z]*e/.test(o))) {
    throw new ModuleFailure('rsync_opts sets a remote shell: hound carries rsync over its own connection to the host; leave --rsh/-e out');
  }
  const inventoryHost = String(ctx.vars.inventory_hostname ?? ctx.host);
  const rsync = typeof ctx.vars.ansible_rsync_path === 'string' && ctx.vars.ansible_rsync_path !== '' ? ctx.vars.ansible_rsync_path : 'rsync';
  let run: { code: number | null; stdout: string; stderr: string; cmd: string };
  if (ctx.host !== inventoryHost) {
    throw new ModuleFailure(
      `synchronize delegated to ${ctx.host} is not supported by hound: it runs rsync on the controller against the task's host (${inventoryHost}), or on that host itself with delegate_to: ${inventoryHost}`,
    );
  }
  if (ctx.delegateTo !== undefined) {
    const options = rsyncOptions(args, ctx.check, args.dest);
    run = await runRsyncOnHost(rsync, options, args.src, args.dest, ctx);
  } else {
    const token = hostToken(inventoryHost);
    const source = mode === 'push' ? controllerPath(args.src, ctx.searchDirs) : `${token}:${args.src}`;
    const dest = mode === 'push' ? `${token}:${args.dest}` : controllerPath(args.dest, ctx.searchDirs);
    run = await runLocalRsync(rsync, rsyncOptions(args, ctx.check, dest), source, dest, ctx);
  }
  if (run.code !== 0) throw new ModuleFailure(run.stderr, { rc: run.code, cmd: run.cmd });
  const result = synchronizeResult(run.stdout, listOf(args.link_dest).length > 0);
  const data: Record<string, unknown> = { changed: result.changed, rc: 0, cmd: run.cmd, stdout_lines: result.stdout_lines };
  if (ctx.diff) data.diff = { prepared: result.msg };
  return { status: result.changed ? 'changed' : 'ok', msg: result.msg, bytes: 0, data };
});
