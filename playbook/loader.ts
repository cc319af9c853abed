// Loading a playbook: read every file it is made of (imports, roles, vars_files),
// validate each play and task against its schema, and expand imports and roles in place,
// so the compiler receives flat task lists that remember where each task was written.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, HoundError, ParseError } from '../base/errors.js';
import { registerSecretVariables } from '../base/secrets.js';
import { PlaybookFiles } from './files.js';
import type { BlockFrame } from './compiled.js';
import {
  INHERITED_KEYWORDS,
  type IncludeChoice,
  type PlayVarsFiles,
  type TemplatedVarsFile,
  type ListedInclude,
  type InheritedKeywords,
  type KeywordValue,
  type LoadedPlay,
  type LoadedPlaybook,
  type LoadedTask,
  type RoleScope,
  type SourceRef,
  type Vars,
  type VarsPrompt,
} from './model.js';
import { findRole, loadRoleFiles, roleSearchPath, type RoleFiles } from './roles.js';
import {
  asAnsibleReadsIt,
  LEGACY_INCLUDES,
  BLOCK_SECTIONS,
  importPlaybookSchema,
  INCLUDE_TASKS_KEYWORDS,
  LOOP_KEYS,
  PLAY_KEYWORDS,
  playSchema,
  ROLE_ENTRY_KEYWORDS,
  roleEntryKeywordSchema,
  TASK_INCLUDES,
  TASK_KEYWORDS,
  taskKeywordSchema,
  unsupportedKeywordHint,
  validateAgainst,
} from './schema.js';
import { mergeModuleDefaults } from './module-defaults.js';
import { checkTemplateSyntax, containsTemplate } from './templating.js';
import { includeCandidates, varsFileCandidatesOf, varsFileDirs, varsFileNotFound, withKnownPaths } from './include-candidates.js';
import type { DataPath, YamlSource } from './yaml-source.js';
import { MODULE_DEFINITIONS } from '../modules/schemas.js';
import type { ModuleDefinition } from '../modules/definition.js';
import { closestModuleName, COMPATIBILITY_PAGE, resolveModule } from '../modules/names.js';
import { readModuleArguments } from './module-arguments.js';
import { readIncludedVars, varsFileCandidates } from '../modules/include-vars.js';
import { ModuleFailure } from '../modules/implementation.js';
import { isPlainObject } from './template-values.js';
import { keywordBoolean } from './task-keywords.js';
import { appendAll } from '../base/append.js';
import type { VaultReading } from '../vault/vaulted-yaml.js';
import { isVaultText } from '../vault/envelope.js';
import { UnsafeText } from '../base/unsafe-text.js';

export interface LoadOptions {
  /** Extra directories to look for roles in, after `roles/` beside the playbook. */
  rolesPath?: string[];
  /** The vault passwords for vault-encrypted files and `!vault` values. */
  vault?: VaultReading;
  /** Where warnings go (a key written twice in a mapping), as `[WARNING]:` lines. */
  warn?: (message: string) => void;
  /**
   * Only checking (--syntax-check, --list-*): as ansible-playbook, which reads vars_files only
   * when a play runs, a vars file that is not there is a warning, not an error.
   */
  checkOnly?: boolean;
}

/** What tasks inherit from whatever brought them in (a play, a block, an import, a role). */
interface TaskScope {
  /** The file being read, for relative paths and cycle detection. */
  file: string;
  /** Files currently being expanded (the import chain), to refuse cycles. */
  chain: string[];
  playbookDir: string;
  tags: string[];
  when: LoadedTask['when'];
  vars: Vars;
  /** Keywords inherited from the play, role entry, blocks and imports. */
  keywords: InheritedKeywords;
  environment: KeywordValue[];
  moduleDefaults: KeywordValue[];
  notify: LoadedTask['notify'];
  blocks: BlockFrame[];
  includedBy?: LoadedTask;
  /** Inside an include_role that is no task of its own: how --list-tasks shows it. */
  listedAs?: ListedInclude;
  role?: RoleScope;
  roleDir?: string;
  /** Handlers brought by roles met while expanding, added to the play's. */
  roleHandlers: LoadedTask[];
  /** Roles (directory and parameters) already in the play: as in Ansible, they run once. */
  rolesSeen: Set<string>;
  inHandlers: boolean;
  /** `collections:` of the play, role, blocks and task, innermost first: where short module names are looked up first. */
  collections: string[];
}

/** What a task does: run a module, or bring other tasks in. */
type TaskAction = ModuleAction | { key: string; kind: (typeof TASK_INCLUDES)[number] };
/** A module named by the task's key, or by `action:` / `local_action:` (which also delegates to localhost). */
type ModuleAction = { key: string; kind: 'module'; definition: ModuleDefinition } | { key: 'action' | 'local_action'; kind: 'action' | 'local_action' };

const MODULE_NAMES = MODULE_DEFINITIONS.map((m) => m.name);
const TASK_KEY_NAMES: readonly string[] = [...TASK_KEYWORDS, ...TASK_INCLUDES, ...BLOCK_SECTIONS];
/** Task keywords whose values are templates rendered at compile or run time. */
const TEMPLATED_TASK_KEYS = [
  'name',
  ...LOOP_KEYS,
  'retries',
  'delay',
  'vars',
  'args',
  'async',
  'poll',
  'environment',
  'module_defaults',
  ...INHERITED_KEYWORDS,
];
const CONDITION_KEYS = ['when', 'until', 'changed_when', 'failed_when'];

export class PlaybookLoader {
  private readonly files: PlaybookFiles;
  private readonly rolesPath: string[];
  private readonly warn: (message: string) => void;
  private readonly checkOnly: boolean;
  /** Numbers blocks with rescue/always, for their frames' ids. */
  private blockCount = 0;

  constructor(options: LoadOptions = {}) {
    this.rolesPath = options.rolesPath ?? [];
    this.warn = options.warn ?? (() => {});
    this.checkOnly = options.checkOnly === true;
    this.files = new PlaybookFiles(options.vault, options.warn);
  }

  /** Loads one playbook file (a list of plays and import_playbook entries). */
  load(file: string): LoadedPlaybook {
    const full = path.resolve(file);
    // Something that is there but not a regular file (a folder, a FIFO) is refused by the reader, saying what it is.
    if (!this.files.exists(full)) {
      throw new HoundError('PLAYBOOK_NOT_FOUND', `the playbook ${file} could not be found`, EXIT.ERROR, {
        hint: 'give the path of a playbook file (YAML, a list of plays)',
      });
    }
    return { file: full, plays: this.loadPlays(full, undefined, []) };
  }

