// Compose's interpolation and .env reading, case by case as compose-go (Compose v2) does them.
import { describe, expect, it } from 'vitest';
import { interpolate, InvalidTemplateError, RequiredVariableError } from '../../../playbook/lookups/compose-interpolation.js';
import { parseDotenv } from '../../../playbook/lookups/compose-dotenv.js';
import { HoundError } from '../../../base/errors.js';

const env =
  (vars: Record<string, string>) =>
  (name: string): string | undefined =>
    Object.hasOwn(vars, name) ? vars[name] : undefined;
const value = (template: string, vars: Record<string, string> = {}) => interpolate(template, env(vars)).value;

describe('interpolate', () => {
  it.each([
    ['a${X:-d}b', {}, 'adb'],
    ['a${X:-d}b', { X: '' }, 'adb'],
    ['a${X:-d}b', { X: 'v' }, 'avb'],
    ['a${X-d}b', {}, 'adb'],
    ['a${X-d}b', { X: '' }, 'ab'],
    ['${X:+r}', { X: 'v' }, 'r'],
    ['${X:+r}', { X: '' }, ''],
    ['${X:+r}', {}, ''],
    ['${X+r}', { X: '' }, 'r'],
    ['${X+r}', {}, ''],
    ['${X?}', { X: '' }, ''],
    ['$$X $X ${X}', { X: 'v' }, '$X v v'],
    ['$$$$', {}, '$$'],
    ['${A:-${B:-z}}', {}, 'z'],
    ['${A:-$B}:${C:-x}', { B: 'b' }, 'b:x'],
    ['cost $5 and $', {}, 'cost $5 and $'],
  ] as const)('%s with %j is %s', (template, vars, expected) => {
    expect(value(template, vars)).toBe(expected);
  });

  it('names the variables that were unset and had no default', () => {
    expect(interpolate('${REGISTRY}/app:${TAG:-1}$SUFFIX', env({}))).toEqual({ value: '/app:1', unset: ['REGISTRY', 'SUFFIX'] });
  });

  it('stops at ${VAR:?message} and ${VAR?message}, with the variable and the message', () => {
    const err = (() => {
      try {
        value('${TAG:?set TAG to the release}', { TAG: '' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RequiredVariableError);
    expect(err).toMatchObject({ variable: 'TAG', reason: 'set TAG to the release' });
    expect(() => value('${TAG?}')).toThrow(RequiredVariableError);
  });

  it('refuses an unclosed ${ and a braced name that is no variable name', () => {
    expect(() => value('${TAG')).toThrow(InvalidTemplateError);
    expect(() => value('${1X}')).toThrow(InvalidTemplateError);
  });
});

describe('parseDotenv', () => {
  const text = [
    '# a comment',
    'export REGISTRY=registry.local:5000',
    'TAG = 1.4   # inline comment',
    'IMAGE=${REGISTRY}/app:${TAG}',
    "LITERAL='${REGISTRY} stays'",
    'QUOTED="a\\tb \\"c\\" ${TAG}"',
    'MULTI="line one',
    'line two"',
    'COLON: yaml-style',
    'FROM_ENV',
    'EMPTY=',
    'OVERRIDDEN=${HOME_VALUE:-file}',
  ].join('\n');

  it('reads keys, quotes, comments, interpolation and inherited keys as compose-go does', () => {
    expect(parseDotenv(text, '.env', env({ FROM_ENV: 'from hound', HOME_VALUE: 'env' }))).toEqual({
      REGISTRY: 'registry.local:5000',
      TAG: '1.4',
      IMAGE: 'registry.local:5000/app:1.4',
      LITERAL: '${REGISTRY} stays',
      QUOTED: 'a\tb "c" 1.4',
      MULTI: 'line one\nline two',
      COLON: 'yaml-style',
      FROM_ENV: 'from hound',
      EMPTY: '',
      OVERRIDDEN: 'env',
    });
  });

  it('says where an env file is broken', () => {
    try {
      parseDotenv('A=1\nB="unterminated\n', 'stack/.env', env({}));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HoundError);
      expect((e as HoundError).code).toBe('COMPOSE_ENV_FILE');
      expect((e as HoundError).position).toMatchObject({ file: 'stack/.env', line: 2 });
    }
  });
});
