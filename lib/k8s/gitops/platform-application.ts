/**
 * The Argo CD Application of an environment's own folder (`dist/<env>/`): the root of the environment's app of apps.
 * It syncs the folder, and with it the add-ons' Applications the folder holds, which Argo CD then syncs as its
 * children. It lives in a file of its own (`argocd.k8s.yaml`) inside that folder, so that it is applied once by hand
 * to bootstrap (`kubectl apply -f dist/<env>/argocd.k8s.yaml`) and manages itself from then on.
 */
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application' with { 'resolution-mode': 'import' };
import { ApiObject, Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { GitOpsSync, type ResolvedGitOps } from '../../model/gitops';
import { LABEL_MANAGED_BY, LABEL_PART_OF } from '../../model/names';
import { requireDns1123Label } from '../../model/validation';
import type { ArgoCdApplicationSpec, ResolvedArgoCdOptions } from '../addons/argo-cd-application';

/**
 * Sync options of the root Application. `SkipDryRunOnMissingResource`: Argo CD dry-runs the whole folder before the
 * first wave, when the add-ons have not installed the CRDs of the mesh's, monitoring's and backups' objects yet; without
 * it the first sync of a new cluster fails. `PruneLast`: objects removed from Git go after every wave applied.
 */
export const PLATFORM_APPLICATION_SYNC_OPTIONS: readonly string[] = ['SkipDryRunOnMissingResource=true', 'PruneLast=true', 'CreateNamespace=false'];

/** The root Application's own sync wave: after the platform's last (SyncWave.WORKLOADS). */
export const ROOT_APPLICATION_WAVE = 10;

/** Options for a {@link PlatformApplication}. */
export interface PlatformApplicationProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment's name. */
  readonly environment: string;
  /** The environment's resolved GitOps settings (`resolveGitOps`). */
  readonly gitops: ResolvedGitOps;
  /** Where Argo CD runs and what it deploys to (the add-ons' settings). */
  readonly argoCd: ResolvedArgoCdOptions;
}

/** The name of an environment's root Application, `<platform>-<env>`. */
export function platformApplicationName(platformName: string, environment: string): string {
  return `${platformName}-${environment}`;
}

/**
 * An environment's root Application: the folder `<gitops.path>/<env>` of `gitops.repoURL` at the environment's
 * revision, its YAML files only (the runbooks and the Markdown pages beside them are never applied), into the
 * environment's own cluster. Automated sync with prune and self-heal, or manual (`GitOpsSync.MANUAL`): a person
 * syncs, Argo CD shows the drift until then. No `resources-finalizer`: deleting the Application leaves the platform
 * running.
 */
export class PlatformApplication extends ApiObject {
  /** The Application's name. */
  public readonly name: string;
  /** The spec as emitted (typed by `@kubernetes-models/argo-cd`). */
  public readonly spec: ArgoCdApplicationSpec;

  constructor(scope: Construct, id: string, props: PlatformApplicationProps) {
    const name = platformApplicationName(props.platformName, props.environment);
    const g = props.gitops;
    const spec: IApplication['spec'] = {
      project: props.argoCd.project,
      source: {
        repoURL: g.repoURL,
        targetRevision: g.revision,
        path: g.path,
        directory: { recurse: false, include: '*.yaml' },
      },
      destination: { server: props.argoCd.destinationServer, namespace: props.argoCd.namespace },
      syncPolicy: {
        ...(g.sync === GitOpsSync.AUTOMATED ? { automated: { prune: true, selfHeal: true } } : {}),
        syncOptions: [...PLATFORM_APPLICATION_SYNC_OPTIONS],
        // retried until the add-ons' CRDs and webhooks are there: a failed first sync is not retried by automated sync
        retry: { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    };
    super(scope, id, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        namespace: props.argoCd.namespace,
        labels: { [LABEL_PART_OF]: props.platformName, [LABEL_MANAGED_BY]: 'eks-platform-constructs' },
        // after every wave of the folder it syncs: Argo CD does not wait on the health of the last wave, so the root
        // never waits on itself (its health is that of its own sync)
        annotations: { 'argocd.argoproj.io/sync-wave': String(ROOT_APPLICATION_WAVE) },
      },
      spec,
    });
    requireDns1123Label(this.node.path, 'name', name);
    this.name = name;
    this.spec = spec;
  }
}

/** Options for a {@link GitOpsChart}. */
export interface GitOpsChartProps extends ChartProps, PlatformApplicationProps {}

/** The chart of an environment's root Application, written as `argocd.k8s.yaml` beside the platform's YAML. */
export class GitOpsChart extends Chart {
  /** The root Application. */
  public readonly application: PlatformApplication;

  constructor(scope: Construct, id: string, props: GitOpsChartProps) {
    super(scope, id, props);
    this.application = new PlatformApplication(this, 'Application', props);
  }
}
