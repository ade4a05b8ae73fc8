/**
 * cdktf loads `archiver` (a zip library, about 0.17 s to load) at import, for Terraform assets, which the platform's
 * stacks never have. This puts a stand-in into the module cache that loads the real archiver the first time it is
 * called, so that a synth without assets never pays for it. Call it before cdktf is first required.
 */
import Module from 'node:module';
import * as path from 'node:path';

interface CachedModule { exports: unknown; filename: string; loaded: boolean; id: string }

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
