/**
 * The YAML writer's fast path (lib/app/_yaml-writer.ts) writes exactly what js-yaml writes: on every object of both
 * reference platforms, and on random objects with the scalars YAML readers are touchy about.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { platform as erp } from '../../apps/erp';
import { platform as shop } from '../../apps/platform';
import { buildKubernetesApp, stringifyYaml, stringifyYamlSlowly } from '../../lib/app/kubernetes-app';
import type { Platform } from '../../lib/model/platform';

function objectsOf(p: Platform): unknown[] {
  return p.environments.flatMap((e) => {
    const app = buildKubernetesApp(p, e.name, fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-writer-')));
    app.synth();
    return [...app.written.values()].flatMap((f) => f.objects);
  });
}

describe('the fast YAML writer', () => {
  test.each([['shop', shop], ['erp', erp]] as const)('writes every object of the %s reference platform exactly as js-yaml does', (_name, p) => {
    const objects = objectsOf(p);
    expect(objects.length).toBeGreaterThan(300);
    const differing = objects.filter((o) => stringifyYaml([o]) !== stringifyYamlSlowly([o]));
    expect(differing).toEqual([]);
    expect(stringifyYaml(objects)).toBe(stringifyYamlSlowly(objects));
  });

  test('writes random objects exactly as js-yaml does (touchy scalars, nesting, empty collections, lists of lists)', () => {
    const touchy = fc.constantFrom('', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', '~', 'true', 'False', '1.0', '0777', '0x1F', '-1', '+1', '.', '.inf', '1:20',
      '2026-12-05', 'a: b', '- a', '#x', 'a #b', '*a', '&a', '!tag', '%x', '@x', '`x', '"q"', "'q'", 'line 1\nline 2', ' lead', 'trail ', 'ü', 'a\tb', '{x}', '[x]', '|', '>');
    const key = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9./-]{0,12}$/), touchy, fc.string({ maxLength: 6 }));
    const scalar = fc.oneof(touchy, fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
      map: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      list: fc.array(tie('tree'), { maxLength: 4 }),
    }));
    fc.assert(fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }), (o) => {
      expect(stringifyYaml([o])).toBe(stringifyYamlSlowly([o]));
    }), { seed: 20261205, numRuns: 2000 });
  });
});
