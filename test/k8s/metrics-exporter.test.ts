/**
 * A service's metrics exporter (`ServiceDefinition.metricsExporter`), on the reference platform's Redis: the
 * exporter container in its pods, the metrics port in its Service, the ServiceMonitor that scrapes it, the
 * NetworkPolicy and AuthorizationPolicy that admit Prometheus, and the model's refusals.
 */
import { Testing } from 'cdk8s';
import { environments, imageSources, platform, services } from '../fixtures/shop';
import { Microservice } from '../../lib/k8s/microservice';
import { PlatformChart } from '../../lib/k8s/platform-chart';
import { StatefulService } from '../../lib/k8s/stateful-service';
import { Platform } from '../../lib/model/platform';
import { PortProtocol, type ServiceDefinition } from '../../lib/model/service';
import { checkPodSecurity, type KubernetesObject } from '../../lib/policy/pod-security';
import { errorOf } from '../fixtures/errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const EXPORTER_IMAGE = 'docker.io/oliver006/redis_exporter:v1.74.0';

function withRedis(change: Partial<ServiceDefinition>): Platform {
  return new Platform({ name: 'shop', environments, services: services.map((s) => (s.name === 'redis' ? { ...s, ...change } : s)), ...imageSources });
}

describe('the reference platform\'s Redis with its metrics exporter (prod)', () => {
  let objects: Json[];
  const find = (kind: string, namespace: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name) as Json;
  const podSpec = () => find('StatefulSet', 'shop-data', 'redis').spec.template.spec;
  const exporter = () => podSpec().containers.find((c: Json) => c.name === 'metrics-exporter') as Json;

  beforeAll(() => {
    objects = Testing.synth(new PlatformChart(Testing.app(), 'prod', { platform, environment: 'prod' })) as Json[];
  });

  test('the platform presents Redis with the exporter\'s port as its metrics port', () => {
    const redis = platform.service('shop-data/redis');
    expect(redis.metricsPort).toBe('metrics');
    expect(redis.ports).toEqual([
      { name: 'main', port: 6379, protocol: PortProtocol.REDIS },
      { name: 'metrics', port: 9121, protocol: PortProtocol.HTTP },
    ]);
  });

  test('runs the exporter beside Redis, hardened exactly like the Redis container', () => {
    const [main, sidecar] = podSpec().containers;
    expect(main.name).toBe('redis');
    expect(sidecar).toBe(exporter());
    expect(sidecar.image).toBe(EXPORTER_IMAGE);
    expect(sidecar.securityContext).toEqual(main.securityContext);
    expect(sidecar.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(sidecar.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  test('gives the exporter its port named http-metrics, and the Redis container does not declare it', () => {
    const [main, sidecar] = podSpec().containers;
    expect(sidecar.ports).toEqual([{ name: 'http-metrics', containerPort: 9121, protocol: 'TCP' }]);
    expect(main.ports).toEqual([{ name: 'redis-main', containerPort: 6379, protocol: 'TCP' }]);
  });

  test('probes the exporter over HTTP on /metrics and gives it small default resources', () => {
    const sidecar = exporter();
    const httpGet = { path: '/metrics', port: 9121, scheme: 'HTTP' };
    expect(sidecar.readinessProbe).toMatchObject({ httpGet });
    expect(sidecar.livenessProbe).toMatchObject({ httpGet });
    expect(sidecar.startupProbe).toMatchObject({ httpGet });
    expect(sidecar.readinessProbe).not.toEqual(sidecar.livenessProbe);
    expect(sidecar.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '32Mi' },
      limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '128Mi' },
    });
    expect(sidecar.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  test('serves the exporter\'s port through the client Service as http-metrics 9121', () => {
    expect(find('Service', 'shop-data', 'redis').spec.ports).toContainEqual({ name: 'http-metrics', port: 9121, targetPort: 'http-metrics', protocol: 'TCP', appProtocol: 'http' });
  });

  test('scrapes Redis through a ServiceMonitor on http-metrics', () => {
    const monitor = find('ServiceMonitor', 'shop-data', 'redis');
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'redis' } });
    expect(monitor.spec.endpoints).toHaveLength(1);
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http-metrics', path: '/metrics' });
  });

  test('admits the monitoring namespace on 9121 in its NetworkPolicy, and its callers on 6379 only', () => {
    const ingress = find('NetworkPolicy', 'shop-data', 'redis').spec.ingress as Json[];
    const fromMonitoring = ingress.find((r) => r.from.some((p: Json) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring'));
    expect(fromMonitoring?.ports).toContainEqual({ protocol: 'TCP', port: 9121 });
    const others = ingress.filter((r) => r !== fromMonitoring);
    expect(others.length).toBeGreaterThan(0);
    for (const rule of others) {
      expect(rule.ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
    }
  });

  test('admits the monitoring namespace on 9121 in its AuthorizationPolicy', () => {
    const rules = find('AuthorizationPolicy', 'shop-data', 'redis').spec.rules as Json[];
    const scrape = rules.find((r) => (r.from ?? []).some((f: Json) => (f.source?.namespaces ?? []).includes('monitoring')));
    expect(scrape?.to).toEqual([{ operation: { ports: ['9121'] } }]);
  });

  test('passes the gate\'s pod security check', () => {
    expect(checkPodSecurity(objects as KubernetesObject[])).toEqual([]);
  });
});

describe('metrics exporter in the workload constructs', () => {
  const redis = services.find((s) => s.name === 'redis')!;
  const storefront = services.find((s) => s.name === 'storefront')!;

  test('StatefulService counts the exporter in its quota demand', () => {
    const without = new StatefulService(Testing.chart(), 'Redis', { service: { ...redis, metricsExporter: undefined } });
    const withIt = new StatefulService(Testing.chart(), 'Redis', { service: redis });
    expect(withIt.quotaDemand.requestsCpuMillis - without.quotaDemand.requestsCpuMillis).toBe(50);
    expect(withIt.quotaDemand.limitsMemoryMiB - without.quotaDemand.limitsMemoryMiB).toBe(64);
  });

  test('Microservice runs an exporter with its given arguments and resources', () => {
    const chart = Testing.chart();
    const service: ServiceDefinition = {
      ...storefront,
      ports: storefront.ports.filter((p) => p.name !== 'metrics'),
      metricsPort: undefined,
      metricsExporter: { image: 'public.ecr.aws/docker/library/exporter:1.0.0', port: 9400, args: ['--web.listen-address=:9400'], resources: { cpuLimitMillis: 200 } },
    };
    new Microservice(chart, 'Storefront', { service });
    const objects = Testing.synth(chart) as Json[];
    const deployment = objects.find((o) => o.kind === 'Deployment') as Json;
    const [main, sidecar] = deployment.spec.template.spec.containers;
    expect(main.ports.map((p: Json) => p.name)).toEqual(['http-web']);
    expect(sidecar).toMatchObject({ name: 'metrics-exporter', args: ['--web.listen-address=:9400'], ports: [{ name: 'http-metrics', containerPort: 9400, protocol: 'TCP' }] });
    expect(sidecar.resources.limits.cpu).toBe('200m');
    expect(sidecar.securityContext).toEqual(main.securityContext);
    const svc = objects.find((o) => o.kind === 'Service') as Json;
    expect(svc.spec.ports.map((p: Json) => `${p.name}:${p.port}`)).toEqual(['http-web:8080', 'http-metrics:9400']);
    expect(checkPodSecurity(objects as KubernetesObject[])).toEqual([]);
  });

  test('fails when the exporter\'s resources request more than their limit', () => {
    const service = { ...redis, metricsExporter: { image: EXPORTER_IMAGE, port: 9121, resources: { cpuRequestMillis: 500 } } };
    expect(errorOf(() => new StatefulService(Testing.chart(), 'Redis', { service })).field).toBe('service.metricsExporter.resources.cpuRequestMillis');
  });

  test('fails when the main container\'s probes name the exporter\'s port', () => {
    expect(errorOf(() => new StatefulService(Testing.chart(), 'Redis', { service: { ...redis, probes: { port: 'metrics' } } })).field).toBe('probes.port');
  });
});

describe('Platform validation of a metrics exporter', () => {
  test('fails when an exporter is given with a metricsPort', () => {
    const err = errorOf(() => withRedis({ metricsPort: 'main' }));
    expect(err.message).toBe('Platform(shop): services.redis.metricsPort is "main"; allowed: no metricsPort with a metricsExporter (the exporter\'s port is the metrics port)');
  });

  test('fails when the exporter\'s image is not pinned', () => {
    expect(errorOf(() => withRedis({ metricsExporter: { image: 'docker.io/oliver006/redis_exporter:latest', port: 9121 } })).field).toBe('services.redis.metricsExporter.image');
    expect(errorOf(() => withRedis({ metricsExporter: { image: 'docker.io/oliver006/redis_exporter', port: 9121 } })).message).toContain('an image without a tag means latest');
  });

  test('fails when the exporter\'s image comes from a registry that is not allowed', () => {
    const err = errorOf(() => withRedis({ metricsExporter: { image: 'docker.io/someone/redis_exporter:v1.74.0', port: 9121 } }));
    expect(err.field).toBe('services.redis.metricsExporter.image');
    expect(err.message).toContain('this one comes from docker.io');
  });

  test('fails when the exporter\'s port clashes with a port of the service', () => {
    const err = errorOf(() => withRedis({ metricsExporter: { image: EXPORTER_IMAGE, port: 6379 } }));
    expect(err.field).toBe('services.redis.metricsExporter.port');
    expect(err.message).toContain('allowed: a port none of the service\'s ports uses (main uses 6379)');
  });

  test('fails when the exporter\'s port is outside 1..65535', () => {
    expect(errorOf(() => withRedis({ metricsExporter: { image: EXPORTER_IMAGE, port: 70000 } })).message).toContain('services.redis.metricsExporter.port is 70000; allowed: an integer from 1 to 65535');
  });

  test('fails when the service has a port of its own named metrics', () => {
    const err = errorOf(() => withRedis({ ports: [{ name: 'main', port: 6379, protocol: PortProtocol.REDIS }, { name: 'metrics', port: 9100, protocol: PortProtocol.HTTP }] }));
    expect(err.field).toBe('services.redis.ports.metrics');
  });

  test('fails in the workload too when an exporter is given with a metricsPort', () => {
    const redis = services.find((s) => s.name === 'redis')!;
    expect(errorOf(() => new StatefulService(Testing.chart(), 'Redis', { service: { ...redis, metricsPort: 'main' } })).field).toBe('service.metricsPort');
  });
});