  private loadPlays(file: string, referrer: SourceRef | undefined, chain: string[]): LoadedPlay[] {
    if (chain.includes(file)) {
      throw new ParseError('IMPORT_CYCLE', `${file} imports itself (${[...chain, file].map((f) => path.basename(f)).join(' -> ')})`, {
        position: referrer ? referrer.source.positionOf(referrer.path) : undefined,
        hint: 'remove the import that closes the cycle',
      });
    }
    const source = this.files.read(file, referrer, 'playbook');
    const data = source.data;
    if (data === null || data === undefined) {
      throw new ParseError('PLAYBOOK_EMPTY', `${file} is empty`, {
        position: source.positionOf([]),
        hint: 'a playbook is a list of plays, each with hosts: and tasks:',
      });
    }
    if (!Array.isArray(data)) {
      throw new ParseError('PLAYBOOK_NOT_LIST', 'a playbook must be a list of plays', {
        position: source.positionOf([]),
        hint: 'start each play with "- hosts: PATTERN" (note the dash)',
      });
    }
    const plays: LoadedPlay[] = [];
    data.forEach((entry, index) => {
      const at: DataPath = [index];
      if (!isPlainObject(entry)) {
        throw new ParseError('PLAY_NOT_MAPPING', 'each play must be a mapping (hosts:, tasks:, ...)', { position: source.positionOf(at) });
      }
      const importKey = Object.keys(entry).find(
        (k) => k === 'import_playbook' || ['ansible.builtin.', 'ansible.legacy.'].some((p) => k === `${p}import_playbook`),
      );
      if (importKey !== undefined) {
        // Written ansible.builtin.import_playbook: validated as the keyword it is.
        const spec: Record<string, unknown> =
          importKey === 'import_playbook' ? entry : Object.fromEntries(Object.entries(entry).map(([k, v]) => [k === importKey ? 'import_playbook' : k, v]));
        validateAgainst(importPlaybookSchema, spec, { source, path: at, what: 'import_playbook', knownKeys: Object.keys(importPlaybookSchema.properties) });
        const target = String(spec.import_playbook);
        if (containsTemplate(target)) throw dynamicPathError(source, [...at, 'import_playbook'], 'import_playbook');
        const imported = this.loadPlays(path.resolve(path.dirname(file), target), { source, path: [...at, 'import_playbook'] }, [...chain, file]);
        const tags = tagsOf(spec.tags);
        const vars = isPlainObject(spec.vars) ? spec.vars : {};
        for (const play of imported) {
          play.tags = unique([...tags, ...play.tags]);
          for (const task of [...play.tasks, ...play.handlers]) task.tags = unique([...tags, ...task.tags]);
          play.vars = { ...vars, ...play.vars };
          plays.push(play);
        }
        return;
      }
      plays.push(this.loadPlay(source, at, entry, [...chain, file]));
    });
    return plays;
  }

  private loadPlay(source: YamlSource, at: DataPath, written: Record<string, unknown>, chain: string[]): LoadedPlay {
    const play = asAnsibleReadsIt(written, 'play', source, at);
    validateAgainst(playSchema, play, { source, path: at, what: 'play', knownKeys: PLAY_KEYWORDS });
    // Read now, as the play's hosts and fact gathering are decided before its tasks run.
    const playFlag = (key: string) => (play[key] === undefined ? undefined : positionedBoolean(source, at, play[key], key));
    refuseDebugger(source, at, play);
    const playbookDir = path.dirname(source.file);
    const ownVars: Vars = { ...((play.vars as Vars | undefined) ?? {}) };
    const vars: Vars = { ...ownVars };
    const entries: PlayVarsFiles['entries'] = [];
    let templatedEntry = false;
    for (const [index, written] of listOf(play.vars_files).entries()) {
      const filePath: DataPath = Array.isArray(play.vars_files) ? [...at, 'vars_files', index] : [...at, 'vars_files'];
      // An entry that is a list names alternatives: the first that is there is read.
      const names = (Array.isArray(written) ? written : [written]).map((name) => withKnownPaths(String(name), { playbookDir }));
      if (names.some((name) => containsTemplate(name))) {
        // Rendered per host when compiling (with the host's inventory, the play's vars, -e), as Ansible renders it per host.
        entries.push(this.templatedVarsFile(names, playbookDir, { source, path: filePath }));
        templatedEntry = true;
        continue;
      }
      const candidates = names.map((name) => varsFileCandidatesOf(name, playbookDir));
      const file = candidates.flat().find((c) => this.files.exists(c));
      if (file === undefined && (this.checkOnly || Array.isArray(written))) {
        const p = source.positionOf(filePath);
        const what = Array.isArray(written) ? `none of the vars files ${names.join(', ')} exists` : `vars file ${candidates[0].at(-1)} does not exist`;
        if (!this.checkOnly) throw varsFileNotFound(names, true, playbookDir, p);
        this.warn(`${p.file}:${p.line}:${p.column}: ${what}: the play fails when it runs`);
        continue;
      }
      let read: Vars;
      try {
        read = this.readVarsFile(file ?? candidates[0].at(-1)!, { source, path: filePath });
      } catch (err) {
        // Only checking, as ansible-playbook: it reads a vars file (a whole-file vault without the
        // password fails there too) but opens its `!vault` values only when they are used.
        const inlineVault = err instanceof HoundError && err.code === 'VAULT_NO_PASSWORD' && file !== undefined && !isVaultEnvelope(file);
        if (!this.checkOnly || !inlineVault) throw err;
        const p = source.positionOf(filePath);
        this.warn(`${p.file}:${p.line}:${p.column}: ${err.message}: the play fails when it runs without the password`);
        continue;
      }
      Object.assign(vars, read);
      entries.push({ kind: 'read', vars: read });
    }
    const varsFiles: PlayVarsFiles | undefined = templatedEntry ? { own: ownVars, entries } : undefined;
    registerSecretVariables(vars);
    const tags = tagsOf(play.tags);
    const own = ownKeywords(source, at, play);
    const scope: TaskScope = {
      file: source.file,
      chain,
      playbookDir,
      tags,
      when: [],
      vars: {},
      keywords: own.keywords,
      environment: own.environment,
      moduleDefaults: own.moduleDefaults,
      notify: [],
      blocks: [],
      roleHandlers: [],
      rolesSeen: new Set(),
      inHandlers: false,
      collections: collectionsOf(play.collections),
    };
    const tasks: LoadedTask[] = [];
    appendAll(tasks, this.expandTasks(source, [...at, 'pre_tasks'], play.pre_tasks, scope));
    for (const [index, entry] of ((play.roles as unknown[] | null | undefined) ?? []).entries()) {
      appendAll(tasks, this.expandRole(source, [...at, 'roles', index], entry, scope, true));
    }
    appendAll(tasks, this.expandTasks(source, [...at, 'tasks'], play.tasks, scope));
    appendAll(tasks, this.expandTasks(source, [...at, 'post_tasks'], play.post_tasks, scope));
    const handlers = [...scope.roleHandlers, ...this.expandTasks(source, [...at, 'handlers'], play.handlers, { ...scope, inHandlers: true, roleHandlers: [] })];
    const hosts = Array.isArray(play.hosts) ? play.hosts.join(':') : String(play.hosts);
    const serial = play.serial === undefined ? [] : Array.isArray(play.serial) ? play.serial : [play.serial];
    return {
      name: typeof play.name === 'string' ? play.name : play.name instanceof UnsafeText ? play.name.text : hosts,
      hosts,
      hostsAt: { source, path: [...at, 'hosts'] },
      vars,
      ...(varsFiles ? { varsFiles } : {}),
      serial: serial as (number | string)[],
      serialAt: play.serial === undefined ? undefined : { source, path: [...at, 'serial'] },
      strategy: (play.strategy as LoadedPlay['strategy'] | undefined) ?? 'linear',
      order: (play.order as LoadedPlay['order'] | undefined) ?? 'inventory',
      maxFailPercentage: play.max_fail_percentage === undefined ? undefined : parseFloat(String(play.max_fail_percentage)),
      anyErrorsFatal: playFlag('any_errors_fatal') === true,
      forceHandlers: playFlag('force_handlers') === true,
      varsPrompt: varsPromptOf(source, at, play.vars_prompt),
      keywords: own.keywords,
      environment: own.environment,
      gatherFacts: playFlag('gather_facts'),
      gatherSubset: play.gather_subset as string | string[] | undefined,
      gatherTimeout: play.gather_timeout as number | undefined,
      distribution: play.distribution as LoadedPlay['distribution'],
      tags,
      tasks,
      handlers,
      file: source.file,
      position: source.positionOf(at),
    };
  }

