// YAML (and JSON) inventories, read as ansible-core's `yaml` inventory plugin reads them:
// top-level keys are groups, each with optional `hosts`, `children` and `vars`; host keys may
// hold ranges and ports; what Ansible only warns about is a warning here too.
import path from 'node:path';
import type { Node } from 'yaml';
import { ParseError } from '../base/errors.js';
import { InventoryRuleError, type InventoryBuilder } from './builder.js';
import { expandHostPattern, HostRangeError } from './host-range.js';
import { keyNode, keyString, nodePosition, plainValue, valueNode, type YamlFile } from './yaml-file.js';
import { PythonFloat } from '../base/python-float.js';

/** Why the yaml plugin declined the file; the loader then tries the INI plugin, as Ansible does. */
export class NotYamlInventory extends ParseError {}

function isMapping(v: unknown): v is Map<unknown, unknown> {
  return v instanceof Map;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "<class 'list'>";
  if (typeof v === 'string') return "<class 'str'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (v instanceof PythonFloat) return "<class 'float'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  return `<class '${typeof v}'>`;
}

export function parseYamlInventory(y: YamlFile, inv: InventoryBuilder): void {
  const data = y.value;
  const top = y.doc.contents;
  const isEmpty =
    data === null ||
    data === undefined ||
    data === '' ||
    data === 0 ||
    data === false ||
    (Array.isArray(data) && data.length === 0) ||
    (isMapping(data) && data.size === 0);
  if (isEmpty) throw new NotYamlInventory('INVENTORY_YAML', 'Parsed empty YAML file', { position: nodePosition(y, top) });
  if (!isMapping(data)) {
    throw new NotYamlInventory('INVENTORY_YAML', `YAML inventory has invalid structure, it should be a dictionary, got: ${typeName(data)}`, {
      position: nodePosition(y, top),
      hint: 'a YAML inventory maps group names (e.g. all:) to hosts, children and vars',
    });
  }
  if (data.get('plugin')) {
    throw new NotYamlInventory('INVENTORY_YAML', 'Plugin configuration YAML file, not YAML inventory', {
      position: nodePosition(y, keyNode(top, 'plugin')),
      // ansible-inventory runs the plugin, and hound runs inventory scripts (inventory/script-inventory.ts).
      hint: `hound runs the constructed plugin (from a .yml or .yaml file) and no other; let ansible-inventory run this one behind an inventory script: printf '#!/bin/sh\\nexec ansible-inventory -i ${path.basename(y.file)} --list\\n' > inventory.sh && chmod +x inventory.sh, then -i inventory.sh`,
    });
  }

  const fail = (node: Node | undefined, message: string, hint?: string): never => {
    throw new ParseError('INVENTORY_YAML', message, { position: nodePosition(y, node), hint });
  };

  const parseGroup = (name: unknown, groupData: unknown, parentNode: unknown): string => {
    const nameNode = keyNode(parentNode, name);
    const groupNode = valueNode(y.doc, parentNode, name);
    if (!(isMapping(groupData) || groupData === null || groupData === undefined)) {
      inv.warn(`Skipping '${keyString(name)}' as this is not a valid group definition`);
      return keyString(name);
    }
    if (typeof name !== 'string' || name === '') {
      fail(
        nameNode,
        `Unable to add group ${keyString(name)}: Invalid group name supplied, expected a string but got ${typeName(name)}`,
        'quote the group name',
      );
    }
    const group = name as string;
    try {
      inv.addGroup(group);
    } catch (err) {
      if (err instanceof InventoryRuleError) fail(nameNode, `Unable to add group ${group}: ${err.message}`, err.hint);
      throw err;
    }
    if (!isMapping(groupData)) return group;

    for (const section of ['vars', 'children', 'hosts']) {
      if (!groupData.has(section)) continue;
      const v = groupData.get(section);
      // A bare string is allowed and stands for a one-key mapping.
      if (typeof v === 'string') groupData.set(section, new Map([[v, null]]));
      else if (!(isMapping(v) || v === null || v === undefined)) {
        fail(
          valueNode(y.doc, groupNode, section) ?? keyNode(groupNode, section),
          `Invalid "${section}" entry for "${group}" group, requires a dictionary, found "${typeName(v)}" instead.`,
          section === 'hosts' ? 'write hosts as a mapping: `hosts: {web1: {}, web2: {}}` or one `name:` per line' : 'write it as a mapping',
        );
      }
    }

    for (const [key, value] of groupData) {
      const sectionNode = valueNode(y.doc, groupNode, key);
      if (!(isMapping(value) || value === null || value === undefined)) {
        inv.warn(`Skipping key (${keyString(key)}) in group (${group}) as it is not a mapping, it is a ${typeName(value)}`);
        continue;
      }
      if (value === null || value === undefined) continue;
      try {
        if (key === 'vars') {
          for (const [k, v] of value) inv.setVariable(group, keyString(k), plainValue(v));
        } else if (key === 'children') {
          for (const [sub, subData] of value) {
            const child = parseGroup(sub, subData, sectionNode);
            try {
              inv.addChild(group, child);
            } catch (err) {
              if (err instanceof InventoryRuleError) fail(keyNode(sectionNode, sub), err.message, err.hint);
              throw err;
            }
          }
        } else if (key === 'hosts') {
          for (const [pattern, hostVars] of value) {
            const at = keyNode(sectionNode, pattern);
            if (typeof pattern !== 'string') {
              fail(at, `Host pattern ${keyString(pattern)} must be a string. Enclose integers/floats in quotation marks.`, 'quote the host name');
            }
            let expanded: { hosts: string[]; port: number | null };
            try {
              expanded = expandHostPattern(pattern as string);
            } catch (err) {
              if (err instanceof HostRangeError) fail(at, err.message, 'a range is [start:end] or [start:end:step], e.g. node[01:12]');
              throw err;
            }
            const vars = hostVars || new Map();
            if (!isMapping(vars)) {
              fail(
                valueNode(y.doc, sectionNode, pattern) ?? at,
                `Invalid data from file, expected dictionary and got:\n\n${String(hostVars)}`,
                'host variables are a mapping of name: value',
              );
            }
            for (const h of expanded!.hosts) {
              try {
                inv.addHost(h, group, expanded!.port);
                for (const [k, v] of vars as Map<unknown, unknown>) inv.setVariable(h, keyString(k), plainValue(v));
              } catch (err) {
                if (err instanceof InventoryRuleError) fail(at, err.message, err.hint);
                throw err;
              }
            }
          }
        } else {
          inv.warn(`Skipping unexpected key (${keyString(key)}) in group (${group}), only "vars", "children" and "hosts" are valid`);
        }
      } catch (err) {
        if (err instanceof InventoryRuleError) fail(sectionNode, err.message, err.hint);
        throw err;
      }
    }
    return group;
  };

  for (const [name, groupData] of data) parseGroup(name, groupData, top);
}
