// `apt`: Debian packages installed (a version, the latest), removed or purged, the package
// lists updated, as ansible-core 2.14's apt module decides (modules/apt-packages.ts), through
// the node's dpkg-query, apt-cache and apt-get (DEBIAN_FRONTEND=noninteractive; apt-get waits
// `lock_timeout` seconds for dpkg's lock). Check mode asks apt-get with --simulate and changes
// nothing. Returns cache_updated, cache_update_time, stdout and stderr as the module does.
import { shlexQuote } from '../base/shlex.js';
import { sleep } from '../base/sleep.js';
import { packagesToInstall, packagesToRemove, parsePackageReport } from './apt-packages.js';
import { aptModule } from './package-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';
import { runNodeScript } from './node-file.js';

export interface AptArgs {
  name?: string[];
  state?: 'absent' | 'latest' | 'present';
  update_cache?: boolean;
  update_cache_retries?: number;
  update_cache_retry_max_delay?: number;
  cache_valid_time?: number;
  purge?: boolean;
  deb?: string;
  install_recommends?: boolean;
  force?: boolean;
  dpkg_options?: string;
  autoremove?: boolean;
  fail_on_autoremove?: boolean;
  only_upgrade?: boolean;
  force_apt_get?: boolean;
  allow_unauthenticated?: boolean;
  allow_downgrade?: boolean;
  allow_change_held_packages?: boolean;
  lock_timeout?: number;
}

const ENVIRONMENT = 'DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LC_ALL=C LANG=C';
const PREFLIGHT = 'command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1';

/** $@ package names: per name `P NAME`, dpkg-query's status and version, apt-cache policy's block (parsePackageReport). */
const REPORT = [
  'export LC_ALL=C',
  'for n in "$@"; do',
  '  printf "P %s\\n" "$n"',
  '  dpkg-query -W -f=\'S ${db:Status-Abbrev}|${Version}\\n\' "$n" 2>/dev/null | head -n 1',
  '  apt-cache policy "$n" 2>/dev/null',
  'done',
].join('\n');

/** Prints the node's time and the apt lists' time (the update-success stamp, else the lists directory, else 0), as get_cache_mtime. */
const CACHE_TIME = [
  'date +%s',
  'if [ -e /var/lib/apt/periodic/update-success-stamp ]; then stat -c %Y /var/lib/apt/periodic/update-success-stamp',
  'elif [ -e /var/lib/apt/lists ]; then stat -c %Y /var/lib/apt/lists; else echo 0; fi',
].join('\n');

async function shell(ctx: ModuleContext, line: string, shownAs = line) {
  const conn = await ctx.connection();
  return conn.exec(line, { signal: ctx.signal, shownAs });
}

async function cacheTimes(ctx: ModuleContext): Promise<{ now: number; mtime: number }> {
  const r = await runNodeScript(ctx, CACHE_TIME, 'hound-apt-cache-time', [], 'stat /var/lib/apt/lists');
  const [now, mtime] = r.stdout.trim().split('\n').map(Number);
  return { now, mtime: mtime || 0 };
}

/** apt-get update, tried update_cache_retries times with the module's backoff (2^n s, at most update_cache_retry_max_delay). */
export async function updateCache(
  ctx: ModuleContext,
  args: Pick<AptArgs, 'update_cache_retries' | 'update_cache_retry_max_delay'>,
  lock: string[],
): Promise<void> {
  const retries = Math.max(1, args.update_cache_retries ?? 5);
  const maxDelay = args.update_cache_retry_max_delay ?? 12;
  let error = '';
  for (let attempt = 0; attempt < retries; attempt++) {
    const line = ['apt-get', 'update', '-q', '--error-on=any', ...lock].join(' ');
    const r = await shell(ctx, `${ENVIRONMENT} ${line}`, line);
    if (r.code === 0) return;
    error = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join('\n');
    if (attempt + 1 < retries) await sleep(Math.min(2 ** attempt, maxDelay) * 1000, ctx.signal);
  }
  throw new ModuleFailure(`Failed to update apt cache: ${error || 'unknown reason'}`);
}

