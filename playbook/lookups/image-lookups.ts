// The file side of the image lookups usable in any playbook template:
//   images_from_compose(paths)   images of docker-compose files (or folders holding one)
//   images_from_k8s(paths)       images of Kubernetes manifests (files or folders, recursive)
// Both return de-duplicated, normalised references (`nginx` → `docker.io/library/nginx:latest`),
// in order of first appearance. Relative paths resolve against `baseDir` (the playbook's folder).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HoundError } from '../../base/errors.js';
import { canonicalImageRef, parseImageRef } from '../../base/image-ref.js';
import { composeImagesFromText, mergeComposeImages } from './compose-images.js';
import { k8sImagesFromText } from './k8s-images.js';

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface LookupContext {
  baseDir: string;
  env?: Record<string, string | undefined>;
}

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

function uniqueNormalised(refs: string[]): string[] {
  const seen = new Set<string>();
  for (const ref of refs) seen.add(canonicalImageRef(parseImageRef(ref)));
  return [...seen];
}

function composeFileOf(path: string): string {
  if (!statOrThrow(path, 'images_from_compose').isDirectory()) return path;
  const found = COMPOSE_NAMES.map((n) => join(path, n)).find((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (!found)
    throw new HoundError('LOOKUP_FILE_NOT_FOUND', `images_from_compose(): no compose file in folder ${path}`, 4, {
      hint: `expected one of ${COMPOSE_NAMES.join(', ')}`,
    });
  return found;
}

export function imagesFromCompose(paths: unknown, ctx: LookupContext): string[] {
  const files = asList(paths, 'images_from_compose').map((p) => composeFileOf(resolve(ctx.baseDir, p)));
  const env = ctx.env ?? process.env;
  const merged = mergeComposeImages(files.map((f) => composeImagesFromText(readFileSync(f, 'utf8'), f, env)));
  return uniqueNormalised(merged.map((m) => m.image));
}

function manifestFiles(path: string): string[] {
  if (!statOrThrow(path, 'images_from_k8s').isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? manifestFiles(join(path, e.name)) : MANIFEST_EXT.test(e.name) ? [join(path, e.name)] : []));
}

export function imagesFromK8s(paths: unknown, ctx: LookupContext): string[] {
  const files = asList(paths, 'images_from_k8s').flatMap((p) => manifestFiles(resolve(ctx.baseDir, p)));
  return uniqueNormalised(files.flatMap((f) => k8sImagesFromText(readFileSync(f, 'utf8'), f).map((i) => i.image)));
}
