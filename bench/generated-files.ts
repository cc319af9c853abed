// Writes a run's generated files (inventory, host_vars, playbooks) under its work dir.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFiles(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}
