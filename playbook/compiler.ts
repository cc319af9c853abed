// The compiler (pure: no I/O): a loaded playbook + an inventory + the command-line
// choices → the CompiledRun the executor runs. Host patterns are resolved, variables
// merged by precedence, templates rendered, loops expanded, static `when` evaluated and
// tags applied. Anything that depends on a value only known at run time (a registered
// result, a set_fact) is left as templates with `deferred: true`.
import path from 'node:path';
import {
  includeChoiceGate,
  isInclude,
  plainTaskFields,
  type CompiledHandler,
  type CompiledPlay,
  type CompiledRun,
  type FactGatheringStep,
  type FactLayer,
  type TaskInstance,
  type TaskKeywords,
} from './compiled.js';
import { HoundError, ParseError, type SourcePosition } from '../base/errors.js';
import { MAX_TIMER_SECONDS, timerProblem } from '../base/sleep.js';
import { serialBatches } from './batches.js';
import { type LoadedPlay, type LoadedTask, type SourceRef, type TemplatedVarsFile, type Vars } from './model.js';
import { checkRenderedArguments } from './module-arguments.js';
import { shouldRun, type TagSelection } from './tags.js';
import { didYouMean } from '../base/suggest.js';
import {
  ANY_VARIABLE,
  CONTROLLER_COMMANDS,
  CONTROLLER_FILES,
  collectTemplateWarnings,
  containsTemplate,
  lookupPluginReads,
  evaluateCondition,
  loopItemsFor,
  referencedNames,
  itemsAsStored,
  readsData,
  renderValue,
  renderValueKeepingData,
  templateStrings,
} from './templating.js';
import { mergeVariables, withLoopVariables } from './variables.js';
import type { Inventory } from '../inventory/model.js';
import { applyLimit, resolvePattern } from '../inventory/patterns.js';
import { isIpAddress } from '../inventory/host-range.js';
import { groupsOfHost, hostsOfGroup, hostVars } from '../inventory/vars.js';
import { findModuleDefinition } from '../modules/schemas.js';
import { appendAll } from '../base/append.js';
import { extendedLoopVars, firstFoundSubdir, renderLoopValue } from './lookup-plugins.js';
import { mergeModuleDefaults } from './module-defaults.js';
import { KeywordError, keywordBoolean, rawKeywordsOf, resolveKeywords, type RawKeywords } from './task-keywords.js';
import { IMPLICIT_LOCALHOST, implicitLocalhostVars, isImplicitLocalhost, orderHosts } from './play-hosts.js';
import { isAnsibleFact } from './template-values.js';
import { connectionKindOf } from '../transport/reach.js';
import { cannotInclude, chosenInclude, varsFileCandidatesOf, varsFileNotFound } from './include-candidates.js';
import { isFile } from '../base/file-kind.js';

export interface CompileOptions {
  inventory: Inventory;
  /** --limit patterns (each may be a union such as `a:b`). */
  limit?: string[];
  tags?: string[];
  skipTags?: string[];
  /** -e values merged in order; they win over every other variable. */
  extraVars?: Vars;
  /** Where relative `@file` patterns are read from. */
  baseDir?: string;
  /** --check: templates see it as `ansible_check_mode` / `hound_check_mode`. */
  check?: boolean;
  /** ansible.cfg's fact settings (default: gathering implicit, facts injected as variables). */
  facts?: FactSettings;
  /**
   * Whether compiling may run the lookups that run commands on the controller or write files
   * there (pipe, lines, password; default true). False for --syntax-check and --list-*: their
   * tasks wait for a run, which those modes never start.
   */
  controllerCommands?: boolean;
  /** -c / ansible.cfg's transport: a host that names no connection is reached so (`local`: it is the controller). */
  defaultConnection?: string;
  /** How the run was started, for Ansible's magic variables of the same names (ansible_verbosity, ...). */
  run?: RunSettings;
}

/** The command line's settings templates can read: -v's count, forks, --diff, the ansible.cfg in use. */
export interface RunSettings {
  verbosity?: number;
  forks?: number;
  diff?: boolean;
  configFile?: string;
}

/**
 * The ansible-core whose semantics hound follows (its filters, tests, lookups and messages are
 * checked against it): `ansible_version`, so that playbooks' version checks take the branch
 * they take there.
 */
export const ANSIBLE_CORE_VERSION = { string: '2.14.18', full: '2.14.18', major: 2, minor: 14, revision: 18 };

/** How plays gather facts when they do not say: ansible.cfg [defaults] gathering, gather_subset, gather_timeout, inject_facts_as_vars. */
export interface FactSettings {
  gathering: 'implicit' | 'explicit' | 'smart';
  gatherSubset?: string[];
  gatherTimeout?: number;
  injectFactsAsVars: boolean;
}

const DEFAULT_FACT_SETTINGS: FactSettings = { gathering: 'implicit', injectFactsAsVars: true };

/** The task a play that gathers facts starts with, as Ansible names it. */
export const GATHERING_FACTS = 'Gathering Facts';

/** Names that come from gathered facts: ansible_facts, the injected ansible_* facts, and hostvars (which carries them). */
function isFactName(name: string): boolean {
  return name === 'ansible_facts' || name === 'hostvars' || isAnsibleFact(name);
}

const EMPTY: Vars = Object.freeze({});

export function compilePlays(plays: readonly LoadedPlay[], options: CompileOptions): CompiledRun {
  return new Compiler(options).compile(plays);
}

class Compiler {
  private readonly extra: Vars;
  private readonly selection: TagSelection;
  /** Names set at run time (register:, set_fact) by the play compiled now: the index of the first task that sets each. */
  private registeredAt = new Map<string, number>();
  /** Names set at run time by earlier plays: set before any task of later plays. */
  private readonly earlierNames = new Set<string>();
  /** From this task index on, any name not defined yet may come from an include_vars file only known at run time (-1: since an earlier play). */
  private openAtRunTimeFrom = Infinity;
  private readonly inventoryVars = new Map<string, Vars>();
  private readonly magic = new Map<string, Vars>();
  private hostvarsShared?: Vars;
  private runMagicShared?: Vars;
  private readonly taskNames = new WeakMap<LoadedTask, TaskNames>();
  private groupsShared?: Vars;
  private readonly facts: FactSettings;
  /** From this task index on, fact names are known only at run time: the play gathers facts, or a setup task ran (-1: from the play's start). */
  private factsFrom = Infinity;
  /** From this task index on, the controller's files may have been changed by the run (controllerWriteIndex; -1: by an earlier play). */
  private controllerWritesFrom = Infinity;

  constructor(private readonly options: CompileOptions) {
    this.extra = options.extraVars ?? {};
    this.selection = { only: options.tags ?? [], skip: options.skipTags ?? [] };
    this.facts = options.facts ?? DEFAULT_FACT_SETTINGS;
  }

  compile(plays: readonly LoadedPlay[]): CompiledRun {
    return {
      plays: plays.map((play, index) => {
        const compiled = this.compilePlay(play, index);
        for (const name of this.registeredAt.keys()) this.earlierNames.add(name);
        if (this.openAtRunTimeFrom !== Infinity) this.openAtRunTimeFrom = -1;
        // Gathered facts stay for the later plays (Ansible's fact cache).
        if (this.factsFrom !== Infinity) this.factsFrom = -1;
        if (this.controllerWritesFrom !== Infinity) this.controllerWritesFrom = -1;
        return compiled;
      }),
    };
  }

