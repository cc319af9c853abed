// What a fan-out run does on the nodes themselves, all through their SSH connections and
// their own runtime's command line (the leftover survey lists containers through the Docker
// API the run holds over the same connection): start a seed (a registry container on a seed node),
// trust the seeds (certs.d, for the seed's address only), and take both away again, also
// what an earlier run left when hound was killed.
//
// Everything carries the run id: the container (label io.hound.fanout=RUN, name
// hound-seed-RUN), its files (/tmp/hound-fanout-RUN/NODE), each trust directory (a file
// hound-fanout-run holding RUN). A seed container (created with --rm, then started with
// `docker start --attach`) runs in the foreground of an SSH session under the stdin watcher
// (runtime/remote-command.ts): when hound dies the session ends, the watcher sends the
// `docker start` client SIGTERM (SIGKILL 5 s later if it is still there: a SIGTERM that comes
// before the container runs is passed on to nothing, and the client stays attached), and once
// the client has ended, however it ended, the session's script removes the container with its
// volume. The client's own signal proxy is
// not enough: since Docker CLI 27 a SIGTERM also cancels the client's context, and `docker
// start --attach` (unlike `docker run`, fixed in 27.0.x) may exit before its forwarding
// goroutine's kill request reaches dockerd, leaving the container running (seen with CLI
// 28.2.2: dockerd got no kill, and the seed ran on). What is left (trust files, the work
// dir, an image hound pulled for the seed, a container created but never started) is swept
// by the next fan-out run (surveyNode/removeLeftovers).
//
// Two runtimes run seeds (runtime/types.ts SeedHost), each trusting one without a restart:
// Docker through its command line on its socket, trusting a seed in /etc/docker/certs.d,
// which it reads at every pull; containerd through `ctr` in the CRI's namespace, trusting a
// seed in a hosts.toml under the CRI's config_path, which the CRI reads at every pull. On
// containerd the `ctr tasks start` client stands where `docker start --attach` does: it
// forwards the watcher's SIGTERM to the registry, and the session's script then removes the
// task and the container. (docs/distribution.md)
import { randomBytes } from 'node:crypto';
import type { HostConnection } from '../transport/types.js';
import type { NodeDocker, SeedHost } from '../runtime/types.js';
import { canonicalImageRef, parseImageRef } from '../base/image-ref.js';
import { watchedCommandLine } from '../runtime/remote-command.js';
import { SeedError } from './seed-client.js';
import { shlexQuote } from '../base/shlex.js';

export const FANOUT_LABEL = 'io.hound.fanout';
/** A run id (relay/fanout.ts): `f` and 10 hex digits. Only such names are ever swept. */
export const RUN_ID_PATTERN = /^f[0-9a-f]{10}$/;
const WORK_DIR_PREFIX = '/tmp/hound-fanout-';
/** A seed container as Docker names it (its id) or as containerd does (its name, which `ctr` takes as its id). */
const CONTAINER_ID_PATTERN = /^[0-9a-f]{12,64}$/;
const SEED_NAME_PATTERN = /^hound-seed-f[0-9a-f]{10}$/;
const TRUST_MARKER = 'hound-fanout-run';
/** Where the official registry image and the lab's read their config. */
const REGISTRY_CONFIG_PATH = '/etc/docker/registry/config.yml';

export interface SeedFiles {
  serverCertPem: string;
  serverKeyPem: string;
  caPem: string;
}

