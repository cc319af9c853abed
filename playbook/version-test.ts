// Ansible's `version` test (and its old name `version_compare`): `x is version('1.25', '>=')`,
// comparing as Python's LooseVersion does, which is the test's default: numbers and words
// in order, numbers as numbers.
import { EXIT, HoundError } from '../base/errors.js';

const OPERATORS: Record<string, 'eq' | 'lt' | 'le' | 'gt' | 'ge' | 'ne'> = {
  '==': 'eq',
  '=': 'eq',
  eq: 'eq',
  '<': 'lt',
  lt: 'lt',
  '<=': 'le',
  le: 'le',
  '>': 'gt',
  gt: 'gt',
  '>=': 'ge',
  ge: 'ge',
  '!=': 'ne',
  '<>': 'ne',
  ne: 'ne',
};

function testError(message: string): HoundError {
  return new HoundError('TEMPLATE_ERROR', `version test: ${message}`, EXIT.PARSE);
}

/** LooseVersion's components: runs of digits (as numbers) and of lowercase letters, and whatever lies between, dots dropped. */
export function looseVersion(text: string): (number | string)[] {
  return text
    .split(/(\d+|[a-z]+|\.)/)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function compareLoose(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (typeof a[i] !== typeof b[i])
      throw testError(`cannot compare ${JSON.stringify(a[i])} with ${JSON.stringify(b[i])} (Python's LooseVersion cannot either)`);
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return a.length - b.length;
}

export function versionTest(value: unknown, version: unknown, operator: unknown = 'eq', ...rest: unknown[]): boolean {
  const keywords = rest.find((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && (r as { __keywords?: boolean }).__keywords === true);
  if (
    keywords &&
    ((keywords.strict !== undefined && keywords.strict !== false) || (keywords.version_type !== undefined && keywords.version_type !== 'loose'))
  ) {
    throw testError("hound compares versions as LooseVersion only (the default); drop 'strict' and 'version_type'");
  }
  const op = typeof operator === 'object' && operator !== null ? 'eq' : OPERATORS[String(operator)];
  if (op === undefined) throw testError(`Invalid operator type (${String(operator)}). Must be one of ${Object.keys(OPERATORS).join(', ')}`);
  if (value === undefined || value === null || value === '') throw testError('Input version value cannot be empty');
  if (version === undefined || version === null || version === '') throw testError('Version parameter to compare against cannot be empty');
  const c = compareLoose(looseVersion(String(value)), looseVersion(String(version)));
  return { eq: c === 0, ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[op];
}
