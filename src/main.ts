import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';
import { DEMO_ATTRIBUTION } from './demo/demo-city.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`sanifleet: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const logger = createLogger(config.logLevel);
const service = await startService(config, logger).catch((err: unknown) => {
  logger.fatal({ err }, 'start failed');
  process.exit(1);
});

logger.info({ url: service.url, jt808Port: service.jt808Port, store: service.db.kind, migrationVersion: service.migrationVersion, attribution: DEMO_ATTRIBUTION }, 'sanifleet listening');
if (service.firstStartTokens.length > 0) {
  // Printed once: only their hashes are stored.
  const lines = service.firstStartTokens.map((t) => `  ${t.role.padEnd(12)}${t.vehicleId ? `(vehicle ${t.vehicleId}) `.padEnd(28) : ''.padEnd(28)}${t.token}`);
  process.stdout.write(`\nAPI tokens created at this first start (shown once, store them now):\n${lines.join('\n')}\n\n`);
}

if (service.firstStartUsers.length > 0) {
  // Demo city only: one user per role; the passwords are stored as scrypt hashes and never shown again.
  const lines = service.firstStartUsers.map(({ user, password }) => `  ${user.name.padEnd(14)}${password}   (${user.role}${user.vehicleId ? `, vehicle ${user.vehicleId}` : ''})`);
  process.stdout.write(`Demo users created at this first start (sign in at ${service.url}/ ; shown once, store them now):\n  ${'name'.padEnd(14)}password\n${lines.join('\n')}\n\n`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    service.close().then(() => process.exit(0), (err) => {
      logger.error({ err }, 'stop failed');
      process.exit(1);
    });
  });
}