export interface TrustFiles {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export function seedContainerName(runId: string): string {
  return `hound-seed-${runId}`;
}

/**
 * The seed's files: /tmp/hound-fanout-RUN/NODE, a directory per node under the run's. Nodes
 * may share one /tmp (the lab's do: network namespaces over one filesystem), and with one
 * directory per run the seeds overwrote each other's config and certificate (4 seeds at 100
 * nodes: one failed with its config.yml gone, and its 25 nodes pulled through the relay; what
 * removed it was not found, and it has not recurred with a directory per node).
 */
function workDirOf(runId: string, host: string): string {
  return `${runDirOf(runId)}/${nodeDirName(host)}`;
}

function runDirOf(runId: string): string {
  return `${WORK_DIR_PREFIX}${runId}`;
}

/** The inventory name as one path component. */
export function nodeDirName(host: string): string {
  const name = host.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return /^\.*$/.test(name) ? `_${name}` : name;
}

/**
 * A shell line making the node's directory of the run (mode 700, by the umask). The run's
 * directory is made open to every user and sticky, as /tmp is: two hosts of the run may share
 * one /tmp as different users (a machine's root and rootless podman, or the lab's nodes, whose
 * /tmp is one), and each makes its own directory in it.
 */
function makeWorkDirLine(runId: string, host: string): string {
  return `{ mkdir -m 1777 ${shlexQuote(runDirOf(runId))} 2>/dev/null; umask 077; } && mkdir -p ${shlexQuote(workDirOf(runId, host))}`;
}

/** Removes the node's own directory of the run, then the run's if no other node's is left in it. */
function removeWorkDirLine(runId: string, host: string): string {
  return `rm -rf ${shlexQuote(workDirOf(runId, host))}; rmdir ${shlexQuote(runDirOf(runId))} 2>/dev/null`;
}

/**
 * The node's command line for its runtime: docker on its socket; ctr on containerd's socket in
 * the CRI's namespace; podman as the node's user, on that user's own storage, where the
 * runtime's service (runtime/podman) puts the seed image.
 */
function cliArgv(host: SeedHost): string[] {
  if (host.kind === 'docker') return ['docker', '-H', `unix://${host.socketPath}`];
  return host.kind === 'containerd' ? ['ctr', '--address', host.socketPath, '--namespace', host.namespace] : ['podman'];
}

function cli(host: SeedHost): string {
  return cliArgv(host).map(shlexQuote).join(' ');
}

/** Whether `id` names a seed container as the host's runtime does. */
function isSeedContainer(host: SeedHost, id: string): boolean {
  return (host.kind === 'containerd' ? SEED_NAME_PATTERN : CONTAINER_ID_PATTERN).test(id);
}

/**
 * The image as containerd's CRI and podman store it, which `ctr` needs in full
 * (docker.io/library/…, a tag, `latest` when none is given), and podman too (a short name
 * would go through its search registries); Docker takes what the user wrote.
 */
function runtimeImageName(host: SeedHost, image: string): string {
  if (host.kind === 'docker') return image;
  const ref = parseImageRef(image);
  return canonicalImageRef(
    ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref.tag !== undefined ? { ...ref, digest: undefined } : ref,
  );
}

/** The seed registry's config: TLS with the run's server certificate, client certificates required. */
export function seedRegistryConfig(listen: string, httpSecret: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    '    rootdirectory: /var/lib/registry',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${listen}`,
    `  secret: ${httpSecret}`,
    '  tls:',
    '    certificate: /tls/server.crt',
    '    key: /tls/server.key',
    '    clientcas:',
    '      - /tls/ca.crt',
    '',
  ].join('\n');
}

/**
 * A shell line writing `content` to `file` atomically (nodes that share /etc may write the same
 * file at once), created with `mode` through the shell's umask (left set for what follows)
 * rather than a `chmod`: every node writes four such files, and on the 50-node lab each
 * command started cost about 4 ms of CPU at the run's start.
 */
function writeFileLine(file: string, content: string, mode: '644' | '600'): string {
  const temp = `${file}.hound-tmp.${randomBytes(6).toString('hex')}`;
  const umask = (0o777 & ~parseInt(mode, 8)).toString(8).padStart(3, '0');
  return `umask ${umask} && printf '%s' ${shlexQuote(content)} > ${shlexQuote(temp)} && mv -f ${shlexQuote(temp)} ${shlexQuote(file)}`;
}

async function run(connection: HostConnection, command: string, what: string, shownAs?: string, options: { stdin?: string } = {}): Promise<string> {
  const result = await connection.exec(command, { shownAs, ...options });
  if (result.code !== 0) throw new SeedError(connection.host, `${what} failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(-300)}`);
  return result.stdout;
}

/** Writes the seed's config and TLS files into its work dir. */
export async function prepareSeedFiles(connection: HostConnection, runId: string, listen: string, httpSecret: string, files: SeedFiles): Promise<string> {
  const dir = workDirOf(runId, connection.host);
  const lines = [
    makeWorkDirLine(runId, connection.host),
    `mkdir -p ${shlexQuote(`${dir}/tls`)}`,
    writeFileLine(`${dir}/config.yml`, seedRegistryConfig(listen, httpSecret), '644'),
    writeFileLine(`${dir}/tls/server.crt`, files.serverCertPem, '644'),
    writeFileLine(`${dir}/tls/server.key`, files.serverKeyPem, '600'),
    writeFileLine(`${dir}/tls/ca.crt`, files.caPem, '644'),
  ];
  await run(connection, lines.join(' && '), 'writing the seed files', `write the seed's files into ${dir}`);
  return dir;
}

