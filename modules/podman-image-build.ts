// podman_image's build (`path`) and push (`push: true`), as containers.podman 1.10.2's module
// does them: the node's own `podman build` / `podman push`, run over SSH as the login user (the
// user whose podman storage the module would use). The words follow the module's build_image
// and push_image, but for credentials: the module passes `--creds user:password` on the command
// line; hound never puts a secret on a command line, so username/password go into a temporary
// auth file on the node (mktemp: mode 0600, removed when the command ends, written from stdin)
// passed as `--authfile`. `auth_file` is passed as `--authfile` as the module does.
import { parseImageRef } from '../base/image-ref.js';
import { shlexQuote, shlexSplit } from '../base/shlex.js';
import { ModuleFailure, type ModuleContext } from './implementation.js';
import { pythonString } from './docker-image-build.js';

/** containers.podman 1.10.2's `build` options (its defaults: format oci, cache true, rm true, force_rm false). */
export interface PodmanBuildOptions {
  annotation?: Record<string, unknown>;
  force_rm?: boolean;
  file?: string;
  format?: 'oci' | 'docker';
  cache?: boolean;
  rm?: boolean;
  volume?: string[];
  extra_args?: string;
}

/** containers.podman 1.10.2's `push_args`. */
export interface PodmanPushArgs {
  compress?: boolean;
  format?: 'oci' | 'v2s1' | 'v2s2';
  remove_signatures?: boolean;
  sign_by?: string;
  dest?: string;
  destination?: string;
  transport?: 'dir' | 'docker-archive' | 'docker-daemon' | 'oci-archive' | 'ostree';
}

/** Where the auth file goes: the module's `auth_file`, or the temporary file hound writes (the shell word `"$t"`). */
export type AuthFile = { path: string } | { temporary: true } | undefined;

/** The word for --authfile: a path is quoted, the temporary file is the shell's "$t". */
const TEMPORARY_AUTHFILE = '\0authfile';

function tlsWords(validateCerts: boolean | undefined): string[] {
  if (validateCerts === undefined) return [];
  return [validateCerts ? '--tls-verify' : '--tls-verify=false'];
}

function authWords(auth: AuthFile): string[] {
  if (!auth) return [];
  return ['--authfile', 'path' in auth ? auth.path : TEMPORARY_AUTHFILE];
}

/** The module's build_image words (after `podman`), in its order. */
export function podmanBuildArgv(imageName: string, path: string, build: PodmanBuildOptions, validateCerts?: boolean, auth?: AuthFile): string[] {
  const argv = ['build', '-t', imageName, ...tlsWords(validateCerts)];
  for (const [k, v] of Object.entries(build.annotation ?? {})) argv.push('--annotation', `${k}=${pythonString(v)}`);
  if (build.force_rm) argv.push('--force-rm');
  argv.push('--format', build.format ?? 'oci');
  if (build.cache === false) argv.push('--no-cache');
  if (build.rm ?? true) argv.push('--rm');
  if (build.file) argv.push('--file', build.file);
  for (const v of build.volume ?? []) argv.push('--volume', v);
  argv.push(...authWords(auth));
  if (build.extra_args) argv.push(...shlexSplit(build.extra_args));
  argv.push(path);
  return argv;
}

/**
 * The push destination as the module builds it: `dest` without the image's name and tag (the
 * module warns when it takes them off), without a trailing '/', in the transport's form, and
 * only when the name has no registry in it; undefined when the name is pushed as it is.
 */
export function podmanPushDestination(name: string, tag: string, imageName: string, pushArgs: PodmanPushArgs): { dest?: string; warning?: string } {
  let dest = pushArgs.dest ?? pushArgs.destination;
  let warning: string | undefined;
  if (!dest) {
    if (!name.includes('/'))
      throw new ModuleFailure("'push_args['dest']' is required when pushing images that do not have the remote registry in the image name");
  } else {
    const regexp = new RegExp(`/${name}(:${tag})?`);
    if (regexp.test(dest)) {
      dest = dest.replace(regexp, '');
      warning = `Image name and tag are automatically added to push_args['dest']. Destination changed to ${dest}`;
    }
  }
  if (dest?.endsWith('/')) dest = dest.slice(0, -1);
  const transport = pushArgs.transport;
  let formatted = `${dest}/${imageName}`;
  if (transport) {
    if (!dest) throw new ModuleFailure("'push_args['transport'] requires 'push_args['dest'] but it was not provided.");
    formatted = transport === 'ostree' ? `${transport}:${name}@${dest}` : `${transport}:${dest}`;
  }
  return { dest: name.includes('/') ? undefined : formatted, warning };
}

/** The module's push_image words (after `podman`). */
export function podmanPushArgv(
  imageName: string,
  destination: string | undefined,
  pushArgs: PodmanPushArgs,
  validateCerts?: boolean,
  auth?: AuthFile,
): string[] {
  const argv = ['push', ...tlsWords(validateCerts), ...authWords(auth)];
  if (pushArgs.compress) argv.push('--compress');
  if (pushArgs.format) argv.push('--format', pushArgs.format);
  if (pushArgs.remove_signatures) argv.push('--remove-signatures');
  if (pushArgs.sign_by) argv.push('--sign-by', pushArgs.sign_by);
  argv.push(imageName);
  if (destination !== undefined) argv.push(destination);
  return argv;
}

/** The registry a push goes to (for the credentials' auth file): dest's, or the name's; undefined for a transport that is no registry. */
export function pushRegistry(name: string, pushArgs: PodmanPushArgs): string | undefined {
  if (pushArgs.transport) return undefined;
  const dest = pushArgs.dest ?? pushArgs.destination;
  return parseImageRef(dest ? `${dest.replace(/\/+$/, '')}/x` : name).domain;
}

/** containers-auth.json with one registry's credentials, as `podman login` writes it. */
export function authFileContent(registry: string, username: string, password: string): string {
  return `${JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } })}\n`;
}

/** The shell line for `podman ARGV`: with `authJson`, written to a mktemp file (0600) from stdin first and removed when the line ends. */
export function podmanLine(argv: string[], withTemporaryAuth: boolean): string {
  const words = ['podman', ...argv].map((w) => (w === TEMPORARY_AUTHFILE ? '"$t"' : shlexQuote(w))).join(' ');
  if (!withTemporaryAuth) return words;
  return `t=$(mktemp) || exit 125; trap 'rm -f "$t"' EXIT; cat > "$t" || exit 125; ${words}`;
}

/** Runs `podman ARGV` on the node; `authJson` (a secret) is the temporary auth file's content. */
export async function runPodman(ctx: ModuleContext, argv: string[], authJson?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const conn = await ctx.connection();
  const line = podmanLine(argv, authJson !== undefined);
  const shown = ['podman', ...argv].map((w) => (w === TEMPORARY_AUTHFILE ? '<temporary auth file>' : shlexQuote(w))).join(' ');
  ctx.detail(3, `exec: ${shown}`);
  const r = await conn.exec(line, { signal: ctx.signal, stdin: authJson, shownAs: shown });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}
