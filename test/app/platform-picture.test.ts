/**
 * dist/<env>/PLATFORM.md: every Mermaid diagram of every environment of both reference platforms parses with
 * Mermaid's own parser (mermaid.parse under a jsdom shim, in a child process), and shows every service, data store,
 * secret, public host, zonal node group and backup bucket of the model, named as the two worlds name them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { platform as erp } from '../../apps/erp';
import { platform as shop } from '../../apps/platform';
import { PLATFORM_PICTURE_FILE, platformPicture } from '../../lib/app/platform-picture';
import { synthesize } from '../../lib/app/synthesize';
import { backupBucketName, clusterName } from '../../lib/model/names';
import { Platform } from '../../lib/model/platform';
import { zonalNodeGroupsOf } from '../../lib/model/zonal-node-groups';
import { PortProtocol } from '../../lib/model/service';

const HARNESS = path.join(__dirname, '..', 'fixtures', 'mermaid-parse.mjs');

/** Every ```mermaid block of a Markdown text. */
function mermaidBlocks(markdown: string): string[] {
  const out: string[] = [];
  const re = /^```mermaid\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) {
    out.push(m[1]);
  }
  return out;
}

/** Mermaid's verdict on each diagram, from one child process. */
function parseAll(diagrams: readonly string[]): Array<{ ok: boolean; type?: string; error?: string }> {
  const r = spawnSync(process.execPath, [HARNESS], { input: JSON.stringify(diagrams), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`the Mermaid harness failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

const PAGES = [shop, erp].flatMap((p) => p.environments.map((e) => ({ platform: p, env: e.name, text: platformPicture(p, e.name) })));

describe('PLATFORM.md', () => {
  let verdicts: Map<string, Array<{ ok: boolean; type?: string; error?: string }>>;
  beforeAll(() => {
    const all = PAGES.flatMap((page) => mermaidBlocks(page.text));
    const results = parseAll(all);
    verdicts = new Map();
    let i = 0;
    for (const page of PAGES) {
      const n = mermaidBlocks(page.text).length;
      verdicts.set(`${page.platform.name}/${page.env}`, results.slice(i, i + n));
      i += n;
    }
  }, 60_000);

  describe.each(PAGES.map((p) => [`${p.platform.name}/${p.env}`, p] as const))('%s', (key, page) => {
    test('every Mermaid diagram parses with Mermaid\'s own parser', () => {
      const results = verdicts.get(key)!;
      expect(results.length).toBeGreaterThanOrEqual(4);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(results.every((r) => r.type === 'flowchart-v2')).toBe(true);
    });

    test('shows every service, data store, secret, public host, zonal node group and the backup buckets', () => {
      const p = page.platform;
      const env = p.environment(page.env);
      const diagrams = mermaidBlocks(page.text).join('\n');
      for (const s of p.services) {
        expect([s.name, diagrams.includes(`"${s.name}<br/>`)]).toEqual([s.name, true]);
        for (const host of s.public?.hosts ?? []) {
          expect(diagrams).toContain(`"${host}`);
        }
        for (const secret of p.secretsOf(env, s)) {
          expect(diagrams).toContain(`"${secret.secretsManagerName}"`);
        }
      }
      for (const d of p.dataStores) {
        expect(diagrams).toContain(`"${d.name} (${d.namespace})<br/>`);
      }
      for (const g of zonalNodeGroupsOf(clusterName(p.name, env.name), env.nodeGroups, env.availabilityZones)) {
        expect(diagrams).toContain(`"${g.name}<br/>${g.minSize} to ${g.maxSize} nodes`);
      }
      expect(diagrams).toContain(backupBucketName(p.name, env.name, env.accountId));
      if (env.backup.replicaRegion) {
        expect(diagrams).toContain(backupBucketName(p.name, env.name, env.accountId, env.backup.replicaRegion));
      }
      for (const ns of p.namespaces()) {
        expect(diagrams).toContain(`"backup-${ns}<br/>namespace ${ns}`);
      }
    });
  });

  test('fails when a diagram is broken: the harness reports Mermaid\'s parse error (the check can fail)', () => {
    const [good, broken] = parseAll(['flowchart LR\n  a["x"] --> b', 'flowchart LR\n  a["x" --> b']);
    expect(good.ok).toBe(true);
    expect(broken.ok).toBe(false);
    expect(broken.error).toMatch(/Parse error|Expecting/);
  });

  test('names that Mermaid reads as syntax are written as entities, and still parse', () => {
    const env = shop.environments[0];
    const awkward = new Platform({
      name: 'p-0123456789-abcde',
      environments: [{ ...env, gitops: undefined, name: 'e2e-test-01' }],
      services: [
        { name: 'end', namespace: 'subgraph', partOf: 'x', versions: [{ name: 'v1', image: '111122223333.dkr.ecr.eu-central-1.amazonaws.com/p/end:1' }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }], calls: ['a-very-long-service-name-with-digits-0123456789-and-dashes'], public: { hosts: ['x-1.example.com'], pathPrefix: '/api/v1' } },
        { name: 'a-very-long-service-name-with-digits-0123456789-and-dashes', namespace: 'subgraph', partOf: 'x', versions: [{ name: 'v1', image: '111122223333.dkr.ecr.eu-central-1.amazonaws.com/p/a:1' }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }] },
      ],
      registry: { accountId: '111122223333', region: 'eu-central-1' },
    });
    const results = parseAll(mermaidBlocks(platformPicture(awkward, 'e2e-test-01')));
    expect(results.length).toBeGreaterThanOrEqual(4);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  test('is written beside PREREQUISITES.md for every environment, and is the same for the same model', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'picture-'));
    synthesize(erp, { outdir: out, only: 'kubernetes' });
    for (const env of erp.environments) {
      const file = path.join(out, 'dist', env.name, PLATFORM_PICTURE_FILE);
      expect(fs.readFileSync(file, 'utf8')).toBe(platformPicture(erp, env.name));
    }
  });
});