export interface RunningSeed {
  /** Settles when the container stops (with its output, for the log). */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  /** Ends the SSH session the container runs in (the watcher stops `docker start`); the container itself is removed by stopSeed. */
  detach(): void;
}

/**
 * Creates the seed's registry container, not started yet; resolves to what names it to the
 * runtime (Docker's and podman's id; on containerd its name). Creating and starting are two
 * commands so that once this resolves the container exists and nothing of this run can create another:
 * with one `docker run`, a run still creating its container under load when stopSeed removed
 * it went on to create and start it afterwards, recreating the removed work dir as the bind
 * mounts' sources. Docker's bind mounts are --mount, which refuses a missing source instead
 * of creating it as a directory as -v does (under ctr a missing source fails the task's start).
 *
 * On Docker the container is read-only and the registry stores into an anonymous volume,
 * removed with it; podman takes the same arguments (and `rm -v` removes its anonymous volume
 * too); ctr has no volumes, so on containerd the registry stores into the
 * container's own snapshot, which `ctr containers rm` removes with it.
 */
export async function createSeedContainer(connection: HostConnection, o: { runId: string; host: SeedHost; image: string; dir: string }): Promise<string> {
  const name = seedContainerName(o.runId);
  const label = `${FANOUT_LABEL}=${o.runId}`;
  const image = runtimeImageName(o.host, o.image);
  const argv =
    o.host.kind !== 'containerd'
      ? [
          'create',
          // podman's command may not see the storage of the service hound pulled the image
          // through (a service started on other storage): it fails then, instead of pulling
          // the image itself from its origin, without the run's credentials.
          ...(o.host.kind === 'podman' ? ['--pull', 'never'] : []),
          '--rm',
          '--name',
          name,
          '--label',
          label,
          '--network',
          'host',
          '--read-only',
          '--tmpfs',
          '/tmp',
          '--mount',
          'type=volume,target=/var/lib/registry',
          '--mount',
          `type=bind,source=${o.dir}/config.yml,target=${REGISTRY_CONFIG_PATH},readonly`,
          '--mount',
          `type=bind,source=${o.dir}/tls,target=/tls,readonly`,
          image,
        ]
      : [
          'containers',
          'create',
          '--net-host',
          '--label',
          label,
          '--mount',
          `type=bind,src=${o.dir}/config.yml,dst=${REGISTRY_CONFIG_PATH},options=rbind:ro`,
          '--mount',
          `type=bind,src=${o.dir}/tls,dst=/tls,options=rbind:ro`,
          image,
          name,
        ];
  const out = await run(
    connection,
    `${cli(o.host)} ${argv.map(shlexQuote).join(' ')}`,
    'creating the seed container',
    `${o.host.kind === 'containerd' ? 'ctr containers create' : `${o.host.kind} create --rm --name`} ${name} ${image} (fan-out seed)`,
  );
  if (o.host.kind === 'containerd') return name;
  const id = out.trim().split('\n').pop() ?? '';
  if (!CONTAINER_ID_PATTERN.test(id)) throw new SeedError(connection.host, `${o.host.kind} create did not print a container id: ${out.trim().slice(-200)}`);
  return id;
}

