import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { describeIssue } from './describe-issue.js';
import { configSchema, type TapwatchConfig } from './schema.js';
import { substituteEnv } from './substitute-env.js';

export interface LoadedConfig {
  /** Absolute path of the file it came from. */
  file: string;
  config: Readonly<TapwatchConfig>;
}

/**
 * Read, substitute, validate and freeze a config file. Every failure is one ConfigError whose
 * message starts with the file (and line where known) and names the field path.
 */
export function loadConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot read config: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        cause: err,
      },
    );
  }
  return parseConfig(text, file, absolute, env);
}

/** Validate config text; `file` is how messages name it, `absolute` anchors relative paths. */
export function parseConfig(
  text: string,
  file: string,
  absolute: string,
  env: Readonly<Record<string, string | undefined>>,
): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    const at = `:${pos.line}:${pos.col}`;
    throw new ConfigError(`${file}${at}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const lineOf = (fieldPath: PropertyKey[]): string => {
    const node = doc.getIn(fieldPath as unknown[], true);
    const offset = isScalar(node) || isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
    return offset === undefined ? '' : ` (line ${lineCounter.linePos(offset).line})`;
  };
  const where = (fieldPath: (string | number)[]) => `${file}: ${formatPath(fieldPath)}${lineOf(fieldPath)}`;
  const raw = substituteEnv(doc.toJS() ?? {}, env, where);
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, file, lineOf));
  const config = parsed.data;
  checkCrossFieldRules(config, file);
  const base = path.dirname(absolute);
  config.input.capture.files = config.input.capture.files.map((f) => path.resolve(base, f));
  const { tls } = config.input.kafka;
  for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
    if (tls[key] !== '') tls[key] = path.resolve(base, tls[key]);
  }
  return { file: absolute, config: deepFreeze(config) };
}

function formatIssues(
  issues: z.core.$ZodIssue[],
  file: string,
  lineOf: (p: PropertyKey[]) => string,
): string {
  const lines = issues.map((issue) => {
    const { fieldPath, message } = describeIssue(issue, configSchema);
    return `${file}: ${formatPath(fieldPath)}: ${message}${lineOf(fieldPath)}`;
  });
  return lines.join('\n');
}

function checkCrossFieldRules(config: TapwatchConfig, file: string): void {
  const names = new Set<string>();
  config.segments.definitions.forEach((segment, i) => {
    if (names.has(segment.name) || segment.name === 'other') {
      throw new ConfigError(
        `${file}: segments.definitions[${i}].name: "${segment.name}" is ${segment.name === 'other' ? 'reserved for overflow' : 'defined twice'}`,
      );
    }
    names.add(segment.name);
    if (segment.cidrs.length + segment.vlans.length + segment.exporters.length === 0) {
      throw new ConfigError(
        `${file}: segments.definitions[${i}]: expected at least one of cidrs, vlans, exporters`,
      );
    }
  });
  if (config.segments.definitions.length >= config.segments.maxSegments) {
    throw new ConfigError(
      `${file}: segments.maxSegments: expected more than the ${config.segments.definitions.length} named segments, got ${config.segments.maxSegments}`,
    );
  }
  checkInputRules(config, file);
  const windows = config.features.windowsSeconds;
  windows.forEach((w, i) => {
    if (i > 0 && w <= windows[i - 1]!) {
      throw new ConfigError(
        `${file}: features.windowsSeconds[${i}]: expected ascending lengths, got ${w} after ${windows[i - 1]}`,
      );
    }
  });
}

/**
 * Exactly one input drives `tapwatch run` (capture files or Kafka topics), and every Kafka feature
 * needs brokers. `tapwatch replay FILE` replaces the input, so "neither" is checked at start.
 */
function checkInputRules(config: TapwatchConfig, file: string): void {
  const { capture, kafka } = config.input;
  if (capture.files.length > 0 && kafka.topics.length > 0) {
    throw new ConfigError(
      `${file}: input: expected capture files or Kafka topics, not both ` +
        `(input.capture.files has ${capture.files.length}, input.kafka.topics has ${kafka.topics.length}); ` +
        'empty one of them',
    );
  }
  const needsBrokers: [boolean, string][] = [
    [kafka.topics.length > 0, 'input.kafka.topics'],
    [config.alerts.kafka.enabled, 'alerts.kafka.enabled'],
    [config.scaleOut.enabled, 'scaleOut.enabled'],
  ];
  for (const [used, field] of needsBrokers) {
    if (used && kafka.brokers.length === 0) {
      throw new ConfigError(
        `${file}: input.kafka.brokers: expected at least one broker because ${field} is set`,
      );
    }
  }
  if (config.scaleOut.enabled) {
    if (kafka.topics.length === 0) {
      throw new ConfigError(`${file}: scaleOut.enabled: expected input.kafka.topics to re-key, got none`);
    }
    const { internalTopic, stateTopic } = config.scaleOut;
    const clash = kafka.topics.find((t) => t.name === internalTopic || t.name === stateTopic);
    if (clash || internalTopic === stateTopic) {
      throw new ConfigError(
        `${file}: scaleOut: internalTopic and stateTopic must differ from each other and from input.kafka.topics`,
      );
    }
  }
}

/** `features.lambdas[2]` from ['features', 'lambdas', 2]. */
export function formatPath(fieldPath: readonly PropertyKey[]): string {
  if (fieldPath.length === 0) return '(top level)';
  return fieldPath
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
