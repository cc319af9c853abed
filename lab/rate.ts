// Link rates as tc understands them, checked before anything touches the kernel.
import { OptionsError } from '../base/errors.js';

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

/** A rate in bits per second plus the text tc is given. */
export interface LinkRate {
  text: string;
  bitsPerSecond: number;
}

/** Parses `400mbit`, `10mbit`, `1gbit`, `500kbit`, `25mbps` (bytes/s, tc's meaning). */
export function parseRate(text: string, option = 'rate'): LinkRate {
  const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(text.trim().toLowerCase());
  const unit = m ? UNIT_BITS[m[2]] : undefined;
  const value = m ? Number(m[1]) : NaN;
  if (!m || unit === undefined || !(value > 0)) {
    throw new OptionsError('LAB_BAD_RATE', `invalid ${option} '${text}'`, {
      hint: 'give a number and a unit: bit, kbit, mbit, gbit (bits/s) or kbps, mbps (bytes/s), e.g. 400mbit',
    });
  }
  const bitsPerSecond = value * unit;
  if (bitsPerSecond < 8_000) {
    throw new OptionsError('LAB_BAD_RATE', `${option} '${text}' is below 8kbit`, { hint: 'give at least 8kbit' });
  }
  return { text: `${m[1]}${m[2]}`, bitsPerSecond };
}

/**
 * tbf arguments for a rate. The bucket must hold at least one rate-interval's worth of
 * bytes at the kernel's timer granularity or tbf cannot reach the rate; 1/100 s of traffic,
 * and never less than a few full frames, is enough for both 10mbit and 10gbit.
 */
export function tbfArgs(rate: LinkRate): string[] {
  const burstBytes = Math.max(32 * 1024, Math.ceil(rate.bitsPerSecond / 8 / 100));
  return ['tbf', 'rate', `${Math.round(rate.bitsPerSecond)}bit`, 'burst', String(burstBytes), 'latency', '200ms'];
}
