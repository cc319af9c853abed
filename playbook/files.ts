// Reading the YAML files a playbook is made of (the playbook, imported task files, roles'
// files, vars_files), each once, with a clear error pointing at whatever referred to it.
import { readFileSync, statSync } from 'node:fs';
import { EXIT, HoundError } from '../base/errors.js';
import type { SourceRef } from './model.js';
import { YamlSource } from './yaml-source.js';

export class PlaybookFiles {
  private readonly cache = new Map<string, YamlSource>();

  /** Reads and parses `file`; a missing file is reported at `referrer` (the line naming it). */
  read(file: string, referrer: SourceRef | undefined, what: string): YamlSource {
    const cached = this.cache.get(file);
    if (cached) return cached;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'does not exist'
          : (err as NodeJS.ErrnoException).code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${(err as Error).message})`;
      // Exit 1, as ansible-playbook exits when a file it needs is missing.
      throw new HoundError('FILE_NOT_FOUND', `${what} ${file} ${reason}`, EXIT.ERROR, {
        position: referrer ? referrer.source.positionOf(referrer.path) : undefined,
        hint: "relative paths are resolved from the directory of the file that names them (for roles: the role's own directory)",
      });
    }
    const source = YamlSource.parse(file, text);
    this.cache.set(file, source);
    return source;
  }

  /** True when `file` exists and is a regular file. */
  isFile(file: string): boolean {
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  }

  isDirectory(dir: string): boolean {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  }
}
