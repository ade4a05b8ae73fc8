/**
 * The Kubernetes side of the data stores of a small platform: in the cluster in dev (CloudNativePG, redis-ha), managed
 * in prod (ExternalName, ServiceEntry); asserted on PlatformChart's synthesized output, every CloudNativePG object
 * validated against its CRD's schema (v1.30.0).
 */
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { CNPG_POSTGRES_IMAGES, PostgresCluster } from '../../../lib/k8s/data-stores/postgres-cluster';
import { DataStorePlacement, managedStoreCidrs, resolveDataStore } from '../../../lib/model/data-stores';
import { ManagedStoreAddress } from '../../../lib/k8s/data-stores/managed-store-address';
import type { EnvironmentConfig } from '../../../lib/model/environment';
import { ValidationError } from '../../../lib/model/validation';
import { cnpgValidators } from './_cnpg-schemas';
import { validateExternalSecretsObjects } from '../secrets/_external-secrets-schemas';
import { ENVIRONMENTS, STORES, storesPlatform } from './_fixture';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const platform = storesPlatform();
const out: Record<string, Obj[]> = {};
beforeAll(() => {
  for (const env of ['dev', 'prod']) {
    out[env] = Testing.synth(new PlatformChart(Testing.app(), env, { platform, environment: env })) as Obj[];
  }
});
const find = (env: string, kind: string, name: string, namespace?: string) => {
  const o = out[env].find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!o) throw new Error(`no ${kind} ${name} in ${env}`);
  return o;
};

