// The oracles the corpus tests compare hound's image lookups with, and the corpus entries.
//   compose: Debian's docker-compose 1.29 (`docker-compose config`), run in a clean environment.
//   k8s:     an independent walk in Python (PyYAML, as Ansible installs it) of every pod spec
//            in every document: any `containers` / `initContainers` / `ephemeralContainers`
//            list of mappings with an `image`, wherever it is in the object.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { canonicalImageRef, parseImageRef } from '../../../base/image-ref.js';

const run = promisify(execFile);
export const corpusRoot = join(import.meta.dirname, '../../fixtures/corpus');

export interface ComposeOrigin {
  repository: string;
  commit: string;
  files: { path: string; stored_as?: string }[];
  lookup: { paths: string[]; profiles?: string[]; env_files?: string[] };
  env?: Record<string, string>;
  exercises: string;
}

export interface K8sOrigin {
  repository: string;
  commit: string;
  files: { path: string; stored_as?: string }[];
  exercises: string;
}

export function corpusEntries<T>(kind: 'compose' | 'k8s'): { slug: string; dir: string; origin: T }[] {
  const root = join(corpusRoot, kind);
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((slug) => ({ slug, dir: join(root, slug), origin: JSON.parse(readFileSync(join(root, slug, 'origin.json'), 'utf8')) as T }));
}

/** Normalised and sorted; a string that is no image reference stays as `invalid:<text>` so that it shows in a comparison. */
export const normalise = (refs: Iterable<string>): string[] =>
  [
    ...new Set(
      [...refs].map((r) => {
        try {
          return canonicalImageRef(parseImageRef(r));
        } catch {
          return `invalid:${r}`;
        }
      }),
    ),
  ].sort();

export type OracleResult = { images: string[] } | { error: string };

/**
 * `docker-compose config`'s images for the entry (profiles applied as the Compose Specification
 * says). It runs on a copy of the entry, because docker-compose 1.29 refuses a `build:` context
 * that does not exist and the corpus keeps compose files, not the projects' sources: the
 * missing build folders are created (empty) in the copy, one by one as 1.29 names them.
 */
export async function composeOracle(dir: string, origin: ComposeOrigin): Promise<OracleResult> {
  const copy = mkdtempSync(join(tmpdir(), 'hound-compose-oracle-'));
  try {
    cpSync(dir, copy, { recursive: true });
    createBuildFolders(copy);
    for (let attempt = 0; ; attempt++) {
      const result = await composeConfig(copy, origin);
      const missing = 'error' in result ? /build path (\S+) either does not exist/.exec(result.error)?.[1] : undefined;
      if (!missing || attempt >= 20) return result;
      mkdirSync(missing, { recursive: true });
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * Creates (empty) the build folders that the compose files in `dir` name literally, so that
 * docker-compose runs once instead of once per missing folder (each run is a second of CPU,
 * minutes on a loaded machine for a project of five build-only services). Folders named
 * through variables are left to the loop in composeOracle, which creates what 1.29 names.
 */
function createBuildFolders(dir: string): void {
  for (const file of yamlFilesUnder(dir)) {
    let services: unknown;
    try {
      services = (parse(readFileSync(file, 'utf8'), { logLevel: 'silent' }) as { services?: unknown } | null)?.services;
    } catch {
      continue;
    }
    if (typeof services !== 'object' || services === null) continue;
    for (const service of Object.values(services as Record<string, { build?: unknown } | null>)) {
      const build = service?.build;
      const context = typeof build === 'string' ? build : (build as { context?: unknown } | undefined)?.context;
      if (typeof context !== 'string' || /[$:]/.test(context) || isAbsolute(context)) continue;
      const folder = resolve(dirname(file), context);
      if (folder.startsWith(dir + sep)) mkdirSync(folder, { recursive: true });
    }
  }
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

async function composeConfig(dir: string, origin: ComposeOrigin): Promise<OracleResult> {
  const { paths, profiles, env_files: envFiles = [] } = origin.lookup;
  const folder = paths.length === 1 && !/\.ya?ml$/.test(paths[0]);
  const args = [...envFiles.flatMap((f) => ['--env-file', f]), ...(folder ? [] : paths.flatMap((p) => ['-f', p])), 'config'];
  const cwd = folder ? join(dir, paths[0]) : dir;
  try {
    const { stdout } = await run('docker-compose', args, { cwd, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...origin.env }, maxBuffer: 32 << 20 });
    const config = parse(stdout) as { services?: Record<string, { image?: string; profiles?: string[] }> };
    const images = Object.values(config.services ?? {})
      .filter((s) => !profiles || !s.profiles || s.profiles.some((p) => profiles.includes(p)))
      .flatMap((s) => (typeof s.image === 'string' ? [s.image] : []));
    return { images: normalise(images) };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    return { error: stderr.trim().split('\n').slice(-3).join(' | ') };
  }
}

const K8S_WALK = String.raw`
import json, sys, yaml
# libyaml's loader when PyYAML has it (as Ansible prefers it): the same safe loading, for a
# quarter of the CPU of the pure-Python one, which needs seconds for a 3 MB install manifest.
Loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
found = {}
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ('containers', 'initContainers', 'ephemeralContainers') and isinstance(value, list):
                for c in value:
                    if isinstance(c, dict) and isinstance(c.get('image'), str) and c['image'].strip():
                        found[c['image'].strip()] = True
            walk(value)
    elif isinstance(node, list):
        for item in node:
            walk(item)
unreadable = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding='utf-8') as f:
            docs = list(yaml.load_all(f, Loader=Loader))
    except Exception as e:
        unreadable.append(path)
        continue
    for doc in docs:
        walk(doc)
print(json.dumps({'images': list(found), 'unreadable': unreadable}))
`;

/** The oracle walk over the manifest files (recursive, *.yaml / *.yml / *.json), in Python with PyYAML. */
export async function k8sOracle(files: string[]): Promise<{ images: string[]; unreadable: string[] }> {
  const { stdout } = await run('python3', ['-c', K8S_WALK, ...files], { maxBuffer: 32 << 20 });
  const out = JSON.parse(stdout) as { images: string[]; unreadable: string[] };
  return { images: normalise(out.images), unreadable: out.unreadable };
}
