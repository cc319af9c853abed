// Link rates as tc writes them (`40mbit`, `1gbit`, `25mbps`): the lab's shaping options and
// the inventory's hound_*_rate variables that tell `distribution: auto` the links' speeds.

const UNIT_BITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};

/** Bits per second and the normalised text, or undefined when `text` is not a rate. */
export function parseLinkRate(text: string): { text: string; bitsPerSecond: number } | undefined {
  const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(text.trim().toLowerCase());
  const unit = m ? UNIT_BITS[m[2]] : undefined;
  const value = m ? Number(m[1]) : NaN;
  if (!m || unit === undefined || !(value > 0)) return undefined;
  return { text: `${m[1]}${m[2]}`, bitsPerSecond: value * unit };
}
