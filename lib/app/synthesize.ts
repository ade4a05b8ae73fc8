/**
 * The main job, as one function: every selected environment of a platform, both worlds, written atomically
 * through the gate. `eks-platform synth`, `npm run synth`, `cdktf synth|deploy` (through `cdktf.json`) and
 * `cdk8s synth` (through `cdk8s.yaml`) all end here, so the same checks run whichever way a user synthesizes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlatformStack } from '../aws/platform-stack';
import type { PlatformChart } from '../k8s/platform-chart';
import type { Violation } from '../policy/gate';
import type { Platform } from '../model/platform';
import { GitOpsSync, resolveGitOps, type ResolvedGitOps } from '../model/gitops';
import { SecretOwnerKind, secretValuesPrerequisite } from '../model/secrets';
import { writeAtomically, type OutputTarget } from '../synth';
import { startTerraformWorker } from './_terraform-worker-client';
import { selectEnvironments } from './environments';
import type { PlatformChartOptions } from './kubernetes-app';
import { loadPlatformModule, UsageError } from './load-platform';
import { PLATFORM_PICTURE_FILE, platformPicture } from './platform-picture';
import type { SynthWarning } from './terraform-app';

export type { SynthWarning } from './terraform-app';
export { selectEnvironments } from './environments';

/** Which world a synth writes. */
export type SynthWorld = 'terraform' | 'kubernetes';

/**
 * What a platform module may export beside its Platform (as `synthOptions`), and what {@link synthesize} takes
 * besides where to write: options of the charts, and hooks that add a user's own objects.
 */
export interface PlatformSynthOptions {
  /** Options of every environment's PlatformChart (autoscaling metrics, storage classes, mesh). @default PlatformChart's defaults */
  readonly chart?: PlatformChartOptions;
  /** Called with each environment's Terraform stack once it is built: add resources of your own, or overrides. @default nothing */
  readonly extendStack?: (stack: PlatformStack) => void;
  /** Called with each environment's chart once it is built: add objects of your own, or JSON patches. @default nothing */
  readonly extendChart?: (chart: PlatformChart) => void;
}

/** Where a synth writes, and what. */
export interface SynthesizeTargetOptions {
  /** The environments to synthesize; an unknown name fails before anything is written. @default every environment */
  readonly environments?: readonly string[];
  /** The folder that holds `cdktf.out/` and `dist/`, and the synth's state folder `.eks-platform/`. @default the current folder */
  readonly outdir?: string;
  /** Synthesize one world only. @default both */
  readonly only?: SynthWorld;
  /**
   * The Terraform output folder (it gets `manifest.json` and `stacks/<env>/cdk.tf.json`).
   * @default `$CDKTF_OUTDIR` when set (the cdktf CLI sets it), else `<outdir>/cdktf.out`
   */
  readonly terraformOutdir?: string;
  /**
   * The Kubernetes output folder (it gets one folder per environment).
   * @default `$CDK8S_OUTDIR` when set (the cdk8s CLI sets it), else `<outdir>/dist`
   */
  readonly kubernetesOutdir?: string;
}

/** Options for {@link synthesize}. */
export interface SynthesizeOptions extends PlatformSynthOptions, SynthesizeTargetOptions {}

/** What a synth did. */
export interface SynthesisResult {
  /** The environments synthesized, in the platform's order. */
  readonly environments: readonly string[];
  /** The output folders replaced, as given (Terraform first, then one per environment). */
  readonly written: readonly string[];
  /** Warnings of the constructs: the command prints them. */
  readonly warnings: readonly SynthWarning[];
}

/** The file, in each environment's Kubernetes folder, that lists what the environment expects to exist beforehand. */
export const PREREQUISITES_FILE = 'PREREQUISITES.md';

/** What an environment expects beforehand beyond the cluster-wide prerequisites: principals and names the output uses. */
export function environmentPrerequisites(platform: Platform, environment: string): string[] {
  const env = platform.environment(environment);
  const out = [
    `**Terraform state**: the S3 bucket of the stack's backend (see \`terraform.backend\` in \`cdktf.out/stacks/${env.name}/cdk.tf.json\`), in account ${env.accountId}.`,
  ];
  for (const arn of env.clusterAdminRoleArns ?? []) {
    out.push(`**Admin role** \`${arn}\`: it gets cluster-admin access; IAM must have it before \`terraform apply\`.`);
  }
  const gitops = resolveGitOps(platform.gitops, env);
  if (gitops !== undefined) {
    out.push(...gitopsPrerequisites(gitops));
  }
  if (platform.observability) {
    const { OBSERVABILITY_PREREQUISITES } = require('../policy/closure') as typeof import('../policy/closure');
    out.push(...OBSERVABILITY_PREREQUISITES);
  }
  const publicHosts = [...new Set(platform.services.flatMap((s) => s.public?.hosts ?? []))].sort();
  if (publicHosts.length > 0) {
    out.push(`**Public DNS and TLS**: DNS records of ${publicHosts.map((h) => `\`${h}\``).join(', ')} pointing at the ingress gateway's load balancer, and the gateway's TLS secret (see the Gateway's \`credentialName\`).`);
  }
  // the values of the services' own secrets (data stores' credentials are generated by Terraform)
  const ownSecrets = platform.services.flatMap((s) => platform.secretsOf(env, s)).filter((s) => s.owner === SecretOwnerKind.SERVICE).map((s) => s.secretsManagerName);
  if (ownSecrets.length > 0) {
    out.push(secretValuesPrerequisite(ownSecrets, env.region));
  }
  return out;
}