  private compilePlay(play: LoadedPlay, playIndex: number): CompiledPlay {
    const { inventory } = this.options;
    const patternVars = { ...play.vars, ...this.extra };
    const pattern = String(this.render(play.hosts, patternVars, play.hostsAt, `play '${play.name}'`));
    let hosts = resolvePattern(inventory, pattern, { baseDir: this.options.baseDir });
    // As Ansible: `localhost` names the controller even when the inventory does not list it.
    if (hosts.length === 0 && isImplicitLocalhost(inventory, pattern)) hosts = [IMPLICIT_LOCALHOST];
    if (this.options.limit && this.options.limit.length > 0) hosts = applyLimit(inventory, hosts, this.options.limit, { baseDir: this.options.baseDir });
    hosts = orderHosts(hosts, play.order);
    // A templated serial may render to a list of sizes (`serial: "{{ batches }}"`), as in Ansible.
    const serial = play.serial.flatMap((value) => {
      const rendered = typeof value === 'string' ? this.render(value, patternVars, play.serialAt!, `play '${play.name}'`) : value;
      return (Array.isArray(rendered) ? rendered : [rendered]).map((size: unknown) => {
        if (typeof size !== 'number' && !/^\s*\d+(\.\d+)?%?\s*$/.test(String(size))) {
          throw new ParseError('SERIAL_INVALID', `serial must be a number or a percentage, got ${JSON.stringify(size)}`, { position: this.at(play.serialAt!) });
        }
        return size as number | string;
      });
    });

    // Built on first use: a play without tasks or handlers (--list-hosts over 200 000 hosts)
    // then builds none of the per-host variable sets, each a few kilobytes.
    const playVarsByHost = new Map<string, PlayHostVars>();
    const scopeOf = (host: string): PlayHostVars => {
      let scope = playVarsByHost.get(host);
      if (!scope) playVarsByHost.set(host, (scope = this.hostScope(host, play, hosts)));
      return scope;
    };

    this.checkNotifications(play);
    this.registeredAt = registrationIndexes(play.tasks, this.earlierNames);
    const gatherFacts = play.gatherFacts ?? this.facts.gathering !== 'explicit';
    // Fact names are known only at run time from the play's start when it gathers facts (or an
    // earlier play did), else from its first setup task on.
    const firstSetup = play.tasks.findIndex((task) => task.module === 'setup');
    if (gatherFacts) this.factsFrom = -1;
    else if (this.factsFrom !== -1) this.factsFrom = firstSetup === -1 ? Infinity : firstSetup;
    // (Only for a play with tasks: the question builds each host's inventory variables.)
    if (this.controllerWritesFrom !== -1 && play.tasks.length > 0)
      this.controllerWritesFrom = controllerWriteIndex(play.tasks, mayBeLocal(play.vars.ansible_connection) || hosts.some((host) => this.isController(host)));
    const factLayer = this.factLayer(play);
    // Ansible's implicit fact gathering carries the `always` tag. One step for the play, made
    // into a host's task only when that host runs it: listing a play or planning it builds
    // no per-host gathering, nor the host's variables for it.
    const gathering: FactGatheringStep | undefined =
      gatherFacts && shouldRun(['always'], this.selection)
        ? { taskFor: (host) => ({ ...this.gatheringTask(play, playIndex, host, this.varsBeforeTasks(scopeOf(host))), factLayer }) }
        : undefined;
    const tasksByHost = new Map<string, TaskInstance[]>();
    for (const host of hosts) {
      const out: TaskInstance[] = [];
      if (play.tasks.length > 0)
        this.walk(play.tasks, 0, play.tasks.length, { host, scope: scopeOf(host), prefix: [], idPrefix: `${playIndex}:`, before: 0 }, out);
      tasksByHost.set(host, out);
    }

    // Handlers run after the tasks: every name registered by a task is known by then.
    const setByTasks = this.registeredAt;
    this.registeredAt = registrationIndexes([...play.tasks, ...play.handlers], this.earlierNames);
    // What include_vars tasks left to the run time (noteIncludedVars) stays so for the handlers.
    for (const [name, index] of setByTasks) if (!this.registeredAt.has(name)) this.registeredAt.set(name, index);
    const handlers: CompiledHandler[] = [];
    for (let handlerIndex = 0; handlerIndex < play.handlers.length;) {
      const handler = play.handlers[handlerIndex];
      // A handler that is an include_tasks runs the tasks it brings in: they are its own, not handlers.
      let end = handlerIndex + 1;
      if (isInclude(handler.module)) while (end < play.handlers.length && includedWithin(play.handlers[end], handler)) end++;
      const byHost = new Map<string, TaskInstance[]>();
      for (const host of hosts) {
        const ctx: WalkContext = { host, scope: scopeOf(host), prefix: [], idPrefix: `${playIndex}:handler`, before: Infinity };
        if (!isInclude(handler.module)) {
          byHost.set(host, this.instances(handler, handlerIndex, ctx));
          continue;
        }
        const out: TaskInstance[] = [];
        this.walkInclude(play.handlers, handlerIndex, end, ctx, out);
        byHost.set(host, out);
      }
      handlers.push({ name: handler.name ?? handler.action, listen: handler.listen, tasksByHost: byHost });
      handlerIndex = end;
    }

    return {
      name: play.name,
      hosts,
      batches: serialBatches(hosts, serial),
      strategy: play.strategy,
      maxFailPercentage: play.maxFailPercentage,
      anyErrorsFatal: play.anyErrorsFatal,
      forceHandlers: play.forceHandlers,
      gatherFacts,
      gathering,
      distribution: play.distribution,
      tasksByHost: this.withFactLayer(tasksByHost, factLayer),
      handlers: handlers.map((h) => ({ ...h, tasksByHost: this.withFactLayer(h.tasksByHost, factLayer) })),
      position: play.position,
    };
  }

  /**
   * One host's instances of tasks [from, to): tags applied, and each include_tasks with the
   * tasks of its file (once per loop item), those only where the include runs.
   */
  private walk(tasks: readonly LoadedTask[], from: number, to: number, ctx: WalkContext, out: TaskInstance[]): void {
    let index = from;
    while (index < to) {
      const task = tasks[index];
      if (!isInclude(task.module)) {
        if (shouldRun(task.tags, this.selection)) {
          const instances = this.instances(task, index, { ...ctx, before: Math.max(index, ctx.ranUpTo ?? index) });
          appendAll(out, instances);
          if (task.module === 'include_vars') this.noteIncludedVars(task, index, instances, ctx.scope);
        }
        index++;
        continue;
      }
      let end = index + 1;
      while (end < to && includedWithin(tasks[end], task)) end++;
      // As Ansible: an include not selected by --tags brings in nothing, whatever its tasks' tags.
      if (shouldRun(task.tags, this.selection)) this.walkInclude(tasks, index, end, { ...ctx, before: Math.max(index, ctx.ranUpTo ?? index) }, out);
      index = end;
    }
  }

