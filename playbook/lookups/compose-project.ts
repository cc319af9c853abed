// A Compose project read as Compose reads it, as far as images go:
//  - the project environment: hound's environment, plus the project's `.env` (or the env
//    files asked for) for every variable the environment does not set;
//  - several files merged in order (a later file's image, build and profiles win);
//  - `include` (each included file with its own folder, and its own `.env` or `env_file`);
//  - `extends` (same file, short form `extends: name`, or another file, to any depth);
//  - the old format without `services:` (every top-level mapping is a service);
//  - profiles: every service by default, or the services of the profiles asked for.
// Only the fields that decide an image are interpolated (image, extends, include, profiles),
// so that a password variable the controller does not have cannot stop a warm-up.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXIT, ParseError, type SourcePosition } from '../../base/errors.js';
import { readInputTextSync } from '../../base/input-file.js';
import { parseDotenv } from './compose-dotenv.js';
import { interpolate, InvalidTemplateError, RequiredVariableError, type Lookup } from './compose-interpolation.js';
import { readYamlDocuments, type YamlDocument } from './yaml-documents.js';

export interface ComposeService {
  name: string;
  /** The interpolated image, when the service (or what it extends) has one. */
  image?: string;
  /** Variables of the image that were unset and had no default (read as ''). */
  unsetVariables: string[];
  build: boolean;
  profiles: string[];
  /** Where the image (else the service) is written. */
  position: SourcePosition;
}

export interface ComposeProjectOptions {
  files: string[];
  /** hound's environment; it wins over every env file. */
  environment: Record<string, string | undefined>;
  /** Env files naming the project environment (`--env-file`); default: `.env` of the project folder. */
  envFiles?: string[];
  /** The project folder (where `.env` is); default: the folder of the first file. */
  projectDir?: string;
  warn: (message: string) => void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Top-level keys of the versioned formats; a file with neither `services` nor `version` is the old format. */
const TOP_LEVEL = new Set(['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include', 'models']);

interface RawService {
  name: string;
  spec: Obj;
  file: string;
  doc: YamlDocument;
  /** Path of the service in the document: ['services', name] or [name]. */
  path: string[];
}

interface LoadedFile {
  services: Map<string, RawService>;
  data: Obj;
  doc: YamlDocument;
}

/** The project environment: `environment` first, then the env files for what it leaves unset. */
export function projectEnvironment(environment: Record<string, string | undefined>, envFiles: string[]): Lookup {
  const fromEnvironment: Lookup = (name) => (Object.hasOwn(environment, name) ? environment[name] : undefined);
  const fromFiles: Record<string, string> = {};
  for (const file of envFiles) {
    const text = readInputTextSync(file, {
      what: 'env file',
      codes: { missing: 'COMPOSE_ENV_FILE_NOT_FOUND' },
      exitCode: EXIT.PARSE,
      hint: 'give an existing file, relative to the playbook folder',
    });
    Object.assign(
      fromFiles,
      parseDotenv(text, file, (n) => fromEnvironment(n) ?? (Object.hasOwn(fromFiles, n) ? fromFiles[n] : undefined)),
    );
  }
  return (name) => fromEnvironment(name) ?? (Object.hasOwn(fromFiles, name) ? fromFiles[name] : undefined);
}

/** The default env file of a project folder, when it has one. */
export function defaultEnvFiles(projectDir: string): string[] {
  const file = resolve(projectDir, '.env');
  return existsSync(file) && statSync(file).isFile() ? [file] : [];
}

export function loadComposeProject(options: ComposeProjectOptions): ComposeService[] {
  const projectDir = options.projectDir ?? dirname(options.files[0]);
  const env = projectEnvironment(options.environment, options.envFiles ?? defaultEnvFiles(projectDir));
  const loader = new ComposeLoader(options.warn);
  return loader.project(options.files, env, []);
}

class ComposeLoader {
  private readonly cache = new Map<string, LoadedFile>();
  constructor(private readonly warn: (message: string) => void) {}

  /** The merged services of `files` (one project, or one `include` entry). */
  project(files: string[], env: Lookup, including: string[]): ComposeService[] {
    const merged = new Map<string, ComposeService>();
    for (const file of files) {
      const loaded = this.file(file);
      for (const included of this.includes(loaded, file, env, including)) {
        if (!merged.has(included.name)) merged.set(included.name, included);
      }
      for (const raw of loaded.services.values()) {
        const service = this.resolve(raw, env, []);
        const earlier = merged.get(raw.name);
        // A later file overrides what its (extends-resolved) service sets.
        merged.set(raw.name, earlier ? overlay(earlier, service, { image: service.image !== undefined, profiles: service.profiles.length > 0 }) : service);
      }
    }
    return [...merged.values()];
  }

