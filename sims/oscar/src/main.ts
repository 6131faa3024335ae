import { buildOscarSim } from './app.ts';
import { loadConfig } from './config.ts';
import { seedClients } from './seed.ts';

/** Standalone OSCaR simulator: `pnpm sim:oscar`. Config from the environment (see config.ts / README). */
const config = loadConfig();
const { app, store } = buildOscarSim({
  email: config.email,
  password: config.password,
  controlToken: config.controlToken,
  strictStatusesAuth: config.strictStatusesAuth,
  logger: { level: config.logLevel },
});
if (config.seedCount > 0) seedClients(store, config.seedCount, config.seed);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    app.log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}

await app.listen({ port: config.port, host: config.host });
