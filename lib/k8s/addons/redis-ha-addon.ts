/**
 * An in-cluster Redis store: the `redis-ha` chart (https://dandydeveloper.github.io/charts, the chart Argo CD's own
 * HA install uses) as an Argo CD Application per store, released as `<namespace>-<store>` into the store's namespace: three Redis
 * pods, each with its Sentinel (quorum 2), one per zone (`topologySpreadConstraints`, DoNotSchedule) and never two on a
 * node, AUTH from the store's credentials Secret (`existingSecret`, key `password`), persistence on the platform's
 * StorageClass, a PodDisruptionBudget of `maxUnavailable: 1` (two of three Sentinels, a quorum, always run), and
 * HAProxy (three replicas) in front, which asks the Sentinels for the master: callers speak plain Redis to the
 * Service `<store>` and always reach the master, without a Sentinel-aware client. The pods run without the Istio
 * sidecar (Sentinel announces pod addresses, which REGISTRY_ONLY Sidecars would refuse).
 */
import { Construct } from 'constructs';
import type { ResolvedDataStore } from '../../model/data-stores';
import { ValidationError } from '../../model/validation';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The Redis images per major version, pinned. */
export const REDIS_IMAGES: Readonly<Record<string, { readonly repository: string; readonly tag: string }>> = {
  '7': { repository: 'public.ecr.aws/docker/library/redis', tag: '7.2.4-alpine' },
  '8': { repository: 'public.ecr.aws/docker/library/redis', tag: '8.0.2-alpine' },
};
/** The HAProxy image, pinned (the chart's default of 4.27.7). */
export const REDIS_HAPROXY_IMAGE = { repository: 'public.ecr.aws/docker/library/haproxy', tag: '2.9.4-alpine' } as const;
/** The Application's name and Helm release of a store's redis-ha: `<namespace>-<store>` (Applications share Argo CD's namespace). */
export function redisHaReleaseName(store: Pick<ResolvedDataStore, 'name' | 'namespace'>): string {
  return `${store.namespace}-${store.name}`;
}
/** The labels the chart puts on the Redis server pods of a store's release. */
export function redisServerPodLabels(store: Pick<ResolvedDataStore, 'name' | 'namespace'>): Record<string, string> {
  return { app: 'redis-ha', release: redisHaReleaseName(store) };
}
/** The labels the chart puts on the HAProxy pods of a store's release. */
export function redisHaproxyPodLabels(store: Pick<ResolvedDataStore, 'name' | 'namespace'>): Record<string, string> {
  return { app: 'redis-ha-haproxy', release: redisHaReleaseName(store) };
}
/** The Sentinel port. */
export const SENTINEL_PORT = 26379;

/** Options for a {@link RedisHaAddon}. */
export interface RedisHaAddonProps {
  /** The store (in-cluster, Redis). */
  readonly store: ResolvedDataStore;
  /** The platform's name. */
  readonly platformName: string;
  /** Where the Application lives. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The Secret with `password` (the store's credentials). */
  readonly credentialsSecret: string;
  /** The StorageClass of the volumes. */
  readonly storageClassName: string;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.redisHaChart */
  readonly chartVersion?: string;
}

/** The redis-ha Application of one store. */
export class RedisHaAddon extends Construct {
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;
  /** Redis pods (each with a Sentinel). */
  public readonly replicas = 3;

  constructor(scope: Construct, id: string, props: RedisHaAddonProps) {
    super(scope, id);
    const { store } = props;
    const image = REDIS_IMAGES[store.version];
    if (image === undefined) {
      throw new ValidationError(this.node.path, 'store.version', store.version, `allowed: ${Object.keys(REDIS_IMAGES).join(', ')}`);
    }
    const noSidecar = { 'sidecar.istio.io/inject': 'false' };
    const hardened = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, seccompProfile: { type: 'RuntimeDefault' }, capabilities: { drop: ['ALL'] } };
    this.application = new HelmApplication(this, 'Resource', {
      name: redisHaReleaseName(store),
      chart: { repoURL: ADDON_HELM_REPOSITORIES.redisHa, chart: 'redis-ha', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.redisHaChart },
      destinationNamespace: store.namespace,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        // the chart's objects are `<store>-ha-*`: the Service `<store>` is the platform's (lib/k8s/data-stores)
        fullnameOverride: `${store.name}-ha`,
        image: { ...image, pullPolicy: 'IfNotPresent' },
        replicas: this.replicas,
        auth: true,
        existingSecret: props.credentialsSecret,
        authKey: 'password',
        // every container the templates render gets requests and limits (platform/resources): the server StatefulSet's
        // config-init (`init`), redis, sentinel and split-brain-fix (`splitBrainDetection`); HAProxy's config-init
        // (`haproxy.init`) and haproxy (chart redis-ha 4.27.7's value keys)
        init: { resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } } },
        sentinel: { quorum: 2, resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } } },
        splitBrainDetection: { resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } } },
        hardAntiAffinity: true,
        topologySpreadConstraints: { enabled: true, maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
        podDisruptionBudget: { maxUnavailable: 1 },
        persistentVolume: { enabled: true, storageClass: props.storageClassName, size: `${store.storageGiB}Gi` },
        podAnnotations: noSidecar,
        securityContext: { runAsUser: 1000, fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { ...hardened, runAsUser: 1000 },
        redis: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
        haproxy: {
          enabled: true,
          replicas: 3,
          image: { ...REDIS_HAPROXY_IMAGE, pullPolicy: 'IfNotPresent' },
          annotations: noSidecar,
          hardAntiAffinity: true,
          podDisruptionBudget: { maxUnavailable: 1 },
          containerSecurityContext: hardened,
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          init: { resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } } },
        },
        networkPolicy: { enabled: false },
      },
    });
  }
}
