import type { Alert } from '../alert.js';
import { type CefOptions, formatCef } from './format-cef.js';
import { type EveOptions, formatEve } from './format-eve.js';
import { formatLeef, type LeefOptions } from './format-leef.js';
import { formatOcsf, type OcsfOptions } from './format-ocsf.js';

/** Wire formats an alert can be written in. */
export type AlertFormat = 'ecs' | 'ocsf' | 'eve' | 'cef' | 'leef';

/** The formats that are JSON documents; CEF and LEEF are single text lines. */
export const JSON_ALERT_FORMATS: readonly AlertFormat[] = ['ecs', 'ocsf', 'eve'];

/** Per-format options, passed through to the formatter of the chosen format. */
export interface FormatAlertOptions {
  /** Product version for headers and metadata; each formatter falls back to `observer.version`. */
  productVersion?: string;
  eve?: EveOptions;
  leef?: Omit<LeefOptions, 'productVersion'>;
}

/**
 * Format one alert for a sink that takes a `format` option: a JSON-ready object for ecs, ocsf
 * and eve, a text line for cef and leef. ECS is the alert itself (no copy).
 */
export function formatAlert(
  alert: Alert,
  format: AlertFormat,
  options: FormatAlertOptions = {},
): string | object {
  const version: CefOptions & OcsfOptions = { productVersion: options.productVersion };
  switch (format) {
    case 'ecs':
      return alert;
    case 'ocsf':
      return formatOcsf(alert, version);
    case 'eve':
      return formatEve(alert, options.eve);
    case 'cef':
      return formatCef(alert, version);
    case 'leef':
      return formatLeef(alert, { ...options.leef, ...version });
  }
}

/** `formatAlert` as one line of text: JSON for the document formats, the line itself for CEF/LEEF. */
export function formatAlertText(alert: Alert, format: AlertFormat, options: FormatAlertOptions = {}): string {
  const formatted = formatAlert(alert, format, options);
  return typeof formatted === 'string' ? formatted : JSON.stringify(formatted);
}
