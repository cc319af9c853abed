// `git`: a checkout of a repository on the node at `version` (HEAD, a branch, a tag or a
// commit), through the node's git command, step by step as ansible-core 2.14's git module
// (the same git commands: clone, status, fetch, checkout/reset), with its results (`before`,
// `after`, `remote_url_changed`) and its failures (local modifications without `force`).
// Bare clones, refspecs, signatures, archives and submodules are not done: a checkout that has
// submodules fails saying so unless `recursive: false`.
import { posix } from 'node:path';
import { shlexQuote } from '../base/shlex.js';
import { gitModule } from './package-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface GitArgs {
  repo: string;
  dest?: string;
  version?: string;
  remote?: string;
  force?: boolean;
  depth?: number;
  clone?: boolean;
  update?: boolean;
  accept_hostkey?: boolean;
  accept_newhostkey?: boolean;
  key_file?: string;
  ssh_opts?: string;
  executable?: string;
  recursive?: boolean;
  single_branch?: boolean;
}

/** GIT_SSH_COMMAND for the module's ssh options (accept_hostkey, key_file, ssh_opts), or undefined. */
export function gitSshCommand(args: Pick<GitArgs, 'accept_hostkey' | 'accept_newhostkey' | 'key_file' | 'ssh_opts'>): string | undefined {
  let opts = args.ssh_opts;
  for (const [wanted, option] of [
    [args.accept_hostkey, '-o StrictHostKeyChecking=no'],
    [args.accept_newhostkey, '-o StrictHostKeyChecking=accept-new'],
  ] as const) {
    if (!wanted) continue;
    if (opts === undefined) opts = option;
    else if (!opts.includes('-o StrictHostKeyChecking=no') && !opts.includes('-o StrictHostKeyChecking=accept-new')) opts += ` ${option}`;
  }
  if (args.key_file === undefined && opts === undefined) return undefined;
  return [
    'ssh',
    ...(args.key_file !== undefined ? ['-i', shlexQuote(args.key_file), '-o', 'IdentitiesOnly=yes'] : []),
    ...(opts !== undefined ? [opts] : []),
  ].join(' ');
}

/** The sha a `ls-remote` answer names for `version` (a tag's peeled `^{}` line first, as get_remote_head). */
export function remoteRevision(out: string, version: string, tag: boolean): string | undefined {
  let line = out;
  if (tag) {
    for (const l of out.split('\n')) {
      if (l.endsWith(`${version}^{}`)) {
        line = l;
        break;
      } else if (l.endsWith(version)) line = l;
    }
  }
  return line.split(/\s+/)[0] || undefined;
}

/** `git status --porcelain` lines other than untracked files (has_local_mods). */
export function hasLocalModifications(porcelain: string): boolean {
  return porcelain.split('\n').some((l) => l !== '' && !l.startsWith('??'));
}

/** Whether two remote URLs are the same repository (unfrackgitpath: a local path resolved, a trailing slash ignored). */
function sameRemote(a: string, b: string): boolean {
  const norm = (u: string) =>
    (u.startsWith('file://') ? posix.normalize(u.slice(7)) : u.includes('://') || u.includes('@') ? u : posix.normalize(u)).replace(/\/$/, '');
  return a === b || norm(a) === norm(b);
}

class Git {
  constructor(
    private readonly ctx: ModuleContext,
    private readonly args: GitArgs,
    readonly repo: string,
    readonly dest: string,
  ) {}

