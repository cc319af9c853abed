// images_from_compose(): the images named by docker-compose files, so a warm-up can
// follow what is already written down. Compose semantics that matter for images:
// `${VAR}`, `${VAR:-default}`, `${VAR-default}` interpolation, `$$` escapes, YAML
// anchors and merge keys, several files (later files override a service's image),
// services with only `build:` have no pullable image and are left out.
import { parseAllDocuments } from 'yaml';
import { ParseError, lineOf } from '../../base/errors.js';

export interface ComposeImage {
  service: string;
  image: string;
  file: string;
}

const INTERPOLATION = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Compose's variable interpolation, as `docker compose config` does it. */
export function interpolateCompose(value: string, env: Record<string, string | undefined>, file: string): string {
  return value.replace(INTERPOLATION, (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string;
    const current = env[name];
    const unsetOrEmpty = current === undefined || current === '';
    switch (op) {
      case ':-':
        return unsetOrEmpty ? (arg ?? '') : current;
      case '-':
        return current === undefined ? (arg ?? '') : current;
      case ':?':
      case '?':
        if (op === ':?' ? unsetOrEmpty : current === undefined) {
          throw new ParseError('COMPOSE_REQUIRED_VARIABLE', `${file}: required variable ${name} is not set${arg ? `: ${arg}` : ''}`, {
            hint: `set ${name} in the environment of hound`,
          });
        }
        return current as string;
      default:
        return current ?? '';
    }
  });
}

/** Reads the services' images from the text of one compose file. */
export function composeImagesFromText(text: string, file: string, env: Record<string, string | undefined> = {}): ComposeImage[] {
  const docs = parseAllDocuments(text, { merge: true });
  const out: ComposeImage[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const [line, column] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
      throw new ParseError('COMPOSE_YAML', `invalid YAML in compose file: ${e.message.split('\n')[0]}`, {
        position: { file, line, column, sourceLine: lineOf(text, line) },
      });
    }
    const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (data === null || data === undefined) continue;
    const services = (data as { services?: unknown }).services;
    if (typeof services !== 'object' || services === null) continue;
    for (const [service, spec] of Object.entries(services as Record<string, unknown>)) {
      const image = (spec as { image?: unknown } | null)?.image;
      if (typeof image !== 'string' || image.trim() === '') continue;
      out.push({ service, image: interpolateCompose(image.trim(), env, file), file });
    }
  }
  return out;
}

/** Later files override earlier ones per service, as `docker compose -f a -f b` does. */
export function mergeComposeImages(perFile: ComposeImage[][]): ComposeImage[] {
  const byService = new Map<string, ComposeImage>();
  for (const images of perFile) for (const img of images) byService.set(img.service, img);
  return [...byService.values()];
}
