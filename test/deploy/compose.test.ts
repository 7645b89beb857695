import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';

/**
 * The Compose stack (Kafka in KRaft mode, tapwatch, Prometheus, Grafana) must agree with the
 * config it mounts and with tapwatch's defaults: ports, broker address, mounted files.
 */
const deploy = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(readFileSync(path.join(deploy, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const { services } = compose;
const portOf = (address: string) => Number(address.split(':').pop());

describe('deploy/docker-compose.yml', () => {
  it('runs Kafka (KRaft), tapwatch, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'kafka', 'prometheus', 'tapwatch']);
    expect(services.kafka!.image).toMatch(/^apache\/kafka:/);
    expect(services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.tapwatch!.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    expect(services.tapwatch!.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' } });
  });

  it('mounts a tapwatch config that loads and reads from the Kafka service', () => {
    const mount = services.tapwatch!.volumes!.find((v) => v.endsWith(':/etc/tapwatch/tapwatch.yaml:ro'))!;
    const file = path.resolve(deploy, mount.split(':')[0]!);
    expect(services.tapwatch!.command).toEqual(['run', '--config', '/etc/tapwatch/tapwatch.yaml']);
    const { config } = loadConfig(file, services.tapwatch!.environment);
    const internal = services
      .kafka!.environment!.KAFKA_ADVERTISED_LISTENERS!.split(',')
      .find((l) => l.startsWith('INTERNAL://'));
    expect(config.input.kafka.brokers).toEqual([internal!.slice('INTERNAL://'.length)]);
    expect(config.input.kafka.topics.length).toBeGreaterThan(0);
    expect(config.input.capture.files).toEqual([]);
    expect(config.alerts.kafka.enabled).toBe(true);
    expect(config.scaleOut.replicationFactor).toBe(1);
  });

  it('publishes the telemetry port that tapwatch, its default config and Prometheus use', () => {
    const defaultPort = portOf(configSchema.parse({}).telemetry.listen);
    const { config } = loadConfig(path.join(deploy, 'tapwatch-kafka.yaml'), services.tapwatch!.environment);
    expect(portOf(config.telemetry.listen)).toBe(defaultPort);
    expect(services.tapwatch!.ports).toContain(`${defaultPort}:${defaultPort}`);
    const prometheus = parse(readFileSync(path.join(deploy, 'prometheus', 'prometheus.yml'), 'utf8'));
    const targets = prometheus.scrape_configs.flatMap((s: { static_configs: { targets: string[] }[] }) =>
      s.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toContain(`tapwatch:${defaultPort}`);
    expect(services.prometheus!.ports).toContain('9090:9090');
    expect(services.grafana!.ports).toContain('3000:3000');
  });

  it('mounts files that exist', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(path.resolve(deploy, source)), source).toBe(true);
        else expect(compose.volumes, source).toHaveProperty(source);
      }
    }
  });
});
