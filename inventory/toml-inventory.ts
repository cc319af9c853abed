// TOML inventories, read as ansible-core 2.14's `toml` inventory plugin reads them: each
// top-level table is a group with `hosts` (a table of host patterns, each a table of its
// variables), `children` (a list of group names) and `vars`; host patterns hold ranges and
// ports as in YAML inventories. Parsed with smol-toml, a TOML 1.0 parser, where Ansible uses
// Python's toml or tomllib.
import { parse, TomlDate, TomlError } from 'smol-toml';
import { ParseError, type SourcePosition } from '../base/errors.js';
import { pythonFloat } from '../base/python-float.js';
import { isPlainObject } from '../base/python-repr.js';
import { InventoryRuleError, type InventoryBuilder } from './builder.js';
import { expandHostPattern, HostRangeError } from './host-range.js';
import { setVar } from './vars-object.js';
import { positionAt } from './yaml-file.js';

const CODE = 'INVENTORY_TOML';

type Table = Record<string, unknown>;

/** Python's type() of a parsed TOML value, as Ansible names it in its messages. */
function typeName(value: unknown): string {
  if (Array.isArray(value)) return "<class 'list'>";
  if (typeof value === 'string') return "<class 'str'>";
  if (typeof value === 'bigint') return "<class 'int'>";
  if (typeof value === 'number') return "<class 'float'>";
  if (typeof value === 'boolean') return "<class 'bool'>";
  if (value instanceof TomlDate) return value.isDate() ? "<class 'datetime.date'>" : value.isTime() ? "<class 'datetime.time'>" : "<class 'datetime.datetime'>";
  return "<class 'dict'>";
}

/**
 * A TOML date or time as ansible-inventory lists it (Python's isoformat()): 1979-05-27,
 * 07:32:00, 1979-05-27T07:32:00, 1979-05-27T07:32:00-08:00 (`Z` as +00:00), microseconds
 * only when there are some. Kept as text: hound's values are JSON's.
 */
function isoText(d: TomlDate): string {
  // smol-toml's own text keeps what was written: the offset, or none for a local time.
  const written = d.toISOString();
  const m = /^(?:(\d{4}-\d\d-\d\d))?T?(?:(\d\d:\d\d:\d\d)(?:\.(\d+))?)?(Z|[+-]\d\d:\d\d)?$/.exec(written);
  if (!m) return written;
  const [, date, time, fraction = '', zone] = m;
  const micro = fraction.slice(0, 6).padEnd(6, '0');
  const clock = time === undefined ? undefined : `${time}${/[1-9]/.test(micro) ? `.${micro}` : ''}`;
  const offset = zone === undefined ? '' : zone === 'Z' ? '+00:00' : zone;
  if (d.isDate()) return date;
  if (d.isTime()) return clock ?? written;
  return `${date}T${clock}${d.isLocal() ? '' : offset}`;
}

/** Parsed TOML as hound keeps variables: integers as numbers, floats as Python floats (1.0 stays 1.0), dates as text, tables as plain objects. */
function plainTomlValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return pythonFloat(value);
  if (value instanceof TomlDate) return isoText(value);
  if (Array.isArray(value)) return value.map(plainTomlValue);
  if (isPlainObject(value)) {
    const out: Table = {};
    for (const [k, v] of Object.entries(value)) setVar(out, k, plainTomlValue(v));
    return out;
  }
  return value;
}