  /** A templated vars_files entry: every file its names may name (as an include's), each read now; the compiler picks per host. */
  private templatedVarsFile(names: string[], playbookDir: string, at: SourceRef): TemplatedVarsFile {
    const files = new Set<string>();
    for (const name of names) {
      const found = containsTemplate(name) ? includeCandidates(name, varsFileDirs(name, playbookDir)) : varsFileCandidatesOf(name, playbookDir);
      for (const file of found) files.add(file);
    }
    const candidates = [...files]
      .filter((file) => this.files.isFile(file))
      .map((file) => {
        try {
          const vars = this.readVarsFile(file, at);
          registerSecretVariables(vars);
          return { file, vars };
        } catch (err) {
          if (!(err instanceof HoundError)) throw err;
          return { file, failure: err };
        }
      });
    return { kind: 'templated', names, candidates, at };
  }

  private readVarsFile(file: string, referrer: SourceRef): Vars {
    const source = this.files.read(file, referrer, 'vars file');
    if (source.data === null || source.data === undefined) return {};
    if (!isPlainObject(source.data)) {
      throw new ParseError('VARS_NOT_MAPPING', `${path.basename(file)} must be a mapping of variable names to values`, { position: source.positionOf([]) });
    }
    return source.data;
  }

  private expandTasks(source: YamlSource, at: DataPath, list: unknown, scope: TaskScope): LoadedTask[] {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      throw new ParseError('TASKS_NOT_LIST', 'tasks must be a list (each task starts with "- ")', { position: source.positionOf(at) });
    }
    const out: LoadedTask[] = [];
    list.forEach((entry, index) => appendAll(out, this.expandTask(source, [...at, index], entry, scope)));
    return out;
  }

  private expandTask(source: YamlSource, at: DataPath, written: unknown, scope: TaskScope): LoadedTask[] {
    if (!isPlainObject(written)) {
      throw new ParseError('TASK_NOT_MAPPING', 'a task must be a mapping (a module and its keywords)', {
        position: source.positionOf(at),
        hint: 'write e.g. "- image: nginx:1.27" or "- name: ...\\n  image: ..."',
      });
    }
    const task = asAnsibleReadsIt(written, 'task', source, at);
    const collections = unique([...collectionsOf(task.collections), ...scope.collections]);
    const actions: TaskAction[] = [];
    for (const key of Object.keys(task)) {
      if ((TASK_INCLUDES as readonly string[]).includes(key)) {
        actions.push({ key, kind: key as (typeof TASK_INCLUDES)[number] });
        continue;
      }
      if (LEGACY_INCLUDES.includes(key)) {
        actions.push({ key, kind: this.legacyInclude(source, at, task, key, scope) });
        continue;
      }
      if (key === 'action' || key === 'local_action') {
        actions.push({ key, kind: key });
        continue;
      }
      if (TASK_KEY_NAMES.includes(key)) continue;
      actions.push(this.taskAction(source, at, key, collections));
    }
    if (actions.length === 0) {
      const section = BLOCK_SECTIONS.find((k) => Object.hasOwn(task, k));
      if (section) {
        throw new ParseError('BLOCK_SECTION_ALONE', `'${section}' belongs to a block: this task has no 'block:'`, {
          position: source.keyPositionOf(at, section),
          hint: `write the tasks it guards under 'block:' beside '${section}:'`,
        });
      }
      throw new ParseError('TASK_NO_MODULE', 'this task names no module', {
        position: source.positionOf(at),
        hint: `add one of: ${MODULE_NAMES.join(', ')} (or block/import_tasks/include_tasks)`,
      });
    }
    if (actions.length > 1) {
      throw new ParseError('TASK_MANY_MODULES', `a task runs one module, this one names ${actions.map((a) => `'${a.key}'`).join(' and ')}`, {
        position: source.keyPositionOf(at, actions[1].key),
        hint: 'split it into one task per module',
      });
    }
    const action = actions[0];
    if (action.kind !== 'block') {
      const section = BLOCK_SECTIONS.find((k) => Object.hasOwn(task, k));
      if (section) {
        throw new ParseError('BLOCK_SECTION_ALONE', `'${section}' belongs to a block, not to a task with '${action.key}'`, {
          position: source.keyPositionOf(at, section),
          hint: `put the task under 'block:' and keep '${section}:' beside it`,
        });
      }
    }
    if (scope.inHandlers === false && Object.hasOwn(task, 'listen')) {
      throw new ParseError('UNKNOWN_KEY', "'listen' is only valid on handlers", {
        position: source.keyPositionOf(at, 'listen'),
        hint: 'move this task under handlers:, or remove listen',
      });
    }
    // An include written with its ansible.builtin. name is validated as the keyword it is.
    const keywords = action.kind !== 'module' && action.key !== action.kind ? { ...task, [action.kind]: task[action.key] } : task;
    validateAgainst(taskKeywordSchema, keywords, { source, path: at, what: 'task', knownKeys: TASK_KEY_NAMES });
    refuseDebugger(source, at, task);
    const loopKeys = LOOP_KEYS.filter((k) => Object.hasOwn(task, k));
    if (loopKeys.length > 1) {
      throw new ParseError('LOOP_TWICE', `a task takes one loop, this one has ${loopKeys.map((k) => `'${k}'`).join(' and ')}`, {
        position: source.keyPositionOf(at, loopKeys[1]),
        hint: 'keep one of them',
      });
    }

    const own = {
      tags: tagsOf(task.tags),
      when: conditionsOf(source, at, task, 'when'),
      vars: (task.vars as Vars | undefined) ?? {},
      notify: listOf(task.notify).map((name, i) => ({
        name: String(name),
        at: { source, path: Array.isArray(task.notify) ? [...at, 'notify', i] : [...at, 'notify'] },
      })),
      ...ownKeywords(source, at, task),
    };
    const inner: TaskScope = { ...innerScope(scope, own), collections };
    if (action.kind === 'include_tasks') return this.includeTasks(source, at, keywords, action.key, scope, own);
    if (action.kind === 'block') {
      const hasRescue = Array.isArray(task.rescue) && task.rescue.length > 0;
      const hasAlways = Array.isArray(task.always) && task.always.length > 0;
      if (!hasRescue && !hasAlways) return this.expandTasks(source, [...at, 'block'], task.block, inner);
      const id = `b${++this.blockCount}`;
      const section = (name: BlockFrame['section']): TaskScope => ({ ...inner, blocks: [...inner.blocks, { id, section: name, hasRescue, hasAlways }] });
      return [
        ...this.expandTasks(source, [...at, 'block'], task.block, section('block')),
        ...this.expandTasks(source, [...at, 'rescue'], task.rescue, section('rescue')),
        ...this.expandTasks(source, [...at, 'always'], task.always, section('always')),
      ];
    }
    if (action.kind === 'import_tasks') {
      refuseLoop(source, at, task, action.key);
      const name = withKnownPaths(String(task[action.key]), scope);
      const namePath = [...at, action.key];
      if (containsTemplate(name)) throw dynamicPathError(source, namePath, action.key);
      return this.expandTaskFile(this.resolveTaskFile(name, scope), { source, path: namePath }, inner);
    }
    if (action.kind === 'import_role' || action.kind === 'include_role') {
      if (action.kind === 'import_role') refuseLoop(source, at, task, action.key);
      const spec = task[action.key] as Record<string, unknown>;
      if (spec.public === true) {
        throw new ParseError(
          'ARGUMENT_NOT_SUPPORTED',
          `${action.key}: 'public: true' is not supported by hound: a role's vars and defaults stay with its own tasks`,
          {
            position: source.keyPositionOf([...at, action.key], 'public'),
            hint: `remove 'public', and set what later tasks need with set_fact or play vars (${COMPATIBILITY_PAGE})`,
          },
        );
      }
      // Looped, include_role is a task of its own, as include_tasks is: its loop and `when` decide
      // how often the role's tasks run, each time with the loop variable; they inherit its vars
      // and `apply:`, not its tags or when. Otherwise the role's tasks take its keywords too.
      const looped = action.kind === 'include_role' && LOOP_KEYS.some((k) => Object.hasOwn(task, k));
      const around = looped ? { ...scope, vars: { ...scope.vars, ...own.vars }, collections: inner.collections } : inner;
      // include_role's apply: its keywords go to every task of the role.
      const applied = this.appliedScope(source, [...at, action.key, 'apply'], isPlainObject(spec.apply) ? spec.apply : {}, around);
      const { apply: _apply, public: _public, allow_duplicates: _duplicates, rolespec_validate: _validate, role: entry, ...written } = spec;
      // `role: {name: x, param: v}` is a role entry: its name, and its other keys as parameters.
      const roleSpec = isPlainObject(entry) ? { ...written, ...entry, name: entry.name ?? entry.role } : written;
      const name = String(roleSpec.name ?? entry);
      if (action.kind === 'include_role') {
        const missing = this.missingIncludedRole(source, at, task, action.key, name, scope, own);
        if (missing) return [missing];
      }
      if (looped) {
        const include: LoadedTask = {
          ...this.taskShape(source, at, task, scope, own),
          module: 'include_role',
          action: action.key,
          args: { role: name },
          argsAt: { source, path: [...at, action.key] },
          freeForm: false,
        };
        return [include, ...this.expandRoleSpec(source, [...at, action.key], name, roleSpec, { ...applied, includedBy: include }, false)];
      }
      // --list-tasks shows the include, not the role's tasks (ansible-playbook lists no included task).
      const listedAs =
        applied.listedAs ??
        (action.kind === 'include_role' ? { label: typeof task.name === 'string' ? task.name : action.key, tags: applied.tags } : undefined);
      return this.expandRoleSpec(source, [...at, action.key], name, roleSpec, { ...applied, listedAs }, false);
    }
    if (action.kind !== 'module' && action.kind !== 'action' && action.kind !== 'local_action')
      throw new Error('a task action that is neither a module nor an include');
    return [this.moduleTask(source, at, task, action, scope, own, collections)];
  }

  /**
   * Ansible's `include` as ansible-core 2.14 reads it (helpers.load_list_of_tasks): an
   * import_tasks when its file name is no template, it has no loop and no dynamic include holds
   * it; an include_tasks otherwise. Deprecated there (removed in 2.16), with a warning here too.
   */
  private legacyInclude(source: YamlSource, at: DataPath, task: Record<string, unknown>, key: string, scope: TaskScope): 'import_tasks' | 'include_tasks' {
    const name = task[key];
    const kind =
      typeof name === 'string' && !containsTemplate(name) && !LOOP_KEYS.some((k) => Object.hasOwn(task, k)) && scope.includedBy === undefined
        ? 'import_tasks'
        : 'include_tasks';
    const p = source.keyPositionOf(at, key);
    this.warn(
      `${p.file}:${p.line}:${p.column}: "include" is deprecated (removed in Ansible 2.16): read as ${kind}, as ansible-core 2.14 reads it; write ${kind}`,
    );
    return kind;
  }

  /** What a task key that is not a keyword names: a module, an include under its ansible.builtin. name, or nothing hound runs. */
  private taskAction(source: YamlSource, at: DataPath, key: string, collections: readonly string[]): TaskAction {
    const resolved = resolveModule(key, collections);
    if (resolved.kind === 'module') return { key, kind: 'module', definition: resolved.definition };
    if (resolved.kind === 'include') {
      const { keyword } = resolved;
      // (`include` is read by legacyInclude before a task's keys come here.)
      if (keyword === 'include') throw new Error(`'${key}' reached taskAction`);
      if (keyword !== 'import_playbook') return { key, kind: keyword };
    }
    const position = source.keyPositionOf(at, key);
    if (resolved.kind === 'include') {
      throw new ParseError('UNKNOWN_MODULE', `'${key}' imports a playbook, which is a play of its own, not a task`, {
        position,
        hint: 'write it at the level of the plays (- import_playbook: FILE), or use import_tasks for a task file',
      });
    }
    if (resolved.kind === 'not supported') {
      throw new ParseError(
        'MODULE_NOT_SUPPORTED',
        `module '${key}'${resolved.fqcn !== key ? ` (${resolved.fqcn})` : ''} is not supported: ${resolved.reason}`,
        {
          position,
          hint: `${COMPATIBILITY_PAGE} lists every Ansible module and what hound does with it`,
        },
      );
    }
    const keywordHint = unsupportedKeywordHint(key);
    const closest = closestModuleName(key, TASK_KEY_NAMES);
    if (keywordHint === undefined && closest === undefined && key.split('.').length >= 3) {
      throw new ParseError('MODULE_NOT_SUPPORTED', `module '${key}' is not one hound runs`, {
        position,
        hint: `hound runs ansible.builtin's modules for images and hosts, community.docker's and containers.podman's image modules; ${COMPATIBILITY_PAGE} lists them`,
      });
    }
    throw new ParseError('UNKNOWN_MODULE', `'${key}' is neither a module nor a task keyword`, {
      position,
      hint: keywordHint ?? (closest ? `did you mean '${closest}'?` : `valid modules: ${MODULE_NAMES.join(', ')} (${COMPATIBILITY_PAGE})`),
    });
  }

  /**
   * include_tasks, as Ansible runs it: a task of its own (reported, counted, possibly looped),
   * whose `when` and tags decide whether the file's tasks run at all; those inherit the
   * include's vars and loop variable, and its `apply:` keywords, not its own tags or when.
   * `task` has the include under its keyword; `written` is the key the task wrote it with.
   */
  private includeTasks(source: YamlSource, at: DataPath, task: Record<string, unknown>, written: string, scope: TaskScope, own: OwnTask): LoadedTask[] {
    for (const key of Object.keys(task)) {
      if (INCLUDE_TASKS_KEYWORDS.includes(key) || key === written) continue;
      throw new ParseError('INCLUDE_KEYWORD_INVALID', `'${key}' is not a valid keyword for include_tasks`, {
        position: source.keyPositionOf(at, key),
        hint: `as in Ansible, keywords for the included tasks go under 'apply:' (include_tasks: {file: ..., apply: {${key}: ...}}), or use import_tasks`,
      });
    }
    const value = task.include_tasks;
    const name = withKnownPaths(isPlainObject(value) ? String(value.file) : String(value), scope);
    const namePath = isPlainObject(value) ? [...at, written, 'file'] : [...at, written];
    checkTemplates(source, at, task, written);
    const templated = containsTemplate(name);
    const file = templated ? name : this.resolveTaskFile(name, scope);
    // As Ansible, a file that is not there fails the include when it runs, not the playbook:
    // a `when` may keep it from running at all (a role's branch for another platform). Something
    // there that is no regular file (a device, a FIFO) is still refused when read, as before.
    const missing = !templated && !this.files.exists(file);
    const include: LoadedTask = {
      ...this.taskShape(source, at, task, scope, own),
      module: 'include_tasks',
      action: written,
      args: missing ? { file, missing: true } : { file },
      argsAt: { source, path: namePath },
      freeForm: false,
    };
    const apply = isPlainObject(value) && isPlainObject(value.apply) ? value.apply : {};
    const inner: TaskScope = {
      ...this.appliedScope(source, [...at, written, 'apply'], apply, { ...scope, vars: { ...scope.vars, ...own.vars } }),
      includedBy: include,
    };
    const referrer = { source, path: namePath };
    if (missing) return [include];
    // A literal name is a choice of one file: as Ansible reads an included file only when the
    // include runs, a file hound cannot run fails only the hosts the include runs on.
    return [include, ...this.includeChoices(include, templated ? name : file, referrer, taskFileDirs(scope), inner)];
  }

  /**
   * The tasks of every file a templated include name may render to, one file after another,
   * recorded on the include (IncludeChoices). A file that cannot be included is no error yet:
   * the include fails so only where its name renders to that file.
   */
  private includeChoices(include: LoadedTask, name: string, referrer: SourceRef, dirs: string[], inner: TaskScope): LoadedTask[] {
    const templated = containsTemplate(name);
    const choices: IncludeChoice[] = [];
    const out: LoadedTask[] = [];
    for (const file of templated ? includeCandidates(name, dirs) : [name]) {
      try {
        const tasks = this.expandTaskFile(file, referrer, inner);
        choices.push({ file, tasks: tasks.length });
        appendAll(out, tasks);
      } catch (err) {
        if (!(err instanceof HoundError)) throw err;
        choices.push({ file, tasks: 0, failure: err });
        // Said now for a literal name, as the include may never run. Of the files a templated
        // name may name, only the one it does name is reported (a wildcard meets vars files too).
        if (!templated) {
          const p = referrer.source.positionOf(referrer.path);
          this.warn(`${p.file}:${p.line}:${p.column}: include_tasks fails where it runs with ${path.basename(file)}, which hound cannot run: ${err.oneLine()}`);
        }
      }
    }
    include.includeChoices = { template: name, dirs, choices };
    return out;
  }

  /** `scope` with an include's `apply:` keywords (block keywords, as Ansible's apply takes) over it. */
  private appliedScope(source: YamlSource, applyAt: DataPath, written: Record<string, unknown>, scope: TaskScope): TaskScope {
    const apply = asAnsibleReadsIt(written, 'role entry', source, applyAt);
    for (const key of Object.keys(apply)) {
      if (ROLE_ENTRY_KEYWORDS.includes(key) || key === 'notify') continue;
      throw new ParseError('INCLUDE_APPLY_INVALID', `'${key}' cannot be applied to included tasks`, {
        position: source.keyPositionOf(applyAt, key),
        hint: `apply: takes block keywords (${ROLE_ENTRY_KEYWORDS.join(', ')})`,
      });
    }
    validateAgainst(roleEntryKeywordSchema, apply, { source, path: applyAt, what: 'apply' });
    const applied = ownKeywords(source, applyAt, apply);
    return {
      ...scope,
      tags: unique([...scope.tags, ...tagsOf(apply.tags)]),
      when: [...scope.when, ...conditionsOf(source, applyAt, apply, 'when')],
      vars: { ...scope.vars, ...(isPlainObject(apply.vars) ? apply.vars : {}) },
      keywords: { ...scope.keywords, ...applied.keywords },
      environment: [...scope.environment, ...applied.environment],
      moduleDefaults: [...scope.moduleDefaults, ...applied.moduleDefaults],
    };
  }

  /**
   * include_role of a role that is not there: as in Ansible, not an error of the playbook but
   * of the task, when it runs (a `when` may keep it from running at all); import_role and
   * `roles:` are read now and refused now. Undefined when the role is there.
   */
  private missingIncludedRole(
    source: YamlSource,
    at: DataPath,
    task: Record<string, unknown>,
    written: string,
    name: string,
    scope: TaskScope,
    own: OwnTask,
  ): LoadedTask | undefined {
    if (containsTemplate(name)) return undefined;
    const namePath = isPlainObject(task[written]) ? [...at, written, 'name'] : [...at, written];
    try {
      findRole(name, { playbookDir: scope.playbookDir, rolesPath: this.rolesPath, files: this.files, referrer: { source, path: namePath } });
      return undefined;
    } catch (err) {
      if (!(err instanceof HoundError) || err.code !== 'ROLE_NOT_FOUND') throw err;
    }
    const searched = roleSearchPath(scope.playbookDir, this.rolesPath);
    const p = source.positionOf(namePath);
    this.warn(`${p.file}:${p.line}:${p.column}: role '${name}' was not found: include_role fails when it runs, as in Ansible`);
    return {
      ...this.taskShape(source, at, task, scope, own),
      module: 'include_tasks',
      action: written,
      args: { role: name },
      argsAt: { source, path: namePath },
      freeForm: false,
      // Ansible's words (its strategy's error for a role include_role cannot load).
      runFailure: `the role '${name}' was not found in ${searched.join(':')}`,
    };
  }

  /** What every task carries, module tasks and includes alike. */
  private taskShape(source: YamlSource, at: DataPath, task: Record<string, unknown>, scope: TaskScope, own: OwnTask) {
    const loopKey = LOOP_KEYS.find((k) => Object.hasOwn(task, k));
    const loopControl = (task.loop_control as Record<string, unknown> | undefined) ?? {};
    return {
      name: typeof task.name === 'string' ? task.name : task.name instanceof UnsafeText ? task.name.text : undefined,
      ...(task.name instanceof UnsafeText ? { nameIsText: true } : {}),
      loop: loopKey
        ? { kind: loopKey === 'loop' ? 'loop' : loopKey.slice('with_'.length), value: task[loopKey], at: { source, path: [...at, loopKey] } }
        : undefined,
      loopControl: {
        loopVar: typeof loopControl.loop_var === 'string' ? loopControl.loop_var : 'item',
        indexVar: typeof loopControl.index_var === 'string' ? loopControl.index_var : undefined,
        label: loopControl.label,
        pause: loopControl.pause,
        extended: loopControl.extended,
        extendedAllitems: loopControl.extended_allitems,
      },
      when: [...scope.when, ...own.when],
      tags: unique([...scope.tags, ...own.tags]),
      retries: task.retries,
      delay: task.delay,
      until: typeof task.until === 'string' ? task.until : task.until === undefined ? undefined : String(task.until),
      changedWhen: conditionsOf(source, at, task, 'changed_when'),
      failedWhen: conditionsOf(source, at, task, 'failed_when'),
      async: task.async === undefined ? undefined : { value: task.async, at: { source, path: [...at, 'async'] } },
      poll: task.poll === undefined ? undefined : { value: task.poll, at: { source, path: [...at, 'poll'] } },
      register: typeof task.register === 'string' ? task.register : undefined,
      notify: [...scope.notify, ...own.notify],
      keywords: { ...scope.keywords, ...own.keywords },
      environment: [...scope.environment, ...own.environment],
      moduleDefaults: [...scope.moduleDefaults, ...own.moduleDefaults],
      blocks: scope.blocks,
      includedBy: scope.includedBy,
      ...(scope.listedAs ? { listedAs: scope.listedAs } : {}),
      vars: { ...scope.vars, ...own.vars },
      role: scope.role,
      listen: listOf(task.listen).map(String),
      at: { source, path: at },
      position: source.positionOf(at),
      searchDirs: unique([...(scope.roleDir ? [scope.roleDir] : []), path.dirname(source.file), scope.playbookDir]),
      roleDir: scope.roleDir,
    };
  }

  private moduleTask(
    source: YamlSource,
    at: DataPath,
    task: Record<string, unknown>,
    action: ModuleAction,
    scope: TaskScope,
    own: OwnTask,
    collections: readonly string[],
  ): LoadedTask {
    // Before any check that could quote them: the task's secret-named variables.
    registerSecretVariables(task.vars);
    const { written, definition, raw, argsPath, local } = moduleOf(source, at, task, action, collections);
    if (task.args !== undefined && !isPlainObject(task.args)) {
      throw new ParseError('MODULE_ARGS_INVALID', "'args' must be a mapping of module arguments", {
        position: source.positionOf([...at, 'args']),
        hint: 'write the arguments under args: as key: value lines',
      });
    }
    const keywordArgs = isPlainObject(task.args) ? { values: task.args, path: [...at, 'args'] } : undefined;
    // module_defaults written as mappings are known now; templated ones are merged when compiled.
    const staticDefaults = [...scope.moduleDefaults, ...own.moduleDefaults].filter((d) => !containsTemplate(d.value));
    const defaults = mergeModuleDefaults(
      definition.name,
      {},
      staticDefaults.map((d) => d.value),
    );
    const { args, freeForm, unsupported } = readModuleArguments(source, argsPath, written, definition, raw, keywordArgs, defaults);
    // As ansible-playbook: accepted now, the task fails on each host where it runs.
    for (const { key, position: p, hint } of unsupported?.keys ?? []) {
      const why = hint.startsWith('valid ') ? '' : ` (${hint})`;
      this.warn(`${p.file}:${p.line}:${p.column}: module '${written}' has no argument '${key}': the task fails when it runs, as in Ansible${why}`);
    }
    // Template syntax is checked now, so that deferred tasks and plays that match no host
    // fail at --syntax-check rather than in the middle of a run.
    checkTemplates(source, at, task, action.key);
    const shape = this.taskShape(source, at, task, scope, own);
    if (local) shape.keywords = { ...shape.keywords, delegate_to: { value: 'localhost', at: { source, path: [...at, 'local_action'] } } };
    return {
      ...shape,
      module: definition.name,
      action: written,
      args,
      argsAt: { source, path: argsPath },
      freeForm,
      ...(unsupported ? { runFailure: unsupported.message } : {}),
      includedVars: definition.name === 'include_vars' && !unsupported ? includedBeforeRun(args, shape.searchDirs, scope.roleDir) : undefined,
    };
  }

  private resolveTaskFile(name: string, scope: TaskScope): string {
    const candidates = taskFileDirs(scope).map((dir) => path.resolve(dir, name));
    return candidates.find((c) => this.files.isFile(c)) ?? candidates[0];
  }

  private expandTaskFile(file: string, referrer: SourceRef, scope: TaskScope): LoadedTask[] {
    if (scope.chain.includes(file)) {
      throw new ParseError(
        'IMPORT_CYCLE',
        `${path.basename(file)} is already being imported (${[...scope.chain, file].map((f) => path.basename(f)).join(' -> ')})`,
        {
          position: referrer.source.positionOf(referrer.path),
          hint: 'remove the import that closes the cycle',
        },
      );
    }
    const source = this.files.read(file, referrer, 'task file');
    if (source.data !== null && source.data !== undefined && !Array.isArray(source.data)) {
      throw new ParseError('TASKS_NOT_LIST', `${path.basename(file)} must be a list of tasks`, {
        position: source.positionOf([]),
        hint: 'each task starts with "- "',
      });
    }
    return this.expandTasks(source, [], source.data, { ...scope, file, chain: [...scope.chain, file] });
  }

  private expandRole(source: YamlSource, at: DataPath, entry: unknown, scope: TaskScope, once: boolean): LoadedTask[] {
    if (typeof entry === 'string') return this.expandRoleSpec(source, at, entry, {}, scope, once);
    const spec = asAnsibleReadsIt(entry as Record<string, unknown>, 'role entry', source, at);
    const name = spec.role ?? spec.name;
    if (typeof name !== 'string' || name === '') {
      throw new ParseError('ROLE_INVALID', "a role entry needs 'role: NAME'", {
        position: source.positionOf(at),
        hint: 'write "- role: NAME" or just "- NAME"',
      });
    }
    const keywords: Record<string, unknown> = Object.fromEntries(Object.entries(spec).filter(([k]) => ROLE_ENTRY_KEYWORDS.includes(k)));
    validateAgainst(roleEntryKeywordSchema, keywords, { source, path: at, what: 'role entry' });
    refuseDebugger(source, at, keywords);
    const own = ownKeywords(source, at, keywords);
    const inner: TaskScope = {
      ...scope,
      tags: unique([...scope.tags, ...tagsOf(spec.tags)]),
      when: [...scope.when, ...conditionsOf(source, at, spec, 'when')],
      keywords: { ...scope.keywords, ...own.keywords },
      environment: [...scope.environment, ...own.environment],
      moduleDefaults: [...scope.moduleDefaults, ...own.moduleDefaults],
    };
    return this.expandRoleSpec(source, at, name, spec, inner, once);
  }

  private expandRoleSpec(source: YamlSource, at: DataPath, name: string, spec: Record<string, unknown>, scope: TaskScope, once: boolean): LoadedTask[] {
    if (containsTemplate(name)) throw dynamicPathError(source, at, 'role');
    const { dir, name: roleName } = findRole(name, {
      playbookDir: scope.playbookDir,
      rolesPath: this.rolesPath,
      files: this.files,
      referrer: { source, path: at },
    });
    const {
      role: _r,
      name: _n,
      tags: _t,
      when: _w,
      vars: specVars,
      tasks_from: tasksFrom,
      handlers_from: handlersFrom,
      defaults_from: defaultsFrom,
      vars_from: varsFrom,
      ...rest
    } = spec;
    // A role entry's keywords (become, delegate_to, ...) are keywords; its other keys are parameters.
    const params = Object.fromEntries(Object.entries(rest).filter(([k]) => !ROLE_ENTRY_KEYWORDS.includes(k)));
    const marker = `role:${dir}`;
    // Before "already in the play": a→b→a has `a` seen and in the chain, and is a loop all the same.
    if (scope.chain.includes(marker)) {
      const roles = [...scope.chain.filter((c) => c.startsWith('role:')), marker].map((c) => path.basename(c.slice(5)));
      throw new HoundError(
        'ROLE_RECURSION',
        `A recursion loop was detected with the roles specified. Make sure child roles do not have dependencies on parent roles (${roles.join(' -> ')})`,
        EXIT.ERROR,
        { position: source.positionOf(at), hint: `remove the dependency on '${name}' that closes the loop` },
      );
    }
    const identity = `${dir}\0${JSON.stringify([specVars, params, tasksFrom, varsFrom, defaultsFrom])}`;
    if (once && scope.rolesSeen.has(identity)) return [];
    if (once) scope.rolesSeen.add(identity);
    const files: RoleFiles = loadRoleFiles(
      dir,
      this.files,
      { source, path: at },
      {
        tasksFrom: typeof tasksFrom === 'string' ? tasksFrom : undefined,
        handlersFrom: typeof handlersFrom === 'string' ? handlersFrom : undefined,
        varsFrom: typeof varsFrom === 'string' ? varsFrom : undefined,
        defaultsFrom: typeof defaultsFrom === 'string' ? defaultsFrom : undefined,
      },
    );
    registerSecretVariables(files.defaults);
    registerSecretVariables(files.vars);
    registerSecretVariables(specVars);
    registerSecretVariables(params);
    const role: RoleScope = {
      name: roleName,
      dir,
      defaults: files.defaults,
      vars: { ...files.vars, ...(isPlainObject(specVars) ? specVars : {}), ...params },
    };
    const metaCollections = files.meta && isPlainObject(files.meta.data) ? collectionsOf(files.meta.data.collections) : [];
    const roleScope: TaskScope = { ...scope, role, roleDir: dir, collections: unique([...metaCollections, ...scope.collections]) };
    const dependencies: LoadedTask[] = [];
    if (files.meta && isPlainObject(files.meta.data) && Array.isArray(files.meta.data.dependencies)) {
      const meta = files.meta;
      const depScope: TaskScope = { ...scope, file: meta.file, chain: [...scope.chain, marker] };
      (meta.data as { dependencies: unknown[] }).dependencies.forEach((entry, index) => {
        appendAll(dependencies, this.expandRole(meta, ['dependencies', index], entry, depScope, true));
      });
    }
    if (files.handlers) {
      scope.roleHandlers.push(
        ...this.expandTasks(files.handlers, [], files.handlers.data, {
          ...roleScope,
          file: files.handlers.file,
          chain: [...scope.chain, files.handlers.file],
          tags: [],
          when: [],
          inHandlers: true,
          roleHandlers: scope.roleHandlers,
        }),
      );
    }
    if (!files.tasks) return dependencies;
    if (scope.chain.includes(files.tasks.file)) {
      throw new ParseError('IMPORT_CYCLE', `role '${name}' includes itself`, { position: source.positionOf(at), hint: 'remove the role from its own tasks' });
    }
    return [
      ...dependencies,
      ...this.expandTasks(files.tasks, [], files.tasks.data, { ...roleScope, file: files.tasks.file, chain: [...scope.chain, marker, files.tasks.file] }),
    ];
  }
}

