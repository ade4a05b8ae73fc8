export * from "./Backup.js";
export * from "./BackupStorageLocation.js";
export * from "./Restore.js";
export * from "./Schedule.js";
export * from "./VolumeSnapshotLocation.js";
