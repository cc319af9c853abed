// `apt_repository`: a one-line apt source added (in sources.list.d, the file named from its
// URI or `filename`) or removed, as ansible-core 2.14's module does (modules/apt-sources.ts),
// on the files apt itself reads (`apt-config` names them); then apt-get update, the files put
// back if that fails. Only the files whose sources change are rewritten (the module rewrites
// every .list file, normalised). Launchpad PPAs (`ppa:`) are refused.
import { posix } from 'node:path';
import { editSources, repoSource, sourceFileName } from './apt-sources.js';
import { updateCache } from './apt.js';
import { aptRepositoryModule } from './package-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';
import { runNodeScript, writeFileAtomically } from './node-file.js';

export interface AptRepositoryArgs {
  repo: string;
  state?: 'absent' | 'present';
  mode?: string | number | null;
  update_cache?: boolean;
  update_cache_retries?: number;
  update_cache_retry_max_delay?: number;
  filename?: string;
  install_python_apt?: boolean;
}

/** Prints `D <sourceparts dir>`, then per sources file `F <path>` and its bytes in base64 on the next line. */
const READ_SOURCES = [
  'command -v apt-config >/dev/null 2>&1 || { echo "Failed to find required executable \\"apt-config\\": this host has no apt" >&2; exit 10; }',
  'eval "$(apt-config shell L Dir::Etc::sourcelist/f P Dir::Etc::sourceparts/d)"',
  'printf "D %s\\n" "$P"',
  'for f in "$L" "$P"*.list; do [ -f "$f" ] || continue; printf "F %s\\n" "$f"; base64 -w0 < "$f" || exit 1; echo; done',
].join('\n');

/** The mode a new sources file gets: `mode` as octal, else 0644 (the module's default). */
function sourcesFileMode(mode: AptRepositoryArgs['mode']): number {
  if (mode === undefined || mode === null) return 0o644;
  if (typeof mode === 'number') return mode;
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new ModuleFailure(`mode must be octal for apt_repository in hound (got ${mode})`);
  return parseInt(mode, 8);
}

async function writeSources(ctx: ModuleContext, texts: Map<string, string | undefined>, mode: number): Promise<void> {
  for (const [path, text] of texts) {
    if (text === undefined || text === '') {
      const r = await runNodeScript(ctx, 'rm -f -- "$1"', 'hound-rm', [path], `rm ${path}`);
      if (r.code !== 0) throw new ModuleFailure(`Could not remove ${path}: ${r.stderr.trim()}`);
    } else await writeFileAtomically(ctx, path, Buffer.from(text), { newMode: mode });
  }
}

export async function manageAptRepository(args: AptRepositoryArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const state = args.state ?? 'present';
  if (!args.repo) throw new ModuleFailure("Please set argument 'repo' to a non-empty value");
  if (args.repo.startsWith('ppa:')) throw new ModuleFailure('Launchpad PPAs (`ppa:`) are not expanded by hound: write the deb line');
  const parsed = repoSource(args.repo);
  if ('invalid' in parsed) throw new ModuleFailure(parsed.invalid);
  const read = await runNodeScript(ctx, READ_SOURCES, 'hound-apt-sources', [], 'apt-config shell; cat sources');
  if (read.code !== 0) throw new ModuleFailure(read.stderr.trim() || `reading apt's sources failed (exit ${read.code})`);
  const lines = read.stdout.split('\n');
  const partsDir = (lines.find((l) => l.startsWith('D ')) ?? 'D /etc/apt/sources.list.d/').slice(2);
  const files = new Map<string, string>();
  for (let i = 0; i < lines.length; i++)
    if (lines[i].startsWith('F ')) files.set(posix.normalize(lines[i].slice(2)), Buffer.from(lines[i + 1] ?? '', 'base64').toString('utf8'));
  const name = sourceFileName(parsed.source, args.filename);
  const newFile = posix.normalize(name.includes('/') ? name : posix.join(partsDir, name));
  const changes = editSources(files, parsed.source, state, newFile);
  const result = { repo: args.repo, state };
  if (changes.size === 0) return { status: 'ok', msg: '', bytes: 0, data: result };
  if (!ctx.check) {
    const mode = sourcesFileMode(args.mode);
    await writeSources(ctx, new Map([...changes].map(([path, c]) => [path, c.after])), mode);
    if (args.update_cache ?? true) {
      try {
        await updateCache(ctx, args, []);
      } catch (err) {
        await writeSources(ctx, new Map([...changes].map(([path, c]) => [path, c.before])), mode);
        throw err;
      }
    }
  }
  const diff = [...changes].map(([path, c]) => ({
    before: c.before ?? '',
    after: c.after,
    before_header: c.before === undefined ? '/dev/null' : path,
    after_header: c.after === '' ? '/dev/null' : path,
  }));
  return { status: 'changed', msg: '', bytes: 0, data: { ...result, ...(ctx.diff ? { diff } : {}) } };
}

export const aptRepository = controllerModule<AptRepositoryArgs>(aptRepositoryModule, manageAptRepository);
