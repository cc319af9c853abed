// community.docker.docker_host_info on hound's engine: `host_info` (Docker's GET /info, as
// `docker system info` shows it), and on request lists of containers, images, networks and
// volumes (with Docker's filters; the module's short records unless verbose_output) and the
// disk usage, as the module returns them.
import { dockerHostInfoModule } from './collection-schemas.js';
import { convertFilters, engineApiOf, getDocument } from './docker-engine.js';
import { controllerModule } from './implementation.js';
import type { EngineApi } from '../runtime/types.js';

export interface DockerHostInfoArgs {
  containers?: boolean;
  containers_all?: boolean;
  containers_filters?: Record<string, unknown>;
  images?: boolean;
  images_filters?: Record<string, unknown>;
  networks?: boolean;
  networks_filters?: Record<string, unknown>;
  volumes?: boolean;
  volumes_filters?: Record<string, unknown>;
  disk_usage?: boolean;
  verbose_output?: boolean;
}

type Listed = 'containers' | 'images' | 'networks' | 'volumes';

/** The keys the module keeps of each object when verbose_output is off. */
const SHORT_RECORDS: Record<Listed, string[]> = {
  containers: ['Id', 'Image', 'Command', 'Created', 'Status', 'Ports', 'Names'],
  images: ['Id', 'RepoTags', 'Created', 'Size'],
  networks: ['Id', 'Driver', 'Name', 'Scope'],
  volumes: ['Driver', 'Name'],
};

async function list(api: EngineApi, what: Listed, args: DockerHostInfoArgs): Promise<Record<string, unknown>[]> {
  const filters = args[`${what}_filters`];
  const query: Record<string, string> = {};
  if (what === 'containers') Object.assign(query, { limit: '-1', all: args.containers_all ? '1' : '0', size: '0', trunc_cmd: '0' });
  if (what === 'images') Object.assign(query, { only_ids: '0', all: '0' });
  if (filters && Object.keys(filters).length > 0) query.filters = convertFilters(filters);
  else if (what === 'networks') query.filters = '{}';
  const path = what === 'containers' ? '/containers/json' : what === 'images' ? '/images/json' : `/${what}`;
  const answer = (await getDocument(api, path, query)) ?? [];
  const items = (what === 'volumes' ? ((answer as { Volumes?: unknown[] }).Volumes ?? []) : answer) as Record<string, unknown>[];
  if (args.verbose_output) return items;
  return items.map((item) => Object.fromEntries(SHORT_RECORDS[what].map((key) => [key, item[key] ?? null])));
}

export const dockerHostInfo = controllerModule<DockerHostInfoArgs>(dockerHostInfoModule, async (args, ctx) => {
  const api = await engineApiOf(ctx, 'docker_host_info');
  const data: Record<string, unknown> = { host_info: await getDocument(api, '/info') };
  if (args.disk_usage) {
    const df = (await getDocument(api, '/system/df')) as Record<string, unknown>;
    data.disk_usage = args.verbose_output ? df : { LayersSize: df.LayersSize };
  }
  for (const what of ['volumes', 'networks', 'containers', 'images'] as const) if (args[what]) data[what] = await list(api, what, args);
  return { status: 'ok', msg: `Docker ${(data.host_info as { ServerVersion?: string }).ServerVersion ?? ''} on ${ctx.host}`, bytes: 0, data };
});
