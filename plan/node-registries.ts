// Per node, how its runtime reaches each registry its images come from, read before any
// pull: the mirrors it tries first (and so the ones hound fetches from on its behalf),
// plain HTTP or TLS, and whether it will trust each TLS endpoint: the certificate chain the
// endpoint presents (read once by the controller) against exactly the CAs the node's
// runtime trusts (its certs.d files for the endpoint, then its system bundle). A mirror it
// will not trust is passed over, as Docker passes over a failing mirror; a registry it
// will not trust fails the host in the plan, before anything is pulled.
import { createHash, X509Certificate } from 'node:crypto';
import { verifyChain } from '../transport/certificate-chain.js';
import { splitPem } from '../transport/registry-trust.js';
import { isInsecureRegistry } from '../runtime/docker-registry-routes.js';
import type { DockerInfo, NodeDocker, NodeRegistryEndpoint } from '../runtime/types.js';

export interface NodeRegistryFacts {
  /** Mirror origins the node would use for this registry, in order (the untrusted ones left out). */
  mirrors: string[];
  /** The node speaks plain HTTP to the registry itself. */
  insecure: boolean;
  /** The endpoint that answered the controller's questions for this node. */
  servedBy?: { endpoint: string; mirror: boolean };
  /** Mirrors the node will not use, with why. */
  passedOver: { endpoint: string; reason: string }[];
  /** Set when the node's runtime will not trust the registry itself: its pulls would fail. */
  untrusted?: { endpoint: string; reason: string; trustSource: string };
}

/** What the check needs from the controller: the chain an endpoint presents. */
export interface EndpointChains {
  certificateChain?(endpoint: string): Promise<X509Certificate[]>;
}

/** Parsed system bundles by content, shared by nodes with the same bundle (most of them). */
const bundleCache = new Map<string, X509Certificate[]>();

function parseCertificates(pems: readonly string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // A file Docker would refuse to load too; it vouches for nothing.
    }
  }
  return out;
}

function parseBundle(text: string): X509Certificate[] {
  const key = createHash('sha256').update(text).digest('hex');
  let parsed = bundleCache.get(key);
  if (!parsed) {
    parsed = parseCertificates(splitPem(text));
    bundleCache.set(key, parsed);
  }
  return parsed;
}

/** The node's view of `registries`; without the runtime's routes, the registry itself as /info describes it, unchecked. */
export async function nodeRegistryFacts(
  docker: NodeDocker,
  info: DockerInfo,
  registries: readonly string[],
  chains: EndpointChains,
): Promise<Record<string, NodeRegistryFacts>> {
  const out: Record<string, NodeRegistryFacts> = {};
  if (!docker.registryRoutes) {
    for (const registry of registries) out[registry] = { mirrors: [], insecure: isInsecureRegistry(registry, info.insecureRegistries), passedOver: [] };
    return out;
  }
  const routes = await docker.registryRoutes(registries);
  let system: Promise<X509Certificate[]> | undefined;
  const systemCertificates = () => (system ??= (docker.systemCertificates?.() ?? Promise.resolve('')).then(parseBundle));
  const check = async (endpoint: NodeRegistryEndpoint): Promise<string | undefined> => {
    if (endpoint.insecure || !chains.certificateChain) return undefined;
    let chain: X509Certificate[];
    try {
      chain = await chains.certificateChain(endpoint.url);
    } catch {
      // The controller cannot reach it either: resolving the image says so, with the reason.
      return undefined;
    }
    const host = new URL(endpoint.url).hostname;
    const own = parseCertificates(endpoint.caCertificates);
    if (own.length > 0 && verifyChain(chain, own, host).trusted) return undefined;
    const verdict = verifyChain(chain, [...own, ...(await systemCertificates())], host);
    return verdict.trusted ? undefined : verdict.reason;
  };
  await Promise.all(
    routes.map(async (route) => {
      const facts: NodeRegistryFacts = { mirrors: [], insecure: false, passedOver: [] };
      facts.insecure = route.endpoints.find((e) => !e.mirror)?.url.startsWith('http:') ?? false;
      for (const endpoint of route.endpoints) {
        // The runtime goes past its mirrors only when they fail: the registry itself is
        // checked (and so contacted) only when no mirror will do.
        if (!endpoint.mirror && facts.mirrors.length > 0) break;
        const refusal = await check(endpoint);
        if (endpoint.mirror) {
          if (refusal) facts.passedOver.push({ endpoint: endpoint.url, reason: `the node does not trust it: ${refusal}` });
          else facts.mirrors.push(endpoint.url);
        } else if (refusal) facts.untrusted = { endpoint: endpoint.url, reason: refusal, trustSource: endpoint.trustSource };
      }
      out[route.registry] = facts;
    }),
  );
  return out;
}