  private walkInclude(tasks: readonly LoadedTask[], index: number, end: number, ctx: WalkContext, out: TaskInstance[]): void {
    const include = tasks[index];
    const instances = this.instances(include, index, ctx);
    instances.forEach((instance, item) => {
      if (include.loop) instance.order = [...ctx.prefix, index, item];
      out.push(instance);
      if (instance.skipped) return;
      const inner: WalkContext = {
        ...ctx,
        prefix: include.loop ? [...ctx.prefix, index, item] : ctx.prefix,
        idPrefix: include.loop ? `${ctx.idPrefix}${index}.${item}/` : ctx.idPrefix,
        // Deferred: known to run only once the include itself has run.
        gate: instance.deferred ? instance.id : ctx.gate,
        loopVars: include.loop ? { ...ctx.loopVars, ...instance.loopVars } : ctx.loopVars,
        // From the second item on, every task of the include has run once: what they register
        // or set_fact is a run-time value for all of them (`acc: "{{ acc + [item] }}"`).
        ranUpTo: item > 0 ? Math.max(end, ctx.ranUpTo ?? end) : ctx.ranUpTo,
      };
      if (include.includeChoices) this.walkIncludeChoice(tasks, index, instance, inner, out);
      else this.walk(tasks, index + 1, end, inner, out);
    });
  }

  /**
   * A templated include_tasks on one host (one loop item): the tasks of the file its name
   * renders to. Rendered now when it can be; when it reads a value only known at run time,
   * every file it may name, each gated on the executor picking it.
   */
  private walkIncludeChoice(tasks: readonly LoadedTask[], index: number, instance: TaskInstance, inner: WalkContext, out: TaskInstance[]): void {
    const include = tasks[index];
    const { template, dirs, choices } = include.includeChoices!;
    const ranges: { from: number; to: number }[] = [];
    let from = index + 1;
    for (const choice of choices) ranges.push({ from, to: (from += choice.tasks) });
    if (this.dependsOnRuntime(this.analysis(include).args, instance.vars, inner.before)) {
      const failures = choices.map((c) => (c.failure ? cannotInclude(c.file, c.failure) : undefined));
      choices.forEach((choice, k) => {
        if (choice.failure) return;
        // A file that cannot be compiled here (it reads a variable only the hosts it is meant
        // for have) fails the include where the name renders to it, not the run.
        const before = out.length;
        try {
          this.walk(tasks, ranges[k].from, ranges[k].to, { ...inner, gate: includeChoiceGate(instance.id, k) }, out);
          for (let i = before; i < out.length; i++) out[i].ifIncludedFile ??= choice.file;
        } catch (err) {
          if (!(err instanceof HoundError)) throw err;
          out.length = before;
          failures[k] = cannotInclude(choice.file, err);
        }
      });
      instance.includeChoices = { dirs, files: choices.map((c) => c.file), failures };
      return;
    }
    const label = `task '${include.name ?? include.action}', host ${instance.host}`;
    let rendered: string;
    try {
      rendered = String(renderValue(template, instance.vars));
    } catch (err) {
      if (!isRunTimeTemplateError(err) || !this.failureHandled(include, instance.vars, label)) throw this.positioned(err, include.argsAt, label);
      instance.runFailure = fieldFailure(err, 'args');
      return;
    }
    const chosen = chosenInclude(
      rendered,
      dirs,
      choices.map((c) => c.file),
    );
    if (chosen === -1) {
      const there = dirs.map((dir) => path.resolve(dir, rendered)).find((file) => isFile(file));
      if (there !== undefined) {
        throw new ParseError('DYNAMIC_INCLUDE', `${label}: the file name renders to '${rendered}', which hound did not read before the run`, {
          position: this.at(include.argsAt),
          hint: `hound reads the files a templated name may name, its template parts standing for part of one file or folder name (${template}); write a name of that shape, or the file name literally`,
        });
      }
      // Ansible's words when the included file is not there.
      instance.args = { file: path.resolve(dirs[0], rendered), missing: true };
      return;
    }
    const { file, failure } = choices[chosen];
    if (failure) {
      // Before the run when the include surely runs and nothing handles its failure; else it fails where it runs.
      if (!instance.deferred && !this.failureHandled(include, instance.vars, label)) throw failure;
      instance.runFailure = cannotInclude(file, failure);
      return;
    }
    instance.args = { file };
    this.walk(tasks, ranges[chosen].from, ranges[chosen].to, inner, out);
  }
  /** "Gathering Facts": the setup module, first on every host (task index -1, before the play's tasks), with the play's keywords. */
  private gatheringTask(play: LoadedPlay, playIndex: number, host: string, vars: Vars): TaskInstance {
    const subset = play.gatherSubset ?? this.facts.gatherSubset;
    const timeout = play.gatherTimeout ?? this.facts.gatherTimeout;
    const owner = { keywords: play.keywords, environment: play.environment, at: play.hostsAt };
    const keywords = this.keywords(owner, rawKeywordsOf(owner), vars, `play '${play.name}'`);
    return {
      id: `${playIndex}:facts:${host}`,
      host,
      taskIndex: -1,
      order: [-1],
      name: GATHERING_FACTS,
      module: 'setup',
      args: { ...(subset !== undefined ? { gather_subset: subset } : {}), ...(timeout !== undefined ? { gather_timeout: timeout } : {}) },
      ...plainTaskFields(),
      vars,
      tags: ['always'],
      keywords,
      blocks: [],
      position: play.position,
      searchDirs: [path.dirname(play.file)],
      factGathering: this.facts.gathering === 'smart' ? 'smart' : 'implicit',
    };
  }

  /** The host's play variables as the play starts: without what an include_vars of the play added since. */
  private varsBeforeTasks(scope: PlayHostVars): Vars {
    if (Object.keys(scope.included).length === 0) return scope.plain;
    return mergeVariables({ inventory: scope.inventory, play: scope.play, magic: scope.magic, extra: this.extra });
  }

  /** The fact-named variables set at play level or above (play, role and task vars, -e): gathered facts do not override them. */
  private factLayer(play: LoadedPlay): FactLayer {
    const names = [
      ...Object.keys(play.vars),
      ...Object.keys(this.extra),
      ...play.tasks.flatMap((t) => [...Object.keys(t.vars), ...Object.keys(t.role?.vars ?? {})]),
    ];
    return { inject: this.facts.injectFactsAsVars, pinned: new Set(names.filter(isFactName)) };
  }

  private withFactLayer(byHost: Map<string, TaskInstance[]>, layer: FactLayer): Map<string, TaskInstance[]> {
    for (const tasks of byHost.values()) for (const t of tasks) t.factLayer = layer;
    return byHost;
  }

  /** Every notify must name a handler (or a listen topic) of the play. */
  private checkNotifications(play: LoadedPlay): void {
    const names = new Set(play.handlers.flatMap((h) => [...(h.name ? [h.name] : []), ...h.listen]));
    for (const task of [...play.tasks, ...play.handlers]) {
      for (const notify of task.notify) {
        if (names.has(notify.name) || containsTemplate(notify.name)) continue;
        throw new ParseError('UNKNOWN_HANDLER', `task '${task.name ?? task.action}' notifies '${notify.name}', which is not a handler of this play`, {
          position: this.at(notify.at),
          hint: names.size > 0 ? didYouMean(notify.name, [...names], 'handlers') : 'add a handlers: section with a handler of that name',
        });
      }
    }
  }

  /**
   * After an include_vars task on a host: the variables it read before the run join that host's
   * variables for the tasks after it (above task vars, as in Ansible), when it surely runs there.
   * Otherwise they are only known at run time: its names (or, when the file itself is only known
   * then, any name not defined yet) make the tasks after it deferred.
   */
  private noteIncludedVars(task: LoadedTask, index: number, instances: TaskInstance[], scope: PlayHostVars): void {
    const runs = instances.length === 1 && !instances[0].skipped && !instances[0].deferred && instances[0].when.length === 0;
    if (task.includedVars && runs) {
      scope.included = { ...scope.included, ...task.includedVars };
      scope.plain = mergeVariables({ inventory: scope.inventory, play: scope.play, included: scope.included, magic: scope.magic, extra: this.extra });
      scope.byScope.clear();
    } else if (task.includedVars) {
      for (const name of Object.keys(task.includedVars)) if (!((this.registeredAt.get(name) ?? Infinity) <= index)) this.registeredAt.set(name, index);
    } else if (instances.some((i) => !i.skipped)) {
      this.openAtRunTimeFrom = Math.min(this.openAtRunTimeFrom, index);
    }
  }

