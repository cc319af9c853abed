// Image references, parsed and normalised the way Docker does (distribution/reference's
// ParseNormalizedNamed): `nginx` is `docker.io/library/nginx:latest`, `host:5000/a/b:tag`
// keeps its registry, `name@sha256:…` and `name:tag@sha256:…` carry a digest.
import { HoundError, EXIT } from './errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;

export interface ImageRef {
  /** Registry host[:port], `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  path: string;
  /** The tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  /** `algorithm:hex`, when the reference pins a digest. */
  digest?: string;
}

export class InvalidImageRefError extends HoundError {
  constructor(reference: string, reason: string) {
    super('INVALID_IMAGE_REF', `invalid image reference "${reference}": ${reason}`, EXIT.ERROR, {
      hint: 'write it as [registry[:port]/]name[:tag][@sha256:<64 hex>], with a lowercase name, e.g. nginx:1.27 or registry.local:5000/team/app@sha256:…',
    });
  }
}

/** Parses and normalises a reference; throws InvalidImageRefError (INVALID_IMAGE_REF). */
export function parseImageRef(reference: string): ImageRef {
  const fail = (reason: string): never => {
    throw new InvalidImageRefError(reference, reason);
  };
  if (reference.length === 0) fail('it is empty');
  if (reference !== reference.trim()) fail('it has surrounding whitespace');

  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`"${digest}" is not a digest (algorithm:hex)`);
    if (digest.startsWith('sha256:') && !SHA256_HEX.test(digest.slice(7))) fail('a sha256 digest has 64 lowercase hex characters');
  }

  // A tag is after the last colon, unless that colon belongs to a registry port (a slash follows it).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (rest.length === 0) fail('the name is missing');
  if (rest.length > MAX_NAME_LENGTH) fail(`the name is longer than ${MAX_NAME_LENGTH} characters`);

  const { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain)) fail(`"${domain}" is not a valid registry host[:port]`);
  if (path !== path.toLowerCase()) fail('repository names must be lowercase');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) fail(`"${component}" is not a valid name component (lowercase letters, digits, separators . _ __ -)`);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, tag, digest };
}

// Docker's rule: the first component is a registry when it has a dot or a colon, is
// `localhost`, or has an uppercase letter; otherwise the name is on Docker Hub.
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = name;
  } else {
    domain = first;
    path = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

/** `domain/path`, e.g. `docker.io/library/nginx`. */
export function repositoryName(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised form, e.g. `docker.io/library/nginx:latest`. */
export function canonicalImageRef(ref: ImageRef): string {
  return repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** The short form Docker shows, e.g. `nginx:latest`, `ghcr.io/a/b:1`. */
export function familiarImageRef(ref: ImageRef): string {
  let name = repositoryName(ref);
  if (ref.domain === DEFAULT_DOMAIN) {
    name = ref.path.startsWith(OFFICIAL_REPO_PREFIX) && ref.path.split('/').length === 2 ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : ref.path;
  }
  return name + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** A registry host on the machine's own loopback (`localhost`, 127.x.x.x, [::1], with any port): Docker speaks plain HTTP to it unasked. */
export function isLoopbackRegistry(domain: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(domain);
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function manifestReference(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
