import { describe, expect, it } from 'vitest';
import { shadowPasswordField } from '../../../lab/users.js';

// The shape of Debian's /etc/shadow (the hashes here are made up).
const SHADOW = [
  'root:$y$j9T$abc$def:20000:0:99999:7:::',
  'hound-sudo:*:20423:0:99999:7:::',
  'hound-sudopw:$y$j9T$salt$hash:20423:0:99999:7:::',
  'hound-sudo2:!:20423::::::',
  '',
].join('\n');

describe('shadowPasswordField', () => {
  it("reads a user's password field, and only that user's", () => {
    expect(shadowPasswordField(SHADOW, 'hound-sudo')).toBe('*');
    expect(shadowPasswordField(SHADOW, 'hound-sudopw')).toBe('$y$j9T$salt$hash');
    expect(shadowPasswordField(SHADOW, 'hound-sudo2')).toBe('!');
  });

  it('undefined for a user with no entry, a prefix of a name included', () => {
    expect(shadowPasswordField(SHADOW, 'hound')).toBeUndefined();
    expect(shadowPasswordField(SHADOW, 'nobody')).toBeUndefined();
    expect(shadowPasswordField('', 'root')).toBeUndefined();
  });
});