/** What Argo CD needs beforehand to sync an environment's folder as the platform's app of apps (docs/gitops.md). */
function gitopsPrerequisites(gitops: ResolvedGitOps): string[] {
  return [
    `**Argo CD bootstrap**: Argo CD reads \`${gitops.repoURL}\` at \`${gitops.revision}\` (give it a repository Secret when the repository is private); apply \`${gitops.path}/argocd.k8s.yaml\` once (\`kubectl apply -f ${gitops.path}/argocd.k8s.yaml\`): its Application then syncs \`${gitops.path}\`, itself and the add-ons' Applications included, ${gitops.sync === GitOpsSync.AUTOMATED ? 'automatically (prune and self-heal)' : 'when a person presses Sync (manual sync)'}.`,
    '**The add-ons\' Secrets before the first sync**: create the namespaces and Secrets the other prerequisites name (alerting, Grafana admin, log shipping) before applying `argocd.k8s.yaml`; otherwise the monitoring and logging Applications never become healthy and the later waves wait.',
    '**Argo CD health check for Applications**: `resource.customizations.health.argoproj.io_Application` in `argocd-cm` (the Lua check of Argo CD\'s "sync waves and app of apps" documentation); without it the sync waves do not wait for the add-ons\' Applications to be healthy, and the first sync of a new cluster applies the mesh\'s, monitoring\'s and backups\' objects before their CRDs exist (the root Application retries without limit, with backoff, until they do).',
  ];
}

/** The folder, inside the output folder, where a synth keeps its lock and journal (see lib/synth.ts). */
export const STATE_FOLDER = '.eks-platform';

/** The Terraform and Kubernetes output folders of a synth, and its state folder. */
export function outputFolders(options: Pick<SynthesizeTargetOptions, 'outdir' | 'terraformOutdir' | 'kubernetesOutdir'> = {}): { readonly terraform: string; readonly kubernetes: string; readonly state: string } {
  const outdir = options.outdir ?? '.';
  return {
    terraform: options.terraformOutdir ?? process.env.CDKTF_OUTDIR ?? path.join(outdir, 'cdktf.out'),
    kubernetes: options.kubernetesOutdir ?? process.env.CDK8S_OUTDIR ?? path.join(outdir, 'dist'),
    state: path.join(outdir, STATE_FOLDER),
  };
}

/**
 * Synthesizes the selected environments of `platform`: Terraform JSON (one stack per environment) and Kubernetes
 * YAML (one folder per environment). Everything is written to temporary folders and checked by the gate first;
 * only when all of it passed does it replace the previous output, all folders together (crash-safe, see
 * lib/synth.ts). A refused platform or output throws and changes nothing on disk.
 */
export function synthesize(platform: Platform, options: SynthesizeOptions = {}): SynthesisResult {
  return run(platform, options);
}

/**
 * Loads a platform module ({@link loadPlatformModule}) and synthesizes it with its `synthOptions` (what `eks-platform
 * synth` does). With both worlds, the Terraform side is built in a worker thread that loads the module too, while
 * this thread builds the Kubernetes side: the same output as {@link synthesize}, in about half the time on two cores.
 * Throws a {@link UsageError} for a missing module or an environment the platform does not have.
 */
