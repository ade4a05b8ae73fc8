import { JsonPatch, Testing } from 'cdk8s';
import { imageSources, services } from '../fixtures/shop';
import { plainEnvironments } from '../fixtures/environments';
import { StatefulService } from '../../lib/k8s/stateful-service';
import { Platform } from '../../lib/model/platform';
import { checkPodSecurity } from '../../lib/policy/pod-security';
import { LEDGER, ORDERS, WEB } from './secrets/_secrets-platform';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const REDIS = services.find((s) => s.name === 'redis');
if (!REDIS) throw new Error('no redis in test/fixtures/shop.ts');

describe('StatefulService (Redis)', () => {
  let objects: Json[];
  let redis: StatefulService;
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Json;
  beforeAll(() => {
    const chart = Testing.chart();
    redis = new StatefulService(chart, 'Redis', { service: REDIS, replicas: 3, networkPolicy: { callers: services.filter((s) => s.name === 'cart') } });
    objects = Testing.synth(chart);
  });

  test('emits a StatefulSet, a client Service, a headless Service, a ServiceAccount, a PDB and a NetworkPolicy', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'NetworkPolicy/redis', 'PodDisruptionBudget/redis', 'Service/redis', 'Service/redis-headless', 'ServiceAccount/redis', 'StatefulSet/redis',
    ]);
    expect(find('Service', 'redis-headless').spec.clusterIP).toBe('None');
    expect(find('StatefulSet', 'redis').spec.serviceName).toBe('redis-headless');
  });

  test('claims a volume per replica on the named storage class', () => {
    expect(find('StatefulSet', 'redis').spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'data' }),
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '20Gi' } } },
    })]);
    expect(redis.quotaDemand.persistentVolumeClaims).toBe(3);
  });

  test('runs hardened with a read-only root filesystem: data and /tmp are the only writable mounts', () => {
    const spec = find('StatefulSet', 'redis').spec.template.spec;
    expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'data', mountPath: '/data' }]);
    expect(spec.containers[0].readinessProbe.tcpSocket).toEqual({ port: 6379 });
    expect(checkPodSecurity(objects)).toEqual([]);
  });

  test('spreads over zones and has a budget that allows an eviction', () => {
    const spec = find('StatefulSet', 'redis').spec;
    expect(spec.template.spec.topologySpreadConstraints[0]).toEqual({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: spec.selector.matchLabels } });
    expect(find('PodDisruptionBudget', 'redis').spec.maxUnavailable).toBe(1);
  });

  test('pauses before it stops, and a JSON patch on the container\'s lifecycle wins over that default', () => {
    expect(find('StatefulSet', 'redis').spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    const chart = Testing.chart();
    const patched = new StatefulService(chart, 'Redis', { service: REDIS });
    patched.resource.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { exec: { command: ['redis-cli', 'shutdown'] } } }));
    const sts = Testing.synth(chart).find((o) => o.kind === 'StatefulSet') as Json;
    expect(sts.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['redis-cli', 'shutdown'] } } });
  });

  test('fails when a stateful service has no storage', () => {
    expect(() => new StatefulService(Testing.chart(), 'R', { service: { ...REDIS, storage: undefined } })).toThrow(/test\/R: service.storage is undefined; allowed: a StorageSpec/);
  });

  test('fails when storage is mounted at /tmp', () => {
    expect(() => new StatefulService(Testing.chart(), 'R', { service: { ...REDIS, storage: { sizeGiB: 1, mountPath: '/tmp' } } })).toThrow(/service.storage.mountPath is "\/tmp"/);
  });
});

