// Docker Engine on a node, spoken to with dockerode through the node's SSH connection:
// each HTTP request rides a fresh SSH channel to the node's Docker socket
// (direct-streamlocal), so nothing but sshd and dockerd runs on the node.
import http from 'node:http';
import { inspect } from 'node:util';
import type { Duplex, Readable } from 'node:stream';
import Docker from 'dockerode';
import { TaskFailedError, UnreachableError } from '../base/errors.js';
import { canonicalImageRef, parseImageRef, repositoryName } from '../base/image-ref.js';
import { DEFAULT_DOCKER_SOCKET } from '../transport/connection-target.js';
import { SYSTEM_BUNDLES } from '../transport/registry-trust.js';
import { diskFullError, isDiskFull } from './disk-full.js';
import { stallTimeoutMs, watchProgress } from './progress-watchdog.js';
import { JsonLineSplitter, PullProgressTracker, type DockerProgressLine } from './docker-pull-progress.js';
import type { TransportLogger } from '../transport/ssh-connection.js';
import type { HostConnection, RegistryAuth } from '../transport/types.js';
import type {
  DockerContainer,
  DockerImage,
  DockerInfo,
  EngineApi,
  EngineResponse,
  NodeRegistryRoute,
  NodeRuntime,
  PullResult,
  PullProgress,
  SeedHost,
} from './types.js';
import { dockerRegistryRoutes, LIST_CERTS_D, NODE_DOCKER_CERTS_DIRECTORY, parseCertsListing, tlsEndpointHosts } from './docker-registry-routes.js';
import { sleep } from '../base/sleep.js';
import { abortErrorOf } from '../base/abort.js';
import { shlexQuote } from '../base/shlex.js';

/**
 * An http.Agent whose "sockets" are SSH channels to a unix socket on the node. Kept alive
 * between requests: reusing a channel saves a channel-open round trip per Docker call
 * (measured on the lab: a no-op inspect in about half the time).
 */
