// INI inventories, read as ansible-core's `ini` inventory plugin reads them: hosts before
// any section are `ungrouped`; [g], [g:children], [g:vars]; `host:port`; inline key=value
// vars split like shlex and typed like ast.literal_eval; `#` and `;` comments; host ranges.
import { ParseError } from '../base/errors.js';
import { InventoryRuleError, type InventoryBuilder } from './builder.js';
import { expandHostPattern, HostRangeError } from './host-range.js';
import { pythonLiteral } from './python-literal.js';
import { shlexSplit, ShlexError } from '../base/shlex.js';

const SECTION = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;
// Python's str.splitlines() line boundaries, control characters included.
// eslint-disable-next-line no-control-regex
export const INI_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** The value typing of Ansible's INI plugin: a Python literal where it is one, else the raw string. */
export function iniValue(raw: string): unknown {
  const r = pythonLiteral(raw);
  return r.ok ? r.value : raw;
}

interface Pending {
  line: number;
  state: 'vars' | 'children';
  name: string;
  parents: string[];
}

export function parseIniInventory(file: string, text: string, inv: InventoryBuilder): void {
  const lines = text.split(INI_LINE_BREAK);
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';

  const fail = (lineNo: number, message: string, column?: number, hint?: string): never => {
    const raw = lines[lineNo - 1] ?? '';
    const col = column ?? raw.length - raw.trimStart().length + 1;
    throw new ParseError('INVENTORY_INI', message, {
      position: { file, line: lineNo, column: col, sourceLine: raw },
      hint: hint ?? 'fix this line of the INI inventory (see the Ansible inventory guide for its syntax)',
    });
  };
  const columnOf = (lineNo: number, needle: string): number | undefined => {
    const at = (lines[lineNo - 1] ?? '').indexOf(needle);
    return at < 0 ? undefined : at + 1;
  };

  const addPendingChildren = (name: string): void => {
    const decl = pending.get(name)!;
    for (const parent of decl.parents) {
      inv.addChild(parent, name);
      const p = pending.get(parent);
      if (p && p.state === 'children') addPendingChildren(parent);
    }
    pending.delete(name);
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    try {
      const section = SECTION.exec(line);
      if (section) {
        group = section[1]!;
        state = section[2] ?? 'hosts';
        if (state !== 'hosts' && state !== 'children' && state !== 'vars') {
          fail(lineNo, `Section [${group}:${state}] has unknown type: ${state}`, undefined, 'a section is [group], [group:children] or [group:vars]');
        }
        if (!inv.groups.has(group)) {
          if (state === 'vars' && !pending.has(group)) {
            pending.set(group, { line: lineNo, state: 'vars', name: group, parents: [] });
          }
          inv.addGroup(group);
        }
        const p = pending.get(group);
        if (p && state !== 'vars') {
          if (p.state === 'children') addPendingChildren(group);
          else pending.delete(group);
        }
        continue;
      }
      if (line.startsWith('[') && line.endsWith(']')) {
        fail(
          lineNo,
          `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
        );
      }
      if (state === 'hosts') parseHostLine(line, lineNo);
      else if (state === 'vars') {
        const eq = line.indexOf('=');
        if (eq < 0) fail(lineNo, `Expected key=value, got: ${line}`, undefined, 'a [group:vars] section holds key=value lines');
        inv.setVariable(group, line.slice(0, eq).trim(), iniValue(line.slice(eq + 1).trim()));
      } else {
        const m = GROUP_NAME.exec(line);
        if (!m) fail(lineNo, `Expected group name, got: ${line}`, undefined, 'a [group:children] section holds one group name per line');
        const child = m![1];
        if (!inv.groups.has(child)) {
          const p = pending.get(child);
          if (!p) pending.set(child, { line: lineNo, state: 'children', name: child, parents: [group] });
          else p.parents.push(group);
        } else {
          inv.addChild(group, child);
        }
      }
    } catch (err) {
      if (err instanceof ParseError) throw err;
      if (err instanceof InventoryRuleError) fail(lineNo, err.message, undefined, err.hint);
      if (err instanceof HostRangeError) fail(lineNo, err.message, undefined, 'a range is [start:end] or [start:end:step], e.g. node[01:12] or db-[a:f]');
      throw err;
    }
  }

  for (const decl of pending.values()) {
    const raw = lines[decl.line - 1] ?? '';
    if (decl.state === 'vars') {
      throw new ParseError('INVENTORY_UNDEFINED_GROUP', `Section [${decl.name}:vars] not valid for undefined group: ${decl.name}`, {
        position: { file, line: decl.line, column: raw.indexOf('[') + 1, sourceLine: raw },
        hint: `declare the group with a [${decl.name}] or [${decl.name}:children] section`,
      });
    }
    throw new ParseError('INVENTORY_UNDEFINED_GROUP', `Section [${decl.parents[decl.parents.length - 1]}:children] includes undefined group: ${decl.name}`, {
      position: { file, line: decl.line, column: raw.length - raw.trimStart().length + 1, sourceLine: raw },
      hint: `declare the group with a [${decl.name}] section (it may be empty), or remove it from the children`,
    });
  }

  function parseHostLine(line: string, lineNo: number): void {
    let tokens: string[];
    try {
      tokens = shlexSplit(line);
    } catch (err) {
      if (err instanceof ShlexError) fail(lineNo, `Error parsing host definition '${line}': ${err.message}`, undefined, 'close the quote or escape it');
      throw err;
    }
    if (tokens.length === 0) fail(lineNo, `Expected a host name, got: ${line}`);
    const pattern = tokens[0];
    const { hosts, port } = expandHostPattern(pattern);
    if (pattern.trim().endsWith(':') && port === null) {
      fail(
        lineNo,
        `Invalid host pattern '${pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`,
        undefined,
        'write host:PORT with a number, or remove the colon',
      );
    }
    if (hosts.some((h) => h.trim() === '---')) {
      fail(lineNo, `Invalid host pattern '${pattern}' supplied, '---' is normally a sign this is a YAML file.`, undefined, 'name a YAML inventory *.yml');
    }
    const vars: Array<[string, unknown]> = [];
    for (const t of tokens.slice(1)) {
      const eq = t.indexOf('=');
      if (eq < 0) {
        fail(lineNo, `Expected key=value host variable assignment, got: ${t}`, columnOf(lineNo, t), 'host variables are written key=value after the host name');
      }
      vars.push([t.slice(0, eq), iniValue(t.slice(eq + 1))]);
    }
    for (const h of hosts) {
      inv.addHost(h, group, port);
      for (const [k, v] of vars) inv.setVariable(h, k, v);
    }
  }
}
