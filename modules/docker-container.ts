// community.docker.docker_container on hound's engine, through the node's Docker Engine API as
// the module's Docker API engine goes: find the container by name, bring its image (pull when
// missing or `pull: true`), create it when absent, recreate it when the task's options or the
// image differ (or `recreate`), update its restart policy in place, then start, restart, stop
// or remove it. Registers `container` (Docker's inspect data) and, in check mode, `actions`.
import { dockerContainerModule } from './collection-schemas.js';
import { engineApiOf, engineMessage, findImage, findImageById, getDocument, isImageId, parseRepositoryTag, type InspectDocument } from './docker-engine.js';
import { pullImage } from './docker-image.js';
import {
  containerDifferences,
  createParameters,
  desiredContainer,
  updateParameters,
  type ContainerInspect,
  type DockerContainerArgs,
} from './docker-container-config.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import type { EngineApi } from '../runtime/types.js';
import { sleep } from '../base/sleep.js';

/** What a run of the module did, as its `results` (`actions` registered in check mode only, as the module pops them otherwise). */
interface Results {
  changed: boolean;
  actions: Record<string, unknown>[];
  bytes: number;
}

async function inspectContainer(api: EngineApi, nameOrId: string): Promise<ContainerInspect | undefined> {
  return (await getDocument(api, `/containers/${encodeURIComponent(nameOrId)}/json`)) as ContainerInspect | undefined;
}

async function call(api: EngineApi, method: 'POST' | 'DELETE', path: string, what: string, query?: Record<string, string>, body?: unknown): Promise<unknown> {
  const r = await api.request(method, path, { query, body });
  if (r.status >= 300) throw new ModuleFailure(`${what}: ${engineMessage(r.body)}`);
  return r.body;
}

const isRunning = (c: ContainerInspect | undefined) => c?.State?.Running === true && c.State.Ghost !== true;

/** _get_image: the image the task names (pulled when missing, or always with `pull`), undefined without `image`. */
async function taskImage(args: DockerContainerArgs, ctx: ModuleContext, api: EngineApi, r: Results): Promise<InspectDocument | undefined> {
  if (!args.image) return undefined;
  if (isImageId(args.image)) return findImageById(api, args.image);
  const [repository, written] = parseRepositoryTag(args.image);
  const tag = written || 'latest';
  let image = await findImage(api, repository, tag);
  if (image && !args.pull) return image;
  if (ctx.check) {
    // The module claims a pull only for a missing image (one present is taken as already latest).
    if (!image) {
      r.changed = true;
      r.actions.push({ pulled_image: `${repository}:${tag}` });
    }
    return image;
  }
  const before = image?.Id;
  r.bytes += (await pullImage(ctx, repository, tag, undefined)).bytes;
  image = await findImage(api, repository, tag);
  if (image?.Id !== before) {
    r.changed = true;
    r.actions.push({ pulled_image: `${repository}:${tag}` });
  }
  return image;
}

async function stop(args: DockerContainerArgs, ctx: ModuleContext, api: EngineApi, id: string, r: Results): Promise<void> {
  r.changed = true;
  if (args.force_kill) {
    r.actions.push({ killed: id, signal: args.kill_signal ?? null });
    if (!ctx.check) await call(api, 'POST', `/containers/${id}/kill`, `Error killing container ${id}`, args.kill_signal ? { signal: args.kill_signal } : {});
    return;
  }
  r.actions.push({ stopped: id, timeout: args.stop_timeout ?? null });
  if (!ctx.check)
    await call(api, 'POST', `/containers/${id}/stop`, `Error stopping container ${id}`, args.stop_timeout ? { t: String(args.stop_timeout) } : {});
}

async function remove(args: DockerContainerArgs, ctx: ModuleContext, api: EngineApi, id: string, r: Results): Promise<void> {
  const removeVolumes = args.keep_volumes === false;
  r.changed = true;
  r.actions.push({ removed: id, volume_state: removeVolumes, link: false, force: false });
  if (ctx.check) return;
  const answer = await api.request('DELETE', `/containers/${id}`, { query: { v: String(removeVolumes), link: 'false', force: 'false' } });
  if (answer.status >= 300 && answer.status !== 404) throw new ModuleFailure(`Error removing container ${id}: ${engineMessage(answer.body)}`);
  // Docker removes asynchronously after a stop (state "removing"): wait until it is gone, as wait_for_state does.
  for (let i = 0; i < 100 && (await inspectContainer(api, id))?.State?.Status === 'removing'; i++) await sleep(100, ctx.signal);
}

