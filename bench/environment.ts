// What the figures were measured on: they mean little without the machine and versions.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BenchEnvironment {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  versions: Record<string, string>;
  houndCommit: string;
}

async function firstLine(argv: string[], cwd?: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(argv[0], argv.slice(1), { cwd, timeout: 30_000 });
    return (stdout || stderr).trim().split('\n')[0] ?? '';
  } catch {
    return 'unavailable';
  }
}

export async function describeEnvironment(repoDir: string): Promise<BenchEnvironment> {
  const [dockerd, docker, ansible, collection, compose, containerd, ctr, podman, ssh, commit] = await Promise.all([
    firstLine(['dockerd', '--version']),
    firstLine(['docker', '--version']),
    firstLine(['ansible-playbook', '--version']),
    run('ansible-galaxy', ['collection', 'list', 'community.docker'], { timeout: 60_000 })
      .then(({ stdout }) => /community\.docker\s+(\S+)/.exec(stdout)?.[1] ?? 'unavailable')
      .catch(() => 'unavailable'),
    firstLine(['docker-compose', 'version', '--short']),
    firstLine(['containerd', '--version']),
    firstLine(['ctr', '--version']),
    firstLine(['podman', '--version']),
    firstLine(['ssh', '-V']),
    firstLine(['git', 'rev-parse', '--short', 'HEAD'], repoDir),
  ]);
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    node: process.version,
    loadAverageAtStart: os.loadavg(),
    versions: { dockerd, docker, 'ansible-playbook': ansible, 'community.docker': collection, 'docker-compose': compose, containerd, ctr, podman, ssh },
    houndCommit: commit,
  };
}
