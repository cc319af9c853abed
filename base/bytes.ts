// Byte counts for people: one formatter and one parser for the whole of hound, so that
// the plan, the live view, the recap and the errors all say sizes the same way.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → `1.5 KiB`; binary units, as `df -h` and Docker's own sizes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)$/i;
const FACTORS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** `2GiB` → 2147483648, `500MB` → 500000000, `1048576` → 1048576; undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const size = SIZE.exec(text.trim());
  const factor = size ? FACTORS[size[2].toLowerCase()] : undefined;
  if (!size || factor === undefined) return undefined;
  return Math.round(Number(size[1]) * factor);
}
