/**
 * How many pods of a workload a voluntary disruption (a node drain, a cluster upgrade) may take at once. The gate's
 * rule `platform/disruption-budget` (lib/policy/workload-rules.ts) judges the same on any output: a budget that allows
 * no eviction at the workload's minimum is refused there too.
 */
import { IntOrString, type PodDisruptionBudgetSpec } from 'cdk8s-plus-28/lib/imports/k8s';
import { ValidationError } from '../model/validation';

/** A PodDisruptionBudget's limit. Build one with the static factories. */
export class DisruptionBudget {
  /** At most `count` pods unavailable at once (1 or more, so a drain can always proceed). */
  public static maxUnavailable(count: number): DisruptionBudget {
    return new DisruptionBudget('maxUnavailable', count);
  }

  /** At least `count` pods available; must stay below the workload's minimum replicas, so a drain can proceed. */
  public static minAvailable(count: number): DisruptionBudget {
    return new DisruptionBudget('minAvailable', count);
  }

  private constructor(
    /** Which limit. */
    public readonly kind: 'maxUnavailable' | 'minAvailable',
    /** How many pods. */
    public readonly count: number,
  ) {}

  /**
   * Throws unless the budget allows at least one eviction when the workload runs `minReplicas` pods:
   * a budget that blocks every eviction stalls node drains and cluster upgrades.
   */
  public validate(path: string, minReplicas: number): void {
    if (!Number.isInteger(this.count) || this.count < 0) {
      throw new ValidationError(path, `disruptionBudget.${this.kind}`, this.count, 'allowed: a whole number');
    }
    if (this.kind === 'maxUnavailable' && this.count < 1) {
      throw new ValidationError(path, 'disruptionBudget.maxUnavailable', this.count, 'allowed: 1 or more; 0 blocks every eviction (node drains and upgrades would stall)');
    }
    if (this.kind === 'minAvailable' && this.count >= minReplicas) {
      throw new ValidationError(path, 'disruptionBudget.minAvailable', this.count, `allowed: fewer than the minimum replicas (${minReplicas}); otherwise no pod can ever be evicted`);
    }
  }

  /** The PodDisruptionBudget spec for pods matching `selector`. */
  public toSpec(selector: Record<string, string>): PodDisruptionBudgetSpec {
    return {
      [this.kind]: IntOrString.fromNumber(this.count),
      selector: { matchLabels: { ...selector } },
      // a pod that is not ready protects nothing: let drains evict it
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    };
  }
}