describe('in the cluster (dev)', () => {
  test('every CloudNativePG object validates against its CRD\'s openAPIV3Schema (v1.30.0)', () => {
    const validators = cnpgValidators();
    const objects = out.dev.filter((o) => o.apiVersion === 'postgresql.cnpg.io/v1');
    expect(objects.map((o) => o.kind).sort()).toEqual(['Cluster', 'ScheduledBackup']);
    for (const o of objects) {
      expect({ kind: o.kind, errors: (validators.get(o.kind) as (x: unknown) => string[])(o) }).toEqual({ kind: o.kind, errors: [] });
    }
  });

  test('PostgreSQL runs 3 instances spread over the zones, with quorum-protecting budgets and backups to the backup bucket', () => {
    const c = find('dev', 'Cluster', 'orders-db', 'shop-data').spec;
    expect(c.instances).toBe(3);
    expect(c.enablePDB).toBe(true);
    expect(c.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'cnpg.io/cluster': 'orders-db' } } }]);
    expect(c.storage).toEqual({ size: '50Gi', storageClass: 'gp3' });
    expect(c.bootstrap.initdb).toEqual({ database: 'orders', owner: 'orders', secret: { name: 'orders-db-credentials' } });
    const env = platform.environment('dev');
    expect(c.backup.barmanObjectStore.destinationPath).toBe(`s3://shop-dev-backups-${env.accountId}/data-stores/shop-data/orders-db`);
    expect(c.backup.barmanObjectStore.s3Credentials).toEqual({ inheritFromIAMRole: true });
    expect(c.serviceAccountTemplate.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(`arn:aws:iam::${env.accountId}:role/shop-dev-shop-data-orders-db`);
    expect(c.inheritedMetadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
    expect(find('dev', 'ScheduledBackup', 'orders-db-daily').spec).toMatchObject({ cluster: { name: 'orders-db' }, method: 'barmanObjectStore' });
  });

  test('the Service <store> fronts the primary, and the instances admit the operator, each other, monitoring and the callers only', () => {
    expect(find('dev', 'Service', 'orders-db', 'shop-data').spec.selector).toEqual({ 'cnpg.io/cluster': 'orders-db', 'cnpg.io/instanceRole': 'primary' });
    const np = find('dev', 'NetworkPolicy', 'orders-db', 'shop-data').spec;
    const ingress = JSON.stringify(np.ingress);
    expect(ingress).toContain('cnpg-system');
    expect(np.ingress[3].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } } }]);
    expect(np.ingress[3].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
  });

  test('the instances reach the API server through the `kubernetes` Service\'s ClusterIP on 443 (the policy agent judges it before the DNAT)', () => {
    const np = find('dev', 'NetworkPolicy', 'orders-db', 'shop-data').spec;
    const to443 = (np.egress as Array<{ to: Array<{ ipBlock?: { cidr: string } }>; ports: Array<{ port: number }> }>).filter((r) => r.ports.some((p) => p.port === 443)).flatMap((r) => r.to.map((t) => t.ipBlock?.cidr));
    expect(to443).toContain('172.20.0.1/32');
    expect(to443).toContain(platform.environment('dev').vpcCidr);
  });

  test('the instances run CloudNativePG\'s system image of their major version (Barman Cloud inside, for barmanObjectStore)', () => {
    const c = find('dev', 'Cluster', 'orders-db', 'shop-data').spec;
    expect(c.imageName).toBe(CNPG_POSTGRES_IMAGES['17']);
    expect(c.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:17\.\d+-system-trixie$/);
    for (const [major, image] of Object.entries(CNPG_POSTGRES_IMAGES)) {
      expect(image).toMatch(new RegExp(`^ghcr\\.io/cloudnative-pg/postgresql:${major}\\.\\d+-system-(trixie|bookworm)$`));
    }
    expect(c.backup.barmanObjectStore).toBeDefined();
  });

  test('Redis is the redis-ha chart: 3 pods with Sentinel over three zones, a budget of one, AUTH from the credentials\' Secret', () => {
    const app = find('dev', 'Application', 'shop-data-cache');
    const values = JSON.parse(app.spec.source.helm.valuesObject ? JSON.stringify(app.spec.source.helm.valuesObject) : '{}');
    expect(app.spec.source).toMatchObject({ chart: 'redis-ha', repoURL: 'https://dandydeveloper.github.io/charts', targetRevision: '4.27.7' });
    expect(values).toMatchObject({
      replicas: 3, auth: true, existingSecret: 'cache-credentials', authKey: 'password', sentinel: { quorum: 2 }, hardAntiAffinity: true,
      topologySpreadConstraints: { enabled: true, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
      podDisruptionBudget: { maxUnavailable: 1 }, haproxy: { enabled: true, replicas: 3 },
    });
    // every container of the chart's templates has requests and limits: redis, sentinel, split-brain-fix and config-init
    // (`init`) of the StatefulSet, haproxy and its config-init (`haproxy.init`)
    const withResources = (r: { requests?: Record<string, string>; limits?: Record<string, string> } | undefined) => r !== undefined && r.requests?.cpu !== undefined && r.requests?.memory !== undefined && r.limits?.cpu !== undefined && r.limits?.memory !== undefined;
    for (const [key, r] of Object.entries({ redis: values.redis?.resources, sentinel: values.sentinel?.resources, splitBrainDetection: values.splitBrainDetection?.resources, init: values.init?.resources, haproxy: values.haproxy?.resources, 'haproxy.init': values.haproxy?.init?.resources })) {
      expect({ key, ok: withResources(r) }).toEqual({ key, ok: true });
    }
    // the chart labels its pods with the Helm release, which is the Application's name
    expect(app.spec.source.helm.releaseName).toBe('shop-data-cache');
    expect(find('dev', 'Service', 'cache', 'shop-data').spec.selector).toEqual({ app: 'redis-ha-haproxy', release: 'shop-data-cache' });
  });

  test('the ESO controller may request a token for each store\'s credentials ServiceAccount only', () => {
    for (const name of ['orders-db', 'cache']) {
      const role = find('dev', 'Role', `${name}-credentials-token`, 'shop-data') as unknown as { rules: unknown };
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [`${name}-credentials`], verbs: ['create'] }]);
      const binding = find('dev', 'RoleBinding', `${name}-credentials-token`, 'shop-data') as unknown as { subjects: unknown; roleRef: unknown };
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'external-secrets', namespace: 'external-secrets' }]);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-credentials-token` });
    }
  });

  test('the credentials come from the store\'s Secrets Manager secret through External Secrets, basic-auth for CloudNativePG', () => {
    const es = find('dev', 'ExternalSecret', 'orders-db-credentials', 'shop-data').spec;
    expect(es.target.template).toEqual({ type: 'kubernetes.io/basic-auth' });
    expect(es.data.map((d: { remoteRef: { key: string; property: string } }) => `${d.remoteRef.key}#${d.remoteRef.property}`)).toEqual(['shop/dev/shop-data/orders-db#password', 'shop/dev/shop-data/orders-db#username']);
  });

  test('callers\' NetworkPolicies open the stores\' pods on their ports; their Sidecars let the stores\' hosts through', () => {
    const egress = find('dev', 'NetworkPolicy', 'orders', 'shop').spec.egress;
    expect(egress).toEqual(expect.arrayContaining([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-data' } }, podSelector: { matchLabels: { 'cnpg.io/cluster': 'orders-db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-data' } }, podSelector: { matchLabels: { app: 'redis-ha-haproxy', release: 'shop-data-cache' } } }], ports: [{ protocol: 'TCP', port: 6379 }] },
    ]));
    expect(find('dev', 'Sidecar', 'orders', 'shop').spec.egress[0].hosts).toEqual(expect.arrayContaining(['shop-data/orders-db.shop-data.svc.cluster.local', 'shop-data/cache.shop-data.svc.cluster.local']));
    expect(find('dev', 'Sidecar', 'catalog', 'shop').spec.egress[0].hosts).not.toContain('shop-data/orders-db.shop-data.svc.cluster.local');
  });

  test('stores get TCP traffic settings only, and the operator is installed', () => {
    for (const name of ['orders-db', 'cache']) {
      const tp = find('dev', 'DestinationRule', name, 'shop-data').spec.trafficPolicy;
      expect(tp.connectionPool.http).toBeUndefined();
      expect(tp.outlierDetection).toBeUndefined();
    }
    expect(find('dev', 'Application', 'cloudnative-pg').spec.source).toMatchObject({ chart: 'cloudnative-pg', targetRevision: '0.29.0' });
  });
});

