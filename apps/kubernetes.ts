/**
 * The Kubernetes YAML of one environment: a cdk8s App with one PlatformChart, written as one file,
 * `<outdir>/platform.k8s.yaml`, objects in construct order (namespaces first).
 *
 * One file per chart rather than cdk8s' FILE_PER_RESOURCE: that mode names files `<Kind>.<name>` without the
 * namespace, so two namespaces' `default-deny` NetworkPolicies would silently overwrite each other. One file in a
 * stable order still diffs object by object in review, and GitOps (Argo CD, Flux) applies it as one unit.
 */
import { App, YamlOutputType } from 'cdk8s';
import { PlatformChart } from '../lib/k8s/platform-chart';
import type { Platform } from '../lib/model/platform';

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
