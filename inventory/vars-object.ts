// Variables come from user files, so a key may be `__proto__`: plain assignment would change
// the object's prototype instead of storing a variable. These helpers always store own keys.

export function setVar(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Copies `source`'s keys onto `target`, later keys replacing earlier ones (Ansible's replace merge). */
export function assignVars(target: Record<string, unknown>, source: Record<string, unknown> | undefined): void {
  if (!source) return;
  // for-in avoids allocating a key array per merge (hostVars merges several layers per host);
  // vars objects are plain, so every enumerable key is an own key.
  for (const key in source) {
    if (key === '__proto__') setVar(target, key, source[key]);
    else target[key] = source[key];
  }
}
