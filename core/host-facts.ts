// The facts gathered during a run (Ansible's memory fact cache): per host, what setup
// returned, and how a task sees them, as ansible-core's VariableManager shows them:
// `ansible_facts` without the `ansible_` prefix, every fact also a top-level variable
// (inject_facts_as_vars), below play, role, task and extra variables, and in hostvars.
import type { Vars } from '../inventory/model.js';
import type { FactLayer } from '../playbook/compiled.js';
import { asData, markRunTimeValue } from '../playbook/templating.js';

/** Ansible's namespace_facts: `ansible_X` becomes `X`, except ansible_local. */
export function namespaceFacts(facts: Vars): Vars {
  const out: Vars = {};
  for (const [key, value] of Object.entries(facts)) out[key.startsWith('ansible_') && key !== 'ansible_local' ? key.slice(8) : key] = value;
  return out;
}

export class HostFactCache {
  private readonly byHost = new Map<string, Vars>();
  private readonly layers = new Map<string, { layer: FactLayer | undefined; vars: Vars }>();
  private hostvarsView?: { base: Vars; view: Vars };

  has(host: string): boolean {
    return this.byHost.has(host);
  }

  get size(): number {
    return this.byHost.size;
  }

  /** Facts a module returned for `host`, merged over what the run knew (Ansible's set_host_facts). */
  merge(host: string, facts: Vars): void {
    this.byHost.set(host, { ...this.byHost.get(host), ...facts });
    this.layers.delete(host);
    this.hostvarsView = undefined;
  }

  /** The variables the facts of `host` give a task: ansible_facts, and the injected top-level names unless the play pins them. */
  variables(host: string, layer: FactLayer | undefined): Vars {
    const facts = this.byHost.get(host);
    if (!facts) return {};
    const cached = this.layers.get(host);
    if (cached && cached.layer === layer) return cached.vars;
    // What a node answered is data: no fact is ever rendered as a template when read.
    const vars: Vars = layer?.inject === false ? {} : Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, asData(v)]));
    vars.ansible_facts = markRunTimeValue(namespaceFacts(facts));
    for (const name of layer?.pinned ?? []) delete vars[name];
    this.layers.set(host, { layer, vars });
    return vars;
  }

  /** `hostvars` with each host's facts over what the compiler knew of it. */
  hostvars(base: Vars): Vars {
    if (this.hostvarsView?.base === base) return this.hostvarsView.view;
    const view: Vars = { ...base };
    for (const host of this.byHost.keys()) {
      const known = base[host];
      if (known !== null && typeof known === 'object') view[host] = { ...known, ...this.variables(host, undefined) };
    }
    this.hostvarsView = { base, view };
    return view;
  }
}
