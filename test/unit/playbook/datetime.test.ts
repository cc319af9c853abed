// Python's datetime values in templates (playbook/python-datetime.ts): `now()`, `to_datetime`
// (datetime.strptime), and what playbooks do with them (subtract, compare, .days,
// .total_seconds(), strftime). Each case is rendered by ansible-core's own Templar as well
// (Debian's /usr/bin/python3, the one ansible-playbook runs) and hound must give its text, or
// fail where it fails. The cases are generated from a fixed seed, so a run is repeatable.
import { describe, expect, it } from 'vitest';
import { renderValue } from '../../../playbook/templating.js';
import { compareWithAnsible, ORACLE_TIMEOUT_MS, renderFailure } from './templar-oracle.js';

/** A small fixed-seed generator (mulberry32): the same cases every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(20261207);
const pick = (n: number) => Math.floor(random() * n);
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** A datetime's text as `%Y-%m-%d %H:%M:%S.%f` reads it, somewhere in years 1 to 9999 (most near now). */
function randomDateTime(): string {
  const year = random() < 0.7 ? 1960 + pick(100) : 1 + pick(9999);
  const month = 1 + pick(12);
  const day = 1 + pick(month === 2 ? 28 : 30);
  const micro = random() < 0.5 ? 0 : pick(1_000_000);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${pad(pick(24), 2)}:${pad(pick(60), 2)}:${pad(pick(60), 2)}.${pad(micro, 6)}`;
}

const FULL = "'%Y-%m-%d %H:%M:%S.%f'";
const at = (text: string) => `('${text}' | to_datetime(${FULL}))`;

function agrees(title: string, templates: string[], errors: number): void {
  it(
    `${title}: Ansible's text or Ansible's failure, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, {});
      expect(differences).toEqual([]);
      expect(expected.filter((o) => 'error' in o).length).toBe(errors);
    },
    ORACLE_TIMEOUT_MS,
  );
}

