/**
 * Which environments a synth covers.
 */
import type { Platform } from '../model/platform';

/**
 * The environments a synth covers: the names given (each must exist) or all, in the platform's order.
 * Throws a `ValidationError` for a name the platform does not have.
 */
export function selectEnvironments(platform: Platform, names: readonly string[] = []): string[] {
  names.forEach((name) => platform.environment(name));
  const wanted = new Set(names);
  return platform.environments.map((e) => e.name).filter((name) => wanted.size === 0 || wanted.has(name));
}