function dpkgOptions(args: AptArgs): string[] {
  return (args.dpkg_options ?? 'force-confdef,force-confold')
    .split(',')
    .filter((o) => o !== '')
    .flatMap((o) => ['-o', `Dpkg::Options::=--${o.trim()}`]);
}

/** The options every apt-get install shares (install() and install_deb()). */
function installOptions(args: AptArgs, check: boolean): string[] {
  return [
    ...(args.force ? ['--force-yes'] : []),
    ...(args.autoremove ? ['--auto-remove'] : []),
    ...(args.fail_on_autoremove ? ['--no-remove'] : []),
    ...(args.only_upgrade ? ['--only-upgrade'] : []),
    ...(check ? ['--simulate'] : []),
    ...(args.install_recommends === false
      ? ['-o', 'APT::Install-Recommends=no']
      : args.install_recommends === true
        ? ['-o', 'APT::Install-Recommends=yes']
        : []),
    ...(args.allow_unauthenticated ? ['--allow-unauthenticated'] : []),
    ...(args.allow_downgrade ? ['--allow-downgrades'] : []),
    ...(args.allow_change_held_packages ? ['--allow-change-held-packages'] : []),
  ];
}

async function aptGet(ctx: ModuleContext, words: string[]) {
  const line = ['apt-get', ...words].map(shlexQuote).join(' ');
  const r = await shell(ctx, `${ENVIRONMENT} ${line}`, line);
  return { ...r, line };
}