  private hostScope(host: string, play: LoadedPlay, playHosts: string[]): PlayHostVars {
    const magic: Vars = {
      ...this.magicVars(host),
      hostvars: this.hostvars(host),
      play_hosts: playHosts,
      ansible_play_hosts: playHosts,
      ansible_play_hosts_all: playHosts,
      ansible_play_batch: playHosts,
      ansible_play_name: play.name,
      ...this.runMagic(),
      ansible_check_mode: this.options.check === true,
      hound_check_mode: this.options.check === true,
      playbook_dir: path.dirname(play.file),
      // Where the play's own tasks' lookups and files are found (a role's or an imported file's tasks have their own: taskVars).
      ansible_search_path: [path.dirname(play.file)],
    };
    const inventoryVars = this.hostInventoryVars(host);
    const playVars = play.varsFiles ? this.hostPlayVars(host, play, inventoryVars, magic) : play.vars;
    const plain = mergeVariables({ inventory: inventoryVars, play: playVars, magic, extra: this.extra });
    return { inventory: inventoryVars, magic, play: playVars, included: {}, plain, byScope: new Map() };
  }

  /** The play's vars and vars_files on a host whose vars_files has templated entries, each rendered with what comes before it. */
  private hostPlayVars(host: string, play: LoadedPlay, inventory: Vars, magic: Vars): Vars {
    const { own, entries } = play.varsFiles!;
    const vars: Vars = { ...own };
    for (const entry of entries) {
      if (entry.kind === 'read') Object.assign(vars, entry.vars);
      else Object.assign(vars, this.chosenVarsFile(entry, host, play, mergeVariables({ inventory, play: vars, magic, extra: this.extra })));
    }
    return vars;
  }

  /** What the first of a templated entry's names that renders to a file read before the run holds; as Ansible, an error when none does. */
  private chosenVarsFile(entry: TemplatedVarsFile, host: string, play: LoadedPlay, context: Vars): Vars {
    const label = `vars_files of play '${play.name}', host ${host}`;
    const playbookDir = path.dirname(play.file);
    for (const name of entry.names) {
      if (this.dependsOnRuntime([...referencedNames(name)], context, 0)) {
        throw new ParseError('DYNAMIC_INCLUDE', `${label}: '${name}' reads a value only known at run time (a gathered fact)`, {
          position: this.at(entry.at),
          hint: 'hound reads vars files before the run: name them with inventory, play or -e variables, or read a fact-named file with include_vars',
        });
      }
      const rendered = String(this.render(name, context, entry.at, label));
      for (const file of varsFileCandidatesOf(rendered, playbookDir)) {
        const read = entry.candidates.find((c) => c.file === file);
        if (read?.failure) throw read.failure;
        if (read) return read.vars!;
        if (isFile(file)) {
          throw new ParseError('DYNAMIC_INCLUDE', `${label}: '${name}' renders to ${file}, which hound did not read before the run`, {
            position: this.at(entry.at),
            hint: 'hound reads the files a templated name may name, its template parts standing for part of one file or folder name: write a name of that shape',
          });
        }
      }
    }
    throw varsFileNotFound(entry.names, entry.names.length > 1, playbookDir, this.at(entry.at), label);
  }

  /** Whether the host may be the controller itself: by name or address, or reached with connection local (its variable, else -c). */
  private isController(host: string): boolean {
    const vars = this.hostInventoryVars(host);
    return (
      CONTROLLER_NAMES.has(host) ||
      (typeof vars.ansible_host === 'string' && CONTROLLER_NAMES.has(vars.ansible_host)) ||
      mayBeLocal(vars.ansible_connection ?? this.options.defaultConnection)
    );
  }

  private hostInventoryVars(host: string): Vars {
    let vars = this.inventoryVars.get(host);
    if (!vars) {
      const { inventory } = this.options;
      vars = host === IMPLICIT_LOCALHOST && !inventory.hosts.has(host) ? implicitLocalhostVars(inventory) : hostVars(inventory, host);
      this.inventoryVars.set(host, vars);
    }
    return vars;
  }

  private magicVars(host: string): Vars {
    let vars = this.magic.get(host);
    if (!vars) {
      // inventory/vars.ts magicVars() rebuilds `groups` per host; every host sees the same
      // one, so it is built once here and shared (1,000 hosts: 1,000 fewer copies).
      const inventory = this.options.inventory;
      if (!this.groupsShared) {
        const groups: Record<string, string[]> = {};
        for (const group of inventory.groups.keys()) groups[group] = [...hostsOfGroup(inventory, group)];
        this.groupsShared = groups;
      }
      vars = {
        inventory_hostname: host,
        inventory_hostname_short: isIpAddress(host) ? host : host.split('.')[0],
        group_names: [...groupsOfHost(inventory, host)].filter((g) => g !== 'all').sort(),
        groups: this.groupsShared,
      };
      this.magic.set(host, vars);
    }
    return vars;
  }

  /** Ansible's magic variables of the run itself, the same on every host. */
  private runMagic(): Vars {
    if (this.runMagicShared) return this.runMagicShared;
    const run = this.options.run ?? {};
    return (this.runMagicShared = {
      ansible_version: ANSIBLE_CORE_VERSION,
      ansible_run_tags: this.selection.only.length > 0 ? this.selection.only : ['all'],
      ansible_skip_tags: this.selection.skip,
      ansible_verbosity: run.verbosity ?? 0,
      ansible_diff_mode: run.diff === true,
      ...(run.forks !== undefined ? { ansible_forks: run.forks } : {}),
      ...(run.configFile !== undefined ? { ansible_config_file: run.configFile } : {}),
      ...(this.options.limit && this.options.limit.length > 0 ? { ansible_limit: this.options.limit.join(',') } : {}),
    });
  }

  /** Every host's inventory variables; `host`, the implicit localhost, joins them once a play runs on it, as in Ansible. */
  private hostvars(host?: string): Vars {
    if (!this.hostvarsShared) {
      const all: Vars = {};
      for (const name of this.options.inventory.hosts.keys()) all[name] = { ...this.hostInventoryVars(name), inventory_hostname: name };
      this.hostvarsShared = all;
    }
    if (host === IMPLICIT_LOCALHOST && !Object.hasOwn(this.hostvarsShared, host))
      this.hostvarsShared[host] = { ...this.hostInventoryVars(host), inventory_hostname: host };
    return this.hostvarsShared;
  }

