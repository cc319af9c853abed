// `registry_login`: credentials for one registry, kept in the run's credential store and
// handed to later pulls from that registry. The password never leaves the store: the
// result shows the registry and the username only, and the value is registered as a secret.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth } from '../transport/types.js';
import { registryLoginModule } from './schemas.js';
import { ModuleFailure, type ControllerModule } from './implementation.js';

export interface RegistryLoginArgs {
  registry: string;
  username?: string;
  password?: string;
  password_env?: string;
  from_docker_config?: boolean;
}

/** host[:port] the way image references name it; Docker Hub's many spellings become docker.io. */
export function normaliseRegistry(registry: string): string {
  const host = registry
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host) ? 'docker.io' : host;
}

interface DockerConfigAuth {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** Credentials for `registry` from a Docker config.json (auths only; credential helpers are not run). */
export function authFromDockerConfig(
  config: { auths?: Record<string, DockerConfigAuth>; credsStore?: string; credHelpers?: Record<string, string> },
  registry: string,
): Omit<RegistryAuth, 'serverAddress'> | undefined {
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (normaliseRegistry(key) !== registry) continue;
    if (entry.identitytoken) return { identityToken: entry.identitytoken, username: entry.username };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  }
  return undefined;
}

async function readDockerConfig(): Promise<Parameters<typeof authFromDockerConfig>[0]> {
  const path = join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ModuleFailure(`cannot read Docker credentials from ${path}: ${(err as Error).message}`);
  }
}

export const registryLogin: ControllerModule<RegistryLoginArgs> = {
  kind: 'controller',
  definition: registryLoginModule,

  async run(args, ctx) {
    const serverAddress = normaliseRegistry(args.registry);
    let auth: RegistryAuth;
    if (args.from_docker_config) {
      const found = authFromDockerConfig(await readDockerConfig(), serverAddress);
      if (!found)
        throw new ModuleFailure(
          `no credentials for ${serverAddress} in the Docker config (credential helpers are not supported; log in with \`docker login ${serverAddress}\` without a credsStore, or give username and password)`,
        );
      auth = { ...found, serverAddress };
    } else {
      let password = args.password;
      if (args.password_env !== undefined) {
        password = process.env[args.password_env];
        if (password === undefined) throw new ModuleFailure(`password_env: the environment variable ${args.password_env} is not set on the controller`);
      }
      if (args.username === undefined || password === undefined) {
        throw new ModuleFailure(`registry_login for ${serverAddress} needs username with password or password_env, or from_docker_config: true`);
      }
      auth = { username: args.username, password, serverAddress };
    }
    ctx.addSecret(auth.password);
    ctx.addSecret(auth.identityToken);
    ctx.credentials.set(auth);
    return {
      status: 'ok',
      msg: `credentials for ${serverAddress}${auth.username ? ` as ${auth.username}` : ''}`,
      bytes: 0,
      data: { registry: serverAddress, username: auth.username },
    };
  },
};
