// What every module declares about itself. The compiler validates task arguments with
// `argumentSchema` (ajv); the executor calls the implementation registered with it.
export interface ModuleDefinition {
  /** The short name, unique among hound's modules (`command`, `docker_image`); TaskInstance.module holds it. */
  name: string;
  /**
   * The Ansible collection the module comes from (`community.docker`, `containers.podman`),
   * for its fully qualified name. Undefined: an ansible.builtin module, or one of hound's own.
   */
  collection?: string;
  /** One line for `--help`-style listings and "did you mean" suggestions. */
  summary: string;
  /** JSON Schema (draft-07, ajv) of the module's arguments after free-form expansion. */
  argumentSchema: Record<string, unknown>;
  /**
   * When the task gives a plain string instead of a mapping (`command: echo hi`),
   * the argument it fills. Undefined: a mapping is required.
   */
  freeFormArgument?: string;
  /** Other names an argument answers to, as in the module's Ansible documentation (alias → argument). */
  argumentAliases?: Record<string, string>;
  /**
   * Arguments the module's Ansible documentation has and hound does not do, each with why:
   * a task that sets one is refused with that reason, naming the argument, never run without it.
   */
  refusedArguments?: Record<string, ArgumentRefusal>;
  /** Arguments whose values are secrets: never printed, logged or put in events. */
  secretArguments: string[];
  /**
   * Arguments Ansible's module declares no_log that are not secrets (copy's `content`): the
   * task's own arguments show them masked, as Ansible's invocation does, but their values
   * are not masked elsewhere (a --diff, a later task's output), as Ansible does not.
   */
  unloggedArguments?: string[];
  /** One of hound's own modules (image, images, registry_login, load), not one of Ansible's: it also registers the line reporters show as `msg`. */
  houndOwn?: boolean;
  /** True when the module runs on the controller only (no connection needed). */
  controllerOnly: boolean;
  /**
   * What a task of this module asks of a node's images, for `hound plan` and the run's disk
   * check and relay (plan/planner.ts), from its rendered arguments; or why it cannot be
   * planned. Undefined: the module pulls and removes nothing.
   */
  plannedImages?: (args: Record<string, unknown>) => PlannedImage[] | { note: string };
}

/** One image a task brings onto a node (present; latest: pulled again when the registry's digest differs) or takes off it. */
export interface PlannedImage {
  name: string;
  state: 'present' | 'latest' | 'absent';
  /** absent: also when a container uses it (untagging other names); present: ask the registry even when the image is there. */
  force: boolean;
  platform?: string;
}

/** An argument hound does not do (or an option inside one, `build.http_timeout`): refused whenever set, or only with some values (`source: build`, `push: true`). */
export interface ArgumentRefusal {
  reason: string;
  /** Refused only when the argument has one of these values. */
  values?: unknown[];
  /** Refused unless the argument has one of these values (`executable: podman`). */
  unless?: unknown[];
}

/** The first argument of `args` the module refuses, with why; undefined when none. Values holding templates are judged once rendered. */
export function refusedArgument(definition: ModuleDefinition, args: Record<string, unknown>): { argument: string; value: unknown; reason: string } | undefined {
  const aliases = definition.argumentAliases ?? {};
  for (const [canonical, refusal] of Object.entries(definition.refusedArguments ?? {})) {
    const [outer, inner] = canonical.split('.', 2);
    let argument: string | undefined;
    let value: unknown;
    if (inner !== undefined) {
      // `build.http_timeout`: an option inside a dict argument.
      const holder = args[outer];
      if (holder === null || typeof holder !== 'object' || !Object.hasOwn(holder, inner)) continue;
      argument = canonical;
      value = (holder as Record<string, unknown>)[inner];
    } else {
      // Written as itself or as one of its aliases (docker_container's `ports` for `published_ports`): refused either way, by the name written.
      argument = Object.hasOwn(args, canonical) ? canonical : Object.keys(args).find((key) => aliases[key] === canonical);
      if (argument === undefined) continue;
      value = args[argument];
    }
    const among = (list: unknown[]) => list.some((v) => JSON.stringify(v) === JSON.stringify(value));
    const refused = refusal.values !== undefined ? among(refusal.values) : refusal.unless !== undefined ? !among(refusal.unless) : true;
    if (refused) return { argument, value, reason: refusal.reason };
  }
  return undefined;
}

/** Properties plus each alias as a property of the same schema, so a task may write either (playbook/module-arguments.ts renames them after validation). */
export function withAliases(properties: Record<string, unknown>, aliases: Record<string, string>): Record<string, unknown> {
  const out = { ...properties };
  for (const [alias, name] of Object.entries(aliases)) out[alias] = properties[name];
  return out;
}

/** What a node module's declaration may add to its arguments. */
export interface NodeModuleExtras {
  aliases?: Record<string, string>;
  refused?: Record<string, ArgumentRefusal>;
  /** More JSON Schema keywords for the arguments (if/then, dependencies, not). */
  schema?: Record<string, unknown>;
  secrets?: string[];
  /** ModuleDefinition.unloggedArguments. */
  unlogged?: string[];
  required?: string[];
  planned?: ModuleDefinition['plannedImages'];
  /** The Ansible collection it comes from; ansible.builtin's modules leave it out. */
  collection?: string;
}

/** A module that runs on the node, declared as Ansible documents it: its arguments (no others allowed), their aliases, refusals and secrets. */
export function nodeModule(name: string, summary: string, properties: Record<string, unknown>, extra: NodeModuleExtras = {}): ModuleDefinition {
  const aliases = extra.aliases ?? {};
  // Validation sees the arguments as written, before aliases are renamed (so errors point at
  // them): a required argument is present under its own name or any of its aliases
  // (`file: name=/x` gives `path`).
  const required = extra.required ?? [];
  const aliasesOf = (argument: string) => Object.keys(aliases).filter((alias) => aliases[alias] === argument);
  const eitherName = required
    .filter((argument) => aliasesOf(argument).length > 0)
    .map((argument) => ({ anyOf: [argument, ...aliasesOf(argument)].map((n) => ({ required: [n] })) }));
  const { allOf, ...moreSchema } = (extra.schema ?? {}) as { allOf?: unknown[] };
  const allOfBoth = [...eitherName, ...(allOf ?? [])];
  return {
    name,
    ...(extra.collection === undefined ? {} : { collection: extra.collection }),
    summary,
    argumentSchema: {
      type: 'object',
      additionalProperties: false,
      required: required.filter((argument) => aliasesOf(argument).length === 0),
      properties: withAliases(properties, aliases),
      ...moreSchema,
      ...(allOfBoth.length > 0 ? { allOf: allOfBoth } : {}),
    },
    argumentAliases: aliases,
    refusedArguments: extra.refused ?? {},
    secretArguments: extra.secrets ?? [],
    ...(extra.unlogged === undefined ? {} : { unloggedArguments: extra.unlogged }),
    controllerOnly: false,
    plannedImages: extra.planned,
  };
}
