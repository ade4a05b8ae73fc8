/**
 * The cdktf app of a platform: one PlatformStack per environment, named after it (`dev`, `staging`, `prod`).
 */
import { App } from 'cdktf';
import { PlatformStack } from '../lib/aws/platform-stack';
import { addBackups } from './backups';
import type { Platform } from '../lib/model/platform';

/**
 * Builds the cdktf app with one stack per environment.
 * @param environmentNames the environments to build; an unknown name throws. @default every environment of the platform
 */
export function buildTerraformApp(platform: Platform, outdir: string, environmentNames?: readonly string[]): App {
  const names = environmentNames ?? platform.environments.map((e) => e.name);
  // resolve every name first so that an unknown one fails before anything is built
  const environments = names.map((name) => platform.environment(name));
  const app = new App({ outdir, skipValidation: false });
  for (const environment of environments) {
    addBackups(new PlatformStack(app, environment.name, { platform, environment }), platform, environment);
  }
  return app;
}
