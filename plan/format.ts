// The two faces of a plan: the diff people read (`hound plan`, `hound play --check --diff`)
// and the JSON scripts read (`hound plan --json`), plus byte sizes in human units both ways.
import { Chalk } from 'chalk';
import type { Plan, PlanAction, HostPlan } from './planner.js';
import type { ApplyResult } from './plan-file.js';
import { OptionsError } from '../base/errors.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → `1.5 KiB`; binary units, as `df -h` and Docker's own sizes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)$/i;
const FACTORS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** `10%` → { fraction: 0.1 }; `2GiB`, `500MB`, `1048576` → { bytes }. */
export function parseDiskMargin(text: string): { fraction?: number; bytes?: number } {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (percent) {
    const value = Number(percent[1]);
    if (value < 100) return { fraction: value / 100 };
  }
  const size = SIZE.exec(trimmed);
  const factor = size ? FACTORS[size[2]!.toLowerCase()] : undefined;
  if (!size || factor === undefined) {
    throw new OptionsError('INVALID_DISK_MARGIN', `invalid --disk-margin "${text}"`, {
      hint: 'give a percentage of the free space below 100 (10%) or a size (2GiB, 500MB, 1048576)',
    });
  }
  return { bytes: Math.round(Number(size[1]) * factor) };
}

export interface FormatOptions {
  color?: boolean;
}

/** The readable diff: `+` pull, `-` remove, `=` up to date, per host, then the totals. */
export function formatPlanDiff(plan: Plan, options: FormatOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  for (const host of Object.values(plan.hosts)) {
    out.push(...formatHost(host, c));
    out.push('');
  }
  const shared = sharedLayers(plan);
  if (shared.length > 0) {
    out.push(c.bold('Shared layers') + ' (needed by several images or hosts, pulled once per host):');
    for (const layer of shared)
      out.push(`  ${shortDigest(layer.digest)}  ${formatBytes(layer.size).padStart(10)}  ${layer.hosts} host(s), ${layer.images} image(s)`);
    out.push('');
  }
  const t = plan.registryTotals;
  const chosen = plan.distribution === 'direct' ? 'direct' : `${plan.distribution === 'auto' ? 'auto, counted as ' : ''}relay`;
  const other = plan.distribution === 'direct' ? `relay would move ${formatBytes(t.relay)}` : `direct would move ${formatBytes(t.direct)}`;
  out.push(`Registry: ${formatBytes(plan.registryBytes)} to transfer (${chosen}; ${other}).`);
  const pulls = countActions(plan, 'pull');
  const removals = countActions(plan, 'remove');
  const hostCount = Object.keys(plan.hosts).length;
  let summary = plan.changes === 0 ? 'Plan: no changes.' : `Plan: ${pulls} to pull, ${removals} to remove on ${hostCount} host(s).`;
  if (plan.failedHosts.length > 0) summary += c.red(` ${plan.failedHosts.length} host(s) failed: ${plan.failedHosts.join(', ')}.`);
  out.push(summary);
  return out.join('\n') + '\n';
}

function formatHost(host: HostPlan, c: InstanceType<typeof Chalk>): string[] {
  const out: string[] = [];
  const head = `${c.bold(host.host)}${host.platform ? ` (${host.platform})` : ''}`;
  if (host.failed)
    out.push(`${head} ${c.red(`FAILED ${host.failed.code}: ${host.failed.message}`)}` + (host.failed.hint ? `\n  hint: ${host.failed.hint}` : ''));
  else out.push(head);
  for (const a of host.actions) out.push('  ' + formatAction(a, c));
  for (const note of host.notes) out.push(c.dim(`  ~ ${note}`));
  const pulls = host.actions.filter((a) => a.action === 'pull').length;
  const removals = host.actions.filter((a) => a.action === 'remove').length;
  if (host.failed && host.actions.length === 0) out.push('  not planned');
  else if (pulls + removals === 0) out.push('  no changes');
  else out.push(`  total: ${pulls} to pull (${formatBytes(host.bytes)}, ${host.layersNew} new layer(s)), ${removals} to remove`);
  if (host.disk) {
    const d = host.disk;
    out.push(
      `  disk: about ${formatBytes(d.estimatedBytes)} needed (compressed × ${d.expansionFactor}, an estimate), ` +
        `${formatBytes(d.freeBytes)} free, ${formatBytes(d.marginBytes)} kept as margin`,
    );
  }
  return out;
}

function formatAction(a: PlanAction, c: InstanceType<typeof Chalk>): string {
  const digest = a.digest ? ` ${shortDigest(a.digest)}` : '';
  switch (a.action) {
    case 'pull':
      return c.green(`+ ${a.image}${digest}  ${a.layersNew} new, ${a.layersPresent} present layer(s)  ${formatBytes(a.bytes)}`) + c.dim(`  (${a.reason})`);
    case 'remove':
      return c.red(`- ${a.image}${a.imageId ? ` ${shortDigest(a.imageId)}` : ''}`) + c.dim(`  (${a.reason})`);
    default:
      return `= ${a.image}${digest}` + c.dim(`  (${a.reason})`);
  }
}

function shortDigest(digest: string): string {
  const [algo, hex] = digest.split(':');
  return hex ? `${algo}:${hex.slice(0, 12)}` : digest;
}

function countActions(plan: Plan, kind: PlanAction['action']): number {
  return Object.values(plan.hosts)
    .filter((h) => !h.failed)
    .reduce((n, h) => n + h.actions.filter((a) => a.action === kind).length, 0);
}

