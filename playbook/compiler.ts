// The compiler (pure: no I/O): a loaded playbook + an inventory + the command-line
// choices → the CompiledRun the executor runs. Host patterns are resolved, variables
// merged by precedence, templates rendered, loops expanded, static `when` evaluated and
// tags applied. Anything that depends on a value only known at run time (a registered
// result, a set_fact) is left as templates with `deferred: true`.
import path from 'node:path';
import type { CompiledHandler, CompiledPlay, CompiledRun, FactGatheringStep, FactLayer, TaskInstance } from './compiled.js';
import { HoundError, ParseError, type SourcePosition } from '../base/errors.js';
import { MAX_TIMER_SECONDS, timerProblem } from '../base/sleep.js';
import { serialBatches } from './batches.js';
import type { LoadedPlay, LoadedTask, SourceRef, Vars } from './model.js';
import { checkRenderedArguments } from './module-arguments.js';
import { shouldRun, type TagSelection } from './tags.js';
import { didYouMean } from '../base/suggest.js';
import { containsTemplate, evaluateCondition, referencedNames, renderValue, templateStrings } from './templating.js';
import { mergeVariables, withLoopVariables } from './variables.js';
import type { Inventory } from '../inventory/model.js';
import { applyLimit, resolvePattern } from '../inventory/patterns.js';
import { isIpAddress } from '../inventory/host-range.js';
import { groupsOfHost, hostsOfGroup, hostVars } from '../inventory/vars.js';
import { findModuleDefinition } from '../modules/schemas.js';
import { appendAll } from '../base/append.js';
import { isAnsibleFact } from './template-values.js';

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
}

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
  /** Names set at run time by tasks met so far (register:, set_fact). */
  private readonly runtimeNames = new Set<string>();
  /** Set after an include_vars whose file is only known at run time: any name not defined yet may come from it. */
  private namesOpenAtRunTime = false;
  private readonly inventoryVars = new Map<string, Vars>();
  private readonly magic = new Map<string, Vars>();
  private hostvarsShared?: Vars;
  private readonly taskNames = new WeakMap<LoadedTask, TaskNames>();
  private groupsShared?: Vars;
  private readonly facts: FactSettings;
  /** True once a play gathers facts or a setup task is met: from then on fact names are known only at run time. */
  private factsGathered = false;

  constructor(private readonly options: CompileOptions) {
    this.extra = options.extraVars ?? {};
    this.selection = { only: options.tags ?? [], skip: options.skipTags ?? [] };
    this.facts = options.facts ?? DEFAULT_FACT_SETTINGS;
  }

  compile(plays: readonly LoadedPlay[]): CompiledRun {
    return { plays: plays.map((play, index) => this.compilePlay(play, index)) };
  }

  private compilePlay(play: LoadedPlay, playIndex: number): CompiledPlay {
    const { inventory } = this.options;
    const patternVars = { ...play.vars, ...this.extra };
    const pattern = String(this.render(play.hosts, patternVars, play.hostsAt, `play '${play.name}'`));
    let hosts = resolvePattern(inventory, pattern, { baseDir: this.options.baseDir });
    if (this.options.limit && this.options.limit.length > 0) hosts = applyLimit(inventory, hosts, this.options.limit, { baseDir: this.options.baseDir });
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
    const gatherFacts = play.gatherFacts ?? this.facts.gathering !== 'explicit';
    if (gatherFacts) this.factsGathered = true;
    const factLayer = this.factLayer(play);
    const tasksByHost = new Map<string, TaskInstance[]>(hosts.map((h) => [h, []]));
    // Ansible's implicit fact gathering carries the `always` tag. One step for the play, made
    // into a host's task only when that host runs it: listing a play or planning it builds
    // no per-host gathering, nor the host's variables for it.
    const gathering: FactGatheringStep | undefined =
      gatherFacts && shouldRun(['always'], this.selection)
        ? { taskFor: (host) => ({ ...this.gatheringTask(play, playIndex, host, this.varsBeforeTasks(scopeOf(host))), factLayer }) }
        : undefined;
    play.tasks.forEach((task, taskIndex) => {
      const runs = shouldRun(task.tags, this.selection);
      if (runs) {
        for (const host of hosts) {
          const instances = this.instances(task, taskIndex, `${playIndex}:${taskIndex}:${host}`, host, scopeOf(host));
          appendAll(tasksByHost.get(host)!, instances);
          if (task.module === 'include_vars') this.noteIncludedVars(task, instances, scopeOf(host), play.vars);
        }
      }
      // Registered even when skipped by tags: a later task may still read it (and fail at run time).
      this.noteRuntimeNames(task);
    });

    const handlers: CompiledHandler[] = play.handlers.map((handler, handlerIndex) => {
      const byHost = new Map<string, TaskInstance[]>();
      for (const host of hosts) byHost.set(host, this.instances(handler, handlerIndex, `${playIndex}:handler${handlerIndex}:${host}`, host, scopeOf(host)));
      this.noteRuntimeNames(handler);
      return { name: handler.name ?? handler.action, listen: handler.listen, tasksByHost: byHost };
    });

    return {
      name: play.name,
      hosts,
      batches: serialBatches(hosts, serial),
      strategy: play.strategy,
      maxFailPercentage: play.maxFailPercentage,
      anyErrorsFatal: play.anyErrorsFatal,
      gatherFacts,
      gathering,
      distribution: play.distribution,
      tasksByHost: this.withFactLayer(tasksByHost, factLayer),
      handlers: handlers.map((h) => ({ ...h, tasksByHost: this.withFactLayer(h.tasksByHost, factLayer) })),
      position: play.position,
    };
  }

  /** "Gathering Facts": the setup module, first on every host (task index -1, before the play's tasks). */
  private gatheringTask(play: LoadedPlay, playIndex: number, host: string, vars: Vars): TaskInstance {
    const subset = play.gatherSubset ?? this.facts.gatherSubset;
    const timeout = play.gatherTimeout ?? this.facts.gatherTimeout;
    return {
      id: `${playIndex}:facts:${host}`,
      host,
      taskIndex: -1,
      name: GATHERING_FACTS,
      module: 'setup',
      args: { ...(subset !== undefined ? { gather_subset: subset } : {}), ...(timeout !== undefined ? { gather_timeout: timeout } : {}) },
      deferred: false,
      when: [],
      vars,
      retries: 0,
      delaySeconds: 0,
      ignoreErrors: false,
      notify: [],
      noLog: false,
      tags: ['always'],
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
   * then, any name not defined yet) make later tasks deferred.
   */
  private noteIncludedVars(task: LoadedTask, instances: TaskInstance[], scope: PlayHostVars, playVars: Vars): void {
    const runs = instances.length === 1 && !instances[0].skipped && !instances[0].deferred && instances[0].when.length === 0;
    if (task.includedVars && runs) {
      scope.included = { ...scope.included, ...task.includedVars };
      scope.plain = mergeVariables({ inventory: scope.inventory, play: playVars, included: scope.included, magic: scope.magic, extra: this.extra });
      scope.byScope.clear();
    } else if (task.includedVars) {
      for (const name of Object.keys(task.includedVars)) this.runtimeNames.add(name);
    } else if (instances.some((i) => !i.skipped)) {
      this.namesOpenAtRunTime = true;
    }
  }

  private noteRuntimeNames(task: LoadedTask): void {
    if (task.module === 'setup') this.factsGathered = true;
    if (task.register) this.runtimeNames.add(task.register);
    if (task.module === 'set_fact') for (const key of Object.keys(task.args)) if (key !== 'cacheable') this.runtimeNames.add(key);
  }

  private hostScope(host: string, play: LoadedPlay, playHosts: string[]): PlayHostVars {
    const magic: Vars = {
      ...this.magicVars(host),
      hostvars: this.hostvars(),
      play_hosts: playHosts,
      ansible_play_hosts: playHosts,
      ansible_play_hosts_all: playHosts,
      ansible_play_name: play.name,
      ansible_check_mode: this.options.check === true,
      hound_check_mode: this.options.check === true,
      playbook_dir: path.dirname(play.file),
    };
    const inventoryVars = this.hostInventoryVars(host);
    const plain = mergeVariables({ inventory: inventoryVars, play: play.vars, magic, extra: this.extra });
    return { inventory: inventoryVars, magic, play: play.vars, included: {}, plain, byScope: new Map() };
  }

  private hostInventoryVars(host: string): Vars {
    let vars = this.inventoryVars.get(host);
    if (!vars) {
      vars = hostVars(this.options.inventory, host);
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

  private hostvars(): Vars {
    if (!this.hostvarsShared) {
      const all: Vars = {};
      for (const host of this.options.inventory.hosts.keys()) all[host] = { ...this.hostInventoryVars(host), inventory_hostname: host };
      this.hostvarsShared = all;
    }
    return this.hostvarsShared;
  }

  /** The task's variables on a host; shared between tasks with the same role and no task vars. */
  private taskVars(task: LoadedTask, scope: PlayHostVars): Vars {
    const hasTaskVars = Object.keys(task.vars).length > 0;
    if (!task.role && !hasTaskVars) return scope.plain;
    const key = task.role ?? EMPTY;
    if (!hasTaskVars) {
      const cached = scope.byScope.get(key);
      if (cached) return cached;
    }
    const merged = mergeVariables({
      roleDefaults: task.role?.defaults,
      inventory: scope.inventory,
      play: scope.play,
      roleVars: task.role ? { ...task.role.vars, role_name: task.role.name } : undefined,
      task: task.vars,
      included: scope.included,
      magic: scope.magic,
      extra: this.extra,
    });
    if (!hasTaskVars) scope.byScope.set(key, merged);
    return merged;
  }

  private instances(task: LoadedTask, taskIndex: number, id: string, host: string, scope: PlayHostVars): TaskInstance[] {
    const base = this.taskVars(task, scope);
    const label = `task '${task.name ?? task.action}', host ${host}`;
    const runtime = this.runtimeDependencies(task, base);
    // As Ansible shows it: rendered once per host, without the loop variable.
    const name = this.analysis(task).nameTemplated ? this.taskName(task, base) : (task.name ?? task.action);
    if (!task.loop) {
      const one = this.instance(task, taskIndex, id, host, base, label, runtime, name);
      return one ? [one] : [];
    }
    if (this.dependsOnRuntime(this.analysis(task).loop, base)) {
      throw new ParseError('LOOP_DEFERRED', `the loop of ${label} depends on a registered result, a set_fact or a gathered fact, only known at run time`, {
        position: this.at(task.loop.at),
        hint: 'hound expands loops before the run: loop over inventory or play variables instead (or set the values with -e)',
      });
    }
    const rendered = this.render(task.loop.value, base, task.loop.at, label);
    if (!Array.isArray(rendered)) {
      const got = rendered === null ? 'None' : typeof rendered === 'object' ? 'a mapping' : `a ${typeof rendered}`;
      throw new ParseError('LOOP_NOT_LIST', `the loop of ${label} is not a list (got ${got})`, {
        position: this.at(task.loop.at),
        hint: 'loop: takes a list; for a dict use `{{ mydict | dict2items }}`',
      });
    }
    const list: unknown[] = rendered;
    const items = task.loop.flatten ? list.flatMap((x: unknown) => (Array.isArray(x) ? (x as unknown[]) : [x])) : list;
    const out: TaskInstance[] = [];
    items.forEach((item, index) => {
      const loopVars: Vars = { [task.loopVar]: item, ansible_loop_var: task.loopVar };
      if (task.indexVar) loopVars[task.indexVar] = index;
      const vars = withLoopVariables(base, loopVars, this.extra);
      // A loop item is data; only when it holds templates itself can it change what is deferred.
      const itemRuntime = containsTemplate(item) ? this.runtimeDependencies(task, vars) : runtime;
      const one = this.instance(task, taskIndex, `${id}:${index}`, host, vars, label, itemRuntime, name);
      if (one) {
        one.loopItem = item;
        one.loopVar = task.loopVar;
        out.push(one);
      }
    });
    return out;
  }

  /** Which of the task's conditions and whether its arguments wait for run-time values. */
  private runtimeDependencies(task: LoadedTask, vars: Vars): RuntimeDependencies {
    const names = this.analysis(task);
    return { args: this.dependsOnRuntime(names.args, vars), when: names.when.map((n) => this.dependsOnRuntime(n, vars)) };
  }

  private instance(
    task: LoadedTask,
    taskIndex: number,
    id: string,
    host: string,
    vars: Vars,
    label: string,
    runtime: RuntimeDependencies,
    name: string,
  ): TaskInstance | undefined {
    const pendingWhen: string[] = [];
    const names = this.analysis(task);
    const skipped = (expr: string) => this.skippedInstance(task, taskIndex, id, host, vars, name, `conditional result was false: ${expr}`);
    for (const [conditionIndex, condition] of task.when.entries()) {
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
        throw this.positioned(err, condition.at, label);
      }
      if (!holds) return skipped(condition.expr);
    }
    const deferred = pendingWhen.length > 0 || runtime.args;
    let args = task.args;
    // Arguments without templates were validated when loaded, and are shared as they are.
    if (!deferred && names.argsTemplated) {
      args = this.renderArgs(task, vars, label);
      const definition = findModuleDefinition(task.module)!;
      const freeFormPath = task.freeForm ? task.argsAt.path : undefined;
      args = checkRenderedArguments(definition, args, {
        source: task.argsAt.source,
        path: freeFormPath ?? task.argsAt.path,
        what: `module '${task.action}' (${label})`,
        unknownKeyCode: 'UNKNOWN_ARGUMENT',
      });
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
    const ignoreErrors = typeof task.ignoreErrors === 'boolean' ? task.ignoreErrors : Boolean(this.render(task.ignoreErrors, vars, task.at, label));
    return {
      id,
      host,
      taskIndex,
      name,
      module: task.module,
      args,
      deferred,
      when: pendingWhen,
      vars,
      retries,
      delaySeconds: delay,
      until,
      ignoreErrors,
      register: task.register,
      notify: task.notify.map((n) => n.name),
      noLog: task.noLog,
      tags: task.tags,
      position: task.position,
      searchDirs: task.searchDirs,
      roleDir: task.roleDir,
    };
  }

  /** A task whose condition is false here: reported as skipped at run time, never run. */
  private skippedInstance(task: LoadedTask, taskIndex: number, id: string, host: string, vars: Vars, name: string, reason: string): TaskInstance {
    return {
      id,
      host,
      taskIndex,
      name,
      module: task.module,
      args: task.args,
      deferred: false,
      when: [],
      skipped: reason,
      vars,
      retries: 0,
      delaySeconds: 0,
      ignoreErrors: false,
      register: task.register,
      notify: [],
      noLog: task.noLog,
      tags: task.tags,
      position: task.position,
      searchDirs: task.searchDirs,
      roleDir: task.roleDir,
    };
  }

  private taskName(task: LoadedTask, vars: Vars): string {
    if (task.name === undefined) return task.action;
    if (!containsTemplate(task.name)) return task.name;
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
    if (task.freeForm) return this.render(task.args, vars, task.argsAt, label) as Record<string, unknown>;
    try {
      return renderValue(task.args, vars) as Record<string, unknown>;
    } catch (err) {
      // Errors are rare: only then walk the arguments to find the scalar at fault.
      throw this.positioned(err, this.failingLeaf(task.args, vars, task.argsAt), label);
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
        nameTemplated: task.name !== undefined && containsTemplate(task.name),
        args: namesOf(templateStrings(task.args)),
        when: task.when.map((c) => (typeof c.expr === 'string' ? [...referencedNames(c.expr, true)] : [])),
        loop: task.loop ? namesOf(templateStrings(task.loop.value)) : [],
      };
      this.taskNames.set(task, names);
    }
    return names;
  }

  /** True when these names read (directly or through variables) a name set at run time (a registered result, a set_fact, a gathered fact). */
  private dependsOnRuntime(names: readonly string[], vars: Vars): boolean {
    if ((this.runtimeNames.size === 0 && !this.namesOpenAtRunTime && !this.factsGathered) || names.length === 0) return false;
    const seen = new Set<string>();
    const todo = [...names];
    while (todo.length > 0) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      if (this.runtimeNames.has(name) || (this.factsGathered && isFactName(name))) return true;
      if (this.namesOpenAtRunTime && !Object.hasOwn(vars, name)) return true;
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

interface RuntimeDependencies {
  args: boolean;
  when: boolean[];
}

interface TaskNames {
  argsTemplated: boolean;
  nameTemplated: boolean;
  args: string[];
  /** Per `when` condition. */
  when: string[][];
  loop: string[];
}

interface PlayHostVars {
  inventory: Vars;
  magic: Vars;
  play: Vars;
  /** What include_vars tasks met so far on this host set (read before the run). */
  included: Vars;
  /** Variables of tasks outside roles and without task vars. */
  plain: Vars;
  byScope: Map<object, Vars>;
}