  async run(words: string[], cwd: string | null = this.dest): Promise<{ code: number | null; stdout: string; stderr: string; line: string }> {
    const conn = await this.ctx.connection();
    const ssh = gitSshCommand(this.args);
    const line = [this.args.executable ?? 'git', ...words].map(shlexQuote).join(' ');
    const env = `LC_ALL=C LANG=C${ssh !== undefined ? ` GIT_SSH_COMMAND=${shlexQuote(ssh)}` : ''}`;
    const full = `${cwd !== null ? `cd ${shlexQuote(cwd)} && ` : ''}${env} ${line}`;
    const r = await conn.exec(full, { signal: this.ctx.signal, shownAs: line });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, line };
  }

  /** run_command(check_rc=True): a failure ends the task with the command's output. */
  async must(words: string[], cwd: string | null = this.dest): Promise<string> {
    const r = await this.run(words, cwd);
    if (r.code !== 0)
      throw new ModuleFailure(r.stderr.trim() || r.stdout.trim() || `${r.line} failed`, { cmd: r.line, rc: r.code, stdout: r.stdout, stderr: r.stderr });
    return r.stdout;
  }

  async version(): Promise<string> {
    return (await this.run(['rev-parse', 'HEAD'])).stdout.replace(/\n$/, '');
  }

  async isRemoteBranch(remote: string, version: string, cwd: string | null = this.dest): Promise<boolean> {
    return (await this.must(['ls-remote', remote, '-h', `refs/heads/${version}`], cwd)).includes(version);
  }

  async isRemoteTag(remote: string, version: string, cwd: string | null = this.dest): Promise<boolean> {
    return (await this.must(['ls-remote', remote, '-t', `refs/tags/${version}`], cwd)).includes(version);
  }

  async isLocalBranch(version: string): Promise<boolean> {
    const out = await this.must(['branch', '--no-color', '-a']);
    return out.split('\n').some((l) => l.replace(/^\*/, '').trim() === version);
  }

  /** The remote's default branch as the checkout knows it (refs/remotes/REMOTE/HEAD), else the checked-out branch. */
  async headBranch(remote: string): Promise<string> {
    const r = await this.run(['symbolic-ref', '-q', `refs/remotes/${remote}/HEAD`]);
    if (r.code === 0) return r.stdout.trim().slice(`refs/remotes/${remote}/`.length);
    return (await this.must(['symbolic-ref', '-q', 'HEAD'])).trim().replace(/^refs\/heads\//, '');
  }

  async remoteHead(version: string, remote: string, cloning: boolean): Promise<string> {
    const cwd = cloning ? null : this.dest;
    let words: string[];
    let tag = false;
    if (version === 'HEAD') words = cloning ? ['ls-remote', remote, '-h', 'HEAD'] : ['ls-remote', remote, '-h', `refs/heads/${await this.headBranch(remote)}`];
    else if (await this.isRemoteBranch(remote, version, cwd)) words = ['ls-remote', remote, '-h', `refs/heads/${version}`];
    else if (await this.isRemoteTag(remote, version, cwd)) {
      tag = true;
      words = ['ls-remote', remote, '-t', `refs/tags/${version}*`];
    } else return version;
    const r = await this.run(words, cwd);
    if (r.code !== 0) throw new ModuleFailure(r.stderr.trim(), { cmd: r.line, rc: r.code, stdout: r.stdout, stderr: r.stderr });
    const rev = r.stdout === '' ? undefined : remoteRevision(r.stdout, version, tag);
    if (rev === undefined) throw new ModuleFailure(`Could not determine remote revision for ${version}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
    return rev;
  }
}

export async function manageCheckout(args: GitArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const version = args.version ?? 'HEAD';
  const remote = args.remote ?? 'origin';
  const allowClone = args.clone ?? true;
  const repo = args.repo.startsWith('/') ? `file://${args.repo}` : args.repo;
  if (args.dest === undefined && allowClone) throw new ModuleFailure('the destination directory must be specified unless clone=no');
  const dest = args.dest === undefined ? '' : posix.resolve('/', args.dest);
  const git = new Git(ctx, args, repo, dest);
  const conn = await ctx.connection();
  const probe = await conn.exec(`command -v ${shlexQuote(args.executable ?? 'git')} >/dev/null 2>&1 && test -e ${shlexQuote(`${dest}/.git/config`)}`, {
    signal: ctx.signal,
    shownAs: `test -e ${dest}/.git/config`,
  });
  const present = probe.code === 0;
  if (!present && (await conn.exec(`command -v ${shlexQuote(args.executable ?? 'git')}`, { signal: ctx.signal })).code !== 0)
    throw new ModuleFailure(`Failed to find required executable "${args.executable ?? 'git'}" in paths: this host has no git`);
  const result: Record<string, unknown> = { before: null };
  let changed = false;
  let localMods = false;

  if (args.dest === undefined || !present) {
    if (ctx.check || !allowClone) {
      const after = await git.remoteHead(version, repo, true);
      return { status: 'changed', msg: '', bytes: 0, data: { ...result, after } };
    }
    const isBranchOrTag = (await git.isRemoteBranch(repo, version, null)) || (await git.isRemoteTag(repo, version, null));
    const words = ['clone', '--origin', remote];
    if (args.depth) {
      if (version === 'HEAD') words.push('--depth', String(args.depth));
      else if (isBranchOrTag) words.push('--depth', String(args.depth), '--branch', version);
    }
    if (args.single_branch) {
      words.push('--single-branch');
      if (isBranchOrTag) words.push('--branch', version);
    }
    await conn.exec(`mkdir -p ${shlexQuote(posix.dirname(dest))}`, { signal: ctx.signal });
    await git.must([...words, repo, dest], posix.dirname(dest));
  } else if (args.update === false) {
    const before = await git.version();
    return { status: 'ok', msg: '', bytes: 0, data: { before, after: before } };
  } else {
    localMods = hasLocalModifications((await git.run(['status', '--porcelain'])).stdout);
    result.before = await git.version();
    if (localMods) {
      if (!args.force) throw new ModuleFailure(`Local modifications exist in the destination: ${dest} (force=no).`, result);
      if (!ctx.check) {
        await git.must(['reset', '--hard', 'HEAD']);
        changed = true;
        result.msg = `Local modifications exist in the destination: ${dest}`;
      }
    }
    const current = await git.run(['ls-remote', '--get-url', remote]);
    const remoteUrl = current.code === 0 ? current.stdout.replace(/\n$/, '') : undefined;
    const urlDiffers = remoteUrl === undefined || !sameRemote(remoteUrl, repo);
    let remoteUrlChanged = urlDiffers && remoteUrl !== undefined && remoteUrl !== '';
    if (ctx.check) {
      result.remote_url_changed = remoteUrlChanged;
      const after = await git.remoteHead(version, remote, false);
      return { status: result.before !== after || remoteUrlChanged ? 'changed' : 'ok', msg: '', bytes: 0, data: { ...result, after } };
    }
    if (urlDiffers) {
      await git.must(['remote', 'set-url', remote, repo]);
      remoteUrlChanged = remoteUrl !== undefined;
    }
    result.remote_url_changed = remoteUrlChanged;
    changed ||= remoteUrlChanged;
    await fetch(git, args, version, remote);
  }

  await switchVersion(git, args, version, remote);
  if (args.recursive !== false) {
    const modules = await conn.exec(`test -f ${shlexQuote(`${dest}/.gitmodules`)}`, { signal: ctx.signal });
    if (modules.code === 0) throw new ModuleFailure(`${dest} has submodules, which hound does not update: set \`recursive: false\` to check out without them`);
  }
  result.after = await git.version();
  if (result.before !== result.after || localMods) changed = true;
  if (changed) ctx.invalidateFacts();
  return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data: result };
}

async function fetch(git: Git, args: GitArgs, version: string, remote: string): Promise<void> {
  const words = ['fetch'];
  let refspecs: string[] = [];
  if (args.depth) {
    const head = await git.headBranch(remote);
    if (version === 'HEAD') refspecs.push(head);
    else if (await git.isRemoteBranch(git.repo, version)) {
      if (head !== version) refspecs.push(`+refs/heads/${version}:refs/heads/${version}`);
      refspecs.push(`+refs/heads/${version}:refs/remotes/${remote}/${version}`);
    } else if (await git.isRemoteTag(git.repo, version)) refspecs.push(`+refs/tags/${version}:refs/tags/${version}`);
    if (refspecs.length > 0) words.push('--depth', String(args.depth));
  }
  if (!args.depth || refspecs.length === 0) {
    words.push('--tags');
    refspecs = [];
  }
  if (args.force) words.push('--force');
  const r = await git.run([...words, remote, ...refspecs]);
  if (r.code !== 0) throw new ModuleFailure(`Failed to download remote objects and refs: ${r.stdout} ${r.stderr}`, { cmd: r.line });
}

async function switchVersion(git: Git, args: GitArgs, version: string, remote: string): Promise<void> {
  let words: string[];
  if (version === 'HEAD') {
    const branch = await git.headBranch(remote);
    const r = await git.run(['checkout', '--force', branch]);
    if (r.code !== 0) throw new ModuleFailure(`Failed to checkout branch ${branch}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
    words = ['reset', '--hard', `${remote}/${branch}`, '--'];
  } else if (await git.isRemoteBranch(remote, version)) {
    if (args.depth && !(await git.isLocalBranch(version)))
      await git.must(['fetch', `--depth=${args.depth}`, remote, `+refs/heads/${version}:refs/remotes/${remote}/${version}`]);
    if (!(await git.isLocalBranch(version))) words = ['checkout', '--track', '-b', version, `${remote}/${version}`];
    else {
      const r = await git.run(['checkout', '--force', version]);
      if (r.code !== 0) throw new ModuleFailure(`Failed to checkout branch ${version}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
      words = ['reset', '--hard', `${remote}/${version}`];
    }
  } else words = ['checkout', '--force', version];
  const r = await git.run(words);
  if (r.code !== 0) throw new ModuleFailure(`Failed to checkout ${version}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code, cmd: r.line });
}

export const git = controllerModule<GitArgs>(gitModule, manageCheckout);
