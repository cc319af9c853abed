// The Ansible corpus (test/fixtures/corpus/ansible, README there) under ansible-playbook and
// under hound. Driven by corpus.json's expected_hound_support for each entry:
// - supported: hound's --syntax-check ends as ansible-playbook's does; a runnable entry, run
//   by each tool from the same starting state on the lab, leaves every node with the same
//   images (tags and repo digests) and prints the same recap counts per host;
// - refused: hound refuses it at --syntax-check with the recorded first error (exit 4), and
//   a runnable entry changes nothing on the nodes;
// - diverges: the recorded difference (corpus.json `divergence`); the syntax checks still agree,
//   unless the divergence is at the syntax check, where hound's outcome is the recorded one.
// ansible-playbook's own outcomes (its syntax check, and for runnable entries its run on the
// lab: exit, recap counts, images per node) are checked against the ones recorded in
// corpus.json first, so a change of the oracle (another Ansible or collection version, a
// harness that no longer fits) shows up as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { firstHoundError, labImageState, loadCorpus, resetLab, runOnLab, syntaxCheck, type CorpusEntry } from './ansible-parity.js';
import { readTestLab } from '../fixtures/test-lab.js';

const corpus = loadCorpus();
/** kubespray's download tasks take about 2 min under ansible-playbook on the 4-node test lab. */
const LAB_RUN_TIMEOUT_MS = 300_000;
let lab: LabInfo;

beforeAll(async () => {
  lab = await readTestLab();
});

afterAll(async () => {
  if (lab) await resetLab(lab, {});
});

function outputOf(run: { stdout: string; stderr: string }): string {
  return run.stdout + run.stderr;
}

describe('the Ansible corpus: ansible-playbook and hound', () => {
  it('has at least 25 entries, each with a recorded expectation', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    for (const entry of corpus) expect(['supported', 'refused', 'diverges'], entry.slug).toContain(entry.expected_hound_support);
  });

  describe.each(corpus.map((e) => [e.slug, e] as [string, CorpusEntry]))('%s', (_slug, entry) => {
    it(`--syntax-check: ansible-playbook as recorded, hound ${entry.expected_hound_support}`, async () => {
      const ansible = await syntaxCheck('ansible-playbook', entry);
      expect(ansible.code, outputOf(ansible)).toBe(entry.ansible_syntax_check.exit);
      const houndRun = await syntaxCheck('hound', entry);
      if (entry.expected_hound_support === 'refused') {
        const recorded = entry.hound_syntax_check_today.error;
        expect(houndRun.code, outputOf(houndRun)).toBe(4);
        expect(firstHoundError(outputOf(houndRun), entry)).toEqual(recorded);
      } else if (entry.expected_hound_support === 'diverges' && entry.hound_syntax_check_today.exit !== entry.ansible_syntax_check.exit) {
        // A divergence at the syntax check itself (corpus.json `divergence` says why): hound's outcome as recorded.
        const recorded = entry.hound_syntax_check_today;
        expect(houndRun.code, outputOf(houndRun)).toBe(recorded.exit);
        if (recorded.error !== undefined) expect(firstHoundError(outputOf(houndRun), entry)).toEqual(recorded.error);
      } else {
        expect(houndRun.code, outputOf(houndRun)).toBe(ansible.code);
      }
    });

    if (entry.runnable) {
      it(
        'on the lab: ansible-playbook ends as recorded (exit, recap counts, images per node)',
        async () => {
          const ansible = await runOnLab('ansible-playbook', entry, lab);
          expect({ exit: ansible.run.code, recap: ansible.recap, state: ansible.state }, outputOf(ansible.run).slice(-3000)).toEqual(entry.ansible_on_lab);
        },
        LAB_RUN_TIMEOUT_MS,
      );
    }

    if (entry.runnable && entry.expected_hound_support === 'supported') {
      it(
        'on the lab: the same images, tags and digests per node, and the same recap counts',
        async () => {
          const ansible = await runOnLab('ansible-playbook', entry, lab);
          const houndRun = await runOnLab('hound', entry, lab);
          expect(houndRun.run.code, outputOf(houndRun.run)).toBe(ansible.run.code);
          expect(houndRun.state).toEqual(ansible.state);
          expect(houndRun.recap).toEqual(ansible.recap);
        },
        2 * LAB_RUN_TIMEOUT_MS,
      );
    }

    if (entry.runnable && entry.expected_hound_support === 'refused') {
      it('on the lab: hound refuses it before touching a node', async () => {
        const houndRun = await runOnLab('hound', entry, lab);
        expect(houndRun.run.code, outputOf(houndRun.run)).toBe(4);
        expect(houndRun.state).toEqual(await startState(entry));
      });
    }
  });
});

/** The state resetLab leaves: each node holds exactly its starting images. */
async function startState(entry: CorpusEntry): Promise<Record<string, string[]>> {
  await resetLab(lab, entry.runnable!.start);
  return labImageState(lab);
}
