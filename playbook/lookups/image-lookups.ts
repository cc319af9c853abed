// The file side of the image lookups usable in any playbook template:
//   images_from_compose(paths, options)  images of a Compose project (files, or a folder)
//   images_from_k8s(paths)               images of Kubernetes manifests (files or folders, recursive)
// Both return de-duplicated, normalised references (`nginx` → `docker.io/library/nginx:latest`),
// in order of first appearance. Relative paths resolve against `baseDir` (the playbook's folder).
// Semantics and the differences with Compose and kubectl: docs/lookups.md.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, HoundError, ParseError } from '../../base/errors.js';
import { readInputTextSync } from '../../base/input-file.js';
import { canonicalImageRef, InvalidImageRefError, parseImageRef } from '../../base/image-ref.js';
import { composeImages } from './compose-images.js';
import { defaultEnvFiles, projectEnvironment } from './compose-project.js';
import { k8sImagesFromText } from './k8s-images.js';

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const COMPOSE_OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface LookupContext {
  baseDir: string;
  env?: Record<string, string | undefined>;
  /** Where warnings go; default: stderr as `[WARNING]: …`, as the CLI prints its own. */
  warn?: (message: string) => void;
}

export interface ComposeLookupOptions {
  /** Profiles to enable (Compose's --profile); default: every service. */
  profiles?: string[];
  /** Env files naming the project environment (Compose's --env-file); default: the project's .env. */
  envFiles?: string[];
}

const stderrWarning = (message: string) => process.stderr.write(`[WARNING]: ${message}\n`);

function asList(paths: unknown, lookup: string): string[] {
  const list = Array.isArray(paths) ? paths : [paths];
  if (list.length === 0 || list.some((p) => typeof p !== 'string' || p === '')) {
    throw new HoundError('LOOKUP_ARGUMENT', `${lookup}() takes a path or a list of paths, got ${JSON.stringify(paths)}`, 4);
  }
  return list as string[];
}

function statOrThrow(path: string, lookup: string) {
  try {
    return statSync(path);
  } catch {
    throw new HoundError('LOOKUP_FILE_NOT_FOUND', `${lookup}(): no such file or folder: ${path}`, 4, {
      hint: 'paths are relative to the playbook folder',
    });
  }
}

/** A manifest, read as every input file is (regular files only, bounded). */
function lookupFile(file: string, lookup: string): string {
  return readInputTextSync(file, { what: `${lookup}(): the file`, codes: { missing: 'LOOKUP_FILE_NOT_FOUND' }, exitCode: EXIT.PARSE });
}

const firstFile = (dir: string, names: string[]) => names.map((n) => join(dir, n)).find((p) => existsSync(p) && statSync(p).isFile());

/**
 * The compose files a path stands for. A file is itself (`docker compose -f FILE`); a folder is
 * what `docker compose` run in it reads: COMPOSE_FILE from the environment or the folder's .env,
 * else its compose file and the override file beside it (docker-compose.override.yml).
 */
function composeFilesOf(path: string, ctx: LookupContext, options: ComposeLookupOptions): string[] {
  if (!statOrThrow(path, 'images_from_compose').isDirectory()) return [path];
  const env = projectEnvironment(ctx.env ?? process.env, options.envFiles ?? defaultEnvFiles(path));
  const listed = env('COMPOSE_FILE');
  if (listed) {
    const files = listed.split(env('COMPOSE_PATH_SEPARATOR') || ':').filter((f) => f !== '');
    return files.map((f) => resolve(path, f));
  }
  const main = firstFile(path, COMPOSE_NAMES);
  if (!main)
    throw new HoundError('LOOKUP_FILE_NOT_FOUND', `images_from_compose(): no compose file in folder ${path}`, 4, {
      hint: `expected one of ${COMPOSE_NAMES.join(', ')}`,
    });
  const override = firstFile(path, COMPOSE_OVERRIDE_NAMES);
  return override ? [main, override] : [main];
}

