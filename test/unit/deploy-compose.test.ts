import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

// No docker daemon here: the file is checked for what an operator relies on, as compose reads it
// (YAML with anchors and merge keys).
const COMPOSE = new URL('../../deploy/compose.yaml', import.meta.url);

const Service = z.looseObject({
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  healthcheck: z.looseObject({ test: z.array(z.string()) }).optional(),
  ports: z.array(z.string()).optional(),
  container_name: z.string().optional(),
  deploy: z.looseObject({ replicas: z.number().optional() }).optional(),
  volumes: z.array(z.string()).optional(),
});
const Compose = z.looseObject({ services: z.record(z.string(), Service), volumes: z.record(z.string(), z.unknown()) });

describe('deploy/compose.yaml', () => {
  const compose = Compose.parse(parse(readFileSync(COMPOSE, 'utf8'), { merge: true }));
  const { redis, gateway, runner } = compose.services;

  it('runs Redis with a password and append-only persistence on a volume', () => {
    const command = redis?.command?.join(' ') ?? '';
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?/);
    expect(redis?.volumes).toContain('redis-data:/data');
    expect(redis?.ports).toBeUndefined();
  });

  it('runs a gateway and two runners on the Redis queue, sharing DISPATCH_SECRET and the Redis password', () => {
    expect(gateway?.command).toEqual(['node', '/app/bin/dispatch-bot.js', 'start']);
    expect(runner?.command).toEqual(['node', '/app/bin/dispatch-bot.js', 'runner']);
    for (const service of [gateway, runner]) {
      expect(service?.environment).toMatchObject({ DISPATCH_QUEUE: 'redis', DISPATCH_STORE: 'redis', METRICS_PORT: '9464' });
      expect(service?.environment?.DISPATCH_SECRET).toMatch(/^\$\{DISPATCH_SECRET:\?/);
      expect(service?.environment?.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?.*\}@redis:6379$/);
    }
    expect(runner?.deploy?.replicas).toBe(2);
  });

  it('lets runners scale: no fixed name or host port, an id per replica, one shared DISPATCH_HOME', () => {
    expect(runner?.container_name).toBeUndefined();
    expect(runner?.ports).toBeUndefined();
    expect(runner?.environment?.DISPATCH_RUNNER_ID).toContain('{hostname}');
    expect(runner?.volumes).toContain('runner-state:/home/dispatch/.dispatch');
  });

  it('checks health on /healthz of the metrics port', () => {
    for (const service of [gateway, runner]) expect(service?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9464/healthz');
    expect(redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('declares every named volume it mounts', () => {
    const named = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((v) => /^[a-z][a-z-]*$/.test(v));
    for (const volume of named) expect(Object.keys(compose.volumes)).toContain(volume);
  });
});
