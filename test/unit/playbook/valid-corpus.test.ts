// The valid corpus compiles to the DAG Ansible's semantics give: hosts, batches, task
// order per host, rendered arguments, deferred tasks. Expectations are worked out by hand.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { playTasksOf, type CompiledRun, type TaskInstance } from '../../../playbook/compiled.js';
import { compilePlays, type CompileOptions } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { buildInventory } from './inventory-builder.js';

const dir = path.resolve(__dirname, '../../fixtures/playbooks/valid');

const inventory = buildInventory({
  web: {
    hosts: {
      web1: { node_images: ['app:1.0', 'sidecar:2.1'], canary: true },
      web2: { node_images: ['app:1.0'] },
      web3: { node_images: [] },
      web4: { node_images: ['app:1.0', 'cache:7'] },
      web5: { node_images: ['app:1.0'] },
    },
    vars: { tier: 'web' },
  },
  db: { hosts: { db1: { node_images: ['postgres:16'] } } },
});

function compile(playbook: string, options: Partial<CompileOptions> = {}, rolesPath: string[] = []): CompiledRun {
  const loaded = new PlaybookLoader({ rolesPath }).load(path.join(dir, playbook));
  return compilePlays(loaded.plays, { inventory, ...options });
}

/** The instances that will run (a `when` false at compile time leaves a skipped instance). */
function ids(tasks: TaskInstance[] | undefined): string[] {
  return (tasks ?? []).filter((t) => !t.skipped).map((t) => t.id);
}

function skippedIds(tasks: TaskInstance[] | undefined): string[] {
  return (tasks ?? []).filter((t) => t.skipped).map((t) => t.id);
}

describe('warmup.yml: roles, imports, loops over per-host images, serial, handlers', () => {
  const run = compile('warmup.yml');
  const play = run.plays[0];

  it('matches the web hosts in inventory order and batches them by serial [1, "50%"]', () => {
    expect(play.hosts).toEqual(['web1', 'web2', 'web3', 'web4', 'web5']);
    expect(play.batches).toEqual([['web1'], ['web2', 'web3'], ['web4', 'web5']]);
    expect(play.strategy).toBe('linear');
    expect(play.gatherFacts).toBe(true);
  });

  it('orders pre_tasks, role tasks, tasks and imported tasks; expands the loop per host', () => {
    expect(ids(play.tasksByHost.get('web1'))).toEqual(['0:0:web1', '0:1:web1', '0:2:web1:0', '0:2:web1:1', '0:3:web1', '0:4:web1', '0:5:web1']);
    // web3 has no images (empty loop: skipped, "No items in the list") and is no canary (when false: skipped), as Ansible reports both.
    expect(ids(play.tasksByHost.get('web3'))).toEqual(['0:0:web3', '0:1:web3', '0:3:web3', '0:4:web3']);
    expect(skippedIds(play.tasksByHost.get('web3'))).toEqual(['0:2:web3', '0:5:web3']);
    expect(play.tasksByHost.get('web3')!.find((t) => t.id === '0:2:web3')!.skipped).toBe('No items in the list');
    expect(play.tasksByHost.get('web3')!.at(-1)!.skipped).toMatch(/^conditional result was false: /);
    expect(ids(play.tasksByHost.get('web4'))).toEqual(['0:0:web4', '0:1:web4', '0:2:web4:0', '0:2:web4:1', '0:3:web4', '0:4:web4']);
  });

  it('renders arguments with play vars over role defaults, vars_files, lazy templates and import vars', () => {
    const [login, base, app, sidecar, extra, more, canary] = play.tasksByHost.get('web1')!;
    expect(login.args).toEqual({ registry: 'registry.lab:5000', username: 'hound', password_env: 'HOUND_REGISTRY_PASSWORD' });
    // As Ansible names a role's task (Task.get_name): `role : name`.
    expect(base.name).toBe('base : pull the base images');
    expect(base.args).toEqual({ names: ['registry.lab:5000/busybox:1.36', 'registry.lab:5000/alpine:3.20'], state: 'present', platform: 'linux/amd64' });
    expect(app.args).toEqual({ name: 'registry.lab:5000/app:1.0', state: 'present' });
    expect(app.loopItem).toBe('app:1.0');
    expect(app.loopVar).toBe('item');
    expect(sidecar.args).toEqual({ name: 'registry.lab:5000/sidecar:2.1', state: 'present' });
    expect(extra.args).toEqual({ name: 'registry.lab:5000/extra:present-2', state: 'latest' });
    expect(more.args).toEqual({ var: 'extra_state' });
    expect(canary.args).toEqual({ msg: 'canary web1 in web' });
    expect(app.notify).toEqual(['report pulled']);
    expect([login, base, app, extra].map((t) => t.tags)).toEqual([['login'], ['base'], ['pull'], ['extras']]);
    expect(
      play.tasksByHost
        .get('web4')!
        .map((t) => t.args.name)
        .filter(Boolean),
    ).toEqual(['registry.lab:5000/app:1.0', 'registry.lab:5000/cache:7', 'registry.lab:5000/extra:present-2']);
    for (const task of play.tasksByHost.get('web1')!) {
      expect(task.deferred).toBe(false);
      expect(task.when).toEqual([]);
      expect(task.position.file).toMatch(/\.yml$/);
    }
    expect(base.position.file).toBe(path.join(dir, 'roles/base/tasks/main.yml'));
    expect(more.position).toMatchObject({ file: path.join(dir, 'tasks/more.yml'), line: 1, column: 3 });
  });

  it('compiles role handlers first, then the play handlers, for every host', () => {
    expect(play.handlers.map((h) => h.name)).toEqual(['base pulled', 'report pulled']);
    expect(play.handlers[0].tasksByHost.get('web2')![0].args).toEqual({ msg: 'base images pulled for base' });
    expect(play.handlers[1].tasksByHost.get('web5')![0].args).toEqual({ msg: 'pulled on web5' });
  });

  it('applies --limit after the play pattern', () => {
    const limited = compile('warmup.yml', { limit: ['web4:web1:db1'] }).plays[0];
    expect(limited.hosts).toEqual(['web1', 'web4']);
    expect(limited.batches).toEqual([['web1'], ['web4']]);
  });
});

