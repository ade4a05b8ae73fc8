/**
 * Every field of the model, given a value of another kind or outside its domain (an empty or very long string, a
 * negative, fractional or huge number, null, an empty object or list), either is accepted or fails with a
 * ValidationError: never a TypeError from deep inside a rule. Deterministic; the fields come from the compiler
 * (`modelFieldPaths`), so a new field is covered as soon as it exists.
 */
import { dataStores as referenceStores, environments as referenceEnvironments, imageSources, observability as referenceObservability, services as referenceServices } from '../../apps/platform';
import { Platform, type PlatformProps } from '../../lib/model/platform';
import { ValidationError } from '../../lib/model/validation';
import { statefulRedis } from '../fixtures/shop';
import { modelFieldPaths } from './_model-fields';

const cache = { ...statefulRedis, name: 'cache', replicas: 3 };
const worker = {
  name: 'worker', namespace: 'shop', partOf: 'shop',
  versions: [{ name: 'v1', image: '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/worker:1.0.0' }],
  ports: [{ name: 'web', port: 8080, protocol: 'http', targetPort: 8081 }],
  probes: { readinessPath: '/ready', livenessPath: '/healthz', startupPath: '/started', port: 'web' },
  env: { LOG_LEVEL: 'info' }, configFiles: { 'a.yaml': 'x' },
  secrets: [{ name: 'api', env: { API_TOKEN: 'token' }, mountPath: '/etc/api', description: 'd' }],
  writablePaths: [{ path: '/var/cache/worker', sizeMiB: 64, inMemory: false }],
  tolerations: [{ key: 'workload', value: 'memory', effect: 'NoSchedule' }], nodeSelector: {},
  alerts: { HighLatency: { severity: 'warning', threshold: 500, for: '10m', disabled: false } },
  externalEndpoints: [{ host: 'api.example.org', port: 443, cidrs: ['203.0.113.0/24'], protocol: 'tls' }],
  public: { hosts: ['worker.example.com'], pathPrefix: '/jobs' }, critical: false,
  awsPermissions: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }],
  resources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryRequestMiB: 100, memoryLimitMiB: 200, ephemeralStorageRequestMiB: 100, ephemeralStorageLimitMiB: 2000 },
};
/** A platform that sets (almost) every optional field, so that each field has a value to replace. */
const base = {
  name: 'shop',
  environments: referenceEnvironments.map((e) => (e.name === 'prod' ? { ...e, logRetentionDays: 90, remoteState: { bucket: 'shop-prod-tfstate-333333333333', lockTable: 'shop-prod-tflock', region: 'eu-central-1' },
    existingVpc: { vpcId: 'vpc-0123456789abcdef0', privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'] },
    nodeGroups: [...e.nodeGroups.slice(0, 1), { ...e.nodeGroups[1], taints: [{ key: 'workload', value: 'memory', effect: 'NoSchedule' }], diskSizeGiB: 100 }],
    kubernetes: { ...e.kubernetes, namespaceQuotas: { shop: e.kubernetes.namespaceQuota }, serviceOverrides: { ...e.kubernetes.serviceOverrides, cache: { replicas: 3 }, worker: { minReplicas: 3, maxReplicas: 5, nodeSelector: { workload: 'memory' } } } },
    backup: { ...e.backup, objectLock: { mode: 'GOVERNANCE', days: 30 }, transitions: [{ storageClass: 'STANDARD_IA', afterDays: 30 }], restorableDays: 20, criticalIntervalMinutes: 10 },
    dataStores: { ...e.dataStores, placementOverrides: { redis: 'managed' }, postgresFlavour: 'rds', postgresInstanceClass: 'db.m7g.large', backupRetentionDays: 7, credentialsVersions: { redis: 1 } },
    gitops: { sync: 'manual', revision: 'main' } } : e)),
  services: [...referenceServices, cache, worker],
  dataStores: referenceStores.map((d) => ({ ...d, critical: false })),
  tags: { Project: 'shop' },
  observability: { ...referenceObservability, prometheusSelector: { release: 'kps' }, alerting: { ...referenceObservability.alerting, namespace: 'monitoring' }, logs: { ...referenceObservability.logs!, port: 443 } },
  gitops: { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main', path: 'dist' },
  ...imageSources,
  registry: { ...imageSources.registry!, keepReleases: 10, untaggedExpiryDays: 3 },
  allowedImageRegistries: ['public.ecr.aws/docker/library', 'docker.io/oliver006/redis_exporter'],
} as unknown as PlatformProps;

/** Values of another kind or outside most domains. */
const BAD: readonly unknown[] = ['', ' ', 'x'.repeat(300), 'Bad Value!', '\n', -1, 0, 1.5, 1e9, NaN, null, true, {}, [], ['']];

/**
 * `root` with the value at a field path (`services[].probes.port`, `...serviceOverrides.<key>.replicas`) replaced:
 * in the last item of a list, the first entry of a map that has the path. Empty when no value is there to replace.
 */
function setAt(root: unknown, parts: readonly string[], value: unknown): unknown[] {
  if (parts.length === 0) {
    return [value];
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return [];
  }
  const [head, ...rest] = parts;
  const obj = root as Record<string, unknown>;
  if (head.endsWith('[]')) {
    const key = head.slice(0, -2);
    const list = obj[key];
    if (!Array.isArray(list)) {
      return [];
    }
    for (let i = list.length - 1; i >= 0; i--) {
      const [changed] = setAt(list[i], rest, value);
      if (changed !== undefined) {
        return [{ ...obj, [key]: list.map((item, k) => (k === i ? changed : item)) }];
      }
    }
    return [];
  }
  if (head === '<key>') {
    for (const key of Object.keys(obj)) {
      const [changed] = setAt(obj[key], rest, value);
      if (changed !== undefined) {
        return [{ ...obj, [key]: changed }];
      }
    }
    return [];
  }
  if (rest.length > 0 && !(head in obj)) {
    return [];
  }
  return rest.length === 0 ? [{ ...obj, [head]: value }] : setAt(obj[head], rest, value).map((changed) => ({ ...obj, [head]: changed }));
}

describe('field kinds', () => {
  const fields = modelFieldPaths();

  test('the base sets every field of the model', () => {
    new Platform(base);
    expect(fields.filter((f) => setAt(base, f.split('.'), 'x').length === 0)).toEqual([
      // left out of the base: the exporter's own resources, and the mirror of a release (it doubles the traffic)
      'services[].metricsExporter.resources.cpuLimitMillis',
      'services[].metricsExporter.resources.cpuRequestMillis',
      'services[].metricsExporter.resources.ephemeralStorageLimitMiB',
      'services[].metricsExporter.resources.ephemeralStorageRequestMiB',
      'services[].metricsExporter.resources.memoryLimitMiB',
      'services[].metricsExporter.resources.memoryRequestMiB',
      'services[].release.options.mirrorTo.percent',
      'services[].release.options.mirrorTo.version',
    ]);
  });

  test('fails when a value of another kind crashes the model instead of failing with a ValidationError', () => {
    const crashes: string[] = [];
    for (const f of fields) {
      for (const bad of BAD) {
        const [p] = setAt(base, f.split('.'), bad);
        if (p === undefined) {
          break;
        }
        try {
          new Platform(p as PlatformProps);
        } catch (e) {
          if (!(e instanceof ValidationError)) {
            crashes.push(`${f} = ${JSON.stringify(bad)}: ${(e as Error).message}`);
          }
        }
      }
    }
    expect(crashes).toEqual([]);
  });
});
