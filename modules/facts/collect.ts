// A host's facts, as the setup module returns them: one shell command over the host's SSH
// connection for the Ansible collectors, the runtime interface for hound's own, keys prefixed
// `ansible_` (ansible_facts drops the prefix), plus gather_subset and module_setup.
import { ModuleFailure } from '../implementation.js';
import type { HostConnection } from '../../transport/types.js';
import type { NodeDocker } from '../../runtime/types.js';
import { shlexQuote } from '../../base/shlex.js';
import { fnmatch } from '../../base/fnmatch.js';
import { distributionFacts, type Facts } from './distribution.js';
import { filesFrom, gatherScript, splitSections } from './gather-script.js';
import { affinityCount, cpuFacts, memoryFacts, mountFacts, uptimeFacts } from './hardware.js';
import { networkFacts } from './network.js';
import { runtimeFacts } from './runtime-facts.js';
import { dateTimeFacts, envFacts, platformFacts, userFacts } from './system.js';
import type { Collector } from './subsets.js';

export interface CollectOptions {
  collectors: ReadonlySet<Collector>;
  /** gather_subset as given, returned as Ansible returns it. */
  gatherSubset: string[];
  /** gather_timeout: seconds the slow parts (statvfs of the mounts) may take, as in Ansible. */
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Ansible's `filter`: fnmatch patterns over the prefixed names; empty keeps all. */
  filter?: string[];
}

const OVERALL_LIMIT_SECONDS = 120;

/** Runs the gather command; its sections, or a ModuleFailure naming what went wrong. */
async function runGatherCommand(connection: HostConnection, options: CollectOptions): Promise<Map<string, string>> {
  const script = gatherScript(options.collectors, Math.floor(Date.now() / 1000), options.timeoutSeconds);
  // Ansible bounds no more than the mounts; a resolver that does not answer (fqdn) costs its
  // own timeouts there too. This outer bound only keeps a stuck node from holding the run.
  const limitSeconds = Math.max(OVERALL_LIMIT_SECONDS, 6 * options.timeoutSeconds);
  const timeout = AbortSignal.timeout(limitSeconds * 1000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const result = await connection.exec(`/bin/sh -c ${shlexQuote(script)}`, { signal, shownAs: 'gather facts (sh script)' }).catch((err: unknown) => {
    if (timeout.aborted && !options.signal?.aborted) throw new ModuleFailure(`gathering facts did not end within ${limitSeconds} s`);
    throw err;
  });
  if (!result.stdout.includes('@@hound:files')) {
    throw new ModuleFailure(
      `could not gather facts: the gather command ended with ${result.code ?? result.signal} and no output${result.stderr ? `: ${result.stderr.trim()}` : ''}`,
    );
  }
  return splitSections(result.stdout);
}

/** The facts (raw keys, as the setup module returns them) of the host behind `connection`. */
export async function collectFacts(connection: HostConnection, runtime: () => Promise<NodeDocker>, options: CollectOptions): Promise<Facts> {
  const has = (c: Collector) => options.collectors.has(c);
  const needsCommand = [...options.collectors].some((c) => c !== 'hound');
  const [sections, hound] = await Promise.all([
    needsCommand ? runGatherCommand(connection, options) : Promise.resolve(new Map<string, string>()),
    has('hound') ? runtime().then(runtimeFacts) : Promise.resolve({}),
  ]);
  const files = filesFrom(sections.get('files') ?? '');
  const status = files.get('/proc/self/status') ?? '';
  const arch = (sections.get('arch') ?? '').trim();
  const facts: Facts = {};
  if (has('platform')) Object.assign(facts, platformFacts(files, arch, sections.get('fqdn')));
  if (has('distribution')) Object.assign(facts, distributionFacts(files));
  if (has('env')) Object.assign(facts, envFacts(files.get('/proc/self/environ') ?? ''));
  if (has('user')) Object.assign(facts, userFacts(sections.get('user') ?? '', status));
  if (has('date_time')) Object.assign(facts, dateTimeFacts(sections.get('date') ?? ''));
  if (has('hardware')) {
    Object.assign(
      facts,
      memoryFacts(files.get('/proc/meminfo') ?? ''),
      cpuFacts(files.get('/proc/cpuinfo') ?? '', {
        architecture: arch,
        xen: (sections.get('xen') ?? '').trim() === 'xen' || (files.get('/sys/hypervisor/type') ?? '').split('\n')[0].trim() === 'xen',
        affinity: affinityCount(status),
      }),
      uptimeFacts(files.get('/proc/uptime')),
      mountFacts({
        mtab: files.get('/etc/mtab') ?? files.get('/proc/mounts') ?? '',
        findmnt: sections.get('bind-mounts') ?? '',
        lsblk: sections.get('uuids') ?? '',
        statvfs: sections.get('statvfs') ?? '',
      }),
    );
  }
  if (has('network')) {
    Object.assign(
      facts,
      networkFacts({
        route4: sections.get('route4') ?? '',
        route6: sections.get('route6') ?? '',
        addresses: sections.get('addresses') ?? '',
        interfaces: sections.get('interfaces') ?? '',
        kinds: sections.get('kinds') ?? '',
        files,
      }),
    );
  }
  Object.assign(facts, hound);
  const all: Facts = {
    ...Object.fromEntries(Object.entries(facts).map(([key, value]) => [`ansible_${key}`, value])),
    gather_subset: options.gatherSubset,
    module_setup: true,
  };
  // As Ansible's, the filter applies to every name, gather_subset and module_setup included.
  if (!options.filter?.length) return all;
  return Object.fromEntries(Object.entries(all).filter(([name]) => options.filter!.some((p) => fnmatch(name, p))));
}
