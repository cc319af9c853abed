// podman_image's build (`path`) and push as hound runs them on the node (modules/podman-image-build.ts):
// containers.podman 1.10.2's build_image and push_image words, but credentials: never on the
// command line, only in a temporary auth file (mode 0600, from stdin, removed after). The lab
// run is test/integration/podman-image-build.test.ts.
import { describe, expect, it } from 'vitest';
import { authFileContent, podmanBuildArgv, podmanLine, podmanPushArgv, podmanPushDestination, pushRegistry } from '../../../modules/podman-image-build.js';

describe('podman_image build options as podman build words', () => {
  it('the module defaults: format oci, the cache, --rm; the path last', () => {
    expect(podmanBuildArgv('nginx:latest', '/srv/ctx', {})).toEqual(['build', '-t', 'nginx:latest', '--format', 'oci', '--rm', '/srv/ctx']);
  });

  it('every option, in the module order, extra_args split as shlex does', () => {
    expect(
      podmanBuildArgv(
        'nginx:latest',
        '/srv/ctx',
        {
          annotation: { app: 'nginx', info: 'Load balancer', flag: true },
          force_rm: true,
          format: 'docker',
          cache: false,
          rm: false,
          file: 'Containerfile.alt',
          volume: ['/a:/b', '/c:/d:ro'],
          extra_args: "--build-arg KEY=value --label 'a b=c'",
        },
        false,
        { path: '/etc/containers/auth.json' },
      ),
    ).toEqual([
      'build',
      '-t',
      'nginx:latest',
      '--tls-verify=false',
      '--annotation',
      'app=nginx',
      '--annotation',
      'info=Load balancer',
      '--annotation',
      'flag=True',
      '--force-rm',
      '--format',
      'docker',
      '--no-cache',
      '--file',
      'Containerfile.alt',
      '--volume',
      '/a:/b',
      '--volume',
      '/c:/d:ro',
      '--authfile',
      '/etc/containers/auth.json',
      '--build-arg',
      'KEY=value',
      '--label',
      'a b=c',
      '/srv/ctx',
    ]);
  });
});

describe('podman_image push', () => {
  it('dest: the image under it; the name and tag taken off dest with the module warning', () => {
    expect(podmanPushDestination('nginx', 'latest', 'nginx:latest', { dest: 'quay.io/acme/' })).toEqual({ dest: 'quay.io/acme/nginx:latest' });
    expect(podmanPushDestination('nginx', '4', 'nginx:4', { dest: 'quay.io/acme/nginx:4' })).toEqual({
      dest: 'quay.io/acme/nginx:4',
      warning: "Image name and tag are automatically added to push_args['dest']. Destination changed to quay.io/acme",
    });
    expect(podmanPushDestination('nginx', 'latest', 'nginx:latest', { destination: 'reg:5000/a', transport: 'docker-archive' })).toEqual({
      dest: 'docker-archive:reg:5000/a',
    });
    expect(podmanPushDestination('nginx', 'latest', 'nginx:latest', { dest: '/srv/repo', transport: 'ostree' })).toEqual({ dest: 'ostree:nginx@/srv/repo' });
  });

  it('a name with a registry is pushed as it is; without one, dest is required', () => {
    expect(podmanPushDestination('quay.io/acme/nginx', 'latest', 'quay.io/acme/nginx:latest', {})).toEqual({});
    expect(() => podmanPushDestination('nginx', 'latest', 'nginx:latest', {})).toThrow(
      "'push_args['dest']' is required when pushing images that do not have the remote registry in the image name",
    );
  });

  it('push_args as podman push words, the destination last', () => {
    expect(
      podmanPushArgv(
        'nginx:latest',
        'quay.io/acme/nginx:latest',
        { compress: true, format: 'v2s2', remove_signatures: true, sign_by: 'me@example.org' },
        true,
        {
          path: '/run/auth.json',
        },
      ),
    ).toEqual([
      'push',
      '--tls-verify',
      '--authfile',
      '/run/auth.json',
      '--compress',
      '--format',
      'v2s2',
      '--remove-signatures',
      '--sign-by',
      'me@example.org',
      'nginx:latest',
      'quay.io/acme/nginx:latest',
    ]);
    expect(podmanPushArgv('quay.io/acme/nginx:latest', undefined, {})).toEqual(['push', 'quay.io/acme/nginx:latest']);
  });

  it('the registry the credentials are for: dest, else the name; none for a transport', () => {
    expect(pushRegistry('nginx', { dest: 'quay.io/acme' })).toBe('quay.io');
    expect(pushRegistry('localhost:5000/acme/nginx', {})).toBe('localhost:5000');
    expect(pushRegistry('nginx', { dest: '/tmp/x', transport: 'dir' })).toBeUndefined();
  });
});

describe('credentials never on the command line', () => {
  it('a temporary auth file from stdin, mode 0600 (mktemp), removed when the line ends', () => {
    const line = podmanLine(podmanPushArgv('reg:5000/a:1', undefined, {}, undefined, { temporary: true }), true);
    expect(line).toBe(`t=$(mktemp) || exit 125; trap 'rm -f "$t"' EXIT; cat > "$t" || exit 125; podman push --authfile "$t" reg:5000/a:1`);
    const content = authFileContent('reg:5000', 'bugs', 's3cret');
    expect(JSON.parse(content)).toEqual({ auths: { 'reg:5000': { auth: Buffer.from('bugs:s3cret').toString('base64') } } });
    expect(line).not.toContain('s3cret');
  });
});