/**
 * What each runtime's removal says of a container that is not there, as a shell `case`
 * pattern (podman's `rm -f` succeeds then; without -f it says "no such container").
 */
const NO_SUCH_CONTAINER: Record<SeedHost['kind'], string> = { docker: `*'No such container'*`, podman: `*'no such container'*`, containerd: `*'not found'*` };

/**
 * A shell line removing a seed container (by name or id), on Docker with its volumes and on
 * containerd with its task and snapshot, until it is gone.
 */
function removeContainerLine(host: SeedHost, container: string): string {
  const c = shlexQuote(container);
  // Until the removal succeeds or the runtime says there is no such container, for up to
  // about 30 s. Not on an inspection's word: a busy daemon can fail that too, and the
  // container would be left. Docker: --rm's own removal may be under way ("removal ...
  // already in progress" is tried again). containerd: a container with a task is not
  // removed, so its task goes first (killed if it runs).
  const attempt =
    host.kind === 'containerd'
      ? `${cli(host)} tasks rm -f ${c} >/dev/null 2>&1; o=$(${cli(host)} containers rm ${c} 2>&1)`
      : `o=$(${cli(host)} rm -f -v ${c} 2>&1)`;
  return `n=0; until ${attempt}; do case "$o" in ${NO_SUCH_CONTAINER[host.kind]}) break;; esac; n=$((n+1)); [ $n -ge 150 ] && break; sleep 0.2; done`;
}

/**
 * Starts the created container in the foreground of an SSH session (see the header). Once the
 * client (`docker start --attach`, `ctr tasks start`) has ended, the session removes the
 * container by what names it (on Docker its id, not its name: a later attempt of the run
 * reuses the name).
 */
export function startSeedContainer(connection: HostConnection, o: { host: SeedHost; container: string }): RunningSeed {
  const session = new AbortController();
  const start = o.host.kind === 'containerd' ? ['tasks', 'start', o.container] : ['start', '--attach', o.container];
  const exited = connection
    .exec(watchedCommandLine([...cliArgv(o.host), ...start], removeContainerLine(o.host, o.container)), {
      holdStdin: true,
      signal: session.signal,
      shownAs: `${o.host.kind === 'containerd' ? 'ctr tasks start' : `${o.host.kind} start --attach`} ${o.container.slice(0, 22)} (fan-out seed)`,
    })
    .then((r) => ({ code: r.code, stderr: r.stderr }))
    .catch((error: unknown) => ({ code: null, stderr: error instanceof Error ? error.message : String(error) }));
  return { exited, detach: () => session.abort() };
}

/** Removes the run's seed container on this node, then its files. (The seed image, when the run pulled it, goes through the runtime's API.) */
export async function stopSeed(connection: HostConnection, o: { runId: string; host: SeedHost }): Promise<void> {
  const lines = [removeContainerLine(o.host, seedContainerName(o.runId)), removeWorkDirLine(o.runId, connection.host), 'true'];
  await run(connection, lines.join('; '), 'removing the seed', `remove fan-out seed ${seedContainerName(o.runId)}`);
}

/**
 * containerd's hosts.toml for one seed: HTTPS to it, the run's CA and client certificate
 * (the files beside it). Docker reads the same three files from its certs.d dir without one.
 */
export function seedHostsToml(seed: string, dir: string): string {
  const url = JSON.stringify(`https://${seed}`);
  return [
    `server = ${url}`,
    '',
    `[host.${url}]`,
    '  capabilities = ["pull", "resolve"]',
    `  ca = ${JSON.stringify(`${dir}/ca.crt`)}`,
    `  client = [[${JSON.stringify(`${dir}/client.cert`)}, ${JSON.stringify(`${dir}/client.key`)}]]`,
    '',
  ].join('\n');
}

