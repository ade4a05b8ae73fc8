/**
 * The CloudNativePG operator (chart `cloudnative-pg` of https://cloudnative-pg.github.io/charts, 0.29.0: operator
 * 1.30.0, the CRDs lib/k8s/data-stores/cnpg-models are generated from) as an Argo CD Application in `cnpg-system`,
 * which enforces Pod Security "restricted". It installs the `postgresql.cnpg.io` CRDs and watches every namespace;
 * PlatformAddons installs it when an environment runs a PostgreSQL store in the cluster.
 */
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { PodSecurityLevel } from '../hardening';
import { addonNamespace } from './_addon-namespace';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The namespace of the operator (the in-cluster stores' NetworkPolicies admit it on 8000 and 5432). */
export const CLOUDNATIVE_PG_NAMESPACE = 'cnpg-system';

/** Options for a {@link CloudNativePgAddon}. */
export interface CloudNativePgAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment. */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.cloudNativePgChart */
  readonly chartVersion?: string;
}

/** The CloudNativePG operator. */
export class CloudNativePgAddon extends Construct {
  /** The namespace. */
  public readonly namespace: KubeNamespace;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: CloudNativePgAddonProps) {
    super(scope, id);
    this.namespace = addonNamespace(this, 'Namespace', { name: CLOUDNATIVE_PG_NAMESPACE, podSecurity: PodSecurityLevel.RESTRICTED, podSecurityVersion: `v${props.environment.kubernetesVersion}` });
    this.application = new HelmApplication(this, 'Resource', {
      name: 'cloudnative-pg',
      chart: { repoURL: ADDON_HELM_REPOSITORIES.cloudNativePg, chart: 'cloudnative-pg', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.cloudNativePgChart },
      destinationNamespace: CLOUDNATIVE_PG_NAMESPACE,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        crds: { create: true },
        replicaCount: 2,
        config: { clusterWide: true },
        // the operator's webhooks and metrics; its pods carry no sidecar (the stores' pods run outside the mesh too)
        podAnnotations: { 'sidecar.istio.io/inject': 'false' },
      },
    });
    this.application.node.addDependency(this.namespace);
  }
}