  /** The task's variables on a host; shared between tasks with the same role, the same search path and no task vars. */
  private taskVars(task: LoadedTask, scope: PlayHostVars): Vars {
    const hasTaskVars = Object.keys(task.vars).length > 0;
    // Ansible's ansible_search_path: the role's folder, the task file's, the playbook's.
    const playPath = scope.magic.ansible_search_path as string[];
    const ownPath = task.searchDirs.length !== playPath.length || task.searchDirs.some((dir, i) => dir !== playPath[i]);
    if (!task.role && !hasTaskVars && !ownPath) return scope.plain;
    const key = task.role ?? EMPTY;
    const pathKey = task.searchDirs.join('\0');
    if (!hasTaskVars) {
      const cached = scope.byScope.get(key)?.get(pathKey);
      if (cached) return cached;
    }
    const merged = mergeVariables({
      roleDefaults: task.role?.defaults,
      inventory: scope.inventory,
      play: scope.play,
      roleVars: task.role ? { ...task.role.vars, role_name: task.role.name, ansible_role_name: task.role.name, role_path: task.role.dir } : undefined,
      task: task.vars,
      included: scope.included,
      magic: ownPath ? { ...scope.magic, ansible_search_path: task.searchDirs } : scope.magic,
      extra: this.extra,
    });
    if (!hasTaskVars) {
      let byPath = scope.byScope.get(key);
      if (!byPath) scope.byScope.set(key, (byPath = new Map<string, Vars>()));
      byPath.set(pathKey, merged);
    }
    return merged;
  }

  /** The task's instances on ctx's host; the warnings its rendering gave go with the first, whose result carries them. */
  private instances(task: LoadedTask, taskIndex: number, ctx: WalkContext): TaskInstance[] {
    const { value: instances, warnings } = collectTemplateWarnings(() => this.renderedInstances(task, taskIndex, ctx));
    if (warnings.length > 0 && instances.length > 0) instances[0].renderWarnings = warnings;
    return instances;
  }

  private renderedInstances(task: LoadedTask, taskIndex: number, ctx: WalkContext): TaskInstance[] {
    const { host } = ctx;
    const id = `${ctx.idPrefix}${taskIndex}:${host}`;
    const taskVars = this.taskVars(task, ctx.scope);
    const base = ctx.loopVars ? withLoopVariables(taskVars, ctx.loopVars, this.extra) : taskVars;
    const label = `task '${task.name ?? task.action}', host ${host}`;
    const runtime = this.runtimeDependencies(task, base, ctx.before);
    // As Ansible shows it (Task.get_name): rendered once per host, without the loop variable;
    // a role's task as `role : name`, an unnamed looped include_role as `include_role : role`.
    const written = this.analysis(task).nameTemplated ? this.taskName(task, base) : (task.name ?? task.action);
    const name =
      task.module === 'include_role' && task.name === undefined
        ? `${task.action} : ${String(task.args.role)}`
        : task.role && task.module !== 'include_role'
          ? `${task.role.name} : ${written}`
          : written;
    const make = (vars: Vars, suffix: string, dependencies: RuntimeDependencies, loopFailure?: LoopFailure) =>
      this.instance(task, taskIndex, `${id}${suffix}`, { ...ctx, order: [...ctx.prefix, taskIndex] }, vars, label, dependencies, name, loopFailure);
    if (!task.loop) {
      const one = make(base, '', runtime);
      return one ? [one] : [];
    }
    const control = task.loopControl;
    if (this.dependsOnRuntime(this.analysis(task).loop, base, ctx.before)) {
      if (isInclude(task.module)) {
        throw new ParseError('LOOP_DEFERRED', `the loop of ${label} depends on a registered result, a set_fact or a gathered fact, only known at run time`, {
          position: this.at(task.loop.at),
          hint: 'hound reads include_tasks files before the run: loop over inventory or play variables, or put the loop on the tasks inside',
        });
      }
      const one = make(base, '', { ...runtime, args: true });
      if (!one) return [];
      one.deferred = true;
      one.deferredLoop = {
        kind: task.loop.kind,
        value: task.loop.value,
        subdir: firstFoundSubdir(task.action),
        loopVar: control.loopVar,
        indexVar: control.indexVar,
        extended: this.flag(control.extended, base, task.loop.at, label, 'loop_control.extended') ?? false,
        extendedAllitems: this.flag(control.extendedAllitems, base, task.loop.at, label, 'loop_control.extended_allitems') ?? true,
      };
      one.loopLabel = control.label;
      one.loopPause = this.pauseOf(task, base, label);
      return [one];
    }
    const { kind, value, at } = task.loop;
    let items: unknown[];
    /** The items as the loop's variable holds them: data (asData) from a with_* lookup or when the loop's value read some (an `!unsafe` value). */
    let stored: unknown[];
    try {
      const { value: rendered, data } = readsData(() => renderLoopValue(kind, value, (v) => this.render(v, base, at, label)));
      items = loopItemsFor(kind, rendered, base, firstFoundSubdir(task.action));
      stored = itemsAsStored(kind, items, data);
    } catch (err) {
      if (!isRunTimeTemplateError(err) || !this.failureHandled(task, base, label)) throw this.positioned(err, task.loop.at, label);
      // As Ansible: a loop that reads an undefined variable fails the task only where its
      // conditions hold (a false one skips it); any other error fails it at once.
      const one = make(base, '', runtime, { message: err.message, afterConditions: err.code === 'UNDEFINED_VARIABLE' });
      return one ? [one] : [];
    }
    if (items.length === 0)
      return [this.skippedInstance(task, taskIndex, id, { ...ctx, order: [...ctx.prefix, taskIndex] }, base, name, 'No items in the list')];
    const extended = this.flag(control.extended, base, task.loop.at, label, 'loop_control.extended') ?? false;
    const allItems = this.flag(control.extendedAllitems, base, task.loop.at, label, 'loop_control.extended_allitems') ?? true;
    const pause = this.pauseOf(task, base, label);
    const out: TaskInstance[] = [];
    items.forEach((item, index) => {
      const loopVars = loopVariables(control, stored[index], index, extended ? extendedLoopVars(stored, index, allItems) : undefined);
      const vars = withLoopVariables(base, loopVars, this.extra);
      // A loop item is data; only when it holds templates itself can it change what is deferred.
      const itemRuntime = stored[index] === item && containsTemplate(item) ? this.runtimeDependencies(task, vars, ctx.before) : runtime;
      const one = make(vars, `:${index}`, itemRuntime);
      if (one) {
        one.loopItem = item;
        one.loopVar = control.loopVar;
        one.loopVars = loopVars;
        one.loopLabel = control.label;
        if (pause > 0) one.loopPause = pause;
        out.push(one);
      }
    });
    return out;
  }

  private pauseOf(task: LoadedTask, vars: Vars, label: string): number {
    const pause = task.loopControl.pause;
    if (pause === undefined) return 0;
    const value = typeof pause === 'number' ? pause : Number(this.render(pause, vars, task.loop!.at, label));
    if (!Number.isFinite(value) || value < 0) {
      throw new ParseError('SCHEMA_INVALID', `${label}: 'loop_control.pause' must be a number of seconds, got ${JSON.stringify(pause)}`, {
        position: this.at(task.loop!.at),
      });
    }
    return value;
  }

  private flag(value: unknown, vars: Vars, at: SourceRef, label: string, field: string): boolean | undefined {
    if (value === undefined) return undefined;
    try {
      return keywordBoolean(typeof value === 'string' ? renderValue(value, vars) : value, field);
    } catch (err) {
      throw this.positioned(err, at, label);
    }
  }

  /** Which of the task's conditions, and whether its arguments or keywords, wait for run-time values. */
  private runtimeDependencies(task: LoadedTask, vars: Vars, before: number): RuntimeDependencies {
    const names = this.analysis(task);
    return {
      args: this.dependsOnRuntime(names.args, vars, before),
      when: names.when.map((n) => this.dependsOnRuntime(n, vars, before)),
      keywords: this.dependsOnRuntime(names.keywords, vars, before),
    };
  }

