export * as postgresqlCnpgIo from "./postgresql.cnpg.io/index.js";
