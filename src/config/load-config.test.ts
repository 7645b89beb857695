import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { loadConfig, parseConfig } from './load-config.js';

const parse = (text: string, env: Record<string, string> = {}) =>
  parseConfig(text, 'c.yaml', '/etc/tapwatch/c.yaml', env);
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('config loading', () => {
  it('fills defaults for an empty file and freezes the result', () => {
    const { config } = parse('');
    expect(config.features.lambdas).toEqual([5, 3, 1, 0.1, 0.01]);
    expect(config.telemetry.listen).toBe('127.0.0.1:9464');
    expect(Object.isFrozen(config.features.lambdas)).toBe(true);
  });

  it('names file, field path and line for a bad value', () => {
    const msg = messageOf(() => parse('features:\n  lambdas: [5, 3, -1]\n'));
    expect(msg).toBe('c.yaml: features.lambdas[2]: expected a number > 0, got -1 (line 2)');
  });

  it('rejects unknown keys and lists the allowed ones', () => {
    const msg = messageOf(() => parse('flows:\n  idleTimeout: 3\n'));
    expect(msg).toContain(
      'c.yaml: flows.idleTimeout: unknown key (allowed: idleTimeoutSeconds, activeTimeoutSeconds, maxFlows)',
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(messageOf(() => parse('flows: [\n'))).toMatch(/^c\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('substitutes environment variables, typed when the whole value is one reference', () => {
    const { config } = parse(
      'flows:\n  maxFlows: ${MAX}\ntelemetry:\n  listen: "${HOST:-127.0.0.1}:${PORT}"\n',
      {
        MAX: '1000',
        PORT: '9999',
      },
    );
    expect(config.flows.maxFlows).toBe(1000);
    expect(config.telemetry.listen).toBe('127.0.0.1:9999');
  });

  it('fails on an unset variable without default, naming the field', () => {
    expect(messageOf(() => parse('telemetry:\n  listen: ${NOPE}\n'))).toBe(
      'c.yaml: telemetry.listen (line 2): environment variable NOPE is not set and has no default (${NOPE:-…})',
    );
  });

  it('keeps $${ as a literal', () => {
    const { config } = parse('alerts:\n  file:\n    path: "/x/$${HOME}"\n');
    expect(config.alerts.file.path).toBe('/x/${HOME}');
  });

  it('checks cross-field rules', () => {
    expect(
      messageOf(() =>
        parse(
          'segments:\n  definitions:\n    - {name: a, cidrs: [10.0.0.0/8]}\n    - {name: a, vlans: [3]}\n',
        ),
      ),
    ).toBe('c.yaml: segments.definitions[1].name: "a" is defined twice');
    expect(messageOf(() => parse('features:\n  windowsSeconds: [10, 1]\n'))).toContain(
      'expected ascending lengths',
    );
  });

  it('resolves capture paths against the config file', () => {
    const { config } = parse('input:\n  capture:\n    files: [../x.pcap]\n');
    expect(config.input.capture.files).toEqual(['/etc/x.pcap']);
  });

  it('says when the file cannot be read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-config-'));
    expect(messageOf(() => loadConfig(path.join(dir, 'missing.yaml')))).toMatch(
      /missing\.yaml: cannot read config: ENOENT$/,
    );
    writeFileSync(path.join(dir, 'ok.yaml'), 'detector:\n  warmupFlows: 128\n');
    expect(loadConfig(path.join(dir, 'ok.yaml')).config.detector.warmupFlows).toBe(128);
  });
});