describe('to_datetime and the datetime it gives, against ansible-core', () => {
  const moments = Array.from({ length: 60 }, randomDateTime);
  agrees(
    'fields, methods and printing of 60 datetimes',
    moments.flatMap((m) => [
      `{{ [${at(m)}] }}`,
      `{{ ${at(m)} }}`,
      `{{ ${at(m)}.year }}-{{ ${at(m)}.month }}-{{ ${at(m)}.day }} {{ ${at(m)}.hour }}:{{ ${at(m)}.minute }}:{{ ${at(m)}.second }}.{{ ${at(m)}.microsecond }}`,
      `{{ ${at(m)}.weekday() }} {{ ${at(m)}.isoweekday() }} {{ ${at(m)}.toordinal() }} {{ ${at(m)}.isocalendar() | list }}`,
      `{{ ${at(m)}.isoformat() }} {{ ${at(m)}.isoformat(' ', 'milliseconds') }} {{ ${at(m)}.isoformat(timespec='minutes') }}`,
      `{{ ${at(m)}.date() }} {{ [${at(m)}.date()] }} {{ ${at(m)}.ctime() }}`,
      `{{ ${at(m)}.strftime('%a %A %b %B %C %d %e %f %G %g %H %I %j %k %l %m %M %p %S %u %U %V %w %W %y %Y %z %Z %% %c %x %X %D %F %T') }}`,
      `{{ ${at(m)} | to_json }} {{ ${at(m)} | to_yaml }} {{ ${at(m)} | type_debug }} {{ ${at(m)}.date() | type_debug }}`,
    ]),
    0,
  );

  const pairs = Array.from({ length: 60 }, () => [randomDateTime(), randomDateTime()]);
  agrees(
    'subtraction, comparison and timedelta arithmetic on 60 pairs',
    pairs.flatMap(([a, b]) => [
      `{{ ${at(a)} - ${at(b)} }} {{ [${at(a)} - ${at(b)}] }}`,
      `{{ (${at(a)} - ${at(b)}).days }} {{ (${at(a)} - ${at(b)}).seconds }} {{ (${at(a)} - ${at(b)}).microseconds }} {{ (${at(a)} - ${at(b)}).total_seconds() }}`,
      `{{ ${at(a)} < ${at(b)} }} {{ ${at(a)} >= ${at(b)} }} {{ ${at(a)} == ${at(b)} }} {{ ${at(a)} != ${at(a)} }}`,
      `{{ ${at(b)} + (${at(a)} - ${at(b)}) }} {{ ${at(a)} - (${at(a)} - ${at(b)}) }}`,
      `{{ (${at(a)} - ${at(b)}) * 3 }} {{ (${at(a)} - ${at(b)}) * 0.37 }} {{ (${at(a)} - ${at(b)}) / 7 }} {{ (${at(a)} - ${at(b)}) // 7 }}`,
      `{{ -(${at(a)} - ${at(b)}) }} {{ (${at(a)} - ${at(b)}) | abs }} {{ (${at(a)} - ${at(b)}) / (${at(b)} - ${at(a)}) }}`,
      `{{ ((${at(a)} - ${at(b)}) // (${at(a)}.date() - ${at(b)}.date())) if ${at(a)}.date() != ${at(b)}.date() else 'same' }}`,
      `{{ ${at(a)}.date() - ${at(b)}.date() }} {{ [${at(a)}, ${at(b)}] | max }} {{ [${at(a)}, ${at(b)}] | sort | first }} {{ (${at(a)} - ${at(b)}) > (${at(b)} - ${at(a)}) }}`,
    ]),
    0,
  );

  agrees(
    'what strptime reads, and what it refuses',
    [
      ['2020-01-02 03:04:05', ''],
      ['2020-1-2 3:4:5', ''],
      ['2020-01-02', "'%Y-%m-%d'"],
      ['Jan 2 2020', "'%b %d %Y'"],
      ['jan  2 2020', "'%b %d %Y'"],
      ['THURSDAY, JANUARY 02 2020', "'%A, %B %d %Y'"],
      ['Thu Jan  2 03:04:05 2020', "'%c'"],
      ['01/02/20 03:04:05', "'%x %X'"],
      ['20240229', "'%Y%m%d'"],
      ['20231225T101112Z', "'%Y%m%dT%H%M%SZ'"],
      ['2023-12-25T10:11:12Z', "'%Y-%m-%dT%H:%M:%S%z'"],
      ['2023-12-25T10:11:12+05:30', "'%Y-%m-%dT%H:%M:%S%z'"],
      ['2023-12-25T10:11:12-0800', "'%Y-%m-%dT%H:%M:%S%z'"],
      ['2023-12-25T10:11:12+01:00:30.5', "'%Y-%m-%dT%H:%M:%S%z'"],
      ['2023-12-25 10:11:12 UTC', "'%Y-%m-%d %H:%M:%S %Z'"],
      ['2023-12-25 10:11:12 +0000 GMT', "'%Y-%m-%d %H:%M:%S %z %Z'"],
      ['12:30 pm', "'%I:%M %p'"],
      ['12:30 AM', "'%I:%M %p'"],
      ['7:05 PM', "'%I:%M %p'"],
      ['99', "'%y'"],
      ['68', "'%y'"],
      ['2020 366', "'%Y %j'"],
      ['2021 0 1', "'%Y %U %w'"],
      ['2021 52 6', "'%Y %W %w'"],
      ['2020 1 3', "'%G %V %u'"],
      ['2021 53 Friday', "'%G %V %A'"],
      ['29 Feb', "'%d %b'"],
      ['3.5', "'%S.%f'"],
      ['10%', "'%S%%'"],
      ['a.b', "'a.b'"],
      ['(x)', "'(x)'"],
      // Refused as Python refuses them.
      ['x', ''],
      ['2020-01-02 03:04:05x', ''],
      ['2020-02-30', "'%Y-%m-%d'"],
      ['2023-02-29', "'%Y-%m-%d'"],
      ['2020-01-02 24:00:00', ''],
      ['2020-01-02 23:59:60', ''],
      ['2023-12-25T10:11:12z', "'%Y-%m-%dT%H:%M:%S%z'"],
      ['2023-12-25T10:11:12+01:0030', "'%Y-%m-%dT%H:%M:%S%z'"],
      ['2020', "'%Q'"],
      ['2020', "'%Y%'"],
      ['2020 1 3', "'%Y %V %u'"],
      ['2020 1', "'%G %V'"],
      ['2020 2020', "'%Y %Y'"],
      ['0000-01-01', "'%Y-%m-%d'"],
    ].map(([text, format]) => `{{ ['${text}' | to_datetime${format === '' ? '' : `(${format})`}] }}`),
    15,
  );

  agrees(
    'what Python refuses to do with them',
    [
      `{{ ${at('2020-01-02 03:04:05.0')} + 1 }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} + ${at('2020-01-02 03:04:05.0')} }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} < 5 }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} < ${at('2020-01-02 03:04:05.0')}.date() }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} - ${at('2020-01-02 03:04:05.0')}.date() }}`,
      "{{ ('2020-01-02T00:00:00Z' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) < ('2020-01-02' | to_datetime('%Y-%m-%d')) }}",
      "{{ ('2020-01-02T00:00:00Z' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) - ('2020-01-02' | to_datetime('%Y-%m-%d')) }}",
      `{{ (${at('2020-01-02 03:04:05.0')} - ${at('2020-01-01 03:04:05.0')}) / 0 }}`,
      `{{ (${at('2020-01-02 03:04:05.0')} - ${at('2020-01-01 03:04:05.0')}) // 1.5 }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} | to_datetime }}`,
      `{{ 5 | to_datetime }}`,
      `{{ [${at('2020-01-02 03:04:05.0')} - ${at('2020-01-01 03:04:05.0')}] | to_json }}`,
      `{{ ${at('9999-12-31 23:59:59.0')} - (${at('2020-01-01 00:00:00.0')} - ${at('2019-12-31 00:00:00.0')}) * -1 }}`,
      `{{ ${at('2020-01-02 03:04:05.0')}.replace(month=2, day=30) }}`,
      // And what it computes.
      "{{ ('2020-01-02T00:00:00Z' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) == ('2020-01-02' | to_datetime('%Y-%m-%d')) }}",
      "{{ ('2020-01-02T01:00:00+01:00' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) == ('2020-01-02T00:00:00Z' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) }}",
      "{{ ('2020-01-02T01:00:00+01:00' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) - ('2020-01-01T00:00:00-05:00' | to_datetime('%Y-%m-%dT%H:%M:%S%z')) }}",
      "{{ ('2020-01-02T01:00:00+01:00' | to_datetime('%Y-%m-%dT%H:%M:%S%z')).timestamp() }} {{ ('2020-01-02T01:00:00+01:00' | to_datetime('%Y-%m-%dT%H:%M:%S%z')).utcoffset() }}",
      `{{ ${at('2020-01-02 03:04:05.0')}.replace(year=2024, minute=0) }} {{ ${at('2020-01-02 03:04:05.0')}.date().replace(day=9) }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} | string }} {{ ${at('2020-01-02 03:04:05.0')} ~ '!' }} {{ ${at('2020-01-02 03:04:05.0')} is string }} {{ ${at('2020-01-02 03:04:05.0')} | bool }}`,
      `{{ (${at('2020-01-02 03:04:05.0')} - ${at('2020-01-02 03:04:05.0')}) | bool }} {{ [] if (${at('2020-01-02 03:04:05.0')} - ${at('2020-01-02 03:04:05.0')}) else 'zero' }}`,
      `{{ ${at('2020-01-02 03:04:05.0')} in [${at('2020-01-02 03:04:05.0')}] }} {{ [${at('2020-01-02 03:04:05.0')}, ${at('2020-01-02 03:04:05.0')}] | unique | length }}`,
      `{{ {'when': ${at('2020-01-02 03:04:05.0')}} }} {{ {'when': ${at('2020-01-02 03:04:05.0')}} | to_json }} {{ {'when': ${at('2020-01-02 03:04:05.0')}} | to_nice_yaml }}`,
      `{{ ${at('2020-01-02 03:04:05.0')}.nope is defined }} {{ (${at('2020-01-02 03:04:05.0')} - ${at('2020-01-02 03:04:05.0')}).nope is defined }}`,
    ],
    14,
  );
});

