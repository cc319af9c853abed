import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HoundError } from '../../../base/errors.js';
import {
  controllerIp,
  deriveSubnet,
  labAddresses,
  labDirOf,
  linkNamesOf,
  MAX_NODES,
  netnsOf,
  nodeIp,
  parseSubnet,
  registryIp,
  subnetCidr,
  validateLabName,
} from '../../../lab/naming.js';

const labName = fc.stringMatching(/^[a-z][a-z0-9-]{0,23}$/);

describe('lab naming', () => {
  it('derives the same /24 inside 10.0.0.0/8 for the same name, every time', () => {
    fc.assert(
      fc.property(labName, (name) => {
        const a = deriveSubnet(name);
        expect(deriveSubnet(name)).toEqual(a);
        const octets = a.prefix.split('.').map(Number);
        expect(octets).toHaveLength(3);
        expect(octets[0]).toBe(10);
        for (const o of octets) expect(o >= 0 && o <= 255).toBe(true);
        expect(a.prefix).not.toBe('10.0.0');
        expect(a.prefix).not.toBe('10.255.255');
      }),
    );
  });

  it('has other subnets to fall back on, each as stable as the first', () => {
    fc.assert(
      fc.property(labName, (name) => {
        const choices = [0, 1, 2, 3].map((attempt) => deriveSubnet(name, attempt).prefix);
        expect(choices[0]).toBe(deriveSubnet(name).prefix);
        expect([0, 1, 2, 3].map((attempt) => deriveSubnet(name, attempt).prefix)).toEqual(choices);
        expect(new Set(choices).size).toBeGreaterThan(1);
      }),
    );
  });

  it('gives different labs different subnets and link ids', () => {
    const names = ['hound', 'test', 'labtest', 'bench', 'a', 'b'];
    const subnets = new Set(names.map((n) => deriveSubnet(n).prefix));
    const ids = new Set(names.map((n) => linkNamesOf(n).id));
    expect(subnets.size).toBe(names.length);
    expect(ids.size).toBe(names.length);
  });

  it('places the controller at .1, the registry at .2 and node i at .(10+i)', () => {
    const s = parseSubnet('10.42.7.0/24');
    expect(subnetCidr(s)).toBe('10.42.7.0/24');
    expect(controllerIp(s)).toBe('10.42.7.1');
    expect(registryIp(s)).toBe('10.42.7.2');
    expect(nodeIp(s, 1)).toBe('10.42.7.11');
    expect(nodeIp(s, 10)).toBe('10.42.7.20');
  });

  it("gives a lab's addresses and names in one piece: registry, controller and each node", () => {
    expect(labAddresses('test', parseSubnet('10.42.7.0/24'), 2)).toEqual({
      cidr: '10.42.7.0/24',
      controllerIp: '10.42.7.1',
      registry: { ip: '10.42.7.2', port: 5000, address: '10.42.7.2:5000', netns: 'hound-test.registry' },
      nodes: [
        { name: 'node1', ip: '10.42.7.11', netns: 'hound-test.node1' },
        { name: 'node2', ip: '10.42.7.12', netns: 'hound-test.node2' },
      ],
    });
  });

  it('accepts --subnet as 10.A.B.0/24 or 10.A.B and rejects anything else with LAB_BAD_SUBNET', () => {
    expect(parseSubnet('10.1.2').prefix).toBe('10.1.2');
    expect(parseSubnet('10.1.2.0').prefix).toBe('10.1.2');
    for (const bad of ['192.168.1.0/24', '10.1.256.0/24', '10.1.2.0/16', '10.1.2.5/24', 'x']) {
      expect(() => parseSubnet(bad)).toThrowError(expect.objectContaining({ code: 'LAB_BAD_SUBNET', exitCode: 5 }));
    }
  });

  it('keeps every interface name within the kernel limit of 15 characters, up to the largest lab', () => {
    fc.assert(
      fc.property(labName, fc.integer({ min: 1, max: MAX_NODES }), (name, i) => {
        const l = linkNamesOf(name);
        for (const ifname of [l.bridge, l.controller, l.controllerPort, l.registryPort, l.nodePort(i)]) {
          expect(ifname.length).toBeLessThanOrEqual(15);
          expect(l.owns(ifname)).toBe(true);
        }
      }),
    );
  });

  it("does not claim another lab's or the system's interfaces", () => {
    const a = linkNamesOf('alpha');
    const b = linkNamesOf('beta');
    expect(a.owns(b.bridge)).toBe(false);
    expect(a.owns(b.nodePort(1))).toBe(false);
    for (const sys of ['eth0', 'lo', 'docker0', 'ifb0', 'hb']) expect(a.owns(sys)).toBe(false);
  });

  it('puts a dot, which names cannot contain, between lab name and role in namespaces', () => {
    expect(netnsOf('test', 'node1')).toBe('hound-test.node1');
    expect(netnsOf('test-2', 'node1').startsWith(netnsOf('test', ''))).toBe(false);
    expect(labDirOf('test')).toBe('/var/tmp/hound-lab/test');
  });

  it('rejects names that would escape the state dir or break interface names', () => {
    for (const bad of ['', '../x', 'A', 'a.b', 'a/b', '1abc', 'a'.repeat(25), 'a b']) {
      let err: unknown;
      try {
        validateLabName(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HoundError);
      expect((err as HoundError).code).toBe('LAB_BAD_NAME');
    }
    expect(validateLabName('bench-2')).toBe('bench-2');
  });
});
