// Benchmark: compile a playbook of 50 tasks against 1,000 hosts (target: under 1 s).
// Prints the median over several runs. Run: npx tsc -p . && node dist/bench/compile.js
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compilePlays } from '../playbook/compiler.js';
import { PlaybookLoader } from '../playbook/loader.js';
import { loadInventory } from '../inventory/load.js';

const HOSTS = 1000;
const TASKS = 50;
const RUNS = 7;

function inventoryText(): string {
  const lines = ['[nodes]'];
  for (let i = 0; i < HOSTS; i++) {
    const images = [`app${i % 7}:1.${i % 3}`, `sidecar:${i % 4}`, 'base:1'];
    lines.push(`node${i} ansible_host=10.0.${Math.floor(i / 250)}.${i % 250} node_images='${JSON.stringify(images)}' zone=z${i % 4}`);
  }
  lines.push('', '[nodes:vars]', 'registry=registry.lab:5000', 'pull_state=present');
  return lines.join('\n') + '\n';
}

function playbookText(): string {
  const tasks: string[] = [];
  for (let t = 0; t < TASKS; t++) {
    switch (t % 5) {
      case 0:
        tasks.push(
          `    - name: pull the node images ${t}\n      image:\n        name: "{{ registry }}/{{ item }}"\n        state: "{{ pull_state }}"\n      loop: "{{ node_images }}"\n      tags: [pull]`,
        );
        break;
      case 1:
        tasks.push(`    - name: pull a shared image ${t}\n      image: "{{ registry }}/shared-${t}:{{ zone }}"\n      when: zone != 'z9'`);
        break;
      case 2:
        tasks.push(
          `    - name: batch ${t}\n      images:\n        names: "{{ node_images | map('regex_replace', '^', registry ~ '/') | list }}"\n        concurrency: 2`,
        );
        break;
      case 3:
        tasks.push(`    - name: report ${t}\n      debug:\n        msg: "{{ inventory_hostname }} has {{ node_images | length }} images in {{ zone }}"`);
        break;
      default:
        tasks.push(`    - name: check ${t}\n      command: docker image inspect {{ node_images | first }}\n      register: check_${t}\n      changed: false`);
    }
  }
  return `- name: bench\n  hosts: nodes\n  serial: "25%"\n  vars:\n    unused: 1\n  tasks:\n${tasks.join('\n')}\n`.replace(/\n {6}changed: false/g, '');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hound-bench-compile-'));
  try {
    writeFileSync(path.join(dir, 'hosts.ini'), inventoryText());
    writeFileSync(path.join(dir, 'bench.yml'), playbookText());
    const inventory = await loadInventory([path.join(dir, 'hosts.ini')]);
    const loadStart = performance.now();
    const playbook = new PlaybookLoader().load(path.join(dir, 'bench.yml'));
    const loadMs = performance.now() - loadStart;
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let instances = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const run = compilePlays(playbook.plays, { inventory });
      const cpu = process.cpuUsage(cpuStart);
      times.push(performance.now() - start);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      instances = [...run.plays[0].tasksByHost.values()].reduce((n, list) => n + list.length, 0);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)];
    const [load1] = os.loadavg();
    process.stdout.write(
      `compile: ${TASKS} tasks x ${HOSTS} hosts -> ${instances} task instances\n` +
        `  load+validate playbook: ${loadMs.toFixed(1)} ms\n` +
        `  compile median of ${RUNS}: ${median.toFixed(1)} ms wall (min ${times[0].toFixed(1)}, max ${times.at(-1)!.toFixed(1)}; target < 1000 ms)\n` +
        `  compile median CPU time: ${cpuMedian.toFixed(1)} ms (includes GC threads); load average ${load1.toFixed(1)} on ${os.cpus().length} CPUs\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
