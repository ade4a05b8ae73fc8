/**
 * The Kubernetes side of one environment: a cdk8s App with one {@link PlatformChart}, written as one file,
 * `<outdir>/platform.k8s.yaml`, objects in construct order (namespaces first).
 *
 * One file per chart rather than cdk8s' FILE_PER_RESOURCE: that mode names files `<Kind>.<name>` without the
 * namespace, so two namespaces' `default-deny` NetworkPolicies would silently overwrite each other. One file in a
 * stable order still diffs object by object in review, and GitOps (Argo CD, Flux) applies it as one unit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, type AppProps, Chart, DependencyGraph, YamlOutputType } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { DEFAULT_SCALAR_STYLE_RULES, SCALAR_STYLE, dump, type ScalarStyleRule } from 'js-yaml';
import { GitOpsChart } from '../k8s/gitops/platform-application';
import { withSyncWave, type ManifestWithMetadata } from '../k8s/gitops/sync-waves';
import { FastYamlWriter } from './_yaml-writer';
import { PlatformChart, type PlatformChartProps } from '../k8s/platform-chart';
import { resolveGitOps } from '../model/gitops';
import type { Platform } from '../model/platform';

/** The file an environment's objects are written to, inside its output folder. */
export const KUBERNETES_FILE = 'platform.k8s.yaml';

/** The file of an environment's root Argo CD Application (with `PlatformProps.gitops`), inside its output folder. */
export const GITOPS_FILE = 'argocd.k8s.yaml';

/** The options of a {@link PlatformChart} that are not the model: autoscaling metrics, storage classes, mesh. */
export type PlatformChartOptions = Omit<PlatformChartProps, 'platform' | 'environment'>;

/** Options for {@link buildKubernetesApp}. */
export interface KubernetesAppOptions {
  /** Options of the environment's PlatformChart. @default PlatformChart's defaults */
  readonly chart?: PlatformChartOptions;
  /** Called with the environment's chart once it is built: add objects of your own, or JSON patches. @default nothing */
  readonly extendChart?: (chart: PlatformChart) => void;
}

/** A chart with files to write beside its YAML (runbooks): {@link KubernetesApp} writes them into its folder. */
export interface IChartFiles {
  /** Files relative to the chart's output folder (`.md` or `.txt`: Argo CD applies .yaml, .yml and .json files, never these). */
  readonly extraFiles: ReadonlyArray<{ readonly path: string; readonly text: string }>;
}

/**
 * A cdk8s App that writes one YAML file per chart (`<chart id>.k8s.yaml`) with js-yaml instead of cdk8s' own
 * writer: the same objects in the same order, about four times faster to write (cdk8s' writer was a third of the
 * whole synth). Strings YAML 1.1 readers (kubectl, Argo CD) would take for booleans, numbers or dates are quoted.
 * Validation and dependency ordering are cdk8s' own: every construct's validations run first and throw before
 * anything is written, and construct-level dependencies order the objects.
 */
export class KubernetesApp extends App {
  /**
   * What the last `synth()` wrote: each file (relative to `outdir`) with its text and the objects it was written
   * from, so that the gate can check those objects once it has found the file unchanged, instead of parsing the
   * YAML back (lib/policy/gate.ts, `KnownFiles`).
   */
  public readonly written = new Map<string, { readonly text: string; readonly objects: readonly unknown[] }>();

