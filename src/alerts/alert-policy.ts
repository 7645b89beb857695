import path from 'node:path';
import type { AlertsConfig } from '../config/schema.js';
import { AllowList, type AllowListRow } from './allow-list.js';
import { readAllowListFile } from './read-allow-list-file.js';

/** What the dedup key holds besides segment and rule (see `alerts.dedupTrackBy`). */
export type DedupTrackBy = AlertsConfig['dedupTrackBy'];

/**
 * The tunable part of the `alerts` config slice the pipeline reads. Fields added after the first
 * release are optional so a bare `{ dedupWindowSeconds, minSeverity }` keeps working:
 * no rate limit and the rule's own dedup focus.
 */
export type AlertPolicyConfig = Pick<AlertsConfig, 'dedupWindowSeconds' | 'minSeverity'> &
  Partial<Pick<AlertsConfig, 'maxAlertsPerMinute' | 'dedupTrackBy'>>;

/** Everything `AlertPipeline.reconfigure()` swaps: validated settings and a compiled allow-list. */
export interface AlertPolicy {
  config: AlertPolicyConfig;
  allowList: AllowList;
}

/**
 * Build the pipeline's policy from the validated `alerts` slice: compile the inline allow-list
 * rows and the rows of `allowListFile` (resolved against the config file's folder, read now).
 * Throws a `ConfigError` naming the file and field on any problem and changes nothing, so a
 * caller can build the next policy first and swap only on success (validate, then swap).
 *
 * @param configFile path of the config file the slice came from; anchors `allowListFile` and
 *   names inline rows in messages (`config/tapwatch.yaml: alerts.allowList[2].rules[0]: ...`).
 */
export function loadAlertPolicy(alerts: AlertsConfig, configFile: string): AlertPolicy {
  const rows: AllowListRow[] = alerts.allowList.map((entry, i) => ({
    entry,
    origin: `${configFile}: alerts.allowList[${i}]`,
  }));
  if (alerts.allowListFile !== '') {
    const absolute = path.resolve(path.dirname(configFile), alerts.allowListFile);
    rows.push(...readAllowListFile(absolute, alerts.allowListFile));
  }
  return {
    config: {
      dedupWindowSeconds: alerts.dedupWindowSeconds,
      minSeverity: alerts.minSeverity,
      maxAlertsPerMinute: alerts.maxAlertsPerMinute,
      dedupTrackBy: alerts.dedupTrackBy,
    },
    allowList: AllowList.compile(rows),
  };
}
