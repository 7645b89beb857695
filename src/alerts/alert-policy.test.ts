import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { alertsSchema } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { AlertPipeline } from './alert-pipeline.js';
import { loadAlertPolicy } from './alert-policy.js';
import { MemorySink } from './sinks/memory-sink.js';
import { makeDetection, makeFlow } from './testing/make-detection.js';

let dir: string;
let configFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tapwatch-allow-'));
  configFile = path.join(dir, 'tapwatch.yaml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): void {
  writeFileSync(path.join(dir, name), text);
}

function policy(alerts: Record<string, unknown>) {
  return loadAlertPolicy(alertsSchema.parse(alerts), configFile);
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAlertPolicy', () => {
  it('joins inline rows and the file rows, the file resolved beside the config', () => {
    write('allow.yaml', '- cidr: 192.0.2.0/24\n  reason: scanner\n');
    const { allowList, config } = policy({
      allowList: [{ cidr: '10.9.0.0/16' }],
      allowListFile: 'allow.yaml',
      maxAlertsPerMinute: 5,
    });
    expect(allowList.size).toBe(2);
    expect(allowList.match(makeFlow({ srcIp: '192.0.2.3' }), 'port-scan')).toEqual({
      origin: 'allow.yaml: [0]',
      reason: 'scanner',
    });
    expect(allowList.match(makeFlow({ dstIp: '10.9.0.1' }), 'port-scan')?.origin).toBe(
      `${configFile}: alerts.allowList[0]`,
    );
    expect(config).toEqual({
      dedupWindowSeconds: 300,
      minSeverity: 1,
      maxAlertsPerMinute: 5,
      dedupTrackBy: 'rule',
    });
  });

  it('names the file, row, field and line of a bad row', () => {
    write(
      'allow.yaml',
      ['- cidr: 10.0.0.0/8', '- ports: [22]', '- cidr: [192.0.2.0/24]', '- cidr: x', '- direction: up'].join(
        '\n',
      ),
    );
    const message = errorOf(() => policy({ allowListFile: 'allow.yaml' })).message.split('\n');
    expect(message[0]).toMatch(
      /^allow\.yaml: \[3\]\.cidr: expected a CIDR or address .*, got "x" \(line 4\)$/,
    );
    expect(message[1]).toMatch(
      /^allow\.yaml: \[4\]\.direction: expected one of "src", "dst", "either", got "up"/,
    );
  });

  it('rejects networks that only look like one, unknown keys and a file that is not a list', () => {
    write('a.yaml', '- cidr: 10.0.0.300/8\n');
    expect(() => policy({ allowListFile: 'a.yaml' })).toThrow(/^a\.yaml: \[0\]\.cidr: expected a CIDR/);
    write('b.yaml', '- cidr: 10.0.0.0/33\n');
    expect(() => policy({ allowListFile: 'b.yaml' })).toThrow(/^b\.yaml: \[0\]\.cidr: /);
    write('c.yaml', '- cidr: 10.0.0.0/8\n  port: [22]\n');
    expect(() => policy({ allowListFile: 'c.yaml' })).toThrow(
      /^c\.yaml: \[0\]\.port: unknown key \(allowed: cidr, ports/,
    );
    write('d.yaml', 'cidr: 10.0.0.0/8\n');
    expect(() => policy({ allowListFile: 'd.yaml' })).toThrow(/^d\.yaml: \(top level\): expected an array/);
    write('e.yaml', '- [unclosed\n');
    expect(() => policy({ allowListFile: 'e.yaml' })).toThrow(/^e\.yaml:\d+:\d+: invalid YAML/);
  });

  it('reports inline rows with the config field path at load', () => {
    const text = 'alerts:\n  allowList:\n    - cidr: 10.0.0.0/8\n    - cidr: [192.0.2.0/24, "x"]\n';
    expect(() => parseConfig(text, 't.yaml', configFile, {})).toThrow(
      /^t\.yaml: alerts\.allowList\[1\]\.cidr\[1\]: expected a CIDR or address .*, got "x" \(line 4\)$/,
    );
    const loaded = parseConfig('alerts:\n  allowList: [{ rules: [nope] }]\n', 't.yaml', configFile, {});
    expect(() => loadAlertPolicy(loaded.config.alerts, 't.yaml')).toThrow(
      /^t\.yaml: alerts\.allowList\[0\]\.rules\[0\]: expected one of .*, got "nope"$/,
    );
  });

  it('reads an empty file as an empty list and reports a missing one', () => {
    write('empty.yaml', '');
    expect(policy({ allowListFile: 'empty.yaml' }).allowList.size).toBe(0);
    expect(() => policy({ allowListFile: 'gone.yaml' })).toThrow(
      'gone.yaml: cannot read allow-list file: ENOENT',
    );
  });

  it('on reload keeps the running list when the new file is invalid (validate, then swap)', async () => {
    write('allow.yaml', '- cidr: 10.1.0.0/16\n');
    const sink = new MemorySink();
    const pipeline = new AlertPipeline({
      ...policy({ allowListFile: 'allow.yaml' }),
      sinks: [sink],
      log: () => undefined,
    });
    const reload = (): boolean => {
      try {
        pipeline.reconfigure(policy({ allowListFile: 'allow.yaml' }));
        return true;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return false;
      }
    };
    write('allow.yaml', '- cidr: 10.1.0.0/16\n- cidr: nonsense\n');
    expect(reload()).toBe(false);
    await pipeline.handle([makeDetection()]);
    expect(sink.alerts).toHaveLength(0);
    expect(pipeline.stats().suppressed).toEqual([{ segment: 'servers', reason: 'allow_list', count: 1 }]);

    write('allow.yaml', '- cidr: 192.0.2.0/24\n');
    expect(reload()).toBe(true);
    await pipeline.handle([makeDetection()]);
    expect(sink.alerts).toHaveLength(1);
  });
});