describe('StatefulService shares the pod template and validation of Microservice', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/shop-prod-shop-data-ledger';
  // secretsPlatform()'s services with the image sources of the shop with its stateful Redis, which allow the stock
  // images of public.ecr.aws/docker/library (ledger runs postgres:17.2); the reference platform's no longer do
  const platform = new Platform({ name: 'shop', environments: plainEnvironments, services: [ORDERS, LEDGER, WEB], ...imageSources });
  const env = platform.environment('prod');
  const ledger = platform.service('shop/ledger');
  let objects: Json[];
  let workload: StatefulService;
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Json;
  const podSpec = () => find('StatefulSet', 'ledger').spec.template.spec;
  beforeAll(() => {
    const chart = Testing.chart();
    workload = new StatefulService(chart, 'Ledger', { service: ledger, roleArn: ROLE, secrets: { region: env.region, secrets: platform.secretsOf(env, ledger), readerRoleArn: platform.secretsReaderRoleArn(env, ledger) as string } });
    objects = Testing.synth(chart);
  });

  test('mounts its configuration files from a ConfigMap (it used to drop them), and rolls its pods when they change', () => {
    expect(find('ConfigMap', 'ledger-config').data).toEqual({ 'postgresql.conf': 'shared_buffers = 128MB\n' });
    expect(podSpec().volumes).toContainEqual({ name: 'config', configMap: { name: 'ledger-config', defaultMode: 0o444 } });
    expect(podSpec().containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/ledger', readOnly: true });
    expect(find('StatefulSet', 'ledger').spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(workload.configMap).toBeDefined();
  });

  test('gives the stock PostgreSQL image its writable paths beside the data volume, the root filesystem read-only', () => {
    const main = podSpec().containers[0];
    expect(main.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'config', mountPath: '/etc/ledger', readOnly: true },
      { name: 'writable-0', mountPath: '/var/run/postgresql' },
      { name: 'writable-1', mountPath: '/dev/shm' },
      { name: 'secret-superuser', mountPath: '/etc/ledger-secrets', readOnly: true },
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
    ]);
    expect(podSpec().volumes).toContainEqual({ name: 'writable-1', emptyDir: { sizeLimit: '256Mi', medium: 'Memory' } });
    expect(main.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('reads its secret as a variable and as files, synced by an ExternalSecret', () => {
    expect(podSpec().containers[0].env).toEqual([{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'ledger-superuser', key: 'password', optional: false } } }]);
    expect(find('ExternalSecret', 'ledger-superuser').spec.dataFrom).toEqual([{ extract: { key: 'shop/prod/shop/ledger/superuser' } }]);
  });

  test('exposes its ServiceAccount, annotated with its role', () => {
    expect(workload.serviceAccount.name).toBe('ledger');
    expect(find('ServiceAccount', 'ledger').metadata.annotations).toEqual(expect.objectContaining({ 'eks.amazonaws.com/role-arn': ROLE }));
    expect(find('ServiceAccount', 'ledger').automountServiceAccountToken).toBe(false);
  });

  test('passes the pod security rules with its writable paths and secrets', () => {
    expect(checkPodSecurity(objects as never)).toEqual([]);
  });

  test('fails when /tmp outgrows the ephemeral-storage limit (a check it used to skip)', () => {
    expect(() => new StatefulService(Testing.chart(), 'L', { service: { ...ledger, secrets: [] }, hardening: { tmpSizeLimitMiB: 4096 } })).toThrow(/hardening\.tmpSizeLimitMiB is 4096; allowed: at most the ephemeral-storage limit \(1024 MiB\)/);
  });

  test('fails when its configuration file names are not ConfigMap keys (a check it used to skip)', () => {
    expect(() => new StatefulService(Testing.chart(), 'L', { service: { ...ledger, secrets: [], configFiles: { 'a/b': 'x' } } })).toThrow(/configFiles is "a\/b"/);
  });

  test('fails when a writable path hides its data volume', () => {
    expect(() => new StatefulService(Testing.chart(), 'L', { service: { ...ledger, secrets: [], writablePaths: [{ path: '/var/lib/postgresql', sizeMiB: 1 }] } })).toThrow(/overlaps \/var\/lib\/postgresql\/data, storage\.mountPath/);
  });
});
