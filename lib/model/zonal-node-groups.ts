/**
 * How a configured node group becomes EKS managed node groups: one per availability zone, named
 * `<cluster>-<group>-<zone letter>`, the sizes split over the zones. One place for the AWS side (lib/aws/node-groups.ts)
 * and the environment's picture (lib/app/platform-picture.ts).
 */

/**
 * Splits a group's size over `zones` zones so that the sum is `total`: each zone gets `floor(total / zones)`, and
 * the first `total % zones` zones (in the order of the network's zones) one more. Min 20 over 3 zones: 7, 7, 6;
 * min 1: 1, 0, 0. The same rule for min, desired and max keeps min <= desired <= max in every zone.
 */
export function splitAcrossZones(total: number, zones: number): number[] {
  return Array.from({ length: zones }, (_, i) => Math.floor(total / zones) + (i < total % zones ? 1 : 0));
}

/** One EKS managed node group: a configured group in one zone. */
export interface ZonalNodeGroup {
  /** The configured group's name, e.g. `general`. */
  readonly group: string;
  /** The availability zone, e.g. `eu-central-1a`. */
  readonly zone: string;
  /** The EKS node group name, `<cluster>-<group>-<zone letter>`. */
  readonly name: string;
  /** This zone's share of the group's sizes (see {@link splitAcrossZones}). */
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
}

/** The zonal node groups of configured groups over zones, by group then zone order. */
export function zonalNodeGroupsOf(clusterName: string, groups: ReadonlyArray<{ readonly name: string; readonly minSize: number; readonly maxSize: number; readonly desiredSize: number }>, zones: readonly string[]): ZonalNodeGroup[] {
  return groups.flatMap((group) => {
    const [mins, maxes, desireds] = [group.minSize, group.maxSize, group.desiredSize].map((total) => splitAcrossZones(total, zones.length));
    return zones.map((zone, i) => ({ group: group.name, zone, name: `${clusterName}-${group.name}-${zone.slice(-1)}`, minSize: mins[i], maxSize: maxes[i], desiredSize: desireds[i] }));
  });
}
