// Module names to implementations. Every definition in schemas.ts (and collection-schemas.ts)
// has one here; modules/names.ts says which names a task may write for each.
import type { AnyModule } from './implementation.js';
import { image } from './image.js';
import { images } from './images.js';
import { registryLogin } from './registry-login.js';
import { load } from './load.js';
import { command } from './command.js';
import { shell } from './shell.js';
import { raw } from './raw.js';
import { debug } from './debug.js';
import { setFact } from './set-fact.js';
import { fail } from './fail.js';
import { assert } from './assert.js';
import { stat } from './stat.js';
import { waitFor } from './wait-for.js';
import { pause } from './pause.js';
import { ping } from './ping.js';
import { meta } from './meta.js';
import { includeVars } from './include-vars.js';
import { dockerImage } from './docker-image.js';
import { dockerImagePull } from './docker-image-pull.js';
import { dockerImageRemove } from './docker-image-remove.js';
import { dockerImageInfo } from './docker-image-info.js';
import { dockerLogin } from './docker-login.js';
import { dockerHostInfo } from './docker-host-info.js';
import { dockerContainer } from './docker-container.js';
import { dockerVolume } from './docker-volume.js';
import { dockerNetwork } from './docker-network.js';
import { dockerImageBuild } from './docker-image-build-module.js';
import { podmanImage } from './podman-image.js';
import { podmanLogin } from './podman-login.js';
import { asyncStatus } from './async-status.js';
import { setup } from './setup.js';
import { copy } from './copy.js';
import { template } from './template.js';
import { file } from './file.js';
import { lineinfile } from './lineinfile.js';
import { blockinfile } from './blockinfile.js';
import { service, systemd, systemdService } from './systemd.js';
import { synchronize } from './synchronize.js';
import { apt } from './apt.js';
import { aptKey } from './apt-key.js';
import { aptRepository } from './apt-repository.js';
import { dnf, yum } from './dnf.js';
import { packageManager } from './package.js';
import { git } from './git.js';

const MODULES: ReadonlyMap<string, AnyModule> = new Map<string, AnyModule>(
  [
    image,
    images,
    registryLogin,
    load,
    command,
    shell,
    raw,
    debug,
    setFact,
    fail,
    assert,
    stat,
    waitFor,
    pause,
    ping,
    meta,
    includeVars,
    dockerImage,
    dockerImagePull,
    dockerImageRemove,
    dockerImageInfo,
    dockerLogin,
    dockerHostInfo,
    dockerContainer,
    dockerVolume,
    dockerNetwork,
    dockerImageBuild,
    podmanImage,
    podmanLogin,
    asyncStatus,
    setup,
    copy,
    template,
    file,
    lineinfile,
    blockinfile,
    service,
    systemd,
    systemdService,
    synchronize,
    apt,
    aptKey,
    aptRepository,
    dnf,
    yum,
    packageManager,
    git,
  ].map((m) => [m.definition.name, m]),
);

export function findModule(name: string): AnyModule | undefined {
  return MODULES.get(name);
}

export function moduleNames(): string[] {
  return [...MODULES.keys()];
}