/** Loads a playbook file with the given roles path. */
export function loadPlaybook(file: string, options: LoadOptions = {}): LoadedPlaybook {
  return new PlaybookLoader(options).load(file);
}

function checkTemplates(source: YamlSource, at: DataPath, task: Record<string, unknown>, moduleKey: string): void {
  const check = (value: unknown, path: DataPath, bare: boolean): void => {
    if (typeof value === 'string') {
      if (!bare && !containsTemplate(value)) return;
      try {
        checkTemplateSyntax(value, bare);
      } catch (err) {
        if (err instanceof HoundError) throw new ParseError(err.code, err.message, { position: source.positionOf(path), hint: err.hint, cause: err });
        throw err;
      }
    } else if (Array.isArray(value)) value.forEach((item, i) => check(item, [...path, i], bare));
    else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) check(item, [...path, key], bare);
  };
  for (const [key, value] of Object.entries(task)) {
    if (CONDITION_KEYS.includes(key)) check(value, [...at, key], true);
    else if (TEMPLATED_TASK_KEYS.includes(key) || key === moduleKey || key === 'loop_control') check(value, [...at, key], false);
  }
}

/**
 * include_vars of a literal file, read now so later tasks (their loops too) compile with its
 * values; a file not found now is left to the run, which fails as Ansible does, and a file
 * that does not parse is an error now.
 */
