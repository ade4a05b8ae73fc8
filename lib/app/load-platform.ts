/**
 * Loads a platform module for the `eks-platform` command: a `.js`, `.cjs`, `.mjs`, `.ts`, `.cts` or `.mts` file
 * whose default export, or export named `platform`, is a {@link Platform}; it may also export `synthOptions`
 * ({@link PlatformSynthOptions}).
 *
 * TypeScript is transpiled, not type-checked (type-check in your tests or CI with `tsc --noEmit`), with the
 * `typescript` package of the user's project, into CommonJS. Transpiled files are cached by content in
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

/** Loaded once per process: the project's `typescript`, resolved from the platform module's folder. */
interface TypeScriptApi {
  readonly version: string;
  transpileModule(input: string, options: { compilerOptions: Record<string, unknown>; fileName: string }): { outputText: string };
}

/** Compiler options of the transpilation: CommonJS, so `import ... from 'eks-platform-constructs'` resolves as `require`. */
const COMPILER_OPTIONS = { module: 1 /* CommonJS */, target: 9 /* ES2022 */, esModuleInterop: true, verbatimModuleSyntax: false };

function registerTypeScript(moduleFile: string): void {
  const extensions = (Module as unknown as { _extensions: ExtensionTable })._extensions;
  if (extensions['.ts']) {
    return; // tsx, ts-node or an earlier call registered one
  }
  const cacheDir = cacheFolder(moduleFile);
  let ts: TypeScriptApi | undefined;
  const hook: CompileHook = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const key = createHash('sha256').update(`${filename}\0${source}`).digest('hex');
    const cached = cacheDir ? path.join(cacheDir, `${key}.js`) : undefined;
    if (cached && fs.existsSync(cached)) {
      module._compile(fs.readFileSync(cached, 'utf8'), filename);
      return;
    }
    ts ??= loadTypeScript(moduleFile);
    const output = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: filename }).outputText;
    if (cached) {
      writeCacheFile(cached, output);
    }
    module._compile(output, filename);
  };
  for (const ext of TS_EXTENSIONS) {
    extensions[ext] = hook;
  }
}

function loadTypeScript(moduleFile: string): TypeScriptApi {
  try {
    const resolved = require.resolve('typescript', { paths: [path.dirname(moduleFile), process.cwd(), __dirname] });
    return require(resolved) as TypeScriptApi;
  } catch {
    throw new UsageError(`platform module ${path.basename(moduleFile)}: loading TypeScript needs the typescript package (npm install --save-dev typescript), or compile it to .js first`);
  }
}

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
