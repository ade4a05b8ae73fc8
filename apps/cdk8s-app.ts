/**
 * The entry `cdk8s.yaml` names: synthesizes every environment of the reference platform into `dist/<env>/`,
 * atomically (all environments are written and checked before any folder is replaced).
 */
import * as path from 'node:path';
import { writeAtomically } from '../lib/synth';
import { buildKubernetesApp, kubernetesGate } from './kubernetes';
import { platform } from './platform';

/** Writes `dist/<env>/` for every environment of the platform below `root`. */
export function synthKubernetes(root: string): void {
  writeAtomically(
    platform.environments.map((env) => ({
      dir: path.join(root, 'dist', env.name),
      write: (tmp: string) => buildKubernetesApp(platform, env.name, tmp).synth(),
    })),
    { gate: kubernetesGate },
  );
}

if (require.main === module) {
  synthKubernetes(path.resolve(__dirname, '..', '..'));
}
