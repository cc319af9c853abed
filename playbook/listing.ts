// --list-hosts, --list-tasks and --list-tags, printed the way ansible-playbook prints them.
import path from 'node:path';
import type { CompiledPlay } from './compiled.js';
import type { ListedInclude, LoadedPlay, LoadedPlaybook } from './model.js';
import { shouldRun, type TagSelection } from './tags.js';

export interface ListingChoice {
  hosts: boolean;
  tasks: boolean;
  tags: boolean;
}

function tagList(tags: Iterable<string>): string {
  return `[${[...tags].join(', ')}]`;
}

/** `role : name` as ansible-playbook --list-tasks shows a role's named task; the module name when the task has none. */
function taskLabel(task: LoadedPlay['tasks'][number]): string {
  return task.name === undefined ? task.action : task.role ? `${task.role.name} : ${task.name}` : task.name;
}

/**
 * The listing for one playbook. `compiled` are the compiled plays of this playbook, in
 * order (their hosts are the matched hosts after --limit).
 */
export function listPlaybook(
  playbook: LoadedPlaybook,
  compiled: CompiledPlay[],
  choice: ListingChoice,
  selection: TagSelection,
  displayName = path.relative(process.cwd(), playbook.file) || playbook.file,
): string {
  const out: string[] = ['', `playbook: ${displayName}`];
  playbook.plays.forEach((play, index) => {
    const hosts = compiled[index]?.hosts ?? [];
    out.push('', `  play #${index + 1} (${play.hosts}): ${play.name}\tTAGS: ${tagList(play.tags)}`);
    if (choice.hosts) {
      out.push(`    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`);
      for (const host of hosts) out.push(`      ${host}`);
    }
    // As ansible-playbook: what include_tasks and include_role bring in is known only as they
    // run, so neither lists it; the include itself is listed.
    const shown = new Set<unknown>();
    const listed = play.tasks.flatMap((task): ListedInclude[] => {
      if (task.includedBy !== undefined) return [];
      if (!task.listedAs) return [{ label: taskLabel(task), tags: task.tags }];
      if (shown.has(task.listedAs)) return [];
      shown.add(task.listedAs);
      return [task.listedAs];
    });
    const selected = listed.filter((task) => shouldRun(task.tags, selection));
    if (choice.tasks) {
      out.push('    tasks:');
      for (const task of selected) out.push(`      ${task.label}\tTAGS: ${tagList(task.tags)}`);
    }
    if (choice.tags) {
      const tags = new Set<string>();
      for (const task of selected) for (const tag of task.tags) tags.add(tag);
      out.push(`      TASK TAGS: ${tagList([...tags].sort())}`);
    }
  });
  return out.join('\n') + '\n';
}
