/**
 * The platform's own GitOps: per environment a root Argo CD Application of the environment's folder (app of apps),
 * from the model's repository, revision and path, automated outside production and manual in it, and sync waves
 * that put Namespaces before the add-ons' Applications (which bring the CRDs) and those before what uses them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { platform as erp } from '../../../apps/erp';
import { dataStores, environments, imageSources, observability, platform as shop, services } from '../../../apps/platform';
import { GITOPS_FILE, KUBERNETES_FILE, buildKubernetesApp, type KubernetesAppOptions } from '../../../lib/app/kubernetes-app';
import { SYNC_WAVE_ANNOTATION, SyncWave } from '../../../lib/k8s/gitops/sync-waves';
import { GitOpsSync, isGitRevision, type GitOpsConfig } from '../../../lib/model/gitops';
import { Platform } from '../../../lib/model/platform';
import { synthesize } from '../../../lib/app/synthesize';
import { errorOf } from '../../fixtures/errors';
import { validateApplications } from '../addons/_argo-cd-schemas';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every file the environment's Kubernetes side writes, by name, each with its objects. */
function synthEnvironment(p: Platform, env: string, extendChart?: KubernetesAppOptions['extendChart']): { files: string[]; objects: Record<string, Obj[]> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-test-'));
  const app = buildKubernetesApp(p, env, outdir, { extendChart });
  app.synth();
  const files = fs.readdirSync(outdir).sort();
  const objects: Record<string, Obj[]> = {};
  for (const f of files.filter((f) => f.endsWith('.yaml'))) {
    objects[f] = loadAll(fs.readFileSync(path.join(outdir, f), 'utf8')) as Obj[];
  }
  return { files, objects };
}

const waveOf = (o: Obj) => (o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] === undefined ? undefined : Number(o.metadata.annotations[SYNC_WAVE_ANNOTATION]));
const ADDON_GROUPS = /^(networking|security|telemetry)\.istio\.io|^monitoring\.coreos\.com|^velero\.io|^external-secrets\.io|^postgresql\.cnpg\.io/;

describe.each([
  ['shop', shop, 'dist', 'https://git.example.com/shop/platform.git'],
  ['erp', erp, 'platforms/erp/dist', 'https://git.example.com/erp/platform.git'],
] as const)('the %s reference platform', (_name, p, folder, repoURL) => {
  describe.each(p.environments.map((e) => e.name))('environment %s', (env) => {
    const out = synthEnvironment(p, env);
    const root = () => out.objects[GITOPS_FILE];
    const objects = () => out.objects[KUBERNETES_FILE];

    test('writes the root Application in a file of its own, from the model\'s repository, revision and folder', async () => {
      expect(out.files).toContain(GITOPS_FILE);
      expect(root()).toHaveLength(1);
      const [app] = root();
      expect(app).toMatchObject({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: `${p.name}-${env}`, namespace: 'argocd' },
        spec: {
          project: 'default',
          source: { repoURL, targetRevision: 'main', path: `${folder}/${env}`, directory: { recurse: false, include: '*.yaml' } },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
        },
      });
      expect(app.spec?.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['SkipDryRunOnMissingResource=true', 'PruneLast=true']));
      // after every wave of the folder, never waiting on itself; retried without limit
      expect(app.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('10');
      expect(app.spec?.syncPolicy.retry.limit).toBe(-1);
      // no finalizer: deleting the root Application leaves the platform running
      expect(JSON.stringify(app.metadata)).not.toContain('finalizer');
      const { checked, errors } = await validateApplications(root() as never);
      expect(errors).toEqual([]);
      expect(checked).toBe(1);
    });

    test('syncs automatically with prune and self-heal outside production, and only by hand in production', () => {
      const automated = root()[0].spec?.syncPolicy.automated;
      if (p.environment(env).gitops?.sync === GitOpsSync.MANUAL) {
        expect(env).toBe('prod');
        expect(automated).toBeUndefined();
      } else {
        expect(env).not.toBe('prod');
        expect(automated).toEqual({ prune: true, selfHeal: true });
      }
    });

    test('the folder it syncs holds the add-ons\' Applications (app of apps) and nothing it would apply by mistake', () => {
      const children = objects().filter((o) => o.kind === 'Application');
      expect(children.map((a) => a.metadata.name)).toEqual(expect.arrayContaining(['istio-base', 'istiod', 'cluster-autoscaler', 'velero']));
      // the include glob `*.yaml` takes both YAML files and none of the Markdown pages beside them
      const yamlFiles = out.files.filter((f) => f.endsWith('.yaml'));
      expect(yamlFiles).toEqual([GITOPS_FILE, KUBERNETES_FILE].sort());
      expect(out.files.filter((f) => !f.endsWith('.yaml')).every((f) => !/\.(ya?ml|json)$/.test(f))).toBe(true);
    });

    test('orders the sync: Namespaces, then guardrails, then the add-ons\' Applications, then everything that uses their CRDs', () => {
      const all = objects();
      const namespaces = all.filter((o) => o.kind === 'Namespace');
      expect(namespaces.length).toBeGreaterThan(3);
      expect(namespaces.every((n) => waveOf(n) === SyncWave.NAMESPACES)).toBe(true);
      expect(all.filter((o) => ['NetworkPolicy', 'ResourceQuota', 'LimitRange'].includes(o.kind)).every((o) => waveOf(o) === SyncWave.GUARDRAILS)).toBe(true);
      const appWaves = all.filter((o) => o.kind === 'Application').map((a) => waveOf(a) ?? 0);
      expect(Math.min(...appWaves)).toBeGreaterThan(SyncWave.GUARDRAILS);
      const usesAddonCrds = all.filter((o) => ADDON_GROUPS.test(o.apiVersion));
      expect(usesAddonCrds.length).toBeGreaterThan(10);
      expect(usesAddonCrds.every((o) => (waveOf(o) ?? 0) > Math.max(...appWaves))).toBe(true);
      // every object but the Applications says its wave
      expect(all.filter((o) => o.kind !== 'Application' && waveOf(o) === undefined)).toEqual([]);
      expect(all.filter((o) => o.kind === 'Deployment').every((o) => waveOf(o) === SyncWave.WORKLOADS)).toBe(true);
    });
  });
});

