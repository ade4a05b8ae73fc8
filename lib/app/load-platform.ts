/**
 * Loads a platform module for the `eks-platform` command: a `.js`, `.cjs`, `.mjs`, `.ts`, `.cts` or `.mts` file
 * whose default export, or export named `platform`, is a {@link Platform}; it may also export `synthOptions`
 * ({@link PlatformSynthOptions}).
 *
 * TypeScript is transpiled, not type-checked (type-check in your tests or CI with `tsc --noEmit`), with Sucrase
 * (a dependency: types removed, imports turned into CommonJS; about six times faster to load than `typescript`). Transpiled files are cached by content in
 * `node_modules/.cache/eks-platform-constructs/` of the nearest package, so an unchanged module costs no
 * compiler at all. A process that already has a TypeScript loader (tsx, ts-node) keeps it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { Platform } from '../model/platform';
import type { PlatformSynthOptions } from './synthesize';

/** A platform module, loaded. */
export interface LoadedPlatform {
  /** The platform it exports. */
  readonly platform: Platform;
  /** Its `synthOptions` export. @default {} */
  readonly options: PlatformSynthOptions;
}

/** An error in how the command was called (exit code 2): a missing file, a module that exports no Platform. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const TS_EXTENSIONS = ['.ts', '.cts', '.mts'];
const JS_EXTENSIONS = ['.js', '.cjs', '.mjs'];

/** Loads `file` (relative to the current folder) and returns its Platform. */
export async function loadPlatformModule(file: string): Promise<LoadedPlatform> {
  const abs = path.resolve(file);
  const ext = path.extname(abs);
  if (![...TS_EXTENSIONS, ...JS_EXTENSIONS].includes(ext)) {
    throw new UsageError(`platform module ${file}: allowed: a ${[...JS_EXTENSIONS, ...TS_EXTENSIONS].join(', ')} file`);
  }
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
    throw new UsageError(`platform module ${file}: no such file`);
  }
  if (TS_EXTENSIONS.includes(ext)) {
    registerTypeScript(abs);
  }
  const mod = ext === '.mjs' ? await import(pathToFileURL(abs).href) as Record<string, unknown> : await requireOrImport(abs);
  return pick(file, mod);
}

async function requireOrImport(abs: string): Promise<Record<string, unknown>> {
  try {
    return require(abs) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM') {
      return await import(pathToFileURL(abs).href) as Record<string, unknown>;
    }
    throw err;
  }
}

function pick(file: string, mod: Record<string, unknown>): LoadedPlatform {
  const defaultExport = mod.default as Record<string, unknown> | undefined;
  const candidates = [mod.platform, defaultExport, defaultExport?.platform];
  const platform = candidates.find((c) => c instanceof Platform) as Platform | undefined;
  if (!platform) {
    const foreign = candidates.find((c) => c !== null && typeof c === 'object' && (c as { constructor?: { name?: string } }).constructor?.name === 'Platform');
    throw new UsageError(foreign
      ? `platform module ${file}: its Platform comes from another copy of eks-platform-constructs than the command's; install one version (npm ls eks-platform-constructs)`
      : `platform module ${file}: allowed: a module whose default export, or export named platform, is a Platform (new Platform({...}))`);
  }
  const options = (mod.synthOptions ?? defaultExport?.synthOptions ?? {}) as PlatformSynthOptions;
  return { platform, options };
}

/** The `require.extensions` hook type of node's CommonJS loader. */
type CompileHook = (module: NodeJS.Module & { _compile(code: string, filename: string): void }, filename: string) => void;
type ExtensionTable = Record<string, CompileHook | undefined>;

/** Sucrase's transform, loaded on the first TypeScript file (about 0.1 s; the typescript package takes 0.6 s). */
type Transform = (code: string, options: { transforms: string[]; filePath: string; production: boolean; disableESTransforms: boolean }) => { code: string };

function registerTypeScript(moduleFile: string): void {
  const extensions = (Module as unknown as { _extensions: ExtensionTable })._extensions;
  if (extensions['.ts']) {
    return; // tsx, ts-node or an earlier call registered one
  }
  const cacheDir = cacheFolder(moduleFile);
  let transform: Transform | undefined;
  const hook: CompileHook = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const key = createHash('sha256').update(`${TRANSPILER}\0${filename}\0${source}`).digest('hex');
    const cached = cacheDir ? path.join(cacheDir, `${key}.js`) : undefined;
    if (cached && fs.existsSync(cached)) {
      module._compile(fs.readFileSync(cached, 'utf8'), filename);
      return;
    }
    transform ??= (require('sucrase') as { transform: Transform }).transform;
    // types removed, imports and exports turned into CommonJS (so `eks-platform-constructs` resolves as a require)
    const output = transform(source, { transforms: ['typescript', 'imports'], filePath: filename, production: true, disableESTransforms: true }).code;
    if (cached) {
      writeCacheFile(cached, output);
    }
    module._compile(output, filename);
  };
  for (const ext of TS_EXTENSIONS) {
    extensions[ext] = hook;
  }
}

/** Part of the cache key: a new transpiler (or options) never reuses files of the old. */
const TRANSPILER = 'sucrase-3/typescript,imports';

/** `node_modules/.cache/eks-platform-constructs/ts` of the nearest folder with a `node_modules`, or none. */
function cacheFolder(moduleFile: string): string | undefined {
  for (let dir = path.dirname(moduleFile); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) {
      return path.join(dir, 'node_modules', '.cache', 'eks-platform-constructs', 'ts');
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}

function writeCacheFile(file: string, content: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}-${threadId}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch {
    // a read-only node_modules only costs the next run a transpilation
  }
}
