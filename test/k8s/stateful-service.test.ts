import { JsonPatch, Testing } from 'cdk8s';
import { services } from '../../apps/platform';
import { StatefulService } from '../../lib/k8s/stateful-service';
import { checkPodSecurity } from '../../lib/policy/pod-security';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const REDIS = services.find((s) => s.name === 'redis');
if (!REDIS) throw new Error('no redis in apps/platform.ts');

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
