// `registry_login`: credentials for one registry, kept in the run's credential store and
// handed to later pulls from that registry. The password never leaves the store: the
// result shows the registry and the username only, and the value is registered as a secret.
// `from_docker_config` takes them where the docker CLI would: a credential helper
// (credHelpers, credsStore) run on the controller, else the config's `auths`.
import type { RegistryAuth } from '../transport/types.js';
import { dockerConfigCredentials, dockerConfigPath, normaliseRegistryHost } from '../transport/docker-config.js';
import { HoundError } from '../base/errors.js';
import { registerCredentials, registerSecret } from '../base/secrets.js';
import { registryLoginModule } from './schemas.js';
import { ModuleFailure, controllerModule } from './implementation.js';

export interface RegistryLoginArgs {
  registry: string;
  username?: string;
  password?: string;
  password_env?: string;
  from_docker_config?: boolean;
}

export const registryLogin = controllerModule<RegistryLoginArgs>(registryLoginModule, async (args, ctx) => {
  const serverAddress = normaliseRegistryHost(args.registry);
  let auth: RegistryAuth;
  if (args.from_docker_config) {
    const found = await dockerConfigCredentials(serverAddress, { onSecret: (value) => ctx.addSecret(value) }).catch((err: unknown) => {
      throw new ModuleFailure(err instanceof HoundError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String(err));
    });
    if (!found) throw new ModuleFailure(`no Docker config at ${dockerConfigPath()} to take the credentials for ${serverAddress} from`);
    if (!found.auth)
      throw new ModuleFailure(
        `no credentials for ${serverAddress} in ${found.source} (log in with \`docker login ${serverAddress}\`, or give username and password)`,
      );
    auth = found.auth;
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
  // For the whole process too, with `user:password` (what a Basic Authorization header carries, base64).
  registerCredentials(auth.username, auth.password);
  registerSecret(auth.identityToken);
  ctx.credentials.set(auth);
  return {
    status: 'ok',
    msg: `credentials for ${serverAddress}${auth.username ? ` as ${auth.username}` : ''}`,
    bytes: 0,
    data: { registry: serverAddress, username: auth.username },
  };
});
