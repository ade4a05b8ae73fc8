/**
 * The platform's container registry: one private ECR repository per service of the catalog, named
 * `<platform>/<service>`, with immutable tags, scan on push, encryption with a rotating customer KMS key and a
 * lifecycle policy (untagged images expire after some days, the newest tagged releases are kept).
 *
 * Pulls: nodes in the registry's own account pull through IAM (the node role has
 * `AmazonEC2ContainerRegistryReadOnly`); another account needs a repository policy, which `grantPull(accountId)`
 * adds to every repository. Pullers need no right on the KMS key: ECR decrypts through the grant it adds on the key
 * when it creates a repository.
 */
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryPolicy } from '@cdktf/provider-aws/lib/ecr-repository-policy';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { qualifiedName } from '../model/names';
import { arnPartition } from '../model/partition';
import { DEFAULT_KEEP_RELEASES, DEFAULT_UNTAGGED_EXPIRY_DAYS, containerRegistryHost, containerRepositoryName, requireWholeNumberAtLeastOne, type Platform } from '../model/platform';
import { requireAccountId, requireRegion } from '../model/rules';
import type { ServiceDefinition } from '../model/service';
import { ValidationError } from '../model/validation';
import { policyDocument } from './_iam';
import { KmsKey } from './kms-key';

/** What a principal of another account needs to pull an image. */
export const ECR_PULL_ACTIONS: readonly string[] = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** Options for a {@link ContainerRegistry}. */
export interface ContainerRegistryProps {
  /** The platform's name: repositories are named `<platformName>/<service>` and the key `alias/<platformName>-ecr`. */
  readonly platformName: string;
  /** The account of the registry (the stack's provider must be in it), 12 digits. */
  readonly accountId: string;
  /** The region of the registry (the stack's provider's). */
  readonly region: string;
  /** Services that get a repository each; more with `addRepository`. @default [] */
  readonly services?: readonly Pick<ServiceDefinition, 'name' | 'namespace'>[];
  /** Tagged images each repository keeps, the newest; older tagged images expire. @default 30 */
  readonly keepReleases?: number;
  /** Days an untagged image is kept after its push. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Accounts (other than `accountId`) whose principals may pull; more with `grantPull`. @default [] */
  readonly pullAccountIds?: readonly string[];
  /** The key the repositories are encrypted with. @default a new rotating key, alias `<platformName>-ecr` */
  readonly encryptionKey?: KmsKey;
}

/** Options of {@link ContainerRegistry.fromPlatform}. */
export interface ContainerRegistryFromPlatformOptions {
  /** The key the repositories are encrypted with. @default a new rotating key */
  readonly encryptionKey?: KmsKey;
}

/** One repository of the registry. */
export interface ContainerRepository {
  /** The ECR repository resource. */
  readonly resource: EcrRepository;
  /** Its name, `<platform>/<service>`. */
  readonly repositoryName: string;
  /** Its URL, `<account>.dkr.ecr.<region>.amazonaws.com/<platform>/<service>` (a literal, known at synth). */
  readonly repositoryUrl: string;
  /** Its lifecycle policy. */
  readonly lifecyclePolicy: EcrLifecyclePolicy;
  /** Its repository policy, present once a pull is granted to another account. */
  readonly policy?: EcrRepositoryPolicy;
}

/** ECR's repository name syntax (2 to 256 characters). */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The ECR repositories of a platform, one per service. */
export class ContainerRegistry extends Construct {
  /**
   * The registry a platform model declares (`platform.registry`): a repository for every service of the catalog,
   * its retention, and pull access for every environment account other than the registry's.
   */
  public static fromPlatform(scope: Construct, id: string, platform: Platform, options: ContainerRegistryFromPlatformOptions = {}): ContainerRegistry {
    const r = platform.registry;
    return new ContainerRegistry(scope, id, {
      platformName: platform.name,
      accountId: r.accountId,
      region: r.region,
      services: platform.services,
      keepReleases: r.keepReleases,
      untaggedExpiryDays: r.untaggedExpiryDays,
      pullAccountIds: platform.environments.map((e) => e.accountId),
      encryptionKey: options.encryptionKey,
    });
  }

  /** The registry's account. */
  public readonly accountId: string;
  /** The registry's region. */
  public readonly region: string;
  /** The registry's host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  public readonly registryHost: string;
  /** Tagged images each repository keeps. */
  public readonly keepReleases: number;
  /** Days an untagged image is kept. */
  public readonly untaggedExpiryDays: number;
  /** The key the repositories are encrypted with. */
  public readonly encryptionKey: KmsKey;

