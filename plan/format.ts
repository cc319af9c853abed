// The two faces of a plan: the diff people read (`hound plan`, `hound play --check --diff`)
// and the JSON scripts read (`hound plan --json`), plus byte sizes in human units both ways.
import type { ChalkInstance } from 'chalk';
import { palette } from '../base/colour.js';
import { layerUses, type Plan, type PlanAction, type HostPlan, type LayerUse } from './planner.js';
import type { ApplyResult } from './apply.js';
import { OptionsError } from '../base/errors.js';
import { formatBytes, parseByteSize } from '../base/bytes.js';
import { describeRateLimit } from '../transport/rate-limit.js';
import { appendAll } from '../base/append.js';

/** `10%` → { fraction: 0.1 }; `2GiB`, `500MB`, `1048576` → { bytes }. */
export function parseDiskMargin(text: string): { fraction?: number; bytes?: number } {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (percent) {
    const value = Number(percent[1]);
    if (value < 100) return { fraction: value / 100 };
  }
  const bytes = parseByteSize(trimmed);
  if (bytes === undefined) {
    throw new OptionsError('INVALID_DISK_MARGIN', `invalid --disk-margin "${text}"`, {
      hint: 'give a percentage of the free space below 100 (10%) or a size (2GiB, 500MB, 1048576)',
    });
  }
  return { bytes };
}

export interface FormatOptions {
  color?: boolean;
}

/** The readable diff: `+` pull, `-` remove, `=` up to date, per host, then the totals. */
export function formatPlanDiff(plan: Plan, options: FormatOptions = {}): string {
  const c = palette(options.color === true);
  const out: string[] = [];
  for (const host of Object.values(plan.hosts)) {
    appendAll(out, formatHost(host, c));
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
  const chosen = plan.distribution === plan.countedAs ? plan.distribution : `${plan.distribution}, counted as ${plan.countedAs}`;
  const other = plan.countedAs === 'direct' ? `relay would move ${formatBytes(t.relay)}` : `direct would move ${formatBytes(t.direct)}`;
  out.push(`Registry: ${formatBytes(plan.registryBytes)} to transfer (${chosen}; ${other}).`);
  for (const [domain, registry] of Object.entries(plan.registries)) {
    for (const [mirror, hosts] of Object.entries(registry.mirrors ?? {})) out.push(`  ${domain}: through mirror ${mirror} on ${hosts.join(', ')}`);
    const rate = registry.rateLimit ? describeRateLimit(registry.rateLimit) : '';
    if (rate) out.push(`  ${domain}: rate limit ${rate} (stated by ${registry.rateLimit!.endpoint})`);
  }
  const pulls = countActions(plan, 'pull');
  const removals = countActions(plan, 'remove');
  const hostCount = Object.keys(plan.hosts).length;
  let summary = plan.changes === 0 ? 'Plan: no changes.' : `Plan: ${pulls} to pull, ${removals} to remove on ${hostCount} host(s).`;
  if (plan.failedHosts.length > 0) summary += c.red(` ${plan.failedHosts.length} host(s) failed: ${plan.failedHosts.join(', ')}.`);
  out.push(summary);
  return out.join('\n') + '\n';
}

function formatHost(host: HostPlan, c: ChalkInstance): string[] {
  const out: string[] = [];
  const about = [host.platform, host.runtime].filter((t) => t);
  const head = `${c.bold(host.host)}${about.length > 0 ? ` (${about.join(', ')})` : ''}`;
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

function formatAction(a: PlanAction, c: ChalkInstance): string {
  const digest = a.digest ? ` ${shortDigest(a.digest)}` : '';
  switch (a.action) {
    case 'pull':
      return (
        c.green(`+ ${a.image}${digest}  ${a.layersNew} new, ${a.layersPresent} present layer(s)  ${formatBytes(a.bytes)}`) +
        c.dim(`  (${a.reason}${a.mirror ? `; via mirror ${a.mirror}` : ''})`)
      );
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

function sharedLayers(plan: Plan): LayerUse[] {
  return layerUses(plan).filter((l) => l.hosts > 1 || l.images > 1);
}

/** What `hound apply` did, per host: each change, and the bytes Docker pulled against the plan's. */
export function formatApplyResult(result: ApplyResult, options: FormatOptions = {}): string {
  const c = palette(options.color === true);
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
