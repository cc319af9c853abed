// Mapping keys sorted at every level, as Python's json.dumps(sort_keys=True) writes them:
// Ansible's own outputs (ansible-inventory --list, docker login's config.json, a module's
// structured content) look like that, and hound's must compare equal to them byte for byte.

/** A copy of `value` with every mapping's keys sorted; `__proto__` stays a plain key (Object.fromEntries defines it). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  // Mappings only: a value of a class (a PythonFloat) is a value, not a mapping to sort.
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