  private readonly platformName: string;
  private readonly repositoryScope: Construct;
  private readonly byService = new Map<string, ContainerRepository>();
  private readonly pullAccounts: string[] = [];

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    requireAccountId(this.node.path, 'accountId', props.accountId);
    requireRegion(this.node.path, 'region', props.region);
    this.keepReleases = props.keepReleases ?? DEFAULT_KEEP_RELEASES;
    this.untaggedExpiryDays = props.untaggedExpiryDays ?? DEFAULT_UNTAGGED_EXPIRY_DAYS;
    requireWholeNumberAtLeastOne(this.node.path, 'keepReleases', this.keepReleases);
    requireWholeNumberAtLeastOne(this.node.path, 'untaggedExpiryDays', this.untaggedExpiryDays);
    this.platformName = props.platformName;
    this.accountId = props.accountId;
    this.region = props.region;
    this.registryHost = containerRegistryHost(props.accountId, props.region);
    this.encryptionKey = props.encryptionKey ?? new KmsKey(this, 'Key', {
      alias: `${props.platformName}-ecr`,
      description: `ECR repositories of ${props.platformName}`,
      accountId: props.accountId,
    });
    this.repositoryScope = new Construct(this, 'Repositories');
    for (const service of props.services ?? []) {
      this.addRepository(service);
    }
    for (const account of props.pullAccountIds ?? []) {
      this.grantPull(account);
    }
  }

  /** The repositories, by the service's `namespace/name`. */
  public get repositories(): Readonly<Record<string, ContainerRepository>> {
    return Object.fromEntries(this.byService);
  }

  /** The repository of a service; throws for a service without one. */
  public repositoryOf(service: Pick<ServiceDefinition, 'name' | 'namespace'>): ContainerRepository {
    const repository = this.byService.get(qualifiedName(service));
    if (!repository) {
      throw new ValidationError(this.node.path, 'service', qualifiedName(service), `allowed: a service with a repository (${[...this.byService.keys()].join(', ')})`);
    }
    return repository;
  }

  /**
   * Adds the repository of a service, `<platform>/<service>`. Two services of one name (in two namespaces) would
   * share it, and are refused.
   */
  public addRepository(service: Pick<ServiceDefinition, 'name' | 'namespace'>): ContainerRepository {
    const repositoryName = containerRepositoryName(this.platformName, service);
    if (repositoryName.length < 2 || repositoryName.length > 256 || !REPOSITORY_NAME.test(repositoryName)) {
      throw new ValidationError(this.node.path, 'repositoryName', repositoryName, 'allowed: an ECR repository name of 2 to 256 lower-case letters, digits, "/", ".", "_" and "-"');
    }
    const holder = [...this.byService.entries()].find(([, r]) => r.repositoryName === repositoryName);
    if (holder) {
      throw new ValidationError(this.node.path, `services.${qualifiedName(service)}`, repositoryName, `allowed: one service per repository name; ${holder[0]} has it already (give services of one platform distinct names)`);
    }
    const scope = new Construct(this.repositoryScope, `${service.namespace}-${service.name}`);
    const resource = new EcrRepository(scope, 'Resource', {
      name: repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: this.encryptionKey.keyArn }],
      forceDelete: false,
    });
    const lifecyclePolicy = new EcrLifecyclePolicy(scope, 'Lifecycle', {
      repository: resource.name,
      policy: this.renderLifecyclePolicy(),
    });
    const repository: ContainerRepository = { resource, repositoryName, repositoryUrl: `${this.registryHost}/${repositoryName}`, lifecyclePolicy };
    this.byService.set(qualifiedName(service), repository);
    if (this.pullAccounts.length > 0) {
      this.attachPolicy(qualifiedName(service));
    }
    return this.byService.get(qualifiedName(service)) as ContainerRepository;
  }

  /**
   * Lets principals of another account pull from every repository (present and added later): a repository policy
   * statement with the account root as principal, so that the account's IAM (its node role) decides who. The
   * registry's own account is skipped: IAM alone grants it.
   */
  public grantPull(accountId: string): void {
    requireAccountId(this.node.path, 'grantPull.accountId', accountId);
    if (accountId === this.accountId || this.pullAccounts.includes(accountId)) {
      return;
    }
    this.pullAccounts.push(accountId);
    for (const [key, repository] of this.byService) {
      if (!repository.policy) {
        this.attachPolicy(key);
      }
    }
  }

  /** Accounts granted pulls, sorted. */
  public get pullAccountIds(): readonly string[] {
    return [...this.pullAccounts].sort();
  }

  private attachPolicy(key: string): void {
    const repository = this.byService.get(key) as ContainerRepository;
    const policy = new EcrRepositoryPolicy(repository.resource.node.scope as Construct, 'Policy', {
      repository: repository.resource.name,
      // rendered at synth, so that accounts granted later appear
      policy: Lazy.stringValue({ produce: () => this.renderPullPolicy() }),
    });
    this.byService.set(key, { ...repository, policy });
  }

  private renderPullPolicy(): string {
    return policyDocument([{
      sid: 'CrossAccountPull',
      actions: ECR_PULL_ACTIONS,
      principals: [{ type: 'AWS', identifiers: this.pullAccountIds.map((a) => `arn:${arnPartition(this.region)}:iam::${a}:root`) }],
    }]);
  }

  /** ECR's lifecycle policy: untagged images expire first (priority 1), then tagged ones beyond the newest keepReleases. */
  private renderLifecyclePolicy(): string {
    return JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: `Expire untagged images ${this.untaggedExpiryDays} days after their push`,
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: this.untaggedExpiryDays },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: `Keep the newest ${this.keepReleases} tagged images`,
          selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: this.keepReleases },
          action: { type: 'expire' },
        },
      ],
    });
  }
}
