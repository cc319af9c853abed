// `wait_for`: wait until a port answers (or stops answering) as the node reaches it, or a
// file on the node appears (with `search_regex` in it) or goes, as Ansible's wait_for does
// on the managed host: the same arguments, messages and registered value. The port is tried
// through the node's own SSH connection (a direct-tcpip channel opened by its sshd), so
// `host: 127.0.0.1` is the node's loopback, as in Ansible.
import type { Duplex } from 'node:stream';
import { sleep } from '../base/sleep.js';
import { pathInfo } from './stat.js';
import { waitForModule } from './schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import { shlexQuote } from '../base/shlex.js';

export interface WaitForArgs {
  host?: string;
  port?: number;
  path?: string;
  state?: 'started' | 'stopped' | 'present' | 'absent';
  timeout?: number;
  delay?: number;
  sleep?: number;
  connect_timeout?: number;
  search_regex?: string;
  msg?: string;
}

interface Match {
  groups: (string | null)[];
  groupdict: Record<string, string | null>;
}

/** Python's named groups `(?P<name>…)` are JavaScript's `(?<name>…)`; both are multiline, as wait_for compiles them. */
export function searchRegex(source: string): RegExp {
  try {
    return new RegExp(source.replace(/\(\?P</g, '(?<'), 'm');
  } catch (err) {
    throw new ModuleFailure(`Invalid regular expression: ${(err as Error).message}`, { elapsed: 0 });
  }
}

function matchOf(regex: RegExp, text: string): Match | undefined {
  const m = regex.exec(text);
  if (!m) return undefined;
  return { groups: m.slice(1).map((g) => g ?? null), groupdict: m.groups ? Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? null])) : {} };
}

/** One attempt at host:port from the node; with a regex, reads until it matches or the deadline. */
async function tryPort(
  ctx: ModuleContext,
  host: string,
  port: number,
  connectTimeoutMs: number,
  regex: RegExp | undefined,
  deadline: number,
): Promise<Match | boolean> {
  const conn = await ctx.connection();
  let stream: Duplex;
  try {
    stream = await withTimeout(conn.openTcp(host, port), connectTimeoutMs);
  } catch (err) {
    // A refused or unanswered port (SSH_CHANNEL_FAILED, or the connect timeout) is an answer about
    // the port; a closed connection to the node is not, and ends the task as unreachable.
    if ((err as { code?: string }).code?.startsWith('SSH_CONNECTION')) throw err;
    return false;
  }
  if (!regex) {
    stream.destroy();
    return true;
  }
  return new Promise<Match | boolean>((resolve) => {
    let data = '';
    const done = (result: Match | boolean) => {
      clearTimeout(timer);
      stream.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
    stream.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const m = matchOf(regex, data);
      if (m) done(m);
    });
    stream.on('end', () => done(false));
    stream.on('error', () => done(false));
  });
}

function withTimeout<T extends Duplex>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      promise.then(
        (s) => s.destroy(),
        () => undefined,
      );
      reject(new Error('connect timeout'));
    }, ms);
    promise.then(
      (s) => {
        clearTimeout(timer);
        resolve(s);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The file's state on the node: absent, or present with its content when a regex needs it. */
async function readPath(ctx: ModuleContext, path: string, withContent: boolean): Promise<{ exists: boolean; content?: string; error?: string }> {
  const conn = await ctx.connection();
  const script = withContent ? 'if [ -e "$1" ]; then cat -- "$1"; else exit 3; fi' : 'if [ -e "$1" ]; then exit 0; else exit 3; fi';
  const r = await conn.exec(`sh -c ${shlexQuote(script)} hound-wait-for ${shlexQuote(path)}`, { signal: ctx.signal, shownAs: `wait_for ${path}` });
  if (r.code === 3) return { exists: false };
  if (r.code !== 0 && withContent) return { exists: true, error: r.stderr.trim() };
  return { exists: true, content: r.stdout };
}

export const waitFor = controllerModule<WaitForArgs>(waitForModule, async (args, ctx) => {
  const host = args.host ?? '127.0.0.1';
  const state = args.state ?? 'started';
  const timeoutMs = (args.timeout ?? 300) * 1000;
  const pauseMs = (args.sleep ?? 1) * 1000;
  const regex = args.search_regex !== undefined ? searchRegex(args.search_regex) : undefined;
  if (args.path !== undefined && state === 'stopped')
    throw new ModuleFailure('state=stopped should only be used for checking a port in the wait_for module', { elapsed: 0 });
  const start = Date.now();
  const elapsed = () => Math.floor((Date.now() - start) / 1000);
  const fail = (message: string) => new ModuleFailure(args.msg ?? message, { elapsed: elapsed() });
  if (args.delay) await sleep(args.delay * 1000, ctx.signal);
  let match: Match = { groups: [], groupdict: {} };
  if (args.port === undefined && args.path === undefined) {
    await sleep(timeoutMs, ctx.signal);
  } else {
    const end = start + timeoutMs;
    const waitingForGone = state === 'absent' || state === 'stopped';
    for (;;) {
      if (Date.now() >= end) {
        if (args.port !== undefined) {
          if (waitingForGone) throw fail(`Timeout when waiting for ${host}:${args.port} to stop.`);
          throw fail(
            regex ? `Timeout when waiting for search string ${args.search_regex} in ${host}:${args.port}` : `Timeout when waiting for ${host}:${args.port}`,
          );
        }
        if (waitingForGone) throw fail(`Timeout when waiting for ${args.path} to be absent.`);
        throw fail(regex ? `Timeout when waiting for search string ${args.search_regex} in ${args.path}` : `Timeout when waiting for file ${args.path}`);
      }
      if (args.port !== undefined) {
        const connectMs = Math.min((args.connect_timeout ?? 5) * 1000, Math.max(1000, Math.ceil((end - Date.now()) / 1000) * 1000));
        const answered = await tryPort(ctx, host, args.port, connectMs, waitingForGone ? undefined : regex, end);
        if (waitingForGone && !answered) break;
        if (!waitingForGone && answered) {
          if (typeof answered === 'object') match = answered;
          break;
        }
      } else {
        const file = await readPath(ctx, args.path!, !waitingForGone && regex !== undefined);
        if (waitingForGone && !file.exists) break;
        if (!waitingForGone && file.exists) {
          if (!regex) break;
          const found = file.content !== undefined ? matchOf(regex, file.content) : undefined;
          if (found) {
            match = found;
            break;
          }
        }
      }
      await sleep(pauseMs, ctx.signal);
    }
  }
  const what = args.port !== undefined ? `${host}:${args.port}` : (args.path ?? `${args.timeout ?? 300} s`);
  const seconds = elapsed();
  const data: Record<string, unknown> = {
    state,
    port: args.port ?? null,
    search_regex: args.search_regex ?? null,
    match_groups: match.groups,
    match_groupdict: match.groupdict,
    path: args.path ?? null,
    elapsed: seconds,
  };
  // As Ansible's exit_json does for any result with a path: the file's owner, mode, kind (which replaces `state`) and size.
  if (args.path !== undefined) Object.assign(data, (await pathInfo(ctx, args.path)) ?? {});
  return { status: 'ok', msg: `${what}: ${state} after ${seconds} s`, bytes: 0, data };
});
