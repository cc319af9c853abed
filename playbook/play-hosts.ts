// Which hosts a play works on, beyond its pattern: Ansible's implicit localhost (the
// controller, when the inventory does not list `localhost`) and the play's `order:`.
import type { Inventory, Vars } from '../inventory/model.js';
import { groupVars } from '../inventory/vars.js';

export const IMPLICIT_LOCALHOST = 'localhost';
const LOCALHOST_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** True when `pattern` names the controller and the inventory does not list such a host. */
export function isImplicitLocalhost(inventory: Inventory, pattern: string): boolean {
  return LOCALHOST_NAMES.has(pattern.trim()) && !inventory.hosts.has(pattern.trim());
}

/** A host name that means the controller itself, whether or not the inventory lists it. */
export function namesLocalhost(host: string): boolean {
  return LOCALHOST_NAMES.has(host);
}

/** The implicit localhost's variables, as Ansible gives them: the `all` group's, and a local connection. */
export function implicitLocalhostVars(inventory: Inventory): Vars {
  return { ...groupVars(inventory, 'all'), ansible_connection: 'local' };
}

/** Hosts in the order `order:` asks for (inventory order is how they come). */
export function orderHosts(hosts: string[], order: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle'): string[] {
  switch (order) {
    case 'inventory':
      return hosts;
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    }
  }
}
