/**
 * Property: a single-field mutation of a valid platform (one field path, one bad value for its type) is either refused
 * with a ValidationError naming the mutated field, with nothing written, or synthesizes output that still passes
 * `eks-platform check` and strict schema validation. A refusal of the gate (the output broke a rule) does not name the
 * field: it means the model let a bad value through, and fails the property. Fixed seed, bounded runs; `npm run fuzz`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { Platform, type PlatformProps } from '../../lib/model/platform';
import { ValidationError } from '../../lib/model/validation';
import { badValuesFor, leavesOf, mutate, pathText, validPlatformArb } from './arbitraries';
import { fuzzSettings, snapshotOf, synthAndJudge } from './fuzz-harness';

jest.setTimeout(600_000);

/** A valid platform of one environment, a field of it, and a bad value for that field. */
const mutationArb = validPlatformArb
  .filter((p) => p.environments.length === 1)
  .chain((props) => {
    const leaves = leavesOf(props).filter((l) => l.path.length > 0);
    return fc.constantFrom(...leaves).chain((leaf) => badValuesFor(leaf.value).map((bad) => ({ props, leaf, bad })));
  });

/** The key a refusal must name: the last named segment of the path (`port` of `services[1].ports[0].port`). */
function keyOf(p: readonly (string | number)[]): string {
  return String([...p].reverse().find((x) => typeof x === 'string'));
}

/**
 * What a refusal of the mutation may name: the key, or, when a list lost entries, the name of one of them (removing a
 * data store is refused where a service still calls it: `services.api.calls is "data/db"`).
 */
function namesOf(leaf: { readonly path: readonly (string | number)[]; readonly value: unknown }): RegExp {
  const removed = Array.isArray(leaf.value) ? leaf.value.map((v) => (v !== null && typeof v === 'object' ? (v as { name?: unknown }).name : v)).filter((n): n is string => typeof n === 'string') : [];
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp([keyOf(leaf.path), ...removed].map(escape).join('|'));
}

describe('single-field mutations of valid platforms', () => {
  test('are refused naming the field, nothing written, or give output that passes the check and the schemas', async () => {
    await fc.assert(fc.asyncProperty(mutationArb, async ({ props, leaf, bad }) => {
      const mutated = mutate<PlatformProps>(props, leaf.path, bad);
      const where = `${pathText(leaf.path)} = ${JSON.stringify(bad)}`;
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-mutation-'));
      // the previous output: a refused synth must leave it as it is
      fs.mkdirSync(path.join(out, 'dist', 'dev'), { recursive: true });
      fs.writeFileSync(path.join(out, 'dist', 'dev', 'platform.k8s.yaml'), '# the previous output\n');
      const before = snapshotOf(out);
      let platform: Platform;
      try {
        platform = new Platform(mutated);
      } catch (err) {
        expect([where, err instanceof ValidationError ? 'ValidationError' : String(err)]).toEqual([where, 'ValidationError']);
        // the field itself, or a rule between fields that names it (maxReplicas "at least minReplicas (...)")
        expect([where, (err as ValidationError).message]).toEqual([where, expect.stringMatching(namesOf(leaf))]);
        return;
      }
      let problems: string[];
      try {
        problems = await synthAndJudge(platform, out);
      } catch (err) {
        expect([where, snapshotOf(out)]).toEqual([where, before]);
        expect([where, err instanceof ValidationError ? (err as ValidationError).message : `not a ValidationError: ${String(err).split('\n').slice(0, 3).join(' ')}`])
          .toEqual([where, expect.stringMatching(namesOf(leaf))]);
        return;
      } finally {
        // nothing else to clean: the folder is a temporary one
      }
      expect([where, problems]).toEqual([where, []]);
      fs.rmSync(out, { recursive: true, force: true });
    }), fuzzSettings(30));
  });
});

describe('a refused mutation, through the command', () => {
  test('exits 1, names the field and writes nothing', () => {
    const [props] = fc.sample(validPlatformArb.filter((p) => p.environments.length === 1), { seed: fuzzSettings(1).seed, numRuns: 1 });
    const modules = path.join(__dirname, '..', '..', 'build', 'test-platforms');
    fs.mkdirSync(modules, { recursive: true });
    for (const [leafPath, bad] of [[['services', 0, 'ports', 0, 'port'], 70000], [['environments', 0, 'vpcCidr'], '0.0.0.0/0']] as const) {
      const mutated = mutate<PlatformProps>(props, leafPath, bad);
      // a module as a user writes it, the mutated props as data
      const file = path.join(modules, `fuzz-${keyOf(leafPath)}.js`);
      fs.writeFileSync(file, `const { Platform } = require('eks-platform-constructs/model');\nexports.platform = new Platform(${JSON.stringify(mutated)});\n`);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-cli-'));
      const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'build', 'lib', 'cli.js'), 'synth', file, '--outdir', out], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      expect([pathText(leafPath), r.status]).toEqual([pathText(leafPath), 1]);
      expect(r.stderr).toContain(keyOf(leafPath));
      expect(fs.readdirSync(out).filter((f) => f !== '.eks-platform')).toEqual([]);
    }
  });
});
