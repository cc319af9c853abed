// Link rates as tc understands them, checked before anything touches the kernel.
import { OptionsError } from '../base/errors.js';
import { parseLinkRate } from '../base/link-rate.js';

/** A rate in bits per second plus the text tc is given. */
export interface LinkRate {
  text: string;
  bitsPerSecond: number;
}

/** Parses `400mbit`, `10mbit`, `1gbit`, `500kbit`, `25mbps` (bytes/s, tc's meaning). */
export function parseRate(text: string, option = 'rate'): LinkRate {
  const parsed = parseLinkRate(text);
  if (!parsed) {
    throw new OptionsError('LAB_BAD_RATE', `invalid ${option} '${text}'`, {
      hint: 'give a number and a unit: bit, kbit, mbit, gbit (bits/s) or kbps, mbps (bytes/s), e.g. 400mbit',
    });
  }
  const { bitsPerSecond } = parsed;
  if (bitsPerSecond < 8_000) {
    throw new OptionsError('LAB_BAD_RATE', `${option} '${text}' is below 8kbit`, { hint: 'give at least 8kbit' });
  }
  return parsed;
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
