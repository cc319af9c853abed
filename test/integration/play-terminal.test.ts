// `hound play` as a person meets it: the live view on a real pseudo-terminal (its bytes read
// back through a terminal emulator), Ctrl-C in the middle of a run, and an image tarball
// loaded from the controller.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { TaskResultEvent } from '../../core/events.js';
import type { LabInfo } from '../../lab/index.js';
import { SAMPLE_APP_COUNT } from '../../lab/sample-images.js';
import { runInPty } from '../../bench/pty-run.js';
import { TerminalScreen } from '../fixtures/terminal-screen.js';
import { emptyNode, FIXTURES, hound, houndEnv, jsonEvents, nodeDocker, nodeTags, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir();
const node = (name: string) => work.node(name);

const HOUND = path.resolve(FIXTURES, '../../../dist/cli/hound.js');

/** A row of the live view: its summary line, a host's row (after its mark), a pull's row. */
const SUMMARY = /^\d+\/\d+ hosts done {2}\d+ active {2}\d+ failed {2}/;
const VIEW_ROW = [SUMMARY, /^[›·✔✖] \S/, /^ {4}\S+:\S+ {2}(waiting|\d)/];
const isViewRow = (line: string) => VIEW_ROW.some((re) => re.test(line));

interface TerminalRun {
  code: number | null;
  output: string;
  wallSeconds: number;
  screen: TerminalScreen;
  /** Most rows of the view seen on screen at once. */
  tallestView: number;
}

/**
 * Runs hound on a real pty of `rows`×`columns` and feeds what it writes, chunk by chunk as
 * the terminal got it, to a terminal emulator of the same size. After every chunk: the
 * view's first line (the summary) is never pushed off the top of the screen (a frame taller
 * than the screen), and no row under it wraps (a line wider than the screen).
 * `resizes`, a second apart while the view is on screen: the terminal changes size, as a window does.
 */
async function onTerminal(args: string[], cwd: string, rows: number, columns: number, resizes: [number, number][] = []): Promise<TerminalRun> {
  const screen = new TerminalScreen(rows, columns, { fromPty: true });
  let feed = Promise.resolve();
  let tallestView = 0;
  const pendingResizes = [...resizes];
  let lastResizeAt = Date.now();
  const problems: string[] = [];
  const check = async (chunk: Buffer) => {
    await screen.write(chunk);
    const onScreen = screen.screen();
    const top = onScreen.findIndex((l) => SUMMARY.test(l));
    if (screen.scrollback().some((l) => SUMMARY.test(l))) problems.push(`the view's first line scrolled off a ${screen.rows}-row screen`);
    if (top < 0) return;
    const wrapped = screen.wrappedScreenRows().filter((y) => y > top);
    if (wrapped.length > 0) problems.push(`rows ${wrapped.join(', ')} of the view wrapped on a ${screen.columns}-column screen:\n${onScreen.join('\n')}`);
    tallestView = Math.max(tallestView, onScreen.slice(top).filter(isViewRow).length);
    // A second apart, so that frames are drawn at each size.
    const next = Date.now() - lastResizeAt >= 1000 ? pendingResizes.shift() : undefined;
    if (next) {
      lastResizeAt = Date.now();
      // The window changes size first, then the program hears of it (SIGWINCH): so here too.
      screen.resize(...next);
      run.resize(...next);
    }
  };
  const command = [process.execPath, HOUND, ...args];
  const run = runInPty(command, {
    rows,
    columns,
    cwd,
    env: houndEnv({ TERM: 'xterm-256color', FORCE_COLOR: '1' }),
    onData: (chunk) => {
      feed = feed.then(() => check(chunk));
    },
  });
  const result = await run.done;
  await feed;
  expect(problems.slice(0, 3)).toEqual([]);
  return { code: result.code, output: result.output.toString('utf8'), wallSeconds: result.wallSeconds, screen, tallestView };
}

/** What must hold once a run on a terminal ended: no row of the view left anywhere, the recap on the last screen. */
function expectOnlyTheRecapLeft(run: TerminalRun, hosts: string[]): void {
  const lines = run.screen.logicalLines();
  expect(lines.filter(isViewRow)).toEqual([]);
  const recapAt = lines.indexOf('PLAY RECAP ' + '*'.repeat(60));
  expect(recapAt, lines.join('\n')).toBeGreaterThanOrEqual(0);
  expect(lines.slice(recapAt + 1, recapAt + 1 + hosts.length).map((l) => l.split(' ')[0])).toEqual(hosts);
  expect(lines.slice(recapAt + 1 + hosts.length)).toEqual(['', expect.stringMatching(new RegExp(`^${hosts.length} hosts, \\S+ \\S+ pulled in \\d+\\.\\ds$`))]);
  // The last screen ends with the recap: its final line is the last thing on it.
  const visible = run.screen.screen();
  while (visible.length > 0 && visible[visible.length - 1] === '') visible.pop();
  expect(visible[visible.length - 1]).toBe(lines[lines.length - 1]);
  expect(visible.every((l) => !isViewRow(l))).toBe(true);
  // The cursor, hidden while the view drew, is shown again.
  expect(run.output.lastIndexOf('\x1b[?25h')).toBeGreaterThan(run.output.lastIndexOf('\x1b[?25l'));
  // At most 10 frames a second, however many progress events came (and one per block printed above it).
  const frames = run.output.split('\x1b[?2026h').length - 1;
  const printed = lines.filter((l) => /^fatal: /.test(l)).length;
  expect(frames).toBeLessThanOrEqual(Math.ceil(run.wallSeconds * 10) + 2 * printed + 2);
}

/** An inventory of `count` hosts that are aliases of the lab's four nodes, and a play for them. */
function aliasesOf(count: number): { hosts: string[]; inventory: string } {
  const hosts = Array.from({ length: count }, (_, i) => `host${String(i + 1).padStart(2, '0')}`);
  const lines = ['[aliases]'];
  hosts.forEach((h, i) => {
    const n = work.lab.nodes[i % work.lab.nodes.length];
    // host13 asks for an image the registry does not have: one host fails, the others go on.
    const app = h === 'host13' ? 'nope' : String(i % SAMPLE_APP_COUNT);
    lines.push(
      `${h} ansible_host=${n.ip} ansible_user=root ansible_ssh_private_key_file=${work.lab.privateKey} app=${app} pause=${(1 + (i % 5) * 0.4).toFixed(1)}`,
    );
  });
  lines.push(
    '',
    '[aliases:vars]',
    `ansible_ssh_common_args='-o UserKnownHostsFile=${work.lab.knownHosts}'`,
    `lab_registry=${work.lab.registry.ip}:${work.lab.registry.port}`,
    '',
  );
  return { hosts, inventory: lines.join('\n') };
}

const ALIASES_PLAY = [
  '- name: fifty hosts on four nodes',
  '  hosts: aliases',
  // The view is under test, not facts (test/integration/facts.test.ts): 50 gatherings would only slow it.
  '  gather_facts: false',
  '  tasks:',
  '    - name: pull the host image',
  '      image:',
  '        name: "{{ lab_registry }}/hound/app{{ app }}:latest"',
  '    - name: hold on a moment',
  '      command:',
  '        argv: [sleep, "{{ pause | string }}"]',
  '',
].join('\n');

describe('the live view on a real terminal', () => {
  const nodes = ['node1', 'node2', 'node3', 'node4'];
  for (const [rows, columns] of [
    [24, 80],
    [50, 200],
  ] as const) {
    it(`4 hosts on ${rows}×${columns}: every frame fits the screen, nothing is left over, the last screen holds the recap`, async () => {
      await Promise.all(work.lab.nodes.map(emptyNode));
      const run = await onTerminal(['play', '--distribution', 'direct', 'warmup.yml', '-i', 'hosts.ini'], work.dir, rows, columns);
      expect(run.code, run.output.slice(-3000)).toBe(0);
      // The view was drawn: the summary and a row per host.
      expect(run.tallestView).toBeGreaterThanOrEqual(5);
      expectOnlyTheRecapLeft(run, nodes);
      expect(run.screen.logicalLines().join('\n')).not.toContain('TASK [');
    });

    it(`50 hosts on ${rows}×${columns}: the summary and the hosts that fit, a failure printed above, the recap at the end`, async () => {
      await Promise.all(work.lab.nodes.map(emptyNode));
      const { hosts, inventory } = aliasesOf(50);
      writeFileSync(path.join(work.dir, 'aliases.ini'), inventory);
      writeFileSync(path.join(work.dir, 'aliases.yml'), ALIASES_PLAY);
      const run = await onTerminal(['play', '--distribution', 'direct', 'aliases.yml', '-i', 'aliases.ini'], work.dir, rows, columns);
      expect(run.code, run.output.slice(-3000)).toBe(2);
      // 50 hosts never fit: at some point the view filled the screen but the cursor's row.
      expect(run.tallestView).toBe(rows - 1);
      expectOnlyTheRecapLeft(run, hosts);
      const lines = run.screen.logicalLines();
      expect(lines.find((l) => l.startsWith('fatal: [host13]: FAILED! => '))).toMatch(/hound\/appnope:latest/);
      expect(lines.find((l) => l.startsWith('host13 '))).toMatch(/ failed=1 /);
      // Aliases of one node asking for the same image: the first pulls it (changed), the next may find it there (ok).
      // Every other host did both tasks (what went wrong, if not: the lines printed above the view).
      const others = lines.filter((l) => /^host\d\d +: /.test(l) && !l.startsWith('host13 '));
      expect(
        others.filter((l) => !/^host\d\d +: ok=2 +changed=[12] +unreachable=0 +failed=0 /.test(l)),
        lines.filter((l) => /^(fatal|\[WARNING\]|warning)/i.test(l)).join('\n'),
      ).toEqual([]);
      expect(others).toHaveLength(49);
    });
  }

  it('follows the window as it is resized, narrower and shorter then wider, and leaves nothing behind', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const { hosts, inventory } = aliasesOf(16);
    writeFileSync(path.join(work.dir, 'aliases.ini'), inventory);
    writeFileSync(path.join(work.dir, 'aliases.yml'), ALIASES_PLAY);
    const run = await onTerminal(['play', '--distribution', 'direct', 'aliases.yml', '-i', 'aliases.ini'], work.dir, 50, 200, [
      [24, 80],
      [30, 120],
    ]);
    expect(run.code, run.output.slice(-3000)).toBe(2);
    expect(run.screen.rows).toBe(30);
    expectOnlyTheRecapLeft(run, hosts);
  });
});