/**
 * Where a node records the directories a run's trust created (the certs.d dir itself and its
 * missing parents, deepest first: a rootless user's ~/.config/containers/certs.d, say), so
 * that they go at the end, or in the next run's sweep after a crash, and the node is left as a
 * direct pull leaves it. In that certs.d dir, which the node's user owns (the lab's nodes
 * share /tmp, where a run's dir may be root's), beside the HOST:PORT dirs the runtimes read: a
 * plain file there is read by none of them.
 */
function createdDirsRecord(certsDir: string, runId: string): string {
  return `${certsDir}/${CREATED_DIRS_PREFIX}${runId}`;
}

const CREATED_DIRS_PREFIX = 'hound-fanout-created-';

/**
 * A shell line removing the directories a run's trust created on the node: the record first,
 * then each dir still empty, deepest first (a file put there since keeps its dir).
 */
function removeCreatedDirsLine(certsDir: string, runId: string): string {
  const record = shlexQuote(createdDirsRecord(certsDir, runId));
  return `if [ -f ${record} ]; then l=$(cat ${record}); rm -f ${record}; printf '%s\\n' "$l" | while IFS= read -r d; do rmdir -- "$d" 2>/dev/null; done; fi`;
}

/** Removes what a run's trust created on the node above its entries (see createdDirsRecord), once every seed's trust there is gone. */
export async function removeCreatedDirs(connection: HostConnection, runId: string, host: SeedHost): Promise<void> {
  await run(
    connection,
    `${removeCreatedDirsLine(host.certsDir, runId)}; true`,
    'removing the certs.d dirs the run created',
    `remove the dirs the run created for ${host.certsDir}`,
  );
}

/**
 * Trusts one seed address on this node: the run's CA and client certificate in the runtime's
 * certs.d/HOST:PORT (and, for containerd, a hosts.toml naming them). Resolves to whether it
 * created the certs.d dir (see createdDirsRecord).
 */
export async function writeSeedTrust(connection: HostConnection, runId: string, seed: string, files: TrustFiles, host: SeedHost): Promise<boolean> {
  const dir = `${host.certsDir}/${seed}`;
  const lines = [
    'umask 077',
    // The certs.d dir and each missing parent, deepest first, recorded once they are made.
    `c=$(p=${shlexQuote(host.certsDir)}; while [ ! -e "$p" ]; do printf '%s\\n' "$p"; p=$(dirname -- "$p"); done)`,
    `mkdir -p ${shlexQuote(dir)}`,
    `{ [ -z "$c" ] || { printf '%s\\n' "$c" >> ${shlexQuote(createdDirsRecord(host.certsDir, runId))} && echo created; }; }`,
    `chmod 755 ${shlexQuote(dir)}`,
    writeFileLine(`${dir}/${TRUST_MARKER}`, runId, '644'),
    writeFileLine(`${dir}/ca.crt`, files.caPem, '644'),
    writeFileLine(`${dir}/client.cert`, files.clientCertPem, '644'),
    writeFileLine(`${dir}/client.key`, files.clientKeyPem, '600'),
    // Last: containerd takes the dir as this host's config once the file is there.
    ...(host.kind === 'containerd' ? [writeFileLine(`${dir}/hosts.toml`, seedHostsToml(seed, dir), '644')] : []),
  ];
  const out = await run(connection, lines.join(' && '), `trusting seed ${seed}`, `trust fan-out seed ${seed} in ${dir}`);
  return out.trim() === 'created';
}

export async function removeSeedTrust(connection: HostConnection, seed: string, host: SeedHost): Promise<void> {
  const dir = `${host.certsDir}/${seed}`;
  await run(connection, `rm -rf ${shlexQuote(dir)}`, `removing the trust of seed ${seed}`, `remove ${dir}`);
}

