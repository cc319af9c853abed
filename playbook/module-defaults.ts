// `module_defaults`: arguments a task gets when it does not give them itself. Keys are module
// names (short or fully qualified) or action groups (`group/docker`); the closest level wins.
import { resolveModule } from '../modules/names.js';
import { isPlainObject } from './template-values.js';

/**
 * Action groups hound's modules belong to, as the collections' meta/runtime.yml defines them
 * (community.docker's `docker` group holds its docker_* modules).
 */
const ACTION_GROUPS: Readonly<Record<string, (module: string) => boolean>> = {
  docker: (module) => /(^|\.)docker_[a-z_]+$/.test(module),
  'community.docker.docker': (module) => /(^|\.)docker_[a-z_]+$/.test(module),
  podman: (module) => /(^|\.)podman_[a-z_]+$/.test(module),
  'containers.podman.podman': (module) => /(^|\.)podman_[a-z_]+$/.test(module),
};

/** Whether a module_defaults key (a module name in any form hound reads, or `group/NAME`) covers the task's module (its short name). */
export function defaultsKeyCovers(key: string, module: string): boolean {
  if (key.startsWith('group/')) {
    const group = ACTION_GROUPS[key.slice('group/'.length)];
    return group !== undefined && group(module);
  }
  if (key === module) return true;
  const resolved = resolveModule(key);
  return resolved.kind === 'module' && resolved.definition.name === module;
}

/** `args` with every default the frames give for `module` that `args` does not set (later frames win). */
export function mergeModuleDefaults(module: string, args: Record<string, unknown>, frames: readonly unknown[]): Record<string, unknown> {
  let defaults: Record<string, unknown> | undefined;
  for (const frame of frames) {
    if (!isPlainObject(frame)) continue;
    // Groups first, then the module's own entry, as Ansible orders them within one level.
    const keys = Object.keys(frame).sort((a, b) => Number(!a.startsWith('group/')) - Number(!b.startsWith('group/')));
    for (const key of keys) {
      const value = frame[key];
      if (isPlainObject(value) && defaultsKeyCovers(key, module)) defaults = { ...defaults, ...value };
    }
  }
  return defaults === undefined ? args : { ...defaults, ...args };
}
