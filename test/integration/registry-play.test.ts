// `hound plan` and `hound play`, built, on the lab's production-like registries: one play
// logs in to the TLS + token registry with credentials from a real credential helper
// (docker-credential-pass), pulls from it on every node and a Docker Hub name through the
// mirror on the nodes that list it (group `mirrored`); the plan names the mirror and the
// registry's rate limit; a node that does not trust the registry is refused before any
// pull; a 429's Retry-After is obeyed by the pull retry; and the credentials reach the
// nodes' Docker per pull only, never written on a node. The lab inventory carries the lab
// CA as hound_registry_ca.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { RegistryClient } from '../../transport/registry.js';
import { hound, jsonEvents, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';
import { startTokenServer, type TokenServer } from '../fixtures/registry/token-server.js';
import { createPassStore, type PassStore } from '../fixtures/registry/pass-store.js';
import { startRateLimitFront } from '../fixtures/registry/rate-limit-front.js';
import { LAB_RATE_LIMIT } from '../../lab/secure-registries.js';
import { schemaErrors } from '../fixtures/schemas.js';

const work = useLabWorkDir();
let lab: LabInfo;
let tokens: TokenServer;
let pass: PassStore;
/** What hound's environment needs for the helper: DOCKER_CONFIG, GNUPGHOME, PASSWORD_STORE_DIR. */
let helperEnv: Record<string, string>;

const nodeDocker = (i: number) => new Docker({ socketPath: lab.nodes[i].dockerSocket });
const mirrored = () => lab.nodes.filter((n) => (n.registryMirrors ?? []).length > 0);

async function plainDigest(repository: string): Promise<string> {
  const client = new RegistryClient({ dockerConfigPath: false, proxy: {} });
  try {
    return (await client.resolveImage(`${lab.registry.ip}:${lab.registry.port}/${repository}`, { insecure: true })).manifestDigest;
  } finally {
    client.close();
  }
}

async function removeEverywhere(names: string[]): Promise<void> {
  for (const [i] of lab.nodes.entries()) {
    for (const name of names)
      await nodeDocker(i)
        .getImage(name)
        .remove({ force: true })
        .catch(() => undefined);
  }
}

function playbook(name: string, text: string): string {
  writeFileSync(path.join(work.dir, name), text);
  return name;
}

/** Files under the node's dir that hold any of `needles`: its Docker data (layers excepted), home, /etc/docker, /run. */
function filesHolding(nodeDir: string, needles: string[]): Promise<string> {
  return new Promise((resolve) => {
    const patterns = path.join(nodeDir, '.needles');
    writeFileSync(patterns, needles.join('\n') + '\n');
    execFile(
      'grep',
      ['-rlF', '-f', patterns, '--exclude-dir=overlay2', '--exclude=.needles', '--exclude=*.sock', '-D', 'skip', nodeDir],
      { maxBuffer: 1 << 20 },
      (_error, stdout) => resolve(stdout.trim()),
    );
  });
}

beforeAll(async () => {
  lab = work.lab;
  [tokens, pass] = await Promise.all([startTokenServer(lab), createPassStore()]);
  // As `docker login` with "credHelpers": { TOKEN_REGISTRY: "pass" } leaves it.
  await pass.store(lab.secure.token.host, lab.secure.username, lab.secure.password);
  const dockerConfig = pass.dockerConfig({ credHelpers: { [lab.secure.token.host]: 'pass' } });
  helperEnv = { ...pass.env, DOCKER_CONFIG: dockerConfig };
});

afterAll(async () => {
  await Promise.all([tokens?.close(), pass?.close()]);
});

const WARMUP = `- name: the TLS + token registry, credentials from the credential helper
  hosts: nodes
  gather_facts: false
  tasks:
    - name: log in as the docker CLI would
      registry_login:
        registry: "{{ lab_token_registry }}"
        from_docker_config: true
    - name: warm up from the token registry
      image:
        name: "{{ lab_token_registry }}/hound/app3:latest"

- name: a Docker Hub name, through the mirror of the nodes that have one
  hosts: mirrored
  gather_facts: false
  tasks:
    - name: warm up through the mirror
      image:
        name: hound/app4:latest
`;

describe('one play on the TLS + token registry and the mirror', () => {
  beforeAll(async () => {
    await removeEverywhere([`${lab.secure.token.host}/hound/app3:latest`, 'hound/app4:latest']);
  });

  it('the plan names the mirror and the registry rate limit, and its JSON says the same', async () => {
    playbook('warmup.yml', WARMUP);
    const r = await hound(['plan', 'warmup.yml', '-i', lab.inventory], work.dir, helperEnv);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const mirror = lab.secure.mirror.url;
    expect(r.stdout).toContain(
      `docker.io: through mirror ${mirror} on ${mirrored()
        .map((n) => n.name)
        .join(', ')}`,
    );
    expect(r.stdout).toContain(
      `${lab.secure.token.host}: rate limit ${LAB_RATE_LIMIT.limit} pulls per 6 h, ${LAB_RATE_LIMIT.remaining} left (stated by ${lab.secure.token.url})`,
    );
    expect(r.stdout).toMatch(new RegExp(`\\+ hound/app4:latest .*via mirror ${mirror.replace(/[.]/g, '\\.')}`));
    expect(r.stdout).not.toContain(lab.secure.password);

    const json = await hound(['plan', 'warmup.yml', '-i', lab.inventory, '--json'], work.dir, helperEnv);
    const plan = JSON.parse(json.stdout) as {
      registries: Record<string, { mirrors?: Record<string, string[]>; rate_limit?: Record<string, unknown> }>;
      hosts: Record<string, { actions: { image: string; mirror?: string }[] }>;
    };
    expect(schemaErrors('plan', plan)).toEqual([]);
    expect(plan.registries['docker.io'].mirrors).toEqual({ [mirror]: mirrored().map((n) => n.name) });
    expect(plan.registries[lab.secure.token.host].rate_limit).toEqual({
      endpoint: lab.secure.token.url,
      limit: LAB_RATE_LIMIT.limit,
      remaining: LAB_RATE_LIMIT.remaining,
      window_seconds: LAB_RATE_LIMIT.windowSeconds,
    });
    for (const node of mirrored()) expect(plan.hosts[node.name].actions.find((a) => a.image === 'hound/app4:latest')?.mirror).toBe(mirror);
  });

  it('the play pulls them all, each node asking the token server itself, with credentials sent per pull and written nowhere', async () => {
    const tokensBefore = tokens.requests.length;
    const r = await hound(['play', '--distribution', 'direct', 'warmup.yml', '-i', lab.inventory, '--reporter', 'plain', '-vvv'], work.dir, helperEnv);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const app3 = await plainDigest('hound/app3');
    const app4 = await plainDigest('hound/app4');
    for (const [i, node] of lab.nodes.entries()) {
      const image = await nodeDocker(i).getImage(`${lab.secure.token.host}/hound/app3:latest`).inspect();
      expect(image.RepoDigests, node.name).toContain(`${lab.secure.token.host}/hound/app3@${app3}`);
      const hub = await nodeDocker(i)
        .getImage('hound/app4:latest')
        .inspect()
        .catch(() => undefined);
      if ((node.registryMirrors ?? []).length > 0) expect(hub?.RepoDigests, node.name).toContain(`hound/app4@${app4}`);
      else expect(hub, node.name).toBeUndefined();
    }
    // Each node's dockerd fetched its own token, as the helper's user: the credentials rode its pull.
    const byNodes = tokens.requests.slice(tokensBefore).filter((t) => lab.nodes.some((n) => n.ip === t.from));
    expect(new Set(byNodes.filter((t) => t.user === lab.secure.username && t.status === 200).map((t) => t.from))).toEqual(new Set(lab.nodes.map((n) => n.ip)));

    const everything = r.stdout + r.stderr;
    expect(everything).toContain('log in as the docker CLI would');
    for (const secret of [lab.secure.password, ...tokens.issued]) {
      expect(everything.includes(secret), 'a secret in the output').toBe(false);
      expect(everything.includes(Buffer.from(secret).toString('base64').slice(0, 16)), 'a secret, base64, in the output').toBe(false);
    }
    for (const node of lab.nodes) {
      const dir = path.join(lab.dir, 'nodes', node.name);
      expect(
        await filesHolding(dir, [lab.secure.password, Buffer.from(`${lab.secure.username}:${lab.secure.password}`).toString('base64'), ...tokens.issued]),
        node.name,
      ).toBe('');
      expect(existsSync(path.join(dir, 'home', '.docker', 'config.json')), node.name).toBe(false);
    }
    // Again: nothing to do.
    const again = await hound(['play', '--distribution', 'direct', 'warmup.yml', '-i', lab.inventory, '--json'], work.dir, helperEnv);
    expect(Object.values(summaryOf(jsonEvents(again.stdout)).hosts).every((h) => h.changed === 0)).toBe(true);
  });

  it('through the relay too: its origins are the token registry (helper credentials) and the mirror', async () => {
    const relayed = WARMUP.replace(/app3/g, 'app5').replace(/app4/g, 'app6');
    playbook('relayed.yml', relayed);
    await removeEverywhere([`${lab.secure.token.host}/hound/app5:latest`, 'hound/app6:latest']);
    const r = await hound(['play', 'relayed.yml', '-i', lab.inventory, '--reporter', 'plain', '-v', '--distribution', 'relay'], work.dir, helperEnv);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`docker.io (mirror ${lab.secure.mirror.url})`);
    const [app5, app6] = await Promise.all([plainDigest('hound/app5'), plainDigest('hound/app6')]);
    for (const [i, node] of lab.nodes.entries()) {
      const image = await nodeDocker(i).getImage(`${lab.secure.token.host}/hound/app5:latest`).inspect();
      expect(image.RepoDigests, node.name).toContain(`${lab.secure.token.host}/hound/app5@${app5}`);
      if ((node.registryMirrors ?? []).length > 0)
        expect((await nodeDocker(i).getImage('hound/app6:latest').inspect()).RepoDigests).toContain(`hound/app6@${app6}`);
    }
    for (const secret of [lab.secure.password, ...tokens.issued]) expect((r.stdout + r.stderr).includes(secret)).toBe(false);
  });
});