describe('Ctrl-C', () => {
  it('cancels in-flight work, skips the rest, prints the recap and exits 99', async () => {
    let interruptedAt = 0;
    const result = await new Promise<{ code: number | null; stdout: string; closedAt: number }>((resolve, reject) => {
      const child = spawn(process.execPath, [HOUND, 'play', '--distribution', 'direct', 'slow.yml', '-i', 'hosts.ini', '--json'], {
        cwd: work.dir,
        env: houndEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        // Once every node is running its `sleep 29.987`, interrupt.
        if (!sent && (stdout.match(/"event":"task_start"/g) ?? []).length >= work.lab.nodes.length) {
          sent = true;
          setTimeout(() => {
            interruptedAt = Date.now();
            child.kill('SIGINT');
          }, 500);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, closedAt: Date.now() }));
    });
    expect(result.code, result.stdout).toBe(99);
    // Well before the sleep would have ended by itself (29.987 s after it started, before the
    // interrupt). Counted from the interrupt: how long the nodes took to start is not the point.
    expect(result.closedAt - interruptedAt).toBeLessThan(25_000);
    const events = jsonEvents(result.stdout);
    const summary = summaryOf(events);
    expect(summary).toMatchObject({ interrupted: true, exit_code: 99 });
    expect(events.some((e) => e.event === 'task_start' && e.task === 'never reached after Ctrl-C')).toBe(false);
    // Every host's task was cut short and reported as interrupted, not left hanging.
    const results = events.filter((e): e is TaskResultEvent => e.event === 'task_result');
    expect(results.map((r) => [r.host, r.msg]).sort()).toEqual(work.lab.nodes.map((n) => [n.name, 'interrupted']).sort());
    expect(events.some((e) => e.event === 'play_abort')).toBe(false);
    // And the commands themselves are gone from the nodes: OpenSSH refuses the channel's
    // KILL signal here, so this is the watcher's doing (modules/command.ts), within seconds.
    const left = () => labProcesses(work.lab, 'sleep 29.987');
    for (let i = 0; i < 100 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(left()).toEqual([]);
  });
});

/**
 * Processes run on this lab's nodes (under one of its sshds) whose command line contains
 * `text`. Not a machine-wide pgrep: another run of this suite, on a lab of its own, may be
 * running the same command at this moment.
 */
function labProcesses(lab: LabInfo, text: string): string[] {
  const parentOf = new Map<number, number>();
  const commandOf = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the parenthesised command name.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      commandOf.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    } catch {
      // gone meanwhile
    }
  }
  const sshds = new Set(lab.nodes.map((n) => n.pids.sshd));
  const underLab = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (sshds.has(p)) return true;
    return false;
  };
  return [...commandOf].filter(([pid, command]) => command.includes(text) && underLab(pid)).map(([pid, command]) => `${pid} ${command}`);
}