async function create(args: DockerContainerArgs, ctx: ModuleContext, api: EngineApi, image: string, r: Results): Promise<ContainerInspect | undefined> {
  const parameters = createParameters(image, desiredContainer(args));
  r.changed = true;
  r.actions.push({ created: 'Created container', create_parameters: parameters });
  if (ctx.check) return undefined;
  const made = (await call(api, 'POST', '/containers/create', 'Error creating container', { name: args.name }, parameters)) as { Id: string };
  return inspectContainer(api, made.Id);
}

async function present(args: DockerContainerArgs, ctx: ModuleContext, api: EngineApi, r: Results): Promise<ContainerInspect | undefined> {
  const state = args.state ?? 'started';
  let container = await inspectContainer(api, args.name);
  const image = await taskImage(args, ctx, api, r);
  const desired = desiredContainer(args);
  if (!container || container.State?.Status === 'removing') {
    if (!args.image) throw new ModuleFailure('Cannot create container when image is not specified!');
    container = await create(args, ctx, api, args.image, r);
  } else {
    const { recreate } = containerDifferences(desired, container, image);
    const imageDifferent = image?.Id !== undefined && container.Image !== undefined && image.Id !== container.Image;
    const nameMismatch = args.image_name_mismatch === 'recreate' && args.image !== undefined && args.image !== container.Config?.Image;
    if (recreate.length > 0 || imageDifferent || nameMismatch || args.recreate) {
      const imageToUse = args.image ?? container.Image;
      if (!imageToUse) throw new ModuleFailure('Cannot recreate container when image is not specified or cannot be extracted from current container!');
      if (isRunning(container)) await stop(args, ctx, api, container.Id, r);
      await remove(args, ctx, api, container.Id, r);
      // In check mode nothing was made: the module goes on with the container there.
      container = (await create(args, ctx, api, imageToUse, r)) ?? container;
    }
  }
  if (!container) return undefined;
  // update_limits: a restart policy that differs is changed in place (not claimed in check mode, as the module does not).
  if (containerDifferences(desired, container, image).update.length > 0 && !ctx.check) {
    const update = updateParameters(desired);
    r.changed = true;
    r.actions.push({ updated: container.Id, update_parameters: update });
    await call(api, 'POST', `/containers/${container.Id}/update`, `Error updating container ${container.Id}`, undefined, update);
    container = await inspectContainer(api, container.Id);
    if (!container) return undefined;
  }
  const id = container.Id;
  if (state === 'started' && !isRunning(container)) {
    r.changed = true;
    r.actions.push({ started: id });
    if (!ctx.check) await call(api, 'POST', `/containers/${id}/start`, `Error starting container ${id}`);
    container = await inspectContainer(api, id);
  } else if (state === 'started' && args.restart) {
    r.changed = true;
    r.actions.push({ restarted: id, timeout: args.stop_timeout ?? null });
    if (!ctx.check) await call(api, 'POST', `/containers/${id}/restart`, `Error restarting container ${id}`, { t: String(args.stop_timeout ?? 10) });
    container = await inspectContainer(api, id);
  } else if (state === 'stopped' && isRunning(container)) {
    await stop(args, ctx, api, id, r);
    container = await inspectContainer(api, id);
  }
  return container;
}

async function absent(args: DockerContainerArgs, ctx: ModuleContext, api: EngineApi, r: Results): Promise<void> {
  const container = await inspectContainer(api, args.name);
  if (!container) return;
  if (isRunning(container)) await stop(args, ctx, api, container.Id, r);
  await remove(args, ctx, api, container.Id, r);
}

export const dockerContainer = controllerModule<DockerContainerArgs>(dockerContainerModule, async (args, ctx) => {
  const api = await engineApiOf(ctx, 'docker_container');
  const state = args.state ?? 'started';
  if (state === 'present' && !args.image) throw new ModuleFailure('state is present but all of the following are missing: image');
  const r: Results = { changed: false, actions: [], bytes: 0 };
  const container = state === 'absent' ? (await absent(args, ctx, api, r), undefined) : await present(args, ctx, api, r);
  if (r.changed && !ctx.check) ctx.invalidateFacts();
  const data: Record<string, unknown> = {};
  if (ctx.check) data.actions = r.actions;
  if (container) data.container = container;
  const what = r.actions.map((a) => Object.keys(a)[0]).join(', ');
  return { status: r.changed ? 'changed' : 'ok', msg: r.changed ? `${args.name}: ${what}` : `${args.name} ${state}`, bytes: r.bytes, data };
});