describe('tags', () => {
  const names = (run: CompiledRun, host: string) => run.plays[0].tasksByHost.get(host)!.map((t) => `${t.taskIndex}`);
  it('--tags pull,extras keeps tagged tasks (and nothing untagged)', () => {
    expect(names(compile('warmup.yml', { tags: ['pull', 'extras'] }), 'web1')).toEqual(['2', '2', '3', '4']);
  });
  it('never-tagged tasks run only when one of their tags is asked for', () => {
    expect(names(compile('warmup.yml'), 'web2')).not.toContain('6');
    const pruned = compile('warmup.yml', { tags: ['prune'] }).plays[0].tasksByHost.get('web2')!;
    expect(pruned.map((t) => [t.taskIndex, t.module, t.args])).toEqual([[6, 'command', { cmd: 'docker image prune -f' }]]);
  });
  it('untagged / tagged / skip-tags', () => {
    expect(names(compile('warmup.yml', { tags: ['untagged'] }), 'web1')).toEqual(['5']);
    expect(names(compile('warmup.yml', { tags: ['tagged'], skipTags: ['base', 'pull'] }), 'web1')).toEqual(['0', '3', '4']);
    expect(names(compile('warmup.yml', { skipTags: ['extras'] }), 'web1')).toEqual(['0', '1', '2', '2', '5']);
  });
  it('tags of an import_playbook reach every task of the imported plays', () => {
    const run = compile('site.yml', { tags: ['db'] }, [path.join(dir, 'shared-roles')]);
    expect(run.plays.map((p) => [...p.tasksByHost.values()].flat().length)).toEqual([0, 5, 0]);
  });
});

describe('registered.yml: values known only at run time', () => {
  const tasks = compile('registered.yml').plays[0].tasksByHost.get('db1')!;

  it('renders what it can and defers what reads a registered result or a fact', () => {
    expect(tasks.map((t) => [t.id, t.deferred])).toEqual([
      ['0:0:db1', false],
      ['0:1:db1', true],
      ['0:2:db1', true],
      ['0:3:db1', true],
      ['0:4:db1', false],
    ]);
    expect(tasks[0].args).toEqual({ argv: ['docker', 'images', '--format', '{{.Repository}}'] });
    expect(tasks[0].register).toBe('listing');
    expect(tasks[1].args).toEqual({ image_count: '{{ listing.stdout_lines | length }}' });
    // The static condition was evaluated (true); the one reading `listing` is left for run time.
    expect(tasks[2].when).toEqual(["'postgres' not in listing.stdout"]);
    expect(tasks[2].args).toEqual({ name: '{{ node_images | first }}' });
    expect(tasks[3].args).toEqual({ msg: '{{ inventory_hostname }} had {{ image_count }} images' });
    expect(tasks[4]).toMatchObject({ args: { cmd: 'docker info' }, until: 'info.rc == 0', retries: 5, delaySeconds: 2, ignoreErrors: true, register: 'info' });
  });
});

