/**
 * External Secrets Operator (chart `external-secrets` of https://charts.external-secrets.io) as an Argo CD
 * Application: it serves the `external-secrets.io` CRDs (installed by the chart, `installCRDs`) and keeps every
 * service's Kubernetes Secrets in step with AWS Secrets Manager (docs/secrets.md).
 *
 * The controller holds no AWS credential of its own: each service's `SecretStore` names the service's secrets reader
 * ServiceAccount `<service>-secrets` (no pod runs as it), the controller requests a token for it (audience
 * `sts.amazonaws.com`; not the chart's cluster-wide `serviceaccounts/token` grant, turned off, but a Role per
 * SecretStore in its namespace that names the reader, lib/k8s/secrets/external-secrets.ts `SecretStoreTokenGrant`) and
 * assumes the reader's IRSA role, which may read exactly that service's secrets.
 * It calls STS and Secrets Manager (interface endpoints in the VPC, which the environment's stack creates whenever a
 * service reads secrets) and the API server; an add-on namespace has no default-deny policy and no sidecar, so those
 * paths are open. Its namespace enforces "restricted": the chart's pods run as non-root with a read-only root
 * filesystem, no privilege escalation, every capability dropped and the RuntimeDefault seccomp profile, set here.
 */
import { JsonPatch } from 'cdk8s';
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { PodSecurityLevel } from '../hardening';
import { EXTERNAL_SECRETS_CONTROLLER_NAMESPACE } from '../secrets/external-secrets';
import { addonNamespace } from './_addon-namespace';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The namespace External Secrets Operator runs in. */
export const EXTERNAL_SECRETS_NAMESPACE = EXTERNAL_SECRETS_CONTROLLER_NAMESPACE;

/** Options for an {@link ExternalSecretsAddon}. */
export interface ExternalSecretsAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (Kubernetes version for the Pod Security labels). */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.externalSecretsChart */
  readonly chartVersion?: string;
}

/** The pod and container hardening of every ESO pod (controller, webhook, cert controller): "restricted". */
const POD_SECURITY_CONTEXT = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** External Secrets Operator in namespace `external-secrets`, with its CRDs. */
export class ExternalSecretsAddon extends Construct {
  /** The namespace. */
  public readonly namespace: KubeNamespace;
  /** The Pod Security level the namespace enforces. */
  public readonly podSecurity: PodSecurityLevel;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: ExternalSecretsAddonProps) {
    super(scope, id);
    this.podSecurity = PodSecurityLevel.RESTRICTED;
    this.namespace = addonNamespace(this, 'Namespace', { name: EXTERNAL_SECRETS_NAMESPACE, podSecurity: this.podSecurity, podSecurityVersion: `v${props.environment.kubernetesVersion}` });
    const hardened = { podSecurityContext: { ...POD_SECURITY_CONTEXT }, securityContext: { ...CONTAINER_SECURITY_CONTEXT } };
    this.application = new HelmApplication(this, 'Resource', {
      name: 'external-secrets',
      chart: { repoURL: ADDON_HELM_REPOSITORIES.externalSecrets, chart: 'external-secrets', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.externalSecretsChart },
      destinationNamespace: EXTERNAL_SECRETS_NAMESPACE,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        // the external-secrets.io CRDs come with the chart (the closure check counts on it)
        installCRDs: true,
        // namespaced SecretStores only: no store readable across namespaces
        processClusterStore: false,
        processClusterExternalSecret: false,
        processClusterGenerator: false,
        // nothing is pushed back to AWS (the chart refuses ClusterPushSecrets without PushSecrets: both off)
        processPushSecret: false,
        processClusterPushSecret: false,
        // each SecretStore authenticates as its service's secrets reader ServiceAccount: the controller requests tokens
        // for them, but not with the chart's cluster-wide grant: a Role per SecretStore names its reader (SecretStoreTokenGrant)
        rbac: { serviceAccountTokenCreate: false },
        ...hardened,
        webhook: { ...hardened },
        certController: { ...hardened },
      },
    });
    // the CRDs are too large for a client-side apply's last-applied annotation (262144 bytes)
    this.application.addJsonPatch(JsonPatch.add('/spec/syncPolicy/syncOptions/-', 'ServerSideApply=true'));
    this.application.node.addDependency(this.namespace);
  }
}