describe('sync waves of a user\'s own objects', () => {
  test('an object added by extendChart gets its wave; one that says its own keeps it', () => {
    const out = synthEnvironment(shop, 'dev', (chart) => {
      new ApiObject(chart, 'MyRule', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'mine', namespace: 'shop' }, spec: { groups: [] } });
      const late = new ApiObject(chart, 'Late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'shop' }, data: {} });
      late.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, '7');
    });
    const find = (name: string) => out.objects[KUBERNETES_FILE].find((o) => o.metadata.name === name)!;
    expect(waveOf(find('mine'))).toBe(SyncWave.WORKLOADS);
    expect(waveOf(find('late'))).toBe(7);
  });
});

describe('a platform without gitops', () => {
  const plain = new Platform({ name: 'shop', environments: environments.map((e) => ({ ...e, gitops: undefined })), services, dataStores, observability, ...imageSources });

  test('writes no root Application (the folders are pointed at by hand)', () => {
    const out = synthEnvironment(plain, 'dev');
    expect(out.files).not.toContain(GITOPS_FILE);
    expect(out.files).toContain(KUBERNETES_FILE);
  });
});

describe('GitOpsConfig validation', () => {
  const valid: GitOpsConfig = { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main', path: 'dist' };
  const build = (gitops: Partial<GitOpsConfig> | undefined, envGitops?: Record<string, unknown>) =>
    new Platform({
      name: 'shop',
      environments: environments.map((e) => ({ ...e, gitops: e.name === 'prod' ? (envGitops as never) : undefined })),
      services,
      dataStores,
      ...imageSources,
      ...(gitops === undefined ? {} : { gitops: gitops as GitOpsConfig }),
    });

  test.each([
    ['https://git.example.com/shop/platform.git'],
    ['ssh://git@git.example.com:2222/shop/platform.git'],
    ['git@gitlab.com:shop/platform.git'],
  ])('accepts the repository URL %s', (repoURL) => {
    expect(build({ ...valid, repoURL }).gitops?.repoURL).toBe(repoURL);
  });

  test.each([['main'], ['release/2026-12'], ['v1.4.2'], ['HEAD'], ['3f2c9a1b7d0e4c5f8a9b0c1d2e3f4a5b6c7d8e9f']])('accepts the revision %s', (revision) => {
    expect(isGitRevision(revision)).toBe(true);
    expect(build({ ...valid, revision }).gitops?.revision).toBe(revision);
  });

  test.each([
    ['gitops.repoURL', { repoURL: '' }, 'non-empty'],
    ['gitops.revision', { revision: undefined }, 'repoURL, revision and path'],
    ['gitops.path', { path: undefined }, 'repoURL, revision and path'],
    ['gitops.repoURL', { repoURL: 'http://git.example.com/shop/platform.git' }, 'http:// is not'],
    ['gitops.repoURL', { repoURL: 'https://deploy:s3cret@git.example.com/shop/platform.git' }, 'credentials in the URL'],
    ['gitops.repoURL', { repoURL: 'git.example.com/shop/platform.git' }, 'https://host/path'],
    ['gitops.repoURL', { repoURL: 'https://git.example.com/shop platform.git' }, 'https://host/path'],
    ['gitops.repoURL', { repoURL: 'https://git.example.com' }, 'https://host/path'],
    ['gitops.revision', { revision: 'main..next' }, 'check-ref-format'],
    ['gitops.revision', { revision: 'feature branch' }, 'check-ref-format'],
    ['gitops.revision', { revision: '-main' }, 'check-ref-format'],
    ['gitops.revision', { revision: 'release.lock' }, 'check-ref-format'],
    ['gitops.revision', { revision: 'release/' }, 'check-ref-format'],
    ['gitops.revision', { revision: 'main@{1}' }, 'check-ref-format'],
    ['gitops.path', { path: '../dist' }, 'relative to the repository root'],
    ['gitops.path', { path: '/dist' }, 'relative to the repository root'],
    ['gitops.path', { path: 'dist/' }, 'relative to the repository root'],
    ['gitops.path', { path: 'dist/./prod' }, 'relative to the repository root'],
    ['gitops.path', { path: 'my dist' }, 'relative to the repository root'],
  ])('fails when %s is %j', (field, change, allowed) => {
    const err = errorOf(() => build({ ...valid, ...change }));
    expect(err.message).toContain('Platform(shop)');
    expect(err.message).toContain(field);
    expect(err.message).toContain(allowed);
  });

  test('fails when an environment says gitops and the platform has none', () => {
    const err = errorOf(() => build(undefined, { sync: GitOpsSync.MANUAL }));
    expect(err.message).toContain('environments.prod.gitops');
    expect(err.message).toContain('only with PlatformProps.gitops');
  });

  test.each([
    ['environments.prod.gitops.sync', { sync: 'sometimes' }, 'automated or manual'],
    ['environments.prod.gitops.revision', { revision: 'a b' }, 'check-ref-format'],
  ])('fails when %s is %j', (field, envGitops, allowed) => {
    const err = errorOf(() => build(valid, envGitops));
    expect(err.message).toContain(field);
    expect(err.message).toContain(allowed);
  });

  test('an environment\'s revision wins over the platform\'s, and path "." puts the folders at the root', () => {
    const p = build({ ...valid, path: '.' }, { revision: 'release/prod' });
    const out = synthEnvironment(p, 'prod');
    expect(out.objects[GITOPS_FILE][0].spec?.source).toMatchObject({ targetRevision: 'release/prod', path: 'prod' });
  });
});

describe('the synth and gitops.path', () => {
  test('warns when the folder Argo CD reads is not the folder the synth writes', () => {
    const p = new Platform({ name: 'shop', environments, services, dataStores, ...imageSources, gitops: { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main', path: 'deploy' } });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-path-'));
    const result = synthesize(p, { outdir: out, only: 'kubernetes', environments: ['dev'] });
    expect(result.warnings).toEqual([expect.objectContaining({ message: expect.stringContaining('gitops.path is "deploy", but this synth writes the environments\' folders into "dist"') })]);
    const quiet = synthesize(p, { outdir: out, only: 'kubernetes', environments: ['dev'], kubernetesOutdir: path.join(out, 'deploy') });
    expect(quiet.warnings).toEqual([]);
  });
});