// One line per item: `live RUN`, `container RUN ID` (created or stopped, never removed: a run
// killed between create and start; or running with no watcher), `dir RUN` (this node's
// directory of the run), `olddir RUN` (a run's directory as hound wrote it before there was
// one per node), `trust RUN HOST:PORT`, `image RUN REF`, `created RUN` (the run made this
// node's certs.d dir: createdDirsRecord).
//
// Seed containers are listed through the runtime's API the run already holds, not with the
// runtime's CLI on the node: on 50 nodes at once the command's start (a 40 MB Go binary) was
// most of the survey's CPU, at the run's start where the seeds wait for it. On Docker, the
// Engine API (on podman, the same calls of its service, whose states are Docker's); on
// containerd, whose CRI does not list what `ctr` made, its containers and tasks services in the
// CRI's namespace (where `ctr containers ls` and `ctr tasks ls` had cost two ctr starts per
// node). The states `docker ps` lists without -a (running, paused, restarting; a containerd
// task running, paused or pausing) are weighed as running seeds.
//
// A running seed belongs to a live run while its watcher (startSeedContainer's script, whose
// arguments are `hound-command` and the container's id) runs. One whose watcher has gone
// without removing it was orphaned, however that came about, and is swept with its run's
// files; so is any seed the next run finds so. The watcher starts before the container does
// (the client it watches is what starts it), so a live run's seed is never taken for an
// orphan. Where /proc does not show every process (hidepid), every running seed is live. The
// watcher is found by what grep prints, not its status: a process ending mid-scan is an error.
//
// The running seeds (`run RUN ID` lines) come in on the script's stdin, not in its text:
// the shell running the script has its text in its own command line, which holds
// `hound-command` too, so an id written there would always find a "watcher".
function surveyScript(node: string, host: SeedHost, anyRunning: boolean): string {
  const own = shlexQuote(nodeDirName(node));
  const weigh = `while read -r k r c; do case "$k" in run) if [ -r /proc/1/cmdline ] && [ -z "$(grep -lsaF hound-command /dev/null $(grep -lsaF "$c" /proc/[0-9]*/cmdline) 2>/dev/null)" ]; then echo "container $r $c"; else echo "live $r"; fi;; esac; done`;
  return [
    ...(anyRunning ? [weigh] : []),
    // The node's own directory of a run (a run's directory left empty counts as one), or a
    // run directory of the layout before per-node directories, with its files in it.
    `for d in ${WORK_DIR_PREFIX}f??????????; do [ -d "$d" ] || continue; r=\${d#${WORK_DIR_PREFIX}}; if [ -d "$d"/${own} ] || [ -z "$(ls -A "$d")" ]; then echo "dir $r"; [ -f "$d"/${own}/pulled-image ] && echo "image $r $(cat "$d"/${own}/pulled-image)"; elif [ -f "$d/config.yml" ] || [ -f "$d/pulled-image" ]; then echo "olddir $r"; [ -f "$d/pulled-image" ] && echo "image $r $(cat "$d/pulled-image")"; fi; done`,
    `for f in ${shlexQuote(host.certsDir)}/${CREATED_DIRS_PREFIX}f??????????; do [ -f "$f" ] || continue; echo "created \${f##*-}"; done`,
    `for m in ${shlexQuote(host.certsDir)}/*/${TRUST_MARKER}; do [ -f "$m" ] || continue; echo "trust $(cat "$m") $(basename "$(dirname "$m")")"; done`,
    'true',
  ].join('; ');
}

/**
 * What earlier fan-out runs left on the node: its seed containers (from `docker`, the node's
 * runtime: Docker's Engine API, podman's service, which speaks it too, or containerd's
 * containers and tasks in the CRI's namespace), files and trust.
 */