/** Where a group's table starts (`[name` or `[name.…`, or `name =`), for errors; the first line when it cannot be told. */
function groupPosition(file: string, text: string, group: string): SourcePosition {
  const escaped = group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*(?:\\[[ \\t]*["']?${escaped}["']?[ \\t]*[.\\]]|["']?${escaped}["']?[ \\t]*[=.])`, 'm');
  const m = re.exec(text);
  return positionAt(file, text, m ? m.index + (m[0].length - m[0].trimStart().length) : 0);
}

/** Reads the inventory into `inv`; returns what the file holds (for a vault-encrypted file's values to be masked). */
export function parseTomlInventory(file: string, text: string, inv: InventoryBuilder): unknown {
  let data: Table;
  try {
    data = parse(text, { integersAsBigInt: true });
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml's message holds the line and a caret after its first line; hound shows the line itself.
    throw new ParseError(CODE, `TOML file (${file}) is invalid: ${err.message.split('\n')[0]}`, {
      position: positionAt(file, text, offsetOf(text, err.line, err.column)),
      hint: 'see https://toml.io for the syntax; a group is a table ([web.hosts]) of hosts, each a table of its variables',
    });
  }
  const fail = (group: string, message: string, hint?: string): never => {
    throw new ParseError(CODE, message, { position: groupPosition(file, text, group), hint });
  };
  if (Object.keys(data).length === 0) fail('', 'Parsed empty TOML file', 'a TOML inventory holds one table per group, e.g. [web.hosts]');
  if (data.plugin)
    fail('plugin', 'Plugin configuration TOML file, not TOML inventory', 'hound runs inventory plugins only from .yml or .yaml files (constructed)');

  // Ansible's _parse_group.
  const parseGroup = (group: string, groupData: unknown): void => {
    if (groupData !== undefined && !isPlainObject(groupData)) {
      inv.warn(`Skipping '${group}' as this is not a valid group definition`);
      return;
    }
    const rule = (work: () => void): void => {
      try {
        work();
      } catch (err) {
        if (err instanceof InventoryRuleError) fail(group, err.message, err.hint);
        if (err instanceof HostRangeError) fail(group, err.message, 'a range is [start:end] or [start:end:step], e.g. node[01:12]');
        throw err;
      }
    };
    rule(() => inv.addGroup(group));
    if (groupData === undefined) return;
    for (const [key, value] of Object.entries(groupData)) {
      if (key === 'vars') {
        if (!isPlainObject(value))
          fail(
            group,
            `Invalid "vars" entry for "${group}" group, requires a dict, found "${typeName(value)}" instead.`,
            'write it as [GROUP.vars] or vars = { name = value }',
          );
        rule(() => {
          for (const [name, v] of Object.entries(value as Table)) inv.setVariable(group, name, plainTomlValue(v));
        });
      } else if (key === 'children') {
        if (!Array.isArray(value))
          fail(
            group,
            `Invalid "children" entry for "${group}" group, requires a list, found "${typeName(value)}" instead.`,
            'write it as children = ["GROUP", …]',
          );
        for (const child of value as unknown[]) {
          if (typeof child !== 'string')
            fail(group, `Invalid "children" entry for "${group}" group: ${String(plainTomlValue(child))} is not a group name`, 'list group names as strings');
          parseGroup(child as string, {});
          rule(() => inv.addChild(group, child as string));
        }
      } else if (key === 'hosts') {
        if (!isPlainObject(value))
          fail(
            group,
            `Invalid "hosts" entry for "${group}" group, requires a dict, found "${typeName(value)}" instead.`,
            'write it as [GROUP.hosts] with a line `NAME = {}` per host',
          );
        for (const [pattern, vars] of Object.entries(value as Table)) {
          if (!isPlainObject(vars))
            fail(
              group,
              `Invalid data from file, expected dictionary and got:\n\n${String(plainTomlValue(vars))}`,
              `give ${pattern} a table of its variables, {} for none`,
            );
          rule(() => {
            const { hosts, port } = expandHostPattern(pattern);
            for (const host of hosts) {
              inv.addHost(host, group, port);
              for (const [name, v] of Object.entries(vars as Table)) inv.setVariable(host, name, plainTomlValue(v));
            }
          });
        }
      } else {
        inv.warn(`Skipping unexpected key "${key}" in group "${group}", only "vars", "children" and "hosts" are valid`);
      }
    }
  };
  for (const [group, groupData] of Object.entries(data)) parseGroup(group, groupData);
  return data;
}

/** The offset of a 1-based line and column in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + Math.max(0, column - 1);
}
