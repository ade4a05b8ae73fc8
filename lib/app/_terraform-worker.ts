/**
 * The worker thread of {@link startTerraformWorker}: loads the platform module, synthesizes the Terraform side into
 * a scratch folder, posts the files and warnings (or the error), then signals the waiting main thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type MessagePort, workerData } from 'node:worker_threads';
import { ValidationError } from '../model/validation';
import { checkFolder } from '../policy/gate';
import { listFiles } from '../synth';
import type { TerraformWorkerResult } from './_terraform-worker-client';
import { loadPlatformModule } from './load-platform';
import { selectEnvironments } from './environments';
import { deferArchiver, skipTokenStackTraces } from './_cdktf-startup';

const data = workerData as { module: string; environments: string[]; done: Int32Array; port: MessagePort };

// before cdktf loads (terraform-app below): it would load its zip library for assets the stacks never have
deferArchiver();
skipTokenStackTraces();
const { synthesizeTerraform } = require('./terraform-app') as typeof import('./terraform-app');

async function main(): Promise<TerraformWorkerResult> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-platform-terraform-'));
  try {
    const { platform, options } = await loadPlatformModule(data.module);
    const environments = selectEnvironments(platform, data.environments);
    // every environment (none named): the registry's own stack too
    const warnings = synthesizeTerraform(platform, scratch, { environments, extendStack: options.extendStack, registry: data.environments.length === 0 });
    const files = listFiles(scratch).map((f) => [f, fs.readFileSync(path.join(scratch, f), 'utf8')] as const);
    // the gate's rules over exactly these files, here while the main thread builds the Kubernetes side
    return { ok: true, files, warnings, violations: checkFolder(scratch) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main()
  .catch((err: unknown): TerraformWorkerResult => ({
    ok: false,
    message: err instanceof Error ? err.message : String(err),
    validation: err instanceof ValidationError ? { path: err.path, field: err.field, value: err.value, allowed: err.allowed } : undefined,
  }))
  .then((result) => {
    data.port.postMessage(result);
    Atomics.store(data.done, 0, 1);
    Atomics.notify(data.done, 0);
  });
