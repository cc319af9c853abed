// The inventory plugins hound runs, for loadInventory's `plugins` (inventory/load.ts). Kept
// apart from constructed-inventory.ts so that reading an inventory loads the templating only
// when a source names the plugin.
import type { InventoryPlugin, InventoryPlugins } from '../inventory/load.js';
import type { ConstructedOptions } from './constructed-inventory.js';

/** `plugin:` values that name Ansible's constructed plugin. */
const CONSTRUCTED_NAMES = ['constructed', 'ansible.builtin.constructed'];

export function inventoryPlugins(options: ConstructedOptions = {}): InventoryPlugins {
  const constructed: InventoryPlugin = async (y, inv, context) => (await import('./constructed-inventory.js')).runConstructed(y, inv, context, options);
  return new Map(CONSTRUCTED_NAMES.map((name) => [name, constructed]));
}
