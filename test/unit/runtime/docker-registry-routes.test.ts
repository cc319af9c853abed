import { describe, expect, it } from 'vitest';
import {
  dockerRegistryEndpoints,
  dockerRegistryRoutes,
  isInsecureRegistry,
  parseCertsListing,
  tlsEndpointHosts,
} from '../../../runtime/docker-registry-routes.js';

const info = { insecureRegistries: ['10.0.0.2:5000', '10.0.1.0/24', '127.0.0.0/8'], registryMirrors: ['https://mirror.corp:5003/', 'http://10.0.1.7:5000'] };

describe('how Docker reaches a registry (its /info and certs.d)', () => {
  it('tries its registry-mirrors first, for Docker Hub only, and plain HTTP where it lists a registry as insecure', () => {
    expect(dockerRegistryEndpoints('docker.io', info)).toEqual([
      { url: 'https://mirror.corp:5003', mirror: true, insecure: false },
      { url: 'http://10.0.1.7:5000', mirror: true, insecure: true },
      { url: 'https://registry-1.docker.io', mirror: false, insecure: false },
    ]);
    expect(dockerRegistryEndpoints('quay.io', info)).toEqual([{ url: 'https://quay.io', mirror: false, insecure: false }]);
    expect(dockerRegistryEndpoints('10.0.0.2:5000', info)).toEqual([{ url: 'http://10.0.0.2:5000', mirror: false, insecure: true }]);
    expect(dockerRegistryEndpoints('10.0.1.9:443', info)[0].insecure).toBe(true);
    expect(isInsecureRegistry('localhost:5000', info.insecureRegistries)).toBe(true);
    expect(isInsecureRegistry('registry.local:5000', info.insecureRegistries)).toBe(false);
  });

  it('reads certs.d only for the TLS endpoints, and gives each endpoint the CAs of its own folder', () => {
    expect(tlsEndpointHosts(['docker.io', '10.0.0.2:5000', 'quay.io'], info)).toEqual(['mirror.corp:5003', 'registry-1.docker.io', 'quay.io']);
    const listing = parseCertsListing(
      '== quay.io /etc/docker/certs.d/quay.io/ca.crt\n-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\n== quay.io /etc/docker/certs.d/quay.io/b.crt\n-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n',
    );
    expect(listing.get('quay.io')?.files).toEqual(['/etc/docker/certs.d/quay.io/ca.crt', '/etc/docker/certs.d/quay.io/b.crt']);
    const [route] = dockerRegistryRoutes(['quay.io'], info, listing);
    expect(route.endpoints[0].caCertificates).toHaveLength(2);
    expect(route.endpoints[0].trustSource).toBe('/etc/docker/certs.d/quay.io/');
    expect(dockerRegistryRoutes(['docker.io'], info, listing)[0].endpoints.every((e) => e.caCertificates.length === 0)).toBe(true);
  });
});
