// A loop's result, as both tools print it: ansible-playbook's default callback prints one line
// per item (`changed: [localhost] => (item=a)`, `failed: [localhost] (item=b) => …`); hound
// printed one line per task with the items' messages joined. Both run each playbook on the
// implicit localhost here (hound through the built CLI: run `npx tsc -p .` first); each
// result line's status and `(item=…)` label, the recap and the exit code must agree.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUND_CLI, localhostOracle } from '../localhost-oracle.js';

/** Each line of a command's stdout with the time (ms from its start) it reached this process. */
function lineArrivals(argv: string[], cwd: string): Promise<Array<{ line: string; at: number }>> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, NO_COLOR: '1', HOUND_ROLES_PATH: '' } });
    const arrivals: Array<{ line: string; at: number }> = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) arrivals.push({ line, at: Date.now() - started });
    });
    child.on('error', reject);
    child.on('close', () => resolve(arrivals));
  });
}

const oracle = localhostOracle('loop-lines', ['--reporter', 'plain']);
afterAll(() => oracle.cleanUp());

interface Outcome {
  code: number | null;
  output: string;
  /** Each result line: its status, its item label if any, and `...ignoring`, in order. */
  lines: string[];
  recap: string;
}

function outcomeOf(code: number | null, output: string): Outcome {
  const lines = output
    .split('\n')
    .map((line) => {
      if (line === '...ignoring') return 'ignoring';
      const m = /^(ok|changed|skipping|fatal|failed): \[localhost\](?::? (?:=> )?(\(item=.*?\)))?/.exec(line);
      return m ? `${m[1]}${m[2] ? ` ${m[2]}` : ''}` : undefined;
    })
    .filter((s): s is string => s !== undefined);
  const recapLine = output.split('\n').find((line) => /^localhost\s+: ok=/.test(line)) ?? '';
  const recap = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored']
    .map((key) => `${key}=${new RegExp(`${key}=(\\d+)`).exec(recapLine)?.[1]}`)
    .join(' ');
  return { code, output, lines, recap };
}

function both(playbook: string): { ansible: Outcome; hound: Outcome } {
  const { ansible, hound } = oracle.run(playbook);
  return { ansible: outcomeOf(ansible.code, ansible.output), hound: outcomeOf(hound.code, hound.output) };
}

const play = (tasks: string) => `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`;

