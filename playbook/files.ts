// Reading the YAML files a playbook is made of (the playbook, imported task files, roles'
// files, vars_files), each once, with a clear error pointing at whatever referred to it.
// Vault-encrypted files and `!vault` values are decrypted here.
import { statSync } from 'node:fs';
import { isDirectory, isFile } from '../base/file-kind.js';
import { readInputTextSync } from '../base/input-file.js';
import type { SourceRef } from './model.js';
import { MAX_PLAYBOOK_FILE_BYTES, YamlSource } from './yaml-source.js';
import type { VaultReading } from '../vault/vaulted-yaml.js';

export class PlaybookFiles {
  private readonly cache = new Map<string, YamlSource>();

  /** `vault`: how vault-encrypted files and `!vault` values are opened; `warn`: where each file's warnings go, once. */
  constructor(
    private readonly vault?: VaultReading,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  /** Reads and parses `file`; a missing file is reported at `referrer` (the line naming it). */
  read(file: string, referrer: SourceRef | undefined, what: string): YamlSource {
    const cached = this.cache.get(file);
    if (cached) return cached;
    const text = readInputTextSync(file, {
      what,
      maxBytes: MAX_PLAYBOOK_FILE_BYTES,
      position: referrer ? referrer.source.positionOf(referrer.path) : undefined,
      // Exit 4 for size, as before; 1 for a file that is missing or not a file, as ansible-playbook.
      codes: { 'too-large': 'YAML_TOO_LARGE' },
      hint: "relative paths are resolved from the directory of the file that names them (for roles: the role's own directory)",
    });
    const source = YamlSource.parse(file, text, this.vault);
    this.cache.set(file, source);
    for (const warning of source.warnings) this.warn(warning);
    return source;
  }

  /** True when something (a file, a folder, a FIFO…) is at `file`. */
  exists(file: string): boolean {
    try {
      statSync(file);
      return true;
    } catch {
      return false;
    }
  }

  /** True when `file` exists and is a regular file. */
  isFile(file: string): boolean {
    return isFile(file);
  }

  isDirectory(dir: string): boolean {
    return isDirectory(dir);
  }
}
