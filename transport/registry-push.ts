// Pushing with the one registry client, as Docker's pusher does: HEAD to learn whether the
// repository has a blob; an upload started with a POST (a cross-repository mount when a
// repository of the same registry holds the blob: 201, nothing to send) and finished with
// one PUT of the whole blob and its digest; the manifest's exact bytes last. Every request
// goes to the registry itself with a pull,push token (registry-requests.ts), and an upload
// that fails in passing is started again from its POST.
import type { Readable } from 'node:stream';
import { RegistryError } from './registry-errors.js';
import { headerOf } from './registry-http.js';
import type { RegistryRequests, RegistryRoute } from './registry-requests.js';

export interface PushedBlob {
  digest: string;
  size: number;
}

export interface PushedManifest {
  /** The exact bytes: the registry stores them under their digest. */
  body: Buffer;
  contentType: string;
  digest: string;
}

/** The blob's bytes: whole, or a stream opened anew for each attempt. */
export type BlobContent = Buffer | (() => Promise<Readable>);

/** Whether `repo` of `registry` holds the blob (a HEAD; 404 is no). */
export async function blobExists(requests: RegistryRequests, registry: string, repo: string, digest: string, route: RegistryRoute): Promise<boolean> {
  const what = `blob ${digest} to ${registry}/${repo}`;
  const response = await requests.retry(registry, what, route, () =>
    requests.push(registry, repo, `/v2/${repo}/blobs/${digest}`, route, { method: 'HEAD', ok: [200, 404], what }),
  );
  response.resume();
  return response.statusCode === 200;
}

/** Puts the blob into `repo`: mounted from `mountFrom` when the registry can, else uploaded. */
export function pushBlob(
  requests: RegistryRequests,
  registry: string,
  repo: string,
  blob: PushedBlob,
  content: BlobContent,
  route: RegistryRoute,
  mountFrom?: string,
): Promise<'mounted' | 'uploaded'> {
  const what = `blob ${blob.digest} to ${registry}/${repo}`;
  return requests.retry(registry, what, route, async () => {
    const mount = mountFrom !== undefined && mountFrom !== repo ? `?${new URLSearchParams({ mount: blob.digest, from: mountFrom }).toString()}` : '';
    const started = await requests.push(registry, repo, `/v2/${repo}/blobs/uploads/${mount}`, route, {
      method: 'POST',
      headers: { 'content-length': '0' },
      ok: [201, 202],
      mountFrom: mount ? mountFrom : undefined,
      what: `the upload of ${what}`,
    });
    started.resume();
    if (started.statusCode === 201) return 'mounted';
    const location = headerOf(started, 'location');
    if (!location) throw new RegistryError('REGISTRY_BAD_RESPONSE', `${registry} gave no upload location for ${what}`);
    const target = new URL(location, requests.registryBase(registry, route));
    target.searchParams.set('digest', blob.digest);
    const put = await requests.push(registry, repo, target.href, route, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body: content,
      ok: [201],
      what,
    });
    put.resume();
    return 'uploaded';
  });
}

/** Puts the manifest's exact bytes under `reference` (a tag, or its digest); the registry must store them under their digest. */
export async function pushManifest(
  requests: RegistryRequests,
  registry: string,
  repo: string,
  reference: string,
  manifest: PushedManifest,
  route: RegistryRoute,
): Promise<void> {
  const what = `manifest ${registry}/${repo}:${reference}`;
  const response = await requests.retry(registry, what, route, () =>
    requests.push(registry, repo, `/v2/${repo}/manifests/${reference}`, route, {
      method: 'PUT',
      headers: { 'content-type': manifest.contentType, 'content-length': String(manifest.body.length) },
      body: manifest.body,
      ok: [201],
      what,
    }),
  );
  response.resume();
  const stored = headerOf(response, 'docker-content-digest');
  if (stored !== undefined && stored !== manifest.digest) {
    throw new RegistryError('REGISTRY_DIGEST_MISMATCH', `${registry} stored ${repo}:${reference} as ${stored}, expected ${manifest.digest}`, {
      hint: 'the registry (or something between) changed the manifest; check the registry',
    });
  }
}

/** Whether the registry answers its API root (`GET /v2/`) with 200: up, and letting this client in. Asked once, never retried. */
export async function registryAnswers(requests: RegistryRequests, registry: string, route: RegistryRoute): Promise<boolean> {
  try {
    const response = await requests.push(registry, '', '/v2/', route, { method: 'GET', ok: [200], what: `the API root of ${registry}` });
    response.resume();
    return true;
  } catch {
    return false;
  }
}