function includedBeforeRun(args: Record<string, unknown>, searchDirs: string[], roleDir: string | undefined): Vars | undefined {
  if (typeof args.file !== 'string' || args.dir !== undefined || containsTemplate(args)) return undefined;
  if (!varsFileCandidates(args.file, searchDirs).some((f) => existsSync(f))) return undefined;
  try {
    return readIncludedVars(args, searchDirs, roleDir).vars;
  } catch (err) {
    if (err instanceof ModuleFailure)
      throw new HoundError('INCLUDE_VARS_INVALID', err.message, EXIT.PARSE, { hint: 'include_vars reads a YAML or JSON mapping' });
    throw err;
  }
}

function refuseLoop(source: YamlSource, at: DataPath, task: Record<string, unknown>, action: string): void {
  const loopKey = LOOP_KEYS.find((k) => Object.hasOwn(task, k));
  if (loopKey) {
    throw new ParseError('LOOP_NOT_SUPPORTED', `'${loopKey}' on ${action} is not supported`, {
      position: source.keyPositionOf(at, loopKey),
      hint:
        action === 'import_tasks'
          ? 'use include_tasks for a loop over a task file, or put the loop on the tasks inside'
          : 'put the loop on the tasks inside instead',
    });
  }
}

/** A task's, block's, role entry's or play's own keywords, as written. */
interface OwnKeywords {
  keywords: InheritedKeywords;
  environment: KeywordValue[];
  moduleDefaults: KeywordValue[];
}

