// A playbook as the loader hands it to the compiler: every file read, imports and roles
// expanded in place, each task carrying where it was written. No templates rendered yet.
import type { HoundError, SourcePosition } from '../base/errors.js';
import type { DataPath, YamlSource } from './yaml-source.js';
import type { BlockFrame, Distribution, Strategy } from './compiled.js';

export type Vars = Record<string, unknown>;

/** Where a value was written, so that errors found later (at compile time) can point at it. */
export interface SourceRef {
  source: YamlSource;
  path: DataPath;
}

/** The variables a role brings to its own tasks and handlers. */
export interface RoleScope {
  name: string;
  /** The role's folder (for with_fileglob's files/). */
  dir: string;
  /** defaults/main.yml: the lowest precedence of all. */
  defaults: Vars;
  /** vars/main.yml, then the parameters the role was called with (these win). */
  vars: Vars;
}

/** A keyword's value as written (rendered at compile or run time), and where. */
export interface KeywordValue {
  value: unknown;
  at: SourceRef;
}

/**
 * Keywords a task inherits from its play, role entry, blocks and imports, each level
 * replacing the one above (Ansible's play < role < block < task). `environment` and
 * `module_defaults` are merged across levels instead (see LoadedTask).
 */
export const INHERITED_KEYWORDS = [
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'remote_user',
  'connection',
  'port',
  'check_mode',
  'diff',
  'any_errors_fatal',
  'ignore_errors',
  'ignore_unreachable',
  'no_log',
  'run_once',
  'delegate_to',
  'delegate_facts',
  'throttle',
  'timeout',
] as const;
export type InheritedKeyword = (typeof INHERITED_KEYWORDS)[number];
export type InheritedKeywords = Partial<Record<InheritedKeyword, KeywordValue>>;

/** `loop_control`, as written. */
export interface LoopControl {
  loopVar: string;
  indexVar?: string;
  label?: unknown;
  pause?: unknown;
  extended?: unknown;
  extendedAllitems?: unknown;
}

/** A loop, as written: `loop:` or one of the `with_<lookup>` forms. */
export interface LoadedLoop {
  /** `loop`, or the lookup of `with_<lookup>` (`items`, `dict`, `fileglob`, ...). */
  kind: string;
  value: unknown;
  at: SourceRef;
}

