// Runs the Ansible corpus (test/fixtures/corpus/ansible) under ansible-playbook and under
// hound on the same lab nodes, from the same starting state, and reads what each left
// behind: every node's images (tags and repo digests, read through the node's own Docker
// socket, never through either tool) and the PLAY RECAP counts each tool printed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../../bench/command-run.js';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import type { TaskResultEvent } from '../../core/events.js';
import { FIXTURES as PLAY_FIXTURES, emptyNode, hound, jsonEvents, nodeDocker } from '../fixtures/play/helpers.js';

export const CORPUS_DIR = path.resolve(PLAY_FIXTURES, '../corpus/ansible');

export type HoundSupport = 'supported' | 'refused' | 'diverges';

export interface SyntaxOutcome {
  exit: number;
  /** ansible-playbook: the ERROR! line; hound: its first error. */
  error?: string | { code: string; file: string; line: number; column: number; message: string };
}

export interface CorpusEntry {
  slug: string;
  /** The play to run, relative to the entry: the published playbook, or `_play.yml` around a task file or role. */
  playbook: string;
  harness: boolean;
  ansible_syntax_check: SyntaxOutcome;
  hound_syntax_check_today: SyntaxOutcome;
  expected_hound_support: HoundSupport;
  /** Present when the entry can run on a lab: its harness inventory (beside the lab's) and the images each node starts with. */
  runnable?: { inventory: string; start: Record<string, string[]> };
  divergence?: string;
  /** What ansible-playbook did on the 4-node test lab when the corpus was recorded. */
  ansible_on_lab?: { exit: number | null; recap: Record<string, RecapCounts>; state: Record<string, string[]> };
  not_runnable_because?: string;
}

export function loadCorpus(): CorpusEntry[] {
  return (JSON.parse(readFileSync(path.join(CORPUS_DIR, 'corpus.json'), 'utf8')) as { entries: CorpusEntry[] }).entries;
}

export function entryPath(entry: CorpusEntry, file: string): string {
  return path.join(CORPUS_DIR, entry.slug, file);
}

export type Tool = 'ansible-playbook' | 'hound';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** ansible-playbook isolated from any ansible.cfg on the machine, as bench/contenders/ansible.ts runs it. */
function ansibleEnvironment(workDir: string): NodeJS.ProcessEnv {
  const config = path.join(workDir, 'ansible.cfg');
  writeFileSync(
    config,
    `[defaults]\nretry_files_enabled = False\nlocal_tmp = ${path.join(workDir, 'ansible-local')}\nnocolor = True\n\n[ssh_connection]\ncontrol_path_dir = ${path.join(workDir, 'cp')}\n`,
  );
  return { ...process.env, ANSIBLE_CONFIG: config, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' };
}

/** `hound ARGS` or `ansible-playbook ARGS` (isolated from any ansible.cfg), in `cwd`; `ansibleEnv` is added to ansible-playbook's environment (ANSIBLE_STDOUT_CALLBACK, say). */
export async function runTool(tool: Tool, args: string[], cwd: string, ansibleEnv: NodeJS.ProcessEnv = {}): Promise<ToolRun> {
  if (tool === 'hound') return hound(args, cwd);
  const workDir = mkdtempSync(path.join(tmpdir(), 'hound-ansible-'));
  try {
    // All of its output: the json callback's document is read whole (runCommand keeps 64 KiB by default).
    const result = await runCommand(['ansible-playbook', ...args], {
      cwd,
      env: { ...ansibleEnvironment(workDir), ...ansibleEnv },
      keepChars: 64 * 1024 * 1024,
    });
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `--syntax-check` of the entry's play, with no inventory (ansible-playbook gets the implicit localhost). */
export function syntaxCheck(tool: Tool, entry: CorpusEntry): Promise<ToolRun> {
  const args =
    tool === 'hound' ? ['play', '--syntax-check', entryPath(entry, entry.playbook)] : ['--syntax-check', '-i', 'localhost,', entryPath(entry, entry.playbook)];
  return runTool(tool, args, path.join(CORPUS_DIR, entry.slug));
}

/** hound's first error, as `file:line:column: error CODE: message` prints it. */
export function firstHoundError(output: string, entry: CorpusEntry): { code: string; file: string; line: number; column: number; message: string } | undefined {
  const match = /^(\S+?):(\d+):(\d+): error ([A-Z_]+): (.*)$/m.exec(output);
  if (!match) return undefined;
  return {
    code: match[4],
    file: path.relative(path.join(CORPUS_DIR, entry.slug), match[1]),
    line: Number(match[2]),
    column: Number(match[3]),
    message: match[5],
  };
}

export interface RecapCounts {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** The PLAY RECAP rows (ansible-playbook's, and hound's plain reporter's, which prints the same columns first). */
export function parseRecap(output: string): Record<string, RecapCounts> {
  const recap: Record<string, RecapCounts> = {};
  const at = output.lastIndexOf('PLAY RECAP');
  if (at < 0) return recap;
  const row = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/gm;
  for (const m of output.slice(at).matchAll(row)) {
    recap[m[1]] = { ok: +m[2], changed: +m[3], unreachable: +m[4], failed: +m[5], skipped: +m[6], rescued: +m[7], ignored: +m[8] };
  }
  return recap;
}

/** What a node holds: `repo:tag` and `repo@digest` of every image, the lab registry's address written LAB, sorted. */
export async function nodeImageState(node: LabNodeInfo, lab: LabInfo): Promise<string[]> {
  const registry = `${lab.registry.ip}:${lab.registry.port}/`;
  const refs = new Set<string>();
  for (const image of await nodeDocker(node).listImages()) {
    for (const ref of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])]) {
      if (ref === '<none>:<none>' || ref === '<none>@<none>') continue;
      refs.add(ref.startsWith(registry) ? 'LAB/' + ref.slice(registry.length) : ref);
    }
  }
  return [...refs].sort();
}

export async function labImageState(lab: LabInfo): Promise<Record<string, string[]>> {
  const entries = await Promise.all(lab.nodes.map(async (n) => [n.name, await nodeImageState(n, lab)] as const));
  return Object.fromEntries(entries);
}

/** Empties every node, then pulls each node's starting images (`LAB/repo:tag`) straight through its Docker socket. */
export async function resetLab(lab: LabInfo, start: Record<string, string[]>): Promise<void> {
  await Promise.all(lab.nodes.map(emptyNode));
  const registry = `${lab.registry.ip}:${lab.registry.port}/`;
  for (const [name, refs] of Object.entries(start)) {
    const node = lab.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`the corpus names node ${name}, which the lab does not have`);
    const docker = nodeDocker(node);
    for (const ref of refs) {
      const stream = await docker.pull(ref.replace(/^LAB\//, registry));
      await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve(undefined))));
    }
  }
}

