/**
 * The Terraform side of `eks-platform synth` in a worker thread (see `synthesizeModule`): the worker loads the
 * platform module itself and synthesizes into a scratch folder while the main thread builds the Kubernetes side;
 * the main thread then waits for it, blocking (the atomic writer is synchronous), and copies the files in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { ValidationError } from '../model/validation';
import type { Violation } from '../policy/gate';
import type { SynthWarning } from './terraform-app';

/** What the worker posts when it is done. */
export type TerraformWorkerResult =
  | { readonly ok: true; readonly files: ReadonlyArray<readonly [string, string]>; readonly warnings: readonly SynthWarning[]; readonly violations: readonly Violation[] }
  | { readonly ok: false; readonly message: string; readonly validation?: { readonly path: string; readonly field: string; readonly value: unknown; readonly allowed: string } };

/** What the worker is started with. */
export interface TerraformWorkerData {
  readonly module: string;
  readonly environments: readonly string[];
  readonly done: Int32Array;
}

/** A running Terraform synth. */
export interface TerraformJob {
  /**
   * Blocks until the worker is done, writes its files into `dir` and returns its warnings and what the gate found in
   * its files (the worker runs the gate's checks over them, while the main thread works); throws its error.
   */
  readonly writeInto: (dir: string) => { readonly warnings: readonly SynthWarning[]; readonly violations: readonly Violation[] };
  /** Ends the worker (when the synth stopped early, or after it was read). */
  readonly stop: () => Promise<void>;
}

/** How long the main thread waits for the worker before it gives up. */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;

/** Starts the worker for a platform module. */
export function startTerraformWorker(module: string, environments: readonly string[]): TerraformJob {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(path.join(__dirname, '_terraform-worker.js'), {
    workerData: { module: path.resolve(module), environments, done, port: port2 },
    transferList: [port2],
    stdout: false,
    stderr: false,
  });
  let exitError: Error | undefined;
  worker.on('error', (err) => {
    exitError = err;
  });
  return {
    writeInto: (dir) => {
      if (Atomics.wait(done, 0, 0, WORKER_TIMEOUT_MS) === 'timed-out') {
        throw new Error(`the Terraform worker did not finish within ${WORKER_TIMEOUT_MS / 60000} minutes`);
      }
      const received = receiveMessageOnPort(port1)?.message as TerraformWorkerResult | undefined;
      if (!received) {
        throw exitError ?? new Error('the Terraform worker ended without a result');
      }
      if (!received.ok) {
        const v = received.validation;
        throw v ? new ValidationError(v.path, v.field, v.value, v.allowed) : new Error(received.message);
      }
      for (const [file, content] of received.files) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), content);
      }
      return { warnings: received.warnings, violations: received.violations };
    },
    stop: async () => {
      port1.close();
      await worker.terminate();
    },
  };
}
