import { Chart, JsonPatch, Testing } from 'cdk8s';
import { AutoscalingMetric, Microservice, type MicroserviceProps } from '../../lib/k8s/microservice';
import { DisruptionBudget } from '../../lib/k8s/disruption-budget';
import { PodSecurityLevel } from '../../lib/k8s/hardening';
import { PortProtocol, type ServiceDefinition } from '../../lib/model/service';
import { ValidationError } from '../../lib/model/validation';
import { SecretOwnerKind } from '../../lib/model/secrets';
import type { WorkloadSecretsProps } from '../../lib/k8s/workload-props';
import { errorOf } from '../fixtures/errors';
import { checkPodSecurity } from '../../lib/policy/pod-security';

const CART: ServiceDefinition = {
  name: 'cart',
  namespace: 'shop',
  partOf: 'shop',
  versions: [{ name: 'v1', image: 'registry.example.com/shop/cart:4.1.0' }, { name: 'v2', image: 'registry.example.com/shop/cart@sha256:' + 'a'.repeat(64) }],
  ports: [{ name: 'web', port: 80, targetPort: 8080, protocol: PortProtocol.HTTP }, { name: 'api', port: 9090, protocol: PortProtocol.GRPC }, { name: 'metrics', port: 9100, protocol: PortProtocol.HTTP }],
  metricsPort: 'metrics',
  configFiles: { 'b.yaml': 'b: 2\n', 'a.yaml': 'a: 1\n' },
  env: { Z_VAR: 'z', A_VAR: 'a' },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function synth(props: Partial<MicroserviceProps> = {}, service: ServiceDefinition = CART): Json[] {
  const chart = Testing.chart();
  new Microservice(chart, 'Cart', { service, roleArn: 'arn:aws:iam::123456789012:role/shop-prod-shop-cart', ...props });
  return Testing.synth(chart);
}

function build(props: Partial<MicroserviceProps>, service: ServiceDefinition = CART): () => void {
  return () => new Microservice(new Chart(Testing.app(), 'test'), 'Cart', { service, ...props });
}

describe('Microservice', () => {
  let objects: Json[];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Json;
  beforeAll(() => {
    objects = synth({ metrics: [AutoscalingMetric.podsAverage('http_requests_per_second', '50')] });
  });

  test('emits per version a Deployment, an autoscaler and a disruption budget, and one Service, ServiceAccount and ConfigMap', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/cart-config',
      'Deployment/cart-v1', 'Deployment/cart-v2',
      'HorizontalPodAutoscaler/cart-v1', 'HorizontalPodAutoscaler/cart-v2',
      'PodDisruptionBudget/cart-v1', 'PodDisruptionBudget/cart-v2',
      'Service/cart', 'ServiceAccount/cart',
    ]);
  });

  test('selects each version with stable labels that do not depend on the construct path', () => {
    const d = find('Deployment', 'cart-v2');
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'cart', version: 'v2' });
    expect(d.spec.template.metadata.labels).toEqual(expect.objectContaining({ 'app.kubernetes.io/name': 'cart', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/version': 'v2', version: 'v2' }));
    expect(find('Deployment', 'cart-v1').spec.template.metadata.labels['app.kubernetes.io/version']).toBe('4.1.0');
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io');
  });

  test('names Service ports by protocol with appProtocol and targets container ports by name', () => {
    expect(find('Service', 'cart').spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'cart' },
      ports: [
        { name: 'http-web', port: 80, targetPort: 'http-web', protocol: 'TCP', appProtocol: 'http' },
        { name: 'grpc-api', port: 9090, targetPort: 'grpc-api', protocol: 'TCP', appProtocol: 'grpc' },
        { name: 'http-metrics', port: 9100, targetPort: 'http-metrics', protocol: 'TCP', appProtocol: 'http' },
      ],
    });
    expect(find('Deployment', 'cart-v1').spec.template.spec.containers[0].ports[0]).toEqual({ name: 'http-web', containerPort: 8080, protocol: 'TCP' });
  });

  test('annotates the ServiceAccount with its IAM role and does not mount its token', () => {
    const sa = find('ServiceAccount', 'cart');
    // regional STS: the endpoint the platform opens (and serves from inside the VPC)
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop-prod-shop-cart', 'eks.amazonaws.com/sts-regional-endpoints': 'true' });
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(find('Deployment', 'cart-v1').spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('autoscales on CPU and on requests per second, and leaves replicas to the autoscaler', () => {
    const hpa = find('HorizontalPodAutoscaler', 'cart-v1');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart-v1' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '50' } } },
    ]);
    expect(find('Deployment', 'cart-v1').spec.replicas).toBeUndefined();
  });

  test('has a disruption budget per version that matches its pods and allows an eviction', () => {
    const pdb = find('PodDisruptionBudget', 'cart-v1');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'cart', version: 'v1' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  test('hardens the pod: non-root UID 10001, read-only root with /tmp, no escalation, drop ALL, RuntimeDefault seccomp', () => {
    const spec = find('Deployment', 'cart-v1').spec.template.spec;
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0].securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, allowPrivilegeEscalation: false, privileged: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '128Mi' } });
    expect(spec.containers[0].volumeMounts[0]).toEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
      limits: { cpu: '1000m', memory: '512Mi', 'ephemeral-storage': '1024Mi' },
    });
    expect(checkPodSecurity(objects)).toEqual([]);
  });

  test('rolls out with maxUnavailable 0, drains with a preStop sleep inside the grace period, and spreads over zones and hosts', () => {
    const d = find('Deployment', 'cart-v1');
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(d.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(d.spec.template.spec.topologySpreadConstraints.map((t: Json) => [t.topologyKey, t.whenUnsatisfiable, t.labelSelector.matchLabels.version])).toEqual([
      ['topology.kubernetes.io/zone', 'DoNotSchedule', 'v1'],
      ['kubernetes.io/hostname', 'ScheduleAnyway', 'v1'],
    ]);
  });

  test('has distinct readiness, liveness and startup probes on the first port', () => {
    const c = find('Deployment', 'cart-v1').spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 8080, scheme: 'HTTP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBe(120);
    expect(new Set([c.readinessProbe, c.livenessProbe, c.startupProbe].map((p) => JSON.stringify(p))).size).toBe(3);
  });

  test('probes a gRPC service with the gRPC health check', () => {
    const grpcOnly = synth({}, { ...CART, versions: [CART.versions[0]], ports: [CART.ports[1]], metricsPort: undefined, configFiles: undefined });
    const c = (grpcOnly.find((o) => o.kind === 'Deployment') as Json).spec.template.spec.containers[0];
    expect(c.readinessProbe.grpc).toEqual({ port: 9090 });
  });

  test('mounts configuration as read-only files under /etc/<name> and rolls pods when it changes', () => {
    expect(find('ConfigMap', 'cart-config').data).toEqual({ 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 2\n' });
    const spec = find('Deployment', 'cart-v1').spec.template;
    expect(spec.spec.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/cart', readOnly: true });
    expect(spec.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'cart-config', defaultMode: 0o444 } });
    expect(spec.metadata.annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
    const changed = synth({}, { ...CART, configFiles: { 'a.yaml': 'a: 2\n' } }).find((o) => o.kind === 'Deployment') as Json;
    expect(changed.spec.template.metadata.annotations['checksum/config']).not.toBe(spec.metadata.annotations['checksum/config']);
    expect(spec.spec.containers[0].env).toEqual([{ name: 'A_VAR', value: 'a' }, { name: 'Z_VAR', value: 'z' }]);
  });

  test('resolves its defaults into public fields', () => {
    const m = new Microservice(Testing.chart(), 'Cart', { service: CART });
    expect([m.minReplicas, m.maxReplicas, m.targetCpuUtilizationPercent, m.preStopSleepSeconds, m.terminationGracePeriodSeconds, m.maxSurge]).toEqual([2, 10, 70, 10, 45, 1]);
    // 2 versions x 10 replicas = 20 pods, each the app (250m/1000m, 256/512 MiB) plus the proxy (100m/500m, 128/256 MiB)
    expect(m.sidecar).toEqual({ cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 });
    expect(m.quotaDemand).toEqual({ requestsCpuMillis: 7000, requestsMemoryMiB: 7680, limitsCpuMillis: 30000, limitsMemoryMiB: 15360, requestsEphemeralStorageMiB: 5120, pods: 20, persistentVolumeClaims: 0 });
    expect(new Microservice(Testing.chart(), 'NoMesh', { service: CART, sidecar: false }).quotaDemand.requestsCpuMillis).toBe(5000);
  });

  test('fails when min replicas exceed max replicas', () => {
    expect(build({ minReplicas: 5, maxReplicas: 3 })).toThrow(/test\/Cart: maxReplicas is 3; allowed: a whole number of at least minReplicas \(5\)/);
  });

  test('fails when one replica is asked for without allowSingleReplica', () => {
    expect(build({ minReplicas: 1 })).toThrow(/minReplicas is 1; allowed: 2 or more/);
  });

  test('fails when the disruption budget would block every eviction', () => {
    expect(build({ disruptionBudget: DisruptionBudget.maxUnavailable(0) })).toThrow(/disruptionBudget.maxUnavailable is 0; allowed: 1 or more/);
    expect(build({ minReplicas: 3, disruptionBudget: DisruptionBudget.minAvailable(3) })).toThrow(/disruptionBudget.minAvailable is 3; allowed: fewer than the minimum replicas \(3\)/);
  });

  test('fails when port numbers repeat', () => {
    expect(build({}, { ...CART, ports: [CART.ports[0], { name: 'other', port: 80, protocol: PortProtocol.HTTP }] })).toThrow(/ports.other.port is 80; allowed: unique port numbers/);
  });

  test('fails when it would run as the mesh proxy UID 1337 or below 10000', () => {
    expect(build({ hardening: { runAsUser: 1337 } })).toThrow(/hardening.runAsUser is 1337; allowed: a whole number of at least 10000, never 1337/);
    expect(build({ hardening: { runAsGroup: 999 } })).toThrow(ValidationError);
  });

  test('fails when a weakening option is used in a namespace enforcing "restricted"', () => {
    expect(build({ hardening: { insecure: { writableRootFilesystem: true } } })).toThrow(/hardening.insecure.writableRootFilesystem is true; allowed: no weakening in a namespace enforcing "restricted"/);
  });

  test('weakens only what is named, and only in a namespace that allows it', () => {
    const chart = Testing.chart();
    new Microservice(chart, 'Legacy', { service: { ...CART, configFiles: undefined }, hardening: { namespaceLevel: PodSecurityLevel.BASELINE, insecure: { writableRootFilesystem: true, addCapabilities: ['NET_RAW'] } } });
    const d = Testing.synth(chart).find((o: Json) => o.kind === 'Deployment');
    const sc = d.spec.template.spec.containers[0].securityContext;
    expect([sc.readOnlyRootFilesystem, sc.capabilities, sc.runAsNonRoot, sc.allowPrivilegeEscalation]).toEqual([false, { drop: ['ALL'], add: ['NET_RAW'] }, true, false]);
  });
});

describe('JSON patches of the user', () => {
  test('a JSON patch on a container\'s lifecycle wins over the preStop default', () => {
    const chart = Testing.chart();
    const m = new Microservice(chart, 'Cart', { service: CART });
    const [v1, v2] = m.versions;
    v1.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { exec: { command: ['/bin/drain'] } } }));
    // a patch of the sleep itself survives too (the Kubernetes 1.28 bindings do not re-render it away)
    v2.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds', 20));
    const objects = Testing.synth(chart);
    const container = (name: string) => (objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as Json).spec.template.spec.containers[0];
    expect(container('cart-v1').lifecycle).toEqual({ preStop: { exec: { command: ['/bin/drain'] } } });
    expect(container('cart-v2').lifecycle).toEqual({ preStop: { sleep: { seconds: 20 } } });
  });
});

