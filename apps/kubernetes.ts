/**
 * The Kubernetes YAML of one environment: a cdk8s App with one PlatformChart, written as one file,
 * `<outdir>/platform.k8s.yaml`, objects in construct order (namespaces first).
 *
 * One file per chart rather than cdk8s' FILE_PER_RESOURCE: that mode names files `<Kind>.<name>` without the
 * namespace, so two namespaces' `default-deny` NetworkPolicies would silently overwrite each other. One file in a
 * stable order still diffs object by object in review, and GitOps (Argo CD, Flux) applies it as one unit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Yaml, YamlOutputType } from 'cdk8s';
import { PlatformChart } from '../lib/k8s/platform-chart';
import type { Platform } from '../lib/model/platform';
import { checkPodSecurity, formatViolation, type KubernetesObject } from '../lib/policy/pod-security';

/** The file an environment's objects are written to, inside its output folder. */
export const KUBERNETES_FILE = 'platform.k8s.yaml';

/**
 * Builds the cdk8s App of one environment; `app.synth()` writes only into `outdir`
 * (validations, including the namespace quota checks, run first and throw before anything is written).
 */
export function buildKubernetesApp(platform: Platform, environmentName: string, outdir: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml', recordConstructMetadata: false });
  new PlatformChart(app, 'platform', { platform, environment: environmentName });
  return app;
}

/** Reads every object of the YAML files in a folder (sorted by file name). */
export function readObjects(dir: string): KubernetesObject[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => Yaml.load(path.join(dir, f)) as KubernetesObject[])
    .filter((o) => o !== null && typeof o === 'object');
}

/**
 * The gate for `writeAtomically`: refuses the output if any pod template in any written folder breaks the
 * Pod Security Standard "restricted" or the platform's own rules.
 */
export function kubernetesGate(written: ReadonlyMap<string, string>): void {
  const problems: string[] = [];
  for (const [dir, tmp] of [...written].sort(([a], [b]) => a.localeCompare(b))) {
    for (const v of checkPodSecurity(readObjects(tmp))) {
      problems.push(`${dir}: ${formatViolation(v)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Pod security gate refused the Kubernetes output:\n  ${problems.join('\n  ')}`);
  }
}