describe("a node's own trust", () => {
  it('a node without the CA in its certs.d is refused in the plan and in the play, before it pulls anything', async () => {
    const node = lab.nodes[1];
    const caFile = path.join(lab.dir, 'nodes', node.name, 'etc-docker', 'certs.d', lab.secure.token.host, 'ca.crt');
    const aside = `${caFile}.aside`;
    playbook('untrusted.yml', WARMUP.replace(/app3/g, 'app7').split('\n- name: a Docker Hub name')[0]);
    await removeEverywhere([`${lab.secure.token.host}/hound/app7:latest`]);
    renameSync(caFile, aside);
    try {
      const plan = await hound(['plan', 'untrusted.yml', '-i', lab.inventory], work.dir, helperEnv);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toMatch(
        new RegExp(
          `^${node.name} \\(linux/amd64, Docker \\S+\\) FAILED REGISTRY_UNTRUSTED: the node's runtime will not trust ${lab.secure.token.url.replaceAll('.', '\\.')}: its certificate is signed by an unknown authority`,
          'm',
        ),
      );
      expect(plan.stdout).toContain(`hint: the node's runtime trusts its system CAs and what /etc/docker/certs.d/${lab.secure.token.host}/ holds`);
      expect(plan.stdout).toContain(`1 host(s) failed: ${node.name}.`);

      const pulledBefore = tokens.requests.filter((t) => t.from === node.ip).length;
      const play = await hound(['play', '--distribution', 'direct', 'untrusted.yml', '-i', lab.inventory, '--json'], work.dir, helperEnv);
      expect(play.code, play.stdout + play.stderr).toBe(2);
      const recap = summaryOf(jsonEvents(play.stdout)).hosts;
      expect(recap[node.name].failed).toBe(1);
      expect(Object.entries(recap).every(([host, h]) => host === node.name || h.failed === 0)).toBe(true);
      expect(play.stdout).toContain(`${node.name}: the node's runtime will not trust ${lab.secure.token.url}`);
      // Its dockerd never went to the registry: no token asked for from its address.
      expect(tokens.requests.filter((t) => t.from === node.ip).length).toBe(pulledBefore);
      expect(
        await nodeDocker(1)
          .getImage(`${lab.secure.token.host}/hound/app7:latest`)
          .inspect()
          .catch(() => undefined),
      ).toBeUndefined();
    } finally {
      renameSync(aside, caFile);
    }
  });
});

