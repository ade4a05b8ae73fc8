/**
 * Least privilege for secrets over both reference platforms: the pods of a service get an IAM role only when they call
 * AWS themselves; External Secrets Operator reads each service's secrets as a reader ServiceAccount of its own, whose
 * role the environment's stack creates, trusting exactly that ServiceAccount (proved by the closure check).
 */
import { Testing as Cdk8sTesting } from 'cdk8s';
import { Testing as CdktfTesting } from 'cdktf';
import { platform as shop } from '../../../apps/platform';
import { platform as erp } from '../../../apps/erp';
import { PlatformStack } from '../../../lib/aws/platform-stack';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { DataStoreEngine, DataStorePlacement, dataStoreServiceAccounts } from '../../../lib/model/data-stores';
import { ROLE_ARN_ANNOTATION, secretsReaderServiceAccountName, serviceAccountName } from '../../../lib/model/names';
import type { Platform } from '../../../lib/model/platform';
import { checkClosure } from '../../../lib/policy/closure';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface Synthesized { readonly platform: Platform; readonly env: string; readonly objects: Json[]; readonly stack: Json }

const outputs: Synthesized[] = [];
beforeAll(() => {
  for (const platform of [shop, erp]) {
    for (const env of platform.environments) {
      const chart = new PlatformChart(Cdk8sTesting.app(), env.name, { platform, environment: env.name });
      const stack = new PlatformStack(CdktfTesting.app(), env.name, { platform, environment: env });
      outputs.push({ platform, env: env.name, objects: Cdk8sTesting.synth(chart) as Json[], stack: JSON.parse(CdktfTesting.synth(stack)) as Json });
    }
  }
});

/** What an annotated ServiceAccount belongs to, or undefined when nothing of the model calls AWS as it. */
function ownerCallingAws(platform: Platform, env: string, namespace: string, account: string): string | undefined {
  const service = platform.services.find((s) => s.namespace === namespace && serviceAccountName(s) === account);
  if (service !== undefined) {
    return (service.awsPermissions ?? []).length > 0 ? `service ${namespace}/${service.name} (awsPermissions)` : undefined;
  }
  // CloudNativePG's instances write base backups and WAL to S3 (barman) as the store's ServiceAccount
  const store = platform.dataStoresIn(platform.environment(env)).find((d) => d.namespace === namespace && dataStoreServiceAccounts(d).cluster === account);
  return store !== undefined && store.engine === DataStoreEngine.POSTGRESQL && store.placement === DataStorePlacement.IN_CLUSTER ? `data store ${namespace}/${store.name} (barman)` : undefined;
}

describe('the reference platforms (shop and ERP): who holds which AWS credential', () => {
  test('no workload whose role only reads secrets has an IAM role on its pods', () => {
    const annotated: string[] = [];
    for (const { platform, env, objects } of outputs) {
      const accounts = new Map(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
      const templates = [
        ...objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').map((o) => ({ namespace: o.metadata.namespace as string, account: (o.spec.template.spec.serviceAccountName ?? 'default') as string, arn: undefined as string | undefined })),
        // a CloudNativePG Cluster's pods run as a ServiceAccount the operator creates from serviceAccountTemplate
        ...objects.filter((o) => o.kind === 'Cluster' && String(o.apiVersion).startsWith('postgresql.cnpg.io/')).map((o) => ({ namespace: o.metadata.namespace as string, account: o.metadata.name as string, arn: o.spec.serviceAccountTemplate?.metadata?.annotations?.[ROLE_ARN_ANNOTATION] as string | undefined })),
      ];
      for (const { namespace, account, arn } of templates) {
        const role = arn ?? accounts.get(`${namespace}/${account}`)?.metadata.annotations?.[ROLE_ARN_ANNOTATION];
        if (role !== undefined) {
          expect({ env, account: `${namespace}/${account}`, owner: ownerCallingAws(platform, env, namespace, account) }).toEqual({ env, account: `${namespace}/${account}`, owner: expect.any(String) });
          annotated.push(`${platform.name}/${env}: ${namespace}/${account}`);
        }
      }
    }
    // the pods that do call AWS keep their role (shop's notification and recommendation services, CNPG's barman)
    expect(annotated).toEqual(expect.arrayContaining(['shop/prod: shop/notification', 'shop/prod: shop/recommendation', 'erp/dev: erp-data/erp-db']));
  });

  test('services that read secrets without calling AWS run as ServiceAccounts without a role; their readers have one', () => {
    let readersOnly = 0;
    for (const { platform, env, objects } of outputs) {
      const environment = platform.environment(env);
      for (const service of platform.services.filter((s) => platform.secretsOf(environment, s).length > 0)) {
        const find = (name: string) => objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === service.namespace && o.metadata.name === name) as Json;
        const reader = find(secretsReaderServiceAccountName(service));
        expect(reader.metadata.annotations[ROLE_ARN_ANNOTATION]).toBe(platform.secretsReaderRoleArn(environment, service));
        expect(reader.automountServiceAccountToken).toBe(false);
        if ((service.awsPermissions ?? []).length === 0) {
          readersOnly++;
          expect({ service: service.name, annotations: find(serviceAccountName(service)).metadata.annotations ?? {} }).toEqual({ service: service.name, annotations: {} });
        }
      }
    }
    // the test bites: both platforms have services that only read secrets (the stores' callers)
    expect(readersOnly).toBeGreaterThan(0);
    expect(new Set(outputs.filter(({ platform, env }) => platform.services.some((s) => platform.secretsOf(platform.environment(env), s).length > 0 && (s.awsPermissions ?? []).length === 0)).map((o) => o.platform.name))).toEqual(new Set(['shop', 'erp']));
  });

  test('every annotated ServiceAccount has its role in the stack, trusting exactly it, and every SecretStore a reader (closure)', () => {
    for (const { env, objects, stack } of outputs) {
      const violations = checkClosure(env, stack, objects).filter((v) => ['closure/role-arn', 'closure/role-trust', 'closure/secrets-reader'].includes(v.rule));
      expect(violations).toEqual([]);
      // ESO's controller, not the services' pods, calls STS and Secrets Manager: nothing denies its namespace's egress
      expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'external-secrets')).toEqual([]);
    }
  });

  test('fails when the stack lacks a reader\'s role (closure)', () => {
    const { env, objects, stack } = outputs.find((o) => o.platform === erp && o.env === 'prod') as Synthesized;
    const withoutReaders: Json = { ...stack, resource: { ...stack.resource, aws_iam_role: Object.fromEntries(Object.entries(stack.resource.aws_iam_role as Json).filter(([, r]) => !String(r.name).endsWith('-secrets'))) } };
    const violations = checkClosure(env, withoutReaders, objects).filter((v) => v.rule === 'closure/role-arn');
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => /ServiceAccount [a-z0-9-]+\/[a-z0-9-]+-secrets$/.test(v.where))).toBe(true);
  });
});
