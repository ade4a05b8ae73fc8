/**
 * A typed Argo CD `Application` (`argoproj.io/v1alpha1`) installing one pinned Helm chart, and the settings every
 * add-on's Application shares. The spec is typed by `@kubernetes-models/argo-cd` (a type-only import: the package is
 * ESM-only and costs nothing at run time; the tests validate the synthesized objects with its validators).
 */
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application' with { 'resolution-mode': 'import' };
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { LABEL_MANAGED_BY, LABEL_PART_OF } from '../../model/names';
import { ValidationError, requireDns1123Label } from '../../model/validation';
import { EXACT_VERSION } from './versions';

/** The spec of an Argo CD Application. */
export type ArgoCdApplicationSpec = IApplication['spec'];
/** An `ignoreDifferences` entry of an Application. */
export type ArgoCdIgnoreDifferences = NonNullable<ArgoCdApplicationSpec['ignoreDifferences']>[number];

/** Where the Applications live and what they deploy to. */
export interface ArgoCdOptions {
  /** The namespace Argo CD watches for Applications. @default 'argocd' */
  readonly namespace?: string;
  /** The Argo CD project of the add-ons. @default 'default' */
  readonly project?: string;
  /**
   * The API server the add-ons are installed into, as Argo CD knows it.
   * @default 'https://kubernetes.default.svc' (Argo CD runs in the environment's own cluster)
   */
  readonly destinationServer?: string;
}

/** {@link ArgoCdOptions} with the defaults applied. */
export type ResolvedArgoCdOptions = Required<ArgoCdOptions>;

/** Applies the defaults of {@link ArgoCdOptions}. */
export function resolveArgoCdOptions(options: ArgoCdOptions = {}): ResolvedArgoCdOptions {
  return {
    namespace: options.namespace ?? 'argocd',
    project: options.project ?? 'default',
    destinationServer: options.destinationServer ?? 'https://kubernetes.default.svc',
  };
}

/** A Helm chart at an exact version. */
export interface HelmChartRef {
  /** The Helm repository, e.g. `https://kubernetes.github.io/autoscaler`. */
  readonly repoURL: string;
  /** The chart's name in the repository. */
  readonly chart: string;
  /** The exact chart version (`9.47.0`); a range or `latest` is refused. */
  readonly version: string;
}

/** Options for a {@link HelmApplication}. */
export interface HelmApplicationProps {
  /** The Application's name, a DNS-1123 label (also the Helm release name). */
  readonly name: string;
  /** The chart. */
  readonly chart: HelmChartRef;
  /** The namespace the chart is installed into. The chart does not create it (`CreateNamespace=false`). */
  readonly destinationNamespace: string;
  /** Helm values (`helm.valuesObject`). @default none */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** Argo CD sync wave of the Application, when an app-of-apps applies it. @default none (wave 0) */
  readonly syncWave?: number;
  /** Fields Argo CD ignores (e.g. what a controller writes at run time). @default none */
  readonly ignoreDifferences?: readonly ArgoCdIgnoreDifferences[];
  /** The platform's name, for the `app.kubernetes.io/part-of` label. */
  readonly partOf: string;
}

/** Sync options of every add-on: the chart emits the Namespace itself, with its Pod Security labels. */
export const ADDON_SYNC_OPTIONS: readonly string[] = ['CreateNamespace=false'];

/**
 * An Argo CD Application of one Helm chart: automated sync with prune and self-heal, no namespace creation, retries
 * with backoff (a CRD or webhook of another add-on may not be ready yet on the first attempt), and no
 * `resources-finalizer`: deleting the Application (e.g. turning an add-on off) leaves what it installed in place,
 * so that removing `istio-base` never deletes the Istio CRDs and with them every Istio object of the platform.
 */
export class HelmApplication extends ApiObject {
  /** The Application's name. */
  public readonly name: string;
  /** The Helm chart installed. */
  public readonly helmChart: HelmChartRef;
  /** The namespace the chart is installed into. */
  public readonly destinationNamespace: string;
  /** The Helm values. */
  public readonly values: Readonly<Record<string, unknown>>;
  /** The spec as emitted (typed by `@kubernetes-models/argo-cd`). */
  public readonly spec: ArgoCdApplicationSpec;

  constructor(scope: Construct, id: string, props: HelmApplicationProps) {
    const spec: ArgoCdApplicationSpec = {
      project: props.argoCd.project,
      source: {
        repoURL: props.chart.repoURL,
        chart: props.chart.chart,
        targetRevision: props.chart.version,
        helm: {
          releaseName: props.name,
          ...(props.values ? { valuesObject: props.values } : {}),
        },
      },
      destination: { server: props.argoCd.destinationServer, namespace: props.destinationNamespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [...ADDON_SYNC_OPTIONS, ...(props.ignoreDifferences ? ['RespectIgnoreDifferences=true'] : [])],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
      ...(props.ignoreDifferences ? { ignoreDifferences: props.ignoreDifferences.map((d) => ({ ...d })) } : {}),
    };
    super(scope, id, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: props.argoCd.namespace,
        labels: { [LABEL_PART_OF]: props.partOf, [LABEL_MANAGED_BY]: 'eks-platform-constructs' },
        ...(props.syncWave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave) } } : {}),
      },
      spec,
    });
    const path = this.node.path;
    requireDns1123Label(path, 'name', props.name);
    requireDns1123Label(path, 'destinationNamespace', props.destinationNamespace);
    requireDns1123Label(path, 'argoCd.namespace', props.argoCd.namespace);
    if (!EXACT_VERSION.test(props.chart.version)) {
      throw new ValidationError(path, 'chart.version', props.chart.version, 'allowed: an exact chart version such as 1.30.5 (no range, no latest): Argo CD installs what Git pins');
    }
    if (!/^(https|oci):\/\/[^\s]+$/.test(props.chart.repoURL)) {
      throw new ValidationError(path, 'chart.repoURL', props.chart.repoURL, 'allowed: an https:// or oci:// Helm repository URL');
    }
    this.name = props.name;
    this.helmChart = props.chart;
    this.destinationNamespace = props.destinationNamespace;
    this.values = props.values ?? {};
    this.spec = spec;
  }
}