function ownKeywords(source: YamlSource, at: DataPath, entry: Record<string, unknown>): OwnKeywords {
  const keywords: InheritedKeywords = {};
  for (const key of INHERITED_KEYWORDS) if (Object.hasOwn(entry, key)) keywords[key] = { value: entry[key], at: { source, path: [...at, key] } };
  const frames = (key: string): KeywordValue[] => {
    if (!Object.hasOwn(entry, key) || entry[key] === null) return [];
    const value = entry[key];
    // A list of mappings is several frames, merged in order, as Ansible extends the list.
    if (Array.isArray(value)) return (value as unknown[]).map((item, i) => ({ value: item, at: { source, path: [...at, key, i] } }));
    return [{ value, at: { source, path: [...at, key] } }];
  };
  return { keywords, environment: frames('environment'), moduleDefaults: frames('module_defaults') };
}

/** What the tasks under a block, an import or a role entry inherit from it and from above. */
/** A task's own tags, when, vars and notify, with its keywords. */
type OwnTask = OwnKeywords & { tags: string[]; when: LoadedTask['when']; vars: Vars; notify: LoadedTask['notify'] };

function innerScope(scope: TaskScope, own: OwnTask): TaskScope {
  return {
    ...scope,
    tags: unique([...scope.tags, ...own.tags]),
    when: [...scope.when, ...own.when],
    vars: { ...scope.vars, ...own.vars },
    keywords: { ...scope.keywords, ...own.keywords },
    environment: [...scope.environment, ...own.environment],
    moduleDefaults: [...scope.moduleDefaults, ...own.moduleDefaults],
    notify: [...scope.notify, ...own.notify],
  };
}

