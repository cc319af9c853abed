// containers.podman.podman_image's build (path) and push under hound on a podman node of a lab
// of its own (test/fixtures/play/podman-image-build/build.yml): what the node's own podman says
// of the image after each run, what the lab registry has (its HTTP API), each task's status,
// and that the password is nowhere in hound's output nor left on the node.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import type { TaskResultEvent } from '../../core/events.js';
import { FIXTURES, hound, jsonEvents } from '../fixtures/play/helpers.js';
import { connect, dropLab, ownLab } from './runtime-helpers.js';
import { runTool, type Tool } from './ansible-parity.js';

const PASSWORD = 'pw-podman16-Zq7';
let info: LabInfo;
let node: LabNodeInfo;
let work: string;
let ctxdir: string;

async function onNode(command: string): Promise<string> {
  const conn = await connect(info, node);
  try {
    const r = await conn.exec(command);
    return r.stdout.trim();
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  info = await ownLab('podbld', { runtimes: 'podman' });
  node = info.nodes[0]!;
  work = mkdtempSync(path.join(tmpdir(), 'hound-podman-build-'));
  writeFileSync(path.join(work, 'hosts.ini'), readFileSync(info.inventory, 'utf8'));
  writeFileSync(path.join(work, 'build.yml'), readFileSync(path.join(FIXTURES, 'podman-image-build', 'build.yml'), 'utf8'));
  ctxdir = `${await onNode('echo $HOME')}/podman-context`;
  await onNode(
    "rm -rf ~/podman-context && mkdir ~/podman-context && echo hello > ~/podman-context/hello.txt && printf 'FROM scratch\\nCOPY hello.txt /hello.txt\\n' > ~/podman-context/Containerfile; podman rmi -f hbuilt:v1 >/dev/null 2>&1; true",
  );
}, 600_000);

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await dropLab(info);
});

const inspect = (format: string) => onNode(`podman image inspect --format '${format}' hbuilt:v1 2>/dev/null || echo none`);

async function registryTags(repository: string): Promise<string[]> {
  const r = await fetch(`${info.registry.url}/v2/${repository}/tags/list`);
  if (r.status === 404) return [];
  return ((await r.json()) as { tags?: string[] | null }).tags ?? [];
}

describe('podman_image path (build) and push on a podman node', () => {
  it('check mode does nothing; builds, skips an existing image, force rebuilds; pushes to the registry; no secret anywhere', async () => {
    const run = await hound(
      ['play', 'build.yml', '-i', 'hosts.ini', '--json', '-e', `target=${node.name}`, '-e', `pw=${PASSWORD}`, '-e', `ctxdir=${ctxdir}`],
      work,
    );
    expect(run.stderr).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain(Buffer.from(`bugs:${PASSWORD}`).toString('base64'));
    const results = jsonEvents(run.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result');
    const statuses = Object.fromEntries(results.map((e) => [e.task, e.status]));
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
    expect(statuses).toEqual({
      'check mode builds nothing': 'changed',
      build: 'changed',
      'build again (the image is there)': 'ok',
      'force rebuilds, without the cache': 'changed',
      'check mode pushes nothing': 'changed',
      'push with username and password': 'changed',
      'pull what was pushed': 'changed',
    });
    // The forced build's image is the one tagged, with its label; the first build's annotation went with it.
    expect(await inspect('{{index .Labels "who"}}')).toBe('someone-else');
    expect(await onNode("podman images --format '{{.Repository}}:{{.Tag}}' | grep hbuilt | sort")).toBe(
      [`${info.registry.ip}:${info.registry.port}/podman16/hbuilt:v1`, 'localhost/hbuilt:v1'].sort().join('\n'),
    );
    expect(await registryTags('podman16/hbuilt')).toEqual(['v1']);
    expect(await registryTags('podman16-check/hbuilt')).toEqual([]);
    // The temporary auth file is gone: no file in the node's /tmp (shared with other labs, so not compared as a listing) holds the credentials.
    const auth = Buffer.from(`bugs:${PASSWORD}`).toString('base64');
    expect(await onNode(`grep -rlsF -e ${auth} -e ${PASSWORD} /tmp --include='tmp.*' | wc -l`)).toBe('0');
  }, 900_000);

  it('a second run: the image is there, nothing built; the push is changed (the module always pushes)', async () => {
    const before = await inspect('{{.Id}}');
    const run = await hound(
      ['play', 'build.yml', '-i', 'hosts.ini', '--json', '-e', `target=${node.name}`, '-e', `pw=${PASSWORD}`, '-e', `ctxdir=${ctxdir}`],
      work,
    );
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
    const statuses = Object.fromEntries(
      jsonEvents(run.stdout)
        .filter((e): e is TaskResultEvent => e.event === 'task_result')
        .map((e) => [e.task, e.status]),
    );
    expect(statuses['build again (the image is there)']).toBe('ok');
    expect(statuses.build).toBe('ok');
    expect(statuses['pull what was pushed']).toBe('ok');
    expect(await inspect('{{.Id}}')).not.toBe(before); // the forced rebuild without the cache is a new image
  }, 900_000);

  it('ansible-playbook (containers.podman 1.10.2) on the same node from the same start: the same status per task, the same image', async () => {
    const statuses = async (tool: Tool): Promise<{ code: number | null; statuses: Record<string, string>; label: string }> => {
      await onNode("podman rmi -f hbuilt:v1 $(podman images --format '{{.Repository}}:{{.Tag}}' | grep /podman16/hbuilt) >/dev/null 2>&1; true");
      const vars = ['-e', `target=${node.name}`, '-e', `pw=${PASSWORD}`, '-e', `ctxdir=${ctxdir}`];
      const args = tool === 'hound' ? ['play', '--json', 'build.yml', '-i', 'hosts.ini', ...vars] : ['build.yml', '-i', 'hosts.ini', ...vars];
      const r = await runTool(tool, args, work, { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' });
      const out: Record<string, string> = {};
      if (tool === 'hound') {
        for (const e of jsonEvents(r.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result')) out[e.task] = e.status;
      } else {
        const json = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[] };
        for (const { task, hosts } of json.plays[0].tasks) {
          const h = hosts[node.name];
          out[task.name] = h.failed ? 'failed' : h.changed ? 'changed' : 'ok';
        }
      }
      return { code: r.code, statuses: out, label: await inspect('{{index .Labels "who"}}') };
    };
    const ansible = await statuses('ansible-playbook');
    const ours = await statuses('hound');
    expect(ansible.code).toBe(0);
    expect(ours).toEqual(ansible);
  }, 900_000);
});
