/**
 * A ground-truth label cell as 1 (malicious) or 0 (benign): IoT-23 writes `Malicious` /
 * `Benign` (either case); 0/1 and booleans are accepted too. Anything else is unknown.
 */
export function labelOf(value: unknown): 0 | 1 | undefined {
  if (value === true || value === 1) return 1;
  if (value === false || value === 0) return 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'malicious' || text === '1') return 1;
  if (text === 'benign' || text === '0') return 0;
  return undefined;
}
