import { describe, expect, it } from 'vitest';
import { keywordBoolean, resolveKeywords } from '../../../playbook/task-keywords.js';
import { resolveReach } from '../../../playbook/task-reach.js';
import { OMIT } from '../../../playbook/templating.js';
import { DEFAULT_PRIVILEGE_ESCALATION } from '../../../transport/become.js';
import { HoundError } from '../../../base/errors.js';

const asWritten = (v: unknown) => v;

function errorOf(work: () => unknown): HoundError {
  try {
    work();
  } catch (err) {
    if (err instanceof HoundError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('task keywords typed as Ansible types them', () => {
  it('reads the YAML spellings of booleans and nothing else', () => {
    for (const yes of [true, 'yes', 'True', 'on', '1', 1, 'y']) expect(keywordBoolean(yes, 'become')).toBe(true);
    for (const no of [false, 'no', 'off', 'False', '0', 0, '']) expect(keywordBoolean(no, 'become')).toBe(false);
    const err = errorOf(() => keywordBoolean('maybe', 'become'));
    expect(err.code).toBe('KEYWORD_INVALID');
    expect(err.message).toBe(`'become' must be true or false, got "maybe"`);
  });

  it('numbers written as strings, environment frames merged in order, omit dropping a keyword', () => {
    const keywords = resolveKeywords(
      {
        become: 'yes',
        become_user: 'app',
        async: '30',
        poll: 0,
        throttle: '2',
        environment: [
          { A: 1, B: 'x' },
          { B: 'y', C: null },
        ],
        remote_user: OMIT,
      },
      asWritten,
    );
    expect(keywords).toEqual({ become: true, becomeUser: 'app', async: 30, poll: 0, throttle: 2, environment: { A: '1', B: 'y', C: '' } });
  });

  it('refuses what hound cannot do, before anything runs, naming the keyword', () => {
    expect(errorOf(() => resolveKeywords({ become_method: 'su' }, asWritten)).message).toBe(`become_method 'su' is not supported: hound escalates with sudo`);
    const connection = errorOf(() => resolveKeywords({ connection: 'docker' }, asWritten));
    expect(connection.message).toBe(`connection 'docker' is not supported`);
    expect(connection.hint).toContain('docs/ansible-compatibility.md');
    expect(errorOf(() => resolveKeywords({ environment: [{ 'NOT-A-NAME': 1 }] }, asWritten)).message).toContain('which a shell cannot export');
    expect(errorOf(() => resolveKeywords({ async: 'soon' }, asWritten)).message).toBe(`'async' must be a whole number (0 or more), got "soon"`);
  });
});

describe('how a task reaches its host', () => {
  const defaults = { privilegeEscalation: DEFAULT_PRIVILEGE_ESCALATION };
  const vars =
    (values: Record<string, unknown>) =>
    (name: string): unknown =>
      values[name];

  it('over SSH without become by default; localhost is the controller', () => {
    expect(resolveReach('node1', {}, vars({}), defaults)).toEqual({ host: 'node1', connection: 'ssh', becomeAllowSameUser: false });
    expect(resolveReach('localhost', {}, vars({}), defaults).connection).toBe('local');
    expect(resolveReach('node1', { delegateTo: '127.0.0.1' }, vars({}), defaults)).toMatchObject({ host: '127.0.0.1', connection: 'local' });
  });

  it('the host variables win over the keywords, which win over the defaults', () => {
    const reach = resolveReach(
      'node1',
      { become: true, becomeUser: 'app', connection: 'local', remoteUser: 'deploy' },
      vars({ ansible_connection: 'ssh', ansible_become_user: 'root', ansible_become_password: 'pw' }),
      { ...defaults, becomePassword: 'from -K' },
    );
    expect(reach).toMatchObject({ host: 'node1', connection: 'ssh', remoteUser: 'deploy', become: { method: 'sudo', user: 'root', flags: '-H -S -n' } });
    expect(reach.become?.password).toBe('pw');
    expect(resolveReach('node1', { become: true }, vars({}), { ...defaults, becomePassword: 'from -K' }).become?.password).toBe('from -K');
    expect(resolveReach('node1', { become: true }, vars({ ansible_become: 'no' }), defaults).become).toBeUndefined();
    expect(resolveReach('node1', {}, vars({}), { privilegeEscalation: { ...DEFAULT_PRIVILEGE_ESCALATION, become: true } }).become?.user).toBe('root');
  });

  it('-c (the default connection) is under the host variable and the keyword, over the localhost rule', () => {
    const local = { ...defaults, connection: 'local' };
    expect(resolveReach('node1', {}, vars({}), local).connection).toBe('local');
    expect(resolveReach('node1', { connection: 'ssh' }, vars({}), local).connection).toBe('ssh');
    expect(resolveReach('node1', {}, vars({ ansible_connection: 'ssh' }), local).connection).toBe('ssh');
    expect(resolveReach('localhost', {}, vars({}), { ...defaults, connection: 'ssh' }).connection).toBe('ssh');
    expect(resolveReach('localhost', {}, vars({ ansible_connection: 'local' }), { ...defaults, connection: 'ssh' }).connection).toBe('local');
  });

  it('a connection plugin or become method hound lacks, set by a variable, fails the task with the reason', () => {
    expect(errorOf(() => resolveReach('node1', {}, vars({ ansible_connection: 'winrm' }), defaults)).code).toBe('CONNECTION_UNSUPPORTED');
    expect(errorOf(() => resolveReach('node1', { become: true }, vars({ ansible_become_method: 'doas' }), defaults)).code).toBe('BECOME_METHOD_UNSUPPORTED');
  });
});
