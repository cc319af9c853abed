import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskInstance } from '../../../playbook/compiled.js';
import { EventBus, SECRET_MASK, type HoundEvent, type TaskResultEvent } from '../../../core/events.js';
import { TaskExecutor, type HostAccess } from '../../../core/executor.js';
import { Semaphore } from '../../../core/scheduler.js';
import { collectTemplateWarnings, evaluateCondition, loopItemsFor, renderTemplateFile, renderValue } from '../../../playbook/templating.js';
import { CredentialStore } from '../../../modules/implementation.js';
import { task } from './play-fixture.js';

// Controller-only modules never reach a host: any attempt to is a bug these tests would catch.
const noHosts: HostAccess = {
  connection: async (h) => {
    throw new Error(`unexpected connection to ${h.host}`);
  },
  docker: async (h) => {
    throw new Error(`unexpected docker on ${h.host}`);
  },
  remoteDigest: async (r) => {
    throw new Error(`unexpected registry lookup of ${r}`);
  },
  pull: async (h, r) => {
    throw new Error(`unexpected pull of ${r} on ${h.host}`);
  },
};

function setup(check = false) {
  const bus = new EventBus();
  const events: HoundEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const credentials = new CredentialStore();
  const limit = new Semaphore(8);
  const executor = new TaskExecutor({
    bus,
    check,
    verbosity: 0,
    signal: new AbortController().signal,
    credentials,
    limits: { pull: (_h, _r, work) => limit.run(work) },
    templating: { renderValue, evaluateCondition, renderTemplateFile, loopItems: loopItemsFor, collectWarnings: collectTemplateWarnings },
    access: noHosts,
  });
  const results = () => events.filter((e): e is TaskResultEvent => e.event === 'task_result');
  return { bus, events, executor, credentials, results };
}

const t = (i: number, extra: Partial<TaskInstance>) => task('node1', i, extra);

