// gRPC over a unix socket, the way hound uses it: services loaded once from a vendored
// protobufjs JSON descriptor (camelCase fields, int64 as numbers, enums as names), and
// promise-returning calls that honour a deadline and an AbortSignal. The descriptors are the
// published .proto files already parsed (their ORIGIN.md says how), so no start parses one.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { vendoredFile } from './vendored-file.js';

export type { ServiceError } from '@grpc/grpc-js';
export { status as GrpcStatus } from '@grpc/grpc-js';

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };
const loadedFiles = new Map<string, grpc.GrpcObject>();

/** The client class of `service` (its full name, e.g. runtime.v1.ImageService) from a vendored descriptor (e.g. runtime/cri/api.json). */
export function serviceClass(descriptorFile: string, service: string): grpc.ServiceClientConstructor {
  let root = loadedFiles.get(descriptorFile);
  if (!root) {
    const descriptor = JSON.parse(readFileSync(vendoredFile(descriptorFile), 'utf8')) as Parameters<typeof protoLoader.fromJSON>[0];
    root = grpc.loadPackageDefinition(protoLoader.fromJSON(descriptor, LOADER_OPTIONS));
    loadedFiles.set(descriptorFile, root);
  }
  let node: unknown = root;
  for (const part of service.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`${descriptorFile} defines no service ${service}`);
  return node as grpc.ServiceClientConstructor;
}

/** A service a client calls: its full name, and the vendored descriptor that defines it. */
export interface ServiceSpec {
  descriptorFile: string;
  service: string;
}

/**
 * Clients of several services sharing one channel (one HTTP/2 connection) to
 * `unix:socketPath`. Services can be added after it is made: the clients of one runtime
 * (containerd's CRI, content store, image store, namespaces, containers and tasks) share one
 * connection, which over SSH is one forwarded socket per node, not one per service.
 */
export class UnixChannel {
  private first: grpc.Client | undefined;
  private readonly clients = new Map<string, grpc.Client>();

  constructor(
    readonly socketPath: string,
    services: readonly ServiceSpec[] = [],
  ) {
    this.add(services);
  }

  /** Adds clients of `services` (those it has already are kept). */
  add(services: readonly ServiceSpec[]): this {
    const address = `unix:${this.socketPath}`;
    const credentials = grpc.credentials.createInsecure();
    // Image lists and manifests can be large; containerd's own limit is 16 MiB.
    const options = { 'grpc.max_receive_message_length': 64 << 20 };
    for (const { descriptorFile, service } of services) {
      if (this.clients.has(service)) continue;
      const Client = serviceClass(descriptorFile, service);
      const client = this.first
        ? new Client(address, credentials, { ...options, channelOverride: this.first.getChannel() })
        : new Client(address, credentials, options);
      this.first ??= client;
      this.clients.set(service, client);
    }
    return this;
  }

  client(service: string): grpc.Client {
    const client = this.clients.get(service);
    if (!client) throw new Error(`no client for ${service}`);
    return client;
  }

  close(): void {
    this.first?.close();
  }
}

/**
 * A client of some services on a channel: its own to `target` (a socket path), which close()
 * ends, or `target` itself, a channel shared with other clients, which its owner ends.
 */
export abstract class ServiceClient {
  protected readonly channel: UnixChannel;
  private readonly owned: boolean;

  protected constructor(target: string | UnixChannel, services: readonly ServiceSpec[]) {
    this.owned = typeof target === 'string';
    this.channel = typeof target === 'string' ? new UnixChannel(target, services) : target.add(services);
  }

  close(): void {
    if (this.owned) this.channel.close();
  }
}

export interface CallOptions {
  /** Milliseconds until the call fails with DEADLINE_EXCEEDED; none when absent. */
  timeoutMs?: number;
  signal?: AbortSignal;
  metadata?: Record<string, string>;
}

function metadataOf(values: Record<string, string> | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(values ?? {})) metadata.set(key, value);
  return metadata;
}

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: unknown) => void,
) => grpc.ClientUnaryCall;
type StreamMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

function callOptionsOf(o: CallOptions): grpc.CallOptions {
  return o.timeoutMs === undefined ? {} : { deadline: Date.now() + o.timeoutMs };
}

export function unaryCall<Response>(client: grpc.Client, method: string, request: object, o: CallOptions = {}): Promise<Response> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`no gRPC method ${method}`));
  return new Promise<Response>((resolve, reject) => {
    const onAbort = () => call.cancel();
    const call = fn.call(client, request, metadataOf(o.metadata), callOptionsOf(o), (error, response) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response as Response);
    });
    if (o.signal?.aborted) call.cancel();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A server-streaming call, every message collected. */
export function streamCall<Message>(client: grpc.Client, method: string, request: object, o: CallOptions = {}): Promise<Message[]> {
  const fn = (client as unknown as Record<string, StreamMethod>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`no gRPC method ${method}`));
  return new Promise<Message[]>((resolve, reject) => {
    const messages: Message[] = [];
    const stream = fn.call(client, request, metadataOf(o.metadata), callOptionsOf(o));
    const onAbort = () => stream.cancel();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (m: Message) => messages.push(m));
    stream.once('error', (error) => {
      o.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    stream.once('end', () => {
      o.signal?.removeEventListener('abort', onAbort);
      resolve(messages);
    });
  });
}

/** Whether `error` is a gRPC status error (rather than one of hound's own). */
export function isGrpcError(error: unknown): error is grpc.ServiceError {
  return typeof (error as { code?: unknown }).code === 'number' && typeof (error as { details?: unknown }).details === 'string';
}