export async function surveyNode(
  connection: HostConnection,
  docker: Pick<NodeDocker, 'listContainers' | 'listContainersLabelled'>,
  host: SeedHost,
): Promise<{ live: Set<string>; items: string[] }> {
  const running: Array<{ runId: string; id: string }> = [];
  const items: string[] = [];
  if (host.kind === 'containerd' && !docker.listContainersLabelled)
    throw new SeedError(connection.host, "this node's runtime cannot list the containers ctr made, where containerd's seeds are");
  const containers = docker.listContainersLabelled ? await docker.listContainersLabelled(FANOUT_LABEL) : await docker.listContainers();
  for (const container of containers) {
    const runId = container.labels?.[FANOUT_LABEL];
    // Only what a run made (its id's shape: a full container id, or containerd's seed name) is weighed, or put into the script.
    if (runId === undefined || !RUN_ID_PATTERN.test(runId) || !isSeedContainer(host, container.id)) continue;
    if (RUNNING_STATES.has(container.state)) running.push({ runId, id: container.id });
    else if (STOPPED_STATES.has(container.state)) items.push(`container ${runId} ${container.id}`);
  }
  const out = await run(
    connection,
    surveyScript(connection.host, host, running.length > 0),
    'looking for fan-out leftovers',
    'look for what earlier fan-out runs left',
    {
      stdin: running.map(({ runId, id }) => `run ${runId} ${id}\n`).join(''),
    },
  );
  const live = new Set<string>();
  for (const line of out.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    if (line.startsWith('live ')) live.add(line.slice(5));
    else items.push(line);
  }
  return { live, items };
}

/** Container states Docker's API reports for a seed that still runs, in part or in a loop; and for one that does not. */
const RUNNING_STATES = new Set(['running', 'paused', 'restarting']);
const STOPPED_STATES = new Set(['created', 'exited', 'dead']);

/**
 * Removes what runs not in `keep` left on this node: containers first (an image is not
 * removed while a container uses it), then files and trust, then the seed images those runs
 * pulled, through the runtime's API. Resolves to the items removed.
 */
export async function removeLeftovers(
  connection: HostConnection,
  host: SeedHost,
  runtime: Pick<NodeDocker, 'removeImage'>,
  items: readonly string[],
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const lines: string[] = [];
  /** After the trust: the certs.d dirs a run created are removed once empty. */
  const last: string[] = [];
  const images: string[] = [];
  const removed: string[] = [];
  for (const item of items) {
    const [kind, runId, rest] = item.split(' ', 3) as [string, string, string | undefined];
    if (keep.has(runId) || !RUN_ID_PATTERN.test(runId)) continue;
    if (kind === 'container' && rest && isSeedContainer(host, rest)) lines.unshift(`${removeContainerLine(host, rest)} >/dev/null 2>&1`);
    else if (kind === 'image' && rest) images.push(rest);
    else if (kind === 'dir') lines.push(removeWorkDirLine(runId, connection.host));
    else if (kind === 'olddir') lines.push(`rm -rf ${shlexQuote(runDirOf(runId))}`);
    else if (kind === 'trust' && rest && /^[\w.:[\]-]+$/.test(rest)) lines.push(`rm -rf ${shlexQuote(`${host.certsDir}/${rest}`)}`);
    else if (kind === 'created') last.push(removeCreatedDirsLine(host.certsDir, runId));
    else continue;
    removed.push(item);
  }
  if (lines.length + last.length > 0)
    await run(connection, [...lines, ...last, 'true'].join('; '), 'removing fan-out leftovers', `remove ${removed.length} fan-out leftover(s)`);
  // An image a container of another run (or the user's) still uses stays: the removal fails, and that is what is wanted.
  for (const image of images) await runtime.removeImage(image).catch(() => undefined);
  return removed;
}

/** Records on the seed that hound pulled `image` for the run, so a sweep after a crash removes it too. */
export async function notePulledImage(connection: HostConnection, runId: string, image: string): Promise<void> {
  await run(
    connection,
    `${makeWorkDirLine(runId, connection.host)} && printf '%s' ${shlexQuote(image)} > ${shlexQuote(`${workDirOf(runId, connection.host)}/pulled-image`)}`,
    'noting the seed image',
    'note the seed image',
  );
}
