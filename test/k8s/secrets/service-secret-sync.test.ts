import { Chart, Testing } from 'cdk8s';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { ServiceSecretSync } from '../../../lib/k8s/secrets/service-secret-sync';
import { SecretOwnerKind, type ResolvedSecret } from '../../../lib/model/secrets';
import { ValidationError } from '../../../lib/model/validation';
import { checkClosure } from '../../../lib/policy/closure';
import { FORBIDDEN_VALUES, secretsPlatform } from './_secrets-platform';
import { validateExternalSecretsObjects } from './_external-secrets-schemas';
import { validateApplications } from '../addons/_argo-cd-schemas';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

describe('secrets on the Kubernetes side (PlatformChart prod)', () => {
  const platform = secretsPlatform();
  let objects: Json[];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Json;
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  beforeAll(() => {
    const chart = new PlatformChart(Testing.app(), 'prod', { platform, environment: 'prod' });
    objects = Testing.synth(chart);
  });

  test('emits one SecretStore per service that reads secrets, reading Secrets Manager as the service\'s secrets reader ServiceAccount', () => {
    expect(ofKind('SecretStore').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['shop/ledger-secrets', 'shop/orders-secrets']);
    expect(find('SecretStore', 'orders-secrets').spec).toEqual({
      provider: { aws: { service: 'SecretsManager', region: 'eu-central-1', auth: { jwt: { serviceAccountRef: { name: 'orders-secrets' } } } } },
    });
    expect(find('SecretStore', 'ledger-secrets').spec.provider.aws.auth.jwt.serviceAccountRef).toEqual({ name: 'ledger-secrets' });
  });

  test('the ESO controller may request tokens only for the SecretStores\' ServiceAccounts: a Role per store naming it, bound to the controller', () => {
    const values = (objects.find((o) => o.kind === 'Application' && o.metadata.name === 'external-secrets') as Json).spec.source.helm.valuesObject;
    // the chart's cluster-wide serviceaccounts/token grant is off
    expect(values.rbac).toEqual({ serviceAccountTokenCreate: false });
    const roles = ofKind('Role').filter((r) => JSON.stringify(r.rules).includes('serviceaccounts/token'));
    expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual(['shop/ledger-secrets-token', 'shop/orders-secrets-token']);
    for (const store of ofKind('SecretStore')) {
      const sa = store.spec.provider.aws.auth.jwt.serviceAccountRef.name;
      const name = `${store.metadata.name}-token`;
      const role = roles.find((r) => r.metadata.name === name && r.metadata.namespace === store.metadata.namespace) as Json;
      // the reader, never the service's own ServiceAccount
      expect(['ledger-secrets', 'orders-secrets']).toContain(sa);
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [sa], verbs: ['create'] }]);
      const binding = ofKind('RoleBinding').find((b) => b.metadata.name === name && b.metadata.namespace === store.metadata.namespace) as Json;
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'external-secrets', namespace: 'external-secrets' }]);
    }
    // no ClusterRole of the platform's grants token creation
    expect(JSON.stringify(ofKind('ClusterRole'))).not.toContain('serviceaccounts/token');
    // the services' own ServiceAccounts are bound by nothing new
    expect(ofKind('RoleBinding').flatMap((b) => b.subjects).filter((sub: Json) => ['orders', 'ledger'].includes(sub.name))).toEqual([]);
  });

  test('gives the pods of a service that only reads secrets no role: their ServiceAccount carries no role-arn', () => {
    for (const name of ['orders', 'ledger', 'web']) {
      expect(find('ServiceAccount', name).metadata.annotations ?? {}).not.toHaveProperty(['eks.amazonaws.com/role-arn']);
    }
    expect(platform.serviceRoleArn(platform.environment('prod'), platform.service('shop/orders'))).toBeUndefined();
  });

  test('annotates each service\'s secrets reader, a ServiceAccount no pod runs as, with its own role', () => {
    const env = platform.environment('prod');
    for (const name of ['orders', 'ledger']) {
      const reader = find('ServiceAccount', `${name}-secrets`);
      expect(reader.metadata.namespace).toBe('shop');
      expect(reader.metadata.annotations).toEqual({
        'eks.amazonaws.com/role-arn': platform.secretsReaderRoleArn(env, platform.service(`shop/${name}`)),
        'eks.amazonaws.com/sts-regional-endpoints': 'true',
      });
      expect(reader.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(`arn:aws:iam::333333333333:role/shop-prod-shop-${name}-secrets`);
      expect(reader.automountServiceAccountToken).toBe(false);
    }
    expect(objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'web-secrets')).toEqual([]);
    const podAccounts = [...ofKind('Deployment'), ...ofKind('StatefulSet')].map((w) => w.spec.template.spec.serviceAccountName);
    expect(podAccounts.filter((a: string) => a.endsWith('-secrets'))).toEqual([]);
  });

  test('emits one ExternalSecret per secret, refreshed hourly, owning its Kubernetes Secret, without template', () => {
    expect(ofKind('ExternalSecret').map((o) => o.metadata.name).sort()).toEqual(['ledger-superuser', 'orders-db', 'orders-stripe']);
    const db = find('ExternalSecret', 'orders-db');
    expect(db.spec).toEqual({
      refreshInterval: '1h',
      refreshPolicy: 'Periodic',
      secretStoreRef: { kind: 'SecretStore', name: 'orders-secrets' },
      target: { name: 'orders-db', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      // variables only: just the keys they read
      data: [
        { secretKey: 'password', remoteRef: { key: 'shop/prod/shop/orders/db', property: 'password' } },
        { secretKey: 'username', remoteRef: { key: 'shop/prod/shop/orders/db', property: 'username' } },
      ],
    });
    // mounted: every key of the JSON value becomes a file
    expect(find('ExternalSecret', 'orders-stripe').spec.dataFrom).toEqual([{ extract: { key: 'shop/prod/shop/orders/stripe' } }]);
    for (const es of ofKind('ExternalSecret')) {
      expect(es.spec.target).not.toHaveProperty('template');
    }
  });

  test('validates every External Secrets object against the external-secrets.io/v1 schemas', async () => {
    const { checked, errors } = await validateExternalSecretsObjects(objects as never);
    expect(errors).toEqual([]);
    expect(checked).toBe(5);
  });

  test('installs External Secrets Operator, whose chart provides the external-secrets.io CRDs (closure)', () => {
    const app = objects.find((o) => o.kind === 'Application' && o.metadata.name === 'external-secrets') as Json;
    expect(app.spec.source).toEqual(expect.objectContaining({ repoURL: 'https://charts.external-secrets.io', chart: 'external-secrets', targetRevision: '2.10.0' }));
    expect(app.spec.source.helm.valuesObject).toEqual(expect.objectContaining({ installCRDs: true, processClusterStore: false, rbac: { serviceAccountTokenCreate: false } }));
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    const crdViolations = checkClosure('prod', { provider: { aws: [{ allowed_account_ids: ['333333333333'] }] }, resource: {} }, objects).filter((v) => v.rule === 'closure/crd' && /external-secrets/.test(v.message + v.where));
    expect(crdViolations).toEqual([]);
  });

  test('runs the operator in a namespace that enforces "restricted", its Application valid against Argo CD\'s schema', async () => {
    const ns = find('Namespace', 'external-secrets');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const values = (objects.find((o) => o.kind === 'Application' && o.metadata.name === 'external-secrets') as Json).spec.source.helm.valuesObject;
    for (const v of [values, values.webhook, values.certController]) {
      expect(v.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }));
    }
    const { errors, checked } = await validateApplications(objects.filter((o) => o.metadata.name === 'external-secrets') as never);
    expect({ errors, checked }).toEqual({ errors: [], checked: 1 });
  });

  test('puts no Secret and no secret value in the output', () => {
    expect(ofKind('Secret')).toEqual([]);
    const text = JSON.stringify(objects);
    for (const value of FORBIDDEN_VALUES) {
      expect(text).not.toContain(value);
    }
  });

  test('installs no External Secrets Operator in an environment where no service reads secrets', () => {
    const plain = secretsPlatform([{ ...platform.service('shop/web'), calls: [] }]);
    const chart = new PlatformChart(Testing.app(), 'prod', { platform: plain, environment: 'prod' });
    expect(Testing.synth(chart).filter((o: Json) => o.apiVersion.startsWith('external-secrets.io/') || (o.kind === 'Application' && o.metadata.name === 'external-secrets'))).toEqual([]);
  });

  test('leaves External Secrets Operator out when it is disabled (a named weakening)', () => {
    const chart = new PlatformChart(Testing.app(), 'prod', { platform, environment: 'prod', addons: { disabled: { externalSecrets: true } } });
    expect(chart.addons.externalSecrets).toBeUndefined();
    expect(chart.addons.disabled.externalSecrets).toBe(true);
  });
});