describe('loop results, line by line, against ansible-playbook', { timeout: 120_000 }, () => {
  it('items that change, are skipped, carry a label or a dict, fail and are ignored; a task of all skipped items; an empty loop', () => {
    const { ansible, hound } = both(
      play(
        `    - command: "echo {{ item }}"\n      loop: [a, b]\n` +
          `    - command: "echo {{ item }}"\n      loop: [1, 2, 3]\n      when: item != 2\n` +
          `    - command: "echo {{ item.n }}"\n      loop: [{n: x, s: 1}, {n: y, s: 2}]\n      loop_control: {label: "{{ item.n }}"}\n` +
          `    - debug: {msg: hi}\n      loop: [{a: 1, b: x}, [1, two], true]\n` +
          `    - debug: {msg: "{{ it }}"}\n      loop: [p]\n      loop_control: {loop_var: it}\n` +
          `    - command: "test {{ item }} = ok"\n      loop: [ok, bad]\n      ignore_errors: true\n` +
          `    - debug: {msg: "{{ item }}"}\n      loop: [1, 2]\n      failed_when: item == 2\n      ignore_errors: true\n` +
          `    - debug: {msg: x}\n      loop: [1, 2]\n      when: false\n` +
          `    - debug: {msg: x}\n      loop: []\n` +
          `    - set_fact: {v: "{{ item }}"}\n      loop: [1]\n`,
      ),
    );
    expect(ansible.lines).toEqual([
      'changed (item=a)',
      'changed (item=b)',
      'changed (item=1)',
      'skipping (item=2)',
      'changed (item=3)',
      'changed (item=x)',
      'changed (item=y)',
      "ok (item={'a': 1, 'b': 'x'})",
      "ok (item=[1, 'two'])",
      'ok (item=True)',
      'ok (item=p)',
      'changed (item=ok)',
      'failed (item=bad)',
      'ignoring',
      'ok (item=1)',
      'failed (item=2)',
      'fatal',
      'ignoring',
      'skipping (item=1)',
      'skipping (item=2)',
      'skipping',
      'skipping',
      'ok (item=1)',
    ]);
    expect(hound.lines).toEqual(ansible.lines);
    // An ignored failure that changed something counts changed too.
    expect(ansible.recap).toBe('ok=8 changed=4 unreachable=0 failed=0 skipped=2 rescued=0 ignored=2');
    expect(hound.recap).toBe(ansible.recap);
    expect(hound.code).toBe(ansible.code);
  });

  it('a failing item ends the play for the host after every item ran; an item that cannot be rendered ends the loop there', () => {
    const failing = both(play(`    - command: "test {{ item }} = ok"\n      loop: [ok, bad, ok]\n    - debug: {msg: after}\n`));
    expect(failing.ansible.lines).toEqual(['changed (item=ok)', 'failed (item=bad)', 'changed (item=ok)']);
    expect(failing.hound.lines).toEqual(failing.ansible.lines);
    expect(failing.hound.recap).toBe(failing.ansible.recap);
    expect(failing.hound.code).toBe(failing.ansible.code);

    const unrendered = both(play(`    - debug: {msg: "{{ item }} {{ nope }}"}\n      loop: [1, 2]\n      ignore_errors: true\n    - debug: {msg: after}\n`));
    expect(unrendered.ansible.lines).toEqual(['fatal', 'ignoring', 'ok']);
    expect(unrendered.hound.lines).toEqual(unrendered.ansible.lines);
    expect(unrendered.hound.recap).toBe(unrendered.ansible.recap);

    // The items before the one that cannot be rendered did run, and are printed.
    const later = both(play(`    - debug: {msg: "{{ item.v }}"}\n      loop: [{v: 1}, {}, {v: 3}]\n      ignore_errors: true\n`));
    expect(later.ansible.lines).toEqual(["ok (item={'v': 1})", 'fatal', 'ignoring']);
    expect(later.hound.lines).toEqual(later.ansible.lines);
    expect(later.hound.recap).toBe(later.ansible.recap);
  });

  it('under no_log every item is (item=None), then the task line, whether the items changed, failed or were skipped', () => {
    const { ansible, hound } = both(
      play(
        `    - command: "echo {{ item }}"\n      loop: [s3cr3t-a, s3cr3t-b]\n      no_log: true\n` +
          `    - command: "test {{ item }} = x"\n      loop: [s3cr3t-c, x]\n      no_log: true\n      ignore_errors: true\n` +
          `    - command: "echo {{ item }}"\n      loop: [s3cr3t-d]\n      when: item == 'other'\n      no_log: true\n` +
          `    - debug: {msg: "{{ item }}"}\n      loop: [s3cr3t-e]\n      no_log: true\n`,
      ),
    );
    expect(ansible.lines).toEqual([
      'changed (item=None)',
      'changed (item=None)',
      'changed',
      'failed (item=None)',
      'changed (item=None)',
      'fatal',
      'ignoring',
      'skipping (item=None)',
      'skipping',
      'ok (item=None)',
      'ok',
    ]);
    expect(hound.lines).toEqual(ansible.lines);
    expect(hound.recap).toBe(ansible.recap);
    expect(hound.output).not.toContain('s3cr3t');
    expect(hound.code).toBe(ansible.code);
  });

  it('a loop skipped at run time, its no_log rendered only then, shows its item in no line and no event', async () => {
    const playbook = play(
      `    - command: "true"\n      register: r\n      changed_when: false\n` +
        `    - command: "echo {{ item }}"\n      loop: [s3cr3t-x]\n      when: r.rc == 1\n      no_log: "{{ r.rc == 0 }}"\n`,
    );
    const { ansible, hound, base } = oracle.run(playbook);
    expect(ansible.output).toContain('skipping: [localhost] => (item=None)');
    expect(outcomeOf(hound.code, hound.output).lines).toEqual(outcomeOf(ansible.code, ansible.output).lines);
    const events = (await lineArrivals([HOUND_CLI, 'play', '-i', 'localhost,', '--json', 'play.yml'], base)).map((a) => a.line);
    expect(events.some((line) => line.includes('"task_result"') && line.includes('"no_log":true'))).toBe(true);
    expect(events.join('\n')).not.toContain('s3cr3t');
  });

  it("a host that cannot be reached ends its loop with the task's one UNREACHABLE line, no item line", () => {
    const base = oracle.folder({
      // Port 1 of loopback: refused at once.
      'unreachable.ini': 'web ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n',
      'unreachable.yml': `- hosts: web\n  gather_facts: false\n  tasks:\n    - command: "echo {{ item }}"\n      loop: [a, b]\n`,
    });
    const lines = oracle.hound(base, ['-i', 'unreachable.ini', 'unreachable.yml']).output.split('\n');
    expect(lines.filter((line) => line.includes('[web]') && !line.startsWith('PLAY'))).toEqual([
      'fatal: [web]: UNREACHABLE! => cannot reach 127.0.0.1:1: ECONNREFUSED',
    ]);
  });

  it('prints each item as it ends, not when the loop is over', async () => {
    // The second item sleeps 4 s: its line comes at least that long after the first's.
    const base = oracle.folder({ 'live.yml': play(`    - command: "sleep {{ item }}"\n      loop: [0, 4]\n`) });
    const arrivals = await lineArrivals([HOUND_CLI, 'play', '-i', 'localhost,', '--reporter', 'plain', 'live.yml'], base);
    const at = (label: string) => arrivals.find((a) => a.line.includes(label))?.at;
    expect(at('(item=0)'), arrivals.map((a) => a.line).join('\n')).toBeDefined();
    expect(at('(item=4)')! - at('(item=0)')!).toBeGreaterThan(2_000);
  });

  it('registers each item under its loop_var', () => {
    const { ansible, hound } = both(
      play(
        `    - debug: {msg: "{{ it }}"}\n      loop: [p]\n      loop_control: {loop_var: it}\n      register: r\n    - debug: {msg: "keys {{ r.results[0].keys() | sort | join(',') }}"}\n`,
      ),
    );
    expect(ansible.output).toContain('keys ansible_loop_var,changed,failed,it,msg');
    expect(hound.output).toContain('keys ansible_loop_var,changed,failed,it,msg');
  });
});

describe('the end of a play whose hosts all failed, against ansible-playbook', { timeout: 120_000 }, () => {
  it('says NO MORE HOSTS LEFT only for a play-level break (any_errors_fatal), not when the hosts simply failed', () => {
    const plain = oracle.run(play(`    - command: "false"\n    - debug: {msg: after}\n`));
    const fatal = oracle.run(
      `- hosts: localhost\n  gather_facts: false\n  any_errors_fatal: true\n  tasks:\n    - command: "false"\n    - debug: {msg: after}\n`,
    );
    expect(plain.ansible.output).not.toContain('NO MORE HOSTS LEFT');
    expect(plain.hound.output).not.toContain('NO MORE HOSTS LEFT');
    expect(fatal.ansible.output).toContain('NO MORE HOSTS LEFT');
    expect(fatal.hound.output).toContain('NO MORE HOSTS LEFT');
    expect([plain.hound.code, fatal.hound.code]).toEqual([plain.ansible.code, fatal.ansible.code]);
  });
});