  private instance(
    task: LoadedTask,
    taskIndex: number,
    id: string,
    ctx: WalkContext & { order: number[] },
    vars: Vars,
    label: string,
    runtime: RuntimeDependencies,
    name: string,
    loopFailure?: LoopFailure,
  ): TaskInstance | undefined {
    const pendingWhen: string[] = [];
    /**
     * What the task fails with where it runs, its failure handled by the playbook, before its
     * arguments are rendered (they are not): its loop, or a condition that cannot be evaluated.
     */
    let failureBeforeArguments = loopFailure?.afterConditions === false ? loopFailure.message : undefined;
    const names = this.analysis(task);
    const skipped = (expr: string) => this.skippedInstance(task, taskIndex, id, ctx, vars, name, `conditional result was false: ${expr}`);
    for (const [conditionIndex, condition] of failureBeforeArguments === undefined ? task.when.entries() : []) {
      if (typeof condition.expr === 'boolean') {
        if (!condition.expr) return skipped('false');
        continue;
      }
      if (runtime.when[conditionIndex]) {
        pendingWhen.push(condition.expr);
        continue;
      }
      let holds: boolean;
      try {
        holds = evaluateCondition(condition.expr, vars);
      } catch (err) {
        if (!isRunTimeTemplateError(err) || !this.failureHandled(task, vars, label)) throw this.positioned(err, condition.at, label);
        failureBeforeArguments = `The conditional check '${condition.expr}' failed. The error was: ${err.message}`;
        break;
      }
      if (!holds) return skipped(condition.expr);
    }
    failureBeforeArguments ??= loopFailure?.message;
    const deferred = pendingWhen.length > 0 || runtime.args || runtime.keywords;
    const rawKeywords = rawKeywordsOf(task);
    let keywords: TaskKeywords = {};
    if (!runtime.keywords) {
      const rendered = this.keywordsOrFailure(task, rawKeywords, vars, label);
      keywords = rendered.keywords;
      failureBeforeArguments ??= rendered.failure;
    }
    let args = task.args;
    let runFailure = failureBeforeArguments ?? task.runFailure;
    // Arguments without templates were validated when loaded, and are shared as they are.
    const templatedDefaults = task.moduleDefaults.filter((d) => containsTemplate(d.value));
    if (failureBeforeArguments !== undefined) {
      // Ansible evaluates the conditions first: the arguments are never rendered.
    } else if (runFailure !== undefined) {
      // A task that fails when it runs: as in Ansible, its arguments are rendered first, and
      // what cannot be rendered is the failure instead (an undefined variable, on this host).
      if (!deferred && names.argsTemplated) {
        try {
          args = renderValue(task.args, vars) as Record<string, unknown>;
        } catch (err) {
          if (!(err instanceof HoundError)) throw err;
          runFailure = fieldFailure(err, 'args');
        }
      }
    } else if (!deferred && (names.argsTemplated || templatedDefaults.length > 0) && !isInclude(task.module)) {
      let rendered: Record<string, unknown> | undefined;
      try {
        rendered = this.renderArgs(task, vars, label);
      } catch (err) {
        if (!isRunTimeTemplateError(err) || !this.failureHandled(task, vars, label)) throw err;
        runFailure = fieldFailure(err, 'args');
      }
      if (rendered !== undefined) {
        args = rendered;
        if (templatedDefaults.length > 0) {
          args = mergeModuleDefaults(
            task.module,
            args,
            templatedDefaults.map((d) => this.render(d.value, vars, d.at, label)),
          );
        }
        const definition = findModuleDefinition(task.module)!;
        const freeFormPath = task.freeForm ? task.argsAt.path : undefined;
        args = checkRenderedArguments(definition, args, {
          source: task.argsAt.source,
          path: freeFormPath ?? task.argsAt.path,
          what: `module '${task.action}' (${label})`,
          unknownKeyCode: 'UNKNOWN_ARGUMENT',
        });
      }
    }
    const until = task.until;
    const retries = task.retries === undefined ? (until ? 3 : 0) : this.integer(task.retries, vars, task.at, label, 'retries');
    const delay = task.delay === undefined ? 5 : this.integer(task.delay, vars, task.at, label, 'delay');
    const delayProblem = timerProblem(delay);
    if (delayProblem) {
      throw new ParseError('SCHEMA_INVALID', `${label}: 'delay' of ${delay} seconds ${delayProblem}`, {
        position: this.at({ source: task.at.source, path: [...task.at.path, 'delay'] }),
        hint: `a delay is at most ${MAX_TIMER_SECONDS} seconds`,
      });
    }
    // placed() spread last: spread first, then 17 more keys, and V8 made every instance a
    // dictionary-mode object, 11 KB of garbage each (bench/compile.ts: 3.3 s → 1.0 s).
    return {
      args,
      deferred,
      ...(runFailure !== undefined ? { runFailure } : {}),
      when: pendingWhen,
      vars,
      retries,
      delaySeconds: delay,
      until,
      ignoreErrors: keywords.ignoreErrors ?? false,
      changedWhen: task.changedWhen.map((c) => c.expr),
      failedWhen: task.failedWhen.map((c) => c.expr),
      register: task.register,
      notify: task.notify.map((n) => n.name),
      noLog: keywords.noLog ?? false,
      keywords,
      ...(runtime.keywords ? { pendingKeywords: rawKeywords } : {}),
      ...this.placed(task, taskIndex, id, ctx, name),
    };
  }

  /**
   * Whether the playbook handles this task's failure: `ignore_errors` is true, or a block with
   * a rescue holds the task. Ansible renders a task as it runs, so there what cannot be
   * rendered fails that task and the play goes on; elsewhere it fails the host, and hound says
   * so before anything runs.
   */
  private failureHandled(task: LoadedTask, vars: Vars, label: string): boolean {
    if (task.blocks.some((frame) => frame.section === 'block' && frame.hasRescue)) return true;
    // ignore_errors alone: another keyword that cannot be rendered is not this question's.
    const ignoreErrors = rawKeywordsOf(task).ignore_errors;
    if (ignoreErrors === undefined) return false;
    try {
      return this.keywords(task, { ignore_errors: ignoreErrors }, vars, label).ignoreErrors === true;
    } catch {
      return false;
    }
  }

  /**
   * The task's keywords; in a task whose failure the playbook handles, a keyword that cannot be
   * rendered (`delegate_to: "{{ x }}"`) is instead the task's failure where it runs, in
   * Ansible's words (its post_validate), and the keywords that can be rendered still hold
   * (`ignore_errors`, `no_log`).
   */
  private keywordsOrFailure(task: LoadedTask, raw: RawKeywords, vars: Vars, label: string): { keywords: TaskKeywords; failure?: string } {
    try {
      return { keywords: this.keywords(task, raw, vars, label) };
    } catch (err) {
      if (!isRunTimeTemplateError(err) || !this.failureHandled(task, vars, label)) throw err;
    }
    const kept: RawKeywords = {};
    let failure: string | undefined;
    for (const [key, value] of Object.entries(raw)) {
      try {
        resolveKeywords({ [key]: value }, (v) => renderValue(v, vars));
        kept[key] = value;
      } catch (err) {
        if (!isRunTimeTemplateError(err)) throw this.positioned(err, task.keywords[key as keyof typeof task.keywords]?.at ?? task.at, label);
        failure ??= fieldFailure(err, key);
      }
    }
    return { keywords: this.keywords(task, kept, vars, label), ...(failure !== undefined ? { failure } : {}) };
  }