describe('now()', () => {
  it('is the current local time, or UTC, as a datetime or through strftime', () => {
    const before = Date.now();
    const local = renderValue("{{ now().strftime('%s') }}", {}) as string;
    const epoch = Number(renderValue('{{ now(utc=true).timestamp() }}', {})) * 1000 - new Date().getTimezoneOffset() * 60_000;
    const after = Date.now();
    expect(Number(local) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Number(local) * 1000).toBeLessThanOrEqual(after);
    expect(epoch).toBeGreaterThanOrEqual(before - 1);
    expect(epoch).toBeLessThanOrEqual(after + 1);
    const today = new Date();
    const ymd = `${today.getFullYear()}-${pad(today.getMonth() + 1, 2)}-${pad(today.getDate(), 2)}`;
    expect(renderValue("{{ now(fmt='%Y-%m-%d') }}", {})).toBe(ymd);
    expect(renderValue("{{ now(false, '%Y-%m-%d') }}", {})).toBe(ymd);
    expect(renderValue('{{ now() | type_debug }} {{ now(fmt="") | type_debug }}', {})).toBe('datetime datetime');
    // Its whole value is its text, microseconds included when there are any.
    expect(renderValue('{{ now() }}', {})).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
    expect(renderValue('{{ (now() - now()).days in [0, -1] }}', {})).toBe(true);
  });

  it('says what went wrong, as Python does', () => {
    expect(renderFailure('{{ now(1, 2, 3) }}').message).toMatch(/TypeError: _now_datetime\(\) takes from 1 to 3 positional arguments but 4 were given/);
    expect(renderFailure('{{ now(zone=1) }}').message).toMatch(/unexpected keyword argument 'zone'/);
    expect(renderFailure('{{ now(fmt=5) }}').message).toMatch(/strftime\(\) argument 1 must be str, not int/);
    expect(renderFailure("{{ 'x' | to_datetime }}").message).toBe("ValueError: time data 'x' does not match format '%Y-%m-%d %H:%M:%S'");
    expect(renderFailure("{{ '2020' | to_datetime('%Y%Q') }}").message).toBe("ValueError: 'Q' is a bad directive in format '%Y%Q'");
    expect(renderFailure('{{ now() + 1 }}').message).toBe("TypeError: unsupported operand type(s) for +: 'datetime.datetime' and 'int'");
  });
});
