// Which tasks run under --tags/--skip-tags, exactly as Ansible's Taggable.evaluate_tags
// decides: `always` runs unless skipped by name, `never` only when asked for by a tag,
// `tagged`/`untagged`/`all` select by whether a task has tags at all.
import { OptionsError } from '../base/errors.js';

const UNTAGGED = ['untagged'];

export interface TagSelection {
  /** --tags; empty means all. */
  only: string[];
  /** --skip-tags. */
  skip: string[];
}

export function shouldRun(taskTags: readonly string[], selection: TagSelection): boolean {
  const tags = new Set(taskTags.length > 0 ? taskTags : UNTAGGED);
  const only = selection.only.length > 0 ? selection.only : ['all'];
  const meets = (list: readonly string[]) => list.some((t) => tags.has(t));
  let run: boolean;
  if (tags.has('always')) run = true;
  else if (only.includes('all') && !tags.has('never')) run = true;
  else if (meets(only)) run = true;
  else run = only.includes('tagged') && taskTags.length > 0 && !tags.has('never');
  if (run && selection.skip.length > 0) {
    if (selection.skip.includes('all')) {
      if (!tags.has('always') || selection.skip.includes('always')) run = false;
    } else if (meets(selection.skip)) run = false;
    else if (selection.skip.includes('tagged') && taskTags.length > 0) run = false;
  }
  return run;
}

/** Parses repeated, comma-separated --tags / --skip-tags values. */
export function parseTagOption(values: readonly string[], option: string): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const raw of value.split(',')) {
      const tag = raw.trim();
      if (tag === '' || /\s/.test(tag)) {
        throw new OptionsError('BAD_TAGS', `${option} ${JSON.stringify(value)}: ${tag === '' ? 'empty tag' : `tag ${JSON.stringify(tag)} contains spaces`}`, {
          hint: `give a comma-separated list of tags, e.g. ${option} pull,login`,
        });
      }
      if (!out.includes(tag)) out.push(tag);
    }
  }
  return out;
}
