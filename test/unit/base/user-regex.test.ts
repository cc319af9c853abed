import { describe, expect, it } from 'vitest';
import { UserRegex, UserRegexError } from '../../../base/user-regex.js';

describe('user regular expressions on RE2', () => {
  it('matches catastrophic patterns in linear time (these never finish on a backtracking engine)', () => {
    const input = 'a'.repeat(100_000) + '!';
    expect(UserRegex.compile('(a+)+$').test(input)).toBe(false);
    expect(UserRegex.compile('(a|aa)*b').test(input)).toBe(false);
    expect(UserRegex.compile('^(?:.*a.*a.*a.*a.*a.*b)$').test('a'.repeat(5_000))).toBe(false);
  });

  it("reads Python's syntax: named groups, \\Z, inline flags", () => {
    const m = UserRegex.compile('(?P<repo>[a-z/]+):(?P<tag>\\w+)\\Z').search('image docker.io/library/nginx:1 x library/nginx:latest');
    expect(m?.named).toMatchObject({ repo: 'library/nginx', tag: 'latest' });
    expect(UserRegex.compile('(?i)NGINX').test('nginx')).toBe(true);
  });

  it("replaces as Python's re.sub: \\1, \\g<1>, \\g<name>, escapes, count", () => {
    expect(UserRegex.compile('^(\\w+):(.*)$').replace('app:1.0', '\\2/\\1')).toBe('1.0/app');
    expect(UserRegex.compile('(?P<a>\\d)').replace('a1b2', '<\\g<a>|\\g<1>>')).toBe('a<1|1>b<2|2>');
    expect(UserRegex.compile('x').replace('xxx', 'y', 2)).toBe('yyx');
    expect(UserRegex.compile(',').replace('a,b', '\\n')).toBe('a\nb');
    expect(() => UserRegex.compile('(a)').replace('a', '\\2')).toThrow(UserRegexError);
  });

  it('refuses what only backtracking can do, saying so', () => {
    expect(() => UserRegex.compile('(a)\\1')).toThrow(/backreferences are not supported/);
    expect(() => UserRegex.compile('(?P<x>a)(?P=x)')).toThrow(/backreferences are not supported/);
    expect(() => UserRegex.compile('a(?=b)')).toThrow(/lookahead and lookbehind are not supported/);
    expect(() => UserRegex.compile('(')).toThrow(/invalid regular expression/);
  });
});