  constructor(props: Omit<AppProps, 'yamlOutputType'> = {}) {
    super({ recordConstructMetadata: false, outputFileExtension: '.k8s.yaml', ...props, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  }

  /** Validates, orders and writes every chart to `<outdir>/<chart id><outputFileExtension>`. */
  public override synth(): void {
    fs.mkdirSync(this.outdir, { recursive: true });
    const errors = this.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
    if (errors.length > 0) {
      throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
    }
    addApiObjectDependencies(this);
    this.written.clear();
    for (const chart of this.charts) {
      const file = `${chart.node.id}${this.outputFileExtension}`;
      // what Chart.toJson returns, without its second pass of dependency resolution and validation (done above)
      const objects = new DependencyGraph(chart.node).topology()
        .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
        .map((x) => x.toJson() as ManifestWithMetadata)
        // the platform's chart: every object with its Argo CD sync wave, a user's own (extendChart) included
        // (not `instanceof`: cdk8s' Chart answers it with Chart.isChart, true for every chart)
        .map((o) => (PlatformChart.prototype.isPrototypeOf(chart) ? withSyncWave(o) : o));
      const text = stringifyYaml(objects);
      fs.writeFileSync(path.join(this.outdir, file), text, 'utf8');
      this.written.set(file, { text, objects });
      for (const extra of (chart as Partial<IChartFiles>).extraFiles ?? []) {
        if (path.isAbsolute(extra.path) || extra.path.split(/[\\/]/).includes('..') || !/\.(md|txt)$/.test(extra.path)) {
          throw new Error(`${chart.node.path}: extra file ${extra.path} must be a relative .md or .txt path (Argo CD would apply .json and .yaml) inside the chart's folder`);
        }
        fs.mkdirSync(path.dirname(path.join(this.outdir, extra.path)), { recursive: true });
        fs.writeFileSync(path.join(this.outdir, extra.path), extra.text, 'utf8');
      }
    }
  }
}

/**
 * A plain string that starts like a number (`.`, `1.2`, `-1`, `+1`) is double-quoted: YAML 1.1 readers differ on
 * such scalars (a lone `.` is null to some), and Kubernetes tooling reads YAML 1.1.
 */
const quoteNumberLike: ScalarStyleRule = (layout) => {
  if (layout.style === SCALAR_STYLE.PLAIN && !layout.isKey && layout.node.tag === 'tag:yaml.org,2002:str' && /^[.+\-0-9]/.test(layout.node.value)) {
    layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
  }
};

const { fallbackToDoubleQuoted, ...rules } = DEFAULT_SCALAR_STYLE_RULES;
const SCALAR_STYLE_RULES: readonly ScalarStyleRule[] = [...Object.values(rules), quoteNumberLike, fallbackToDoubleQuoted];

/** One object (or scalar) as js-yaml writes it with the platform's options. */
function dumpOne(value: unknown): string {
  return dump(value, { noRefs: true, lineWidth: -1, quoteStyle: 'double', scalarStyleRules: SCALAR_STYLE_RULES });
}

/** js-yaml's text, written directly for the usual objects (see _yaml-writer.ts); shared, so its scalar cache is too. */
const writer = new FastYamlWriter(dumpOne);

/** Kubernetes objects as a multi-document YAML text, as {@link KubernetesApp} writes them. */
export function stringifyYaml(objects: readonly unknown[]): string {
  return objects.map((o) => writer.write(o)).join('---\n');
}

/** {@link stringifyYaml} through js-yaml alone, object by object: what the fast path must equal (tests). */
export function stringifyYamlSlowly(objects: readonly unknown[]): string {
  return objects.map(dumpOne).join('---\n');
}

/**
 * What cdk8s' `App.synth` does before it writes: a dependency between two constructs becomes a dependency of every
 * ApiObject below the one on every ApiObject below the other (in the same chart), so that `Chart.toJson` orders
 * them (a namespace before what is applied into it).
 */
function addApiObjectDependencies(app: App): void {
  const apiObjectsBelow = (c: IConstruct, chart: Chart) => c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
  for (const source of app.node.findAll()) {
    for (const target of source.node.dependencies) {
      const sourceChart = Chart.of(source);
      const targetChart = Chart.of(target);
      if (sourceChart !== targetChart) {
        sourceChart.node.addDependency(targetChart);
      }
      const targets = apiObjectsBelow(target, targetChart);
      for (const s of apiObjectsBelow(source, sourceChart)) {
        for (const t of targets) {
          if (s !== t) {
            s.node.addDependency(t);
          }
        }
      }
    }
  }
}

/**
 * Builds the cdk8s App of one environment; `app.synth()` writes only into `outdir`
 * (validations, including the namespace quota checks, run first and throw before anything is written).
 */
export function buildKubernetesApp(platform: Platform, environmentName: string, outdir: string, options: KubernetesAppOptions = {}): KubernetesApp {
  const app = new KubernetesApp({ outdir });
  const chart = new PlatformChart(app, 'platform', { ...options.chart, platform, environment: environmentName });
  const gitops = resolveGitOps(platform.gitops, platform.environment(environmentName));
  if (gitops !== undefined) {
    // the root of the environment's app of apps, in a file of its own (GITOPS_FILE): applied once to bootstrap
    new GitOpsChart(app, GITOPS_FILE.replace(/\.k8s\.yaml$/, ''), { platformName: platform.name, environment: environmentName, gitops, argoCd: chart.addons.argoCd });
  }
  options.extendChart?.(chart);
  return app;
}
