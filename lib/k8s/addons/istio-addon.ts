/**
 * Istio, installed the way the mesh (lib/k8s/mesh) expects it: the `base` chart (CRDs), `istiod` with the CNI plugin
 * switched on (`pilot.cni.enabled`, so injection adds the unprivileged `istio-validation` init container instead of
 * `istio-init` with NET_ADMIN, and platform pods stay "restricted"), the `cni` node agent, and the `gateway` chart as
 * the ingress gateway the mesh's Gateway selects. One Argo CD Application per chart, all at one pinned version.
 */
import { Construct } from 'constructs';
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import type { EnvironmentConfig } from '../../model/environment';
import { ValidationError } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import { INGRESS_GATEWAY_NAMESPACE, INGRESS_GATEWAY_SERVICE_ACCOUNT } from '../mesh/public-gateway';
import { addonNamespace } from './_addon-namespace';
import { HelmApplication, type ArgoCdIgnoreDifferences, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The namespace of istiod: the one every platform namespace opens egress to (`PlatformNamespace.meshControlPlane`). */
export const ISTIO_CONTROL_PLANE_NAMESPACE = 'istio-system';

/** The ingress gateway the Istio add-on installs; it must match the mesh's `PublicGateway`. */
export interface IstioIngressGatewayOptions {
  /** Its namespace: the mesh's Gateway namespace. @default 'istio-ingress' */
  readonly namespace?: string;
  /** Labels of its pods: the mesh's Gateway selector. @default { istio: 'ingressgateway' } */
  readonly selector?: Readonly<Record<string, string>>;
}

/** What the Istio add-on does beyond the platform's "restricted" default; each must be accepted by name. */
export interface IstioInsecureOptions {
  /**
   * The `cni` node agent's namespace enforces Pod Security "privileged": the agent is a DaemonSet that runs
   * privileged, on the host network, with host paths (`/opt/cni/bin`, `/etc/cni/net.d`, `/var/run/netns`) to install
   * the CNI plugin that sets up each pod's traffic redirection. That is the price of every other pod of the mesh
   * staying "restricted". The namespace holds nothing else. Required: the add-on refuses to build without it.
   * @default false (and the constructor throws)
   */
  readonly privilegedCniNamespace?: boolean;
}

/** Options for an {@link IstioAddon}. */
export interface IstioAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (Kubernetes version for the Pod Security labels). */
  readonly environment: EnvironmentConfig;
  /** Where the Applications live and deploy to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The version of the four charts. @default DEFAULT_ADDON_CHART_VERSIONS.istio */
  readonly version?: string;
  /** The ingress gateway. @default namespace `istio-ingress`, selector `istio: ingressgateway` */
  readonly gateway?: IstioIngressGatewayOptions;
  /** The namespace of the CNI node agent, which holds nothing else. @default 'istio-cni' */
  readonly cniNamespace?: string;
  /** Named weakenings; `privilegedCniNamespace` must be true. @default none: synth fails until the weakening is named */
  readonly insecure?: IstioInsecureOptions;
}

/** Fields istiod rewrites at run time on its webhooks; Argo CD must not undo them (self-heal would fight istiod). */
export const ISTIO_WEBHOOK_IGNORE_DIFFERENCES: readonly ArgoCdIgnoreDifferences[] = [
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'] },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
];

/** Istio's control plane, CNI node agent and ingress gateway. */
export class IstioAddon extends Construct {
  /** The charts' version. */
  public readonly version: string;
  /** The ingress gateway's namespace. */
  public readonly gatewayNamespace: string;
  /** The ingress gateway pods' labels. */
  public readonly gatewaySelector: Readonly<Record<string, string>>;
  /** The CNI node agent's namespace. */
  public readonly cniNamespace: string;
  /** The named weakening: the CNI namespace enforces "privileged". Always true (the add-on refuses otherwise). */
  public readonly privilegedCniNamespace: boolean;
  /** The Namespaces emitted, by name. */
  public readonly namespaces: ReadonlyMap<string, KubeNamespace>;
  /** The Applications: `base`, `istiod`, `cni`, `gateway`. */
  public readonly base: HelmApplication;
  public readonly istiod: HelmApplication;
  public readonly cni: HelmApplication;
  public readonly gateway: HelmApplication;

