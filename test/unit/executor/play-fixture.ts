// Builds CompiledPlay values by hand for scheduler and executor tests.
import { plainTaskFields, type CompiledPlay, type TaskInstance } from '../../../playbook/compiled.js';

export function task(host: string, taskIndex: number, extra: Partial<TaskInstance> = {}): TaskInstance {
  return {
    id: `0:${taskIndex}:${host}${extra.loopItem !== undefined ? `:${String(extra.loopItem)}` : ''}`,
    host,
    taskIndex,
    name: extra.name ?? `task ${taskIndex}`,
    module: 'debug',
    args: { msg: `t${taskIndex}` },
    ...plainTaskFields(),
    vars: {},
    order: [taskIndex],
    tags: [],
    blocks: [],
    position: { file: 'play.yml', line: taskIndex + 1, column: 1 },
    searchDirs: [],
    ...extra,
  };
}

export function play(hosts: string[], tasksPerHost: number, extra: Partial<CompiledPlay> = {}): CompiledPlay {
  return {
    name: 'test play',
    hosts,
    batches: [hosts],
    strategy: 'linear',
    anyErrorsFatal: false,
    gatherFacts: false,
    tasksByHost: new Map(hosts.map((h) => [h, Array.from({ length: tasksPerHost }, (_, i) => task(h, i))])),
    handlers: [],
    position: { file: 'play.yml', line: 1, column: 1 },
    ...extra,
  };
}