  private file(file: string): LoadedFile {
    const cached = this.cache.get(file);
    if (cached) return cached;
    const text = readInputTextSync(file, {
      what: 'compose file',
      codes: { missing: 'COMPOSE_FILE_NOT_FOUND' },
      exitCode: EXIT.PARSE,
      hint: 'paths in include and extends are relative to the file that names them',
    });
    const docs = readYamlDocuments(text, file, {
      codePrefix: 'COMPOSE',
      what: 'compose file',
      onDuplicateKey: ({ key, position }) =>
        this.warn(
          `${position.file}:${position.line}:${position.column}: duplicate key "${key}" in a compose file; the last value is used, as docker-compose 1.x reads it`,
        ),
    });
    const doc = docs.find((d) => d.data !== null && d.data !== undefined) ?? docs[0];
    const data = doc?.data ?? {};
    if (!isObj(data)) {
      throw new ParseError('COMPOSE_NOT_A_MAPPING', 'a compose file is a mapping (services:, or service names in the old format)', {
        position: doc?.positionOf([]) ?? { file, line: 1, column: 1 },
      });
    }
    const services = new Map<string, RawService>();
    const versioned = 'services' in data || 'version' in data;
    const entries = versioned
      ? Object.entries(isObj(data.services) ? data.services : {})
      : Object.entries(data).filter(([k]) => !TOP_LEVEL.has(k) && !k.startsWith('x-'));
    if (versioned && data.services !== undefined && data.services !== null && !isObj(data.services)) {
      throw new ParseError('COMPOSE_SERVICES', '`services` is a mapping of service names to their definitions', { position: doc.positionOf(['services']) });
    }
    for (const [name, spec] of entries) {
      const path = versioned ? ['services', name] : [name];
      if (spec !== null && spec !== undefined && !isObj(spec)) {
        throw new ParseError('COMPOSE_SERVICE', `service "${name}" is not a mapping`, { position: doc.positionOf(path) });
      }
      services.set(name, { name, spec: spec ?? {}, file, doc: doc, path });
    }
    const loaded = { services, data, doc: doc };
    this.cache.set(file, loaded);
    return loaded;
  }

  /** Services of the file's `include:` entries, each loaded as a project of its own. */
  private includes(loaded: LoadedFile, file: string, env: Lookup, including: string[]): ComposeService[] {
    const list = loaded.data.include;
    if (list === undefined || list === null) return [];
    const at = loaded.doc.positionOf(['include']);
    if (!Array.isArray(list))
      throw new ParseError('COMPOSE_INCLUDE', '`include` is a list of files (or of {path, env_file, project_directory})', { position: at });
    const out: ComposeService[] = [];
    (list as unknown[]).forEach((entry, index) => {
      const where = loaded.doc.positionOf(['include', index]);
      const spec = typeof entry === 'string' ? { path: entry } : entry;
      if (!isObj(spec) || spec.path === undefined) throw new ParseError('COMPOSE_INCLUDE', 'an include entry is a path or {path: …}', { position: where });
      const text = (v: unknown) => this.text(v, env, where, `include of ${file}`);
      const base = dirname(file);
      const paths = (Array.isArray(spec.path) ? spec.path : [spec.path]).map((p) => resolve(base, text(p)));
      const projectDir = spec.project_directory === undefined ? dirname(paths[0]) : resolve(base, text(spec.project_directory));
      for (const p of paths) {
        if (including.includes(p) || p === file) {
          throw new ParseError('COMPOSE_INCLUDE_CYCLE', `include cycle: ${[...including, file, p].join(' includes ')}`, { position: where });
        }
      }
      const envFiles =
        spec.env_file === undefined
          ? defaultEnvFiles(projectDir)
          : (Array.isArray(spec.env_file) ? spec.env_file : [spec.env_file]).map((f) => resolve(base, text(f))).filter((f) => f !== '/dev/null');
      // compose-go: the including project's environment first, the included env files for the rest.
      const fromFiles = projectEnvironment({}, envFiles);
      const includedEnv: Lookup = (name) => env(name) ?? fromFiles(name);
      out.push(...this.project(paths, includedEnv, [...including, file]));
    });
    return out;
  }