  constructor(scope: Construct, id: string, props: IstioAddonProps) {
    super(scope, id);
    const path = this.node.path;
    this.version = props.version ?? DEFAULT_ADDON_CHART_VERSIONS.istio;
    const minor = /^(\d+)\.(\d+)\./.exec(this.version);
    if (!minor || Number(minor[1]) !== 1 || Number(minor[2]) < 22) {
      throw new ValidationError(path, 'version', this.version, 'allowed: Istio 1.22 or later (the mesh emits networking.istio.io/v1 and security.istio.io/v1, served from 1.22)');
    }
    if (props.insecure?.privilegedCniNamespace !== true) {
      throw new ValidationError(path, 'insecure.privilegedCniNamespace', props.insecure?.privilegedCniNamespace, 'allowed: true. The istio-cni node agent needs a "privileged" namespace; accept it by name (docs/addons.md, "Pod Security")');
    }
    this.privilegedCniNamespace = true;
    this.gatewayNamespace = props.gateway?.namespace ?? INGRESS_GATEWAY_NAMESPACE;
    this.gatewaySelector = { ...(props.gateway?.selector ?? { istio: 'ingressgateway' }) };
    this.cniNamespace = props.cniNamespace ?? 'istio-cni';
    const names = [ISTIO_CONTROL_PLANE_NAMESPACE, this.cniNamespace, this.gatewayNamespace];
    if (new Set(names).size !== names.length) {
      throw new ValidationError(path, 'namespaces', names, 'allowed: three different namespaces for istiod, the CNI agent and the gateway (each has its own Pod Security level)');
    }

    const psv = `v${props.environment.kubernetesVersion}`;
    const nsGroup = new Construct(this, 'Namespaces');
    const namespaces = new Map<string, KubeNamespace>([
      // baseline: istiod's chart is not proven "restricted" on every version; warn/audit stay "restricted"
      [ISTIO_CONTROL_PLANE_NAMESPACE, addonNamespace(nsGroup, ISTIO_CONTROL_PLANE_NAMESPACE, { name: ISTIO_CONTROL_PLANE_NAMESPACE, podSecurity: PodSecurityLevel.BASELINE, podSecurityVersion: psv })],
      [this.cniNamespace, addonNamespace(nsGroup, this.cniNamespace, { name: this.cniNamespace, podSecurity: PodSecurityLevel.PRIVILEGED, podSecurityVersion: psv })],
      [this.gatewayNamespace, addonNamespace(nsGroup, this.gatewayNamespace, { name: this.gatewayNamespace, podSecurity: PodSecurityLevel.RESTRICTED, podSecurityVersion: psv })],
    ]);
    this.namespaces = namespaces;

    const chart = (name: string) => ({ repoURL: ADDON_HELM_REPOSITORIES.istio, chart: name, version: this.version });
    const common = { argoCd: props.argoCd, partOf: props.platformName };
    // waves, for an app-of-apps that orders Applications: CRDs and the node agent, then istiod, then the gateway
    this.base = new HelmApplication(this, 'Base', {
      ...common,
      name: 'istio-base',
      chart: chart('base'),
      destinationNamespace: ISTIO_CONTROL_PLANE_NAMESPACE,
      values: { global: { istioNamespace: ISTIO_CONTROL_PLANE_NAMESPACE } },
      syncWave: -1,
      ignoreDifferences: ISTIO_WEBHOOK_IGNORE_DIFFERENCES,
    });
    this.cni = new HelmApplication(this, 'Cni', {
      ...common,
      name: 'istio-cni',
      chart: chart('cni'),
      destinationNamespace: this.cniNamespace,
      values: { global: { istioNamespace: ISTIO_CONTROL_PLANE_NAMESPACE } },
      syncWave: -1,
    });
    this.istiod = new HelmApplication(this, 'Istiod', {
      ...common,
      name: 'istiod',
      chart: chart('istiod'),
      destinationNamespace: ISTIO_CONTROL_PLANE_NAMESPACE,
      values: {
        global: { istioNamespace: ISTIO_CONTROL_PLANE_NAMESPACE },
        pilot: { cni: { enabled: true }, seccompProfile: { type: 'RuntimeDefault' } },
      },
      syncWave: 0,
      ignoreDifferences: ISTIO_WEBHOOK_IGNORE_DIFFERENCES,
    });
    this.gateway = new HelmApplication(this, 'Gateway', {
      ...common,
      // the release name is the Deployment's and the service account's: the principal the mesh admits
      name: INGRESS_GATEWAY_SERVICE_ACCOUNT,
      chart: chart('gateway'),
      destinationNamespace: this.gatewayNamespace,
      values: {
        labels: { ...this.gatewaySelector },
        serviceAccount: { create: true, name: INGRESS_GATEWAY_SERVICE_ACCOUNT },
        // the chart's default pod securityContext without seccomp fails "restricted"; its container defaults pass
        securityContext: {
          seccompProfile: { type: 'RuntimeDefault' },
          sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
        },
      },
      syncWave: 1,
    });
    this.base.node.addDependency(namespaces.get(ISTIO_CONTROL_PLANE_NAMESPACE) as KubeNamespace);
    this.istiod.node.addDependency(namespaces.get(ISTIO_CONTROL_PLANE_NAMESPACE) as KubeNamespace);
    this.cni.node.addDependency(namespaces.get(this.cniNamespace) as KubeNamespace);
    this.gateway.node.addDependency(namespaces.get(this.gatewayNamespace) as KubeNamespace);
  }
}