  /** Where an instance of `task` sits (host, order, blocks, include gate) and where it is written: alike for a task that runs and one skipped. */
  private placed(task: LoadedTask, taskIndex: number, id: string, ctx: WalkContext & { order: number[] }, name: string) {
    return {
      id,
      host: ctx.host,
      taskIndex,
      order: ctx.order,
      name,
      module: task.module,
      tags: task.tags,
      blocks: task.blocks,
      ...(ctx.gate !== undefined ? { gate: ctx.gate } : {}),
      position: task.position,
      searchDirs: task.searchDirs,
      roleDir: task.roleDir,
    };
  }

  /** A task's (or, for Gathering Facts, the play's) keywords rendered now; an error points at the keyword at fault. */
  private keywords(
    task: Pick<LoadedTask, 'keywords' | 'environment' | 'at'> & Partial<Pick<LoadedTask, 'async' | 'poll'>>,
    raw: Record<string, unknown>,
    vars: Vars,
    label: string,
  ): TaskKeywords {
    if (Object.keys(raw).length === 0) return {};
    try {
      return resolveKeywords(raw, (value) => renderValue(value, vars));
    } catch (err) {
      const keyword = err instanceof KeywordError ? err.keyword : undefined;
      const at =
        keyword === 'environment'
          ? task.environment[0]?.at
          : keyword === 'async'
            ? task.async?.at
            : keyword === 'poll'
              ? task.poll?.at
              : keyword !== undefined
                ? task.keywords[keyword as keyof typeof task.keywords]?.at
                : undefined;
      throw this.positioned(err, at ?? task.at, label);
    }
  }

  /** A task whose condition is false here: reported as skipped at run time, never run. */
  private skippedInstance(
    task: LoadedTask,
    taskIndex: number,
    id: string,
    ctx: WalkContext & { order: number[] },
    vars: Vars,
    name: string,
    reason: string,
  ): TaskInstance {
    // placed() spread last, as in instance().
    return {
      args: task.args,
      ...plainTaskFields(),
      keywords: this.runOnceOf(task, vars) ? { runOnce: true } : {},
      noLog: this.noLogOf(task, vars),
      skipped: reason,
      vars,
      register: task.register,
      ...this.placed(task, taskIndex, id, ctx, name),
    };
  }

  /**
   * Whether a skipped task is run_once: Ansible then skips it on the first host only, and the
   * other hosts' recaps count nothing for it. A run_once that cannot be rendered yet counts as
   * unset, as the other keywords of a skipped task are never rendered.
   */
  private runOnceOf(task: LoadedTask, vars: Vars): boolean {
    return skippedTaskFlag(task, vars, 'run_once', false);
  }

  /**
   * Whether a skipped task hides its output (a loop item's label is then `None`, as Ansible
   * prints it): its no_log, where it can be rendered; one that cannot be rendered yet hides it.
   */
  private noLogOf(task: LoadedTask, vars: Vars): boolean {
    return skippedTaskFlag(task, vars, 'no_log', true);
  }

  private taskName(task: LoadedTask, vars: Vars): string {
    if (task.name === undefined) return task.action;
    if (task.nameIsText || !containsTemplate(task.name)) return task.name;
    // Nor one that would run a command on the controller when nothing is to run (--list-tasks).
    if (this.options.controllerCommands === false && referencedNames(task.name).has(CONTROLLER_COMMANDS)) return task.name;
    // As Ansible does, a name that cannot be rendered yet is shown as written.
    try {
      return String(renderValue(task.name, vars));
    } catch {
      return task.name;
    }
  }

  private integer(value: unknown, vars: Vars, at: SourceRef, label: string, field: string): number {
    const rendered = typeof value === 'number' ? value : Number(this.render(value, vars, at, label));
    if (!Number.isFinite(rendered) || rendered < 0) {
      throw new ParseError('SCHEMA_INVALID', `${label}: '${field}' must be a number (0 or more), got ${JSON.stringify(rendered)}`, { position: this.at(at) });
    }
    return Math.trunc(rendered);
  }

  /** Renders the arguments leaf by leaf, so an error points at the scalar that caused it. */
  private renderArgs(task: LoadedTask, vars: Vars, label: string): Record<string, unknown> {
    // set_fact stores what it is given: what was data stays data for the tasks that read it.
    const render = task.module === 'set_fact' ? renderValueKeepingData : renderValue;
    try {
      return render(task.args, vars) as Record<string, unknown>;
    } catch (err) {
      // Errors are rare: only then walk the arguments to find the scalar at fault (a free-form string is one).
      throw this.positioned(err, task.freeForm ? task.argsAt : this.failingLeaf(task.args, vars, task.argsAt), label);
    }
  }

  private failingLeaf(value: unknown, vars: Vars, at: SourceRef): SourceRef {
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : value !== null && typeof value === 'object'
        ? Object.entries(value)
        : [];
    for (const [key, item] of entries) {
      const child = { source: at.source, path: [...at.path, key] };
      try {
        renderValue(item, vars);
      } catch {
        return this.failingLeaf(item, vars, child);
      }
    }
    return at;
  }

  private render(value: unknown, vars: Vars, at: SourceRef, label: string): unknown {
    try {
      return renderValue(value, vars);
    } catch (err) {
      throw this.positioned(err, at, label);
    }
  }

  /** The names a task's arguments, conditions and loop read, worked out once per task. */
  private analysis(task: LoadedTask): TaskNames {
    let names = this.taskNames.get(task);
    if (!names) {
      const namesOf = (templates: string[]) => [...new Set(templates.flatMap((t) => [...referencedNames(t)]))];
      names = {
        argsTemplated: containsTemplate(task.args),
        nameTemplated: task.name !== undefined && !task.nameIsText && containsTemplate(task.name),
        args: namesOf(templateStrings(task.args)),
        when: task.when.map((c) => (typeof c.expr === 'string' ? [...referencedNames(c.expr, true)] : [])),
        loop: task.loop ? [...namesOf(templateStrings(task.loop.value)), ...lookupPluginReads(task.loop.kind)] : [],
        keywords: namesOf(templateStrings(rawKeywordsOf(task))),
      };
      this.taskNames.set(task, names);
    }
    return names;
  }

  /** True when these names read (directly or through variables) a name set at run time (a registered result, a set_fact, a gathered fact) by a task before `before`. */
  private dependsOnRuntime(names: readonly string[], vars: Vars, before: number): boolean {
    if (names.length === 0) return false;
    const seen = new Set<string>();
    const todo = [...names];
    while (todo.length > 0) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      // A lookup of variables by computed names: run time if anything set at run time before this task could be among them.
      // The controller's files or commands (file, template, first_found, pipe lookups): run time once the run may have changed them.
      if (name === CONTROLLER_FILES) {
        if (this.controllerWritesFrom < before) return true;
        continue;
      }
      if (name === CONTROLLER_COMMANDS) {
        if (this.controllerWritesFrom < before || this.options.controllerCommands === false) return true;
        continue;
      }
      if (name === ANY_VARIABLE) {
        // (Not for the rescue section's variables, which a made name would hardly spell.)
        const registered = [...this.registeredAt].some(([n, at]) => at < before && !RESCUE_VARIABLES.has(n));
        if (registered || this.factsFrom < before || this.openAtRunTimeFrom < before) return true;
        continue;
      }
      const at = this.registeredAt.get(name);
      if (at !== undefined && at < before) return true;
      if (this.factsFrom < before && isFactName(name)) return true;
      if (this.openAtRunTimeFrom < before && !Object.hasOwn(vars, name)) return true;
      const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
      for (const t of templateStrings(value)) todo.push(...referencedNames(t));
    }
    return false;
  }

  private at(ref: SourceRef): SourcePosition {
    return ref.source.positionOf(ref.path);
  }

  private positioned(err: unknown, at: SourceRef, label: string): unknown {
    if (!(err instanceof HoundError) || err.position) return err;
    return new ParseError(err.code, `${err.message} (in ${label})`, { position: this.at(at), hint: err.hint, cause: err });
  }
}

