// Benchmark: load a 5,000-host inventory (INI and YAML with host ranges, group_vars and
// host_vars files) and compute every host's merged variables (target: under 300 ms); then the
// same with a constructed source after it (two composed variables, a conditional group, two
// keyed groups per host), measured in the same rounds, and the ratio of the two.
// Prints the medians over several runs. Run: npx tsc -p . && node dist/bench/inventory-parse.js
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInventory, type InventoryPlugins } from '../inventory/load.js';
import { hostVars } from '../inventory/vars.js';
import { inventoryPlugins } from '../playbook/inventory-plugins.js';

const RUNS = 9;
const RACKS = 30; // INI: 30 racks of 100 nodes by range = 3,000 hosts
const INI_SINGLES = 1000; // INI: one line each, with inline typed vars
const YAML_ZONES = 10; // YAML: 10 zones of 100 nodes by range = 1,000 hosts
const HOST_VARS_FILES = 500;

function writeInventory(dir: string): number {
  const ini: string[] = [];
  for (let r = 1; r <= RACKS; r++) {
    ini.push(`[rack${r}]`, `r${r}-node[001:100].lab ansible_user=core rack=${r}`, '');
    ini.push(`[rack${r}:vars]`, `rack_switch=sw${r}`, `mtu=${r % 2 ? 1500 : 9000}`, '');
  }
  ini.push('[single]');
  for (let i = 0; i < INI_SINGLES; i++) {
    ini.push(
      `s${i}.lab ansible_host=10.1.${Math.floor(i / 250)}.${i % 250} ansible_port=${2200 + (i % 10)} images="['app${i % 7}:1', 'base:2']" gpu=${i % 5 === 0 ? 'True' : 'False'}`,
    );
  }
  ini.push('', '[datacenter:children]');
  for (let r = 1; r <= RACKS; r++) ini.push(`rack${r}`);
  ini.push('single', '', '[all:vars]', 'registry=registry.lab:5000');
  writeFileSync(path.join(dir, 'hosts'), ini.join('\n') + '\n');

  const yaml: string[] = ['all:', '  children:', '    edge:', '      children:'];
  for (let z = 1; z <= YAML_ZONES; z++) {
    yaml.push(
      `        zone${z}:`,
      '          hosts:',
      `            z${z}-n[000:099].edge:`,
      '              tier: edge',
      '          vars:',
      `            zone_id: ${z}`,
    );
  }
  writeFileSync(path.join(dir, 'edge.yml'), yaml.join('\n') + '\n');

  mkdirSync(path.join(dir, 'group_vars', 'datacenter'), { recursive: true });
  writeFileSync(path.join(dir, 'group_vars', 'all.yml'), 'pull_state: present\nparallel: 8\n');
  writeFileSync(path.join(dir, 'group_vars', 'datacenter', 'main.yml'), 'dc: east\nproxy: {http: "http://proxy:3128"}\n');
  for (let r = 1; r <= RACKS; r++) writeFileSync(path.join(dir, 'group_vars', `rack${r}.yml`), `rack_images: [app${r % 7}, base]\n`);
  for (let z = 1; z <= YAML_ZONES; z++) writeFileSync(path.join(dir, 'group_vars', `zone${z}.yaml`), `zone_name: z${z}\n`);
  mkdirSync(path.join(dir, 'host_vars'));
  for (let i = 0; i < HOST_VARS_FILES; i++) writeFileSync(path.join(dir, 'host_vars', `s${i}.lab.yml`), `special: ${i}\n`);
  return RACKS * 100 + INI_SINGLES + YAML_ZONES * 100;
}

const CONSTRUCTED = `plugin: constructed
compose:
  images_csv: (rack_images | default(images | default([]))) | join(',')
  mtu_jumbo: mtu | default(1500) | int > 1500
groups:
  gpu_nodes: gpu | default(false)
keyed_groups:
  - key: rack | default('none')
    prefix: rack_of
  - key: zone_id | default('none') | string
    prefix: zone_of
`;

interface Measured {
  times: number[];
  cpuTimes: number[];
  varsCount: number;
  groups: number;
}

async function measureOnce(sources: string[], plugins: InventoryPlugins | undefined, expected: number, into: Measured): Promise<void> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const inv = await loadInventory(sources, { plugins });
  let varsCount = 0;
  for (const host of inv.hosts.keys()) varsCount += Object.keys(hostVars(inv, host)).length;
  into.times.push(performance.now() - start);
  const cpu = process.cpuUsage(cpuStart);
  into.cpuTimes.push((cpu.user + cpu.system) / 1000);
  into.varsCount = varsCount;
  into.groups = inv.groups.size;
  if (inv.hosts.size !== expected) throw new Error(`expected ${expected} hosts, loaded ${inv.hosts.size}`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function report(label: string, m: Measured, target: string): void {
  const sorted = [...m.times].sort((a, b) => a - b);
  console.log(`${label}: ${m.varsCount} host variables, ${m.groups} groups, ${RUNS} runs`);
  console.log(`  median ${median(m.times).toFixed(1)} ms  (min ${sorted[0].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms${target})`);
  // Wall time suffers when other work shares the CPUs; CPU time shows the cost of the code itself.
  console.log(`  median CPU time ${median(m.cpuTimes).toFixed(1)} ms (user + system, includes GC)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hound-bench-inventory-'));
  const constructedDir = mkdtempSync(path.join(os.tmpdir(), 'hound-bench-constructed-'));
  try {
    const expected = writeInventory(dir);
    const constructed = path.join(constructedDir, 'constructed.yml');
    writeFileSync(constructed, CONSTRUCTED);
    const plugins = inventoryPlugins();
    const plain: Measured = { times: [], cpuTimes: [], varsCount: 0, groups: 0 };
    const withConstructed: Measured = { times: [], cpuTimes: [], varsCount: 0, groups: 0 };
    // Side by side, round by round: the machine's noise falls on both.
    for (let run = 0; run < RUNS; run++) {
      await measureOnce([dir], undefined, expected, plain);
      await measureOnce([dir, constructed], plugins, expected, withConstructed);
    }
    console.log(`inventory-parse: ${expected} hosts`);
    report('  plain', plain, '; target < 300 ms');
    report('  with a constructed source', withConstructed, '');
    console.log(
      `  constructed / plain: ${(median(withConstructed.times) / median(plain.times)).toFixed(2)}x wall, ${(median(withConstructed.cpuTimes) / median(plain.cpuTimes)).toFixed(2)}x CPU`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(constructedDir, { recursive: true, force: true });
  }
}

await main();