describe('a registry that asks for a client certificate', () => {
  it("plan and play as Docker does: the controller and each node present the client certificate of their certs.d; a node without one fails with Docker's refusal, the others go on", async () => {
    const host = lab.secure.clientCertificate.host;
    // The controller's own certs.d, as Docker on the controller would read it (this lab's address only).
    const controllerCerts = path.join('/etc/docker/certs.d', host);
    mkdirSync(controllerCerts, { recursive: true });
    copyFileSync(lab.secure.clientCertificate.clientCert, path.join(controllerCerts, 'client.cert'));
    copyFileSync(lab.secure.clientCertificate.clientKey, path.join(controllerCerts, 'client.key'));
    const node = lab.nodes[1];
    const nodeCerts = path.join(lab.dir, 'nodes', node.name, 'etc-docker', 'certs.d', host);
    const aside = path.join(lab.dir, 'nodes', node.name, 'client-certificate-aside');
    try {
      playbook(
        'client-certificate.yml',
        `- hosts: nodes\n  gather_facts: false\n  tasks:\n    - image:\n        name: "{{ lab_client_certificate_registry }}/hound/app9:latest"\n`,
      );
      await removeEverywhere([`${host}/hound/app9:latest`]);
      const plan = await hound(['plan', 'client-certificate.yml', '-i', lab.inventory], work.dir);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout.split('\n').filter((l) => l.includes(`+ ${host}/hound/app9:latest`))).toHaveLength(lab.nodes.length);

      // The node keeps the CA, not the client certificate and its key.
      mkdirSync(aside, { recursive: true });
      for (const file of ['client.cert', 'client.key']) renameSync(path.join(nodeCerts, file), path.join(aside, file));
      const play = await hound(['play', '--distribution', 'direct', 'client-certificate.yml', '-i', lab.inventory, '--json', '--pull-attempts', '1'], work.dir);
      expect(play.code, play.stdout + play.stderr).toBe(2);
      const recap = summaryOf(jsonEvents(play.stdout)).hosts;
      expect(recap[node.name].failed).toBe(1);
      expect(play.stdout).toMatch(/tls: (bad certificate|certificate required)/);
      const app9 = await plainDigest('hound/app9');
      for (const [i, n] of lab.nodes.entries()) {
        if (n.name === node.name) continue;
        expect(recap[n.name].failed, n.name).toBe(0);
        expect((await nodeDocker(i).getImage(`${host}/hound/app9:latest`).inspect()).RepoDigests, n.name).toContain(`${host}/hound/app9@${app9}`);
      }
    } finally {
      for (const file of ['client.cert', 'client.key']) if (existsSync(path.join(aside, file))) renameSync(path.join(aside, file), path.join(nodeCerts, file));
      rmSync(controllerCerts, { recursive: true, force: true });
    }
  });
});

