import { describe, expect, it } from 'vitest';
import { formatAlert, formatAlertText } from './format-alert.js';
import { synFloodAlert } from './golden/sample-alerts.js';

describe('formatAlert', () => {
  it('dispatches to each format', () => {
    const alert = synFloodAlert();
    expect(formatAlert(alert, 'ecs')).toBe(alert);
    expect(formatAlert(alert, 'ocsf')).toMatchObject({ class_uid: 2004 });
    expect(formatAlert(alert, 'eve')).toMatchObject({ event_type: 'alert' });
    expect(formatAlert(alert, 'cef')).toMatch(/^CEF:0\|/);
    expect(formatAlert(alert, 'leef', { leef: { version: '1.0' } })).toMatch(/^LEEF:1\.0\|/);
  });

  it('passes the product version through and renders text lines', () => {
    const alert = synFloodAlert();
    expect(formatAlertText(alert, 'cef', { productVersion: '9.9.9' })).toMatch(
      /^CEF:0\|tapwatch\|tapwatch\|9\.9\.9\|/,
    );
    expect(
      JSON.parse(formatAlertText(alert, 'ocsf', { productVersion: '9.9.9' })).metadata.product.version,
    ).toBe('9.9.9');
    expect(JSON.parse(formatAlertText(alert, 'ecs')).event.id).toBe(alert.event.id);
  });
});
