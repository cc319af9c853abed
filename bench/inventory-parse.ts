// Benchmark: load a 5,000-host inventory (INI and YAML with host ranges, group_vars and
// host_vars files) and compute every host's merged variables (target: under 300 ms).
// Prints the median over several runs. Run: npx tsc -p . && node dist/bench/inventory-parse.js
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInventory } from '../inventory/load.js';
import { hostVars } from '../inventory/vars.js';

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

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hound-bench-inventory-'));
  try {
    const expected = writeInventory(dir);
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let varsCount = 0;
    for (let run = 0; run < RUNS; run++) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const inv = await loadInventory([dir]);
      varsCount = 0;
      for (const host of inv.hosts.keys()) varsCount += Object.keys(hostVars(inv, host)).length;
      times.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      if (inv.hosts.size !== expected) throw new Error(`expected ${expected} hosts, loaded ${inv.hosts.size}`);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)];
    console.log(`inventory-parse: ${expected} hosts, ${varsCount} host variables, ${RUNS} runs`);
    console.log(`  median ${median.toFixed(1)} ms  (min ${times[0].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms; target < 300 ms)`);
    // Wall time suffers when other work shares the CPUs; CPU time shows the cost of the code itself.
    console.log(`  median CPU time ${cpuMedian.toFixed(1)} ms (user + system, includes GC)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
