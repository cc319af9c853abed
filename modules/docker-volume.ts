// community.docker.docker_volume on hound's engine: the volume found in Docker's list by name,
// created (POST /volumes/create) or removed, recreated when `recreate` says so, as the module
// does; registers `volume` (its entry in the list), `actions` (in check mode, or for absent) and, in check mode, `diff`.
import { dockerVolumeModule } from './collection-schemas.js';
import { engineApiOf, engineMessage, getDocument } from './docker-engine.js';
import { ModuleFailure, controllerModule } from './implementation.js';
import type { EngineApi } from '../runtime/types.js';

export interface DockerVolumeArgs {
  volume_name: string;
  state?: 'present' | 'absent';
  driver?: string;
  driver_options?: Record<string, unknown>;
  labels?: Record<string, unknown>;
  recreate?: 'always' | 'never' | 'options-changed';
}

type Volume = Record<string, unknown> & { Name: string; Driver?: string; Options?: Record<string, unknown> | null; Labels?: Record<string, unknown> | null };

async function existingVolume(api: EngineApi, name: string): Promise<Volume | undefined> {
  const list = (await getDocument(api, '/volumes')) as { Volumes?: Volume[] | null } | undefined;
  return (list?.Volumes ?? []).find((v) => v.Name === name);
}

/** has_different_config: the driver, each driver option and each label the task gives, against the volume. */
export function volumeDifferences(args: DockerVolumeArgs, volume: Volume): { item: string; parameter: unknown; active: unknown }[] {
  const out: { item: string; parameter: unknown; active: unknown }[] = [];
  const driver = args.driver ?? 'local';
  if (driver && driver !== volume.Driver) out.push({ item: 'driver', parameter: driver, active: volume.Driver });
  const options = args.driver_options ?? {};
  if (Object.keys(options).length > 0) {
    if (!volume.Options || Object.keys(volume.Options).length === 0) out.push({ item: 'driver_options', parameter: options, active: volume.Options ?? null });
    else
      for (const [key, value] of Object.entries(options))
        if (!volume.Options[key] || value !== volume.Options[key])
          out.push({ item: `driver_options.${key}`, parameter: value, active: volume.Options[key] ?? null });
  }
  if (args.labels && Object.keys(args.labels).length > 0) {
    const labels = volume.Labels ?? {};
    for (const [key, value] of Object.entries(args.labels))
      if (labels[key] !== value) out.push({ item: `labels.${key}`, parameter: value, active: labels[key] ?? null });
  }
  return out;
}

export const dockerVolume = controllerModule<DockerVolumeArgs>(dockerVolumeModule, async (args, ctx) => {
  const api = await engineApiOf(ctx, 'docker_volume');
  const name = args.volume_name;
  const driver = args.driver ?? 'local';
  let existing = await existingVolume(api, name);
  const actions: string[] = [];
  let changed = false;
  const removeVolume = async () => {
    if (!existing) return;
    if (!ctx.check) {
      const r = await api.request('DELETE', `/volumes/${encodeURIComponent(name)}`);
      if (r.status >= 300) throw new ModuleFailure(engineMessage(r.body));
    }
    actions.push(`Removed volume ${name}`);
    changed = true;
  };
  const data: Record<string, unknown> = {};
  if ((args.state ?? 'present') === 'absent') {
    await removeVolume();
    if (ctx.check) data.diff = {};
  } else {
    const differences = existing ? volumeDifferences(args, existing) : [];
    if ((differences.length > 0 && args.recreate === 'options-changed') || args.recreate === 'always') {
      await removeVolume();
      existing = undefined;
    }
    if (!existing) {
      if (!ctx.check) {
        const body: Record<string, unknown> = { Name: name, Driver: driver, DriverOpts: args.driver_options ?? {} };
        if (args.labels !== undefined && args.labels !== null) body.Labels = args.labels;
        const r = await api.request('POST', '/volumes/create', { body });
        if (r.status >= 300) throw new ModuleFailure(engineMessage(r.body));
      }
      actions.push(`Created volume ${name} with driver ${driver}`);
      changed = true;
    }
    // The module's legacy diff list: the names of what differs.
    if (ctx.check) data.diff = { differences: differences.map((d) => d.item) };
    data.volume = (await existingVolume(api, name)) ?? null;
  }
  // The module drops `actions` only after a present() outside check mode.
  if (ctx.check || args.state === 'absent') data.actions = actions;
  if (changed && !ctx.check) ctx.invalidateFacts();
  return { status: changed ? 'changed' : 'ok', msg: changed ? actions.join('; ') : `volume ${name} ${args.state ?? 'present'}`, bytes: 0, data };
});
