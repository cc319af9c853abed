// community.docker.docker_network (also as community.general.docker_network, which its
// collection routes there) on hound's engine, as docker-volume.ts does docker_volume: the
// network found by name, compared with the task as community.docker 3.4.7's has_different_config
// does, removed and created again when it differs (or with `force`), or removed for `absent`.
// Registers `network` (Docker's inspect data), `actions` (in check mode, or for absent) and,
// in check mode, `diff`. Connecting containers (`connected`) is refused by name.
import { dockerNetworkModule } from './collection-schemas.js';
import { engineApiOf, engineMessage, getDocument } from './docker-engine.js';
import { ModuleFailure, controllerModule } from './implementation.js';
import type { EngineApi } from '../runtime/types.js';

export interface IpamConfig {
  subnet?: string | null;
  iprange?: string | null;
  gateway?: string | null;
  aux_addresses?: Record<string, unknown> | null;
}

export interface DockerNetworkArgs {
  name: string;
  state?: 'present' | 'absent';
  driver?: string;
  driver_options?: Record<string, unknown>;
  force?: boolean;
  ipam_driver?: string;
  ipam_driver_options?: Record<string, unknown>;
  ipam_config?: IpamConfig[];
  enable_ipv6?: boolean;
  internal?: boolean;
  labels?: Record<string, unknown>;
  scope?: 'local' | 'global' | 'swarm';
  attachable?: boolean;
}

type Network = Record<string, unknown> & {
  Id: string;
  Name: string;
  Driver?: string;
  Options?: Record<string, unknown> | null;
  Labels?: Record<string, unknown> | null;
  IPAM?: { Driver?: string; Options?: Record<string, unknown> | null; Config?: Record<string, unknown>[] | null } | null;
  Containers?: Record<string, { Name: string }> | null;
};

export interface Difference {
  item: string;
  parameter: unknown;
  active: unknown;
}

/** clean_dict_booleans_for_docker_api: the driver options as strings, booleans as `true`/`false`. */
export function dockerApiOptions(options: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k, v === true ? 'true' : v === false ? 'false' : v === null || v === undefined ? 'None' : String(v)]),
  );
}

/** normalize_ipam_config_key: Docker's IPAM keys as the module's. */
function ipamKey(key: string): string {
  return key === 'IPRange' ? 'iprange' : key === 'AuxiliaryAddresses' ? 'aux_addresses' : key.toLowerCase();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** has_different_config of community.docker 3.4.7, item by item. */
export function networkDifferences(args: DockerNetworkArgs, net: Network): Difference[] {
  const out: Difference[] = [];
  const add = (item: string, parameter: unknown, active: unknown) => out.push({ item, parameter, active });
  const driver = args.driver ?? 'bridge';
  if (driver && driver !== net.Driver) add('driver', driver, net.Driver);
  const options = dockerApiOptions(args.driver_options ?? {});
  if (Object.keys(options).length > 0) {
    if (!net.Options || Object.keys(net.Options).length === 0) add('driver_options', options, net.Options ?? null);
    else for (const [k, v] of Object.entries(options)) if (!(k in net.Options) || v !== net.Options[k]) add(`driver_options.${k}`, v, net.Options[k] ?? null);
  }
  if (args.ipam_driver && (!net.IPAM || net.IPAM.Driver !== args.ipam_driver)) add('ipam_driver', args.ipam_driver, net.IPAM ?? null);
  if (args.ipam_driver_options !== undefined && args.ipam_driver_options !== null) {
    const active = net.IPAM?.Options ?? {};
    if (!same(active, args.ipam_driver_options)) add('ipam_driver_options', args.ipam_driver_options, active);
  }
  if (args.ipam_config && args.ipam_config.length > 0) {
    if (!net.IPAM || !net.IPAM.Config || net.IPAM.Config.length === 0) add('ipam_config', args.ipam_config, net.IPAM?.Config ?? null);
    else {
      const actives = net.IPAM.Config.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [ipamKey(k), v])));
      args.ipam_config.forEach((wanted, idx) => {
        const given = Object.entries(wanted).filter(([, v]) => v !== null && v !== undefined);
        const match = actives.find((a) => given.every(([k, v]) => same(a[k], v))) ?? {};
        for (const [k, v] of given) if (!same(v, match[k])) add(`ipam_config[${idx}].${k}`, v, match[k] ?? null);
      });
    }
  }
  if (args.enable_ipv6 !== undefined && args.enable_ipv6 !== (net.EnableIPv6 ?? false)) add('enable_ipv6', args.enable_ipv6, net.EnableIPv6 ?? false);
  if (args.internal !== undefined && args.internal !== (net.Internal ?? false)) add('internal', args.internal, net.Internal ?? null);
  if (args.scope !== undefined && args.scope !== net.Scope) add('scope', args.scope, net.Scope ?? null);
  if (args.attachable !== undefined && args.attachable !== (net.Attachable ?? false)) add('attachable', args.attachable, net.Attachable ?? null);
  const labels = args.labels ?? {};
  if (Object.keys(labels).length > 0) {
    if (!net.Labels || Object.keys(net.Labels).length === 0) add('labels', labels, net.Labels ?? null);
    else for (const [k, v] of Object.entries(labels)) if (!(k in net.Labels) || v !== net.Labels[k]) add(`labels.${k}`, v, net.Labels[k] ?? null);
  }
  return out;
}

