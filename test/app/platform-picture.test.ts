/**
 * dist/<env>/PLATFORM.md: every Mermaid diagram of every environment of both reference platforms (and of a generated
 * platform of 200 services, and of one with awkward names) parses with Mermaid's own parser (mermaid.parse under a
 * jsdom shim, in one child process), stays within Mermaid's render limits, and the graph Mermaid's parser builds
 * shows every service, call, data store, secret, public host, zonal node group, Schedule and backup bucket of the
 * model, named as the two worlds name them. A synth of the small platform writes the page for each environment, and
 * what it shows agrees with the Terraform and the Schedules written beside it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { platform as erp } from '../../apps/erp';
import { platform as shop } from '../../apps/platform';
import { MERMAID_LIMITS, PLATFORM_PICTURE_FILE, platformPicture } from '../../lib/app/platform-picture';
import { synthesize } from '../../lib/app/synthesize';
import { backupSchedulesOf } from '../../lib/k8s/backups/velero-backups';
import { DataStoreEngine, DataStorePlacement, dataStoreKey } from '../../lib/model/data-stores';
import { backupBucketName, clusterName, qualifiedName } from '../../lib/model/names';
import { Platform } from '../../lib/model/platform';
import { PortProtocol, Release, type ServiceDefinition } from '../../lib/model/service';
import { zonalNodeGroupsOf } from '../../lib/model/zonal-node-groups';
import { smallPlatformSource } from '../fixtures/small-platform';

const HARNESS = path.join(__dirname, '..', 'fixtures', 'mermaid-parse.mjs');

interface Graph {
  readonly nodes: Array<{ id: string; shape: string; lines: string[] }>;
  readonly edges: Array<{ from: string; to: string; label: string[] }>;
  readonly subgraphs: Array<{ id: string; title: string[]; nodes: string[] }>;
}
type Verdict = { ok: true; type: string; size: number } & Graph | { ok: false; error: string };
interface Harness {
  readonly limits: { readonly maxTextSize: number; readonly maxEdges: number };
  readonly results: Verdict[];
}

/** Mermaid's verdict on each diagram, from one child process. */
function parseAll(diagrams: readonly string[]): Harness {
  const r = spawnSync(process.execPath, [HARNESS], { input: JSON.stringify(diagrams), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`the Mermaid harness failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as Harness;
}

/** The ```mermaid blocks of a page, each with the `## ` section it sits in. */
function mermaidBlocks(markdown: string): Array<{ section: string; text: string }> {
  const out: Array<{ section: string; text: string }> = [];
  let section = '';
  let open: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (open !== undefined) {
      if (line === '```') {
        out.push({ section, text: open.join('\n') });
        open = undefined;
      } else {
        open.push(line);
      }
    } else if (line === '```mermaid') {
      open = [];
    } else if (line.startsWith('## ')) {
      section = line.slice(3);
    }
  }
  return out;
}

/** A generated platform of `n` services in namespaces of 25, each calling up to three others (as scripts/bench.js). */
function generatedPlatform(n: number): Platform {
  const services: ServiceDefinition[] = Array.from({ length: n }, (_, i) => ({
    name: `svc-${i}`,
    namespace: `team-${Math.floor(i / 25)}`,
    partOf: 'generated',
    versions: [{ name: 'v1', image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/gen/svc-${i}:1.0.${i}` }],
    ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }],
    calls: [1, 7, 31].map((d) => i + d).filter((j) => j < n).map((j) => `team-${Math.floor(j / 25)}/svc-${j}`),
    secrets: i % 10 === 0 ? [{ name: 'token', env: { TOKEN: 'token' } }] : undefined,
    public: i % 50 === 0 ? { hosts: [`svc-${i}.gen.example.com`] } : undefined,
  }));
  const env = erp.environments[0];
  return new Platform({
    name: 'gen',
    registry: { accountId: '123456789012', region: 'eu-west-1' },
    services,
    environments: [{
      ...env, gitops: undefined, dataStores: undefined,
      kubernetes: { ...env.kubernetes, serviceOverrides: undefined, namespaceQuota: { requestsCpuMillis: 400000, requestsMemoryMiB: 800000, limitsCpuMillis: 1200000, limitsMemoryMiB: 1600000, pods: 1000 } },
    }],
  });
}

/** Service and data store names Mermaid's grammar knows as words, long DNS labels, digits and dashes. */
function awkwardPlatform(): Platform {
  const env = shop.environments[0];
  const long = 'a-long-service-name-with-digits-0123456789-and-dash';
  const image = (s: string) => `111122223333.dkr.ecr.eu-central-1.amazonaws.com/p/${s}:1`;
  const web = { name: 'web', port: 8080, protocol: PortProtocol.HTTP };
  return new Platform({
    name: 'p-0123456789-abcde',
    environments: [{ ...env, gitops: undefined, name: 'e2e-01', backup: { ...env.backup, replicaRegion: 'eu-west-1' } }],
    services: [
      { name: 'end', namespace: 'subgraph', partOf: 'x', versions: [{ name: 'v1', image: image('end') }], ports: [web], calls: [long, 'graph/style', 'click'], public: { hosts: ['x-1.example.com', '*.end.example.com'], pathPrefix: "/api/v1;x=a&lt;b&b=%22'(q)'~!$@end" }, secrets: [{ name: 'class', env: { CLASS: 'class' } }] },
      { name: long, namespace: 'subgraph', partOf: 'x', versions: [{ name: 'v1', image: image('a') }, { name: 'v2-0', image: image('a2') }], release: Release.canary({ v1: 90, 'v2-0': 10 }), ports: [web], calls: ['default'] },
      { name: 'style', namespace: 'graph', partOf: 'x', versions: [{ name: 'v1', image: image('style') }], ports: [web] },
    ],
    dataStores: [
      { name: 'click', namespace: 'subgraph', engine: DataStoreEngine.POSTGRESQL, version: '16' },
      { name: 'default', namespace: 'subgraph', engine: DataStoreEngine.REDIS, version: '7' },
    ],
    registry: { accountId: '111122223333', region: 'eu-central-1' },
  });
}

interface Page {
  readonly key: string;
  readonly platform: Platform;
  readonly env: string;
  readonly blocks: Array<{ section: string; text: string }>;
}

function pagesOf(p: Platform): Page[] {
  return p.environments.map((e) => ({ key: `${p.name}/${e.name}`, platform: p, env: e.name, blocks: mermaidBlocks(platformPicture(p, e.name)) }));
}

const GENERATED = generatedPlatform(200);
const GENERATED_MS = (() => {
  const start = process.hrtime.bigint();
  for (const e of GENERATED.environments) {
    platformPicture(GENERATED, e.name);
  }
  return Number(process.hrtime.bigint() - start) / 1e6 / GENERATED.environments.length;
})();
const PAGES = [...pagesOf(shop), ...pagesOf(erp), ...pagesOf(GENERATED), ...pagesOf(awkwardPlatform())];

/** The section's graphs of a page, as Mermaid parsed them, merged (node ids are the same in every diagram of a page). */
function graphOf(verdicts: readonly Verdict[], page: Page, section: string): Graph {
  const parsed = verdicts.filter((_, i) => page.blocks[i].section === section).map((v) => {
    if (!v.ok) {
      throw new Error(`${page.key}, ${section}: ${v.error}`);
    }
    return v;
  });
  return { nodes: parsed.flatMap((g) => g.nodes), edges: parsed.flatMap((g) => g.edges), subgraphs: parsed.flatMap((g) => g.subgraphs) };
}

/** Each node id of a call diagram as `namespace/name`: from the namespace box it sits in, or its second line outside. */
function qualifiedNodes(g: Graph): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of g.subgraphs) {
    for (const id of sub.nodes) {
      out.set(id, `${sub.title[0].replace(/^namespace /, '')}/${g.nodes.find((n) => n.id === id)!.lines[0]}`);
    }
  }
  for (const n of g.nodes.filter((x) => !out.has(x.id))) {
    out.set(n.id, `${n.lines[1].replace(/^namespace /, '')}/${n.lines[0]}`);
  }
  return out;
}

describe('PLATFORM.md', () => {
  let harness: Harness;
  const verdicts = new Map<string, Verdict[]>();
  beforeAll(() => {
    harness = parseAll(PAGES.flatMap((page) => page.blocks.map((b) => b.text)));
    let i = 0;
    for (const page of PAGES) {
      verdicts.set(page.key, harness.results.slice(i, i + page.blocks.length));
      i += page.blocks.length;
    }
  }, 120_000);

  test('the limits the picture splits at are Mermaid\'s own defaults', () => {
    expect(harness.limits).toEqual(MERMAID_LIMITS);
  });

  test('a page of the 200-service platform takes milliseconds', () => {
    process.stdout.write(`platformPicture, 200 services: ${GENERATED_MS.toFixed(1)} ms per environment\n`);
    expect(GENERATED_MS).toBeLessThan(500);
  });

  describe.each(PAGES.map((p) => [p.key, p] as const))('%s', (key, page) => {
    const p = page.platform;
    const env = p.environment(page.env);

    test('every Mermaid diagram parses with Mermaid\'s own parser, within its render limits', () => {
      const results = verdicts.get(key)!;
      expect(results).toHaveLength(page.blocks.length);
      expect(results.length).toBeGreaterThanOrEqual(4);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      for (const r of results) {
        expect(r.ok && [r.type, r.size <= harness.limits.maxTextSize, r.edges.length <= harness.limits.maxEdges]).toEqual(['flowchart-v2', true, true]);
      }
    });

    test('shows every service in its namespace and every call as an arrow, and no other', () => {
      const g = graphOf(verdicts.get(key)!, page, 'Services and who calls whom');
      const named = qualifiedNodes(g);
      const drawn = new Set(named.values());
      for (const s of p.services) {
        expect(drawn).toContain(qualifiedName(s));
      }
      for (const d of p.dataStores) {
        expect(drawn).toContain(dataStoreKey(d));
        const id = [...named].find(([, q]) => q === dataStoreKey(d))![0];
        expect(g.nodes.filter((n) => n.id === id).every((n) => n.shape === 'cylinder')).toBe(true);
      }
      const calls = p.services.flatMap((s) => [...p.calleesOf(s).map(qualifiedName), ...p.dataStoresCalledBy(s).map(dataStoreKey)].map((to) => `${qualifiedName(s)} -> ${to}`));
      expect(g.edges.map((e) => `${named.get(e.from)} -> ${named.get(e.to)}`).sort()).toEqual(calls.sort());
    });

    test('shows every public host and path prefix pointing at its service, characters Mermaid reads as syntax included', () => {
      const g = graphOf(verdicts.get(key)!, page, 'What is public');
      const expected = p.services.flatMap((s) => (s.public?.hosts ?? []).map((h) => `${h}${s.public?.pathPrefix ?? '/'} -> ${qualifiedName(s)}`));
      const nodes = new Map(g.nodes.map((n) => [n.id, n]));
      const shown = g.edges.filter((e) => e.from === 'gw').map((e) => `${e.label.join('')} -> ${nodes.get(e.to)!.lines[1].replace(/^namespace /, '')}/${nodes.get(e.to)!.lines[0]}`);
      expect(shown.sort()).toEqual(expected.sort());
    });

    test('shows every data store with its placement in this environment', () => {
      const g = graphOf(verdicts.get(key)!, page, 'Data stores');
      const shown = g.subgraphs.flatMap((sub) => sub.nodes.map((id) => {
        const n = g.nodes.find((x) => x.id === id)!;
        return `${n.lines[1].replace(/^namespace /, '')}/${n.lines[0]}: ${sub.title[0]}, ${n.lines[2].split(' ')[0]}`;
      }));
      const expected = p.dataStoresIn(env).map((d) => `${dataStoreKey(d)}: ${d.placement === DataStorePlacement.IN_CLUSTER ? 'in the cluster' : 'managed by AWS'}, ${d.engine}`);
      expect(shown.sort()).toEqual(expected.sort());
    });

    test('shows every secret by its Secrets Manager name, read by its service', () => {
      const g = graphOf(verdicts.get(key)!, page, 'Secrets');
      const nodes = new Map(g.nodes.map((n) => [n.id, n]));
      const shown = g.edges.map((e) => `${nodes.get(e.from)!.lines[1].replace(/^namespace /, '')}/${nodes.get(e.from)!.lines[0]} reads ${nodes.get(e.to)!.lines[0]} as ${e.label[0]}`);
      const expected = p.services.flatMap((s) => p.secretsOf(env, s).map((k) => `${qualifiedName(s)} reads ${k.secretsManagerName} as ${k.kubernetesSecretName}`));
      expect(shown.sort()).toEqual(expected.sort());
    });

    test('shows every zonal node group in its zone with its share of the sizes', () => {
      const g = graphOf(verdicts.get(key)!, page, 'Node groups per zone');
      const shown = g.subgraphs.flatMap((sub) => sub.nodes.map((id) => `${sub.title[0]}: ${g.nodes.find((x) => x.id === id)!.lines.join(', ')}`));
      const expected = zonalNodeGroupsOf(clusterName(p.name, env.name), env.nodeGroups, env.availabilityZones)
        .map((z) => `${z.zone}: ${z.name}, ${z.minSize} to ${z.maxSize} nodes, ${z.desiredSize} at start`);
      expect(shown.sort()).toEqual(expected.sort());
    });

    test('shows every Velero Schedule (cron, TTL, namespace), the bucket and its replica', () => {
      const g = graphOf(verdicts.get(key)!, page, 'Backups');
      const firstLines = g.nodes.map((n) => n.lines[0]);
      expect(firstLines).toContain(backupBucketName(p.name, env.name, env.accountId));
      if (env.backup.replicaRegion) {
        expect(firstLines).toContain(backupBucketName(p.name, env.name, env.accountId, env.backup.replicaRegion));
      }
      for (const plan of backupSchedulesOf(p, env)) {
        const node = g.nodes.find((n) => n.lines[0] === plan.name)!;
        expect([node.lines[1], node.lines[2].split(' (UTC)')[0], node.lines[3]]).toEqual([`namespace ${plan.namespace}`, plan.cron, `kept ${plan.ttlDays} days`]);
      }
    });
  });

  test('the call diagram of the 200-service platform (590 calls) is split by namespace, so that each renders', () => {
    const page = PAGES.find((x) => x.platform === GENERATED)!;
    expect(page.blocks.filter((b) => b.section === 'Services and who calls whom')).toHaveLength(GENERATED.namespaces().length);
  });

  test('fails when a diagram is broken: the harness reports Mermaid\'s parse error (the check can fail)', () => {
    const { results } = parseAll(['flowchart LR\n  a["x"] --> b', 'flowchart LR\n  a["x" --> b', 'flowchart LR\n  end["x"] --> b']);
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(results[1].ok === false && results[1].error).toMatch(/Parse error|Expecting/);
  });

  describe('a synth of the small platform', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'picture-'));
    const file = path.join(out, 'small.ts');
    fs.writeFileSync(file, smallPlatformSource());
    const small = (require(file) as { platform: Platform }).platform;
    beforeAll(() => {
      synthesize(small, { outdir: out });
    }, 120_000);

    test('writes PLATFORM.md beside PREREQUISITES.md in every environment, the page of the model', () => {
      for (const e of small.environments) {
        const dir = path.join(out, 'dist', e.name);
        expect(fs.existsSync(path.join(dir, 'PREREQUISITES.md'))).toBe(true);
        expect(fs.readFileSync(path.join(dir, PLATFORM_PICTURE_FILE), 'utf8')).toBe(platformPicture(small, e.name));
      }
    });

    test('names the node groups, sizes, bucket and Schedules as the Terraform and the YAML written beside it do', () => {
      for (const e of small.environments) {
        const page = fs.readFileSync(path.join(out, 'dist', e.name, PLATFORM_PICTURE_FILE), 'utf8');
        const stack = JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out', 'stacks', e.name, 'cdk.tf.json'), 'utf8'));
        const groups = Object.values(stack.resource.aws_eks_node_group as Record<string, { node_group_name: string; scaling_config: { min_size: number; max_size: number } }>);
        expect(groups.length).toBe(e.availabilityZones.length);
        for (const ng of groups) {
          expect(page).toContain(`"${ng.node_group_name}<br/>${ng.scaling_config.min_size} to ${ng.scaling_config.max_size} nodes`);
        }
        const buckets = Object.values(stack.resource.aws_s3_bucket as Record<string, { bucket: string }>).map((b) => b.bucket);
        expect(buckets).toContain(backupBucketName(small.name, e.name, e.accountId));
        expect(page).toContain(`"${backupBucketName(small.name, e.name, e.accountId)}<br/>`);
        const yaml = fs.readFileSync(path.join(out, 'dist', e.name, 'platform.k8s.yaml'), 'utf8');
        const schedules = (loadAll(yaml) as Array<{ kind?: string; metadata: { name: string }; spec: { schedule: string; template: { ttl: string; includedNamespaces: string[] } } }>).filter((o) => o?.kind === 'Schedule');
        expect(schedules.length).toBe(small.namespaces().length);
        for (const s of schedules) {
          const days = Number(/^(\d+)h0m0s$/.exec(s.spec.template.ttl)![1]) / 24;
          expect(page).toContain(`"${s.metadata.name}<br/>namespace ${s.spec.template.includedNamespaces.join(', ')}<br/>${s.spec.schedule} (UTC)`);
          expect(page).toContain(`kept ${days} days"`);
        }
      }
    });
  });
});