describe('load', () => {
  it('streams a tarball from the controller into the node, and skips it once the image is there', async () => {
    await emptyNode(node('node4'));
    const ref = `${work.lab.registry.ip}:${work.lab.registry.port}/hound/app5:latest`;
    // Make the tarball from another node's Docker, straight through its socket.
    const source = nodeDocker(node('node1'));
    await new Promise<void>((resolve, reject) => {
      void source.pull(ref, (err: Error | null, stream: NodeJS.ReadableStream) =>
        err ? reject(err) : source.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())),
      );
    });
    const tarball = path.join(work.dir, 'app5.tar');
    await pipeline(await source.getImage(ref).get(), createWriteStream(tarball));

    const first = await hound(['play', 'load.yml', '-i', 'hosts.ini', '--json', '-e', `tarball=${tarball}`], work.dir);
    expect(first.code).toBe(0);
    const loaded = jsonEvents(first.stdout).find((e): e is TaskResultEvent => e.event === 'task_result')!;
    expect(loaded.status).toBe('changed');
    expect(loaded.bytes).toBe(statSync(tarball).size);
    expect(await nodeTags(node('node4'), work.lab)).toEqual(['hound/app5:latest']);

    const second = await hound(['play', 'load.yml', '-i', 'hosts.ini', '--json', '-e', `tarball=${tarball}`], work.dir);
    expect(second.code).toBe(0);
    expect(summaryOf(jsonEvents(second.stdout)).hosts.node4).toMatchObject({ changed: 0, bytes: 0 });

    const missing = await hound(['play', 'load.yml', '-i', 'hosts.ini', '--reporter', 'plain', '-e', `tarball=${work.dir}/nope.tar`], work.dir);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/fatal: \[node4\]: FAILED! => cannot read the image tarball \S+nope\.tar on the controller/);
  });
});
