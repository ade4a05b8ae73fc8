/**
 * Property: every random valid platform synthesizes, both worlds, and its output passes `eks-platform check` with no
 * error and strict schema validation (the official Kubernetes, Istio, Argo CD, prometheus-operator and External
 * Secrets schemas, the Velero and CloudNativePG CRDs). Fixed seed, bounded runs; `npm run fuzz` for more.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Platform } from '../../lib/model/platform';
import { validPlatformArb } from './arbitraries';
import { fuzzSettings, synthAndJudge } from './fuzz-harness';

jest.setTimeout(600_000);

describe('random valid platforms', () => {
  test('synthesize, and their output passes eks-platform check and strict schema validation', async () => {
    await fc.assert(fc.asyncProperty(validPlatformArb, async (props) => {
      const platform = new Platform(props);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-valid-'));
      expect(await synthAndJudge(platform, out)).toEqual([]);
      fs.rmSync(out, { recursive: true, force: true });
    }), fuzzSettings(3));
  });
});
