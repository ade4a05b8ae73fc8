/**
 * The Terraform side of a platform: a cdktf App with one {@link PlatformStack} per environment, named after it.
 */
import { AnnotationMetadataEntryType, App } from 'cdktf';
import type { IConstruct } from 'constructs';
import { PlatformStack } from '../aws/platform-stack';
import { REGISTRY_STACK, RegistryStack } from '../aws/registry-stack';
import type { Platform } from '../model/platform';

/** Options for {@link buildTerraformApp}. */
export interface TerraformAppOptions {
  /**
   * The environments to build; an unknown name throws before anything is built. With every environment, a registry
   * in an account of its own (no environment's) gets its stack too, named `registry`.
   * @default every environment of the platform
   */
  readonly environments?: readonly string[];
  /** Called with each environment's stack once it is built: add resources of your own, or overrides. @default nothing */
  readonly extendStack?: (stack: PlatformStack) => void;
  /**
   * Build the `registry` stack when the platform's registry is in an account of its own.
   * @default true when `environments` is not given (a synth of every environment)
   */
  readonly registry?: boolean;
}

/**
 * Builds the cdktf App of a platform, writing into `outdir` when synthesized. Stack traces are kept out of the
 * construct metadata, so that `manifest.json` holds no paths of the machine that synthesized it.
 */
export function buildTerraformApp(platform: Platform, outdir: string, options: TerraformAppOptions = {}): App {
  const names = options.environments ?? platform.environments.map((e) => e.name);
  // resolve every name first so that an unknown one fails before anything is built
  const environments = names.map((name) => platform.environment(name));
  const app = new App({ outdir, skipValidation: false, stackTraces: false });
  for (const environment of environments) {
    const stack = new PlatformStack(app, environment.name, { platform, environment });
    options.extendStack?.(stack);
  }
  // a registry in an account of its own gets a stack of its own, synthesized with all environments
  if ((options.registry ?? options.environments === undefined) && platform.registryEnvironment() === undefined) {
    new RegistryStack(app, REGISTRY_STACK, { platform });
  }
  return app;
}

/** A warning raised while synthesizing (e.g. a lifecycle rule AWS bills early deletion for). */
export interface SynthWarning {
  /** The construct path that raised it. */
  readonly path: string;
  /** What it says. */
  readonly message: string;
}

/** Builds and synthesizes the Terraform side into `outdir`; returns the constructs' warnings. */
export function synthesizeTerraform(platform: Platform, outdir: string, options: TerraformAppOptions = {}): SynthWarning[] {
  const app = buildTerraformApp(platform, outdir, options);
  app.synth();
  return warningsOf(app);
}

/** The cdktf warnings of every construct below `root`, in construct order, each once. */
export function warningsOf(root: IConstruct): SynthWarning[] {
  const seen = new Set<string>();
  const out: SynthWarning[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type === AnnotationMetadataEntryType.WARN) {
        const w = { path: c.node.path, message: String(entry.data) };
        const key = `${w.path}\n${w.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(w);
        }
      }
    }
  }
  return out;
}