describe('site.yml: import_playbook and a role from the roles path', () => {
  it('needs the roles path', () => {
    expect(() => compile('site.yml')).toThrow(/role 'shared' was not found/);
  });
  const run = compile('site.yml', {}, [path.join(dir, 'shared-roles')]);
  it('imports the plays in order and keeps play settings', () => {
    expect(run.plays.map((p) => p.name)).toEqual(['warm the web tier', 'registered results', 'shared role from the roles path']);
    const shared = run.plays[2];
    expect(shared).toMatchObject({ strategy: 'free', distribution: 'relay', maxFailPercentage: 20, anyErrorsFatal: true, gatherFacts: true, hosts: ['db1'] });
    expect(shared.batches).toEqual([['db1']]);
    expect(playTasksOf(shared, 'db1').map((t) => [t.id, t.name, t.args])).toEqual([
      ['2:facts:db1', 'Gathering Facts', {}],
      ['2:0:db1', 'shared : pull the shared tool', { name: 'tools:3', force: true }],
    ]);
    expect(run.plays[1].gatherFacts).toBe(false);
  });
});

describe('roles-deps.yml: role dependencies and roles that run once', () => {
  it('runs meta dependencies first and a role with the same parameters once per play (as ansible-playbook does)', () => {
    const tasks = compile('roles-deps.yml').plays[0].tasksByHost.get('db1')!;
    expect(tasks.map((t) => [t.id, t.name, t.args.name, t.tags])).toEqual([
      ['0:0:db1', 'common : pull the common base', 'busybox:1.36', []],
      ['0:1:db1', 'common : pull the common base', 'alpine:3.20', ['app']],
      ['0:2:db1', 'app : pull the app', 'app:1', ['app']],
      ['0:3:db1', 'app : pull the app', 'app:2', []],
    ]);
    expect(tasks[1].position.file).toBe(path.join(dir, 'roles/common/tasks/main.yml'));
  });
});

describe('blocks.yml: blocks, include_tasks, import_role', () => {
  const play = compile('blocks.yml').plays[0];
  it('a block passes its when, tags and vars to its tasks; include_tasks is a task, its file follows; import_role expands in place', () => {
    const web1 = play.tasksByHost.get('web1')!;
    expect(web1.map((t) => [t.id, t.name, t.args, t.tags])).toEqual([
      ['0:0:web1', 'pull the edge image', { name: 'registry.lab:5000/app:edge' }, ['canary']],
      ['0:1:web1', 'only when the node has images', { msg: '2 images' }, ['canary']],
      ['0:2:web1', 'include_tasks', { file: path.join(dir, 'tasks/more.yml') }, []],
      ['0:3:web1', 'show the extra state', { var: 'extra_state' }, []],
      ['0:4:web1', 'common : pull the common base', { name: 'registry.lab:5000/common:1' }, []],
    ]);
    expect(web1[2].module).toBe('include_tasks');
    expect(web1[3].vars.extra_state).toBe('included');
  });
  it('conditions hold per host: no canary, no block; an empty image list skips the inner task', () => {
    const running = (tasks: TaskInstance[]) => tasks.filter((t) => !t.skipped).map((t) => t.taskIndex);
    expect(running(play.tasksByHost.get('web3')!)).toEqual([2, 3, 4]);
    expect(
      play.tasksByHost
        .get('web3')!
        .filter((t) => t.skipped)
        .map((t) => t.taskIndex),
    ).toEqual([0, 1]);
    expect(running(compile('blocks.yml', { extraVars: { canary: true } }).plays[0].tasksByHost.get('web3')!)).toEqual([0, 2, 3, 4]);
  });
});

describe('task names', () => {
  it('are rendered per host without the loop variable; what cannot be rendered yet stays as written', () => {
    const dir2 = path.join(dir, 'names');
    const loaded = new PlaybookLoader().load(path.join(dir2, 'names.yml'));
    const tasks = compilePlays(loaded.plays, { inventory }).plays[0].tasksByHost.get('web2')!;
    expect(tasks.map((t) => t.name)).toEqual(['pull for web2', 'pull {{ item }}', 'pull {{ item }}', 'debug']);
  });
});
