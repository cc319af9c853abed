// What a path names, asked without throwing: a missing or unreadable path is neither a file
// nor a directory (as Python's os.path.isfile and isdir answer, which Ansible's lookups use).
import { statSync } from 'node:fs';

/** True when `file` exists and is a regular file (links followed). */
export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** True when `dir` exists and is a directory (links followed). */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
