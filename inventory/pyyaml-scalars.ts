// Ansible reads YAML with PyYAML, whose YAML 1.1 implicit typing differs from the `yaml`
// package's: PyYAML does not read `y`/`n` as booleans, needs a dot in a float (`1e3` is a
// string, `1.0e+3` a float) and a sign in its exponent. These tags replace the package's
// bool/int/float/null/timestamp tags with PyYAML's resolver regexes and constructors.
import type { ScalarTag, Tags } from 'yaml';
import { pythonFloat } from '../base/python-float.js';

const TAG = 'tag:yaml.org,2002:';

const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP_RE =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

function sexagesimal(digits: string): number {
  let value = 0;
  for (const part of digits.split(':')) value = value * 60 + Number(part);
  return value;
}

/** PyYAML's construct_yaml_int. */
export function pyyamlInt(text: string): number {
  let v = text.replace(/_/g, '');
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '-' || v[0] === '+') v = v.slice(1);
  if (v === '0') return 0;
  if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
  if (v.startsWith('0')) return sign * parseInt(v, 8);
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * parseInt(v, 10);
}

/** PyYAML's construct_yaml_float. */
export function pyyamlFloat(text: string): number {
  let v = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '-' || v[0] === '+') v = v.slice(1);
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * Number(v.startsWith('.') ? `0${v}` : v);
}

/**
 * A timestamp as Ansible prints what PyYAML builds of it (str() of a date or a datetime): a date
 * as written; a date and time as `2001-12-14 21:59:43.100000-05:00` (the fraction to six
 * digits, `Z` as `+00:00`, no zone when none is written). Kept as text: hound's values are JSON's.
 */
export function pyyamlTimestampText(text: string): string {
  const m = /^(\d{4})-(\d\d?)-(\d\d?)(?:(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(?:\.(\d*))?(?:[ \t]*(Z|([-+])(\d\d?)(?::(\d\d))?))?)?$/.exec(text);
  if (!m || m[4] === undefined) return text;
  const two = (n: string) => n.padStart(2, '0');
  const fraction = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  const zone = m[8] === undefined ? '' : m[8] === 'Z' ? '+00:00' : `${m[9]}${two(m[10])}:${m[11] ?? '00'}`;
  return `${m[1]}-${two(m[2])}-${two(m[3])} ${two(m[4])}:${m[5]}:${m[6]}${/[1-9]/.test(fraction) ? `.${fraction}` : ''}${zone}`;
}

const pyyamlTags: ScalarTag[] = [
  { tag: `${TAG}null`, default: true, test: NULL_RE, resolve: () => null },
  { tag: `${TAG}bool`, default: true, test: BOOL_RE, resolve: (s: string) => /^(?:yes|true|on)$/i.test(s) },
  { tag: `${TAG}int`, default: true, test: INT_RE, resolve: (s: string) => pyyamlInt(s) },
  { tag: `${TAG}float`, default: true, test: FLOAT_RE, resolve: (s: string) => pythonFloat(pyyamlFloat(s)) },
  { tag: `${TAG}timestamp`, default: true, test: TIMESTAMP_RE, resolve: (s: string) => pyyamlTimestampText(s) },
];

const REPLACED = new Set([`${TAG}null`, `${TAG}bool`, `${TAG}int`, `${TAG}float`, `${TAG}timestamp`]);

/** The `customTags` option for the `yaml` package giving PyYAML's implicit typing. */
export function pyyamlCustomTags(defaults: Tags): Tags {
  return [...defaults.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag)), ...pyyamlTags];
}
