/**
 * The platform this pipeline delivers: a small web shop (storefront, checkout, payments) in dev, staging and prod.
 * checkout runs blue-green; which colour takes the traffic is in releases.json, which the pipeline's manual
 * `switch-release` job changes (`npm run switch -- <service> <version>`) in a commit of its own. Argo CD then switches
 * dev and staging at once (automated sync) and prod when a person presses Sync (its Application syncs by hand).
 */
import {
  CapacityType,
  GitOpsSync,
  Platform,
  PortProtocol,
  Release,
  type EnvironmentConfig,
  type ServiceDefinition,
} from 'eks-platform-constructs/model';
import releases from './releases.json';

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/webshop';
const web = { name: 'web', port: 8080, protocol: PortProtocol.HTTP };

/** The version of a blue-green service that takes the traffic (releases.json; the model refuses one it does not run). */
function active(service: string): string {
  const chosen = (releases as Record<string, string | undefined>)[service];
  if (chosen === undefined) {
    throw new Error(`releases.json names no active version of ${service}`);
  }
  return chosen;
}

function environment(name: string, accountId: string, vpcCidr: string, extra: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name,
    accountId,
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    vpcCidr,
    kubernetesVersion: '1.35',
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 3, maxSize: 12, desiredSize: 3 }],
    clusterAdminRoleArns: [`arn:aws:iam::${accountId}:role/webshop-admins`],
    backup: { retentionDays: 35 },
    kubernetes: {
      minReplicas: 2,
      maxReplicas: 6,
      namespaceQuota: { requestsCpuMillis: 16000, requestsMemoryMiB: 32768, limitsCpuMillis: 48000, limitsMemoryMiB: 65536, pods: 100 },
    },
    ...extra,
  };
}

const environments: EnvironmentConfig[] = [
  environment('dev', '123456789012', '10.60.0.0/16', {
    singleNatGateway: true,
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 1, maxSize: 4, desiredSize: 2, capacityType: CapacityType.SPOT }],
    backup: { retentionDays: 14, disableObjectLock: true },
    kubernetes: { minReplicas: 1, maxReplicas: 2, allowSingleReplica: true, namespaceQuota: { requestsCpuMillis: 8000, requestsMemoryMiB: 16384, limitsCpuMillis: 24000, limitsMemoryMiB: 32768, pods: 50 } },
  }),
  environment('staging', '123456789012', '10.61.0.0/16'),
  environment('prod', '210987654321', '10.62.0.0/16', {
    backup: { retentionDays: 90, replicaRegion: 'eu-central-1' },
    gitops: { sync: GitOpsSync.MANUAL },
  }),
];

const services: ServiceDefinition[] = [
  { name: 'storefront', namespace: 'webshop', partOf: 'webshop', versions: [{ name: 'v1', image: `${REGISTRY}/storefront:3.2.0` }], ports: [web], calls: ['checkout'], public: { hosts: ['shop.example.com'] } },
  {
    name: 'checkout',
    namespace: 'webshop',
    partOf: 'webshop',
    versions: [{ name: 'blue', image: `${REGISTRY}/checkout:5.0.1` }, { name: 'green', image: `${REGISTRY}/checkout:5.1.0` }],
    release: Release.blueGreen('blue', 'green', active('checkout')),
    ports: [web],
    calls: ['payments'],
  },
  { name: 'payments', namespace: 'webshop', partOf: 'webshop', versions: [{ name: 'v1', image: `${REGISTRY}/payments:1.9.3` }], ports: [web] },
];

export const platform = new Platform({
  name: 'webshop',
  environments,
  services,
  gitops: { repoURL: 'https://gitlab.example.com/webshop/platform.git', revision: 'main', path: 'dist' },
});

export default platform;