describe('rate limits during pulls', () => {
  it("a node's pull refused with 429 is tried again only after the registry's Retry-After, not after the shorter backoff", async () => {
    const front = await startRateLimitFront(lab);
    try {
      playbook('limited.yml', `- hosts: node1\n  gather_facts: false\n  tasks:\n    - image:\n        name: "${front.host}/hound/app8:latest"\n`);
      await removeEverywhere([`${front.host}/hound/app8:latest`]);
      // The window opens at the node's first manifest request, after hound's precheck asked.
      front.limitFor(5, (address) => address !== lab.controllerIp);
      const r = await hound(['play', '--distribution', 'direct', 'limited.yml', '-i', lab.inventory, '--reporter', 'plain', '--pull-attempts', '2'], work.dir);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`${front.host} is rate limiting pulls; it asks to wait`);
      const fromNode = front.requests.filter((q) => q.from.endsWith(lab.nodes[0].ip) && q.path.includes('/manifests/'));
      const refused = fromNode.find((q) => q.status === 429)!;
      const next = fromNode.find((q) => q.at > refused.at && q.status === 200)!;
      // The pull retry's own backoff would be 0.5–1.5 s; the registry asked for 5.
      expect(next.at - refused.at).toBeGreaterThanOrEqual(4_000);
      expect((await nodeDocker(0).getImage(`${front.host}/hound/app8:latest`).inspect()).RepoDigests).toContain(
        `${front.host}/hound/app8@${await plainDigest('hound/app8')}`,
      );
    } finally {
      await front.close();
    }
  });
});