export function sshSocketAgent(openSocket: () => Promise<Duplex>): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 4 });
  const createConnection = (_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined => {
    openSocket().then(
      (stream) => {
        // http expects net.Socket's tuning calls; on an SSH channel they mean nothing.
        const socketLike = stream as Duplex & Record<string, unknown>;
        for (const method of ['setNoDelay', 'setKeepAlive', 'setTimeout', 'ref', 'unref']) {
          if (typeof socketLike[method] !== 'function') socketLike[method] = () => stream;
        }
        callback(null, stream);
      },
      (error: Error) => callback(error),
    );
    return undefined;
  };
  (agent as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;
  // docker-modem logs every request with util.inspect(options, { showHidden: true, depth: null }),
  // built even when its debug log is off. Through the agent that walked each live SSH channel
  // and the whole ssh2 client behind it: 34 of hound's 80 s of CPU in a 50-node relayed run.
  Object.defineProperty(agent, inspect.custom, { value: () => '[hound: Docker over SSH]' });
  return agent;
}

export interface SshDockerOptions {
  socketPath?: string;
  logger?: TransportLogger;
  /** Concurrent inspect calls when listing images. */
  inspectConcurrency?: number;
  /** A pull with no progress from Docker for this long fails as PULL_STALLED (default: HOUND_STALL_TIMEOUT or 120 s). */
  stallTimeoutMs?: number;
  /** Who answers on the socket, for messages: Docker, or podman through its Docker-compatible API. */
  runtimeName?: string;
}

/** The fields of Docker's GET /info that hound reads. */
interface DockerEngineInfo {
  Architecture: string;
  OSType: string;
  DockerRootDir: string;
  ServerVersion: string;
  Driver?: string;
  RegistryConfig?: { InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, { Secure?: boolean }>; Mirrors?: string[] | null };
}

/**
 * A pull endpoint on the same socket other than Docker's POST /images/create (podman's libpod
 * pull, which can be told to speak plain HTTP), and how its stream's lines read as Docker's.
 */
export interface PullEndpoint {
  path: string;
  query: Record<string, string>;
  /** One line of its stream as a Docker progress line; undefined when it says nothing to count. */
  translate(line: Record<string, unknown>): DockerProgressLine | undefined;
}

export class SshDocker implements NodeRuntime {
  readonly kind = 'docker';
  private readonly docker: Docker;
  private readonly agent: http.Agent;
  private readonly socketPath: string;
  private infoCache?: Promise<DockerInfo>;
  readonly engineApi: EngineApi;

  constructor(
    private readonly connection: HostConnection,
    private readonly options: SshDockerOptions = {},
  ) {
    this.socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.agent = sshSocketAgent(() => connection.openUnixSocket(this.socketPath));
    // host/port only shape the request line; the agent decides where bytes go.
    this.docker = new Docker({ host: 'docker', port: 80, protocol: 'http', agent: this.agent } as Docker.DockerOptions);
    this.engineApi = {
      request: (method, path, options) => this.engineRequest(method, path, options),
      stream: (method, path, options) => this.engineStream(method, path, options),
    };
  }

  /** Seeds run through the docker command line on this socket; the node trusts one in certs.d, which Docker reads at every pull. */
  seedHost(): Promise<SeedHost> {
    return Promise.resolve({ kind: 'docker', socketPath: this.socketPath, certsDir: NODE_DOCKER_CERTS_DIRECTORY });
  }

  /** One request on the Engine API through the same SSH channels as every other call; the JSON body as Docker sends it. */
  private engineRequest(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { query?: Record<string, string>; body?: unknown; secretBody?: boolean } = {},
  ): Promise<EngineResponse> {
    const query = new URLSearchParams(options.query ?? {}).toString();
    const target = `${path}${query ? `?${query}` : ''}`;
    this.log(3, `${method} ${target}${options.body !== undefined && options.secretBody ? ' (body not shown)' : ''}`);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    return new Promise<EngineResponse>((resolve, reject) => {
      const request = http.request(
        {
          method,
          path: target,
          host: 'docker',
          agent: this.agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(this.failure('DOCKER_API_ERROR', `${method} ${path}`, error)));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = undefined;
            if (text.trim() !== '') {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            resolve({ status: response.statusCode ?? 0, body });
          });
        },
      );
      request.on('error', (error) => reject(this.failure('DOCKER_API_ERROR', `${method} ${path}`, error)));
      request.end(payload);
    });
  }

  /** One request on the Engine API whose answer is handed over as it comes (its status first). */
  private engineStream(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: Record<string, string>; secretHeaders?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: Readable }> {
    const query = new URLSearchParams(options.query ?? {}).toString();
    const target = `${path}${query ? `?${query}` : ''}`;
    this.log(3, `${method} ${target}${options.secretHeaders ? ' (headers not shown)' : ''}`);
    return new Promise((resolve, reject) => {
      const request = http.request(
        { method, path: target, host: 'docker', agent: this.agent, headers: options.secretHeaders ?? {}, signal: options.signal },
        (response) => resolve({ status: response.statusCode ?? 0, body: response }),
      );
      request.on('error', (error) => {
        if (options.signal?.aborted) reject(abortErrorOf(options.signal));
        else reject(this.failure('DOCKER_API_ERROR', `${method} ${path}`, error));
      });
      request.end();
    });
  }

  private get name(): string {
    return this.options.runtimeName ?? 'Docker';
  }

  private log(level: number, message: string): void {
    this.options.logger?.(level, `${this.name.toLowerCase()} ${this.connection.host}: ${message}`);
  }

  /**
   * Docker's GET /info, read once per connection and shared by every caller of the run (plan,
   * disk checks, registry routes, the relay): dockerd answers it by running `docker-init
   * --version` and `runc --version`, 30 ms of a node's CPU on the lab, and the 50-node lab
   * read it two or three times per node before its first pull. `fresh` reads it again (fact
   * gathering, which a play may repeat after changing the daemon). A failed read is not kept.
   */
  info(options: { fresh?: boolean } = {}): Promise<DockerInfo> {
    if (options.fresh === true || this.infoCache === undefined) {
      const reading = this.readInfo();
      this.infoCache = reading;
      reading.catch(() => {
        if (this.infoCache === reading) this.infoCache = undefined;
      });
    }
    return this.infoCache;
  }

  private async readInfo(): Promise<DockerInfo> {
    this.log(3, 'GET /info');
    const raw = (await this.call('read Docker info', () => this.docker.info())) as DockerEngineInfo;
    const registry = raw.RegistryConfig ?? {};
    const insecure = new Set<string>(registry.InsecureRegistryCIDRs ?? []);
    for (const [name, config] of Object.entries(registry.IndexConfigs ?? {})) {
      if (config.Secure === false) insecure.add(name);
    }
    return {
      runtime: this.name.toLowerCase(),
      architecture: raw.Architecture,
      os: raw.OSType,
      dockerRootDir: raw.DockerRootDir,
      serverVersion: raw.ServerVersion,
      storageDriver: raw.Driver ?? '',
      release: `${this.name} ${raw.ServerVersion}`,
      insecureRegistries: [...insecure],
      registryMirrors: registry.Mirrors ?? [],
    };
  }

  /** Nothing of its own to end: the API is spoken over the SSH connection, closed with it. */
  async close(): Promise<void> {}

  async listImages(): Promise<DockerImage[]> {
    this.log(3, 'GET /images/json');
    const summaries = await this.call('list images', () => this.docker.listImages());
    // The list lacks layers and platform; inspect each (a handful of round trips at most).
    const images: DockerImage[] = [];
    const queue = summaries.map((s) => s.Id);
    const workers = Array.from({ length: Math.min(this.options.inspectConcurrency ?? 8, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const image = await this.inspectImage(id);
        if (image) images.push(image);
      }
    });
    await Promise.all(workers);
    const order = new Map(summaries.map((s, i) => [s.Id, i]));
    return images.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  async listImageSummaries(): Promise<DockerImage[]> {
    this.log(3, 'GET /images/json');
    const summaries = await this.call('list images', () => this.docker.listImages());
    // The list says <none>:<none> where inspect says nothing: keep both readings alike.
    const named = (names: string[] | null | undefined) => (names ?? []).filter((n) => !n.startsWith('<none>'));
    return summaries.map((s) => ({
      id: s.Id,
      repoTags: named(s.RepoTags),
      repoDigests: named(s.RepoDigests),
      layers: [],
      architecture: '',
      os: '',
      size: s.Size,
      created: new Date(s.Created * 1000).toISOString(),
    }));
  }

  async inspectImage(ref: string): Promise<DockerImage | undefined> {
    this.log(3, `GET /images/${ref}/json`);
    try {
      const raw = await this.docker.getImage(ref).inspect();
      return {
        id: raw.Id,
        repoTags: raw.RepoTags ?? [],
        repoDigests: raw.RepoDigests ?? [],
        layers: raw.RootFS?.Layers ?? [],
        architecture: raw.Architecture,
        os: raw.Os,
        size: raw.Size,
        created: raw.Created,
      };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw this.failure('DOCKER_API_ERROR', `inspect ${ref}`, error);
    }
  }

  async pull(
    ref: string,
    options: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal; endpoint?: PullEndpoint } = {},
  ): Promise<PullResult> {
    const parsed = parseImageRef(ref);
    const endpoint = options.endpoint;
    const query: Record<string, string> = endpoint?.query ?? { fromImage: repositoryName(parsed), tag: parsed.digest ?? parsed.tag ?? 'latest' };
    if (options.platform && !endpoint) query.platform = options.platform;
    this.log(
      2,
      `POST ${endpoint?.path ?? '/images/create'} ${Object.entries(query)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}${options.auth ? ' (with credentials)' : ''}`,
    );
    const authconfig = options.auth ? dockerAuthConfig(options.auth) : undefined;
    const stallMs = this.options.stallTimeoutMs ?? stallTimeoutMs();
    // The watchdog runs from the request on, not from Docker's first line: Docker sends no
    // header until it has something to say, and a registry that stops answering during the
    // manifest request keeps it silent for as long as its own client waits (no limit there).
    const request = new AbortController();
    const watchdog = watchProgress(stallMs, (idleMs) => {
      const stalled = new TaskFailedError(
        this.connection.host,
        'PULL_STALLED',
        `${this.name} on ${this.connection.host} made no progress pulling ${ref} for ${Math.round(idleMs / 1000)} s; gave up`,
        {
          hint: 'the registry stopped answering or the link to it stalled; check it from the node and run again (HOUND_STALL_TIMEOUT=SECONDS sets how long to wait)',
        },
      );
      request.abort(stalled);
    });
    const onAbort = () => request.abort(abortErrorOf(options.signal!));
    const settle = () => {
      watchdog.stop();
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted) {
      watchdog.stop();
      throw abortErrorOf(options.signal);
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let stream: Readable;
    try {
      stream = endpoint
        ? await this.postStream(endpoint.path, query, authconfig, request.signal)
        : ((await this.docker.createImage(authconfig, { ...query, abortSignal: request.signal })) as Readable);
    } catch (error) {
      settle();
      if (request.signal.aborted) throw abortErrorOf(request.signal);
      throw this.failure('DOCKER_PULL_FAILED', `pull ${canonicalImageRef(parsed)}`, error);
    }
    const tracker = new PullProgressTracker();
    const splitter = new JsonLineSplitter();
    const handle = (lines: DockerProgressLine[]) => {
      for (const raw of lines) {
        const line = endpoint ? endpoint.translate(raw as Record<string, unknown>) : raw;
        if (line === undefined) continue;
        this.log(3, `pull ${ref}: ${line.id ? `${line.id}: ` : ''}${line.status ?? line.error ?? ''}`);
        const progress = tracker.add(line);
        if (progress) options.onProgress?.(progress);
      }
    };
    await new Promise<void>((resolve, reject) => {
      const onStop = () => {
        settle();
        stream.destroy();
        reject(abortErrorOf(request.signal));
      };
      if (request.signal.aborted) return onStop();
      request.signal.addEventListener('abort', onStop, { once: true });
      stream.on('data', (chunk: Buffer) => {
        watchdog.progress();
        handle(splitter.push(chunk));
      });
      stream.once('error', (error) => {
        settle();
        // Stopped on purpose (stall, Ctrl-C): onStop has already said why.
        if (request.signal.aborted) return;
        request.signal.removeEventListener('abort', onStop);
        void this.settledFailure('DOCKER_PULL_FAILED', `pull ${ref}`, error).then(reject);
      });
      stream.once('end', () => {
        settle();
        request.signal.removeEventListener('abort', onStop);
        handle(splitter.end());
        resolve();
      });
    });
    if (tracker.error !== undefined && isDiskFull(tracker.error)) {
      const free = await this.freeBytes().catch(() => undefined);
      throw diskFullError(this.connection.host, ref, (await this.infoCache?.catch(() => undefined))?.dockerRootDir, tracker.announcedBytes(), free);
    }
    if (tracker.error !== undefined) {
      throw new TaskFailedError(this.connection.host, 'DOCKER_PULL_FAILED', `${this.name} on ${this.connection.host} could not pull ${ref}: ${tracker.error}`, {
        hint: 'check the image name and tag, that the node reaches the registry, and the credentials (registry_login)',
      });
    }
    return tracker.result();
  }

  /** POST `path` with `query`, streaming the answer (dockerode has no method for endpoints beside Docker's own). */
  private postStream(path: string, query: Record<string, string>, authconfig: Docker.AuthConfig | undefined, signal: AbortSignal): Promise<Readable> {
    const modem = (this.docker as unknown as { modem: { dial(options: object, callback: (error: Error | null, stream?: Readable) => void): void } }).modem;
    return new Promise((resolve, reject) =>
      modem.dial(
        {
          path: `${path}?`,
          method: 'POST',
          options: { ...query },
          authconfig,
          abortSignal: signal,
          isStream: true,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        },
        (error, stream) => (error ? reject(error) : resolve(stream!)),
      ),
    );
  }

  async removeImage(ref: string, options: { force?: boolean } = {}): Promise<void> {
    this.log(2, `DELETE /images/${ref}${options.force ? '?force=1' : ''}`);
    try {
      await this.docker.getImage(ref).remove({ force: options.force ?? false });
    } catch (error) {
      // Already gone is what the caller wanted.
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw this.failure('DOCKER_REMOVE_FAILED', `remove ${ref}`, error);
    }
  }

  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    this.log(2, `POST /images/${source}/tag repo=${repo} tag=${tag}`);
    await this.call(`tag ${source} as ${repo}:${tag}`, () => this.docker.getImage(source).tag({ repo, tag }), 'DOCKER_TAG_FAILED');
  }

  async loadImage(tarball: Readable, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    this.log(2, 'POST /images/load');
    let stream: Readable;
    try {
      stream = (await this.docker.loadImage(tarball, { quiet: true, abortSignal: options.signal })) as Readable;
    } catch (error) {
      if (options.signal?.aborted) throw abortErrorOf(options.signal);
      throw this.failure('DOCKER_LOAD_FAILED', 'load an image tarball', error);
    }
    const splitter = new JsonLineSplitter();
    const loaded: string[] = [];
    let failure: string | undefined;
    const handle = (lines: (DockerProgressLine & { stream?: string })[]) => {
      for (const line of lines) {
        if (line.errorDetail || line.error) failure = line.errorDetail?.message ?? line.error;
        const match = /^Loaded image(?: ID)?: (.+)$/m.exec(line.stream ?? '');
        if (match) loaded.push(match[1].trim());
      }
    };
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        stream.destroy();
        reject(abortErrorOf(options.signal!));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (chunk: Buffer) => handle(splitter.push(chunk)));
      stream.once('error', (error) => reject(this.failure('DOCKER_LOAD_FAILED', 'load an image tarball', error)));
      stream.once('end', () => {
        options.signal?.removeEventListener('abort', onAbort);
        handle(splitter.end());
        resolve();
      });
    });
    if (failure !== undefined)
      throw new TaskFailedError(this.connection.host, 'DOCKER_LOAD_FAILED', `${this.name} on ${this.connection.host} could not load the tarball: ${failure}`, {
        hint: 'the file must be a tarball made by docker save',
      });
    return loaded;
  }

  async listContainers(): Promise<DockerContainer[]> {
    this.log(3, 'GET /containers/json?all=1');
    const containers = await this.call('list containers', () => this.docker.listContainers({ all: true }));
    return containers.map((c) => ({ id: c.Id, image: c.Image, imageId: c.ImageID, state: c.State, labels: c.Labels ?? {} }));
  }

  async freeBytes(): Promise<number> {
    const { dockerRootDir } = await this.info();
    const result = await this.connection.exec(`df -B1 --output=avail ${shlexQuote(dockerRootDir)}`);
    const value = Number(result.stdout.trim().split('\n').pop()?.trim());
    if (result.code !== 0 || !Number.isFinite(value)) {
      throw new TaskFailedError(
        this.connection.host,
        'DOCKER_DF_FAILED',
        `could not read free space of ${dockerRootDir} on ${this.connection.host}: ${result.stderr.trim() || `exit ${result.code}`}`,
        {
          hint: 'hound needs GNU df (coreutils) on the node',
        },
      );
    }
    return value;
  }

  async registryRoutes(registries: readonly string[]): Promise<NodeRegistryRoute[]> {
    const info = await this.info();
    const hosts = tlsEndpointHosts(registries, info);
    let listing = '';
    if (hosts.length > 0) {
      const result = await this.connection.exec(`sh -c ${shlexQuote(LIST_CERTS_D)} sh ${[NODE_DOCKER_CERTS_DIRECTORY, ...hosts].map(shlexQuote).join(' ')}`, {
        shownAs: `read ${NODE_DOCKER_CERTS_DIRECTORY} for ${hosts.join(', ')}`,
      });
      if (result.code !== 0) {
        throw new TaskFailedError(
          this.connection.host,
          'DOCKER_CERTS_UNREADABLE',
          `could not read ${NODE_DOCKER_CERTS_DIRECTORY} on ${this.connection.host}: ${result.stderr.trim() || `exit ${result.code}`}`,
          {
            hint: 'hound reads the CA certificates Docker trusts per registry there',
          },
        );
      }
      listing = result.stdout;
    }
    return dockerRegistryRoutes(registries, info, parseCertsListing(listing));
  }

  async systemCertificates(): Promise<string> {
    // Where Go, and so dockerd, finds the system's CAs.
    const result = await this.connection.exec(`for f in ${SYSTEM_BUNDLES.map(shlexQuote).join(' ')}; do [ -f "$f" ] && exec cat "$f"; done; exit 0`, {
      shownAs: 'read the system CA bundle',
    });
    return result.code === 0 ? result.stdout : '';
  }

  private async call<T>(what: string, run: () => Promise<T>, code = 'DOCKER_API_ERROR'): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.failure(code, what, error);
    }
  }

  /**
   * A dropped SSH connection (link down, keepalives unanswered) first shows as an aborted
   * HTTP stream; the client's own close follows a moment later. Waiting for it lets the
   * host be reported unreachable (exit 3) rather than failed with "aborted".
   */
  private async settledFailure(code: string, what: string, error: unknown): Promise<Error> {
    await sleep(200);
    return this.failure(code, what, error);
  }

  private failure(code: string, what: string, error: unknown): Error {
    // The way to the socket failed (SSH, sudo, the socket's permissions): that error says it best.
    const cause = (error as { code?: string }).code;
    if (cause?.startsWith('SSH_') || cause?.startsWith('BECOME_') || cause === 'SOCKET_OPEN_REFUSED' || cause === 'LOCAL_SOCKET_FAILED') return error as Error;
    if ((this.connection as { isClosed?: boolean }).isClosed === true) {
      return new UnreachableError(
        this.connection.host,
        'SSH_CONNECTION_CLOSED',
        `ssh ${this.connection.host}: the connection dropped while ${this.name} was asked to ${what}`,
        {
          hint: 'the host went away or its network went down (keepalives unanswered); check it and run again: what finished is kept',
          cause: error,
        },
      );
    }
    const json = (error as { json?: { message?: string } }).json;
    const message = json?.message ?? (error as Error).message ?? String(error);
    return new TaskFailedError(this.connection.host, code, `${this.name} on ${this.connection.host} could not ${what}: ${message.trim()}`, {
      hint: 'run with -vvv to see the Docker API exchange',
      cause: error,
    });
  }
}

/** Docker's X-Registry-Auth body (dockerode base64-encodes it); never logged. */
function dockerAuthConfig(auth: RegistryAuth): Record<string, string> {
  const config: Record<string, string> = { serveraddress: auth.serverAddress };
  if (auth.identityToken !== undefined) config.identitytoken = auth.identityToken;
  if (auth.username !== undefined) config.username = auth.username;
  if (auth.password !== undefined) config.password = auth.password;
  return config;
}
