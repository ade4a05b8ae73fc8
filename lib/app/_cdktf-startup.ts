/**
 * Two costs cdktf pays for features a platform synth does not use, on the command's critical path:
 * - {@link deferArchiver}: cdktf loads `archiver` (a zip library, about 0.17 s) at import, for Terraform assets, which
 *   the platform's stacks never have;
 * - {@link skipTokenStackTraces}: cdktf records a full stack trace for every token it creates (about 0.08 s for the
 *   reference platform), used only in the text of its own errors, and ignores the App's `stackTraces: false` for them.
 */
import Module from 'node:module';
import * as path from 'node:path';

interface CachedModule { exports: unknown; filename: string; loaded: boolean; id: string }

/**
 * Puts a stand-in for `archiver` into the module cache that loads the real one the first time it is called. Call it
 * before cdktf is first required.
 */
export function deferArchiver(): void {
  let resolved: string;
  try {
    resolved = require.resolve('archiver', { paths: [path.dirname(require.resolve('cdktf'))] });
  } catch {
    return; // another layout: cdktf will load it itself
  }
  const cache = (Module as unknown as { _cache: Record<string, CachedModule | undefined> })._cache;
  if (cache[resolved] !== undefined) {
    return;
  }
  let real: ((...args: unknown[]) => unknown) | undefined;
  const load = (): ((...args: unknown[]) => unknown) & Record<PropertyKey, unknown> => {
    if (real === undefined) {
      delete cache[resolved];
      real = require(resolved) as (...args: unknown[]) => unknown;
      cache[resolved] = { exports: real, filename: resolved, loaded: true, id: resolved };
    }
    return real as ((...args: unknown[]) => unknown) & Record<PropertyKey, unknown>;
  };
  const standIn = new Proxy(function archiver() { /* replaced by the real one on first use */ }, {
    apply: (_target, thisArg, args: unknown[]) => load().apply(thisArg, args),
    get: (_target, property) => load()[property],
  });
  cache[resolved] = { exports: standIn, filename: resolved, loaded: true, id: resolved };
}

/**
 * Makes cdktf's token stack traces empty, as the Terraform app's `stackTraces: false` asks for everything else: a
 * cdktf error about a token then names no creation site. The command does this in its Terraform worker only.
 */
export function skipTokenStackTraces(): void {
  try {
    const stackTrace = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] };
    stackTrace.captureStackTrace = () => [];
  } catch {
    // another cdktf layout: it keeps its traces
  }
}
