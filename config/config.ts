// The configuration of one hound command: ansible.cfg found as Ansible finds it, the
// environment, and what the command line says, each setting with where it came from.
// Settings in ansible.cfg that hound does not act on are reported, never passed over silently.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { OptionsError } from '../base/errors.js';
import { isDirectory } from '../base/file-kind.js';
import { ANSIBLE_KNOWN_SETTINGS } from './ansible-known-settings.js';
import { findSetting, SETTINGS, type SettingDefinition, type SettingValue } from './definitions.js';
import { iniValue, parseIni, type IniFile } from './ini.js';
import { convertSetting, resolveSettingPath } from './setting-types.js';

export interface ConfigEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

export interface ResolvedSetting {
  name: string;
  value: SettingValue;
  /** `default`, `env: NAME`, `cli: OPTION`, or the ansible.cfg it was read from (as ansible-config dump says). */
  origin: string;
}

/** Ansible's search (find_ini_config_file): ANSIBLE_CONFIG, ./ansible.cfg unless the directory is world-writable, ~/.ansible.cfg, /etc/ansible/ansible.cfg. */
export function findConfigFile(where: ConfigEnvironment, warnings: string[] = []): string | undefined {
  const candidates: string[] = [];
  const fromEnv = where.env.ANSIBLE_CONFIG;
  let fromEnvPath: string | undefined;
  if (fromEnv !== undefined) {
    fromEnvPath = expandUserPath(fromEnv, where);
    if (isDirectory(fromEnvPath)) fromEnvPath = path.join(fromEnvPath, 'ansible.cfg');
    candidates.push(fromEnvPath);
  }
  const cwdConfig = path.join(where.cwd, 'ansible.cfg');
  let skippedWorldWritable = false;
  try {
    if ((statSync(where.cwd).mode & 0o002) !== 0) skippedWorldWritable = existsSync(cwdConfig);
    else candidates.push(cwdConfig);
  } catch {
    // an unreadable working directory is simply not a config source
  }
  candidates.push(path.join(where.home, '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  const found = candidates.find(isReadableFile);
  // As ansible-core: warn unless the file in use is the one ANSIBLE_CONFIG named.
  if (skippedWorldWritable && (fromEnvPath === undefined || found !== fromEnvPath)) {
    warnings.push(
      `Ansible is being run in a world writable directory (${where.cwd}), ignoring it as an ansible.cfg source. For more information see https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir`,
    );
  }
  return found;
}

export class HoundConfig {
  readonly warnings: string[] = [];
  private readonly ini?: IniFile;

  private constructor(
    readonly file: string | undefined,
    private readonly where: ConfigEnvironment,
  ) {
    if (file === undefined) return;
    const ext = path.extname(file);
    if (ext !== '.cfg' && ext !== '.ini') {
      throw new OptionsError('CONFIG_FILE_TYPE', `Unsupported configuration file extension for ${file}: ${ext || '(none)'}`, {
        hint: 'ansible.cfg is an INI file named *.cfg or *.ini',
      });
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
    } catch {
      throw new OptionsError('CONFIG_FILE_INVALID', `Error reading config file(${file}) because the config file was not utf8 encoded`, {
        hint: 'save it as UTF-8',
      });
    }
    this.ini = parseIni(file, text);
    this.reportUnused();
  }

  /** The configuration in force in `where` (by default: this process's environment, working directory and home). */
  static load(where: Partial<ConfigEnvironment> = {}): HoundConfig {
    const full: ConfigEnvironment = { env: where.env ?? process.env, cwd: where.cwd ?? process.cwd(), home: where.home ?? homedir() };
    const warnings: string[] = [];
    const config = new HoundConfig(findConfigFile(full, warnings), full);
    config.warnings.unshift(...warnings);
    const cache = config.get('CACHE_PLUGIN');
    if (cache.value !== 'memory') {
      config.warnings.push(
        `fact_caching = ${String(cache.value)} (${cache.origin}): hound keeps facts in memory for one run; that cache is neither read nor written`,
      );
    }
    return config;
  }

  /** A setting's value and origin; `cli` is the command line's value, undefined when not given. */
  get(name: string, cli?: { value: SettingValue; option: string }): ResolvedSetting {
    const definition = findSetting(name);
    if (!definition) throw new Error(`no setting named ${name}`);
    if (cli && cli.value !== undefined) return { name, value: cli.value, origin: `cli: ${cli.option}` };
    for (const variable of definition.env) {
      const raw = this.where.env[variable];
      if (raw === undefined || (raw === '' && definition.type !== 'string')) continue;
      return { name, value: this.convert(definition, raw, `env: ${variable}`), origin: `env: ${variable}` };
    }
    if (this.ini && this.file) {
      for (const { section, key } of definition.ini) {
        const found = iniValue(this.ini, section, key);
        if (found) return { name, value: this.convert(definition, found.value, this.file, found.line), origin: this.file };
      }
    }
    return { name, value: this.defaultOf(definition), origin: 'default' };
  }

  private defaultOf(definition: SettingDefinition): SettingValue {
    const value = definition.default;
    const context = { baseDir: this.where.cwd, env: this.where.env, home: this.where.home };
    if (Array.isArray(value) && (definition.type === 'pathspec' || definition.type === 'pathlist')) return value.map((p) => resolveSettingPath(p, context));
    return value;
  }

  /** Every setting hound knows, as `hound config dump` lists them. */
  all(): ResolvedSetting[] {
    return SETTINGS.map((s) => this.get(s.name));
  }

  private convert(definition: SettingDefinition, raw: string, origin: string, line?: number): SettingValue {
    // Relative paths in ansible.cfg are relative to its folder; in the environment, to the working directory.
    const baseDir = origin === this.file && this.file ? path.dirname(this.file) : this.where.cwd;
    try {
      return convertSetting(definition, raw, { baseDir, env: this.where.env, home: this.where.home });
    } catch (err) {
      throw new OptionsError(
        'CONFIG_VALUE_INVALID',
        `Invalid type for configuration option setting: ${definition.name} (from ${origin}): ${err instanceof Error ? err.message : String(err)}`,
        {
          position: line !== undefined && this.file ? { file: this.file, line, column: 1 } : undefined,
          hint: definition.choices ? `one of: ${definition.choices.join(', ')}` : `a value of type ${definition.type}`,
        },
      );
    }
  }

  /**
   * One warning for the keys hound does not act on (Ansible settings without meaning for
   * hound, such as nocows or pipelining), one for keys Ansible does not know either
   * (Ansible ignores those silently).
   */
  private reportUnused(): void {
    const ini = this.ini!;
    const used = new Set(SETTINGS.flatMap((s) => s.ini.map((e) => `${e.section}.${e.key}`)));
    const unused: string[] = [];
    const unknown: string[] = [];
    for (const [section, keys] of ini.sections) {
      for (const key of keys.keys()) {
        if (used.has(`${section}.${key}`) || section === 'DEFAULT') continue;
        if (section !== 'hound' && (ANSIBLE_KNOWN_SETTINGS[section] ?? []).includes(key)) unused.push(`[${section}] ${key}`);
        else unknown.push(`[${section}] ${key}`);
      }
    }
    if (unused.length > 0) {
      this.warnings.push(`${this.file}: hound does not use these Ansible settings: ${unused.join(', ')} (see docs/ansible-compatibility.md)`);
    }
    if (unknown.length > 0) {
      this.warnings.push(`${this.file}: not a setting of hound or of ansible-core 2.14 (which ignores unknown keys), ignored: ${unknown.join(', ')}`);
    }
  }
}

function expandUserPath(file: string, where: ConfigEnvironment): string {
  const expanded = file === '~' || file.startsWith('~/') ? path.join(where.home, file.slice(1)) : file;
  return path.resolve(where.cwd, expanded);
}

function isReadableFile(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return existsSync(file);
  } catch {
    return false;
  }
}
