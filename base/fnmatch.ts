// Python's fnmatch: shell-style patterns (* ? [seq] [!seq]) matched against a whole name, as
// Ansible matches host patterns (`web*`), fact filters (setup's `filter`) and file globs (the
// fileglob lookup). Patterns come from users, so they run on the linear-time engine.
import { UserRegex } from './user-regex.js';

/** Python's fnmatch.translate, anchored at both ends, on the linear-time engine (`*a*a*a*b` cannot backtrack). */
export function globToRegExp(glob: string): UserRegex {
  let out = '';
  let i = 0;
  const n = glob.length;
  while (i < n) {
    const c = glob[i++];
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i;
      if (j < n && glob[j] === '!') j++;
      if (j < n && glob[j] === ']') j++;
      while (j < n && glob[j] !== ']') j++;
      if (j >= n) out += '\\[';
      else {
        let stuff = glob.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (!stuff) out += '[^\\s\\S]';
        else if (stuff === '!') out += '.';
        else {
          if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
          else if (stuff[0] === '^' || stuff[0] === '[') stuff = '\\' + stuff;
          // A `]` right after `[` or `[!` is literal in Python; JS needs it escaped.
          out += `[${stuff.replace(/]/g, '\\]')}]`;
        }
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return UserRegex.compile(`^(?:${out})$`, { dotAll: true });
}

/** Whether `name` matches `pattern` (Python's fnmatch.fnmatchcase). */
export function fnmatch(name: string, pattern: string): boolean {
  return globToRegExp(pattern).test(name);
}