/** The body of POST /networks/create, as create_network sends it. */
export function createBody(args: DockerNetworkArgs): Record<string, unknown> {
  const body: Record<string, unknown> = { Name: args.name, Driver: args.driver ?? 'bridge', Options: dockerApiOptions(args.driver_options ?? {}) };
  if (args.enable_ipv6) body.EnableIPv6 = true;
  if (args.internal) body.Internal = true;
  if (args.scope !== undefined) body.Scope = args.scope;
  if (args.attachable !== undefined) body.Attachable = args.attachable;
  body.Labels = args.labels ?? {};
  const pools = (args.ipam_config ?? []).map((p) => ({
    Subnet: p.subnet ?? null,
    IPRange: p.iprange ?? null,
    Gateway: p.gateway ?? null,
    AuxiliaryAddresses: p.aux_addresses ?? null,
  }));
  const ipamOptions = args.ipam_driver_options ?? {};
  if (args.ipam_driver || Object.keys(ipamOptions).length > 0 || pools.length > 0)
    body.IPAM = { Driver: args.ipam_driver ?? null, Config: pools, Options: args.ipam_driver_options ?? null };
  return body;
}

/** validate_cidr: an IPv4 or IPv6 subnet with its prefix length. */
export function validCidr(cidr: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr) || /^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr);
}

/** get_network(name=): the network of exactly that name, inspected. */
async function existingNetwork(api: EngineApi, name: string): Promise<Network | undefined> {
  const list = (await getDocument(api, '/networks', { filters: JSON.stringify({ name: [name] }) })) as Network[] | undefined;
  const found = (list ?? []).find((n) => n.Name === name);
  if (!found) return undefined;
  return (await getDocument(api, `/networks/${encodeURIComponent(found.Id)}`)) as Network | undefined;
}

export const dockerNetwork = controllerModule<DockerNetworkArgs>(dockerNetworkModule, async (args, ctx) => {
  for (const pool of args.ipam_config ?? [])
    if (typeof pool.subnet !== 'string' || !validCidr(pool.subnet)) throw new ModuleFailure(`Invalid CIDR format: ${String(pool.subnet ?? 'None')}`);
  const api = await engineApiOf(ctx, 'docker_network');
  const name = args.name;
  const driver = args.driver ?? 'bridge';
  let existing = await existingNetwork(api, name);
  const actions: string[] = [];
  let changed = false;
  const removeNetwork = async () => {
    if (!existing) return;
    for (const c of Object.values(existing.Containers ?? {})) {
      if (!ctx.check) {
        const r = await api.request('POST', `/networks/${encodeURIComponent(name)}/disconnect`, { body: { Container: c.Name } });
        if (r.status >= 300) throw new ModuleFailure(engineMessage(r.body));
      }
      actions.push(`Disconnected container ${c.Name}`);
    }
    if (!ctx.check) {
      const r = await api.request('DELETE', `/networks/${encodeURIComponent(name)}`);
      if (r.status >= 300) throw new ModuleFailure(engineMessage(r.body));
    }
    actions.push(`Removed network ${name}`);
    changed = true;
  };
  const data: Record<string, unknown> = {};
  if ((args.state ?? 'present') === 'absent') {
    await removeNetwork();
    if (ctx.check) data.diff = {};
  } else {
    const differences = existing ? networkDifferences(args, existing) : [];
    if (args.force || differences.length > 0) {
      await removeNetwork();
      existing = undefined;
    }
    if (!existing) {
      if (!ctx.check) {
        const r = await api.request('POST', '/networks/create', { body: createBody(args) });
        if (r.status >= 300) throw new ModuleFailure(engineMessage(r.body));
      }
      actions.push(`Created network ${name} with driver ${driver}`);
      changed = true;
    }
    if (ctx.check) data.diff = { differences: differences.map((d) => d.item) };
    data.network = (await existingNetwork(api, name)) ?? null;
  }
  if (ctx.check || args.state === 'absent') data.actions = actions;
  if (changed && !ctx.check) ctx.invalidateFacts();
  return { status: changed ? 'changed' : 'ok', msg: changed ? actions.join('; ') : `network ${name} ${args.state ?? 'present'}`, bytes: 0, data };
});