describe('the injected Istio proxy', () => {
  test('is sized through pod annotations that match what the quota counts', () => {
    const chart = Testing.chart();
    new Microservice(chart, 'Cart', { service: CART, sidecar: { cpuLimitMillis: 300 } });
    const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment') as Json;
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'sidecar.istio.io/proxyCPU': '100m',
      'sidecar.istio.io/proxyCPULimit': '300m',
      'sidecar.istio.io/proxyMemory': '128Mi',
      'sidecar.istio.io/proxyMemoryLimit': '256Mi',
    });
  });

  test('fails when the proxy request exceeds its limit', () => {
    expect(() => new Microservice(Testing.chart(), 'Cart', { service: CART, sidecar: { cpuRequestMillis: 600 } })).toThrow(
      'test/Cart: sidecar.cpuRequestMillis is 600; allowed: at most cpuLimitMillis (500)',
    );
  });
});

describe('Microservice secrets and writable paths (one pod template with StatefulService)', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/shop-prod-shop-cart';
  const WITH_SECRETS: ServiceDefinition = {
    ...CART,
    secrets: [{ name: 'db', env: { DB_PASSWORD: 'password' } }, { name: 'tls', mountPath: '/var/run/cart-tls' }],
    writablePaths: [{ path: '/var/cache/cart', sizeMiB: 256 }, { path: '/run/cart', sizeMiB: 8, inMemory: true }],
  };
  const READER = 'arn:aws:iam::123456789012:role/shop-prod-shop-cart-secrets';
  const secrets: WorkloadSecretsProps = {
    region: 'eu-central-1',
    readerRoleArn: READER,
    secrets: [
      { name: 'db', owner: SecretOwnerKind.SERVICE, secretsManagerName: 'shop/prod/shop/cart/db', kubernetesSecretName: 'cart-db', env: { DB_PASSWORD: 'password' } },
      { name: 'tls', owner: SecretOwnerKind.SERVICE, secretsManagerName: 'shop/prod/shop/cart/tls', kubernetesSecretName: 'cart-tls', env: {}, mountPath: '/var/run/cart-tls' },
    ],
  };
  let objects: Json[];
  let cart: Microservice;
  const podSpec = () => (objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'cart-v1') as Json).spec.template.spec;
  beforeAll(() => {
    const chart = Testing.chart();
    cart = new Microservice(chart, 'Cart', { service: WITH_SECRETS, secrets });
    objects = Testing.synth(chart);
  });

  test('reads secret variables through secretKeyRef, sorted with the plain ones, never as values', () => {
    expect(podSpec().containers[0].env).toEqual([
      { name: 'A_VAR', value: 'a' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'cart-db', key: 'password', optional: false } } },
      { name: 'Z_VAR', value: 'z' },
    ]);
  });

  test('mounts a mounted secret read-only from a secret volume of mode 0400', () => {
    expect(podSpec().volumes).toContainEqual({ name: 'secret-tls', secret: { secretName: 'cart-tls', defaultMode: 0o400 } });
    expect(podSpec().containers[0].volumeMounts).toContainEqual({ name: 'secret-tls', mountPath: '/var/run/cart-tls', readOnly: true });
  });

  test('gives each writable path an emptyDir of its size (tmpfs when in memory), mounted read-write, the root filesystem read-only', () => {
    const spec = podSpec();
    expect(spec.volumes).toContainEqual({ name: 'writable-0', emptyDir: { sizeLimit: '256Mi' } });
    expect(spec.volumes).toContainEqual({ name: 'writable-1', emptyDir: { sizeLimit: '8Mi', medium: 'Memory' } });
    expect(spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'writable-0', mountPath: '/var/cache/cart' }, { name: 'writable-1', mountPath: '/run/cart' }]));
    expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('emits the SecretStore and ExternalSecrets beside the Deployments', () => {
    expect(objects.filter((o) => o.apiVersion === 'external-secrets.io/v1').map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ExternalSecret/cart-db', 'ExternalSecret/cart-tls', 'SecretStore/cart-secrets']);
    expect(cart.secretSync?.externalSecrets.size).toBe(2);
  });

  test('gives the pods of a service that only reads secrets no role: the reader ServiceAccount, used by no pod, carries it', () => {
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts.map((o) => o.metadata.name).sort()).toEqual(['cart', 'cart-secrets']);
    const own = accounts.find((o) => o.metadata.name === 'cart') as Json;
    expect(own.metadata.annotations ?? {}).not.toHaveProperty(['eks.amazonaws.com/role-arn']);
    const reader = accounts.find((o) => o.metadata.name === 'cart-secrets') as Json;
    expect(reader.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(READER);
    expect(reader.automountServiceAccountToken).toBe(false);
    expect(objects.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template.spec.serviceAccountName)).toEqual(['cart', 'cart']);
    expect(cart.roleArn).toBeUndefined();
  });

  test('keeps the pods\' own role apart from the reader\'s when the service also calls AWS', () => {
    const chart = Testing.chart();
    new Microservice(chart, 'Cart', { service: WITH_SECRETS, roleArn: ROLE, secrets });
    const synthesized = Testing.synth(chart) as Json[];
    const annotation = (name: string) => (synthesized.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === name) as Json).metadata.annotations['eks.amazonaws.com/role-arn'];
    expect([annotation('cart'), annotation('cart-secrets')]).toEqual([ROLE, READER]);
  });

  test('counts each pod\'s emptyDirs on disk in its ephemeral-storage demand on the quota', () => {
    const chart = Testing.chart();
    const big = new Microservice(chart, 'Big', { service: { ...CART, writablePaths: [{ path: '/var/cache/cart', sizeMiB: 800 }] }, maxReplicas: 3 });
    // /tmp 128 + 800 on disk, more than the 256 MiB request: 928 per pod, 3 pods per version, 2 versions
    expect(big.quotaDemand.requestsEphemeralStorageMiB).toBe(928 * 3 * 2);
  });

  test('fails when the service declares secrets the props do not resolve', () => {
    expect(build({ roleArn: ROLE }, WITH_SECRETS)).toThrow(/secrets is \["db","tls"\]; allowed: the secrets the service declares, resolved/);
  });

  test('fails when the reader role is not a role ARN (External Secrets reads the secrets as the reader)', () => {
    expect(build({ secrets: { ...secrets, readerRoleArn: '' } }, WITH_SECRETS)).toThrow(/readerRoleArn is ""; allowed: an IAM role ARN/);
  });

  test('fails when /tmp and the writable paths outgrow the ephemeral-storage limit', () => {
    const e = errorOf(build({}, { ...CART, writablePaths: [{ path: '/var/cache/cart', sizeMiB: 1000 }] }));
    expect(e.field).toBe('service.writablePaths');
    expect(e.allowed).toMatch(/within the ephemeral-storage limit \(1024 MiB\); these need 1128 MiB \(\/tmp 128 \+ \/var\/cache\/cart 1000\)/);
  });

  test('fails when /tmp alone outgrows the ephemeral-storage limit', () => {
    expect(build({ hardening: { tmpSizeLimitMiB: 2048 } })).toThrow(/hardening\.tmpSizeLimitMiB is 2048; allowed: at most the ephemeral-storage limit \(1024 MiB\)/);
  });

  test('fails when in-memory paths reach the memory limit', () => {
    expect(build({}, { ...CART, writablePaths: [{ path: '/dev/shm', sizeMiB: 512, inMemory: true }] })).toThrow(/in-memory volumes below the memory limit \(512 MiB\)/);
  });

  test('fails when a writable path lies under /tmp or hides another mount', () => {
    expect(build({}, { ...CART, writablePaths: [{ path: '/tmp/cache', sizeMiB: 1 }] })).toThrow(/writablePaths\[0\]\.path is "\/tmp\/cache"/);
    expect(build({}, { ...CART, writablePaths: [{ path: '/etc', sizeMiB: 1 }] })).toThrow(/it overlaps \/etc\/cart, configFiles/);
  });
});