describe('managed (prod)', () => {
  test('callers address the store by the same name: an ExternalName Service to its private record, a TCP ServiceEntry', () => {
    expect(find('prod', 'Service', 'orders-db', 'shop-data').spec).toMatchObject({ type: 'ExternalName', externalName: 'orders-db.shop-data.prod.shop.data.internal' });
    const intra = managedStoreCidrs((ENVIRONMENTS.find((e) => e.name === 'prod') as EnvironmentConfig).vpcCidr, false);
    expect(intra).toHaveLength(3);
    // the ServiceEntry's host is the ExternalName's target (Istio 1.21+ treats the ExternalName as an alias of it), with
    // addresses so that the TCP listener does not take every connection on the port (IST0134), resolution NONE
    expect(find('prod', 'ServiceEntry', 'cache', 'shop-data').spec).toEqual({ hosts: ['cache.shop-data.prod.shop.data.internal'], addresses: intra, location: 'MESH_EXTERNAL', resolution: 'NONE', ports: [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }] });
    expect(find('prod', 'ServiceEntry', 'orders-db', 'shop-data').spec).toEqual({ hosts: ['orders-db.shop-data.prod.shop.data.internal'], addresses: intra, location: 'MESH_EXTERNAL', resolution: 'NONE', ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }] });
    expect(out.prod.filter((o) => o.apiVersion === 'postgresql.cnpg.io/v1' || (o.kind === 'Application' && /cloudnative-pg|shop-data-cache/.test(o.metadata.name)))).toEqual([]);
  });

  test('each managed store\'s DestinationRule names its ServiceEntry\'s host; callers\' Sidecars list that host and the ExternalName', () => {
    for (const name of ['orders-db', 'cache']) {
      const record = `${name}.shop-data.prod.shop.data.internal`;
      expect(find('prod', 'DestinationRule', name, 'shop-data').spec.host).toBe(record);
      expect(find('prod', 'ServiceEntry', name, 'shop-data').spec.hosts).toEqual([record]);
      expect(find('prod', 'Service', name, 'shop-data').spec).toMatchObject({ type: 'ExternalName', externalName: record });
    }
    expect(find('prod', 'Sidecar', 'orders', 'shop').spec.egress[0].hosts).toEqual(expect.arrayContaining([
      'shop-data/orders-db.shop-data.prod.shop.data.internal', 'shop-data/orders-db.shop-data.svc.cluster.local',
      'shop-data/cache.shop-data.prod.shop.data.internal', 'shop-data/cache.shop-data.svc.cluster.local',
    ]));
    expect(find('prod', 'Sidecar', 'catalog', 'shop').spec.egress[0].hosts).not.toContain('shop-data/orders-db.shop-data.prod.shop.data.internal');
    // in the cluster no private-zone host: the store is a Service of the mesh
    expect(JSON.stringify(find('dev', 'Sidecar', 'orders', 'shop').spec)).not.toContain('data.internal');
  });

  test('callers\' NetworkPolicies open only the intra subnets on the store\'s port', () => {
    const egress = find('prod', 'NetworkPolicy', 'orders', 'shop').spec.egress as Array<{ to: Array<{ ipBlock?: { cidr: string } }>; ports: Array<{ port: number }> }>;
    const pg = egress.find((r) => r.ports[0].port === 5432);
    const env = ENVIRONMENTS.find((e) => e.name === 'prod');
    expect(pg?.to.every((p) => p.ipBlock !== undefined && p.ipBlock.cidr.endsWith(`/${Number(env?.vpcCidr.split('/')[1]) + 6}`))).toBe(true);
    expect(pg?.to).toHaveLength(3);
  });
});

