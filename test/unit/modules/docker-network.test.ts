// docker_network (modules/docker-network.ts) and docker_image_build (docker-image-build-module.ts):
// the pure parts. The lab runs (docker_network against ansible-playbook) are in
// test/integration/docker-network-build.test.ts.
import { describe, expect, it } from 'vitest';
import { createBody, dockerApiOptions, networkDifferences, validCidr } from '../../../modules/docker-network.js';
import { buildNeeded } from '../../../modules/docker-image-build-module.js';
import { dockerBuildArgv } from '../../../modules/docker-image-build.js';
import { resolveModule } from '../../../modules/names.js';
import { refusedArgument } from '../../../modules/definition.js';
import { dockerImageBuildModule, dockerNetworkModule } from '../../../modules/collection-schemas.js';

const net = {
  Id: 'abc',
  Name: 'n1',
  Driver: 'bridge',
  Scope: 'local',
  EnableIPv6: false,
  Internal: false,
  Attachable: false,
  Options: { 'com.docker.network.bridge.name': 'br-n1' },
  Labels: { a: '1' },
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.30.0.0/16', Gateway: '172.30.0.1' }] },
};

describe('docker_network', () => {
  it('finds no difference for the network as created', () => {
    expect(networkDifferences({ name: 'n1' }, net)).toEqual([]);
    expect(networkDifferences({ name: 'n1', labels: { a: '1' }, ipam_config: [{ subnet: '172.30.0.0/16' }], scope: 'local' }, net)).toEqual([]);
  });
  it('lists what differs as has_different_config names it', () => {
    const d = networkDifferences(
      { name: 'n1', driver: 'macvlan', enable_ipv6: true, driver_options: { mtu: 1400 }, labels: { a: '2' }, ipam_config: [{ subnet: '10.0.0.0/8' }] },
      net,
    );
    expect(d.map((x) => x.item)).toEqual(['driver', 'driver_options.mtu', 'ipam_config[0].subnet', 'enable_ipv6', 'labels.a']);
  });
  it('sends driver options as Docker wants them, IPAM only when asked', () => {
    expect(dockerApiOptions({ a: true, b: 3, c: 'x' })).toEqual({ a: 'true', b: '3', c: 'x' });
    expect(createBody({ name: 'n', enable_ipv6: true })).toEqual({ Name: 'n', Driver: 'bridge', Options: {}, EnableIPv6: true, Labels: {} });
    expect(createBody({ name: 'n', ipam_config: [{ subnet: '10.1.0.0/24' }] }).IPAM).toEqual({
      Driver: null,
      Config: [{ Subnet: '10.1.0.0/24', IPRange: null, Gateway: null, AuxiliaryAddresses: null }],
      Options: null,
    });
  });
  it('checks subnets', () => {
    expect(validCidr('10.0.0.0/8')).toBe(true);
    expect(validCidr('fd00::/64')).toBe(true);
    expect(validCidr('10.0.0.0')).toBe(false);
  });
  it('answers to community.general.docker_network, which that collection routes to community.docker', () => {
    const r = resolveModule('community.general.docker_network');
    expect(r.kind === 'module' && r.definition.collection).toBe('community.docker');
    expect(resolveModule('community.docker.docker_image_build').kind).toBe('module');
  });
});

describe('docker_image_build', () => {
  it('builds when no image is there, or with rebuild: always', () => {
    expect(buildNeeded(false, 'never')).toBe(true);
    expect(buildNeeded(true, 'never')).toBe(false);
    expect(buildNeeded(true, undefined)).toBe(false);
    expect(buildNeeded(true, 'always')).toBe(true);
  });
  it('passes shm_size and labels to docker build', () => {
    const argv = dockerBuildArgv('/var/run/docker.sock', 'a:1', { path: '/c', shm_size: '64m', labels: { x: 'y' } });
    expect(argv.slice(-6)).toEqual(['--shm-size', '64m', '--label', 'x=y', '--', '/c']);
  });
  it('refuses the BuildKit-only options by name', () => {
    expect(refusedArgument(dockerImageBuildModule, { name: 'a', path: '/c', secrets: [{ id: 'x' }] })?.argument).toBe('secrets');
    expect(refusedArgument(dockerImageBuildModule, { name: 'a', path: '/c', outputs: [{ type: 'tar' }] })?.argument).toBe('outputs');
    expect(refusedArgument(dockerImageBuildModule, { name: 'a', path: '/c', rebuild: 'always' })).toBeUndefined();
  });
});

describe('docker_network refusals', () => {
  it('refuses connected containers, not an empty list', () => {
    expect(refusedArgument(dockerNetworkModule, { name: 'n', connected: ['web'] })?.argument).toBe('connected');
    expect(refusedArgument(dockerNetworkModule, { name: 'n', connected: [] })).toBeUndefined();
  });
});
