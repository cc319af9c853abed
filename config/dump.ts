// `hound config dump`: every setting with its value and where it came from, in
// `ansible-config dump`'s shape: NAME(ORIGIN) = VALUE, values written as Python writes them.
import type { SettingValue } from './definitions.js';
import { findSetting } from './definitions.js';
import type { HoundConfig } from './config.js';

function pythonValue(value: SettingValue): string {
  if (value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map((v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
  return String(value);
}

export function formatConfigDump(config: HoundConfig, options: { onlyChanged?: boolean } = {}): string {
  const lines = [`CONFIG_FILE() = ${config.file ?? 'None'}`];
  for (const setting of config.all()) {
    if (options.onlyChanged && setting.origin === 'default') continue;
    const computed = setting.origin === 'default' ? findSetting(setting.name)?.defaultText : undefined;
    lines.push(`${setting.name}(${setting.origin}) = ${pythonValue(setting.value)}${computed ? `  # ${computed}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