function conditionsOf(source: YamlSource, at: DataPath, entry: Record<string, unknown>, key: string): LoadedTask['when'] {
  const value = entry[key];
  return listOf(value).map((expr, i) => ({
    expr: expr as string | boolean,
    at: { source, path: Array.isArray(value) ? [...at, key, i] : [...at, key] },
  }));
}

/** The module a task runs: its own key, or the one `action:` / `local_action:` names (local_action also delegates to localhost). */
function moduleOf(
  source: YamlSource,
  at: DataPath,
  task: Record<string, unknown>,
  action: ModuleAction,
  collections: readonly string[],
): { written: string; definition: ModuleDefinition; raw: unknown; argsPath: DataPath; local: boolean } {
  const argsPath: DataPath = [...at, action.key];
  if (action.kind === 'module') return { written: action.key, definition: action.definition, raw: task[action.key], argsPath, local: false };
  const value = task[action.key];
  let written: string;
  let raw: unknown;
  if (isPlainObject(value)) {
    const { module: name, ...rest } = value;
    written = String(name);
    raw = rest;
  } else {
    const text = String(value).trim();
    const space = text.search(/\s/);
    written = space < 0 ? text : text.slice(0, space);
    raw = space < 0 ? null : text.slice(space + 1).trim();
  }
  const resolved = resolveModule(written, collections);
  if (resolved.kind !== 'module') {
    const closest = closestModuleName(written);
    throw new ParseError('UNKNOWN_MODULE', `${action.key} names '${written}', which is not a module hound has`, {
      position: source.positionOf(argsPath),
      hint:
        resolved.kind === 'not supported'
          ? `${resolved.fqcn}: ${resolved.reason} (${COMPATIBILITY_PAGE})`
          : closest
            ? `did you mean '${closest}'?`
            : `valid modules: ${MODULE_NAMES.join(', ')} (${COMPATIBILITY_PAGE})`,
    });
  }
  return { written, definition: resolved.definition, raw, argsPath, local: action.kind === 'local_action' };
}

