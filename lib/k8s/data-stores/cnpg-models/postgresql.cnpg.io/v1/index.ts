export * from "./Backup.js";
export * from "./Cluster.js";
export * from "./Pooler.js";
export * from "./ScheduledBackup.js";