async function installDeb(ctx: ModuleContext, args: AptArgs, lock: string[]): Promise<ModuleResult> {
  const deb = args.deb!;
  if ((args.state ?? 'present') !== 'present') throw new ModuleFailure('deb only supports state=present');
  if (deb.includes('://'))
    throw new ModuleFailure(
      `hound installs a .deb already on the node; fetching ${deb} is not done: fetch it first (get_url is not available; use \`command: curl -o …\`)`,
    );
  const fields = await shell(ctx, `dpkg-deb -f ${shlexQuote(deb)} Package Version`, `dpkg-deb -f ${deb}`);
  if (fields.code !== 0) throw new ModuleFailure(`dpkg --field ${deb} Version failed`, { stdout: fields.stdout, stderr: fields.stderr });
  const name = /^Package: (.*)$/m.exec(fields.stdout)?.[1].trim() ?? '';
  const version = /^Version: (.*)$/m.exec(fields.stdout)?.[1].trim() ?? '';
  const report = await runNodeScript(ctx, REPORT, 'hound-apt-report', [name], `dpkg-query -W ${name}`);
  const state = parsePackageReport(report.stdout).get(name);
  if (state?.installed && state.installedVersion === version && !args.force) return { status: 'ok', msg: '', bytes: 0, data: { stdout: '', stderr: '' } };
  const r = await aptGet(ctx, ['-y', ...dpkgOptions(args), ...lock, ...installOptions(args, ctx.check), 'install', deb.startsWith('/') ? deb : `./${deb}`]);
  if (r.code !== 0) throw new ModuleFailure(`${r.line} failed`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
  if (!ctx.check) ctx.invalidateFacts();
  return { status: 'changed', msg: '', bytes: 0, data: { stdout: r.stdout, stderr: r.stderr } };
}

export async function manageAptPackages(args: AptArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const pre = await shell(ctx, PREFLIGHT, 'command -v apt-get');
  if (pre.code !== 0) throw new ModuleFailure('Failed to find required executables "apt-get" and "dpkg-query": this host has no apt');
  const lock = ['-o', `DPkg::Lock::Timeout=${args.lock_timeout ?? 60}`];
  let cacheUpdated = false;
  let cacheUpdateTime: number;
  const written = args.name ?? [];
  if (args.update_cache || args.cache_valid_time) {
    const before = await cacheTimes(ctx);
    cacheUpdateTime = before.mtime;
    if (before.mtime + (args.cache_valid_time ?? 0) < before.now) {
      if (!ctx.check) await updateCache(ctx, args, lock);
      const after = await cacheTimes(ctx);
      cacheUpdated = ctx.check || after.mtime !== before.mtime;
      cacheUpdateTime = after.mtime;
    }
    if (written.length === 0 && args.deb === undefined)
      return { status: cacheUpdated ? 'changed' : 'ok', msg: '', bytes: 0, data: { cache_updated: cacheUpdated, cache_update_time: cacheUpdateTime } };
  } else {
    cacheUpdateTime = (await cacheTimes(ctx)).mtime;
  }
  if (args.deb !== undefined) return installDeb(ctx, args, lock);

  const state = args.state ?? 'present';
  const specs = written.filter((p) => p !== '*').map((p) => p.trim());
  if (written.includes('*')) {
    if (state === 'latest') throw new ModuleFailure('upgrading every installed package (`name: "*"`) is not done by hound: name the packages');
    throw new ModuleFailure("No package matching '*' is available");
  }
  for (const spec of specs) {
    if (spec.split('=').length > 2) throw new ModuleFailure(`invalid package spec: ${spec}`);
    if (/[*?[]/.test(spec.split(/>?=/)[0])) throw new ModuleFailure(`package name patterns are not expanded by hound: name the packages (${spec})`);
  }
  if (specs.length === 0 && args.autoremove) {
    const r = await aptGet(ctx, ['-y', ...dpkgOptions(args), ...lock, ...(args.purge ? ['--purge'] : []), ...(ctx.check ? ['--simulate'] : []), 'autoremove']);
    if (r.code !== 0) throw new ModuleFailure(`'apt-get autoremove' failed: ${r.stderr}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
    const changed = r.stdout.includes('The following packages will be REMOVED');
    return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data: { stdout: r.stdout, stderr: r.stderr } };
  }
  const names = specs.map((s) => s.split(/>?=/)[0]);
  const report = await runNodeScript(ctx, REPORT, 'hound-apt-report', names, `apt-cache policy ${names.join(' ')}`);
  const states = parsePackageReport(report.stdout);

  if (state === 'absent') {
    const remove = packagesToRemove(specs, states, args.purge ?? false);
    if (remove.length === 0) return { status: 'ok', msg: '', bytes: 0, data: {} };
    const r = await aptGet(ctx, [
      '-q',
      '-y',
      ...dpkgOptions(args),
      ...lock,
      ...(args.purge ? ['--purge'] : []),
      ...(args.force ? ['--force-yes'] : []),
      ...(args.autoremove ? ['--auto-remove'] : []),
      ...(ctx.check ? ['--simulate'] : []),
      'remove',
      ...remove,
    ]);
    if (r.code !== 0) throw new ModuleFailure(`'apt-get remove ${remove.join(' ')}' failed: ${r.stderr}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
    if (!ctx.check) ctx.invalidateFacts();
    return { status: 'changed', msg: '', bytes: 0, data: { stdout: r.stdout, stderr: r.stderr } };
  }

  const cache = { cache_updated: cacheUpdated, cache_update_time: cacheUpdateTime };
  const decision = packagesToInstall(specs, states, { upgrade: state === 'latest', onlyUpgrade: args.only_upgrade ?? false });
  if ('failure' in decision) throw new ModuleFailure(decision.failure, decision.unknown ? {} : cache);
  if (decision.install.length === 0) return { status: 'ok', msg: '', bytes: 0, data: cache };
  const r = await aptGet(ctx, ['-y', ...dpkgOptions(args), ...lock, ...installOptions(args, ctx.check), 'install', ...decision.install]);
  if (r.code !== 0) throw new ModuleFailure(`'${r.line}' failed: ${r.stderr}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code, ...cache });
  if (!ctx.check) {
    ctx.invalidateFacts();
    const line = ['apt-mark', 'manual', ...names].map(shlexQuote).join(' ');
    const mark = await shell(ctx, line);
    if (mark.code !== 0) throw new ModuleFailure(`'${line}' failed: ${mark.stderr}`, { stdout: mark.stdout, stderr: mark.stderr, rc: mark.code });
  }
  return { status: 'changed', msg: '', bytes: 0, data: { stdout: r.stdout, stderr: r.stderr, ...cache } };
}

export const apt = controllerModule<AptArgs>(aptModule, manageAptPackages);