/** The options argument: a profile, a list of profiles, or {profiles, env_file}. */
export function composeLookupOptions(value: unknown): ComposeLookupOptions {
  const strings = (v: unknown, what: string): string[] => {
    const list = Array.isArray(v) ? v : [v];
    if (list.some((s) => typeof s !== 'string' || s === '')) {
      throw new HoundError('LOOKUP_ARGUMENT', `images_from_compose(): ${what} are names, got ${JSON.stringify(v)}`, 4);
    }
    return list as string[];
  };
  if (value === undefined || value === null) return {};
  if (typeof value === 'string' || Array.isArray(value)) return { profiles: strings(value, 'profiles') };
  if (typeof value === 'object') {
    // `images_from_compose(f, profiles=[…])`: nunjucks hands keyword arguments over as one object marked __keywords.
    const { profiles, env_file: envFile, __keywords: _keywords, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw new HoundError('LOOKUP_ARGUMENT', `images_from_compose(): unknown option ${unknown.join(', ')}`, 4, { hint: 'options are profiles and env_file' });
    }
    return {
      ...(profiles === undefined ? {} : { profiles: strings(profiles, 'profiles') }),
      ...(envFile === undefined ? {} : { envFiles: strings(envFile, 'env files') }),
    };
  }
  throw new HoundError('LOOKUP_ARGUMENT', `images_from_compose(): the second argument is a profile, a list of profiles or {profiles, env_file}`, 4);
}

export function imagesFromCompose(paths: unknown, ctx: LookupContext, options: ComposeLookupOptions = {}): string[] {
  const envFiles = options.envFiles?.map((f) => resolve(ctx.baseDir, f));
  const resolved = { ...options, ...(envFiles ? { envFiles } : {}) };
  const list = asList(paths, 'images_from_compose').map((p) => resolve(ctx.baseDir, p));
  const files = list.flatMap((p) => composeFilesOf(p, ctx, resolved));
  // A folder is the project folder, as the working directory of `docker compose` is.
  const projectDir = statSync(list[0]).isDirectory() ? list[0] : undefined;
  const images = composeImages({
    files,
    ...(projectDir ? { projectDir } : {}),
    environment: ctx.env ?? process.env,
    ...(envFiles ? { envFiles } : {}),
    ...(options.profiles ? { profiles: options.profiles } : {}),
    warn: ctx.warn ?? stderrWarning,
  });
  return [...new Set(images.map((i) => i.image))];
}

function manifestFiles(path: string, named: boolean): { file: string; named: boolean }[] {
  if (!statOrThrow(path, 'images_from_k8s').isDirectory()) return [{ file: path, named }];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? manifestFiles(join(path, e.name), false) : MANIFEST_EXT.test(e.name) ? [{ file: join(path, e.name), named: false }] : [],
    );
}

/**
 * A file named in the arguments must be read; a file found in a folder that cannot be read
 * (a Helm template, a broken file) is reported and the rest of the folder is still read.
 * Nothing found at all, with files left unread, is an error: never an empty warm-up in silence.
 */
export function imagesFromK8s(paths: unknown, ctx: LookupContext): string[] {
  const warn = ctx.warn ?? stderrWarning;
  const files = asList(paths, 'images_from_k8s').flatMap((p) => manifestFiles(resolve(ctx.baseDir, p), true));
  const images: string[] = [];
  const unread: string[] = [];
  let invalid = 0;
  for (const { file, named } of files) {
    let found;
    try {
      found = k8sImagesFromText(lookupFile(file, 'images_from_k8s'), file, warn);
    } catch (err) {
      if (named || !(err instanceof HoundError)) throw err;
      unread.push(file);
      warn(`images_from_k8s(): skipped ${err.position ? `${err.position.file}:${err.position.line}:${err.position.column}` : file}: ${err.message}`);
      continue;
    }
    for (const image of found) {
      try {
        images.push(canonicalImageRef(parseImageRef(image.image)));
      } catch (err) {
        if (!(err instanceof InvalidImageRefError)) throw err;
        invalid++;
        const p = image.position;
        warn(`${p.file}:${p.line}:${p.column}: ${[image.kind, image.name].filter(Boolean).join(' ')} container "${image.container}": ${err.message}; left out`);
      }
    }
  }
  if (images.length === 0 && unread.length > 0) {
    throw new ParseError('K8S_NOTHING_READ', `images_from_k8s(): no image found, and ${unread.length} file(s) could not be read (first: ${unread[0]})`, {
      hint: 'a Helm chart must be rendered first: point at the output of `helm template` (or `kustomize build`) saved to a file',
    });
  }
  if (images.length === 0 && invalid > 0) {
    throw new ParseError('K8S_NO_VALID_IMAGE', `images_from_k8s(): the ${invalid} image(s) found are not image references (see the warnings above)`, {
      hint: 'placeholders (ko://…, <image>) must be resolved first: point at the manifests as they are applied',
    });
  }
  if (images.length === 0) warn(`images_from_k8s(${files.map((f) => f.file).join(', ')}): no pod template found, so no image to pull`);
  return [...new Set(images)];
}
