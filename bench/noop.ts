// The no-op benchmark: every node already holds its images, so a run only has to find
// that out. Prints hound's wall time and ansible-playbook's (community.docker.docker_image,
// forks = nodes) for the same inventory, side by side, a few runs each. hound runs the play
// twice per round: with gather_facts: false (as the ansible-playbook play), and with facts
// gathered, Ansible's default, whose cost must stay within 1.5x of the run without them.
//
//   node dist/bench/noop.js [--lab NAME] [--nodes N] [--runs R] [--skip-ansible]
//
// The lab is brought up (and its sample images pushed) when it is not running yet.
import { existsSync } from 'node:fs';
import { ANSIBLE_PLAYBOOK } from './contenders/ansible.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, describeFailure } from './command-run.js';
import { writeFiles } from './generated-files.js';
import { inventoryFiles, registryHost } from './lab-nodes.js';
import { readLabInfo, type LabInfo } from '../lab/info.js';
import { labDirOf } from '../lab/naming.js';

const HOUND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/hound.js');
const GNU_TIME = '/usr/bin/time';
const IMAGES = ['hound/app0:latest', 'hound/app1:latest', 'hound/runtime-a:latest'];

/** The play, with facts gathered (Ansible's default) or not. */
const houndPlaybook = (facts: boolean) => `- name: warm up images
  hosts: nodes
${facts ? '' : '  gather_facts: false\n'}  tasks:
    - name: pull the node's images
      images:
        names: "{{ bench_images }}"
`;
/** Facts on may cost at most this much over facts off (issue #17). */
const FACTS_COST_TARGET = 1.5;

interface Options {
  lab: string;
  nodes: number;
  runs: number;
  ansible: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { lab: 'noop', nodes: 10, runs: 3, ansible: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--lab') o.lab = next();
    else if (a === '--nodes') o.nodes = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--skip-ansible') o.ansible = false;
    else throw new Error(`unknown option ${a} (use --lab NAME, --nodes N, --runs R, --skip-ansible)`);
  }
  if (!Number.isInteger(o.nodes) || o.nodes < 1) throw new Error('--nodes must be a positive whole number');
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive whole number');
  return o;
}

async function ensureLab(o: Options): Promise<LabInfo> {
  try {
    const info = await readLabInfo(labDirOf(o.lab));
    if (info.nodes.length >= o.nodes) return info;
  } catch {
    // not up yet: start it below
  }
  process.stderr.write(`starting lab ${o.lab} with ${o.nodes} nodes and pushing its sample images…\n`);
  for (const args of [
    ['lab', 'up', '--name', o.lab, '--nodes', String(o.nodes)],
    ['lab', 'images', '--name', o.lab],
  ]) {
    const r = await runCommand([process.execPath, HOUND, ...args]);
    if (r.code !== 0) throw new Error(describeFailure(`hound ${args.slice(0, 2).join(' ')}`, r));
  }
  return readLabInfo(labDirOf(o.lab));
}

interface Timed {
  seconds: number;
  /** user + system CPU seconds of the process and its children, when GNU time is there. */
  cpuSeconds?: number;
  stdout: string;
  code: number | null;
  failure: string;
}