export interface LoadedTask {
  /** As written; rendered at compile time. Undefined: the module name is shown. */
  name?: string;
  /** The name was written `!unsafe`: shown as written, never rendered. */
  nameIsText?: boolean;
  /**
   * The module's short name (ModuleDefinition.name), whatever name the task wrote, or
   * `include_tasks` for the include itself (its tasks follow it in the list, each with
   * `includedBy` pointing at it).
   */
  module: string;
  /** The module as the task writes it (`community.docker.docker_image`), shown when the task has no name, as Ansible shows it. */
  action: string;
  /** Module arguments after free-form expansion (`command: ls` → `{cmd: 'ls'}`). */
  args: Record<string, unknown>;
  /** Where the arguments are written; free-form arguments all point at the module's value. */
  argsAt: SourceRef;
  freeForm: boolean;
  /**
   * How the task fails on each host when it runs, known when loaded, in Ansible's words: an
   * argument the module does not take (Ansible's module refuses it on the node), a role
   * include_role cannot find. ansible-playbook accepts such a file and fails only if the task
   * runs; so does hound.
   */
  runFailure?: string;
  loop?: LoadedLoop;
  loopControl: LoopControl;
  /** Conditions of enclosing blocks/imports/roles first, then the task's own. */
  when: { expr: string | boolean; at: SourceRef }[];
  /** The task's tags plus every tag inherited from its play, role, block or import. */
  tags: string[];
  retries?: unknown;
  delay?: unknown;
  until?: string;
  /** `changed_when` / `failed_when`: conditions read with the task's result registered. */
  changedWhen: { expr: string | boolean; at: SourceRef }[];
  failedWhen: { expr: string | boolean; at: SourceRef }[];
  async?: KeywordValue;
  poll?: KeywordValue;
  register?: string;
  notify: { name: string; at: SourceRef }[];
  /** become, remote_user, delegate_to, run_once, ...: the task's own, else the closest level's. */
  keywords: InheritedKeywords;
  /** `environment` of every level, outermost first (merged; the task's own names win). */
  environment: KeywordValue[];
  /** `module_defaults` of every level, outermost first (merged; the closest wins). */
  moduleDefaults: KeywordValue[];
  /** The blocks with rescue/always around the task. */
  blocks: BlockFrame[];
  /** The include_tasks that brought this task in: it runs only where the include did. */
  includedBy?: LoadedTask;
  /**
   * include_tasks of a templated file name: the files the name may render to, each read now,
   * their tasks following the include in this order. The compiler picks one per host (and loop
   * item) when the name can be rendered before the run; otherwise the executor does.
   */
  includeChoices?: IncludeChoices;
  /** Brought in by an include_role run inline (not looped): --list-tasks shows that include in its place. */
  listedAs?: ListedInclude;
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

/** An include_role as --list-tasks shows it: its name (else `include_role`) and its tags. */
export interface ListedInclude {
  label: string;
  tags: string[];
}

/** The files a templated include_tasks name may render to. */
export interface IncludeChoices {
  /** The name as written, a template. */
  template: string;
  /** Where a relative name is looked up, in order (the task file's folder, the role's, the playbook's). */
  dirs: string[];
  choices: IncludeChoice[];
}

/** One file an include_tasks name may render to; its `tasks` follow those of the choices before it. */
export interface IncludeChoice {
  file: string;
  tasks: number;
  /** Why the file cannot be included (not a list of tasks, a task hound refuses, ...): the include fails so if it names it. */
  failure?: HoundError;
}

/** A play's `vars:` and its vars_files entries in order, when one entry is templated. */
export interface PlayVarsFiles {
  own: Vars;
  /** What a literal entry read, or a templated entry to render per host. */
  entries: ({ kind: 'read'; vars: Vars } | TemplatedVarsFile)[];
}

/** A vars_files entry whose name (or one of whose alternatives) is a template: every file it may name, read now. */
export interface TemplatedVarsFile {
  kind: 'templated';
  /** The entry's names in order (one, or a list entry's alternatives): the first naming a file that is there wins. */
  names: string[];
  /** Each file the names may render to, with what it holds or why it cannot be read. */
  candidates: { file: string; vars?: Vars; failure?: HoundError }[];
  at: SourceRef;
}

/** One `vars_prompt` entry. */
export interface VarsPrompt {
  name: string;
  prompt: string;
  default?: unknown;
  private: boolean;
  confirm: boolean;
  unsafe: boolean;
  /** `encrypt:` the answer is hashed as the password_hash filter hashes (sha512_crypt, ...), with `salt`/`salt_size`. */
  encrypt?: { hashtype: unknown; salt: unknown; saltSize: unknown };
  at: SourceRef;
}

export interface LoadedPlay {
  name: string;
  hosts: string;
  hostsAt: SourceRef;
  /** Play vars then vars_files, in order (later wins); without the files of templated vars_files entries. */
  vars: Vars;
  /** Set when a vars_files entry is templated: the play's vars are then made per host (the compiler renders the entries). */
  varsFiles?: PlayVarsFiles;
  serial: (number | string)[];
  serialAt?: SourceRef;
  strategy: Strategy;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** `order`: the order hosts are worked on. */
  order: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  forceHandlers: boolean;
  varsPrompt: VarsPrompt[];
  /** The play's own keywords (become, remote_user, ...) and environment: what its Gathering Facts step runs with. */
  keywords: InheritedKeywords;
  environment: KeywordValue[];
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
