// A playbook as the loader hands it to the compiler: every file read, imports and roles
// expanded in place, each task carrying where it was written. No templates rendered yet.
import type { SourcePosition } from '../base/errors.js';
import type { DataPath, YamlSource } from './yaml-source.js';
import type { Distribution, Strategy } from './compiled.js';

export type Vars = Record<string, unknown>;

/** Where a value was written, so that errors found later (at compile time) can point at it. */
export interface SourceRef {
  source: YamlSource;
  path: DataPath;
}

/** The variables a role brings to its own tasks and handlers. */
export interface RoleScope {
  name: string;
  /** defaults/main.yml: the lowest precedence of all. */
  defaults: Vars;
  /** vars/main.yml, then the parameters the role was called with (these win). */
  vars: Vars;
}

export interface LoadedTask {
  /** As written; rendered at compile time. Undefined: the module name is shown. */
  name?: string;
  /** The module's short name (ModuleDefinition.name), whatever name the task wrote. */
  module: string;
  /** The module as the task writes it (`community.docker.docker_image`), shown when the task has no name, as Ansible shows it. */
  action: string;
  /** Module arguments after free-form expansion (`command: ls` → `{cmd: 'ls'}`). */
  args: Record<string, unknown>;
  /** Where the arguments are written; free-form arguments all point at the module's value. */
  argsAt: SourceRef;
  freeForm: boolean;
  loop?: { value: unknown; at: SourceRef; flatten: boolean };
  loopVar: string;
  indexVar?: string;
  loopLabel?: unknown;
  /** Conditions of enclosing blocks/imports/roles first, then the task's own. */
  when: { expr: string | boolean; at: SourceRef }[];
  /** The task's tags plus every tag inherited from its play, role, block or import. */
  tags: string[];
  retries?: unknown;
  delay?: unknown;
  until?: string;
  ignoreErrors: unknown;
  register?: string;
  notify: { name: string; at: SourceRef }[];
  noLog: boolean;
  /** Task vars: enclosing blocks/imports first, the task's own win. */
  vars: Vars;
  role?: RoleScope;
  /** For handlers: extra topics they answer to. */
  listen: string[];
  at: SourceRef;
  position: SourcePosition;
  /** Where a relative file argument (include_vars) is looked up: the role's directory, the task file's, the playbook's. */
  searchDirs: string[];
  /** The directory of the role the task belongs to, if any. */
  roleDir?: string;
  /** include_vars with a literal file name: what it sets, read before the run (later tasks are compiled with it). */
  includedVars?: Vars;
}

export interface LoadedPlay {
  name: string;
  hosts: string;
  hostsAt: SourceRef;
  /** Play vars then vars_files, in order (later wins). */
  vars: Vars;
  serial: (number | string)[];
  serialAt?: SourceRef;
  strategy: Strategy;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** gather_facts as written; undefined when the play does not say (the `gathering` setting decides). */
  gatherFacts?: boolean;
  /** gather_subset as written (a list, or a comma-separated string). */
  gatherSubset?: string | string[];
  gatherTimeout?: number;
  distribution?: Distribution;
  tags: string[];
  /** pre_tasks, role tasks, tasks, post_tasks: flattened, in run order. */
  tasks: LoadedTask[];
  handlers: LoadedTask[];
  /** The play's file, its directory is `playbook_dir`. */
  file: string;
  position: SourcePosition;
}

export interface LoadedPlaybook {
  file: string;
  plays: LoadedPlay[];
}