/** `debugger:` other than `never` would stop the run for an interactive debugger hound does not have. */
function refuseDebugger(source: YamlSource, at: DataPath, entry: Record<string, unknown>): void {
  if (entry.debugger === undefined || entry.debugger === 'never') return;
  throw new ParseError(
    'DEBUGGER_NOT_SUPPORTED',
    `debugger: ${String(entry.debugger)} asks for Ansible's interactive task debugger, which hound does not have`,
    {
      position: source.positionOf([...at, 'debugger']),
      hint: 'remove debugger: (or set it to never); run with -vvv to see what a task did',
    },
  );
}

function varsPromptOf(source: YamlSource, at: DataPath, value: unknown): VarsPrompt[] {
  return listOf(value).map((raw, index) => {
    const entry = raw as Record<string, unknown>;
    const name = String(entry.name);
    const flagOf = (key: string, fallback: boolean) =>
      entry[key] === undefined ? fallback : ['true', 'yes', '1', 'on'].includes(String(entry[key]).toLowerCase());
    return {
      name,
      prompt: typeof entry.prompt === 'string' ? entry.prompt : name,
      default: entry.default,
      private: flagOf('private', true),
      confirm: flagOf('confirm', false),
      unsafe: flagOf('unsafe', false),
      ...(entry.encrypt !== undefined && entry.encrypt !== null ? { encrypt: { hashtype: entry.encrypt, salt: entry.salt, saltSize: entry.salt_size } } : {}),
      at: { source, path: [...at, 'vars_prompt', index] },
    };
  });
}

/** A play's boolean keyword as Ansible's boolean() reads it, or its error at the keyword. */
function positionedBoolean(source: YamlSource, at: DataPath, value: unknown, key: string): boolean {
  try {
    return keywordBoolean(value, key);
  } catch (err) {
    if (!(err instanceof HoundError)) throw err;
    throw new ParseError('SCHEMA_INVALID', `play: ${err.message}`, { position: source.positionOf([...at, key]), hint: err.hint });
  }
}

/** Whether `file` is vault-encrypted as a whole (it starts with the vault header), rather than holding `!vault` values. */
function isVaultEnvelope(file: string): boolean {
  try {
    return isVaultText(readFileSync(file));
  } catch {
    return false;
  }
}

/** Where a task file's relative name is looked up, in order: the naming file's folder, the role's tasks/ and the role's own, the playbook's. */
function taskFileDirs(scope: TaskScope): string[] {
  const dirs = [path.dirname(scope.file)];
  if (scope.roleDir) dirs.push(path.join(scope.roleDir, 'tasks'), scope.roleDir);
  dirs.push(scope.playbookDir);
  return dirs;
}

function dynamicPathError(source: YamlSource, at: DataPath, what: string): ParseError {
  return new ParseError('DYNAMIC_INCLUDE', `${what} names a file with a template; hound reads every file before the run`, {
    position: source.positionOf(at),
    hint: 'write the file name literally, or select tasks with `when:` instead',
  });
}

/** A `collections:` value: a collection name or a list of them (anything else was refused by the schema). */
function collectionsOf(value: unknown): string[] {
  return listOf(value).map(String);
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Tags as Ansible reads them: a list, or a comma-separated string. */
export function tagsOf(value: unknown): string[] {
  return listOf(value)
    .flatMap((t) => String(t).split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
