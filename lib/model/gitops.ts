/**
 * How the platform's own Kubernetes output reaches its clusters: the Git repository Argo CD reads `dist/<env>/`
 * from, and how each environment syncs. The rules of these fields live here, in one place; the Kubernetes side
 * (lib/k8s/gitops/) reads {@link resolveGitOps}.
 */
import type { EnvironmentConfig } from './environment';
import { ValidationError } from './validation';

/** How Argo CD applies a change of an environment's folder. */
export enum GitOpsSync {
  /** Every commit is applied: automated sync with prune (deleted objects go) and self-heal (hand edits are undone). */
  AUTOMATED = 'automated',
  /** A person presses Sync (Argo CD shows the environment OutOfSync until then): the usual choice for production. */
  MANUAL = 'manual',
}

/**
 * The Git repository that holds the platform's synthesized YAML (`PlatformProps.gitops`). With it, every
 * environment's folder gets an Argo CD Application that syncs the folder (and with it the add-ons' Applications:
 * app of apps). Without it no such Application is emitted and the folders are pointed at by hand.
 */
export interface GitOpsConfig {
  /**
   * The repository as Argo CD clones it: `https://host/path` or `ssh://git@host/path` or `git@host:path`. No
   * credentials in it: Argo CD takes them from its repository Secrets (a prerequisite).
   */
  readonly repoURL: string;
  /** The branch, tag or commit every environment follows unless it says otherwise (`EnvironmentConfig.gitops.revision`). */
  readonly revision: string;
  /**
   * The folder, relative to the repository's root, that holds one folder per environment: where the synth's
   * Kubernetes output is committed (`dist` for `eks-platform synth`'s default; `platforms/erp/dist` when synthesized
   * with `--outdir platforms/erp`). Each environment's Application reads `<path>/<env>`.
   */
  readonly path: string;
}

/** What an environment says about its own GitOps (`EnvironmentConfig.gitops`). */
export interface EnvironmentGitOpsConfig {
  /** The branch, tag or commit this environment follows (e.g. a release branch for production). @default GitOpsConfig.revision */
  readonly revision?: string;
  /**
   * How changes are applied.
   * @default GitOpsSync.AUTOMATED (set MANUAL for production: a reviewer sees it in the model)
   */
  readonly sync?: GitOpsSync;
}

/** One environment's GitOps settings, defaults resolved. */
export interface ResolvedGitOps {
  readonly repoURL: string;
  readonly revision: string;
  /** The environment's folder in the repository, `<path>/<env>`. */
  readonly path: string;
  readonly sync: GitOpsSync;
}

/** The environment's GitOps settings with the platform's defaults, or undefined when the platform has no `gitops`. */
export function resolveGitOps(config: GitOpsConfig | undefined, env: EnvironmentConfig): ResolvedGitOps | undefined {
  if (config === undefined) {
    return undefined;
  }
  const folder = config.path === '.' ? env.name : `${config.path}/${env.name}`;
  return { repoURL: config.repoURL, revision: env.gitops?.revision ?? config.revision, path: folder, sync: env.gitops?.sync ?? GitOpsSync.AUTOMATED };
}

/**
 * Checks `PlatformProps.gitops` and every environment's `gitops`. An environment may not say `gitops` when the
 * platform has none (it would silently do nothing).
 */
export function validateGitOps(path: string, config: GitOpsConfig | undefined, environments: readonly EnvironmentConfig[]): void {
  if (config === undefined) {
    for (const env of environments) {
      if (env.gitops !== undefined) {
        throw new ValidationError(path, `environments.${env.name}.gitops`, env.gitops, 'allowed: only with PlatformProps.gitops (the repository Argo CD reads the output from)');
      }
    }
    return;
  }
  for (const field of ['repoURL', 'revision', 'path'] as const) {
    if (typeof config[field] !== 'string' || config[field] === '') {
      throw new ValidationError(path, `gitops.${field}`, config[field], `allowed: a non-empty string; gitops needs repoURL, revision and path`);
    }
  }
  const urlProblem = repoUrlProblem(config.repoURL);
  if (urlProblem !== undefined) {
    throw new ValidationError(path, 'gitops.repoURL', config.repoURL, urlProblem);
  }
  requireRevision(path, 'gitops.revision', config.revision);
  if (!isRepositoryFolder(config.path)) {
    throw new ValidationError(path, 'gitops.path', config.path, 'allowed: a folder relative to the repository root, "/"-separated, without "..", "." segments inside, a leading or trailing "/", or characters other than letters, digits, ".", "_" and "-" (or "." for the root)');
  }
  for (const env of environments) {
    const g = env.gitops;
    if (g === undefined) {
      continue;
    }
    if (g.revision !== undefined) {
      requireRevision(path, `environments.${env.name}.gitops.revision`, g.revision);
    }
    if (g.sync !== undefined && !Object.values(GitOpsSync).includes(g.sync)) {
      throw new ValidationError(path, `environments.${env.name}.gitops.sync`, g.sync, `allowed: ${Object.values(GitOpsSync).join(' or ')} (GitOpsSync)`);
    }
  }
}

/** Why Argo CD could not clone `url` as given, or why it must not be given so; undefined when it is fine. */
function repoUrlProblem(url: string): string | undefined {
  const allowed = 'allowed: https://host/path, ssh://[user@]host[:port]/path or user@host:path, without whitespace, credentials or a query';
  if (/\s/.test(url) || url.length > 2048) {
    return allowed;
  }
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/\/)([^?#]+)$/.exec(url);
  if (scp) {
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return allowed;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'ssh:') {
    return `${allowed}; ${parsed.protocol}// is not (http sends the repository and its credentials in clear)`;
  }
  if (parsed.protocol === 'https:' && (parsed.username !== '' || parsed.password !== '')) {
    return `${allowed}; credentials in the URL would be committed with the YAML (give them to Argo CD as a repository Secret)`;
  }
  if (parsed.password !== '' || parsed.search !== '' || parsed.hash !== '' || parsed.hostname === '' || parsed.pathname.length <= 1) {
    return allowed;
  }
  return undefined;
}

/** Throws unless `revision` is a Git ref Argo CD can follow: `HEAD`, a branch or tag name, or a commit SHA. */
function requireRevision(path: string, field: string, revision: string): void {
  if (!isGitRevision(revision)) {
    throw new ValidationError(path, field, revision, 'allowed: HEAD, a branch or tag name as git check-ref-format accepts it (no whitespace, "..", "~", "^", ":", "?", "*", "[", "\\", "@{", no leading "-" or "/", no trailing "/", "." or ".lock"), or a commit SHA');
  }
}

/** Whether a string is a ref name `git check-ref-format --allow-onelevel` accepts (or a commit SHA, which is one). */
export function isGitRevision(ref: string): boolean {
  if (ref.length === 0 || ref.length > 255 || ref === '@' || ref.startsWith('-') || ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.')) {
    return false;
  }
  // control characters, space, ~ ^ : ? * [ \ and DEL are never part of a ref name
  if (/[\x00-\x20~^:?*[\\\x7f]/.test(ref) || ref.includes('..') || ref.includes('@{') || ref.includes('//')) {
    return false;
  }
  return ref.split('/').every((part) => part.length > 0 && !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Whether `folder` is a plain relative folder of a repository (`dist`, `platforms/erp/dist`) or `.`. */
function isRepositoryFolder(folder: string): boolean {
  if (folder === '.') {
    return true;
  }
  return folder.length <= 1024 && folder.split('/').every((part) => /^[A-Za-z0-9._-]+$/.test(part) && part !== '.' && part !== '..');
}