describe('ServiceSecretSync', () => {
  const secret: ResolvedSecret = { name: 'db', owner: SecretOwnerKind.SERVICE, secretsManagerName: 'shop/prod/shop/orders/db', kubernetesSecretName: 'orders-db', env: { DB_PASSWORD: 'password' } };
  const props = { serviceName: 'orders', namespace: 'shop', readerRoleArn: 'arn:aws:iam::333333333333:role/shop-prod-shop-orders-secrets', region: 'eu-central-1', secrets: [secret] };
  const build = (extra: object) => () => new ServiceSecretSync(new Chart(Testing.app(), 't'), 'S', { ...props, ...extra });

  test('refreshes at the interval given', () => {
    const chart = Testing.chart();
    new ServiceSecretSync(chart, 'S', { ...props, refreshInterval: '15m' });
    expect(Testing.synth(chart).find((o: Json) => o.kind === 'ExternalSecret').spec.refreshInterval).toBe('15m');
  });

  test('fails when the refresh interval is not a positive Go duration', () => {
    expect(build({ refreshInterval: '0s' })).toThrow(ValidationError);
    expect(build({ refreshInterval: 'hourly' })).toThrow(/refreshInterval is "hourly"; allowed: a positive Go duration/);
  });

  test('fails when two secrets would write the same Kubernetes Secret', () => {
    expect(build({ secrets: [secret, { ...secret, name: 'db2' }] })).toThrow(/each Kubernetes Secret once/);
  });

  test('fails when there is no secret', () => {
    expect(build({ secrets: [] })).toThrow(/secrets is \[\]/);
  });

  test('fails when the reader role is not an IAM role ARN', () => {
    expect(build({ readerRoleArn: 'shop-prod-shop-orders-secrets' })).toThrow(/readerRoleArn is "shop-prod-shop-orders-secrets"; allowed: an IAM role ARN/);
  });

  test('fails when the reader ServiceAccount\'s name would not be a DNS-1123 label', () => {
    expect(build({ serviceName: 'a'.repeat(56) })).toThrow(/allowed: a DNS-1123 label/);
  });
});

describe('closure of ExternalSecrets and the stack', () => {
  const es = (key: string) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'orders-db', namespace: 'shop' }, spec: { data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] } });
  const stack = { provider: { aws: [{ allowed_account_ids: ['333333333333'] }] }, resource: { aws_secretsmanager_secret: { a: { name: 'shop/prod/shop/orders/db' } } } };

  test('accepts an ExternalSecret that reads a secret of the stack', () => {
    expect(checkClosure('prod', stack, [es('shop/prod/shop/orders/db')]).filter((v) => v.rule === 'closure/secret')).toEqual([]);
  });

  test('fails when an ExternalSecret reads a secret the stack does not create', () => {
    const v = checkClosure('prod', stack, [es('shop/prod/shop/orders/other')]).filter((x) => x.rule === 'closure/secret');
    expect(v.map((x) => `${x.where}: ${x.message}`)).toEqual(['prod: ExternalSecret shop/orders-db: reads Secrets Manager secret shop/prod/shop/orders/other; allowed: a secret of the prod stack (an aws_secretsmanager_secret of that name)']);
  });
});
