// Writes a folder of files for a test: each name is a path under the folder, its parents made.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}