  /** The service with its `extends` chain applied (the extending service's fields win). */
  private resolve(raw: RawService, env: Lookup, chain: string[]): ComposeService {
    const own = this.own(raw, env);
    const ext = raw.spec.extends;
    if (ext === undefined || ext === null) return own;
    const where = raw.doc.positionOf([...raw.path, 'extends']);
    const key = `${raw.file}#${raw.name}`;
    if (chain.includes(key)) throw new ParseError('COMPOSE_EXTENDS_CYCLE', `extends cycle: ${[...chain, key].join(' -> ')}`, { position: where });
    const spec = typeof ext === 'string' ? { service: ext } : ext;
    if (!isObj(spec) || typeof spec.service !== 'string') {
      throw new ParseError('COMPOSE_EXTENDS', `service "${raw.name}": extends takes a service name or {service, file}`, { position: where });
    }
    const serviceName = this.text(spec.service, env, where, `service "${raw.name}"`);
    const baseFile = spec.file === undefined ? raw.file : resolve(dirname(raw.file), this.text(spec.file, env, where, `service "${raw.name}"`));
    const base = this.file(baseFile).services.get(serviceName);
    if (!base) {
      throw new ParseError('COMPOSE_EXTENDS', `service "${raw.name}" extends "${serviceName}", which ${baseFile} does not define`, { position: where });
    }
    const sets = { image: raw.spec.image !== undefined && raw.spec.image !== null, profiles: Array.isArray(raw.spec.profiles) };
    return { ...overlay(this.resolve(base, env, [...chain, key]), own, sets), name: raw.name };
  }

  /** The service's own image, build and profiles, interpolated. */
  private own(raw: RawService, env: Lookup): ComposeService {
    const { spec, doc, path } = raw;
    let image: string | undefined;
    let unsetVariables: string[] = [];
    const imageAt = doc.positionOf([...path, 'image']);
    if (spec.image !== undefined && spec.image !== null) {
      if (typeof spec.image !== 'string') {
        throw new ParseError('COMPOSE_IMAGE', `service "${raw.name}": image is a string`, { position: imageAt });
      }
      try {
        const result = interpolate(spec.image, env);
        image = result.value.trim();
        unsetVariables = result.unset;
      } catch (err) {
        throw interpolationError(err, `service "${raw.name}"`, imageAt);
      }
    }
    const profilesAt = doc.positionOf([...path, 'profiles']);
    const profiles = Array.isArray(spec.profiles) ? spec.profiles.map((p) => this.text(p, env, profilesAt, `service "${raw.name}"`)) : [];
    return {
      name: raw.name,
      image: image === '' ? undefined : image,
      unsetVariables,
      build: spec.build !== undefined && spec.build !== null,
      profiles,
      position: image === undefined ? doc.positionOf(path) : imageAt,
    };
  }

  private text(value: unknown, env: Lookup, position: SourcePosition, owner: string): string {
    if (typeof value !== 'string') throw new ParseError('COMPOSE_FIELD', `${owner}: expected a string, got ${JSON.stringify(value)}`, { position });
    try {
      return interpolate(value, env).value;
    } catch (err) {
      throw interpolationError(err, owner, position);
    }
  }
}

/** `top` over `bottom`: the fields `top` sets win (Compose's merge, for these fields). */
function overlay(bottom: ComposeService, top: ComposeService, sets: { image: boolean; profiles: boolean }): ComposeService {
  return {
    name: top.name,
    image: sets.image ? top.image : bottom.image,
    unsetVariables: sets.image ? top.unsetVariables : bottom.unsetVariables,
    build: top.build || bottom.build,
    profiles: sets.profiles ? top.profiles : bottom.profiles,
    position: sets.image ? top.position : bottom.image !== undefined ? bottom.position : top.position,
  };
}

function interpolationError(err: unknown, owner: string, position: SourcePosition): unknown {
  if (err instanceof RequiredVariableError) {
    return new ParseError('COMPOSE_REQUIRED_VARIABLE', `${owner}: ${err.message}`, {
      position,
      hint: `set ${err.variable} in hound's environment or in the project's .env (or the env file given to images_from_compose)`,
    });
  }
  if (err instanceof InvalidTemplateError) {
    return new ParseError('COMPOSE_INTERPOLATION', `${owner}: ${err.message}`, { position, hint: 'write $$ for a literal $, and close every ${' });
  }
  return err;
}
