/**
 * The rules of a service's release, in one place: the model checks every service's release with them, and the
 * mesh's ServiceRouting checks the service it is given.
 */
import { Release, ReleaseStrategy, type ServiceDefinition } from './service';
import { ValidationError } from './validation';

/** Headers Envoy sets or reads itself (hop-by-hop and framing headers): a route that matches on one matches nothing a tester sends. */
const ENVOY_OWNED_HEADERS: readonly string[] = ['host', 'content-length', 'te', 'transfer-encoding', 'connection', 'upgrade', 'keep-alive', 'proxy-connection'];

/** The service's release, or `Release.single(<only version>)` when it declares none. */
export function releaseOf(service: ServiceDefinition): Release {
  return service.release ?? Release.single(service.versions[0].name);
}

/**
 * Validates a release against the service: every weight an integer 0..100, the weights summing to
 * 100, blue-green with two versions and its active one at 100, tester and mirror versions that run.
 * Throws a {@link ValidationError} naming `path`, with fields prefixed by `fieldPrefix` (the model passes
 * `services.<name>.`).
 */
export function validateRelease(path: string, service: ServiceDefinition, fieldPrefix = ''): void {
  const release = releaseOf(service);
  const versions = service.versions.map((v) => v.name);
  const entries = Object.entries(release.weights);
  if (!(Object.values(ReleaseStrategy) as string[]).includes(release.strategy)) {
    throw new ValidationError(path, `${fieldPrefix}release.strategy`, release.strategy, `allowed: ${Object.values(ReleaseStrategy).join(', ')} (build the release with Release.single, Release.canary or Release.blueGreen)`);
  }
  if (release.strategy === ReleaseStrategy.BLUE_GREEN) {
    // checked first: a wrong active version would otherwise read as weights summing to 0
    if (entries.length !== 2 || release.active === undefined || !(release.active in release.weights)) {
      throw new ValidationError(path, `${fieldPrefix}release.active`, release.active, `allowed: one of the blue-green pair (${Object.keys(release.weights).join(', ')})`);
    }
  }
  for (const [version, weight] of entries) {
    if (!versions.includes(version)) {
      throw new ValidationError(path, `${fieldPrefix}release.weights.${version}`, weight, `allowed: versions of ${service.name} (${versions.join(', ')})`);
    }
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new ValidationError(path, `${fieldPrefix}release.weights.${version}`, weight, 'allowed: an integer from 0 to 100 (percent)');
    }
  }
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (total !== 100) {
    throw new ValidationError(path, `${fieldPrefix}release.weights`, release.weights, `allowed: weights summing to 100 (they sum to ${total})`);
  }
  const tester = release.options.testerRoute;
  if (tester) {
    if (!versions.includes(tester.version)) {
      throw new ValidationError(path, `${fieldPrefix}release.options.testerRoute.version`, tester.version, `allowed: versions of ${service.name} (${versions.join(', ')})`);
    }
    if (typeof tester.header !== 'string' || !/^[a-z0-9-]{1,256}$/.test(tester.header) || ENVOY_OWNED_HEADERS.includes(tester.header)) {
      throw new ValidationError(path, `${fieldPrefix}release.options.testerRoute.header`, tester.header, `allowed: a lower-case HTTP header name of letters, digits and "-", at most 256, other than the headers Envoy owns (${ENVOY_OWNED_HEADERS.join(', ')})`);
    }
    if (typeof tester.value !== 'string' || tester.value.length === 0 || tester.value.length > 1024 || /[\x00-\x1f\x7f]/.test(tester.value)) {
      throw new ValidationError(path, `${fieldPrefix}release.options.testerRoute.value`, tester.value, 'allowed: a non-empty HTTP header value without control characters, at most 1024 characters (matched exactly)');
    }
  }
  const mirror = release.options.mirrorTo;
  if (mirror) {
    if (!versions.includes(mirror.version)) {
      throw new ValidationError(path, `${fieldPrefix}release.options.mirrorTo.version`, mirror.version, `allowed: versions of ${service.name} (${versions.join(', ')})`);
    }
    const percent = mirror.percent ?? 100;
    if (typeof percent !== 'number' || !(percent > 0 && percent <= 100)) {
      throw new ValidationError(path, `${fieldPrefix}release.options.mirrorTo.percent`, percent, 'allowed: a percentage above 0 and at most 100');
    }
  }
}