describe('TaskExecutor', () => {
  it('renders deferred tasks with registered results and set_fact values', async () => {
    const { executor, results } = setup();
    await executor.runTask([t(0, { module: 'set_fact', args: { wanted: 'app1' } })], { handler: false });
    await executor.runTask([t(1, { module: 'debug', args: { msg: 'first {{ wanted }}' }, deferred: true, register: 'said' })], { handler: false });
    await executor.runTask([t(2, { module: 'debug', args: { msg: 'again: {{ said.msg }}' }, deferred: true })], { handler: false });
    expect(results().map((r) => r.msg)).toEqual(['set wanted', 'first app1', 'again: first app1']);
    expect(executor.hostVars('node1')).toMatchObject({ wanted: 'app1', said: { msg: 'first app1', changed: false, failed: false } });
  });

  it('skips a task whose when is false and still registers it', async () => {
    const { executor, results } = setup();
    const outcome = await executor.runTask([t(0, { when: ['1 > 2'], register: 'r', vars: {} })], { handler: false });
    expect(outcome).toEqual({ status: 'skipped', ignored: false });
    expect(results()[0].status).toBe('skipped');
    expect(executor.hostVars('node1').r).toMatchObject({ skipped: true });
  });

  it('reports a task skipped at compile time as skipped, runs nothing, and registers it', async () => {
    const { executor, results } = setup();
    // `command` would need a host connection, which noHosts refuses: skipping must not reach it.
    const skipped = { ...t(0, { register: 'r', vars: {} }), module: 'command', args: { cmd: 'false' }, skipped: 'conditional result was false: canary' };
    const outcome = await executor.runTask([skipped], { handler: false });
    expect(outcome).toEqual({ status: 'skipped', ignored: false });
    expect(results()[0]).toMatchObject({ status: 'skipped', msg: 'conditional result was false: canary' });
    expect(executor.hostVars('node1').r).toMatchObject({ skipped: true, skip_reason: 'conditional result was false: canary' });
  });

  it('fail fails the host unless ignore_errors; assert names the condition that did not hold', async () => {
    const { executor, results } = setup();
    expect(await executor.runTask([t(0, { module: 'fail', args: { msg: 'no' } })], { handler: false })).toEqual({ status: 'failed', ignored: false });
    expect(await executor.runTask([t(1, { module: 'fail', args: {}, ignoreErrors: true })], { handler: false })).toEqual({ status: 'failed', ignored: true });
    await executor.runTask([t(2, { module: 'assert', args: { that: ['x == 1', 'y == 2'] }, vars: { x: 1, y: 3 } })], { handler: false });
    await executor.runTask([t(3, { module: 'assert', args: { that: 'x == 1' }, vars: { x: 1 } })], { handler: false });
    expect(results().map((r) => [r.status, r.msg])).toEqual([
      ['failed', 'no'],
      ['failed', 'Failed as requested from task'],
      ['failed', 'Assertion failed: y == 2'],
      ['ok', 'All assertions passed'],
    ]);
  });

  it('until retries the task and fails when the condition never holds', async () => {
    const { executor, events, results } = setup();
    await executor.runTask([t(0, { args: { msg: 'x' }, register: 'r', until: "r.msg == 'y'", retries: 2, delaySeconds: 0 })], { handler: false });
    expect(events.filter((e) => e.event === 'detail' && /RETRYING/.test(e.msg))).toHaveLength(2);
    expect(results()[0]).toMatchObject({ status: 'failed', msg: expect.stringContaining('3 attempts') });
    expect(results()[0].result.attempts).toBe(3);
  });

  it('until stops retrying as soon as it holds', async () => {
    const { executor, results } = setup();
    await executor.runTask([t(0, { args: { msg: 'y' }, register: 'r', until: "r.msg == 'y'", retries: 5 })], { handler: false });
    expect(results()[0]).toMatchObject({ status: 'ok' });
    expect(results()[0].result.attempts).toBe(1);
  });

  it('until with a filter hound lacks fails the task at once with the template error, never retried', async () => {
    const { executor, events, results } = setup();
    // The corpus's atomic-host-tests role: `until: dp|success` (the test-as-filter form Ansible 2.9 removed), retries 5, delay 60.
    const started = Date.now();
    const outcome = await executor.runTask([t(0, { args: { msg: 'x' }, register: 'dp', until: 'dp|success', retries: 5, delaySeconds: 60 })], {
      handler: false,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome).toEqual({ status: 'failed', ignored: false });
    expect(events.filter((e) => e.event === 'detail' && /RETRYING/.test(e.msg))).toHaveLength(0);
    expect(results()[0].msg).toMatch(/^The conditional check 'dp\|success' failed\. The error was: .*success/);
  });

  it('changed_when and failed_when rewrite the result from the registered value; an unreadable one fails the task', async () => {
    const { executor, results } = setup();
    await executor.runTask([t(0, { args: { msg: 'done' }, register: 'r', changedWhen: ["r.msg == 'done'"] })], { handler: false });
    await executor.runTask([t(1, { args: { msg: 'oops' }, register: 'r', failedWhen: ["'oops' in r.msg"] })], { handler: false });
    await executor.runTask([t(2, { module: 'fail', args: { msg: 'no' }, register: 'r', failedWhen: [false] })], { handler: false });
    await executor.runTask([t(3, { args: { msg: 'x' }, register: 'r', changedWhen: ['r.nothing_here.rc == 0'] })], { handler: false });
    expect(results().map((r) => r.status)).toEqual(['changed', 'failed', 'ok', 'failed']);
    expect(results()[1].result).toMatchObject({ failed: true, failed_when_result: true });
    expect(results()[3].msg).toMatch(/^The conditional check 'r\.nothing_here\.rc == 0' failed/);
  });

  it('runs loop items as one task with one result listing each item', async () => {
    const { executor, results } = setup();
    const items = ['a', 'b'].map((item) => t(0, { args: { msg: '{{ item }}!' }, deferred: true, loopItem: item, loopVar: 'item', register: 'out' }));
    await executor.runTask(items, { handler: false });
    expect(results()).toHaveLength(1);
    expect(results()[0].msg).toBe('a!; b!');
    expect((executor.hostVars('node1').out as { results: { msg: string; item: string }[] }).results.map((r) => [r.item, r.msg])).toEqual([
      ['a', 'a!'],
      ['b', 'b!'],
    ]);
  });

  it('expands a with_first_found loop known only at run time, in the folder its task kind names, past a name that reads an undefined variable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hound-first-found-'));
    try {
      mkdirSync(path.join(dir, 'templates'));
      writeFileSync(path.join(dir, 'templates', 'web.conf.j2'), 'x');
      writeFileSync(path.join(dir, 'web.conf.j2'), 'not this one');
      const { executor, results } = setup();
      await executor.runTask([t(0, { module: 'set_fact', args: { service: 'web' } })], { handler: false });
      const loop = {
        kind: 'first_found',
        value: ['{{ nope }}/web.conf', '{{ service }}.conf.j2'],
        subdir: 'templates',
        loopVar: 'item',
        extended: false,
        extendedAllitems: true,
      };
      const vars = { ansible_search_path: [dir], playbook_dir: dir };
      await executor.runTask([t(1, { args: { msg: '{{ item }}' }, deferred: true, deferredLoop: loop, vars, register: 'found' })], { handler: false });
      expect(results()[1].msg).toBe(path.join(dir, 'templates', 'web.conf.j2'));
      const none = { ...loop, value: [{ files: ['{{ service }}.yml'], skip: true }] };
      await executor.runTask([t(2, { args: { msg: '{{ item }}' }, deferred: true, deferredLoop: none, vars })], { handler: false });
      expect(results()[2]).toMatchObject({ status: 'skipped' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('registry_login keeps the password in the store and out of every event, even when a later task prints it', async () => {
    const { executor, events, credentials } = setup();
    await executor.runTask([t(0, { module: 'registry_login', args: { registry: 'https://Reg.example:5000/', username: 'bob', password: 'hunter2-secret' } })], {
      handler: false,
    });
    await executor.runTask([t(1, { args: { msg: 'the password is {{ pw }}' }, deferred: true, vars: { pw: 'hunter2-secret' } })], { handler: false });
    expect(credentials.get('reg.example:5000')).toEqual({ username: 'bob', password: 'hunter2-secret', serverAddress: 'reg.example:5000' });
    const text = JSON.stringify(events);
    expect(text).not.toContain('hunter2-secret');
    expect(text).toContain(`the password is ${SECRET_MASK}`);
    const login = events.find((e) => e.event === 'task_result' && e.module === 'registry_login') as TaskResultEvent;
    expect(login.result).toMatchObject({ registry: 'reg.example:5000', username: 'bob' });
  });

  it('registry_login reads password_env and says clearly when it is unset', async () => {
    const { executor, results, credentials } = setup();
    process.env.HOUND_TEST_REGISTRY_PW = 'from-the-env';
    await executor.runTask([t(0, { module: 'registry_login', args: { registry: 'r.local', username: 'u', password_env: 'HOUND_TEST_REGISTRY_PW' } })], {
      handler: false,
    });
    await executor.runTask([t(1, { module: 'registry_login', args: { registry: 'r2.local', username: 'u', password_env: 'HOUND_TEST_UNSET_VAR' } })], {
      handler: false,
    });
    expect(credentials.get('r.local')?.password).toBe('from-the-env');
    expect(results()[1]).toMatchObject({ status: 'failed', msg: 'password_env: the environment variable HOUND_TEST_UNSET_VAR is not set on the controller' });
  });

  it('no_log hides arguments and results of a task', async () => {
    const { executor, events } = setup();
    await executor.runTask([t(0, { args: { msg: 'visible-only-without-no-log' }, noLog: true })], { handler: false });
    expect(JSON.stringify(events)).not.toContain('visible-only-without-no-log');
    expect(events.find((e) => e.event === 'task_result')).toMatchObject({ status: 'ok', result: { censored: expect.stringContaining('no_log') } });
  });

  it('debug with verbosity above the run is skipped; debug var prints a variable', async () => {
    const { executor, results } = setup();
    await executor.runTask([t(0, { args: { msg: 'hi', verbosity: 2 } })], { handler: false });
    await executor.runTask([t(1, { args: { var: 'images' }, vars: { images: ['a', 'b'] } })], { handler: false });
    expect(results().map((r) => [r.status, r.msg])).toEqual([
      ['skipped', 'verbosity threshold not met (needs -vv)'],
      ['ok', 'images: ["a","b"]'],
    ]);
  });

  it('an unknown module fails the task with its name', async () => {
    const { executor, results } = setup();
    await executor.runTask([t(0, { module: 'no_such_module', args: {} })], { handler: false });
    expect(results()[0]).toMatchObject({ status: 'failed', msg: 'no module named no_such_module' });
  });

  it('an include_tasks whose file was not there when the playbook was read fails when it runs, in Ansible’s words; one that was, runs', async () => {
    const { executor, results } = setup();
    const missing = await executor.runTask([t(0, { module: 'include_tasks', args: { file: '/p/gone.yml', missing: true } })], { handler: false });
    expect(missing).toEqual({ status: 'failed', ignored: false });
    expect(results()[0]).toMatchObject({ status: 'failed', msg: "Could not find or access '/p/gone.yml' on the Ansible Controller." });
    await executor.runTask([t(1, { module: 'include_tasks', args: { file: '/p/here.yml' } })], { handler: false });
    expect(results()[1]).toMatchObject({ status: 'ok', msg: 'included: /p/here.yml for node1' });
  });

  it('a task known to fail when it runs (an argument its module does not take) fails on the host as its module would, in check mode too; failed_when, ignore_errors and retries treat it as such', async () => {
    const message = 'Unsupported parameters for (docker_login) module: email. Supported parameters include: password, username.';
    // docker_login would need a host (noHosts refuses): the failure must come before the module.
    const login = (i: number, extra: Partial<TaskInstance> = {}) =>
      t(i, { module: 'docker_login', args: { username: 'u', password: 'p' }, runFailure: message, ...extra });
    const { executor, results } = setup(true);
    expect(await executor.runTask([login(0, { register: 'r' })], { handler: false })).toEqual({ status: 'failed', ignored: false });
    expect(results()[0]).toMatchObject({ status: 'failed', msg: message, result: { failed: true, msg: message } });
    expect(executor.hostVars('node1').r).toMatchObject({ failed: true, msg: message });
    expect(await executor.runTask([login(1, { ignoreErrors: true })], { handler: false })).toEqual({ status: 'failed', ignored: true });
    expect(await executor.runTask([login(2, { failedWhen: ['false'] })], { handler: false })).toEqual({ status: 'ok', ignored: false });
    expect(await executor.runTask([login(3, { register: 'r', retries: 1, delaySeconds: 0, until: 'r is succeeded' })], { handler: false })).toEqual({
      status: 'failed',
      ignored: false,
    });
    expect(results()[3].result).toMatchObject({ attempts: 2, msg: message });
  });

  it('include_role of a role that was not there fails when it runs, in Ansible’s words', async () => {
    const { executor, results } = setup();
    const failure = "the role 'gone' was not found in /p/roles:/p";
    expect(await executor.runTask([t(0, { module: 'include_tasks', args: { role: 'gone' }, runFailure: failure })], { handler: false })).toEqual({
      status: 'failed',
      ignored: false,
    });
    expect(results()[0]).toMatchObject({ status: 'failed', msg: failure });
  });
});
