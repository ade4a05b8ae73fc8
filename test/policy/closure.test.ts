import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { platform } from '../../apps/platform';
import { synthesize } from '../../lib/app/synthesize';
import { checkClosure, prerequisitesText } from '../../lib/policy/closure';

const ISSUER = 'oidc.eks.eu-central-1.amazonaws.com/id/ABC';
/** A trust policy as ServiceAccountRole renders it: exactly one ServiceAccount, audience sts.amazonaws.com. */
const trust = (subject: string, extra: object[] = []) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::333333333333:oidc-provider/${ISSUER}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com', [`${ISSUER}:sub`]: subject } },
  }, ...extra],
});
const stack = {
  provider: { aws: [{ region: 'eu-central-1', allowed_account_ids: ['333333333333'] }, { alias: 'backup_replica', allowed_account_ids: ['333333333333'] }] },
  resource: {
    aws_iam_role: {
      a: { name: 'shop-prod-shop-notification', assume_role_policy: trust('system:serviceaccount:shop:x') },
      b: { name: 'shop-prod-velero-velero', assume_role_policy: trust('system:serviceaccount:velero:velero') },
      r: { name: 'shop-prod-shop-orders-secrets', assume_role_policy: trust('system:serviceaccount:shop:orders-secrets') },
    },
    aws_s3_bucket: { b: { bucket: 'shop-prod-backups-333333333333' } },
    aws_kms_alias: { k: { name: 'alias/shop-prod-ebs' } },
    aws_eks_addon: { e: { addon_name: 'aws-ebs-csi-driver' }, c: { addon_name: 'vpc-cni', configuration_values: '{"enableNetworkPolicy":"true"}' }, m: { addon_name: 'metrics-server' } },
  },
};
const sa = (arn: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': arn } } });
const gp3 = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', parameters: { kmsKeyId: 'alias/shop-prod-ebs' } };
const istioBase = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'istio-base', namespace: 'argocd' }, spec: { source: { chart: 'base' } } };
const sidecar = { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's', namespace: 'shop' }, spec: {} };

