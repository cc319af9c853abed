// The house rules (docs/architecture.md): rooms are ordered from the bottom up, and a
// room imports only rooms below it. No file may be part of an import cycle.
// Checked in CI by `npm run depcheck`.
const ROOMS = ['base', 'config', 'vault', 'inventory', 'transport', 'runtime', 'relay', 'modules', 'playbook', 'plan', 'core', 'report', 'lab', 'bench', 'cli'];
// bench and cli are both at the top: neither imports the other.
const TOP = new Set(['bench', 'cli']);

const upward = ROOMS.map((room, i) => {
  const above = ROOMS.slice(i + 1).filter((r) => !(TOP.has(room) && TOP.has(r)));
  const siblings = TOP.has(room) ? [...TOP].filter((r) => r !== room) : [];
  const forbidden = [...above, ...siblings];
  return {
    name: `${room}-imports-only-below`,
    comment: `${room}/ may import only ${ROOMS.slice(0, i).join(', ') || 'nothing of hound'}`,
    severity: 'error',
    from: { path: `^${room}/` },
    to: { path: `^(${forbidden.join('|')})/` },
  };
}).filter((rule) => rule.to.path !== '^()/');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle makes rooms impossible to read or test alone',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-test',
      comment: 'product code never imports tests',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