interface LayerUse {
  digest: string;
  size: number;
  diffId: string;
  hosts: number;
  images: number;
}

/** Every layer the plan pulls somewhere, once, with how many hosts and images want it. */
function layerUses(plan: Plan): LayerUse[] {
  const uses = new Map<string, LayerUse & { hostSet: Set<string>; imageSet: Set<string> }>();
  for (const host of Object.values(plan.hosts)) {
    for (const a of host.actions) {
      if (a.action !== 'pull') continue;
      for (const l of a.layers) {
        const use = uses.get(l.digest) ?? { digest: l.digest, size: l.size, diffId: l.diffId, hosts: 0, images: 0, hostSet: new Set(), imageSet: new Set() };
        uses.set(l.digest, use);
        if (!l.present) use.hostSet.add(host.host);
        use.imageSet.add(a.reference);
      }
    }
  }
  return [...uses.values()].map(({ hostSet, imageSet, ...rest }) => ({ ...rest, hosts: hostSet.size, images: imageSet.size }));
}

function sharedLayers(plan: Plan): LayerUse[] {
  return layerUses(plan).filter((l) => l.hosts > 1 || l.images > 1);
}

/** The machine form of `hound plan --json`. */
export function planToJson(plan: Plan): Record<string, unknown> {
  const hosts: Record<string, unknown> = {};
  for (const h of Object.values(plan.hosts)) {
    hosts[h.host] = {
      platform: h.platform,
      actions: h.actions.map((a) => ({
        action: a.action,
        image: a.image,
        reference: a.reference,
        platform: a.platform,
        ...(a.digest ? { digest: a.digest } : {}),
        ...(a.imageId ? { image_id: a.imageId } : {}),
        ...(a.action === 'remove' ? { force: a.force === true } : {}),
        reason: a.reason,
        layers_new: a.layersNew,
        layers_present: a.layersPresent,
        bytes: a.bytes,
        layers: a.layers.map((l) => ({ digest: l.digest, present: l.present })),
        task: a.taskName,
      })),
      bytes: h.bytes,
      layers_new: h.layersNew,
      ...(h.disk
        ? {
            disk: {
              ok: h.disk.ok,
              free_bytes: h.disk.freeBytes,
              estimated_bytes: h.disk.estimatedBytes,
              margin_bytes: h.disk.marginBytes,
              expansion_factor: h.disk.expansionFactor,
            },
          }
        : {}),
      ...(h.failed ? { failed: { ...h.failed } } : {}),
      notes: h.notes,
    };
  }
  const layers: Record<string, unknown> = {};
  for (const l of layerUses(plan)) layers[l.digest] = { size: l.size, diff_id: l.diffId, hosts: l.hosts, images: l.images };
  return {
    hosts,
    layers,
    distribution: plan.distribution,
    registry_bytes: plan.registryBytes,
    registry_bytes_by_distribution: { ...plan.registryTotals },
    registries: plan.registries,
    changes: plan.changes,
    failed_hosts: plan.failedHosts,
  };
}

/** What `hound apply` did, per host: each change, and the bytes Docker pulled against the plan's. */
export function formatApplyResult(result: ApplyResult, options: FormatOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  for (const host of Object.values(result.hosts)) {
    out.push(host.failed ? `${c.bold(host.host)} ${c.red(`FAILED ${host.failed.code}: ${host.failed.message}`)}` : c.bold(host.host));
    for (const ch of host.changes) {
      const mark = ch.action === 'pull' ? '+' : '-';
      const state = ch.done
        ? ch.action === 'pull'
          ? `pulled ${formatBytes(ch.bytesPulled)} (planned ${formatBytes(ch.bytes)})`
          : 'removed'
        : ch.error
          ? c.red(`failed: ${ch.error.message}`)
          : c.dim('not run');
      out.push(`  ${mark} ${ch.image}${ch.digest ? ` ${shortDigest(ch.digest)}` : ''}  ${state}`);
    }
    if (host.changes.length > 0) out.push(`  total: pulled ${formatBytes(host.bytesPulled)}, planned ${formatBytes(host.bytesPlanned)}`);
    out.push('');
  }
  const failed = Object.values(result.hosts).filter((h) => h.failed).length;
  out.push(
    `Applied: pulled ${formatBytes(result.bytesPulled)} of ${formatBytes(result.bytesPlanned)} planned on ${Object.keys(result.hosts).length} host(s)` +
      (failed > 0 ? c.red(`; ${failed} host(s) failed.`) : '.'),
  );
  return out.join('\n') + '\n';
}

export function applyResultToJson(result: ApplyResult): Record<string, unknown> {
  const hosts: Record<string, unknown> = {};
  for (const h of Object.values(result.hosts)) {
    hosts[h.host] = {
      changes: h.changes.map((ch) => ({
        action: ch.action,
        image: ch.image,
        reference: ch.reference,
        ...(ch.digest ? { digest: ch.digest } : {}),
        done: ch.done,
        bytes_planned: ch.bytes,
        bytes_pulled: ch.bytesPulled,
        ...(ch.layersDownloaded !== undefined ? { layers_downloaded: ch.layersDownloaded, layers_present: ch.layersPresent } : {}),
        ...(ch.error ? { error: ch.error } : {}),
      })),
      bytes_planned: h.bytesPlanned,
      bytes_pulled: h.bytesPulled,
      ...(h.failed ? { failed: h.failed } : {}),
    };
  }
  return { hosts, bytes_planned: result.bytesPlanned, bytes_pulled: result.bytesPulled };
}
