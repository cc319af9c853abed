// The machine form of a plan (`hound plan --json`, and the plan inside a saved plan file).
// Keys are snake_case, as in every JSON hound writes (docs/architecture.md).
import { layerUses, type Plan } from './planner.js';

/** The machine form of `hound plan --json`. */
export function planToJson(plan: Plan): Record<string, unknown> {
  const hosts: Record<string, unknown> = {};
  for (const h of Object.values(plan.hosts)) {
    hosts[h.host] = {
      platform: h.platform,
      ...(h.runtime !== undefined ? { runtime: h.runtime } : {}),
      actions: h.actions.map((a) => ({
        action: a.action,
        image: a.image,
        reference: a.reference,
        platform: a.platform,
        ...(a.digest ? { digest: a.digest } : {}),
        ...(a.imageId ? { image_id: a.imageId } : {}),
        ...(a.action === 'remove' ? { force: a.force === true } : {}),
        reason: a.reason,
        ...(a.mirror ? { mirror: a.mirror } : {}),
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
    registries: Object.fromEntries(
      Object.entries(plan.registries).map(([domain, r]) => [
        domain,
        {
          direct: r.direct,
          relay: r.relay,
          ...(r.mirrors ? { mirrors: r.mirrors } : {}),
          ...(r.rateLimit
            ? {
                rate_limit: {
                  endpoint: r.rateLimit.endpoint,
                  ...(r.rateLimit.limit !== undefined ? { limit: r.rateLimit.limit } : {}),
                  ...(r.rateLimit.remaining !== undefined ? { remaining: r.rateLimit.remaining } : {}),
                  ...(r.rateLimit.windowSeconds !== undefined ? { window_seconds: r.rateLimit.windowSeconds } : {}),
                  ...(r.rateLimit.retryAfterUntil !== undefined ? { retry_after_until: new Date(r.rateLimit.retryAfterUntil).toISOString() } : {}),
                },
              }
            : {}),
        },
      ]),
    ),
    changes: plan.changes,
    failed_hosts: plan.failedHosts,
  };
}
