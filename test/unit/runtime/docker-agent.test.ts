import http from 'node:http';
import net from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { sshSocketAgent } from '../../../runtime/docker.js';

// A stand-in Engine on a local TCP port: the agent's "socket" here is a plain net.Socket,
// as an SSH channel is a Duplex; what matters is what the agent holds between requests.
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function engine(): Promise<number> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ID":"x"}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

describe('the Docker-over-SSH agent', () => {
  it('is cheap to inspect: docker-modem inspects every request with showHidden and no depth limit', async () => {
    const port = await engine();
    const agent = sshSocketAgent(() => Promise.resolve(net.connect(port, '127.0.0.1')));
    const docker = new Docker({ host: 'docker', port: 80, protocol: 'http', agent } as Docker.DockerOptions);
    // Keep-alive: after a request the agent holds the live socket, which is what made each inspect walk a graph.
    expect(await docker.info()).toEqual({ ID: 'x' });
    const text = inspect({ path: '/info', agent }, { showHidden: true, depth: null });
    expect(text).toContain('[hound: Docker over SSH]');
    expect(text.length).toBeLessThan(200);
    agent.destroy();
  });
});
