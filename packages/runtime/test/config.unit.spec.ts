import { describe, expect, it } from 'vitest';

import {
  commonEnv,
  ConfigError,
  defineEnv,
  describeConfig,
  env,
  loadConfig,
  maskUrlPassword,
} from '../src/index.ts';

const spec = defineEnv({
  ...commonEnv,
  HTTP_PORT: { schema: env.port(), description: 'port', default: '8080' },
  OSCAR_PASSWORD: { schema: env.text(), description: 'OSCaR password', secret: true },
  POLL_INTERVAL_MS: { schema: env.positiveInt(), description: 'poll interval', default: '30000' },
});

describe('loadConfig', () => {
  it('applies defaults, coerces numbers and freezes the result', () => {
    const config = loadConfig('svc', spec, { OSCAR_PASSWORD: 's3cret' });
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.POLL_INTERVAL_MS).toBe(30000);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig('svc', spec, { OSCAR_PASSWORD: 'x', HTTP_PORT: '' }).HTTP_PORT).toBe(8080);
  });

  it('reports every invalid variable at once, with how to fix it', () => {
    let error: unknown;
    try {
      loadConfig('svc', spec, {
        DATABASE_URL: 'mysql://db',
        AMQP_URL: 'localhost',
        HTTP_PORT: '99999',
        LOG_LEVEL: 'loud',
        POLL_INTERVAL_MS: '-1',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(/[= ]/)[0])).toEqual([
      'DATABASE_URL',
      'AMQP_URL',
      'LOG_LEVEL',
      'HTTP_PORT',
      'OSCAR_PASSWORD',
      'POLL_INTERVAL_MS',
    ]);
    expect((error as ConfigError).message).toContain('set it to postgres://user:password@host:5432/database');
    expect((error as ConfigError).message).toContain('OSCAR_PASSWORD is required');
  });

  it('never prints a secret, even when it is invalid', () => {
    const secretSpec = defineEnv({
      TOKEN: { schema: env.text().min(20), description: 'a token', secret: true },
    });
    expect(() => loadConfig('svc', secretSpec, { TOKEN: 'short-secret' })).toThrow(
      /TOKEN=\(secret, not shown\)/,
    );
    try {
      loadConfig('svc', secretSpec, { TOKEN: 'short-secret' });
    } catch (error) {
      expect(String(error)).not.toContain('short-secret');
    }
  });

  it('masks secrets and URL passwords when describing the config', () => {
    const config = loadConfig('svc', spec, {
      OSCAR_PASSWORD: 'hunter2',
      AMQP_URL: 'amqp://sync:pa55@rabbit:5672/prod',
    });
    const shown = JSON.stringify(describeConfig(spec, config));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('pa55');
    expect(shown).toContain('amqp://sync:***@rabbit:5672/prod');
  });

  it('leaves strings that are not URLs alone', () => {
    expect(maskUrlPassword('info')).toBe('info');
  });
});
