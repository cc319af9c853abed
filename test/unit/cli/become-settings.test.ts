// The become defaults a play starts from: ansible.cfg's [privilege_escalation] and
// ANSIBLE_BECOME*, with -b and --become-* over them (their values are checked against
// ansible-config dump in test/unit/config/ansible-config-parity.test.ts; this checks they are used).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundConfig } from '../../../config/config.js';
import { privilegeEscalationSettings } from '../../../cli/settings.js';
import { errorOf } from '../error-of.js';

const work = mkdtempSync(path.join(tmpdir(), 'hound-become-cfg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function configWith(cfg: string | undefined, env: NodeJS.ProcessEnv = {}): HoundConfig {
  const dir = mkdtempSync(path.join(work, 'p-'));
  if (cfg !== undefined) writeFileSync(path.join(dir, 'ansible.cfg'), cfg);
  return HoundConfig.load({ cwd: dir, home: dir, env });
}

describe('become defaults from the configuration and the command line', () => {
  it('nothing said: no become, sudo to root', () => {
    expect(privilegeEscalationSettings({}, configWith(undefined))).toMatchObject({
      become: false,
      becomeMethod: 'sudo',
      becomeUser: 'root',
      becomeAskPass: false,
    });
  });

  it("ansible.cfg's [privilege_escalation] is read", () => {
    const config = configWith('[privilege_escalation]\nbecome = True\nbecome_user = app\nbecome_flags = -H -S\nbecome_exe = /usr/local/bin/sudo\n');
    expect(privilegeEscalationSettings({}, config)).toMatchObject({
      become: true,
      becomeMethod: 'sudo',
      becomeUser: 'app',
      becomeFlags: '-H -S',
      becomeExe: '/usr/local/bin/sudo',
      becomeAskPass: false,
    });
  });

  it('ANSIBLE_BECOME* win over the file, the command line over both', () => {
    const config = configWith('[privilege_escalation]\nbecome = False\nbecome_user = app\n', { ANSIBLE_BECOME: 'yes', ANSIBLE_BECOME_USER: 'ops' });
    expect(privilegeEscalationSettings({}, config)).toMatchObject({ become: true, becomeUser: 'ops' });
    expect(privilegeEscalationSettings({ becomeUser: 'deploy', askBecomePass: true }, config)).toMatchObject({
      become: true,
      becomeUser: 'deploy',
      becomeAskPass: true,
    });
  });

  it('-b turns become on when the file leaves it off', () => {
    expect(privilegeEscalationSettings({ become: true }, configWith('[privilege_escalation]\nbecome = False\n')).become).toBe(true);
  });

  it('a become method hound does not implement is refused, naming where it was set', () => {
    const config = configWith('[privilege_escalation]\nbecome_method = su\n');
    const error = errorOf(() => privilegeEscalationSettings({}, config));
    expect(error.code).toBe('BAD_OPTION_VALUE');
    expect(error.message).toMatch(/become method su \(from .*ansible\.cfg\): hound escalates with sudo/);
    expect(errorOf(() => privilegeEscalationSettings({ becomeMethod: 'doas' }, configWith(undefined))).message).toMatch(
      /become method doas \(from cli: --become-method\)/,
    );
  });
});