/** A loop that cannot be rendered, in a task whose failure the playbook handles; `afterConditions`: only where the task's conditions hold. */
interface LoopFailure {
  message: string;
  afterConditions: boolean;
}

interface RuntimeDependencies {
  args: boolean;
  when: boolean[];
  keywords: boolean;
}

/** Where one host's walk through a play's tasks stands. */
interface WalkContext {
  host: string;
  scope: PlayHostVars;
  /** The order of the enclosing looped includes (`[includeIndex, item, ...]`). */
  prefix: number[];
  idPrefix: string;
  /** Names registered by tasks before this index are run-time values. */
  before: number;
  /** The include instance that must have run (when it is known only at run time). */
  gate?: string;
  /** The loop variables of the enclosing looped includes. */
  loopVars?: Vars;
  /** Inside a looped include past its first item: the tasks before this index have all run. */
  ranUpTo?: number;
}

/** Whether `task` came in through `include` (directly or through nested includes). */
function includedWithin(task: LoadedTask, include: LoadedTask): boolean {
  for (let by = task.includedBy; by !== undefined; by = by.includedBy) if (by === include) return true;
  return false;
}

/** The names register: and set_fact set, with the index of the first task that sets each. */
/** Set in a rescue section, read anywhere after: Ansible's failed-task variables. */
const RESCUE_VARIABLES = new Set(['ansible_failed_task', 'ansible_failed_result']);

/** The names the controller goes by, as a play's host, its address or a task's delegate_to. */
const CONTROLLER_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** Modules that change nothing where they run, so a task of theirs on the controller leaves its files as they were. */
const READ_ONLY_MODULES = new Set([
  'debug',
  'set_fact',
  'assert',
  'fail',
  'meta',
  'include_vars',
  'include_tasks',
  'include_role',
  'pause',
  'ping',
  'stat',
  'setup',
  'async_status',
  'wait_for',
  'docker_host_info',
  'docker_image_info',
]);

/**
 * The index of the first task that may write files on the controller, so that a later lookup
 * of the controller's files must wait for the run to read them (Ansible reads them as the task
 * runs): a fetch or a pull by synchronize, or a task (other than READ_ONLY_MODULES') that runs
 * on the controller: delegated there, with connection: local, or in a play on it. Infinity when none.
 */
function controllerWriteIndex(tasks: readonly LoadedTask[], onController: boolean): number {
  const index = tasks.findIndex((task) => {
    if (task.module === 'fetch' || task.module === 'synchronize') return true;
    if (READ_ONLY_MODULES.has(task.module)) return false;
    const delegate = task.keywords.delegate_to?.value;
    return (
      onController ||
      (typeof delegate === 'string' && CONTROLLER_NAMES.has(delegate)) ||
      mayBeLocal(task.keywords.connection?.value) ||
      mayBeLocal(task.vars.ansible_connection)
    );
  });
  return index === -1 ? Infinity : index;
}

/** A boolean keyword of a skipped task (false when unset), or `unrendered` where it cannot be rendered yet. */
function skippedTaskFlag(task: LoadedTask, vars: Vars, keyword: 'run_once' | 'no_log', unrendered: boolean): boolean {
  const raw = rawKeywordsOf(task);
  if (!Object.hasOwn(raw, keyword)) return false;
  try {
    const resolved = resolveKeywords({ [keyword]: raw[keyword] }, (value) => renderValue(value, vars));
    return (keyword === 'run_once' ? resolved.runOnce : resolved.noLog) === true;
  } catch {
    return unrendered;
  }
}

/**
 * Whether a connection (the `connection:` keyword, an `ansible_connection` variable, -c) may
 * mean the controller: local by any of its names (`ansible.builtin.local` as well), or a
 * template only the run can render. Taking a template for local only moves the later
 * tasks' reads of the controller's files to the run, which is always right.
 */
function mayBeLocal(connection: unknown): boolean {
  return typeof connection === 'string' && (containsTemplate(connection) || connectionKindOf(connection.trim()) === 'local');
}

function registrationIndexes(tasks: readonly LoadedTask[], earlier: ReadonlySet<string>): Map<string, number> {
  const at = new Map<string, number>();
  for (const name of earlier) at.set(name, -1);
  for (const name of RESCUE_VARIABLES) at.set(name, -1);
  tasks.forEach((task, index) => {
    const names = [...(task.register ? [task.register] : []), ...(task.module === 'set_fact' ? Object.keys(task.args).filter((k) => k !== 'cacheable') : [])];
    for (const name of names) if (!at.has(name)) at.set(name, index);
  });
  return at;
}

/** The variables one loop item adds: its item, index_var, ansible_loop_var, and ansible_loop when extended. */
function loopVariables(control: LoadedTask['loopControl'], item: unknown, index: number, extended: Vars | undefined): Vars {
  const vars: Vars = { [control.loopVar]: item, ansible_loop_var: control.loopVar };
  if (control.indexVar) {
    vars[control.indexVar] = index;
    vars.ansible_index_var = control.indexVar;
  }
  if (extended) vars.ansible_loop = extended;
  return vars;
}

interface TaskNames {
  argsTemplated: boolean;
  nameTemplated: boolean;
  args: string[];
  /** Per `when` condition. */
  when: string[][];
  loop: string[];
  keywords: string[];
}

interface PlayHostVars {
  inventory: Vars;
  magic: Vars;
  play: Vars;
  /** What include_vars tasks met so far on this host set (read before the run). */
  included: Vars;
  /** Variables of tasks outside roles and without task vars. */
  plain: Vars;
  /** Variables of tasks by role (EMPTY: none), then by search path. */
  byScope: Map<object, Map<string, Vars>>;
}

/**
 * Errors Ansible meets only as the task runs (an undefined variable, a failed lookup, a
 * template's own error): a task whose failure the playbook handles fails with them there.
 * What hound refuses (TEMPLATE_UNSUPPORTED), its limits and bad files stay errors of the
 * playbook, said before anything runs.
 */
const RUN_TIME_TEMPLATE_ERRORS = new Set([
  'UNDEFINED_VARIABLE',
  'TEMPLATE_ERROR',
  'TEMPLATE_SYNTAX',
  'LOOKUP_FAILED',
  'LOOKUP_FILE_NOT_FOUND',
  'LOOKUP_ARGUMENT',
  'VAULT_NO_PASSWORD',
]);

function isRunTimeTemplateError(err: unknown): err is HoundError {
  return err instanceof HoundError && RUN_TIME_TEMPLATE_ERRORS.has(err.code);
}

/**
 * A task's failure when one of its fields (its arguments, a keyword) cannot be rendered, in
 * Ansible's words for an undefined variable (FieldAttributeBase.post_validate).
 */
function fieldFailure(err: HoundError, field: string): string {
  if (err.code !== 'UNDEFINED_VARIABLE') return err.message;
  return field === 'args'
    ? `The task includes an option with an undefined variable. The error was: ${err.message}`
    : `The field '${field}' has an invalid value, which includes an undefined variable. The error was: ${err.message}`;
}
