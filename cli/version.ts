// hound's version, read from its own package.json (never written twice). The file sits at
// the package root: one level above cli/ in the sources, two above dist/cli/ when built or
// installed from the packed tarball.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function houndVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hound-warmup' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here: look one level up
    }
  }
  return (cached = 'unknown');
}