async function timed(argv: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Timed> {
  const cpuFile = path.join(cwd, 'cpu.txt');
  const withTime = existsSync(GNU_TIME) ? [GNU_TIME, '-q', '-f', '%U %S', '-o', cpuFile, ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = await runCommand(withTime, { cwd, env });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let cpuSeconds: number | undefined;
  if (withTime !== argv) {
    const [user, sys] = (await readFile(cpuFile, 'utf8')).trim().split(/\s+/).slice(-2).map(Number);
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user + sys;
  }
  return { seconds, cpuSeconds, stdout: r.stdout, code: r.code, failure: r.code === 0 ? '' : describeFailure(path.basename(argv[1] ?? argv[0]), r) };
}

function cell(t: Timed, width: number): string {
  return `${t.seconds.toFixed(2)}${t.cpuSeconds !== undefined ? ` (cpu ${t.cpuSeconds.toFixed(2)})` : ''}`.padStart(width);
}

/** changed count per host from hound's JSON summary line. */
function changedCounts(jsonLines: string): Record<string, number> {
  const summary = jsonLines
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; hosts?: Record<string, { changed: number }> })
    .find((e) => e.event === 'summary');
  return Object.fromEntries(Object.entries(summary?.hosts ?? {}).map(([h, r]) => [h, r.changed]));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  const lab = await ensureLab(o);
  const nodes = lab.nodes.slice(0, o.nodes);
  const refs = IMAGES.map((i) => `${registryHost(lab)}/${i}`);
  const work = await mkdtemp(path.join(tmpdir(), 'hound-bench-noop-'));
  try {
    const files = inventoryFiles({ lab, nodes, needs: nodes.map(() => refs) });
    files.set('hound.yml', houndPlaybook(false));
    files.set('hound-facts.yml', houndPlaybook(true));
    files.set('ansible.yml', ANSIBLE_PLAYBOOK);
    files.set(
      'ansible.cfg',
      `[defaults]\nretry_files_enabled = False\nlocal_tmp = ${path.join(work, 'ansible-local')}\nnocolor = True\n\n[ssh_connection]\ncontrol_path_dir = ${path.join(work, 'cp')}\n`,
    );
    await writeFiles(work, files);
    const hound = [process.execPath, HOUND, 'play', 'hound.yml', '-i', 'inventory.ini', '--reporter', 'json'];
    const houndFacts = [process.execPath, HOUND, 'play', 'hound-facts.yml', '-i', 'inventory.ini', '--reporter', 'json'];
    const ansible = ['ansible-playbook', '-i', 'inventory.ini', '-f', String(nodes.length), 'ansible.yml'];
    const ansibleEnv = { ...process.env, ANSIBLE_CONFIG: path.join(work, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };

    // Make sure every node holds its images; what follows must be a no-op.
    const warm = await timed(hound, work);
    if (warm.code !== 0) throw new Error(`warm-up run failed: ${warm.failure}`);

    process.stdout.write(`no-op run: ${nodes.length} nodes of lab ${lab.name}, ${refs.length} images each, all present\n`);
    // The lab's nodes share this machine's CPUs: a busy machine stretches every wall time.
    process.stdout.write(
      `machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start\n`,
    );
    process.stdout.write(
      `${'run'.padEnd(6)} ${'hound wall s (cpu s)'.padStart(22)} ${'with facts wall s (cpu s)'.padStart(28)} ${o.ansible ? 'ansible-playbook wall s (cpu s)'.padStart(34) : ''}\n`,
    );
    const houndTimes: number[] = [];
    const factsTimes: number[] = [];
    const ansibleTimes: number[] = [];
    const noOp = async (argv: string[], what: string): Promise<Timed> => {
      const h = await timed(argv, work);
      if (h.code !== 0) throw new Error(`${what} failed: ${h.failure}`);
      const changed = Object.entries(changedCounts(h.stdout)).filter(([, c]) => c > 0);
      if (changed.length > 0) throw new Error(`${what} was not a no-op: changed on ${changed.map(([n]) => n).join(', ')}`);
      return h;
    };
    for (let run = 1; run <= o.runs; run++) {
      const h = await noOp(hound, `hound run ${run}`);
      houndTimes.push(h.seconds);
      const f = await noOp(houndFacts, `hound run ${run} with facts`);
      factsTimes.push(f.seconds);
      let ansibleCell = '';
      if (o.ansible) {
        const a = await timed(ansible, work, ansibleEnv);
        if (a.code !== 0) throw new Error(`ansible-playbook run ${run} failed: ${a.failure}`);
        if (!/changed=0\b/.test(a.stdout) || /changed=[1-9]/.test(a.stdout)) throw new Error(`ansible-playbook run ${run} was not a no-op`);
        ansibleTimes.push(a.seconds);
        ansibleCell = cell(a, 34);
      }
      process.stdout.write(`${String(run).padEnd(6)} ${cell(h, 22)} ${cell(f, 28)} ${ansibleCell}\n`);
    }
    process.stdout.write(
      `${'median'.padEnd(6)} ${median(houndTimes).toFixed(2).padStart(22)} ${median(factsTimes).toFixed(2).padStart(28)} ${o.ansible ? median(ansibleTimes).toFixed(2).padStart(34) : ''}\n`,
    );
    const factsCost = median(factsTimes) / median(houndTimes);
    process.stdout.write(
      `facts on / facts off: ${factsCost.toFixed(2)}x (target: at most ${FACTS_COST_TARGET}x on 10 nodes: ${factsCost <= FACTS_COST_TARGET && nodes.length >= 10 ? 'met' : nodes.length < 10 ? 'not measured (fewer than 10 nodes)' : 'NOT met'})\n`,
    );
    process.stdout.write(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end\n`,
    );
    if (o.ansible) process.stdout.write(`hound is ${(median(ansibleTimes) / median(houndTimes)).toFixed(1)}x faster than ansible-playbook on this no-op\n`);
    process.stdout.write(
      `target: hound under 2 s on 10 nodes: ${median(houndTimes) < 2 && nodes.length >= 10 ? 'met' : nodes.length < 10 ? 'not measured (fewer than 10 nodes)' : 'NOT met'}\n`,
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench noop: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