export interface LabOutcome {
  run: ToolRun;
  recap: Record<string, RecapCounts>;
  state: Record<string, string[]>;
}

/** Resets the lab to the entry's starting state, runs the entry with `tool` on the lab's inventory plus the entry's harness inventory, and reads the end state. */
export async function runOnLab(tool: Tool, entry: CorpusEntry, lab: LabInfo): Promise<LabOutcome> {
  if (!entry.runnable) throw new Error(`${entry.slug} is not runnable on the lab: ${entry.not_runnable_because}`);
  await resetLab(lab, entry.runnable.start);
  const inventories = ['-i', lab.inventory, '-i', entryPath(entry, entry.runnable.inventory)];
  const playbook = entryPath(entry, entry.playbook);
  const args = tool === 'hound' ? ['play', '--distribution', 'direct', ...inventories, '--reporter', 'plain', playbook] : [...inventories, playbook];
  const run = await runTool(tool, args, path.join(CORPUS_DIR, entry.slug));
  return { run, recap: parseRecap(run.stdout), state: await labImageState(lab) };
}

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

/** What a playbook run said, read from hound's JSON events or ansible-playbook's json callback. */
export interface TaskStatuses {
  code: number | null;
  /** task name → host → status */
  statuses: Record<string, Record<string, TaskStatus>>;
  /** host → the value of `registered` that the task named `registeredTask` shows (a `debug: var=registered`) */
  registered: Record<string, unknown>;
}

interface AnsibleJson {
  plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
}

/** Runs `playbook` on the lab's nodes with `tool` (hound straight from the registry), from `cwd`: each task's status per host, and what `registeredTask` shows. */
export async function runPlaybookOnLab(tool: Tool, lab: LabInfo, playbook: string, cwd: string, registeredTask: string): Promise<TaskStatuses> {
  const args = tool === 'hound' ? ['play', '--distribution', 'direct', '-i', lab.inventory, '--json', playbook] : ['-i', lab.inventory, playbook];
  // A known interpreter: Ansible's discovery would register its ansible_facts in the first task's value.
  const result = await runTool(tool, args, cwd, { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' });
  const statuses: TaskStatuses['statuses'] = {};
  const registered: TaskStatuses['registered'] = {};
  if (tool === 'hound') {
    for (const e of jsonEvents(result.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result')) {
      (statuses[e.task] ??= {})[e.host] = e.status as TaskStatus;
      if (e.task === registeredTask) registered[e.host] = e.result.registered;
    }
  } else {
    const json = JSON.parse(result.stdout) as AnsibleJson;
    for (const { task, hosts } of json.plays[0].tasks) {
      for (const [host, r] of Object.entries(hosts)) {
        (statuses[task.name] ??= {})[host] = r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok';
        if (task.name === registeredTask) registered[host] = r.registered;
      }
    }
  }
  return { code: result.code, statuses, registered };
}

/** One host's column of a run: each task's status there and what the registered task showed. */
export function hostOutcome(outcome: TaskStatuses, host: string): { statuses: Record<string, TaskStatus>; registered: unknown } {
  const statuses: Record<string, TaskStatus> = {};
  for (const [task, byHost] of Object.entries(outcome.statuses)) if (byHost[host] !== undefined) statuses[task] = byHost[host];
  return { statuses, registered: outcome.registered[host] };
}