export async function synthesizeModule(file: string, options: SynthesizeTargetOptions = {}): Promise<SynthesisResult> {
  const worker = options.only === undefined ? startTerraformWorker(file, options.environments ?? []) : undefined;
  try {
    const { platform, options: moduleOptions } = await loadPlatformModule(file);
    try {
      selectEnvironments(platform, options.environments);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    return run(platform, { ...moduleOptions, ...options }, worker?.writeInto);
  } finally {
    await worker?.stop();
  }
}

/** Writes the Terraform side into a folder; returns its warnings and what the gate found in it. */
type TerraformWriter = (dir: string) => { readonly warnings: readonly SynthWarning[]; readonly violations: readonly Violation[] };

/*
 * The two worlds' constructs are required where they are used, not at the top: importing cdktf takes about 0.25 s
 * and cdk8s about 0.1 s, and `synthesizeModule` starts its Terraform worker before either is loaded.
 */
function run(platform: Platform, options: SynthesizeOptions, writeTerraform?: TerraformWriter): SynthesisResult {
  const { buildKubernetesApp } = require('./kubernetes-app') as typeof import('./kubernetes-app');
  const { checkTarget, refuseViolations } = require('../policy/gate') as typeof import('../policy/gate');
  const { checkClosure, prerequisitesText } = require('../policy/closure') as typeof import('../policy/closure');
  const environments = selectEnvironments(platform, options.environments);
  const folders = outputFolders(options);
  const warnings: SynthWarning[] = [];
  // the root Applications read <gitops.path>/<env>: a folder named otherwise than the one written is read by no one
  if (platform.gitops !== undefined && options.only !== 'terraform' && path.basename(path.resolve(folders.kubernetes)) !== path.posix.basename(platform.gitops.path === '.' ? path.resolve(folders.kubernetes) : platform.gitops.path)) {
    warnings.push({ path: `Platform(${platform.name})`, message: `gitops.path is ${JSON.stringify(platform.gitops.path)}, but this synth writes the environments' folders into ${JSON.stringify(path.basename(path.resolve(folders.kubernetes)))}: Argo CD reads <gitops.path>/<env> of the repository, so commit the output there (--outdir, CDK8S_OUTDIR) or set gitops.path to the folder you commit` });
  }
  // each folder is checked by the gate as soon as it is written (the Kubernetes side while the Terraform worker
  // still runs); the gate refuses them all together before anything is swapped in
  const violations = new Map<string, readonly Violation[]>();
  const targets: OutputTarget[] = [];
  const kubernetesObjects = new Map<string, readonly unknown[]>();
  // the gate runs the Istio analysis over the written files; the chart need not run it a second time
  const chart: PlatformChartOptions = { ...options.chart, mesh: { analyze: false, ...options.chart?.mesh } };
  if (options.only !== 'kubernetes') {
    targets.push({
      dir: folders.terraform,
      write: (tmp) => {
        if (writeTerraform) {
          const done = writeTerraform(tmp);
          warnings.push(...done.warnings);
          violations.set(folders.terraform, done.violations.map((v) => ({ ...v, where: `${folders.terraform}: ${v.where}` })));
          return;
        }
        (require('./_cdktf-startup') as typeof import('./_cdktf-startup')).deferArchiver();
        const { synthesizeTerraform } = require('./terraform-app') as typeof import('./terraform-app');
        warnings.push(...synthesizeTerraform(platform, tmp, { environments, extendStack: options.extendStack, registry: options.environments === undefined || options.environments.length === 0 }));
        violations.set(folders.terraform, checkTarget(folders.terraform, tmp));
      },
    });
  }
  if (options.only !== 'terraform') {
    for (const name of environments) {
      const dir = path.join(folders.kubernetes, name);
      targets.push({
        dir,
        write: (tmp) => {
          const app = buildKubernetesApp(platform, name, tmp, { chart, extendChart: options.extendChart });
          app.synth();
          fs.writeFileSync(path.join(tmp, PREREQUISITES_FILE), prerequisitesText(name, environmentPrerequisites(platform, name)));
          fs.writeFileSync(path.join(tmp, PLATFORM_PICTURE_FILE), platformPicture(platform, name));
          kubernetesObjects.set(name, [...app.written.values()].flatMap((f) => f.objects));
          violations.set(dir, checkTarget(dir, tmp, app.written));
        },
      });
    }
  }
  // with a worker, its result is awaited last, after this thread wrote the Kubernetes side
  const order = writeTerraform ? [...targets.slice(1), targets[0]] : targets;
  writeAtomically(order, {
    gate: (written) => {
      const all = targets.flatMap((t) => violations.get(t.dir) ?? []);
      // across the two worlds of each environment, when this synth wrote both
      const terraformDir = written.get(folders.terraform);
      if (terraformDir !== undefined) {
        for (const [name, objects] of kubernetesObjects) {
          const stack = JSON.parse(fs.readFileSync(path.join(terraformDir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as Record<string, unknown>;
          all.push(...checkClosure(name, stack, objects));
        }
      }
      refuseViolations(all);
    },
    stateDir: folders.state,
  });
  return { environments, written: targets.map((t) => t.dir), warnings };
}
