/**
 * One shape for every error a construct or the model raises on bad input:
 * where (construct path), which field, the value received and what is allowed.
 */

/** An error in the input of a construct or of the platform model. */
export class ValidationError extends Error {
  constructor(
    /** The construct path (or model path) that holds the bad value. */
    public readonly path: string,
    /** The field, e.g. `maxSize` or `environments.prod.vpcCidr`. */
    public readonly field: string,
    /** The value received. */
    public readonly value: unknown,
    /** What is allowed instead. */
    public readonly allowed: string,
  ) {
    super(`${path}: ${field} is ${formatValue(value)}; ${allowed}`);
    this.name = 'ValidationError';
  }
}

/** Renders a received value for an error message: strings quoted, arrays and objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }
  return JSON.stringify(value);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is a Kubernetes DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** Throws a {@link ValidationError} unless `name` is a DNS-1123 label. */
export function requireDns1123Label(path: string, field: string, name: string): void {
  if (!isDns1123Label(name)) {
    throw new ValidationError(path, field, name, 'allowed: a DNS-1123 label (lower-case letters, digits and "-", starting and ending alphanumeric, at most 63 characters)');
  }
}

/** Throws unless `value` is a boolean or absent (a JavaScript caller's `'false'` is truthy and would turn the option on). */
export function requireBoolean(path: string, field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ValidationError(path, field, value, 'allowed: true or false');
  }
}

/** Throws a {@link ValidationError} unless `value` is an integer within min..max. */
export function requireIntegerInRange(path: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(path, field, value, `allowed: an integer from ${min} to ${max}`);
  }
}

/**
 * What is wrong with a container image reference for a pinned deployment, or undefined if nothing is:
 * it needs a tag other than `latest`, or a `sha256` digest.
 */
export function imageProblem(image: string): string | undefined {
  const allowed = 'allowed: an image pinned by tag (repo:1.4.2, not latest) or by digest (repo@sha256:<64 hex>)';
  if (image.length === 0 || /\s/.test(image)) {
    return allowed;
  }
  const at = image.indexOf('@');
  if (at >= 0) {
    return /^sha256:[a-f0-9]{64}$/.test(image.slice(at + 1)) ? undefined : allowed;
  }
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) {
    return `${allowed}; an image without a tag means latest`;
  }
  const tag = image.slice(colon + 1);
  if (tag === 'latest' || !/^[\w][\w.-]{0,127}$/.test(tag)) {
    return allowed;
  }
  return undefined;
}