test.each(['dev', 'prod'])('every object of %s validates against its schema: CRDs for CloudNativePG, the published models for the rest', async (env) => {
  const problems: string[] = [];
  const cnpg = cnpgValidators();
  for (const o of out[env]) {
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    if (group === 'postgresql.cnpg.io') {
      problems.push(...(cnpg.get(o.kind)?.(o) ?? ['no schema']).map((e) => `${o.kind} ${o.metadata.name}: ${e}`));
      continue;
    }
    if (group === 'external-secrets.io') {
      problems.push(...(await validateExternalSecretsObjects([o as never])).errors);
      continue;
    }
    if (group === 'velero.io' || group === 'monitoring.coreos.com' || group === 'snapshot.storage.k8s.io') continue; // checked by their own suites
    const pkg = group.endsWith('.istio.io') ? '@kubernetes-models/istio' : group === 'argoproj.io' ? '@kubernetes-models/argo-cd' : 'kubernetes-models';
    const mod = (await import(`${pkg}/${group ? `${group}/` : ''}${version}/${o.kind}`)) as Record<string, new (d: unknown) => { validate(): void }>;
    try {
      new mod[o.kind](o).validate();
    } catch (err) {
      problems.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${(err as Error).message}`);
    }
  }
  expect(problems).toEqual([]);
});

test('fails when an in-cluster PostgreSQL store asks for fewer than 3 instances', () => {
  const store = resolveDataStore(STORES[0], { placement: undefined });
  const build = () => new PostgresCluster(new Construct(Testing.chart(), 'x'), 'pg', { store, callers: [], credentialsSecret: 's', storageClassName: 'gp3', backupBucket: 'b', region: 'eu-central-1', backupRoleArn: 'arn:aws:iam::111122223333:role/r', backupRetentionDays: 7, monitoringNamespace: 'monitoring', vpcCidr: '10.0.0.0/16', labels: {}, instances: 2 });
  expect(build).toThrow(ValidationError);
  expect(build).toThrow(/instances is 2; allowed: 3 or more/);
});

test('with observability, Prometheus scrapes the PostgreSQL instances through a PodMonitor of their metrics port', () => {
  const observed = storesPlatform({ observability: { runbookBaseUrl: 'https://git.example.com/shop/-/blob/main/dist', alerting: { pagerDutyRoutingKey: { name: 'alerting', key: 'pagerduty' }, slack: { apiUrl: { name: 'alerting', key: 'slack' }, channel: '#shop-alerts' }, email: { to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587' } } } });
  const objects = Testing.synth(new PlatformChart(Testing.app(), 'dev', { platform: observed, environment: 'dev' })) as Obj[];
  const monitor = objects.find((o) => o.kind === 'PodMonitor' && o.metadata.name === 'orders-db');
  expect(monitor?.metadata.namespace).toBe('shop-data');
  expect(monitor?.spec).toEqual({ selector: { matchLabels: { 'cnpg.io/cluster': 'orders-db' } }, podMetricsEndpoints: [{ port: 'metrics', scheme: 'http' }] });
  expect(out.dev.some((o) => o.kind === 'PodMonitor' && o.metadata.name === 'orders-db')).toBe(false);
});

test('with another service CIDR the instances open that block\'s first address to the API server', () => {
  const moved = storesPlatform({ environments: ENVIRONMENTS.map((e) => (e.name === 'dev' ? { ...e, kubernetesServiceCidr: '10.100.0.0/16' } : e)) });
  const objects = Testing.synth(new PlatformChart(Testing.app(), 'dev', { platform: moved, environment: 'dev' })) as Obj[];
  const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'orders-db');
  expect(np?.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.100.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] });
});

test('fails when a managed store\'s address has no VPC blocks (a TCP ServiceEntry without addresses takes its whole port)', () => {
  const store = resolveDataStore(STORES[0], { placement: DataStorePlacement.MANAGED });
  expect(() => new ManagedStoreAddress(new Construct(Testing.chart(), 'x'), 'a', { store, recordName: 'orders-db.shop-data.prod.shop.data.internal', addresses: [], labels: {} })).toThrow(/addresses is .*allowed: the VPC blocks of the store/);
});
