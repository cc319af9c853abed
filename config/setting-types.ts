// Turning the text of a setting (from ansible.cfg or the environment) into its value, as
// ansible-core's ensure_type does: booleans as Ansible's boolean() reads them, integers
// strictly, paths with ~ and $VARS expanded and taken from the config file's folder,
// pathspec split on ':', pathlist and list on ',', quotes around a string removed.
import path from 'node:path';
import type { SettingDefinition, SettingValue } from './definitions.js';

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);

export interface PathContext {
  /** Where relative paths start: the config file's folder, or the working directory. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  home: string;
}

/** Ansible's boolean(value, strict=False): anything but its true words is false. */
export function ansibleBoolean(text: string): boolean {
  return TRUE.has(text.trim().toLowerCase());
}

/** One level of matching quotes around a value, removed (Ansible's unquote). */
export function unquote(text: string): string {
  return /^(['"]).*\1$/s.test(text) && text.length >= 2 ? text.slice(1, -1) : text;
}

/** Ansible's resolve_path / unfrackpath without following links: $VAR and ~ expanded, made absolute, normalised. */
export function resolveSettingPath(text: string, context: PathContext): string {
  const withVars = text.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string | undefined, b: string | undefined) => context.env[a ?? b ?? ''] ?? whole);
  const withHome = withVars === '~' || withVars.startsWith('~/') ? path.join(context.home, withVars.slice(1)) : withVars;
  return path.resolve(context.baseDir, withHome);
}

export function convertSetting(definition: SettingDefinition, raw: string, context: PathContext): SettingValue {
  let value: SettingValue;
  switch (definition.type) {
    case 'boolean':
      value = ansibleBoolean(raw);
      break;
    case 'integer': {
      const text = raw.trim();
      if (!/^[-+]?\d+$/.test(text)) throw new Error(`invalid literal for int() with base 10: '${raw}'`);
      value = Number(text);
      break;
    }
    case 'path':
      value = resolveSettingPath(raw, context);
      break;
    case 'pathspec':
      value = raw.split(':').map((p) => resolveSettingPath(p, context));
      break;
    case 'pathlist':
      value = raw.split(',').map((p) => resolveSettingPath(p.trim(), context));
      break;
    case 'list':
      value = raw
        .split(',')
        .map((p) => unquote(p.trim()))
        .filter((p) => p !== '');
      break;
    case 'string':
      value = unquote(raw);
      break;
  }
  if (definition.choices && typeof value === 'string' && !definition.choices.includes(value)) {
    throw new Error(`'${value}' is not one of ${definition.choices.join(', ')}`);
  }
  return value;
}