describe('checkClosure', () => {
  test('accepts what the stack provides: roles in its account, buckets, key aliases, the CSI add-on, CRDs from installed charts', () => {
    const velero = { ...istioBase, metadata: { name: 'velero', namespace: 'argocd' }, spec: { source: { chart: 'velero', helm: { valuesObject: { configuration: { backupStorageLocation: [{ bucket: 'shop-prod-backups-333333333333' }] }, serviceAccount: { server: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::333333333333:role/shop-prod-velero-velero' } } } } } } } };
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { volumeClaimTemplates: [{ spec: { storageClassName: 'gp3' } }] } };
    expect(checkClosure('prod', stack, [sa('arn:aws:iam::333333333333:role/shop-prod-shop-notification'), gp3, istioBase, sidecar, velero, sts])).toEqual([]);
  });

  test('fails when a role ARN names a role the stack lacks, or another account', () => {
    const v = checkClosure('prod', stack, [sa('arn:aws:iam::333333333333:role/shop-prod-shop-payment'), sa('arn:aws:iam::444444444444:role/shop-prod-shop-notification')]);
    expect(v.map((x) => x.rule)).toEqual(['closure/role-arn', 'closure/role-arn']);
    expect(v[0].message).toContain('metadata.annotations.eks.amazonaws.com/role-arn is arn:aws:iam::333333333333:role/shop-prod-shop-payment; allowed: a role of the prod stack');
  });

  test('fails when a bucket, a key alias or a storage class the Kubernetes side names does not exist', () => {
    const bsl = { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { name: 'default', namespace: 'velero' }, spec: { objectStorage: { bucket: 'shop-prod-backups-999999999999' } } };
    const sc = { ...gp3, parameters: { kmsKeyId: 'alias/other' } };
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec: { storageClassName: 'io2' } };
    const veleroApp = { ...istioBase, metadata: { name: 'velero', namespace: 'argocd' }, spec: { source: { chart: 'velero' } } };
    expect(checkClosure('prod', stack, [bsl, sc, pvc, veleroApp]).map((x) => x.rule)).toEqual(['closure/bucket', 'closure/kms-key', 'closure/storage-class']);
  });

  test('fails when a custom resource\'s CRDs come from no installed add-on and no prerequisite', () => {
    const cluster = { apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'pg', namespace: 'shop' }, spec: {} };
    const v = checkClosure('prod', stack, [sidecar, cluster]);
    expect(v.map((x) => `${x.rule} ${x.where}`)).toEqual(['closure/crd prod: Sidecar shop/s', 'closure/crd prod: postgresql shop/pg']);
    expect(v[1].message).toContain('none known for this API group');
  });

  test('fails when an EBS StorageClass has no CSI driver add-on in the stack', () => {
    const noAddon = { ...stack, resource: { ...stack.resource, aws_eks_addon: {} } };
    expect(checkClosure('prod', noAddon, [gp3]).map((x) => x.rule)).toEqual(['closure/csi-driver']);
  });

  test('fails when NetworkPolicies have no engine, or autoscalers no metrics API', () => {
    const bare = { ...stack, resource: { ...stack.resource, aws_eks_addon: { e: { addon_name: 'aws-ebs-csi-driver' }, c: { addon_name: 'vpc-cni' } } } };
    const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: {} };
    const cpu = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'shop' }, spec: { metrics: [{ type: 'Resource' }] } };
    const custom = { ...cpu, metadata: { name: 'q', namespace: 'shop' }, spec: { metrics: [{ type: 'Pods' }] } };
    expect(checkClosure('prod', bare, [policy, cpu, custom]).map((x) => `${x.rule} ${x.where}`)).toEqual([
      'closure/network-policy-engine prod: NetworkPolicy shop/p', 'closure/metrics-api prod: HorizontalPodAutoscaler shop/h', 'closure/metrics-api prod: HorizontalPodAutoscaler shop/q',
    ]);
    expect(checkClosure('prod', stack, [policy, cpu])).toEqual([]);
  });

  test('fails when a ServiceAccount\'s role trusts another ServiceAccount, several, or anyone besides it', () => {
    const withTrust = (policy: string) => ({ ...stack, resource: { ...stack.resource, aws_iam_role: { a: { name: 'shop-prod-shop-notification', assume_role_policy: policy } } } });
    const role = 'arn:aws:iam::333333333333:role/shop-prod-shop-notification';
    expect(checkClosure('prod', withTrust(trust('system:serviceaccount:shop:x')), [sa(role)])).toEqual([]);
    const other = checkClosure('prod', withTrust(trust('system:serviceaccount:shop:notification')), [sa(role)]);
    expect(other.map((v) => `${v.rule} ${v.where}`)).toEqual(['closure/role-trust prod: ServiceAccount shop/x']);
    expect(other[0].message).toContain('its trust policy admits system:serviceaccount:shop:notification (audience sts.amazonaws.com), not exactly system:serviceaccount:shop:x');
    const wildcard = trust('system:serviceaccount:shop:x').replace('"StringEquals"', '"StringLike"').replace('system:serviceaccount:shop:x', 'system:serviceaccount:shop:*');
    const extra = trust('system:serviceaccount:shop:x', [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'sts:AssumeRole' }]);
    for (const policy of [wildcard, extra, trust('system:serviceaccount:shop:x').replace('sts.amazonaws.com', 'other')]) {
      expect(checkClosure('prod', withTrust(policy), [sa(role)]).map((v) => v.rule)).toEqual(['closure/role-trust']);
    }
  });

  test('fails when a SecretStore\'s reader ServiceAccount is missing, has no role, mounts a token, or runs pods', () => {
    const store = { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'orders-secrets', namespace: 'shop' }, spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-central-1', auth: { jwt: { serviceAccountRef: { name: 'orders-secrets' } } } } } } };
    const eso = { ...istioBase, metadata: { name: 'external-secrets', namespace: 'argocd' }, spec: { source: { chart: 'external-secrets' } } };
    const readerRole = 'arn:aws:iam::333333333333:role/shop-prod-shop-orders-secrets';
    const reader = (extra: object = {}) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'orders-secrets', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': readerRole } }, automountServiceAccountToken: false, ...extra });
    const rules = (objects: object[]) => checkClosure('prod', stack, [eso, store, ...objects]).map((v) => v.rule);
    expect(rules([reader()])).toEqual([]);
    expect(rules([])).toEqual(['closure/secrets-reader']);
    expect(checkClosure('prod', stack, [eso, store])[0].message).toContain('the output defines no ServiceAccount shop/orders-secrets');
    expect(rules([{ ...reader(), metadata: { name: 'orders-secrets', namespace: 'shop' } }])).toEqual(['closure/secrets-reader']);
    expect(rules([reader({ automountServiceAccountToken: true })])).toEqual(['closure/secrets-reader']);
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders-v1', namespace: 'shop' }, spec: { template: { spec: { serviceAccountName: 'orders-secrets' } } } };
    expect(rules([reader(), deployment])).toEqual(['closure/secrets-reader']);
  });

  test('fails when a reader ServiceAccount\'s role is missing from the stack', () => {
    const noReaderRole = { ...stack, resource: { ...stack.resource, aws_iam_role: { a: stack.resource.aws_iam_role.a } } };
    const reader = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'orders-secrets', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::333333333333:role/shop-prod-shop-orders-secrets' } }, automountServiceAccountToken: false };
    const v = checkClosure('prod', noReaderRole, [reader]);
    expect(v.map((x) => `${x.rule} ${x.where}`)).toEqual(['closure/role-arn prod: ServiceAccount shop/orders-secrets']);
    expect(checkClosure('prod', stack, [reader])).toEqual([]);
  });

  test('lists the prerequisites of an environment', () => {
    const text = prerequisitesText('prod', ['**Admin role** `arn:aws:iam::333333333333:role/admins`.']);
    expect(text).toContain('# What the prod environment expects to exist beforehand');
    expect(text).toContain('**Argo CD**');
    expect(text).toContain('**Admin role**');
  });
});

describe('synthesize: the cross-world check refuses a platform whose worlds disagree', () => {
  test('fails when a chart names a role ARN that the environment\'s stack lacks, and writes nothing', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'closure-'));
    expect(() => synthesize(platform, {
      outdir,
      environments: ['dev'],
      extendChart: (chart) => {
        new ApiObject(chart, 'Rogue', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rogue', namespace: 'shop', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/shop-dev-shop-rogue' } } });
      },
    })).toThrow(/\[closure\/role-arn\] dev: ServiceAccount shop\/rogue: metadata.annotations.eks.amazonaws.com\/role-arn is arn:aws:iam::111111111111:role\/shop-dev-shop-rogue/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});
